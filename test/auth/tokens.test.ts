import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../src/auth/keys.js';
import {
  AuthError,
  ROLE_ALIASES,
  TokenService,
  hasRole,
  secretMatches,
  type Principal,
} from '../../src/auth/tokens.js';
import { manualClock } from '../../src/domain/clock.js';
import { Directory } from '../../src/sim/directory.js';
import { DEFAULT_APP_ID, DEFAULT_TENANT_ID, defaultWorld } from '../../src/sim/default-world.js';

let keys: SigningKeys;
const directory = new Directory(defaultWorld());
const clock = manualClock(Date.UTC(2026, 0, 1));
let service: TokenService;
const now = (): number => Math.floor(clock.now() / 1000);

beforeAll(async () => {
  keys = await loadOrCreateSigningKeys(null);
  service = new TokenService({ keys, directory, clock });
});

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

function claims(over: Record<string, unknown> = {}): JWTPayload {
  return {
    aud: 'https://graph.microsoft.com',
    iss: `https://sts.windows.net/${DEFAULT_TENANT_ID}/`,
    iat: now(),
    nbf: now(),
    exp: now() + 3600,
    tid: DEFAULT_TENANT_ID,
    appid: DEFAULT_APP_ID,
    idtyp: 'app',
    roles: ['Calls.Initiate.All'],
    ...over,
  };
}

async function forge(
  over: Record<string, unknown> = {},
  key = keys.token.privateKey,
  kid = keys.token.kid,
): Promise<string> {
  return new SignJWT(claims(over)).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
}

async function rejection(header: string | undefined): Promise<AuthError> {
  try {
    await service.verify(header);
  } catch (e) {
    if (e instanceof AuthError) return e;
    throw e;
  }
  throw new Error('verify accepted the token');
}

