/**
 * Guarantee 2, delivery: for 60 s of virtual time the bot's callback refuses connections, then answers slowly (5 s),
 * then 500, then 429 with Retry-After. When it recovers every notification is delivered, at least once, in per-call
 * order, each with the same X-Microsoft-Skype-Message-ID on every attempt. Past the maximum age a notification is
 * dead-lettered: kept and listed by the control API, never deleted by retention; only a purge deletes it.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TENANT_ID } from '../../src/sim/default-world.js';
import { DEFAULT_DISPATCH_OPTIONS } from '../../src/notify/retry-policy.js';
import type { Config } from '../../src/config.js';
import { startFakeBot, type FakeBot } from '../helpers/fake-bot.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

const CALLS = 4;
const INVITES_PER_CALL = 4;
// Longer than the backoff at that point, so the Retry-After is what decides the next attempt.
const RETRY_AFTER_S = 40;

interface Attempt {
  attempt: number;
  startedDateTime: string;
  statusCode: number | null;
  error: string | null;
}
interface Row {
  sequence: number;
  messageId: string;
  callId: string;
  status: string;
  attempts: Attempt[];
  body: unknown;
}

/** A loopback port nothing listens on (connections are refused) until a bot is started on it. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * A loopback port this test holds, resetting every connection: a callback that always fails. A port that is only
 * free (freePort) can be taken by another test's server while the test runs; the retention test's dead call once had
 * its notifications answered 2xx that way (fresh clone, npm test) instead of dead-lettered.
 */
