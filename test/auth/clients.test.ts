// The official token clients against a real https server; needs tls-global-setup (NODE_EXTRA_CA_CERTS at spawn).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';
import fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys } from '../../src/auth/keys.js';
import { authRoutes } from '../../src/auth/routes.js';
import { TokenService } from '../../src/auth/tokens.js';
import { Directory } from '../../src/sim/directory.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID, defaultWorld } from '../../src/sim/default-world.js';

const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';

let app: FastifyInstance;
let tokens: TokenService;
let origin: string;
const requests: string[] = [];

beforeAll(async () => {
  const dir = process.env.SWITCHBOARD_TEST_TLS_DIR;
  if (!dir || !process.env.NODE_EXTRA_CA_CERTS)
    throw new Error('test/helpers/tls-global-setup.ts did not run (vitest.config.ts globalSetup)');
  const [cert, key] = await Promise.all([
    readFile(join(dir, 'server.pem'), 'utf8'),
    readFile(join(dir, 'server-key.pem'), 'utf8'),
  ]);
  const directory = new Directory(defaultWorld());
  const keys = await loadOrCreateSigningKeys(null);
  tokens = new TokenService({ keys, directory, clock: { now: () => Date.now() } });
  app = fastify({ https: { cert, key } });
  app.addHook('onRequest', (req, _reply, done) => {
    requests.push(`${req.method} ${req.url.split('?')[0]}`);
    done();
  });
  authRoutes(app, { tokens, directory, keys, notificationIssuer: 'https://api.botframework.com' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  origin = `127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => {
  requests.length = 0;
});

const msal = (secret: string): ConfidentialClientApplication =>
  new ConfidentialClientApplication({
    auth: {
      clientId: DEFAULT_APP_ID,
      clientSecret: secret,
      authority: `https://${origin}/${DEFAULT_TENANT_ID}`,
      knownAuthorities: [origin],
    },
  });

const identity = (secret: string): ClientSecretCredential =>
  new ClientSecretCredential(DEFAULT_TENANT_ID, DEFAULT_APP_ID, secret, {
    authorityHost: `https://${origin}`,
    disableInstanceDiscovery: true,
  });

describe('@azure/msal-node 7', () => {
  it('obtains a Graph token by client credentials that TokenService accepts', async () => {
    const result = await msal(DEFAULT_APP_SECRET).acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] });
    expect(result?.tokenType).toBe('Bearer');
    const principal = await tokens.verify(`Bearer ${result!.accessToken}`);
    expect(principal).toMatchObject({ tenantId: DEFAULT_TENANT_ID, appId: DEFAULT_APP_ID });
    expect(principal.roles).toContain('Calls.InitiateGroupCall.All');
    expect(requests).toEqual([
      `GET /${DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      `POST /${DEFAULT_TENANT_ID}/oauth2/v2.0/token`,
    ]);
  });

  it('surfaces the AAD error for a wrong secret', async () => {
    await expect(msal('wrong').acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).rejects.toMatchObject({
      errorCode: 'invalid_client',
      errorMessage: expect.stringContaining('AADSTS7000215'),
    });
  });
});

describe('@azure/identity 4', () => {
  it('obtains a Graph token with ClientSecretCredential that TokenService accepts', async () => {
    const token = await identity(DEFAULT_APP_SECRET).getToken(GRAPH_DEFAULT);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 50 * 60_000);
    const principal = await tokens.verify(`Bearer ${token.token}`);
    expect(principal).toMatchObject({ tenantId: DEFAULT_TENANT_ID, appId: DEFAULT_APP_ID });
    expect(requests).toContain(`POST /${DEFAULT_TENANT_ID}/oauth2/v2.0/token`);
  });

  it('rejects a wrong secret with the AAD code in the message', async () => {
    await expect(identity('wrong').getToken(GRAPH_DEFAULT)).rejects.toThrow(/AADSTS7000215/);
  });
});
