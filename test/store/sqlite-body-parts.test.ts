/**
 * SQLite stores a big notification body as a recipe over parts stored once (src/store/sqlite/body-parts.ts, migration
 * 7): a roster `updated` lists the whole roster, so consecutive bodies of a call repeat the same participants. What is
 * sent, claimed after a restart, listed and redelivered is always the whole body.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sqliteFiles } from './sqlite-files.js';
import { jsonFragment, jsonFragmentList } from '../../src/domain/shared-values.js';
import { MIN_RECIPE_BYTES, readRecipe, writeRecipe } from '../../src/store/sqlite/body-parts.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { attempt, bodyTextOf, note, noteWithBody, T0, TENANT } from './fixtures.js';

const freshFile = sqliteFiles('switchboard-parts-');

/** A participant as the domain renders it for a roster: registered once (jsonFragment), shared by every body. */
const person = (i: number) =>
  jsonFragment({
    '@odata.type': '#microsoft.graph.participant',
    id: `participant-${i}`,
    info: { identity: { user: { id: `user-${i}`, displayName: `Participant number ${i}`, tenantId: TENANT } } },
    mediaStreams: [{ mediaType: 'audio', direction: 'sendReceive', serverMuted: false }],
    isMuted: false,
    isInLobby: false,
  });

/** A whole-roster `updated` for `callId` listing `people`, as the domain builds one (rosterNotification). */
function rosterNote(callId: string, n: number, people: readonly object[], createdAt = T0): ReturnType<typeof note> {
  return noteWithBody(
    callId,
    n,
    {
      '@odata.type': '#microsoft.graph.commsNotifications',
      value: [
        {
          '@odata.type': '#microsoft.graph.commsNotification',
          changeType: 'updated',
          resourceUrl: `/communications/calls/${callId}/participants`,
          resourceData: jsonFragmentList([...people]),
        },
      ],
    },
    createdAt,
  );
}

const jsonOf = (n: ReturnType<typeof note>): string => JSON.stringify(n.notification.body);

function raw(path: string): Database.Database {
  return new Database(path, { readonly: true });
}

const storedBodies = (db: Database.Database) =>
  db.prepare('SELECT seq, body FROM outbox_bodies ORDER BY seq').all() as { seq: number; body: Buffer }[];
const partCount = (db: Database.Database) =>
  (db.prepare('SELECT COUNT(*) AS n FROM body_parts').get() as { n: number }).n;

async function claimAll(store: Store, at = T0 + 1) {
  return store.outbox.claimDue(at, at + 10_000, 1000);
}

