/**
 * Guarantee 7, graceful shutdown, on a child-process server (`switchboard start`) sent SIGTERM:
 *  - a request in flight finishes (a clock advance delivering to a bot that holds its answer, so the request is
 *    provably inside the server at the signal) while new connections are refused, and the process exits 0;
 *  - notifications queued for a slow bot are all delivered before the exit, and the invites still ringing complete
 *    and are delivered after a restart on the same data: nothing is lost.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_ID } from '../../src/sim/default-world.js';
import { childToken, pollFor, startChildServer, tempDataDir, type ChildServer } from '../helpers/child-server.js';
import { startFakeBot, type FakeBot, type FakeBotOptions } from '../helpers/fake-bot.js';
import { fastWorld } from '../helpers/server.js';

const CALLS = 4;
const FAST_INVITES_PER_CALL = 10;
// Still ringing at the SIGTERM; after the restart they answer from their durable timers.
const RINGING = ['late-0', 'late-1', 'late-2'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const inviteBody = (userId: string): string =>
  JSON.stringify({
    participants: [
      {
        '@odata.type': '#microsoft.graph.invitationParticipantInfo',
        identity: { user: { id: userId, identityProvider: 'AAD' } },
      },
    ],
  });

const advance = (base: string, ms: number): Promise<Response> =>
  fetch(`${base}/_switchboard/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ms }),
  });

interface Scenario {
  data: string;
  bot: FakeBot;
  server: ChildServer;
  restart(): Promise<ChildServer>;
  /** Invites that were still ringing. */
  ringingOps: { callId: string; opId: string }[];
  fastOps: { callId: string; opId: string }[];
  auth: Record<string, string>;
}

const running: { server?: ChildServer; bot?: FakeBot }[] = [];

/** A server with CALLS established group calls, 40 invites whose invitees answer fast and 3 still ringing. */
async function scenario(botOptions: FakeBotOptions, opts: { virtual: boolean; ringingMs: number }): Promise<Scenario> {
  const data = tempDataDir('sb-chaos-shutdown-');
  const bot = await startFakeBot(botOptions);
  const handle: { server?: ChildServer; bot?: FakeBot } = { bot };
  running.push(handle);
  const world = fastWorld(bot.url, (w) => {
    const t = w.tenants[0]!;
    for (let n = 0; n < CALLS * FAST_INVITES_PER_CALL; n++)
      t.users.push({ id: `u-${n}`, displayName: `User ${n}`, answer: { action: 'accept', afterMs: 10 } });
    for (const id of RINGING)
      t.users.push({ id, displayName: id, answer: { action: 'accept', afterMs: opts.ringingMs } });
  });
  const args = opts.virtual ? ['--clock', 'virtual'] : [];
  const server = (handle.server = await startChildServer({ data, world, args }));
  const base = server.httpUrl;
  const auth = { authorization: `Bearer ${await childToken(base)}`, 'content-type': 'application/json' };
  const callIds: string[] = [];
  for (let k = 0; k < CALLS; k++) {
    const res = await fetch(`${base}/v1.0/communications/calls`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        callbackUri: bot.url,
        requestedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        chatInfo: { threadId: `19:chaos-shutdown-${k}@thread.v2`, messageId: '0' },
        tenantId: DEFAULT_TENANT_ID,
      }),
    });
    expect(res.status).toBe(201);
    callIds.push(((await res.json()) as { id: string }).id);
  }
  if (opts.virtual) expect((await advance(base, 1_000)).status).toBe(200);
  await pollFor('every call established', 10_000, async () => {
    const states = await Promise.all(
      callIds.map(
        async (id) =>
          (
            (await (await fetch(`${base}/v1.0/communications/calls/${id}`, { headers: auth })).json()) as {
              state?: string;
            }
          ).state,
      ),
    );
    return states.every((s) => s === 'established') ? true : undefined;
  });
  const invite = async (callId: string, userId: string): Promise<{ callId: string; opId: string }> => {
    const res = await fetch(`${base}/v1.0/communications/calls/${callId}/participants/invite`, {
      method: 'POST',
      headers: auth,
      body: inviteBody(userId),
    });
    expect(res.status).toBe(200);
    return { callId, opId: ((await res.json()) as { id: string }).id };
  };
  const fastOps = await Promise.all(
    callIds.flatMap((callId, c) =>
      Array.from({ length: FAST_INVITES_PER_CALL }, (_, i) => invite(callId, `u-${c * FAST_INVITES_PER_CALL + i}`)),
    ),
  );
  const ringingOps = await Promise.all(RINGING.map((userId, i) => invite(callIds[i % CALLS]!, userId)));
  return {
    data,
    bot,
    server,
    restart: async () => (handle.server = await startChildServer({ data, world, args })),
    ringingOps,
    fastOps,
    auth,
  };
}

