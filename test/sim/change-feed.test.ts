/**
 * ChangeFeed: delivers events in seq order, once each, only while watched; waits on a seq gap (PostgreSQL commits
 * seqs out of order) until it fills or times out; and on PostgreSQL an instance sees what another one committed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../src/sim/feed.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import type { EventStore, FeedEvent, FeedEventInput, Store } from '../../src/store/store.js';
import { describePostgres, TEST_POSTGRES_URL, testSchemas } from '../helpers/postgres.js';
import { fastWorld, startTestServer } from '../helpers/server.js';
import { readFeed } from '../helpers/sse.js';
import { DEFAULT_APP_ID, DEFAULT_TENANT_ID, DEFAULT_USERS } from '../../src/sim/default-world.js';

const event = (seq: number): FeedEvent => ({
  seq,
  kind: 'command',
  rt: seq,
  at: seq,
  conversationId: 'c',
  callId: null,
  body: {},
});

/** An EventStore over an array the test fills, counting reads. */
function fakeEvents(): EventStore & { rows: FeedEvent[]; reads: number } {
  const self = {
    rows: [] as FeedEvent[],
    reads: 0,
    append: () => Promise.resolve(),
    after: (afterSeq: number, limit: number) => {
      self.reads += 1;
      return Promise.resolve(
        self.rows
          .filter((e) => e.seq > afterSeq)
          .sort((a, b) => a.seq - b.seq)
          .slice(0, limit),
      );
    },
    ofConversation: () => Promise.resolve([]),
    commandsMentioning: () => Promise.resolve([]),
    latestSeq: () => Promise.resolve(Math.max(0, ...self.rows.map((e) => e.seq))),
    prune: () => Promise.resolve(0),
  };
  return self;
}

const until = async (cond: () => boolean, what: string, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ChangeFeed', () => {
  const feeds: ChangeFeed[] = [];
  afterEach(() => {
    for (const f of feeds.splice(0)) f.stop();
  });

  it('reads nothing while nobody watches, then delivers new events in order, each once', async () => {
    const events = fakeEvents();
    events.rows.push(event(1));
    const feed = new ChangeFeed({ events, pollMs: 20, gapWaitMs: 0, epoch: 'test' });
    feeds.push(feed);
    await new Promise((r) => setTimeout(r, 60));
    expect(events.reads).toBe(0);
    const got: number[] = [];
    const { head, unsubscribe } = await feed.subscribe((es) => got.push(...es.map((e) => e.seq)));
    expect(head).toBe(1);
    events.rows.push(event(2), event(3));
    feed.wake();
    await until(() => got.length === 2, 'events 2 and 3');
    events.rows.push(event(4));
    await until(() => got.length === 3, 'event 4 by polling');
    expect(got).toEqual([2, 3, 4]);
    unsubscribe();
    const reads = events.reads;
    await new Promise((r) => setTimeout(r, 80));
    expect(events.reads).toBe(reads);
    expect(await feed.backlog(0, 3)).toEqual([event(1), event(2), event(3)]);
  });

  it('holds back events behind a gap until it fills', async () => {
    const events = fakeEvents();
    const feed = new ChangeFeed({ events, pollMs: 20, gapWaitMs: 10_000, epoch: 'test' });
    feeds.push(feed);
    const got: number[] = [];
    await feed.subscribe((es) => got.push(...es.map((e) => e.seq)));
    events.rows.push(event(1), event(3));
    feed.wake();
    await until(() => got.length === 1, 'event 1');
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([1]);
    events.rows.push(event(2));
    await until(() => got.length === 3, 'events 2 and 3 once the gap filled');
    expect(got).toEqual([1, 2, 3]);
  });

  it('skips a gap that does not fill within gapWaitMs (a rolled-back insert)', async () => {
    const events = fakeEvents();
    const feed = new ChangeFeed({ events, pollMs: 20, gapWaitMs: 150, epoch: 'test' });
    feeds.push(feed);
    const got: number[] = [];
    await feed.subscribe((es) => got.push(...es.map((e) => e.seq)));
    events.rows.push(event(2));
    await until(() => got.length === 1, 'event 2 after the gap timed out');
    expect(got).toEqual([2]);
  });
});

describePostgres('ChangeFeed on PostgreSQL with several instances', () => {
  const freshSchema = testSchemas();
  const stores: Store[] = [];
  const feeds: ChangeFeed[] = [];
  afterEach(async () => {
    for (const f of feeds.splice(0)) f.stop();
    for (const s of stores.splice(0)) await s.close();
  });

  it('an instance delivers what another instance committed, in seq order', async () => {
    const schema = freshSchema();
    const a = await openPostgresStore({ connectionString: TEST_POSTGRES_URL, schema });
    const b = await openPostgresStore({ connectionString: TEST_POSTGRES_URL, schema });
    stores.push(a, b);
    const feedB = new ChangeFeed({ events: b.events, pollMs: 50, gapWaitMs: 3000, epoch: 'test' });
    feeds.push(feedB);
    const got: FeedEvent[] = [];
    await feedB.subscribe((es) => got.push(...es));
    const input = (n: number): FeedEventInput => ({
      kind: 'command',
      rt: n,
      at: n,
      conversationId: `conv-${n}`,
      callId: null,
      body: { n },
    });
    // Concurrent commands on A: their seqs may commit out of order; B still delivers each once, in seq order.
    await Promise.all(Array.from({ length: 20 }, (_, i) => a.transact((tx) => tx.appendEvents([input(i)]))));
    await a.events.append([input(100)]);
    await until(() => got.length === 21, 'all 21 events on instance B', 8000);
    const seqs = got.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(got.map((e) => e.body.n)).size).toBe(21);
  });

  it('a dashboard stream on one server shows a call another server on the same database took', async () => {
    const config = { postgres: TEST_POSTGRES_URL, postgresSchema: freshSchema() };
    // The callback refuses connections: deliveries fail and retry, which changes nothing here.
    const a = await startTestServer(fastWorld('http://127.0.0.1:9/callback'), { config });
    const b = await startTestServer(fastWorld('http://127.0.0.1:9/callback'), { config });
    const onB = await readFeed(`${b.httpUrl}/_switchboard/events`);
    try {
      await onB.ready;
      const res = await fetch(`${a.httpUrl}/_switchboard/incoming-calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          tenantId: DEFAULT_TENANT_ID,
          source: { user: { id: DEFAULT_USERS.adele } },
          target: { application: { id: DEFAULT_APP_ID } },
          requestedModalities: ['audio'],
        }),
      });
      expect(res.status).toBe(201);
      const callId = ((await res.json()) as { id: string }).id;
      const seen = await onB.waitFor(
        (e) => e.kind === 'command' && JSON.stringify(e.body).includes(callId),
        'the incoming call, on the other server',
      );
      expect(seen.body.cause).toEqual({ kind: 'control', what: 'incomingCall' });
      await onB.waitFor(
        (e) => e.kind === 'delivery' && e.callId === callId,
        'a delivery attempt of the call, made by either server',
      );
    } finally {
      onB.close();
      await a.close();
      await b.close();
    }
  });
});
