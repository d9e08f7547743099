/** The change-feed part of the store contract (see contract.ts): the `events` table both stores keep. */
import { describe, expect, it } from 'vitest';
import type { FeedEventInput, Store } from '../../src/store/store.js';
import { attempt, note, T0 } from './fixtures.js';

const ev = (over: Partial<FeedEventInput> = {}): FeedEventInput => ({
  kind: 'command',
  rt: T0 * 1000,
  at: T0,
  conversationId: 'conv-1',
  callId: null,
  body: { n: 1 },
  ...over,
});

export function runEventContract(getStore: () => Store): void {
  describe('change feed (events)', () => {
    it('appends in a command transaction and outside one, and reads back in seq order with every field', async () => {
      const store = getStore();
      expect(await store.events.latestSeq()).toBe(0);
      await store.transact((tx) =>
        tx.appendEvents([
          ev({ body: { legs: [{ id: 'call-a' }] } }),
          ev({ conversationId: 'conv-2', rt: T0 * 1000 + 1 }),
        ]),
      );
      await store.events.append([
        ev({
          kind: 'request',
          conversationId: null,
          callId: 'call-a',
          at: T0 + 5,
          body: { method: 'GET', path: '/v1.0/communications/calls/call-a' },
        }),
      ]);
      const all = await store.events.after(0, 100);
      expect(all.map((e) => [e.kind, e.conversationId, e.callId])).toEqual([
        ['command', 'conv-1', null],
        ['command', 'conv-2', null],
        ['request', null, 'call-a'],
      ]);
      expect(all[2]).toEqual({
        seq: all[2]!.seq,
        kind: 'request',
        rt: T0 * 1000,
        at: T0 + 5,
        conversationId: null,
        callId: 'call-a',
        body: { method: 'GET', path: '/v1.0/communications/calls/call-a' },
      });
      expect(all[0]!.seq).toBeLessThan(all[1]!.seq);
      expect(all[1]!.seq).toBeLessThan(all[2]!.seq);
      expect(await store.events.latestSeq()).toBe(all[2]!.seq);
      expect((await store.events.after(all[0]!.seq, 1)).map((e) => e.seq)).toEqual([all[1]!.seq]);
      expect(await store.events.after(all[2]!.seq, 100)).toEqual([]);
    });

    it('drops a rolled-back command’s events with it', async () => {
      const store = getStore();
      await expect(
        store.transact(async (tx) => {
          await tx.appendEvents([ev()]);
          throw new Error('decided against it');
        }),
      ).rejects.toThrow('decided against it');
      expect(await store.events.after(0, 100)).toEqual([]);
    });

    it('reads a conversation: its commands and its legs’ own events, newest `limit`, in seq order', async () => {
      const store = getStore();
      await store.events.append([
        ev({ body: { i: 1 } }),
        ev({ kind: 'request', conversationId: null, callId: 'call-a', body: { i: 2 } }),
        ev({ conversationId: 'conv-2', body: { i: 3 } }),
        ev({ kind: 'delivery', conversationId: null, callId: 'call-b', body: { i: 4 } }),
        ev({ kind: 'delivery', conversationId: null, callId: 'call-other', body: { i: 5 } }),
        ev({ body: { i: 6 } }),
      ]);
      const of = async (calls: string[], limit = 100) =>
        (await store.events.ofConversation('conv-1', calls, limit)).map((e) => e.body.i);
      expect(await of(['call-a', 'call-b'])).toEqual([1, 2, 4, 6]);
      expect(await of([])).toEqual([1, 6]);
      expect(await of(['call-a', 'call-b'], 2)).toEqual([4, 6]);
    });

    it('finds the newest commands mentioning a call id (an ended call’s conversation)', async () => {
      const store = getStore();
      await store.events.append([
        ev({ body: { legs: [{ id: 'call-gone' }] } }),
        ev({ kind: 'request', conversationId: null, callId: 'call-gone', body: { path: 'call-gone' } }),
        ev({ conversationId: 'conv-2', body: { legs: [{ id: 'call-gone' }] } }),
        ev({ conversationId: 'conv-3', body: { legs: [{ id: 'call-other' }] } }),
      ]);
      const found = await store.events.commandsMentioning('call-gone', 5);
      expect(found.map((e) => e.conversationId)).toEqual(['conv-2', 'conv-1']);
      expect(await store.events.commandsMentioning('call-none', 5)).toEqual([]);
    });

    it('prunes all but the newest events', async () => {
      const store = getStore();
      await store.events.append(Array.from({ length: 10 }, (_, i) => ev({ body: { i } })));
      expect(await store.events.prune(3)).toBe(7);
      expect((await store.events.after(0, 100)).map((e) => e.body.i)).toEqual([7, 8, 9]);
      expect(await store.events.prune(3)).toBe(0);
    });

    it('records each delivery attempt (status, outcome, next try, token) with the row’s call and message id', async () => {
      const store = getStore();
      await store.transact((tx) => tx.appendNotifications([note('call-a', 1), note('call-a', 2)]));
      const [one, two] = await store.outbox.list({});
      await store.outbox.markFailed(one!.seq, T0 + 1000, T0 + 10, 'HTTP 500', {
        ...attempt(one!.seq, 1, 500, 'HTTP 500', T0),
        token: 'jwt-1',
      });
      await store.outbox.markDelivered(one!.seq, T0 + 1000, attempt(one!.seq, 2, 202, null, T0 + 1000));
      await store.outbox.markFailed(
        two!.seq,
        null,
        T0 + 2000,
        'refused',
        attempt(two!.seq, 1, null, 'refused', T0 + 1999),
      );
      const deliveries = (await store.events.after(0, 100)).filter((e) => e.kind === 'delivery');
      expect(
        deliveries.map((e) => [
          e.callId,
          e.at,
          e.body.messageId,
          e.body.outcome,
          e.body.statusCode,
          e.body.nextAttemptAt,
        ]),
      ).toEqual([
        ['call-a', T0 + 10, 'call-a-msg-1', 'retrying', 500, T0 + 1000],
        ['call-a', T0 + 1000, 'call-a-msg-1', 'delivered', 202, null],
        ['call-a', T0 + 2000, 'call-a-msg-2', 'deadLettered', null, null],
      ]);
      expect(deliveries[0]!.body).toMatchObject({ sequence: one!.seq, attempt: 1, error: 'HTTP 500', token: 'jwt-1' });
      expect(deliveries[0]!.conversationId).toBeNull();
      // Redelivering the dead letter is in the feed too.
      await store.outbox.requeueDead({ messageId: 'call-a-msg-2' }, T0 + 3000);
      const [redeliver] = await store.events.after(deliveries[2]!.seq, 100);
      expect(redeliver).toMatchObject({
        kind: 'redeliver',
        callId: 'call-a',
        at: T0 + 3000,
        body: { sequence: two!.seq, messageId: 'call-a-msg-2' },
      });
    });

    it('lists the newest outbox rows in sequence order (the dashboard’s delivery log)', async () => {
      const store = getStore();
      await store.transact((tx) =>
        tx.appendNotifications([note('call-a', 1), note('call-b', 1), note('call-a', 2), note('call-b', 2)]),
      );
      const ids = (rows: { messageId: string }[]) => rows.map((r) => r.messageId);
      expect(ids(await store.outbox.list({ limit: 2, newest: true }))).toEqual(['call-a-msg-2', 'call-b-msg-2']);
      expect(ids(await store.outbox.list({ callId: 'call-a', limit: 1, newest: true }))).toEqual(['call-a-msg-2']);
      expect(ids(await store.outbox.list({ limit: 2 }))).toEqual(['call-a-msg-1', 'call-b-msg-1']);
    });

    it('a reset empties the feed and leaves one reset event, seq going on past the old ones', async () => {
      const store = getStore();
      await store.events.append([ev(), ev()]);
      const before = await store.events.latestSeq();
      await store.reset(T0 + 99);
      const after = await store.events.after(0, 100);
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ kind: 'reset', at: T0 + 99, conversationId: null, callId: null, body: {} });
      expect(after[0]!.seq).toBeGreaterThan(before);
    });
  });
}
