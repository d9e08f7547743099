/**
 * SQLite keeps notification bodies out of the outbox row (migration 6, `outbox_bodies`): delivery bookkeeping
 * updates the row, and SQLite writes a record whose size changes out again whole, overflow pages included.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteFiles } from './sqlite-files.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { APP, attempt, bodyTextOf, note, noteWithBody, T0, TENANT } from './fixtures.js';

const freshFile = sqliteFiles('switchboard-bodies-');

/** A roster `updated` as Graph sends it by default: every participant of the call, so it grows with the roster. */
function rosterNote(callId: string, n: number, participants: number): ReturnType<typeof note> {
  const value = Array.from({ length: participants }, (_, i) => ({
    '@odata.type': '#microsoft.graph.participant',
    id: `${callId}-participant-${i}`,
    info: { identity: { user: { id: `user-${i}`, displayName: `Participant number ${i}`, tenantId: TENANT } } },
    mediaStreams: [{ mediaType: 'audio', direction: 'sendReceive', serverMuted: false }],
    isMuted: false,
    isInLobby: false,
  }));
  return noteWithBody(callId, n, {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [{ changeType: 'updated', resourceUrl: `/communications/calls/${callId}/participants`, n, value }],
  });
}

/** The seqs of the outbox rows and of the bodies: the same set, always (no orphan body, no row without one). */
function seqsOf(raw: Database.Database): { rows: number[]; bodies: number[] } {
  const seqs = (sql: string) => (raw.prepare(sql).all() as { seq: number }[]).map((r) => r.seq);
  return {
    rows: seqs('SELECT seq FROM outbox ORDER BY seq'),
    bodies: seqs('SELECT seq FROM outbox_bodies ORDER BY seq'),
  };
}

/** Settles every due head: delivered unless `dead` says to dead-letter it. */
async function settleAll(store: Store, at: number, dead: (messageId: string) => boolean): Promise<void> {
  for (;;) {
    const rows = await store.outbox.claimDue(at, at + 10_000, 100);
    if (rows.length === 0) return;
    for (const r of rows) {
      if (dead(r.messageId)) await store.outbox.markFailed(r.seq, null, at, 'HTTP 500', attempt(r.seq, 1, 500));
      else await store.outbox.markDelivered(r.seq, at, attempt(r.seq, 1, 202));
    }
  }
}

