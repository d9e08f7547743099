/**
 * The SQLite store hands a claim the bytes its command just appended instead of reading them back
 * (src/store/sqlite/recent-bodies.ts). What must hold: a claim always gets the body the table holds for that row.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { notificationSummaryOf, storedBodyOf } from '../../src/store/outbox-rows.js';
import { RecentBodies, type RecentBody } from '../../src/store/sqlite/recent-bodies.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import { sqliteFiles } from './sqlite-files.js';
import { note, T0 } from './fixtures.js';

const freshFile = sqliteFiles('switchboard-recent-bodies-');
const SUMMARY = { changeTypes: ['updated'], resources: ['/communications/calls/call-1'] };
const bytes = (text: string): RecentBody => ({ bytes: Buffer.from(text, 'utf8'), summary: SUMMARY });

describe('RecentBodies', () => {
  it('hands a body out once, for the row it was appended as', () => {
    const bodies = new RecentBodies();
    bodies.put('m-1', 1, bytes('{"a":1}'));
    expect(bodies.take('m-1', 2)).toBeUndefined(); // another row with that sequence: not this body
    bodies.put('m-1', 1, bytes('{"a":1}'));
    const kept = bodies.take('m-1', 1)!;
    expect([Buffer.from(kept.bytes).toString(), kept.summary]).toEqual(['{"a":1}', SUMMARY]);
    expect(bodies.take('m-1', 1)).toBeUndefined();
    expect(bodies.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('keeps at most its bound in bytes, the oldest out first; a bound of 0 keeps nothing', () => {
    const bodies = new RecentBodies(10);
    bodies.put('m-1', 1, bytes('1234'));
    bodies.put('m-2', 2, bytes('5678'));
    bodies.put('m-3', 3, bytes('9012'));
    expect(bodies.size).toEqual({ entries: 2, bytes: 8 });
    expect(bodies.take('m-1', 1)).toBeUndefined();
    expect(bodies.take('m-3', 3)).toBeDefined();
    bodies.put('m-big', 4, bytes('x'.repeat(11)));
    expect(bodies.take('m-big', 4)).toBeUndefined();
    // Too big to keep, yet it replaces what was kept under its id for its row.
    bodies.put('m-2', 2, bytes('y'.repeat(11)));
    expect(bodies.take('m-2', 2)).toBeUndefined();
    const none = new RecentBodies(0);
    none.put('m-1', 1, bytes('1'));
    expect(none.size.entries).toBe(0);
  });
});

describe('sqlite outbox: claimed bodies', () => {
  it('claims the appended body without reading it back, and the table holds the same bytes', async () => {
    const path = freshFile();
    const store = await openSqliteStore({ path });
    try {
      const appended = note('call-1', 1);
      await store.transact((tx) => tx.appendNotifications([appended]));
      const [row] = await store.outbox.claimDue(T0, T0 + 10_000, 10);
      const claimed = storedBodyOf(row!);
      expect(claimed).toBeInstanceOf(Uint8Array);
      expect(JSON.parse(Buffer.from(claimed).toString())).toEqual(appended.notification.body);
      const raw = new Database(path, { readonly: true });
      const stored = raw.prepare('SELECT body FROM outbox_bodies WHERE seq = ?').get(row!.seq) as { body: Buffer };
      raw.close();
      expect(Buffer.compare(stored.body, Buffer.from(claimed))).toBe(0);
      // The delivery's log line gets the change types and resources without parsing the body.
      expect(notificationSummaryOf(row!)).toEqual({
        changeTypes: ['updated'],
        resources: ['/communications/calls/call-1'],
      });
      expect(storedBodyOf(row!)).toBe(claimed);
    } finally {
      await store.close();
    }
  });

  it('never hands out the body of a rolled-back command, though its row number is given to the next row', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      // Even with the same message id (an id source that gives it again): the row that stands has its own body.
      const lost = note('call-1', 2);
      lost.notification.body = { value: [{ changeType: 'updated', lost: true }] };
      await expect(
        store.transact(async (tx) => {
          await tx.appendNotifications([lost]);
          throw new Error('the command fails after appending');
        }),
      ).rejects.toThrow('the command fails');
      const kept = note('call-1', 2);
      await store.transact((tx) => tx.appendNotifications([kept]));
      const rows = await store.outbox.claimDue(T0, T0 + 10_000, 10);
      expect(rows.map((r) => [r.seq, r.messageId, r.body])).toEqual([[1, kept.messageId, kept.notification.body]]);
    } finally {
      await store.close();
    }
  });

  it('reads the body from the table for a retry, after a restart and after a reset', async () => {
    const path = freshFile();
    let store = await openSqliteStore({ path });
    await store.transact((tx) => tx.appendNotifications([note('call-1', 1)]));
    const [first] = await store.outbox.claimDue(T0, T0 + 1, 10);
    // The lease lapses without a result: claimed again, its body now from the table.
    const [again] = await store.outbox.claimDue(T0 + 2, T0 + 10_000, 10);
    expect(again?.seq).toBe(first?.seq);
    expect(again?.body).toEqual(note('call-1', 1).notification.body);
    await store.close();
    store = await openSqliteStore({ path });
    try {
      const [afterRestart] = await store.outbox.claimDue(T0 + 20_000, T0 + 30_000, 10);
      expect(afterRestart?.body).toEqual(note('call-1', 1).notification.body);
      await store.reset(T0 + 40_000);
      await store.transact((tx) => tx.appendNotifications([note('call-2', 1)]));
      const [afterReset] = await store.outbox.claimDue(T0 + 40_000, T0 + 50_000, 10);
      expect(afterReset?.body).toEqual(note('call-2', 1).notification.body);
    } finally {
      await store.close();
    }
  });
});
