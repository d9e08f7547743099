import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, systemClock } from '../../src/domain/clock.js';
import { ClaimWaits, NotificationDispatcher, type DispatchOptionsInput } from '../../src/notify/dispatcher.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { closedPort, startReceiver, until, type Receiver, type Reply, type TestBody } from './receiver.js';

const TENANT = 'tenant-1';
const APP = 'app-1';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let store: Store;
let receivers: Receiver[];
let dispatcher: NotificationDispatcher | null;
let logs: { level: string; msg: string; data?: Record<string, unknown> }[];

beforeEach(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  receivers = [];
  dispatcher = null;
  logs = [];
});

afterEach(async () => {
  await dispatcher?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await store.close();
});

async function receiver(
  respond?: (body: TestBody, n: number) => Reply | Promise<Reply>,
  port?: number,
): Promise<Receiver> {
  const r = await startReceiver(respond && ((req, n) => respond(req.body, n)), port);
  receivers.push(r);
  return r;
}

function start(
  options: DispatchOptionsInput = {},
  clock: { now(): number } = systemClock,
  loopLagMs?: () => number,
): NotificationDispatcher {
  dispatcher = new NotificationDispatcher({
    store,
    clock,
    ...(loopLagMs ? { loopLagMs } : {}),
    sign: (appId, tenantId) => Promise.resolve(`token-${appId}-${tenantId}`),
    log: (level, msg, data) => logs.push({ level, msg, data }),
    options: {
      pollIntervalMs: 20,
      requestTimeoutMs: 1_000,
      backoff: { initialMs: 10, factor: 2, maxMs: 40 },
      ...options,
    },
  });
  dispatcher.start();
  return dispatcher;
}

/** Appends notification `n` of `callId` to the outbox, as the service does after a command. */
async function enqueue(url: string, callId: string, n: number, createdAt = Date.now()): Promise<string> {
  const messageId = `${callId}-m${n}`;
  const body = {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [{ changeType: 'updated', resourceUrl: `/communications/calls/${callId}`, n }],
  };
  await store.transact((tx) =>
    tx.appendNotifications([
      { messageId, createdAt, notification: { callId, tenantId: TENANT, appId: APP, callbackUri: url, body } },
    ]),
  );
  dispatcher?.wake();
  return messageId;
}

async function row(messageId: string) {
  const rows = await store.outbox.list({});
  const r = rows.find((x) => x.messageId === messageId);
  if (!r) throw new Error(`no outbox row ${messageId}`);
  return r;
}

const attemptsOf = async (messageId: string) => store.outbox.attempts([(await row(messageId)).seq]);

