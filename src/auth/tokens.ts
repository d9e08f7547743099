/**
 * App-only access tokens shaped like the ones Entra ID issues for Microsoft Graph, and their validation on
 * every Graph request. Validation errors carry Graph's codes; the Graph error envelope is built elsewhere.
 */
import { createHash, createPublicKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { SignJWT, compactVerify, decodeProtectedHeader, errors as joseErrors, type JWTPayload } from 'jose';
import type { Directory } from '../sim/directory.js';
import type { SigningKey } from './keys.js';

export interface Principal {
  tenantId: string;
  appId: string;
  roles: string[];
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
}

export class AuthError extends Error {
  status: 401 | 403;
  code: string;

  constructor(status: 401 | 403, code: string, message: string) {
    super(message);
    this.name = 'AuthError';
    this.status = status;
    this.code = code;
  }
}

export const GRAPH_AUDIENCES: readonly string[] = [
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
];
export const TOKEN_LIFETIME_S = 3600;
const MAX_VERIFIED_TOKENS = 1000;
// Entra ID's validators allow five minutes of clock skew; bots see the same tolerance from us.
const CLOCK_SKEW_S = 300;

/** Old doc misspellings (spec section 7): accepted wherever a role is read, never emitted. */
export const ROLE_ALIASES: Readonly<Record<string, string>> = {
  'Calls.InitiateGroupCalls.All': 'Calls.InitiateGroupCall.All',
  'Calls.JoinGroupCalls.All': 'Calls.JoinGroupCall.All',
  'Calls.JoinGroupCallsasGuest.All': 'Calls.JoinGroupCallAsGuest.All',
};

export const canonicalRole = (role: string): string => ROLE_ALIASES[role] ?? role;

export function hasRole(principal: Principal, role: string): boolean {
  const wanted = canonicalRole(role);
  return principal.roles.some((r) => canonicalRole(r) === wanted);
}

/** Constant-time secret comparison; hashing first makes the lengths equal without leaking them. */
export function secretMatches(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The app's service-principal object id in its tenant: a stable GUID derived from both ids. */
export function servicePrincipalId(tenantId: string, appId: string): string {
  const h = createHash('sha256').update(`sp:${tenantId.toLowerCase()}:${appId.toLowerCase()}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const tokenEmpty = (): AuthError => new AuthError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
const invalid = (message: string): AuthError => new AuthError(401, 'InvalidAuthenticationToken', message);

export class TokenService {
  private readonly key: SigningKey;
  private readonly directory: Directory;
  private readonly clock: { now(): number };
  private readonly publicKey: KeyObject;
  /** Payloads of tokens whose signature already verified: a bot reuses one token for an hour (RS256 costs ~6% of an invite). */
  private readonly verifiedPayloads = new Map<string, Record<string, unknown>>();

  constructor(opts: { keys: { token: SigningKey }; directory: Directory; clock: { now(): number } }) {
    this.key = opts.keys.token;
    this.directory = opts.directory;
    this.clock = opts.clock;
    this.publicKey = createPublicKey(this.key.privateKey);
  }

  /** Mints a client-credentials token for an app of the directory; the caller has checked the secret. */
  async issue(tenantId: string, appId: string): Promise<TokenResponse> {
    const found = this.directory.appInTenant(appId, tenantId);
    const tenant = this.directory.tenant(tenantId);
    if (!found || !tenant) throw new Error(`app ${appId} is not registered in tenant ${tenantId}`);
    const { app } = found;
    const tid = tenant.id;
    const oid = servicePrincipalId(tid, app.id);
    const iat = Math.floor(this.clock.now() / 1000);
    const iss = `https://sts.windows.net/${tid}/`;
    const payload: JWTPayload & Record<string, unknown> = {
      aud: 'https://graph.microsoft.com',
      iss,
      iat,
      nbf: iat,
      exp: iat + TOKEN_LIFETIME_S,
      app_displayname: app.displayName,
      appid: app.id,
      appidacr: '1',
      azp: app.id,
      idp: iss,
      idtyp: 'app',
      oid,
      roles: [...new Set(app.roles.map(canonicalRole))],
      sub: oid,
      tid,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    const accessToken = await new SignJWT(payload)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: this.key.kid })
      .sign(this.key.privateKey);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_S,
      ext_expires_in: TOKEN_LIFETIME_S,
    };
  }

  /** Checks an Authorization header; throws AuthError with Graph's code and an honest message per cause. */
  async verify(authorizationHeader: string | undefined): Promise<Principal> {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorizationHeader ?? '');
    const token = m?.[1];
    if (!token) throw tokenEmpty();
    // Claims (lifetime above all) are checked on every request; only the signature check is remembered.
    const known = this.verifiedPayloads.get(token);
    if (known) return this.checkClaims(known);
    if (token.split('.').length !== 3) throw invalid('CompactToken parsing failed with error code: 80049217');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw invalid('CompactToken parsing failed with error code: 80049217');
    }
    if (header.alg !== 'RS256')
      throw invalid(
        `Access token validation failure. Signing algorithm '${String(header.alg)}' is not accepted; only RS256 is.`,
      );
    if (header.kid !== this.key.kid)
      throw invalid(
        'Access token validation failure. The signing key was not found; the token was not issued by this server.',
      );
    let payload: Record<string, unknown>;
    try {
      const { payload: bytes } = await compactVerify(token, this.publicKey, { algorithms: ['RS256'] });
      payload = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof joseErrors.JWSSignatureVerificationFailed)
        throw invalid('Access token validation failure. Invalid signature.');
      throw invalid('Access token validation failure. The token is malformed.');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw invalid('Access token validation failure. The token is malformed.');
    const principal = this.checkClaims(payload);
    if (this.verifiedPayloads.size >= MAX_VERIFIED_TOKENS)
      this.verifiedPayloads.delete(this.verifiedPayloads.keys().next().value!);
    this.verifiedPayloads.set(token, payload);
    return principal;
  }

  private checkClaims(p: Record<string, unknown>): Principal {
    const now = Math.floor(this.clock.now() / 1000);
    if (typeof p.exp !== 'number') throw invalid('Lifetime validation failed, the token has no expiry.');
    if (p.exp + CLOCK_SKEW_S <= now) throw invalid('Lifetime validation failed, the token is expired.');
    if (typeof p.nbf === 'number' && p.nbf - CLOCK_SKEW_S > now)
      throw invalid('Lifetime validation failed, the token is not yet valid.');
    const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
    if (!aud.some((a) => typeof a === 'string' && GRAPH_AUDIENCES.includes(a)))
      throw invalid('Access token validation failure. Invalid audience.');
    const tid = p.tid;
    if (typeof tid !== 'string') throw invalid('Access token validation failure. The token has no tenant (tid) claim.');
    const validIssuers = [`https://sts.windows.net/${tid}/`, `https://login.microsoftonline.com/${tid}/v2.0`];
    if (typeof p.iss !== 'string' || !validIssuers.includes(p.iss))
      throw invalid('Access token validation failure. Invalid issuer.');
    // Spec 5.3/7: no calling API takes delegated tokens. We answer 403 with 7504, the code the calling service
    // returns when a token carries no calling application permission (spec 6.1 and 6.3).
    if (p.scp !== undefined || p.idtyp === 'user') {
      throw new AuthError(403, '7504', 'Insufficient enterprise tenant permissions, cannot access this API.');
    }
    const tenant = this.directory.tenant(tid);
    if (!tenant) throw invalid(`Access token validation failure. Tenant '${tid}' is not known to this server.`);
    const appId = typeof p.appid === 'string' ? p.appid : typeof p.azp === 'string' ? p.azp : undefined;
    if (!appId) throw invalid('Access token validation failure. The token has no application (appid) claim.');
    // A multi-tenant app consented to by the token's tenant acts in that tenant (Directory.appInTenant).
    const found = this.directory.appInTenant(appId, tenant.id);
    if (!found)
      throw invalid(`Access token validation failure. Application '${appId}' is not registered in tenant '${tid}'.`);
    const roles = Array.isArray(p.roles) ? p.roles.filter((r): r is string => typeof r === 'string') : [];
    return { tenantId: tenant.id, appId: found.app.id, roles };
  }
}
