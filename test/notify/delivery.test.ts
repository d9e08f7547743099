import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseRetryAfter, postInProcess, postRequestOf, type Post } from '../../src/notify/delivery.js';
import { DeliveryThread } from '../../src/notify/delivery-thread.js';
import { backoffMs, nextAttemptAt, resolveDispatchOptions } from '../../src/notify/retry-policy.js';
import { closedPort, startReceiver, type Receiver } from './receiver.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

const row = (callbackUri: string) => ({
  callId: 'call-1',
  messageId: 'msg-1',
  callbackUri,
  body: { value: [] as unknown[] },
});

const thread = new DeliveryThread();
afterAll(() => thread.close());

// The same sending code on this thread and on the delivery thread (which runs it from its source text).
describe.each<[string, Post]>([
  ['on this thread', postInProcess],
  ['on the delivery thread', thread.post],
])('a notification POST %s', (_where, post) => {
  const postNotification = (r: ReturnType<typeof row>, token: string, timeoutMs: number) =>
    post(postRequestOf(r, token, timeoutMs));

  it("sends the stored body with Graph's headers", async () => {
    const bot = await receiver();
    const r = { ...row(bot.url()), body: { value: [{ changeType: 'updated' }] } };
    expect(await postNotification(r, 'tok', 1_000)).toEqual({ statusCode: 202, error: null, retryAfterMs: null });
    const got = bot.received[0]!;
    expect(got.body).toEqual({ value: [{ changeType: 'updated' }] });
    expect(got.headers).toMatchObject({
      authorization: 'Bearer tok',
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Microsoft-Skype/3.0,(Calling/1.0)',
      'x-microsoft-skype-chain-id': 'call-1',
      'x-microsoft-skype-message-id': 'msg-1',
    });
    expect(got.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends a body the store kept as UTF-8 bytes byte for byte, non-ASCII included', async () => {
    const bot = await receiver();
    const text = '{"value":[{"changeType":"updated","displayName":"Zoë Ångström 通話"}]}';
    const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
    const result = await post({ ...postRequestOf(row(bot.url()), 'tok', 1_000), body: bytes });
    expect(result).toEqual({ statusCode: 202, error: null, retryAfterMs: null });
    const got = bot.received[0]!;
    expect(got.body).toEqual(JSON.parse(text));
    expect(got.headers['content-length']).toBe(String(bytes.byteLength));
  });

  it('gives up on a bot that does not answer in time', async () => {
    const bot = await receiver(() => new Promise(() => undefined));
    expect(await postNotification(row(bot.url()), 'tok', 100)).toEqual({
      statusCode: null,
      error: 'timeout after 100 ms',
      retryAfterMs: null,
    });
  });

  it('follows one 302 to the other deployment with the same message id', async () => {
    const other = await receiver();
    const first = await receiver(() => ({ status: 302, headers: { Location: other.url('/region2/api/calls') } }));
    const result = await postNotification(row(first.url()), 'tok', 1_000);
    expect(result).toEqual({ statusCode: 202, error: null, retryAfterMs: null });
    expect(other.received[0]!.path).toBe('/region2/api/calls');
    expect(other.received[0]!.headers['x-microsoft-skype-message-id']).toBe('msg-1');
    expect(other.received[0]!.headers.authorization).toBe('Bearer tok');
  });

  it('does not follow a second redirect', async () => {
    const loop: Receiver = await receiver(() => ({ status: 307, headers: { Location: loop.url('/again') } }));
    const result = await postNotification(row(loop.url()), 'tok', 1_000);
    expect(result).toEqual({ statusCode: 307, error: 'HTTP 307', retryAfterMs: null });
    expect(loop.received).toHaveLength(2);
  });

  it('treats any 2xx as delivered and discards a large body', async () => {
    const bot = await receiver(() => ({ status: 200, body: 'x'.repeat(1024 * 1024) }));
    expect(await postNotification(row(bot.url()), 'tok', 1_000)).toEqual({
      statusCode: 200,
      error: null,
      retryAfterMs: null,
    });
    // The connection is still usable for the next notification.
    expect(await postNotification(row(bot.url()), 'tok', 1_000)).toMatchObject({ statusCode: 200 });
  });

  it('reports Retry-After on 429 and 503 only', async () => {
    const bot = await receiver((_r, n) => ({ status: [429, 503, 500][n - 1] ?? 500, headers: { 'Retry-After': '7' } }));
    expect(await postNotification(row(bot.url()), 'tok', 1_000)).toEqual({
      statusCode: 429,
      error: 'HTTP 429',
      retryAfterMs: 7_000,
    });
    expect(await postNotification(row(bot.url()), 'tok', 1_000)).toMatchObject({
      statusCode: 503,
      retryAfterMs: 7_000,
    });
    expect(await postNotification(row(bot.url()), 'tok', 1_000)).toMatchObject({ statusCode: 500, retryAfterMs: null });
  });

  it('turns refused connections and bad callback URLs into results', async () => {
    const port = await closedPort();
    expect(await postNotification(row(`http://127.0.0.1:${port}/`), 'tok', 1_000)).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(await postNotification(row('ftp://bot.example/'), 'tok', 1_000)).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/protocol/),
    });
    expect(await postNotification(row('not a url'), 'tok', 1_000)).toMatchObject({
      statusCode: null,
      error: expect.any(String),
    });
  });
});

describe('retry policy', () => {
  const o = resolveDispatchOptions({ maxAgeMs: 10_000, backoff: { initialMs: 100, factor: 2, maxMs: 1_000 } });

  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(o.backoff, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('lets a longer Retry-After win and dead-letters past maxAge', () => {
    expect(nextAttemptAt(o, { createdAt: 0 }, 1, 50, null)).toBe(150);
    expect(nextAttemptAt(o, { createdAt: 0 }, 1, 50, 5_000)).toBe(5_050);
    expect(nextAttemptAt(o, { createdAt: 0 }, 3, 50, 10)).toBe(450);
    expect(nextAttemptAt(o, { createdAt: 0 }, 9, 10_000, null)).toBe(11_000);
    expect(nextAttemptAt(o, { createdAt: 0 }, 9, 10_001, null)).toBeNull();
  });

  it('counts the dead-letter horizon of a redelivered notification from its redelivery', () => {
    // Written at 0, dead-lettered, redelivered at 50_000: failing again at 55_000 is retried, not dead at once.
    expect(nextAttemptAt(o, { createdAt: 0, requeuedAt: 50_000 }, 1_450, 55_000, null)).toBe(56_000);
    expect(nextAttemptAt(o, { createdAt: 0, requeuedAt: 50_000 }, 1_450, 60_001, null)).toBeNull();
    expect(nextAttemptAt(o, { createdAt: 0, requeuedAt: null }, 1, 10_001, null)).toBeNull();
  });

  it('derives the lease from the request timeout and rejects nonsense', () => {
    expect(resolveDispatchOptions({ requestTimeoutMs: 2_000 }).leaseMs).toBe(7_000);
    expect(resolveDispatchOptions().backoff).toEqual({ initialMs: 1_000, factor: 2, maxMs: 60_000 });
    expect(() => resolveDispatchOptions({ concurrency: 0 })).toThrow(RangeError);
    expect(() => resolveDispatchOptions({ requestTimeoutMs: 5_000, leaseMs: 5_000 })).toThrow(RangeError);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