describe('NotificationDispatcher', () => {
  it('delivers with the headers Graph sends', async () => {
    const bot = await receiver();
    const d = start();
    const id = await enqueue(bot.url('/api/calls?x=1'), 'call-1', 1);
    const [req] = await bot.waitFor(1);
    expect(await d.drain()).toBe(true);
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/api/calls?x=1');
    expect(req!.headers).toMatchObject({
      authorization: `Bearer token-${APP}-${TENANT}`,
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      'user-agent': 'Microsoft-Skype/3.0,(Calling/1.0)',
      'x-microsoft-skype-chain-id': 'call-1',
      'x-microsoft-skype-message-id': id,
    });
    expect(req!.headers['scenario-id']).toMatch(GUID);
    expect(req!.headers['client-request-id']).toMatch(GUID);
    expect(req!.body.value[0]).toMatchObject({
      changeType: 'updated',
      resourceUrl: '/communications/calls/call-1',
      n: 1,
    });
    expect(await row(id)).toMatchObject({ attempts: 1, deadAt: null, lastError: null });
    expect((await row(id)).deliveredAt).not.toBeNull();
    expect(await attemptsOf(id)).toMatchObject([{ attempt: 1, statusCode: 202, error: null }]);
  });

  it('writes delivery lines only at the levels the logger writes (the line reads the body; a delivery need not)', async () => {
    const bot = await receiver();
    dispatcher = new NotificationDispatcher({
      store,
      clock: systemClock,
      sign: () => Promise.resolve('token'),
      log: (level, msg, data) => logs.push({ level, msg, data }),
      logs: (level) => level !== 'info',
      options: { pollIntervalMs: 20 },
    });
    dispatcher.start();
    const id = await enqueue(bot.url('/cb'), 'call-1', 1);
    await bot.waitFor(1);
    expect(await dispatcher.drain()).toBe(true);
    expect((await row(id)).deliveredAt).not.toBeNull();
    expect(logs).toEqual([]);
  });

  it('keeps order within a call while calls proceed in parallel', async () => {
    const calls = ['call-a', 'call-b', 'call-c', 'call-d'];
    const busy = new Map<string, number>();
    let maxPerCall = 0;
    let maxTotal = 0;
    // Deliveries inside the handler now, counted here rather than by the receiver's inFlight: this is what the test
    // is about, and the receiver's count once read 5 with at most one per call (fresh clone, npm test, loaded machine).
    let active = 0;
    let releaseFirsts!: () => void;
    const allFirstsArrived = new Promise<void>((r) => (releaseFirsts = r));
    const bot = await receiver(async (body) => {
      const call = String(body.value[0]!.resourceUrl).split('/').pop()!;
      busy.set(call, (busy.get(call) ?? 0) + 1);
      active += 1;
      maxPerCall = Math.max(maxPerCall, busy.get(call)!);
      maxTotal = Math.max(maxTotal, active);
      // Hold every call's first notification until all four are in flight together (fallback: no deadlock).
      if (active >= calls.length) releaseFirsts();
      if (body.value[0]!.n === 0) await Promise.race([allFirstsArrived, new Promise((r) => setTimeout(r, 2_000))]);
      else await new Promise((r) => setTimeout(r, 2));
      busy.set(call, busy.get(call)! - 1);
      active -= 1;
      return { status: 202 };
    });
    const d = start({ concurrency: 8 });
    // Interleaved in one transaction: a0 b0 c0 d0 a1 b1 …
    await store.transact((tx) =>
      tx.appendNotifications(
        [0, 1, 2, 3, 4].flatMap((n) =>
          calls.map((callId) => ({
            messageId: `${callId}-m${n}`,
            createdAt: Date.now(),
            notification: {
              callId,
              tenantId: TENANT,
              appId: APP,
              callbackUri: bot.url(),
              body: { value: [{ resourceUrl: `/communications/calls/${callId}`, n }] },
            },
          })),
        ),
      ),
    );
    d.wake();
    await bot.waitFor(20);
    expect(await d.drain()).toBe(true);
    for (const callId of calls) {
      const order = bot.received
        .filter((r) => r.headers['x-microsoft-skype-chain-id'] === callId)
        .map((r) => r.body.value[0]!.n);
      expect(order).toEqual([0, 1, 2, 3, 4]);
    }
    expect(maxPerCall).toBe(1);
    expect(maxTotal).toBe(calls.length);
  });

  it('measures its backlog: how long a first attempt waited to be claimed once it could be sent', async () => {
    const clock = manualClock(1_000_000);
    const bot = await receiver();
    const d = start({}, clock);
    expect(d.backlogMs()).toBe(0);
    // Committed 5 s before the dispatcher claimed it (the clock stands still while it is sent).
    await enqueue(bot.url(), 'call-a', 1, clock.now() - 5_000);
    await until(async () => (await row('call-a-m1')).deliveredAt !== null);
    expect(d.backlogMs()).toBe(5_000);
    // A measurement is current for 500 ms only.
    clock.advance(501);
    expect(d.backlogMs()).toBe(0);
    // A later notification of the same call could only be sent once the one before it finished: it waited since then.
    // (Committed as the first was claimed, so none of the first one's wait was spent with it queued behind.)
    clock.advance(1_000);
    await enqueue(bot.url(), 'call-a', 2, clock.now() - 1_501);
    await until(async () => (await row('call-a-m2')).deliveredAt !== null);
    expect(d.backlogMs()).toBe(1_501);
  });

  it('counts in its backlog the claim waits of the earlier notifications a later one was queued behind', async () => {
    const clock = manualClock(1_000_000);
    const bot = await receiver();
    // Two notifications of one call, committed 5 s and 1 s before the dispatcher starts: the second can only be sent
    // after the first, and the first waited 5 s for a claim, 1 s of it while the second was already queued.
    await enqueue(bot.url(), 'call-a', 1, clock.now() - 5_000);
    await enqueue(bot.url(), 'call-a', 2, clock.now() - 1_000);
    const d = start({}, clock);
    await until(async () => (await row('call-a-m2')).deliveredAt !== null);
    // The second was claimed the moment the first finished (the clock stands still): its own wait is 0.
    expect(d.backlogMs()).toBe(1_000);
  });

  it('does not count the time a slow bot took on the notifications a later one was queued behind', async () => {
    const clock = manualClock(1_000_000);
    // The bot takes 5 s to answer each notification (the clock moves while it holds the request).
    const bot = await receiver(() => {
      clock.advance(5_000);
      return { status: 202 };
    });
    await enqueue(bot.url(), 'call-a', 1, clock.now());
    await enqueue(bot.url(), 'call-a', 2, clock.now());
    await enqueue(bot.url(), 'call-a', 3, clock.now());
    const d = start({}, clock);
    await until(async () => (await row('call-a-m3')).deliveredAt !== null);
    // The third reached the bot 10 s after it was committed, all of it behind the bot's own answers.
    expect(d.backlogMs()).toBe(0);
  });

  it("counts as its own the part of a bot's answer time its event loop ran late", async () => {
    const clock = manualClock(1_000_000);
    const bot = await receiver(() => {
      clock.advance(500);
      return { status: 202 };
    });
    await enqueue(bot.url(), 'call-a', 1, clock.now());
    await enqueue(bot.url(), 'call-a', 2, clock.now());
    // The loop runs 300 ms late: of each 500 ms answer, up to 300 ms may be the answer waiting to be read.
    const d = start({}, clock, () => 300);
    await until(async () => (await row('call-a-m2')).deliveredAt !== null);
    expect(d.backlogMs()).toBe(300);
  });

  it('retries after a 500 with the same message id', async () => {
    const bot = await receiver((_body, n) => ({ status: n === 1 ? 500 : 202 }));
    const d = start();
    const id = await enqueue(bot.url(), 'call-1', 1);
    const [first, second] = await bot.waitFor(2);
    expect(await d.drain()).toBe(true);
    expect(first!.headers['x-microsoft-skype-message-id']).toBe(id);
    expect(second!.headers['x-microsoft-skype-message-id']).toBe(id);
    expect(second!.headers['client-request-id']).not.toBe(first!.headers['client-request-id']);
    expect(await attemptsOf(id)).toMatchObject([
      { attempt: 1, statusCode: 500, error: 'HTTP 500' },
      { attempt: 2, statusCode: 202, error: null },
    ]);
    expect(await row(id)).toMatchObject({ attempts: 2, lastError: 'HTTP 500', deadAt: null });
    expect(logs.some((l) => l.level === 'warn' && l.data?.messageId === id)).toBe(true);
  });

  it('retries a refused connection until the bot is up', async () => {
    const port = await closedPort();
    const d = start();
    const id = await enqueue(`http://127.0.0.1:${port}/api/calls`, 'call-1', 1);
    await until(
      async () => (await attemptsOf(id)).length >= 2,
      5_000,
      () => 'two refused attempts',
    );
    const bot = await receiver(undefined, port);
    await bot.waitFor(1);
    expect(await d.drain()).toBe(true);
    const attempts = await attemptsOf(id);
    expect(attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(attempts.at(-1)).toMatchObject({ statusCode: 202, error: null });
    expect((await row(id)).deliveredAt).not.toBeNull();
  });

  it('gives up on a request that does not answer in time, then retries', async () => {
    const bot = await receiver((_body, n) => (n === 1 ? new Promise<Reply>(() => undefined) : { status: 200 }));
    const d = start({ requestTimeoutMs: 100 });
    const id = await enqueue(bot.url(), 'call-1', 1);
    await bot.waitFor(2);
    expect(await d.drain()).toBe(true);
    expect(await attemptsOf(id)).toMatchObject([
      { attempt: 1, statusCode: null, error: 'timeout after 100 ms' },
      { attempt: 2, statusCode: 200, error: null },
    ]);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    const clock = manualClock();
    const bot = await receiver((_body, n) =>
      n === 1 ? { status: 429, headers: { 'Retry-After': '120' } } : { status: 202 },
    );
    const d = start({}, clock);
    const id = await enqueue(bot.url(), 'call-1', 1, clock.now());
    await until(async () => (await row(id)).attempts === 1);
    // The clock is frozen: the retry is due exactly Retry-After from the failure, not after the 10 ms backoff.
    expect(await row(id)).toMatchObject({ nextAttemptAt: clock.now() + 120_000, lastError: 'HTTP 429' });
    expect(await d.drain()).toBe(true);
    expect(bot.received).toHaveLength(1);
    clock.advance(120_000);
    d.wake();
    await bot.waitFor(2);
    expect(await d.drain()).toBe(true);
    expect((await row(id)).deliveredAt).toBe(clock.now());
  });

  it('dead-letters a notification older than maxAge, keeps it, and moves the call on', async () => {
    const clock = manualClock();
    const bot = await receiver((body) => ({ status: body.value[0]!.n === 1 ? 500 : 202 }));
    const d = start({ maxAgeMs: 60_000, backoff: { initialMs: 1_000 } }, clock);
    const first = await enqueue(bot.url(), 'call-1', 1, clock.now());
    const second = await enqueue(bot.url(), 'call-1', 2, clock.now());
    await until(async () => (await row(first)).attempts === 1);
    expect((await row(first)).nextAttemptAt).toBe(clock.now() + 1_000);
    clock.advance(60_001);
    d.wake();
    await until(async () => (await row(second)).deliveredAt !== null);
    expect(await row(first)).toMatchObject({
      attempts: 2,
      deadAt: clock.now(),
      deliveredAt: null,
      lastError: 'HTTP 500',
    });
    expect(bot.received.map((r) => r.headers['x-microsoft-skype-message-id'])).toEqual([first, first, second]);
    expect(await store.outbox.list({ callId: 'call-1' })).toHaveLength(2);
    expect(logs.some((l) => l.level === 'error' && /dead-lettered/.test(l.msg))).toBe(true);
  });

  it('does not send a notification twice when the clock jumps past the lease of a delivery still in flight', async () => {
    const clock = manualClock();
    let release!: () => void;
    const held = new Promise<Reply>((r) => (release = () => r({ status: 202 })));
    const bot = await receiver((_body, n) => (n === 1 ? held : { status: 202 }));
    const d = start({ requestTimeoutMs: 60_000 }, clock);
    const id = await enqueue(bot.url(), 'call-1', 1, clock.now());
    await bot.waitFor(1);
    // The lease (request timeout + 5 s) lapses in clock time while the POST is still open.
    clock.advance(120_000);
    d.wake();
    await new Promise((r) => setTimeout(r, 100));
    expect(bot.received).toHaveLength(1);
    release();
    await until(async () => (await row(id)).deliveredAt !== null);
    expect(await d.drain()).toBe(true);
    expect(bot.received).toHaveLength(1);
    expect(await attemptsOf(id)).toHaveLength(1);
  });

  it('stop() waits for deliveries in flight and claims nothing more', async () => {
    let release!: () => void;
    const held = new Promise<Reply>((r) => (release = () => r({ status: 202 })));
    const bot = await receiver((_body, n) => (n === 1 ? held : { status: 202 }));
    const d = start();
    const id = await enqueue(bot.url(), 'call-1', 1);
    await bot.waitFor(1);
    let stopped = false;
    const stopping = d.stop().then(() => (stopped = true));
    await enqueue(bot.url(), 'call-2', 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect((await row(id)).deliveredAt).not.toBeNull();
    expect(d.inFlight).toBe(0);
    expect(bot.received).toHaveLength(1);
  });

  it('logs a failing store and keeps going', async () => {
    const bot = await receiver();
    const claimDue = store.outbox.claimDue.bind(store.outbox);
    let failures = 1;
    store.outbox.claimDue = (...args) =>
      failures-- > 0 ? Promise.reject(new Error('disk on fire')) : claimDue(...args);
    const d = start();
    const id = await enqueue(bot.url(), 'call-1', 1);
    await bot.waitFor(1);
    expect(await d.drain()).toBe(true);
    expect((await row(id)).deliveredAt).not.toBeNull();
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', data: { error: 'disk on fire' } }));
  });
});

describe("ClaimWaits (one call's claim waits, for the backlog)", () => {
  it('sums the waits of claims since a moment, only the part of the first one after it', () => {
    const w = new ClaimWaits();
    w.add(1_000, 400); // waiting from 600 to 1,000
    w.add(2_000, 300); // from 1,700
    w.add(3_000, 0);
    expect(w.since(0)).toBe(700);
    expect(w.since(800)).toBe(200 + 300);
    expect(w.since(1_000)).toBe(300);
    expect(w.since(1_900)).toBe(100);
    expect(w.since(3_001)).toBe(0);
    expect(w.lastAt).toBe(3_000);
  });

  it('forgets waits older than a minute and beyond 512 claims, keeping the sums of the rest', () => {
    const w = new ClaimWaits();
    w.add(0, 1_000);
    w.add(61_000, 5);
    // The first claim is forgotten: a notification queued before it is not told about it.
    expect(w.since(-5_000)).toBe(5);
    for (let i = 1; i <= 600; i++) w.add(61_000 + i, 1);
    expect(w.since(0)).toBe(512);
    expect(w.since(61_599)).toBe(1);
  });
});
