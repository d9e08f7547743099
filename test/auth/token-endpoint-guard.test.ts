/**
 * Guarantee 4, token endpoint: a wrong secret is refused in the AAD shape (invalid_client, AADSTS7000215) after a
 * constant-time comparison (timingSafeEqual on equal-length SHA-256 digests, whatever the lengths given); wrong
 * secrets lock their source out (AADSTS50053, smart lockout) without locking out the right secret, and the number
 * compared per client stays bounded; tokens issued per client are rate-limited (429 in the AAD shape).
 */
import * as crypto from 'node:crypto';
import fastify from 'fastify';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../src/auth/keys.js';
import { MAX_FAMILIAR, SecretLockout, type LockoutPolicy } from '../../src/auth/lockout.js';
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
const good = {
  client_id: DEFAULT_APP_ID,
  client_secret: DEFAULT_APP_SECRET,
  scope: 'https://graph.microsoft.com/.default',
  grant_type: 'client_credentials',
};

let keys: SigningKeys;
let directory: Directory;

beforeAll(async () => {
  keys = await loadOrCreateSigningKeys(null);
  const w: World = defaultWorld();
  w.tenants[0]!.apps.push({
    id: SECOND_APP.id,
    displayName: 'Second bot',
    secret: SECOND_APP.secret,
    roles: [],
    callbackUri: null,
    instances: [],
  });
  directory = new Directory(w);
});
afterEach(() => {
  vi.mocked(crypto.timingSafeEqual).mockClear();
});

const BOT = '127.0.0.1';
const ATTACKER = '203.0.113.7';