describe('TokenService.issue', () => {
  it('mints an app-only Graph token with the claims Entra ID puts in one', async () => {
    const r = await service.issue(DEFAULT_TENANT_ID, DEFAULT_APP_ID);
    expect(r).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600 });
    expect(decodeProtectedHeader(r.access_token)).toMatchObject({ alg: 'RS256', kid: keys.token.kid, typ: 'JWT' });
    const c = decodeJwt(r.access_token);
    expect(c).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${DEFAULT_TENANT_ID}/`,
      tid: DEFAULT_TENANT_ID,
      appid: DEFAULT_APP_ID,
      azp: DEFAULT_APP_ID,
      idtyp: 'app',
      ver: '1.0',
      iat: now(),
      nbf: now(),
      exp: now() + 3600,
    });
    expect(c.sub).toBe(c.oid);
    expect(c.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(c.roles).toEqual(defaultWorld().tenants[0]!.apps[0]!.roles);
    expect(c).not.toHaveProperty('scp');
    const again = decodeJwt((await service.issue(DEFAULT_TENANT_ID, DEFAULT_APP_ID)).access_token);
    expect(again.oid).toBe(c.oid);
    expect(again.uti).not.toBe(c.uti);
  });

  it('emits canonical role names for aliased roles in the world', async () => {
    const world = defaultWorld();
    world.tenants[0]!.apps[0]!.roles = [
      'Calls.JoinGroupCalls.All',
      'Calls.JoinGroupCall.All',
      'Calls.InitiateGroupCalls.All',
    ];
    const s = new TokenService({ keys, directory: new Directory(world), clock });
    const c = decodeJwt((await s.issue(DEFAULT_TENANT_ID, DEFAULT_APP_ID)).access_token);
    expect(c.roles).toEqual(['Calls.JoinGroupCall.All', 'Calls.InitiateGroupCall.All']);
  });

  it('refuses an app that is not in the directory', async () => {
    await expect(service.issue(DEFAULT_TENANT_ID, '11111111-1111-1111-1111-111111111111')).rejects.toThrow();
  });
});

describe('TokenService.verify', () => {
  it('accepts its own token and returns the principal', async () => {
    const { access_token } = await service.issue(DEFAULT_TENANT_ID, DEFAULT_APP_ID);
    const p = await service.verify(`Bearer ${access_token}`);
    expect(p).toEqual({ tenantId: DEFAULT_TENANT_ID, appId: DEFAULT_APP_ID, roles: decodeJwt(access_token).roles });
    expect(await service.verify(`bearer  ${access_token}`)).toEqual(p);
  });

  it.each(['https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000'])(
    'accepts audience %s',
    async (aud) => {
      await expect(service.verify(`Bearer ${await forge({ aud })}`)).resolves.toMatchObject({ appId: DEFAULT_APP_ID });
    },
  );

  it('accepts ids in any case and reports the directory spelling', async () => {
    const token = await forge({
      tid: DEFAULT_TENANT_ID.toUpperCase(),
      iss: `https://sts.windows.net/${DEFAULT_TENANT_ID.toUpperCase()}/`,
      appid: DEFAULT_APP_ID.toUpperCase(),
    });
    expect(await service.verify(`Bearer ${token}`)).toMatchObject({
      tenantId: DEFAULT_TENANT_ID,
      appId: DEFAULT_APP_ID,
    });
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz'])(
    'answers 401 "Access token is empty." for %j',
    async (header) => {
      const e = await rejection(header);
      expect(e).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    },
  );

  it.each(['abc', 'a.b', 'not.a.jwt', '!!.??.**'])('answers 401 for the malformed token %j', async (token) => {
    expect(await rejection(`Bearer ${token}`)).toMatchObject({
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: expect.stringContaining('CompactToken parsing failed'),
    });
  });

  it('rejects alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    expect(await rejection(`Bearer ${token}`)).toMatchObject({
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: expect.stringContaining("'none'"),
    });
  });

  it('rejects HS256 even when keyed with the public key (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(keys.token.publicJwk));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: keys.token.kid }).sign(secret);
    expect(await rejection(`Bearer ${token}`)).toMatchObject({
      status: 401,
      message: expect.stringContaining("'HS256'"),
    });
  });

  it('rejects a token signed by another key under our kid as an invalid signature', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(await rejection(`Bearer ${await forge({}, other)}`)).toMatchObject({
      status: 401,
      message: 'Access token validation failure. Invalid signature.',
    });
  });

  it('rejects a token signed by another key under another kid as an unknown key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(await rejection(`Bearer ${await forge({}, other, 'other-kid')}`)).toMatchObject({
      status: 401,
      message: expect.stringContaining('signing key was not found'),
    });
  });

  it('rejects a token signed with the notification key', async () => {
    const token = await forge({}, keys.notification.privateKey, keys.notification.kid);
    expect((await rejection(`Bearer ${token}`)).status).toBe(401);
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = (await forge()).split('.');
    const token = `${h}.${b64(claims({ roles: ['Calls.AccessMedia.All', 'Calls.Initiate.All'] }))}.${s}`;
    expect(await rejection(`Bearer ${token}`)).toMatchObject({
      status: 401,
      message: 'Access token validation failure. Invalid signature.',
    });
  });

  it('rejects an expired token, allowing five minutes of skew', async () => {
    const { access_token } = await service.issue(DEFAULT_TENANT_ID, DEFAULT_APP_ID);
    const start = clock.now();
    try {
      clock.advance((3600 + 299) * 1000);
      await expect(service.verify(`Bearer ${access_token}`)).resolves.toBeDefined();
      clock.advance(2000);
      expect(await rejection(`Bearer ${access_token}`)).toMatchObject({
        status: 401,
        code: 'InvalidAuthenticationToken',
        message: 'Lifetime validation failed, the token is expired.',
      });
    } finally {
      clock.set(start);
    }
  });

  it('rejects a token that is not yet valid', async () => {
    const token = await forge({ nbf: now() + 600, iat: now() + 600, exp: now() + 4200 });
    expect(await rejection(`Bearer ${token}`)).toMatchObject({
      status: 401,
      message: 'Lifetime validation failed, the token is not yet valid.',
    });
  });

  it('rejects a token without exp', async () => {
    expect((await rejection(`Bearer ${await forge({ exp: undefined })}`)).status).toBe(401);
  });

  it.each(['https://management.azure.com', 'api://other', DEFAULT_APP_ID])('rejects audience %s', async (aud) => {
    expect(await rejection(`Bearer ${await forge({ aud })}`)).toMatchObject({
      status: 401,
      message: 'Access token validation failure. Invalid audience.',
    });
  });

  it('rejects a wrong issuer', async () => {
    const token = await forge({ iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/' });
    expect(await rejection(`Bearer ${token}`)).toMatchObject({
      status: 401,
      message: 'Access token validation failure. Invalid issuer.',
    });
  });

  it('refuses a delegated (scp) token with 403 7504', async () => {
    const token = await forge({ scp: 'Calls.Initiate.All User.Read', idtyp: 'user', roles: undefined });
    expect(await rejection(`Bearer ${token}`)).toMatchObject({
      status: 403,
      code: '7504',
      message: 'Insufficient enterprise tenant permissions, cannot access this API.',
    });
  });

  it('rejects an unknown tenant and an unknown app with 401', async () => {
    const tid = '00000000-0000-0000-0000-000000000001';
    const unknownTenant = await forge({ tid, iss: `https://sts.windows.net/${tid}/` });
    expect(await rejection(`Bearer ${unknownTenant}`)).toMatchObject({
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: expect.stringContaining(tid),
    });
    const unknownApp = await forge({ appid: '11111111-1111-1111-1111-111111111111' });
    expect(await rejection(`Bearer ${unknownApp}`)).toMatchObject({
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: expect.stringContaining('11111111'),
    });
    expect((await rejection(`Bearer ${await forge({ appid: undefined })}`)).status).toBe(401);
  });
});

describe('roles and secrets', () => {
  const principal = (roles: string[]): Principal => ({ tenantId: DEFAULT_TENANT_ID, appId: DEFAULT_APP_ID, roles });

  it('hasRole honours the old misspellings in both directions', () => {
    for (const [alias, canonical] of Object.entries(ROLE_ALIASES)) {
      expect(hasRole(principal([alias]), canonical)).toBe(true);
      expect(hasRole(principal([canonical]), alias)).toBe(true);
    }
    expect(hasRole(principal(['Calls.Initiate.All']), 'Calls.InitiateGroupCall.All')).toBe(false);
    expect(hasRole(principal([]), 'Calls.Initiate.All')).toBe(false);
  });

  it('secretMatches compares exactly', () => {
    expect(secretMatches('s3cret', 's3cret')).toBe(true);
    expect(secretMatches('s3cret', 's3cret ')).toBe(false);
    expect(secretMatches('s3cret', '')).toBe(false);
  });
});
