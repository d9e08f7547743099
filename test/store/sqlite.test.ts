import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { runStoreContract } from './contract.js';
import { attempt, conversation, leg, note, onlineMeeting, participant, T0, TENANT } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
let n = 0;
const freshFile = () => join(dir, `db-${++n}`, 'switchboard.db');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

runStoreContract('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));
runStoreContract('sqlite file', () => openSqliteStore({ path: freshFile() }));

describe('sqlite store', () => {
  it('keeps data across a reopen of the same file, and migrates once', async () => {
    const path = freshFile();
    const first = await openSqliteStore({ path });
    await first.transact(async (tx) => {
      await tx.putConversation(conversation());
      await tx.putLeg(leg());
      await tx.appendNotifications([note('call-1', 1)]);
      await tx.putOnlineMeeting(onlineMeeting());
      await tx.putTimers([{ id: 't1', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } }]);
    });
    await first.close();

    const second = await openSqliteStore({ path });
    expect(await second.transact((tx) => tx.getLeg('call-1'))).toEqual(leg());
    expect(
      await second.transact((tx) => tx.onlineMeetingByJoinMeetingId(TENANT, onlineMeeting().joinMeetingId)),
    ).toEqual(onlineMeeting());
    expect((await second.outbox.claimDue(T0, T0 + 10, 10)).map((r) => r.messageId)).toEqual(['call-1-msg-1']);
    expect(await second.timers.nextDueAt()).toBe(T0);
    await second.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1, name: 'init' },
      { version: 2, name: 'online_meetings' },
      { version: 3, name: 'participant_identity_key' },
      { version: 4, name: 'world_changes' },
      { version: 5, name: 'outbox_requeued_at' },
      { version: 6, name: 'outbox_bodies' },
      { version: 7, name: 'body_parts' },
    ]);
    raw.close();
  });

  it('migration 3 keys the participants written before it, so an invite finds them by identity', async () => {
    const path = freshFile();
    mkdirSync(join(path, '..'), { recursive: true });
    const old = new Database(path);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 2),
    );
    const insert = old.prepare(
      'INSERT INTO participants (id, conversation_id, call_leg_id, created_at, doc) VALUES (?, ?, ?, ?, ?)',
    );
    const rows = [
      participant({ id: 'p-user', identity: { user: { id: 'AAAA-Ada' }, tenantId: TENANT } }),
      participant({ id: 'p-phone', createdAt: T0 + 1, identity: { phone: { id: '+12345678901' } } }),
      participant({ id: 'p-bot', createdAt: T0 + 2, identity: { application: { id: 'Bot-App' }, user: null } }),
      participant({ id: 'p-noid', createdAt: T0 + 3, identity: { user: { displayName: 'no id' } } }),
    ];
    for (const p of rows) insert.run(p.id, p.conversationId, p.callLegId, p.createdAt, JSON.stringify(p));
    old.close();

    const store = await openSqliteStore({ path });
    const found = await store.transact((tx) =>
      tx.participantsWithIdentityKeys('conv-1', ['user:aaaa-ada', 'phone:+12345678901', 'application:bot-app']),
    );
    expect(found.map((p) => p.id)).toEqual(['p-user', 'p-phone', 'p-bot']);
    expect(await store.transact((tx) => tx.participantCount('conv-1'))).toBe(4);
    await store.close();
  });

  it('on reopen, hands back at once what a dead process held leased (kill -9), not when its lease lapses', async () => {
    const path = freshFile();
    const first = await openSqliteStore({ path });
    await first.transact(async (tx) => {
      await tx.appendNotifications([note('call-1', 1)]);
      await tx.putTimers([{ id: 't1', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } }]);
    });
    const leaseEnd = T0 + 60_000;
    expect(await first.outbox.claimDue(T0, leaseEnd, 10)).toHaveLength(1);
    expect(await first.timers.claimDue(T0, leaseEnd, 10)).toHaveLength(1);
    // Closed without recording an outcome: the process died with both in flight.
    await first.close();

    const second = await openSqliteStore({ path });
    expect(await second.outbox.nextDueAt()).toBeLessThanOrEqual(T0);
    expect((await second.outbox.claimDue(T0 + 1, T0 + 10, 10)).map((r) => r.messageId)).toEqual(['call-1-msg-1']);
    expect((await second.timers.claimDue(T0 + 1, T0 + 10, 10)).map((t) => t.id)).toEqual(['t1']);
    await second.close();
  });

  it("claims without writing: the leases are the serving process's own (one process serves a file)", async () => {
    const path = freshFile();
    const store = await openSqliteStore({ path });
    await store.transact(async (tx) => {
      await tx.appendNotifications([note('call-1', 1)]);
      await tx.putTimers([{ id: 't1', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } }]);
    });
    const raw = new Database(path, { readonly: true });
    const version = () => raw.pragma('data_version', { simple: true }) as number;
    const before = version();
    expect(await store.outbox.claimDue(T0, T0 + 60_000, 10)).toHaveLength(1);
    expect(await store.timers.claimDue(T0, T0 + 60_000, 10)).toHaveLength(1);
    // No commit reached the file (data_version moves when another connection commits), and no lease is in a row.
    expect(version()).toBe(before);
    expect(raw.prepare('SELECT leased_until, next_attempt_at FROM outbox').all()).toEqual([
      { leased_until: null, next_attempt_at: T0 },
    ]);
    expect(raw.prepare('SELECT leased_until FROM timers').all()).toEqual([{ leased_until: null }]);
    // Still leased in the process: neither is claimed again, and both are next due when their lease ends.
    expect(await store.outbox.claimDue(T0 + 1, T0 + 2, 10)).toEqual([]);
    expect(await store.timers.claimDue(T0 + 1, T0 + 2, 10)).toEqual([]);
    expect(await store.outbox.nextDueAt()).toBe(T0 + 60_000);
    expect(await store.timers.nextDueAt()).toBe(T0 + 60_000);
    raw.close();
    await store.close();
  });

  it('writes delivery results into the open commit group: one COMMIT for the commands and results of a turn', async () => {
    const path = freshFile();
    const store = await openSqliteStore({ path });
    await store.transact((tx) => tx.appendNotifications([note('call-1', 1), note('call-2', 1), note('call-1', 2)]));
    const [a, b] = await store.outbox.claimDue(T0, T0 + 60_000, 10);
    const raw = new Database(path, { readonly: true });
    const version = () => raw.pragma('data_version', { simple: true }) as number;
    const delivered = () => raw.prepare('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NOT NULL').get();
    const before = version();
    // One turn: a command (no notification), both results, a claim (of call-1's next row) and a nextDueAt.
    const command = store.transact((tx) => tx.putConversation(conversation()));
    await store.outbox.markDelivered(a!.seq, T0 + 1, attempt(a!.seq, 1, 202));
    await store.outbox.markFailed(b!.seq, null, T0 + 1, 'HTTP 500', attempt(b!.seq, 1, 500));
    const next = await store.outbox.claimDue(T0 + 1, T0 + 60_000, 10);
    expect(next.map((r) => r.messageId)).toEqual(['call-1-msg-2']);
    expect(await store.outbox.nextDueAt()).toBe(T0 + 60_000);
    // Nothing has committed yet: the claim had no queued notification to commit first.
    expect(version()).toBe(before);
    expect(delivered()).toEqual({ n: 0 });
    await command;
    // The group's one COMMIT brought the command and both results at once.
    expect(version()).toBe(before + 1);
    expect(delivered()).toEqual({ n: 1 });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM conversations').get()).toEqual({ n: 1 });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM delivery_attempts').get()).toEqual({ n: 2 });
    raw.close();
    await store.close();
  });

  it('delivers again under the same message id when a crash loses a result still in the open group', async () => {
    const path = freshFile();
    const store = await openSqliteStore({ path });
    await store.transact((tx) => tx.appendNotifications([note('call-1', 1), note('call-1', 2)]));
    const [first] = await store.outbox.claimDue(T0, T0 + 60_000, 10);
    await store.outbox.markDelivered(first!.seq, T0 + 1, attempt(first!.seq, 1, 202));
    // The files as a kill -9 now would leave them: the result is in the open group, not yet committed.
    const crashed = freshFile();
    mkdirSync(join(crashed, '..'), { recursive: true });
    for (const suffix of ['', '-wal']) if (existsSync(path + suffix)) copyFileSync(path + suffix, crashed + suffix);
    await store.close();
    const restarted = await openSqliteStore({ path: crashed });
    const again = await restarted.outbox.claimDue(T0 + 2, T0 + 60_000, 10);
    expect(again.map((r) => [r.messageId, r.attempts])).toEqual([['call-1-msg-1', 0]]);
    await restarted.close();
  });

  it('commits the open group before a claim when the group queued notifications (or timers, for a timer claim)', async () => {
    const path = freshFile();
    const store = await openSqliteStore({ path });
    const raw = new Database(path, { readonly: true });
    const version = () => raw.pragma('data_version', { simple: true }) as number;
    const before = version();
    const queued = store.transact((tx) => tx.appendNotifications([note('call-1', 1)]));
    // The claim sees the row only once it is committed: it commits the group first.
    expect((await store.outbox.claimDue(T0, T0 + 60_000, 10)).map((r) => r.messageId)).toEqual(['call-1-msg-1']);
    expect(version()).toBe(before + 1);
    await queued;
    const timer = { id: 't1', dueAt: T0, kind: 'call.established' as const, payload: { callId: 'call-1' } };
    const put = store.transact((tx) => tx.putTimers([timer]));
    expect((await store.timers.claimDue(T0, T0 + 60_000, 10)).map((t) => t.id)).toEqual(['t1']);
    expect(version()).toBe(before + 2);
    await put;
    raw.close();
    await store.close();
  });

  it('keeps a timer leased when the command that deletes it fails (retried when the lease ends, not at once)', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const t1 = { id: 't1', dueAt: T0, kind: 'call.established' as const, payload: { callId: 'call-1' } };
    await store.transact((tx) => tx.putTimers([t1]));
    expect(await store.timers.claimDue(T0, T0 + 500, 10)).toHaveLength(1);
    await expect(
      store.transact(async (tx) => {
        await tx.deleteTimer('t1');
        throw new Error('the command failed');
      }),
    ).rejects.toThrow('the command failed');
    expect(await store.timers.claimDue(T0 + 499, T0 + 1000, 10)).toEqual([]);
    expect((await store.timers.claimDue(T0 + 500, T0 + 1000, 10)).map((t) => t.id)).toEqual(['t1']);
    // A command that deletes it and puts it again (a fresh timer) ends the lease with it.
    await store.transact(async (tx) => {
      await tx.deleteTimer('t1');
      await tx.putTimers([{ ...t1, dueAt: T0 + 600 }]);
    });
    expect((await store.timers.claimDue(T0 + 600, T0 + 1000, 10)).map((t) => t.id)).toEqual(['t1']);
    await store.close();
  });

  it('makes queue operations wait for the running transaction', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = store.transact(async (t) => {
      await t.appendNotifications([note('call-1', 1)]);
      await gate;
    });
    const listed = store.outbox.list({});
    release();
    await tx;
    expect((await listed).map((r) => r.messageId)).toEqual(['call-1-msg-1']);
    await store.close();
  });

  it('rejects store calls nested inside transact instead of deadlocking', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await expect(store.transact(() => store.outbox.list({}))).rejects.toThrow(/not reentrant/);
    await expect(store.transact(() => store.transact(() => Promise.resolve(1)))).rejects.toThrow(/not reentrant/);
    // The lock was released: the store still works.
    expect(await store.transact(() => Promise.resolve('ok'))).toBe('ok');
    await store.close();
  });

  it('fails loudly after close', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await store.close();
    await store.close();
    await expect(store.transact(() => Promise.resolve(1))).rejects.toThrow(/closed/);
    await expect(store.outbox.nextDueAt()).rejects.toThrow();
    // The readiness check and reset see a closed store as down.
    await expect(store.schemaStatus()).rejects.toThrow();
    await expect(store.reset(T0)).rejects.toThrow(/closed/);
  });

  it('keeps per-call order and one claim per call with 10k rows over 1k calls', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const calls = 1000;
    const perCall = 10;
    await store.transact((tx) =>
      tx.appendNotifications(
        Array.from({ length: calls * perCall }, (_, i) => note(`call-${i % calls}`, Math.floor(i / calls))),
      ),
    );
    const seen = new Map<string, number>();
    let now = T0;
    for (;;) {
      const rows = await store.outbox.claimDue(now, now + 1000, 64);
      if (rows.length === 0) break;
      expect(new Set(rows.map((r) => r.callId)).size).toBe(rows.length);
      for (const r of rows) {
        const n = Number(r.messageId.split('-msg-')[1]);
        expect(n).toBe((seen.get(r.callId) ?? -1) + 1);
        seen.set(r.callId, n);
        await store.outbox.markDelivered(r.seq, now, {
          outboxSeq: r.seq,
          attempt: 1,
          startedAt: now,
          durationMs: 1,
          statusCode: 202,
          error: null,
        });
      }
      now += 1;
    }
    expect(seen.size).toBe(calls);
    expect([...seen.values()].every((v) => v === perCall - 1)).toBe(true);
    expect(await store.outbox.nextDueAt()).toBeNull();
    await store.close();
  });
});
