/**
 * Two Switchboard processes on one PostgreSQL schema: group calls and invites spread over both, then one is killed
 * with SIGKILL while its timers are pending and its notification deliveries are in flight. The survivor must finish
 * every operation and deliver every notification in per-call order, none lost; a duplicate is only allowed as a
 * retry with the same message id (and the same body), and their number is printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID } from '../../src/sim/default-world.js';
import { startFakeBot, type FakeBot, type ReceivedNotification } from '../helpers/fake-bot.js';
import { describePostgres, TEST_POSTGRES_URL, testSchemas } from '../helpers/postgres.js';
import { fastWorld } from '../helpers/server.js';
import { buildCli, startInstance, type InstanceProcess } from './instance-process.js';

const CALLS = 6;
const INVITES_PER_CALL = 8;
const user = (n: number): string => `scale-user-${n}`;

interface OutboxEntry {
  sequence: number;
  messageId: string;
  callId: string;
  status: string;
  body: unknown;
}

describePostgres('several instances on one PostgreSQL database', () => {
  const schema = testSchemas();
  const dir = mkdtempSync(join(tmpdir(), 'sb-scale-'));
  let build: ReturnType<typeof buildCli> | undefined;
  let bot: FakeBot | undefined;
  const instances: InstanceProcess[] = [];

  beforeAll(() => {
    build = buildCli();
  });
  afterAll(async () => {
    for (const i of instances) {
      if (i.child.exitCode === null && i.child.signalCode === null) {
        i.child.kill('SIGTERM');
        await i.exited;
      }
    }
    await bot?.close();
    build?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives kill -9 of one instance: every operation completes, every notification arrives in per-call order', async () => {
    // A slow-ish bot keeps deliveries in flight, so the killed instance dies holding leased outbox rows.
    bot = await startFakeBot({ respond: () => new Promise((r) => setTimeout(() => r(202), 60)) });
    const world = fastWorld(bot.url, (w) => {
      w.establishMs = 50;
      // Answers spread over 0.1–1.2 s: when an instance dies some of its invitees are still ringing (pending timers).
      for (let n = 0; n < CALLS * INVITES_PER_CALL; n++) {
        w.tenants[0]!.users.push({
          id: user(n),
          displayName: `Scale User ${n}`,
          answer: { action: 'accept', afterMs: 100 + ((n * 97) % 1100) },
        });
      }
    });
    const worldFile = join(dir, 'world.json');
    writeFileSync(worldFile, JSON.stringify(world));
    const s = schema();
    // The same --data directory for both: it holds the signing keys, so either instance verifies the other's tokens.
    const args = [
      '--postgres',
      TEST_POSTGRES_URL,
      '--postgres-schema',
      s,
      '--data',
      join(dir, 'data'),
      '--tls-dir',
      process.env.SWITCHBOARD_TEST_TLS_DIR!,
      '--world',
      worldFile,
    ];
    const a = await startInstance('A', build!.cli, args);
    instances.push(a);
    const b = await startInstance('B', build!.cli, args);
    instances.push(b);

    const tokenRes = await fetch(`${a.httpUrl}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: DEFAULT_APP_ID,
        client_secret: DEFAULT_APP_SECRET,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    const headers = {
      authorization: `Bearer ${((await tokenRes.json()) as { access_token: string }).access_token}`,
      'content-type': 'application/json',
    };

    const callIds: string[] = [];
    for (let k = 0; k < CALLS; k++) {
      const base = k % 2 === 0 ? a.httpUrl : b.httpUrl;
      const res = await fetch(`${base}/v1.0/communications/calls`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          callbackUri: bot.url,
          requestedModalities: ['audio'],
          mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
          chatInfo: { threadId: `19:scale-${k}@thread.v2`, messageId: '0' },
          targets: [],
          tenantId: DEFAULT_TENANT_ID,
        }),
      });
      expect(res.status).toBe(201);
      callIds.push(((await res.json()) as { id: string }).id);
    }
    for (const id of callIds) {
      await bot.waitFor(
        (n) => n.item.resourceUrl === `/communications/calls/${id}` && n.item.resourceData?.state === 'established',
        { timeoutMs: 15_000 },
      );
    }

    const accepted: { callId: string; opId: string; invitee: string }[] = [];
    const invite = async (base: string, n: number): Promise<void> => {
      const callId = callIds[n % CALLS]!;
      const res = await fetch(`${base}/v1.0/communications/calls/${callId}/participants/invite`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ participants: [{ identity: { user: { id: user(n) } } }], clientContext: `scale-${n}` }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      accepted.push({ callId, opId: ((await res.json()) as { id: string }).id, invitee: user(n) });
    };
    const total = CALLS * INVITES_PER_CALL;
    const half = total / 2;
    // First half over both instances, a few at a time.
    for (let n = 0; n < half; n += 4) {
      await Promise.all([0, 1, 2, 3].map((j) => invite((n + j) % 2 === 0 ? a.httpUrl : b.httpUrl, n + j)));
    }
    // Midway: A dies with invitees still ringing and deliveries in flight.
    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    for (let n = half; n < total; n += 4) {
      await Promise.all([0, 1, 2, 3].map((j) => invite(b.httpUrl, n + j)));
    }
    expect(accepted).toHaveLength(total);

    // Every operation completes and every invitee's roster notification arrives.
    for (const { callId, opId, invitee } of accepted) {
      const done = await bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === opId, {
        timeoutMs: 30_000,
        description: `operation ${opId} deleted`,
      });
      expect(done.item.resourceData.status).toBe('Completed');
      await bot.waitFor(
        (n) =>
          n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
          n.item.resourceData?.some?.(
            (p: { info?: { identity?: { user?: { id?: string } } } }) => p.info?.identity?.user?.id === invitee,
          ),
        { timeoutMs: 30_000, description: `roster notification naming ${invitee}` },
      );
    }

    // The outbox (as the survivor sees it) is the truth: every row delivered, none dead.
    // Rows written after the last awaited one (e.g. a later roster update) may still be on their way: wait, bounded.
    const readLog = async () =>
      (await fetch(`${b.httpUrl}/_switchboard/notifications?limit=10000`).then((r) => r.json())) as {
        value: OutboxEntry[];
      };
    let log = await readLog();
    for (let i = 0; i < 300 && log.value.some((r) => r.status !== 'delivered'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = await readLog();
    }
    const undelivered = log.value.filter((r) => r.status !== 'delivered');
    expect(undelivered.map((r) => `${r.sequence} ${r.callId} ${r.status}`)).toEqual([]);

    // What the bot got: one entry per POST (the first item of each), in arrival order.
    const posts = new Map<number, ReceivedNotification>();
    for (const n of bot.notifications) if (!posts.has(n.delivery)) posts.set(n.delivery, n);
    const firstSeen = new Map<string, ReceivedNotification>();
    let duplicates = 0;
    for (const post of posts.values()) {
      const id = post.messageId!;
      const first = firstSeen.get(id);
      if (first === undefined) {
        firstSeen.set(id, post);
        continue;
      }
      duplicates++;
      // A duplicate is a retry: same message id, same body.
      expect(post.body).toEqual(first.body);
    }
    // Nothing the bot got is unknown to the outbox, and every outbox row reached the bot.
    const byId = new Map(log.value.map((r) => [r.messageId, r]));
    expect([...firstSeen.keys()].filter((id) => !byId.has(id))).toEqual([]);
    expect(log.value.filter((r) => !firstSeen.has(r.messageId)).map((r) => r.sequence)).toEqual([]);
    // Per call, first arrivals follow the outbox order exactly.
    const calls = new Set(log.value.map((r) => r.callId));
    for (const callId of calls) {
      const expected = log.value
        .filter((r) => r.callId === callId)
        .sort((x, y) => x.sequence - y.sequence)
        .map((r) => r.messageId);
      const arrived = [...firstSeen.values()]
        .filter((p) => byId.get(p.messageId!)!.callId === callId)
        .map((p) => p.messageId);
      expect(arrived, `order of call ${callId}`).toEqual(expected);
    }
    // The fake bot flags a second accepted delivery of one message id; here that is exactly the allowed retry.
    expect(bot.problems.filter((p) => !p.includes('was already delivered and accepted'))).toEqual([]);
    const lastArrival = Math.max(...bot.notifications.map((n) => n.receivedAt));
    console.log(
      `multi-instance: ${total} invites, ${log.value.length} notifications, ${duplicates} duplicate deliveries (retries with the same message id) after kill -9; ` +
        `last notification ${lastArrival - killedAt} ms after the kill`,
    );
    for (const line of b
      .stderr()
      .split('\n')
      .filter((l) => l.includes('dead instance')))
      console.log(`multi-instance: B: ${line}`);
    expect(b.stderr()).not.toMatch(/"level":"(error|fatal)"/);
  }, 120_000);
});
