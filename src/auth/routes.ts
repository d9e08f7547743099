/**
 * The Entra ID (login.microsoftonline.com) surface that MSAL and @azure/identity use for client credentials,
 * plus the OpenID config and JWKS a bot uses to validate notification JWTs (spec 5.2, 5.3). Errors here use
 * the AAD shape, not the Graph envelope.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import type { Directory, Tenant } from '../sim/directory.js';
import type { SigningKey } from './keys.js';
import type { SecretLockout } from './lockout.js';
import type { RateLimiter } from './rate-limit.js';
import { secretMatches, type TokenService } from './tokens.js';

export interface AuthRouteDeps {
  tokens: TokenService;
  directory: Directory;
  keys: { token: SigningKey; notification: SigningKey };
  notificationIssuer: string;
  /** The published notification keys (current and those in their overlap); absent: `keys.notification` only. */
  notificationKeys?: { published(): Promise<JWK[]> };
  /** Tokens issued per client (right secrets only); null or absent: unlimited. */
  tokenLimiter?: RateLimiter | null;
  /** Wrong secrets per client and source address (src/auth/lockout.ts); null or absent: unlimited. */
  lockout?: SecretLockout | null;
}

const FORM = 'application/x-www-form-urlencoded';
const GRAPH_RESOURCES = new Set([
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
]);
// OpenID scopes MSAL may add to any request; Entra ID ignores them for client credentials.
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

type Params = { tenant: string };

const baseUrl = (req: FastifyRequest): string => `${req.protocol}://${req.host}`;
const jwks = (key: SigningKey): { keys: JWK[] } => ({ keys: [key.publicJwk] });

