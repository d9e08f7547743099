/**
 * Guarantee 4, token endpoint: a wrong secret is refused in the AAD shape (invalid_client, AADSTS7000215) after a
 * constant-time comparison (timingSafeEqual on equal-length SHA-256 digests, whatever the lengths given), and each
 * client is rate-limited (429 in the AAD shape with Retry-After), wrong secrets included.
 */
import * as crypto from 'node:crypto';
import fastify from 'fastify';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../src/auth/keys.js';
import { RateLimiter } from '../../src/auth/rate-limit.js';
import { authRoutes } from '../../src/auth/routes.js';
import { TokenService } from '../../src/auth/tokens.js';
import { Directory, type World } from '../../src/sim/directory.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID, defaultWorld } from '../../src/sim/default-world.js';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const SECOND_APP = { id: 'cccccccc-0000-4000-8000-000000000003', secret: 'second-secret' };
const good = { client_id: DEFAULT_APP_ID, client_secret: DEFAULT_APP_SECRET, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' };

let keys: SigningKeys;
let directory: Directory;

beforeAll(async () => {
  keys = await loadOrCreateSigningKeys(null);
  const w: World = defaultWorld();
  w.tenants[0]!.apps.push({ id: SECOND_APP.id, displayName: 'Second bot', secret: SECOND_APP.secret, roles: [], callbackUri: null, instances: [] });
  directory = new Directory(w);
});
afterEach(() => {
  vi.mocked(crypto.timingSafeEqual).mockClear();
});

function build(limit: { requests: number; windowMs: number } | null, clock = { now: () => Date.now() }) {
  const app = fastify();
  const tokens = new TokenService({ keys, directory, clock });
  authRoutes(app, { tokens, directory, keys, notificationIssuer: 'https://api.botframework.com', tokenLimiter: limit ? new RateLimiter(limit, clock) : null });
  const post = (fields: Record<string, string>) =>
    app.inject({ method: 'POST', url: `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
  return { app, post };
}

describe('client secret comparison', () => {
  it.each([
    ['a wrong secret of the same length', DEFAULT_APP_SECRET.replace(/.$/, 'X')],
    ['a short wrong secret', 'x'],
    ['a long wrong secret', 'x'.repeat(10_000)],
  ])('%s: invalid_client AADSTS7000215 after timingSafeEqual on two 32-byte digests', async (_name, secret) => {
    const { post } = build(null);
    const res = await post({ ...good, client_secret: secret });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(res.json().error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    const calls = vi.mocked(crypto.timingSafeEqual).mock.calls;
    expect(calls).toHaveLength(1);
    const [a, b] = calls[0]! as [Uint8Array, Uint8Array];
    expect([a.byteLength, b.byteLength]).toEqual([32, 32]);
  });

  it('the right secret goes through the same comparison', async () => {
    const { post } = build(null);
    expect((await post(good)).statusCode).toBe(200);
    expect(vi.mocked(crypto.timingSafeEqual)).toHaveBeenCalledTimes(1);
  });
});

describe('token endpoint rate limit per client', () => {
  it('answers 429 in the AAD shape with Retry-After once a client used its window, wrong secrets included', async () => {
    let t = 5_000_000;
    const clock = { now: () => t };
    const { post } = build({ requests: 3, windowMs: 60_000 }, clock);
    for (let i = 0; i < 3; i++) expect((await post({ ...good, client_secret: `guess-${i}` })).statusCode).toBe(401);
    t += 15_000;
    const limited = await post(good);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('45');
    const body = limited.json();
    expect(body).toMatchObject({ error: 'temporarily_unavailable', error_codes: [90055] });
    expect(body.error_description).toMatch(/^AADSTS90055: Too many token requests for application '0efc74f7-41c3-47a4-8775-7259bfef4241'/);
    expect(body).not.toHaveProperty('access_token');
    // No secret is compared while the client is limited, so guessing gains nothing.
    expect((await post({ ...good, client_secret: 'guess-4' })).statusCode).toBe(429);

    // Another client has its own window.
    expect((await post({ ...good, client_id: SECOND_APP.id, client_secret: SECOND_APP.secret })).statusCode).toBe(200);
    t += 45_000;
    expect((await post(good)).statusCode).toBe(200);
  });
});