describe('sqlite outbox bodies (migration 6)', () => {
  it('moves the bodies of a file written before it, and every row reads, claims and redelivers with its body', async () => {
    const path = freshFile();
    const old = new Database(path);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    const insert = old.prepare(
      `INSERT INTO outbox (message_id, call_id, tenant_id, app_id, callback_uri, body, created_at, next_attempt_at,
                           delivered_at, dead_at, attempts, is_head)
       VALUES (?, ?, ?, ?, 'https://bot.example/api/calls', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const body = (m: string) => JSON.stringify({ value: [{ changeType: 'updated', message: m }] });
    // call-1: delivered, then pending (the head); call-2: dead-lettered.
    insert.run('m-delivered', 'call-1', TENANT, APP, body('m-delivered'), T0, T0, T0 + 1, null, 1, 0);
    insert.run('m-pending', 'call-1', TENANT, APP, body('m-pending'), T0, T0, null, null, 0, 1);
    insert.run('m-dead', 'call-2', TENANT, APP, body('m-dead'), T0, T0, null, T0 + 1, 3, 0);
    old.close();

    const store = await openSqliteStore({ path });
    const raw = new Database(path, { readonly: true });
    expect((raw.pragma('table_info(outbox)') as { name: string }[]).map((c) => c.name)).not.toContain('body');
    expect(seqsOf(raw)).toEqual({ rows: [1, 2, 3], bodies: [1, 2, 3] });

    const listed = await store.outbox.list({});
    expect(listed.map((r) => [r.messageId, bodyTextOf(r)])).toEqual(
      ['m-delivered', 'm-pending', 'm-dead'].map((m) => [m, body(m)]),
    );
    const [claimed] = await store.outbox.claimDue(T0, T0 + 10_000, 10);
    expect(claimed && [claimed.messageId, bodyTextOf(claimed)]).toEqual(['m-pending', body('m-pending')]);
    const { requeued } = await store.outbox.requeueDead({ messageId: 'm-dead' }, T0 + 2);
    expect(requeued.map((r) => [r.messageId, r.deadAt, r.body])).toEqual([
      ['m-dead', null, JSON.parse(body('m-dead'))],
    ]);
    // New rows after the migration get their bodies too.
    await store.transact((tx) => tx.appendNotifications([note('call-3', 1)]));
    expect((await store.outbox.list({ callId: 'call-3' })).map((r) => r.body)).toEqual([
      note('call-3', 1).notification.body,
    ]);
    raw.close();
    await store.close();
  });

  it('marking a large notification delivered writes a few pages of WAL, not its body again', async () => {
    const path = freshFile();
    await (await openSqliteStore({ path })).close();
    // A read transaction begun on an empty WAL pins the database file: no checkpoint can copy frames into it and the
    // WAL never starts over, so it only grows, by exactly what each COMMIT writes.
    const reader = new Database(path, { readonly: true });
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT COUNT(*) FROM outbox').get();
    const walBytes = () => statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    const store = await openSqliteStore({ path });
    try {
      const big = rosterNote('call-1', 1, 1000);
      const bodyBytes = JSON.stringify(big.notification.body).length;
      expect(bodyBytes).toBeGreaterThan(200_000);

      const beforeAppend = walBytes();
      await store.transact((tx) => tx.appendNotifications([big]));
      const appended = walBytes() - beforeAppend;
      // The measure sees the body: writing it once costs at least its size.
      expect(appended).toBeGreaterThan(bodyBytes);

      const [row] = await store.outbox.claimDue(T0, T0 + 10_000, 10);
      const beforeDelivered = walBytes();
      await store.outbox.markDelivered(row!.seq, T0 + 1, attempt(row!.seq, 1, 202));
      await store.outbox.list({ limit: 1 }); // commits the open group the result went into
      const delivered = walBytes() - beforeDelivered;
      expect(delivered).toBeGreaterThan(0);
      // With the body in the row this was more than the body again (the record is rewritten whole when it changes size).
      expect(delivered).toBeLessThan(bodyBytes / 4);
    } finally {
      await store.close();
      reader.prepare('COMMIT').run();
      reader.close();
    }
  });

  it('deletes bodies with their rows: retention, purge of dead letters and reset leave no body behind', async () => {
    const path = freshFile();
    const store = await openSqliteStore({ path });
    const raw = new Database(path, { readonly: true });
    const HOUR = 3_600_000;
    await store.transact((tx) =>
      tx.appendNotifications([note('call-1', 1), note('call-1', 2), note('call-2', 1), note('call-3', 1)]),
    );
    await settleAll(store, T0 + 1, (id) => id === 'call-2-msg-1');
    await store.transact((tx) => tx.appendNotifications([note('call-4', 1, T0 + 2 * HOUR)]));
    expect(seqsOf(raw)).toEqual({ rows: [1, 2, 3, 4, 5], bodies: [1, 2, 3, 4, 5] });

    // Retention takes the delivered rows written before the horizon (call-1's two and call-3's).
    expect((await store.prune(T0 + HOUR, 100)).notifications).toBe(3);
    expect(seqsOf(raw)).toEqual({ rows: [3, 5], bodies: [3, 5] });
    // Purging dead letters takes call-2's.
    expect((await store.outbox.purgeDead('all')).purged).toBe(1);
    expect(seqsOf(raw)).toEqual({ rows: [5], bodies: [5] });
    // The pending row still reads with its body.
    expect((await store.outbox.list({})).map((r) => r.body)).toEqual([note('call-4', 1).notification.body]);
    expect((await store.reset(T0 + 3 * HOUR)).notifications).toBe(1);
    expect(seqsOf(raw)).toEqual({ rows: [], bodies: [] });
    raw.close();
    await store.close();
  });
});