/** The store after the process exited: every outbox row with its delivery, and the operations still Running. */
function storeAfterExit(data: string): { rows: { messageId: string; deliveredAt: number | null }[]; running: number } {
  const db = new Database(join(data, 'switchboard.db'), { readonly: true });
  try {
    return {
      rows: db.prepare('SELECT message_id AS messageId, delivered_at AS deliveredAt FROM outbox').all() as {
        messageId: string;
        deliveredAt: number | null;
      }[],
      running: (db.prepare(`SELECT COUNT(*) AS n FROM operations WHERE status = 'Running'`).get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

const undelivered = async (base: string): Promise<number> =>
  (
    (await (await fetch(`${base}/_switchboard/notifications?limit=10000`)).json()) as { value: { status: string }[] }
  ).value.filter((n) => n.status !== 'delivered').length;

describe('graceful shutdown (SIGTERM)', () => {
  afterEach(async () => {
    for (const h of running.splice(0)) {
      h.server?.kill('SIGKILL');
      await h.server?.exited;
      await h.bot?.close();
    }
  });

  it('refuses new connections, finishes the request in flight, and exits 0', async () => {
    // The bot holds its answers while `held` is pending, so the clock advance delivering to it stays in flight.
    let release!: () => void;
    let held: Promise<void> | null = null;
    let reached: (() => void) | null = null;
    const s = await scenario(
      {
        respond: async () => {
          reached?.();
          await held;
          return 202;
        },
      },
      { virtual: true, ringingMs: 60_000 },
    );
    const base = s.server.httpUrl;
    // Nothing left over from the set-up, so the only delivery the bot can hold is one made inside the advance.
    await pollFor('the set-up notifications to be delivered', 10_000, async () =>
      (await undelivered(base)) === 0 ? true : undefined,
    );
    held = new Promise<void>((r) => (release = r));
    const deliveryHeld = new Promise<void>((r) => (reached = r));
    const inFlight = advance(base, 100).then(
      async (res) => ({ status: res.status, body: await res.text() }),
      (err: unknown) => ({ status: 0, body: `dropped: ${String(err)}` }),
    );
    // The advance fired the invitees' answers and is waiting for a delivery the bot holds: it is in the server.
    await deliveryHeld;
    s.server.kill('SIGTERM');
    await pollFor('new connections to be refused', 5_000, async () => {
      try {
        await fetch(`${base}/_switchboard/clock`);
        return undefined;
      } catch {
        return true;
      }
    });
    release();
    const answered = await inFlight;
    expect(answered.status, answered.body).toBe(200);
    expect((await s.server.exited).code).toBe(0);
    console.log(
      '[chaos] graceful shutdown: the request in flight at SIGTERM answered 200 after new connections were refused; exit code 0',
    );
  }, 60_000);

  it('delivers every queued notification before exiting, and completes the ringing invites after a restart', async () => {
    // A slow bot: notifications queue up behind each other (one in flight per call).
    const s = await scenario({ respond: async () => (await sleep(25), 202) }, { virtual: false, ringingMs: 8_000 });
    await pollFor('every fast invite to complete', 10_000, async () => {
      const statuses = await Promise.all(
        s.fastOps.map(
          async (o) =>
            (
              (await (
                await fetch(`${s.server.httpUrl}/v1.0/communications/calls/${o.callId}/operations/${o.opId}`, {
                  headers: s.auth,
                })
              ).json()) as { status: string }
            ).status,
        ),
      );
      return statuses.every((st) => st === 'Completed') ? true : undefined;
    });
    const queued = await undelivered(s.server.httpUrl);
    s.server.kill('SIGTERM');
    expect((await s.server.exited).code).toBe(0);

    const after = storeAfterExit(s.data);
    expect(after.rows.filter((r) => r.deliveredAt === null)).toEqual([]);
    const received = new Set(s.bot.notifications.map((n) => n.messageId));
    expect(after.rows.filter((r) => !received.has(r.messageId))).toEqual([]);
    expect(after.running).toBe(RINGING.length);

    await s.restart();
    for (const o of s.ringingOps) {
      const done = await s.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === o.opId, {
        timeoutMs: 20_000,
      });
      expect(done.item.resourceData.status).toBe('Completed');
    }
    expect(s.bot.problems).toEqual([]);
    console.log(
      `[chaos] graceful shutdown: ${queued} notifications queued at SIGTERM, all ${after.rows.length} delivered before exit 0; ${RINGING.length} ringing invites completed after the restart`,
    );
  }, 60_000);
});