async function resettingPort(): Promise<{ port: number; close(): Promise<void> }> {
  const srv = createServer((socket) => socket.destroy());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  return { port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('delivery through a failing callback', () => {
  const open: { server?: TestServer; bot?: FakeBot; dead?: { close(): Promise<void> } }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.server?.close();
      await o.bot?.close();
      await o.dead?.close();
    }
  });

  async function start(
    callbackUri: string,
    config: Partial<Config> = {},
  ): Promise<{
    server: TestServer;
    notifications(): Promise<Row[]>;
    advance(ms: number): Promise<void>;
    auth: Record<string, string>;
  }> {
    // This file tests the delivery guarantee, not call lifecycles: calls outlive a failing callback (spec 9.10 off).
    const server = await startTestServer(
      fastWorld(callbackUri, (w) => void (w.endCallOnCallbackFailure = false)),
      { virtual: true, config },
    );
    open.push({ server });
    const auth = { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' };
    return {
      server,
      auth,
      notifications: async () =>
        ((await (await fetch(`${server.httpUrl}/_switchboard/notifications?limit=10000`)).json()) as { value: Row[] })
          .value,
      advance: async (ms) => {
        const res = await fetch(`${server.httpUrl}/_switchboard/clock/advance`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ms }),
        });
        expect(res.status, await res.text()).toBe(200);
      },
    };
  }

  it('delivers every notification after 60 s of refused, slow, 500 and 429 answers: in order, at least once, one message id per notification', async () => {
    const port = await freePort();
    const callbackUri = `http://127.0.0.1:${port}/api/calls`;
    const s = await start(callbackUri);
    const base = s.server.httpUrl;

    // One new call (and its invites) at the start of each 15 s phase, so each phase meets a fresh head of a queue;
    // every notification queues behind its call's head.
    const users = s.server.sb.directory.world.tenants[0]!.users.slice(0, INVITES_PER_CALL);
    const callIds: string[] = [];
    const newCallWithInvites = async (k: number): Promise<void> => {
      const res = await fetch(`${base}/v1.0/communications/calls`, {
        method: 'POST',
        headers: s.auth,
        body: JSON.stringify({
          callbackUri,
          requestedModalities: ['audio'],
          mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
          chatInfo: { threadId: `19:chaos-delivery-${k}@thread.v2`, messageId: '0' },
          tenantId: DEFAULT_TENANT_ID,
        }),
      });
      expect(res.status).toBe(201);
      const callId = ((await res.json()) as { id: string }).id;
      callIds.push(callId);
      await s.advance(100);
      for (const u of users) {
        const invited = await fetch(`${base}/v1.0/communications/calls/${callId}/participants/invite`, {
          method: 'POST',
          headers: s.auth,
          body: JSON.stringify({ participants: [{ identity: { user: { id: u.id } } }] }),
        });
        expect(invited.status, await invited.text()).toBe(200);
      }
    };
    const phaseOf15s = async (k: number): Promise<void> => {
      await newCallWithInvites(k);
      for (let t = 0; t < 15; t++) await s.advance(1_000);
    };

    // 0–15 s: connection refused (nothing listens on the callback's port).
    await phaseOf15s(0);
    // 15–30 s: the bot is up but slow: the first delivery of each call is answered after 5 s (real time, while the
    // virtual clock moves past the delivery's lease), the others 500; 30–45 s: 500; 45–60 s: 429 with Retry-After.
    let phase: 'slow' | '500' | '429' | 'ok' = 'slow';
    const slowAnswered = new Set<string>();
    const bot = await startFakeBot({
      port,
      respond: async (req) => {
        const chain = req.headers['x-microsoft-skype-chain-id'] as string;
        if (phase === 'slow' && !slowAnswered.has(chain)) {
          slowAnswered.add(chain);
          await sleep(5_000);
          return 202;
        }
        return phase === 'ok' ? 202 : phase === '429' ? 429 : 500;
      },
      headers: (status): Record<string, string> => (status === 429 ? { 'retry-after': String(RETRY_AFTER_S) } : {}),
    });
    open.push({ bot });
    await phaseOf15s(1);
    phase = '500';
    await phaseOf15s(2);
    phase = '429';
    await phaseOf15s(3);

    // Recovery: the bot answers 202; the longest backoff (maxMs) is the most any notification waits.
    phase = 'ok';
    const beforeRecovery = new Set(
      bot.notifications.filter((n) => n.status >= 200 && n.status < 300).map((n) => n.messageId),
    );
    await s.advance(DEFAULT_DISPATCH_OPTIONS.backoff.maxMs + RETRY_AFTER_S * 1000);
    for (let i = 0; i < 10 && (await s.notifications()).some((r) => r.status !== 'delivered'); i++)
      await s.advance(DEFAULT_DISPATCH_OPTIONS.backoff.maxMs);
    const rows = await s.notifications();

    // Every notification delivered, and the bot accepted each one.
    expect(rows.filter((r) => r.status !== 'delivered').map((r) => `${r.sequence} ${r.status}`)).toEqual([]);
    const accepted = bot.notifications.filter((n) => n.status >= 200 && n.status < 300);
    const acceptedIds = new Set(accepted.map((n) => n.messageId));
    expect(rows.filter((r) => !acceptedIds.has(r.messageId)).map((r) => r.sequence)).toEqual([]);
    // Every failure mode was met on the way.
    const all = rows.flatMap((r) => r.attempts);
    expect(all.some((a) => a.statusCode === null && /ECONNREFUSED/.test(a.error ?? ''))).toBe(true);
    expect(all.some((a) => a.statusCode === 500)).toBe(true);
    expect(all.some((a) => a.statusCode === 429)).toBe(true);
    expect(slowAnswered.size).toBeGreaterThan(0);
    // The same message id on every attempt of one notification: each distinct body arrived under one id only.
    const idsByBody = new Map<string, Set<string>>();
    for (const n of bot.notifications) {
      if (n.index !== 0) continue;
      const key = JSON.stringify(n.body);
      idsByBody.set(key, (idsByBody.get(key) ?? new Set()).add(n.messageId!));
    }
    expect([...idsByBody.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    // Retry-After honoured: after a 429 the next attempt came no sooner than it asked.
    for (const r of rows) {
      r.attempts.forEach((a, i) => {
        const next = r.attempts[i + 1];
        if (a.statusCode === 429 && next)
          expect(Date.parse(next.startedDateTime) - Date.parse(a.startedDateTime)).toBeGreaterThanOrEqual(
            RETRY_AFTER_S * 1000,
          );
      });
    }
    // Per call, the bot first accepted the notifications in the order they were written.
    for (const callId of new Set(rows.map((r) => r.callId))) {
      const written = rows
        .filter((r) => r.callId === callId)
        .sort((a, b) => a.sequence - b.sequence)
        .map((r) => r.messageId);
      const firstAccepted = [
        ...new Set(
          accepted
            .filter((n) => n.headers['x-microsoft-skype-chain-id'] === callId && n.index === 0)
            .map((n) => n.messageId!),
        ),
      ];
      expect(firstAccepted, `order of call ${callId}`).toEqual(written);
    }
    expect(bot.problems).toEqual([]);
    const afterRecovery = rows.filter((r) => !beforeRecovery.has(r.messageId)).length;
    console.log(
      `[chaos] delivery: ${rows.length} notifications over ${CALLS} calls; ${all.length} attempts (` +
        `${all.filter((a) => a.statusCode === null).length} refused, ${all.filter((a) => a.statusCode === 500).length}×500, ${all.filter((a) => a.statusCode === 429).length}×429, ` +
        `${all.filter((a) => a.statusCode !== null && a.statusCode < 300).length}×2xx); ${beforeRecovery.size} delivered during the 60 s (the slow answers), ${afterRecovery} after recovery, all in per-call order`,
    );
  }, 60_000);

  it('dead-letters a notification still failing after the maximum age: kept and listed, never deleted', async () => {
    const port = await freePort();
    const s = await start(`http://127.0.0.1:${port}/api/calls`);
    const res = await fetch(`${s.server.httpUrl}/v1.0/communications/calls`, {
      method: 'POST',
      headers: s.auth,
      body: JSON.stringify({
        callbackUri: `http://127.0.0.1:${port}/api/calls`,
        requestedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        chatInfo: { threadId: '19:chaos-dead@thread.v2', messageId: '0' },
        tenantId: DEFAULT_TENANT_ID,
      }),
    });
    expect(res.status).toBe(201);
    await s.advance(100);
    const written = await s.notifications();
    expect(written.length).toBeGreaterThan(0);
    await s.advance(2 * DEFAULT_DISPATCH_OPTIONS.maxAgeMs);
    const dead = await s.notifications();
    // (The call also ended meanwhile, without keepAlive: its last notifications are dead-lettered too.)
    expect(dead.slice(0, written.length).map((r) => r.messageId)).toEqual(written.map((r) => r.messageId));
    expect(dead.filter((r) => r.status !== 'deadLettered')).toEqual([]);
    // Still there later: dead letters are never deleted.
    await s.advance(7 * 24 * 60 * 60 * 1000);
    expect((await s.notifications()).map((r) => `${r.messageId} ${r.status}`)).toEqual(
      dead.map((r) => `${r.messageId} deadLettered`),
    );
    console.log(
      `[chaos] delivery: ${dead.length} notifications dead-lettered after ${dead[0]!.attempts.length} attempts over ${DEFAULT_DISPATCH_OPTIONS.maxAgeMs / 3_600_000} h, still listed a week later`,
    );
  }, 60_000);

  it("redelivers a dead letter, then all of its call's, with their original message ids and bodies, in order", async () => {
    const port = await freePort();
    const callbackUri = `http://127.0.0.1:${port}/api/calls`;
    const s = await start(callbackUri);
    const base = s.server.httpUrl;
    const res = await fetch(`${base}/v1.0/communications/calls`, {
      method: 'POST',
      headers: s.auth,
      body: JSON.stringify({
        callbackUri,
        requestedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        chatInfo: { threadId: '19:chaos-redeliver@thread.v2', messageId: '0' },
        tenantId: DEFAULT_TENANT_ID,
      }),
    });
    expect(res.status).toBe(201);
    const callId = ((await res.json()) as { id: string }).id;
    // The callback refuses connections past the dead-letter horizon: everything of the call is dead-lettered.
    await s.advance(100);
    await s.advance(2 * DEFAULT_DISPATCH_OPTIONS.maxAgeMs);
    const dead = (await s.notifications()).filter((r) => r.callId === callId);
    expect(dead.length).toBeGreaterThanOrEqual(2);
    expect(dead.map((r) => r.status)).toEqual(dead.map(() => 'deadLettered'));
    const [first, ...rest] = dead;

    // The bot is back, validating every notification's JWT against Switchboard's OpenID configuration.
    const bot = await startFakeBot({
      port,
      verify: {
        openIdConfigUrl: `${base}/.well-known/OpenIdConfiguration`,
        appId: s.server.sb.directory.world.tenants[0]!.apps[0]!.id,
      },
    });
    open.push({ bot });
    const redeliver = (path: string): Promise<Response> => fetch(`${base}/_switchboard${path}`, { method: 'POST' });

    const one = await redeliver(`/notifications/${first!.messageId}/redeliver`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { value: Row[] }).value.map((r) => [r.messageId, r.status])).toEqual([
      [first!.messageId, 'retrying'],
    ]);
    await s.advance(100);
    const got = await bot.waitFor((n) => n.messageId === first!.messageId);
    expect(got.verified, got.verifyError).toBe(true);
    expect(got.body).toEqual(first!.body);
    expect(bot.notifications.filter((n) => n.messageId !== first!.messageId)).toEqual([]);
    // The bot has the POST before the dispatcher records `delivered`: wait for the record, not for the POST.
    let listed = await vi.waitFor(async () => {
      const rows = (await s.notifications()).filter((r) => r.callId === callId);
      if (rows[0]?.status !== 'delivered') throw new Error('delivery not yet recorded');
      return rows;
    });
    expect(listed.map((r) => r.status)).toEqual(['delivered', ...rest.map(() => 'deadLettered')]);

    // Not dead-lettered any more (delivered): 409; unknown ids: 404; all in the Graph envelope.
    const again = await redeliver(`/notifications/${first!.messageId}/redeliver`);
    expect([again.status, ((await again.json()) as { error: { code: string } }).error.code]).toEqual([409, 'Conflict']);
    const unknown = await redeliver('/notifications/00000000-0000-4000-8000-000000000000/redeliver');
    expect([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      'itemNotFound',
    ]);
    expect((await redeliver('/calls/00000000-0000-4000-8000-000000000000/notifications/redeliver')).status).toBe(404);

    // The rest of the call, at once: in the order they were written, each under its original message id.
    const all = await redeliver(`/calls/${callId}/notifications/redeliver`);
    expect(all.status).toBe(200);
    expect(((await all.json()) as { value: Row[] }).value.map((r) => r.messageId)).toEqual(
      rest.map((r) => r.messageId),
    );
    await s.advance(100);
    await bot.waitForCount(dead.reduce((n, r) => n + (r.body as { value: unknown[] }).value.length, 0));
    expect(bot.notifications.map((n) => n.messageId)).toEqual(
      dead.flatMap((r) => (r.body as { value: unknown[] }).value.map(() => r.messageId)),
    );
    expect(bot.notifications.every((n) => n.verified)).toBe(true);
    listed = await vi.waitFor(async () => {
      const rows = (await s.notifications()).filter((r) => r.callId === callId);
      if (rows.some((r) => r.status !== 'delivered')) throw new Error('redeliveries not yet recorded');
      return rows;
    });
    expect(listed.map((r) => r.status)).toEqual(dead.map(() => 'delivered'));
    // Nothing left to send: an empty list, not an error.
    const none = await redeliver(`/calls/${callId}/notifications/redeliver`);
    expect([none.status, await none.json()]).toEqual([200, { value: [] }]);
  }, 60_000);

  it('retention prunes delivered notifications and ended calls past the horizon, keeps dead letters until purged', async () => {
    const deadCallback = await resettingPort();
    const bot = await startFakeBot({});
    open.push({ bot, dead: deadCallback });
    const s = await start(bot.url, { retention: 3_600_000 });
    const base = s.server.httpUrl;
    const newCall = async (callbackUri: string, thread: string): Promise<string> => {
      const res = await fetch(`${base}/v1.0/communications/calls`, {
        method: 'POST',
        headers: s.auth,
        body: JSON.stringify({
          callbackUri,
          requestedModalities: ['audio'],
          mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
          chatInfo: { threadId: thread, messageId: '0' },
          tenantId: DEFAULT_TENANT_ID,
        }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const delivered = await newCall(bot.url, '19:chaos-retention-ok@thread.v2');
    const refused = await newCall(
      `http://127.0.0.1:${deadCallback.port}/api/calls`,
      '19:chaos-retention-dead@thread.v2',
    );
    await s.advance(100);
    // Both calls end without keepAlive; one call's notifications are delivered, the other's dead-lettered.
    await s.advance(2 * DEFAULT_DISPATCH_OPTIONS.maxAgeMs);
    const before = await s.notifications();
    const dead = before.filter((r) => r.callId === refused);
    expect(before.filter((r) => r.callId === delivered).map((r) => r.status)).toContain('delivered');
    expect(dead.map((r) => r.status)).toEqual(dead.map(() => 'deadLettered'));

    const pruned = await s.server.sb.retention!.pruneNow();
    expect(pruned.notifications).toBe(before.filter((r) => r.status === 'delivered').length);
    expect(pruned.conversations).toBe(2);
    const after = await s.notifications();
    // Only the dead letters are left.
    expect(after.map((r) => r.messageId)).toEqual(dead.map((r) => r.messageId));

    // A purge deletes dead letters for good: one by message id, then the rest of its call, then all (none left).
    const purge = (path: string): Promise<Response> => fetch(`${base}/_switchboard${path}`, { method: 'POST' });
    const [first, ...rest] = dead;
    const one = await purge(`/notifications/${first!.messageId}/purge`);
    expect([one.status, await one.json()]).toEqual([200, { purged: 1 }]);
    const gone = await purge(`/notifications/${first!.messageId}/purge`);
    expect([gone.status, ((await gone.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      'itemNotFound',
    ]);
    const call = await purge(`/calls/${refused}/notifications/purge`);
    expect([call.status, await call.json()]).toEqual([200, { purged: rest.length }]);
    expect((await purge(`/calls/${refused}/notifications/purge`)).status).toBe(404);
    const all = await purge('/notifications/purge');
    expect([all.status, await all.json()]).toEqual([200, { purged: 0 }]);
    expect(await s.notifications()).toEqual([]);
  }, 60_000);
});