function build(
  limit: { requests: number; windowMs: number } | null,
  clock = { now: () => Date.now() },
  lockout: LockoutPolicy | null = null,
) {
  const app = fastify();
  const tokens = new TokenService({ keys, directory, clock });
  authRoutes(app, {
    tokens,
    directory,
    keys,
    notificationIssuer: 'https://api.botframework.com',
    tokenLimiter: limit ? new RateLimiter(limit, clock) : null,
    lockout: lockout ? new SecretLockout(lockout, clock) : null,
  });
  const post = (fields: Record<string, string>, from = BOT) =>
    app.inject({
      method: 'POST',
      url: `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`,
      remoteAddress: from,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  return { app, post };
}

const compared = (): number => vi.mocked(crypto.timingSafeEqual).mock.calls.length;

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

describe('smart lockout: wrong secrets lock their source, never the right secret', () => {
  const policy: LockoutPolicy = { perSource: 10, perClient: 100, windowMs: 60_000 };

  it('200 wrong secrets from one address, then the right secret from the bot: a token; the attacker stays refused', async () => {
    let t = 7_000_000;
    const { post } = build({ requests: 200, windowMs: 60_000 }, { now: () => t }, policy);
    const answers: number[] = [];
    for (let i = 0; i < 200; i++)
      answers.push((await post({ ...good, client_secret: `guess-${i}` }, ATTACKER)).statusCode);
    // The first 10 were compared (401); the other 190 were refused before any comparison.
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(answers.slice(10)).toEqual(Array(190).fill(400));
    expect(compared()).toBe(10);

    const bot = await post(good, BOT);
    expect(bot.statusCode, bot.body).toBe(200);
    expect(bot.json()).toHaveProperty('access_token');

    const locked = await post({ ...good, client_secret: 'guess-201' }, ATTACKER);
    expect(locked.statusCode).toBe(400);
    const body = locked.json();
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [50053] });
    expect(body.error_description).toMatch(
      new RegExp(
        `^AADSTS50053: The application '${DEFAULT_APP_ID}' is locked for requests from ${ATTACKER.replace(/\./g, '\\.')} because too many wrong client secrets were sent; try again in 60 s\\.`,
      ),
    );
    expect(body).not.toHaveProperty('access_token');
    // Even the right secret from the locked address is not compared: guessing from it gains nothing.
    expect((await post(good, ATTACKER)).statusCode).toBe(400);
    expect(compared()).toBe(11);

    // The lock ends with the window: the address's secrets are compared again.
    t += 60_000;
    expect((await post({ ...good, client_secret: 'guess-202' }, ATTACKER)).statusCode).toBe(401);
    expect((await post(good, ATTACKER)).statusCode).toBe(200);
  });

  it('many addresses together are capped per client; the bot, known from an earlier token, still gets one', async () => {
    let t = 9_000_000;
    const { post } = build(null, { now: () => t }, policy);
    expect((await post(good, BOT)).statusCode).toBe(200);
    const before = compared();
    const statuses = new Map<number, number>();
    // 30 addresses × 10 guesses: each stays under its own limit, but together they use up the client's pool.
    for (let a = 0; a < 30; a++) {
      for (let i = 0; i < 10; i++) {
        const status = (await post({ ...good, client_secret: `guess-${a}-${i}` }, `198.51.100.${a + 1}`)).statusCode;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }
    expect(compared() - before).toBe(policy.perClient);
    expect(Object.fromEntries(statuses)).toEqual({ 401: 100, 400: 200 });
    // The bot's address is familiar: its own counter, not the exhausted pool.
    expect((await post(good, BOT)).statusCode).toBe(200);
    // A wrong secret from the bot's address counts against that address alone.
    for (let i = 0; i < policy.perSource; i++)
      expect((await post({ ...good, client_secret: `typo-${i}` }, BOT)).statusCode).toBe(401);
    expect((await post(good, BOT)).statusCode).toBe(400);
    // An address never seen before is refused while the pool is used up, without comparison.
    const n = compared();
    expect((await post(good, '192.0.2.99')).statusCode).toBe(400);
    expect(compared()).toBe(n);
    // Another client has its own pool.
    expect(
      (await post({ ...good, client_id: SECOND_APP.id, client_secret: SECOND_APP.secret }, '192.0.2.99')).statusCode,
    ).toBe(200);
    t += 60_000;
    expect((await post(good, '192.0.2.99')).statusCode).toBe(200);
  });

  it('the secrets compared per client per window stay under perClient + MAX_FAMILIAR × perSource', async () => {
    const t = 11_000_000;
    const { post } = build(null, { now: () => t }, policy);
    // The worst case: MAX_FAMILIAR addresses that got a token, all guessing, plus many unfamiliar ones.
    const familiar = Array.from({ length: MAX_FAMILIAR + 2 }, (_v, i) => `10.0.0.${i + 1}`);
    for (const from of familiar) expect((await post(good, from)).statusCode).toBe(200);
    const before = compared();
    for (const from of [...familiar, ...Array.from({ length: 40 }, (_v, i) => `10.1.0.${i + 1}`)]) {
      for (let i = 0; i < 15; i++) await post({ ...good, client_secret: `g-${from}-${i}` }, from);
    }
    expect(compared() - before).toBe(policy.perClient + MAX_FAMILIAR * policy.perSource);
  });
});

describe('token endpoint rate limit per client', () => {
  it('counts tokens issued: wrong secrets do not use up the allowance; past it, 429 in the AAD shape with Retry-After', async () => {
    let t = 5_000_000;
    const clock = { now: () => t };
    const { post } = build({ requests: 3, windowMs: 60_000 }, clock, {
      perSource: 10,
      perClient: 100,
      windowMs: 60_000,
    });
    for (let i = 0; i < 5; i++)
      expect((await post({ ...good, client_secret: `guess-${i}` }, ATTACKER)).statusCode).toBe(401);
    for (let i = 0; i < 3; i++) expect((await post(good)).statusCode).toBe(200);
    t += 15_000;
    const limited = await post(good);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('45');
    const body = limited.json();
    expect(body).toMatchObject({ error: 'temporarily_unavailable', error_codes: [90055] });
    expect(body.error_description).toMatch(
      /^AADSTS90055: Too many token requests for application '0efc74f7-41c3-47a4-8775-7259bfef4241'/,
    );
    expect(body).not.toHaveProperty('access_token');

    // Another client has its own window.
    expect((await post({ ...good, client_id: SECOND_APP.id, client_secret: SECOND_APP.secret })).statusCode).toBe(200);
    t += 45_000;
    expect((await post(good)).statusCode).toBe(200);
  });
});