describe('sqlite body parts (migration 7)', () => {
  it('stores a big body as a recipe over parts stored once, and claims, lists and sends it whole after a restart', async () => {
    const path = freshFile();
    const people = Array.from({ length: 40 }, (_, i) => person(i));
    const first = rosterNote('call-1', 1, people.slice(0, 39));
    const second = rosterNote('call-1', 2, people);
    const small = rosterNote('call-2', 3, people.slice(0, 2));
    let store = await openSqliteStore({ path });
    await store.transact((tx) => tx.appendNotifications([first]));
    await store.transact((tx) => tx.appendNotifications([second, small]));
    await store.close();

    const db = raw(path);
    const [a, b, c] = storedBodies(db);
    // 40 distinct participants, stored once each though two bodies list 39 of them.
    expect(partCount(db)).toBe(40);
    expect(a!.body[0]).toBe(0);
    expect(b!.body[0]).toBe(0);
    expect(a!.body.length).toBeLessThan(Buffer.byteLength(jsonOf(first)) / 10);
    // Under a page: stored whole.
    expect(Buffer.byteLength(jsonOf(small))).toBeLessThan(MIN_RECIPE_BYTES);
    expect(c!.body.toString('utf8')).toBe(jsonOf(small));
    db.close();

    // A new process: nothing kept in memory, every body expanded from the table.
    store = await openSqliteStore({ path });
    const claimed = await claimAll(store);
    expect(claimed.map((r) => bodyTextOf(r))).toEqual([jsonOf(first), jsonOf(small)]);
    await store.outbox.markDelivered(claimed[0]!.seq, T0 + 2, attempt(claimed[0]!.seq, 1, 202));
    const next = await claimAll(store, T0 + 3);
    expect(next.map((r) => bodyTextOf(r))).toEqual([jsonOf(second)]);
    const listed = await store.outbox.list({});
    expect(listed.map((r) => JSON.stringify(r.body))).toEqual([jsonOf(first), jsonOf(second), jsonOf(small)]);
    await store.close();
  });

  it('forgets the parts a rolled-back command stored: a later body stores them again and reads back whole', async () => {
    const path = freshFile();
    const people = Array.from({ length: 30 }, (_, i) => person(100 + i));
    let store = await openSqliteStore({ path });
    await expect(
      store.transact(async (tx) => {
        await tx.appendNotifications([rosterNote('call-1', 1, people)]);
        throw new Error('the command fails after appending');
      }),
    ).rejects.toThrow('the command fails');
    const kept = rosterNote('call-1', 2, people);
    await store.transact((tx) => tx.appendNotifications([kept]));
    await store.close();
    const db = raw(path);
    expect(partCount(db)).toBe(30);
    db.close();
    store = await openSqliteStore({ path });
    expect((await claimAll(store)).map((r) => bodyTextOf(r))).toEqual([jsonOf(kept)]);
    await store.close();
  });

  it('stores a dead letter whole, so pruning the parts leaves it readable and redeliverable', async () => {
    const path = freshFile();
    const people = Array.from({ length: 30 }, (_, i) => person(200 + i));
    const dead = rosterNote('call-1', 1, people);
    const delivered = rosterNote('call-2', 2, people);
    let store = await openSqliteStore({ path });
    await store.transact((tx) => tx.appendNotifications([dead, delivered]));
    const rows = await claimAll(store);
    await store.outbox.markFailed(rows[0]!.seq, null, T0 + 2, 'HTTP 500', attempt(rows[0]!.seq, 1, 500));
    await store.outbox.markDelivered(rows[1]!.seq, T0 + 2, attempt(rows[1]!.seq, 1, 202));
    // Retention takes the delivered row; the dead one stays, and nothing readable names a part any more.
    await store.prune(T0 + 10, 100);
    await store.close();

    const db = raw(path);
    expect(partCount(db)).toBe(0);
    const [only] = storedBodies(db);
    expect(only!.body.toString('utf8')).toBe(jsonOf(dead));
    db.close();
    store = await openSqliteStore({ path });
    const { requeued } = await store.outbox.requeueDead({ messageId: dead.messageId }, T0 + 20);
    expect(requeued.map((r) => JSON.stringify(r.body))).toEqual([jsonOf(dead)]);
    expect((await claimAll(store, T0 + 21)).map((r) => bodyTextOf(r))).toEqual([jsonOf(dead)]);
    await store.close();
  });

  it('prunes only parts no readable body can name, and stores a part again once its row is too far behind', async () => {
    const path = freshFile();
    // A part may be named by bodies up to 4 rows after the one it was stored for.
    let store = await openSqliteStore({ path, bodyPartsRefreshSeqs: 4 });
    const people = Array.from({ length: 30 }, (_, i) => person(300 + i));
    const notes = Array.from({ length: 10 }, (_, n) => rosterNote(`call-${n}`, n, people));
    for (const n of notes) await store.transact((tx) => tx.appendNotifications([n]));
    let db = raw(path);
    // Stored for rows 1, 5 and 9: each time the last copy was 4 rows behind.
    expect(partCount(db)).toBe(90);
    db.close();

    // Deliver and prune the first six rows: the oldest readable row is 7, which names the parts stored for row 5.
    for (const r of await claimAll(store)) {
      if (r.seq <= 6) await store.outbox.markDelivered(r.seq, T0 + 2, attempt(r.seq, 1, 202));
    }
    await store.prune(T0 + 10, 100);
    db = raw(path);
    expect(
      (db.prepare('SELECT DISTINCT seq FROM body_parts ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq),
    ).toEqual([5, 9]);
    db.close();
    const listed = await store.outbox.list({});
    expect(listed.map((r) => JSON.stringify(r.body))).toEqual(notes.slice(6).map(jsonOf));

    // Parts still stored are named again: a new body within 4 rows of the last copies stores none.
    const latest = rosterNote('call-x', 99, people);
    await store.transact((tx) => tx.appendNotifications([latest]));
    await store.close();
    db = raw(path);
    expect(partCount(db)).toBe(60);
    db.close();
    store = await openSqliteStore({ path });
    const all = await store.outbox.list({});
    expect(all.map((r) => JSON.stringify(r.body))).toEqual([...notes.slice(6).map(jsonOf), jsonOf(latest)]);
    await store.close();
  });

  it('stores a remembered part again once a prune deleted it, and the body reads back whole', async () => {
    const path = freshFile();
    let store = await openSqliteStore({ path, bodyPartsRefreshSeqs: 4 });
    const people = Array.from({ length: 30 }, (_, i) => person(500 + i));
    // Call A's roster at row 1 (its parts remembered), then 19 small rows of call B.
    const first = rosterNote('call-a', 1, people);
    await store.transact((tx) => tx.appendNotifications([first]));
    for (let n = 2; n <= 20; n++) await store.transact((tx) => tx.appendNotifications([note('call-b', n)]));
    // Everything delivered but row 20: the oldest readable row is 20, so call A's parts (row 1) are deleted.
    for (let at = T0 + 1; ; at++) {
      const due = (await claimAll(store, at)).filter((r) => r.seq < 20);
      if (due.length === 0) break;
      for (const r of due) await store.outbox.markDelivered(r.seq, at, attempt(r.seq, 1, 202));
    }
    await store.prune(T0 + 1_000, 100);
    let db = raw(path);
    expect(partCount(db)).toBe(0);
    db.close();
    // Row 20 dies and is purged: the outbox is empty (its seqs go on: AUTOINCREMENT).
    const [last] = await claimAll(store, T0 + 100_000);
    expect(last?.seq).toBe(20);
    await store.outbox.markFailed(20, null, T0 + 100_001, 'HTTP 500', attempt(20, 1, 500));
    await store.outbox.purgeDead('all');
    const again = rosterNote('call-a', 21, people);
    await store.transact((tx) => tx.appendNotifications([again]));
    await store.close();
    db = raw(path);
    expect(storedBodies(db).map((b) => b.seq)).toEqual([21]);
    // The remembered parts (row 1) are gone and more than 4 rows behind: stored again.
    expect(partCount(db)).toBe(30);
    db.close();
    store = await openSqliteStore({ path });
    expect((await store.outbox.list({})).map((r) => JSON.stringify(r.body))).toEqual([jsonOf(again)]);
    await store.close();
  });

  it('empties the parts with everything else on reset, in memory as on a file', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const people = Array.from({ length: 30 }, (_, i) => person(400 + i));
    await store.transact((tx) => tx.appendNotifications([rosterNote('call-1', 1, people)]));
    await store.reset(T0 + 1);
    const again = rosterNote('call-1', 2, people);
    await store.transact((tx) => tx.appendNotifications([again]));
    expect((await store.outbox.list({})).map((r) => JSON.stringify(r.body))).toEqual([jsonOf(again)]);
    await store.close();
  });

  it('reads back every recipe it writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.nat({ max: Number.MAX_SAFE_INTEGER })), { maxLength: 20 }),
        fc.string(),
        (pairs, last) => {
          const texts = [...pairs.map(([t]) => t), last];
          const ids = pairs.map(([, id]) => id);
          const expected: (string | number)[] = [];
          texts.forEach((t, i) => {
            if (t !== '') expected.push(t);
            if (i < ids.length) expected.push(ids[i]!);
          });
          const read = readRecipe(writeRecipe(texts, ids)).map((p) =>
            typeof p === 'number' ? p : Buffer.from(p).toString('utf8'),
          );
          expect(read).toEqual(expected);
        },
      ),
    );
  });
});
