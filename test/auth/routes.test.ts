import { createLocalJWKSet, jwtVerify } from 'jose';
import fastify, { type FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../src/auth/keys.js';
import { NotificationSigner } from '../../src/auth/notification-signer.js';
import { authRoutes } from '../../src/auth/routes.js';
import { TokenService } from '../../src/auth/tokens.js';
import { Directory, type World } from '../../src/sim/directory.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID, defaultWorld } from '../../src/sim/default-world.js';

const OTHER_TENANT = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER_APP = 'bbbbbbbb-0000-4000-8000-000000000002';
const ISSUER = 'https://api.botframework.com';

function world(): World {
  const w = defaultWorld();
  w.tenants.push({
    id: OTHER_TENANT,
    displayName: 'Fabrikam',
    apps: [
      { id: OTHER_APP, displayName: 'Other bot', secret: 'other-secret', roles: [], callbackUri: null, instances: [] },
    ],
    users: [],
    phones: [],
    meetings: [],
    defaultPhoneAnswer: { action: 'accept', afterMs: 0 },
  });
  return w;
}

let keys: SigningKeys;
let directory: Directory;
let tokens: TokenService;
let app: FastifyInstance;

function build(caseSensitive = true): FastifyInstance {
  const a = fastify({ routerOptions: { caseSensitive } });
  authRoutes(a, { tokens, directory, keys, notificationIssuer: ISSUER });
  return a;
}

beforeAll(async () => {
  keys = await loadOrCreateSigningKeys(null);
  directory = new Directory(world());
  tokens = new TokenService({ keys, directory, clock: { now: () => Date.now() } });
  app = build();
  await app.ready();
});

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const good = {
  client_id: DEFAULT_APP_ID,
  client_secret: DEFAULT_APP_SECRET,
  scope: 'https://graph.microsoft.com/.default',
  grant_type: 'client_credentials',
};

function postToken(fields: Record<string, string>, tenant = DEFAULT_TENANT_ID, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: `/${tenant}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', ...headers },
    payload: form(fields),
  });
}

describe('POST /:tenant/oauth2/v2.0/token', () => {
  it('issues a token for valid client credentials, ignoring x-client-* fields', async () => {
    const res = await postToken({
      ...good,
      'x-client-SKU': 'msal.js.node',
      'x-client-VER': '7.2.3',
      'x-client-OS': 'linux',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600 });
    expect(await tokens.verify(`Bearer ${body.access_token}`)).toMatchObject({
      tenantId: DEFAULT_TENANT_ID,
      appId: DEFAULT_APP_ID,
    });
  });

  it('accepts the tenant id and client id in any case, and the Graph app id as scope resource', async () => {
    const res = await postToken(
      { ...good, client_id: DEFAULT_APP_ID.toUpperCase(), scope: '00000003-0000-0000-c000-000000000000/.default' },
      DEFAULT_TENANT_ID.toUpperCase(),
    );
    expect(res.statusCode).toBe(200);
    expect(await tokens.verify(`Bearer ${res.json().access_token}`)).toMatchObject({
      tenantId: DEFAULT_TENANT_ID,
      appId: DEFAULT_APP_ID,
    });
  });

  it('answers errors in the AAD shape and echoes client-request-id as correlation id', async () => {
    const cid = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
    const res = await postToken({ ...good, client_secret: 'nope' }, DEFAULT_TENANT_ID, { 'client-request-id': cid });
    expect(res.statusCode).toBe(401);
    const body = res.json();
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [7000215], correlation_id: cid });
    expect(body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(body.error_description).toContain(`Correlation ID: ${cid}`);
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['unknown tenant', {}, '00000000-0000-0000-0000-00000000dead', 400, 'invalid_request', 90002],
    ['"common" tenant', {}, 'common', 400, 'invalid_request', 90002],
    ['no grant_type', { grant_type: '' }, DEFAULT_TENANT_ID, 400, 'invalid_request', 900144],
    ['password grant', { grant_type: 'password' }, DEFAULT_TENANT_ID, 400, 'unsupported_grant_type', 70003],
    ['no client_id', { client_id: '' }, DEFAULT_TENANT_ID, 400, 'invalid_request', 900144],
    ['no scope', { scope: '' }, DEFAULT_TENANT_ID, 400, 'invalid_request', 900144],
    [
      'unknown client',
      { client_id: '11111111-1111-1111-1111-111111111111' },
      DEFAULT_TENANT_ID,
      400,
      'unauthorized_client',
      700016,
    ],
    [
      'client of another tenant',
      { client_id: OTHER_APP, client_secret: 'other-secret' },
      DEFAULT_TENANT_ID,
      400,
      'unauthorized_client',
      700016,
    ],
    ['no secret', { client_secret: '' }, DEFAULT_TENANT_ID, 401, 'invalid_client', 7000218],
    ['wrong secret', { client_secret: 'wrong' }, DEFAULT_TENANT_ID, 401, 'invalid_client', 7000215],
    ["another app's secret", { client_secret: 'other-secret' }, DEFAULT_TENANT_ID, 401, 'invalid_client', 7000215],
    [
      'delegated-style scope',
      { scope: 'https://graph.microsoft.com/Calls.Initiate.All' },
      DEFAULT_TENANT_ID,
      400,
      'invalid_scope',
      1002012,
    ],
    [
      'two resources',
      { scope: 'https://graph.microsoft.com/.default https://vault.azure.net/.default' },
      DEFAULT_TENANT_ID,
      400,
      'invalid_scope',
      1002012,
    ],
    [
      'another resource',
      { scope: 'https://management.azure.com/.default' },
      DEFAULT_TENANT_ID,
      400,
      'invalid_resource',
      500011,
    ],
  ] as const)('%s → %i %s AADSTS%i', async (_name, override, tenant, status, error, code) => {
    const res = await postToken({ ...good, ...override }, tenant);
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toMatchObject({ error, error_codes: [code] });
    expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(body).not.toHaveProperty('access_token');
  });

  it('tolerates OpenID scopes next to the .default scope', async () => {
    const res = await postToken({
      ...good,
      scope: 'https://graph.microsoft.com/.default openid profile offline_access',
    });
    expect(res.statusCode).toBe(200);
  });

  it('issues for an app in another tenant at that tenant', async () => {
    const res = await postToken({ ...good, client_id: OTHER_APP, client_secret: 'other-secret' }, OTHER_TENANT);
    expect(res.statusCode).toBe(200);
    expect(await tokens.verify(`Bearer ${res.json().access_token}`)).toMatchObject({
      tenantId: OTHER_TENANT,
      appId: OTHER_APP,
      roles: [],
    });
  });

  it('reads only form bodies: JSON credentials count as missing', async () => {
    const res = await app.inject({ method: 'POST', url: `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`, payload: good });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
  });
});

describe('discovery', () => {
  it.each([
    `/${DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration`,
    `/${DEFAULT_TENANT_ID}/.well-known/openid-configuration`,
  ])('%s points at this server as reached', async (url) => {
    const res = await app.inject({ method: 'GET', url, headers: { host: 'switchboard.test:4443' } });
    expect(res.statusCode).toBe(200);
    const base = `http://switchboard.test:4443/${DEFAULT_TENANT_ID}`;
    expect(res.json()).toMatchObject({
      issuer: `${base}/v2.0`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: expect.arrayContaining(['code']),
    });
  });

  it('uses the canonical tenant id whatever the case of the path, and 400s an unknown tenant', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/${DEFAULT_TENANT_ID.toUpperCase()}/v2.0/.well-known/openid-configuration`,
    });
    expect(res.json().token_endpoint).toContain(`/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`);
    const bad = await app.inject({ method: 'GET', url: '/nobody/v2.0/.well-known/openid-configuration' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
  });

  it.each([`/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`, '/common/discovery/v2.0/keys', '/common/discovery/keys'])(
    '%s serves the token key only',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ keys: [keys.token.publicJwk] });
    },
  );

  it('answers instance discovery for the tenant in authorization_endpoint', async () => {
    const authz = encodeURIComponent(`https://switchboard.test/${DEFAULT_TENANT_ID}/oauth2/v2.0/authorize`);
    const res = await app.inject({
      method: 'GET',
      url: `/common/discovery/instance?api-version=1.1&authorization_endpoint=${authz}`,
      headers: { host: 'switchboard.test' },
    });
    expect(res.json()).toEqual({
      tenant_discovery_endpoint: `http://switchboard.test/${DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        { preferred_network: 'switchboard.test', preferred_cache: 'switchboard.test', aliases: ['switchboard.test'] },
      ],
    });
    const bare = await app.inject({
      method: 'GET',
      url: '/common/discovery/instance',
      headers: { host: 'switchboard.test' },
    });
    expect(bare.json().tenant_discovery_endpoint).toBe(
      'http://switchboard.test/common/v2.0/.well-known/openid-configuration',
    );
  });
});

describe('notification keys', () => {
  it.each([
    '/.well-known/OpenIdConfiguration',
    '/.well-known/openidconfiguration',
    '/v1/.well-known/OpenIdConfiguration',
  ])('%s names the issuer and the notification JWKS', async (url) => {
    const res = await app.inject({ method: 'GET', url, headers: { host: 'switchboard.test:4443' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      issuer: ISSUER,
      jwks_uri: 'http://switchboard.test:4443/.well-known/notification-keys',
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('publishes a JWKS that verifies NotificationSigner tokens and not access tokens', async () => {
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/notification-keys' })).json();
    expect(jwks).toEqual({ keys: [keys.notification.publicJwk] });
    const signer = new NotificationSigner({ key: keys.notification, issuer: ISSUER, clock: { now: () => Date.now() } });
    const keySet = createLocalJWKSet(jwks);
    const { payload } = await jwtVerify(await signer.sign(DEFAULT_APP_ID, DEFAULT_TENANT_ID), keySet, {
      issuer: ISSUER,
      audience: DEFAULT_APP_ID,
    });
    expect(payload.tid).toBe(DEFAULT_TENANT_ID);
    const { access_token } = await tokens.issue(DEFAULT_TENANT_ID, DEFAULT_APP_ID);
    await expect(jwtVerify(access_token, keySet)).rejects.toThrow();
  });
});

describe('registration', () => {
  it('works on a case-insensitive router without registering duplicate routes', async () => {
    const legacy = fastify({ caseSensitive: false });
    authRoutes(legacy, { tokens, directory, keys, notificationIssuer: ISSUER });
    for (const a of [build(false), legacy]) {
      await a.ready();
      for (const url of [
        '/.well-known/OpenIdConfiguration',
        '/.well-known/openidconfiguration',
        `/${DEFAULT_TENANT_ID}/V2.0/.well-known/openid-configuration`,
      ]) {
        expect((await a.inject({ method: 'GET', url })).statusCode).toBe(200);
      }
      await a.close();
    }
  });

  it('keeps a form parser registered before it', async () => {
    const a = fastify();
    a.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    authRoutes(a, { tokens, directory, keys, notificationIssuer: ISSUER });
    const res = await a.inject({
      method: 'POST',
      url: `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(good),
    });
    expect(res.statusCode).toBe(200);
    await a.close();
  });
});