function aadTimestamp(d = new Date()): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function aadError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: 400 | 401 | 429,
  error: string,
  code: number,
  message: string,
): FastifyReply {
  const traceId = randomUUID();
  // MSAL sends its client-request-id as a query parameter, other clients as a header; Entra ID echoes it.
  const given =
    req.headers['client-request-id'] ?? (req.query as Record<string, unknown> | undefined)?.['client-request-id'];
  const correlationId = typeof given === 'string' && /^[0-9a-f-]{36}$/i.test(given) ? given : randomUUID();
  const timestamp = aadTimestamp();
  return reply
    .code(status)
    .header('cache-control', 'no-store, no-cache')
    .header('pragma', 'no-cache')
    .send({
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${baseUrl(req)}/error?code=${code}`,
    });
}

function tenantNotFound(req: FastifyRequest, reply: FastifyReply, tenant: string): FastifyReply {
  return aadError(
    req,
    reply,
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Switchboard knows only the tenants of its world and needs the tenant id in the path.`,
  );
}

function openIdMetadata(base: string, tenant: Tenant): Record<string, unknown> {
  const t = `${base}/${tenant.id}`;
  return {
    token_endpoint: `${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post'],
    jwks_uri: `${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    grant_types_supported: ['client_credentials'],
    issuer: `${t}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${t}/oauth2/v2.0/logout`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'appid', 'azp', 'roles', 'idtyp', 'ver'],
    tenant_region_scope: null,
    cloud_instance_name: new URL(base).host,
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

/** Registers the token endpoint, tenant discovery and JWKS routes, and the notification-key routes. */
export function authRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const { tokens, directory, keys, notificationIssuer } = deps;
  const tokenLimiter = deps.tokenLimiter ?? null;
  const lockout = deps.lockout ?? null;

  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

  app.post<{ Params: Params }>('/:tenant/oauth2/v2.0/token', async (req, reply) => {
    const tenant = directory.tenant(req.params.tenant);
    if (!tenant) return tenantNotFound(req, reply, req.params.tenant);
    const isForm = (req.headers['content-type'] ?? '').toLowerCase().startsWith(FORM);
    const form =
      isForm && typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
    const field = (name: string): string | undefined =>
      typeof form[name] === 'string' && form[name] !== '' ? form[name] : undefined;
    const missing = (name: string): FastifyReply =>
      aadError(
        req,
        reply,
        400,
        'invalid_request',
        900144,
        `The request body must contain the following parameter: '${name}'.`,
      );

    const grantType = field('grant_type');
    if (!grantType) return missing('grant_type');
    if (grantType !== 'client_credentials') {
      return aadError(
        req,
        reply,
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grantType}'. Switchboard supports only client_credentials (app-only tokens), as every calling API requires.`,
      );
    }
    const clientId = field('client_id');
    if (!clientId) return missing('client_id');
    const scope = field('scope');
    if (!scope) return missing('scope');
    // The app's own tenant, or one that consented to it (a multi-tenant bot asks the meeting's tenant for its token).
    const found = directory.appInTenant(clientId, tenant.id);
    if (!found) {
      return aadError(
        req,
        reply,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const secret = field('client_secret');
    if (secret === undefined) {
      const hint = field('client_assertion')
        ? ' Switchboard does not support certificate (client_assertion) credentials; send client_secret.'
        : '';
      return aadError(
        req,
        reply,
        401,
        'invalid_client',
        7000218,
        `The request body must contain the following parameter: 'client_assertion' or 'client_secret'.${hint}`,
      );
    }
    // Smart lockout (src/auth/lockout.ts): a source with too many wrong secrets is refused before its secret is
    // compared, so its guesses stop counting; the bot's own source is not locked by them.
    const client = `${tenant.id}/${found.app.id}`.toLowerCase();
    const lockedMs = lockout?.lockedFor(client, req.ip) ?? null;
    if (lockedMs !== null) {
      // AADSTS50053 is Entra ID's smart-lockout answer (400). Its lockout period is not told; Switchboard tells it.
      return aadError(
        req,
        reply,
        400,
        'invalid_client',
        50053,
        `The application '${found.app.id}' is locked for requests from ${req.ip} because too many wrong client secrets were sent; try again in ${Math.ceil(lockedMs / 1000)} s. The lockout holds the source of the failures: the right secret from an address that got a token before still works.`,
      );
    }
    if (!secretMatches(found.app.secret, secret)) {
      lockout?.failed(client, req.ip);
      return aadError(
        req,
        reply,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${found.app.id}'.`,
      );
    }
    lockout?.succeeded(client, req.ip);
    // Counted once the secret matched: wrong secrets (limited by the lockout) never use up the bot's allowance.
    const wait = tokenLimiter?.take(client) ?? null;
    if (wait !== null) {
      const retryAfter = Math.ceil(wait / 1000);
      void reply.header('retry-after', String(retryAfter));
      return aadError(
        req,
        reply,
        429,
        'temporarily_unavailable',
        90055,
        `Too many token requests for application '${found.app.id}': at most ${tokenLimiter!.limit.requests} per ${tokenLimiter!.limit.windowMs / 1000} s. Retry after ${retryAfter} s, and cache tokens: each is valid for an hour.`,
      );
    }
    const scopes = scope.split(/\s+/).filter((s) => s !== '' && !OIDC_SCOPES.has(s));
    const bad = scopes.find((s) => !s.endsWith('/.default'));
    if (bad !== undefined || scopes.length !== 1) {
      return aadError(
        req,
        reply,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${bad ?? scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = scopes[0]!.slice(0, -'/.default'.length);
    if (!GRAPH_RESOURCES.has(resource)) {
      return aadError(
        req,
        reply,
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenant.displayName}. Switchboard issues tokens for Microsoft Graph (https://graph.microsoft.com/.default) only.`,
      );
    }
    const issued = await tokens.issue(tenant.id, found.app.id);
    return reply.header('cache-control', 'no-store, no-cache').header('pragma', 'no-cache').send({
      token_type: issued.token_type,
      expires_in: issued.expires_in,
      ext_expires_in: issued.ext_expires_in,
      access_token: issued.access_token,
    });
  });

  const metadata = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<FastifyReply> => {
    const tenant = directory.tenant(req.params.tenant);
    if (!tenant) return tenantNotFound(req, reply, req.params.tenant);
    return reply.send(openIdMetadata(baseUrl(req), tenant));
  };
  app.get<{ Params: Params }>('/:tenant/v2.0/.well-known/openid-configuration', metadata);
  app.get<{ Params: Params }>('/:tenant/.well-known/openid-configuration', metadata);

  app.get<{ Params: Params }>('/:tenant/discovery/v2.0/keys', async (req, reply) => {
    if (req.params.tenant !== 'common' && !directory.tenant(req.params.tenant))
      return tenantNotFound(req, reply, req.params.tenant);
    return reply.send(jwks(keys.token));
  });
  app.get('/common/discovery/keys', async (_req, reply) => reply.send(jwks(keys.token)));

  app.get<{ Querystring: { authorization_endpoint?: string } }>('/common/discovery/instance', async (req, reply) => {
    let tenant = 'common';
    try {
      tenant = new URL(req.query.authorization_endpoint ?? '').pathname.split('/')[1] || 'common';
    } catch {
      // No or unparsable authorization_endpoint: answer for 'common' as Entra ID does.
    }
    return reply.send({
      tenant_discovery_endpoint: `${baseUrl(req)}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: req.host, preferred_cache: req.host, aliases: [req.host] }],
    });
  });

  const notificationConfig = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    reply.send({
      issuer: notificationIssuer,
      jwks_uri: `${baseUrl(req)}/.well-known/notification-keys`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
  // The exact case Skype publishes; the /v1 variant mirrors https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration.
  const configPaths = ['/.well-known/OpenIdConfiguration', '/v1/.well-known/OpenIdConfiguration'];
  const caseSensitive =
    app.initialConfig.caseSensitive !== false && app.initialConfig.routerOptions?.caseSensitive !== false;
  if (caseSensitive) configPaths.push('/.well-known/openidconfiguration', '/v1/.well-known/openidconfiguration');
  for (const path of configPaths) app.get(path, notificationConfig);
  app.get('/.well-known/notification-keys', async (_req, reply) =>
    reply.send(deps.notificationKeys ? { keys: await deps.notificationKeys.published() } : jwks(keys.notification)),
  );
}
