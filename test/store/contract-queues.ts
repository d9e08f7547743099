/** Outbox and timer part of the store contract (see contract.ts). */
import { describe, expect, it } from 'vitest';
import type { TimerRequest } from '../../src/domain/types.js';
import type { Store } from '../../src/store/store.js';
import { attempt, note, T0 } from './fixtures.js';

const LEASE = 10_000;

export function runQueueContract(getStore: () => Store): void {
  const append = (rows: ReturnType<typeof note>[]) => getStore().transact((tx) => tx.appendNotifications(rows));
  const claim = (now: number, limit = 100) => getStore().outbox.claimDue(now, now + LEASE, limit);
  const ids = (rows: { messageId: string }[]) => rows.map((r) => r.messageId);

  describe('outbox', () => {
    it('appends rows that list back in order with their fields', async () => {
      await append([note('call-a', 1), note('call-b', 1, T0 + 5)]);
      const rows = await getStore().outbox.list({});
      expect(rows).toHaveLength(2);
      const [a, b] = rows;
      expect(a).toEqual({
        seq: a!.seq,
        messageId: 'call-a-msg-1',
        callId: 'call-a',
        tenantId: note('call-a', 1).notification.tenantId,
        appId: note('call-a', 1).notification.appId,
        callbackUri: 'https://bot.example/api/calls/call-a',
        body: note('call-a', 1).notification.body,
        createdAt: T0,
        attempts: 0,
        nextAttemptAt: T0,
        deliveredAt: null,
        deadAt: null,
        lastError: null,
        requeuedAt: null,
      });
      expect(b!.seq).toBeGreaterThan(a!.seq);
      expect(b!.nextAttemptAt).toBe(T0 + 5);
      expect(ids(await getStore().outbox.list({ callId: 'call-b' }))).toEqual(['call-b-msg-1']);
      expect(ids(await getStore().outbox.list({ limit: 1 }))).toEqual(['call-a-msg-1']);
      // Paging on: after the first row's sequence, the next one (per call too).
      const [first] = await getStore().outbox.list({ limit: 1 });
      expect(ids(await getStore().outbox.list({ afterSeq: first!.seq, limit: 1 }))).toEqual(['call-b-msg-1']);
      expect(ids(await getStore().outbox.list({ callId: 'call-b', afterSeq: first!.seq }))).toEqual(['call-b-msg-1']);
      expect(await getStore().outbox.list({ callId: 'call-a', afterSeq: first!.seq })).toEqual([]);
      expect(await getStore().outbox.list({ afterSeq: b!.seq })).toEqual([]);
    });

    it('rejects a duplicate message id', async () => {
      await append([note('call-a', 1)]);
      await expect(append([note('call-a', 1)])).rejects.toThrow();
      expect(await getStore().outbox.list({})).toHaveLength(1);
    });

    it('claims only the oldest pending row of each call, then the next once it is delivered', async () => {
      // Interleaved appends: a1 b1 a2 b2 a3 b3.
      await append([1, 2, 3].flatMap((n) => [note('call-a', n), note('call-b', n)]));
      const first = await claim(T0);
      expect(ids(first)).toEqual(['call-a-msg-1', 'call-b-msg-1']);
      // Both heads are in flight: nothing else of either call may go.
      expect(await claim(T0)).toEqual([]);
      await getStore().outbox.markDelivered(first[0]!.seq, T0 + 1, attempt(first[0]!.seq, 1, 202, null, T0));
      expect(ids(await claim(T0 + 1))).toEqual(['call-a-msg-2']);
      await getStore().outbox.markDelivered(first[1]!.seq, T0 + 2, attempt(first[1]!.seq, 1, 202));
      expect(ids(await claim(T0 + 2))).toEqual(['call-b-msg-2']);
      const delivered = (await getStore().outbox.list({ callId: 'call-a' }))[0]!;
      expect(delivered).toMatchObject({ deliveredAt: T0 + 1, attempts: 1, deadAt: null });
    });

    it('respects the limit and the due time', async () => {
      await append([note('call-a', 1), note('call-b', 1), note('call-c', 1), note('call-later', 1, T0 + 500)]);
      expect(ids(await claim(T0, 2))).toEqual(['call-a-msg-1', 'call-b-msg-1']);
      expect(ids(await claim(T0, 5))).toEqual(['call-c-msg-1']);
      expect(await claim(T0 + 499)).toEqual([]);
      expect(ids(await claim(T0 + 500))).toEqual(['call-later-msg-1']);
      expect(await claim(T0 + 500, 0)).toEqual([]);
    });

    it('leases a claimed row: no second claim until the lease ends', async () => {
      await append([note('call-a', 1)]);
      const [row] = await getStore().outbox.claimDue(T0, T0 + 1000, 10);
      expect(await getStore().outbox.claimDue(T0 + 999, T0 + 2000, 10)).toEqual([]);
      expect(await getStore().outbox.nextDueAt()).toBe(T0 + 1000);
      // The claimer vanished: the row comes back when the lease ends.
      const again = await getStore().outbox.claimDue(T0 + 1000, T0 + 2000, 10);
      expect(again.map((r) => r.seq)).toEqual([row!.seq]);
    });

    it('schedules a retry and keeps the call blocked behind it', async () => {
      await append([note('call-a', 1), note('call-a', 2)]);
      const [row] = await claim(T0);
      await getStore().outbox.markFailed(
        row!.seq,
        T0 + 5000,
        T0 + 10,
        'HTTP 500',
        attempt(row!.seq, 1, 500, 'HTTP 500'),
      );
      const [listed] = await getStore().outbox.list({ callId: 'call-a' });
      expect(listed).toMatchObject({
        attempts: 1,
        nextAttemptAt: T0 + 5000,
        lastError: 'HTTP 500',
        deliveredAt: null,
        deadAt: null,
      });
      expect(await getStore().outbox.nextDueAt()).toBe(T0 + 5000);
      expect(await claim(T0 + 4999)).toEqual([]);
      const retried = await claim(T0 + 5000);
      expect(retried.map((r) => [r.seq, r.attempts])).toEqual([[row!.seq, 1]]);
    });

    it('dead-letters a row: kept and visible, never claimed again, and the call moves on', async () => {
      await append([note('call-a', 1), note('call-a', 2)]);
      const [row] = await claim(T0);
      await getStore().outbox.markFailed(row!.seq, null, T0 + 10, 'timeout', attempt(row!.seq, 1, null, 'timeout'));
      const rows = await getStore().outbox.list({ callId: 'call-a' });
      expect(rows[0]).toMatchObject({
        seq: row!.seq,
        deadAt: T0 + 10,
        deliveredAt: null,
        lastError: 'timeout',
        attempts: 1,
      });
      expect(ids(await claim(T0 + LEASE * 10))).toEqual(['call-a-msg-2']);
      expect(await getStore().outbox.list({})).toHaveLength(2);
    });

    describe("requeueDead: dead letters back in the queue, in the call's order", () => {
      const outbox = () => getStore().outbox;
      /** Claims call-a's head and dead-letters it at `at`. */
      const killHead = async (at: number): Promise<number> => {
        const [row] = await claim(at);
        await outbox().markFailed(
          row!.seq,
          null,
          at + 1,
          'HTTP 500',
          attempt(row!.seq, row!.attempts + 1, 500, 'HTTP 500', at),
        );
        return row!.seq;
      };

      it("one message: same seq, id, body and attempts, due now, and the call's head again", async () => {
        await append([note('call-a', 1), note('call-a', 2)]);
        const dead = await killHead(T0);
        const before = (await outbox().list({ callId: 'call-a' }))[0]!;
        const now = T0 + 7 * 86_400_000;
        const { matched, requeued } = await outbox().requeueDead({ messageId: 'call-a-msg-1' }, now);
        expect(matched).toBe(1);
        expect(requeued).toEqual([{ ...before, deadAt: null, nextAttemptAt: now, requeuedAt: now }]);
        expect(requeued[0]).toMatchObject({ seq: dead, messageId: 'call-a-msg-1', attempts: 1, lastError: 'HTTP 500' });
        expect(await outbox().nextDueAt()).toBe(now);
        // The requeued row is older than msg-2, which was the head: it goes first, then msg-2.
        const first = await claim(now);
        expect(ids(first)).toEqual(['call-a-msg-1']);
        expect(await claim(now)).toEqual([]);
        await outbox().markDelivered(dead, now + 1, attempt(dead, 2, 202, null, now));
        expect(ids(await claim(now + 1))).toEqual(['call-a-msg-2']);
        // Its attempt history is kept across the requeue.
        expect((await outbox().attempts([dead])).map((a) => a.statusCode)).toEqual([500, 202]);
      });

      it('the head in flight keeps going; the requeued row follows it, before the rows after it', async () => {
        await append([note('call-a', 1), note('call-a', 2), note('call-a', 3)]);
        await killHead(T0);
        const [inFlight] = await claim(T0 + 10);
        expect(inFlight!.messageId).toBe('call-a-msg-2');
        const { requeued } = await outbox().requeueDead({ messageId: 'call-a-msg-1' }, T0 + 20);
        expect(ids(requeued)).toEqual(['call-a-msg-1']);
        // Never two rows of a call in flight.
        expect(await claim(T0 + 20)).toEqual([]);
        await outbox().markDelivered(inFlight!.seq, T0 + 30, attempt(inFlight!.seq, 1, 202, null, T0 + 20));
        const next = await claim(T0 + 30);
        expect(ids(next)).toEqual(['call-a-msg-1']);
        await outbox().markDelivered(next[0]!.seq, T0 + 40, attempt(next[0]!.seq, 2, 202, null, T0 + 30));
        expect(ids(await claim(T0 + 40))).toEqual(['call-a-msg-3']);
      });

      it("a whole call: every dead letter, in seq order, before the call's pending rows; other calls untouched", async () => {
        await append([note('call-a', 1), note('call-a', 2), note('call-a', 3), note('call-b', 1)]);
        const [, b] = await claim(T0);
        await outbox().markFailed(b!.seq, null, T0 + 1, 'HTTP 500', attempt(b!.seq, 1, 500, 'HTTP 500', T0));
        const seqs = await outbox().list({ callId: 'call-a' });
        await outbox().markFailed(
          seqs[0]!.seq,
          null,
          T0 + 1,
          'HTTP 500',
          attempt(seqs[0]!.seq, 1, 500, 'HTTP 500', T0),
        );
        await killHead(T0 + 2);
        const { matched, requeued } = await outbox().requeueDead({ callId: 'call-a' }, T0 + 100);
        expect(matched).toBe(3);
        expect(ids(requeued)).toEqual(['call-a-msg-1', 'call-a-msg-2']);
        const order: string[] = [];
        for (let t = T0 + 100; order.length < 3; t++) {
          const rows = await claim(t);
          expect(rows.length).toBeLessThanOrEqual(1);
          for (const r of rows) {
            order.push(r.messageId);
            await outbox().markDelivered(r.seq, t, attempt(r.seq, r.attempts + 1, 202, null, t));
          }
        }
        expect(order).toEqual(['call-a-msg-1', 'call-a-msg-2', 'call-a-msg-3']);
        expect((await outbox().list({ callId: 'call-b' }))[0]).toMatchObject({ deadAt: T0 + 1, requeuedAt: null });
      });

      it('names what is not dead: pending or delivered rows match but are not requeued; unknown ids match nothing', async () => {
        await append([note('call-a', 1), note('call-a', 2)]);
        const [row] = await claim(T0);
        await outbox().markDelivered(row!.seq, T0 + 1, attempt(row!.seq, 1, 202, null, T0));
        expect(await outbox().requeueDead({ messageId: 'call-a-msg-1' }, T0 + 2)).toEqual({ matched: 1, requeued: [] });
        expect(await outbox().requeueDead({ messageId: 'call-a-msg-2' }, T0 + 2)).toEqual({ matched: 1, requeued: [] });
        expect(await outbox().requeueDead({ callId: 'call-a' }, T0 + 2)).toEqual({ matched: 2, requeued: [] });
        expect(await outbox().requeueDead({ messageId: 'no-such-message' }, T0 + 2)).toEqual({
          matched: 0,
          requeued: [],
        });
        expect(await outbox().requeueDead({ callId: 'no-such-call' }, T0 + 2)).toEqual({ matched: 0, requeued: [] });
        // Nothing changed: msg-2 is still the head, due as before.
        expect(ids(await claim(T0 + 2))).toEqual(['call-a-msg-2']);
      });
    });

    it('records every attempt', async () => {
      await append([note('call-a', 1), note('call-b', 1)]);
      const [a, b] = await claim(T0);
      await getStore().outbox.markFailed(
        a!.seq,
        T0 + 100,
        T0 + 1,
        'connect ECONNREFUSED',
        attempt(a!.seq, 1, null, 'connect ECONNREFUSED', T0),
      );
      await claim(T0 + 100);
      await getStore().outbox.markDelivered(a!.seq, T0 + 101, attempt(a!.seq, 2, 200, null, T0 + 100));
      await getStore().outbox.markDelivered(b!.seq, T0 + 2, attempt(b!.seq, 1, 202, null, T0));
      expect(await getStore().outbox.attempts([a!.seq])).toEqual([
        attempt(a!.seq, 1, null, 'connect ECONNREFUSED', T0),
        attempt(a!.seq, 2, 200, null, T0 + 100),
      ]);
      expect((await getStore().outbox.attempts([b!.seq, a!.seq])).map((x) => [x.outboxSeq, x.attempt])).toEqual([
        [a!.seq, 1],
        [a!.seq, 2],
        [b!.seq, 1],
      ]);
      expect(await getStore().outbox.attempts([])).toEqual([]);
      expect((await getStore().outbox.list({ callId: 'call-a' }))[0]).toMatchObject({
        attempts: 2,
        deliveredAt: T0 + 101,
      });
    });

    it('reports the next due time', async () => {
      expect(await getStore().outbox.nextDueAt()).toBeNull();
      await append([note('call-a', 1, T0 + 300), note('call-b', 1, T0 + 200), note('call-b', 2, T0 + 100)]);
      // call-b's second row is older by timestamp but waits behind its head.
      expect(await getStore().outbox.nextDueAt()).toBe(T0 + 200);
      const [b] = await claim(T0 + 200);
      await getStore().outbox.markDelivered(b!.seq, T0 + 201, attempt(b!.seq, 1, 202));
      expect(await getStore().outbox.nextDueAt()).toBe(T0 + 100);
    });
  });

  describe('timers', () => {
    const timer = (id: string, dueAt: number, callId = `call-${id}`): TimerRequest => ({
      id,
      dueAt,
      kind: 'call.established',
      payload: { callId },
    });
    const put = (ts: TimerRequest[]) => getStore().transact((tx) => tx.putTimers(ts));

    it('claims due timers in due order, leased until the lease ends', async () => {
      await put([timer('t2', T0 + 20, 'call-2b'), timer('t1', T0 + 10), timer('t3', T0 + 1000)]);
      expect(await getStore().timers.nextDueAt()).toBe(T0 + 10);
      const due = await getStore().timers.claimDue(T0 + 20, T0 + 500, 10);
      expect(due).toEqual([timer('t1', T0 + 10), timer('t2', T0 + 20, 'call-2b')]);
      expect(await getStore().timers.claimDue(T0 + 499, T0 + 900, 10)).toEqual([]);
      expect(await getStore().timers.nextDueAt()).toBe(T0 + 500);
      expect((await getStore().timers.claimDue(T0 + 500, T0 + 900, 1)).map((t) => t.id)).toEqual(['t1']);
    });

    it('deletes timers and replaces them by id', async () => {
      await put([timer('t1', T0 + 10), timer('t2', T0 + 20)]);
      await getStore().timers.claimDue(T0 + 10, T0 + 500, 10);
      await getStore().transact(async (tx) => {
        // Read by id (a softphone answering a ring reads its answer timer), leased or not.
        expect(await tx.getTimer('t1')).toEqual(timer('t1', T0 + 10));
        expect(await tx.deleteTimer('t1')).toBe(true);
        expect(await tx.getTimer('t1')).toBeUndefined();
        // Gone already (another claimer fired it): says so, so the caller does not fire it twice.
        expect(await tx.deleteTimer('t1')).toBe(false);
        // Re-putting a leased timer makes it a fresh, unleased timer.
        await tx.putTimers([timer('t2', T0 + 30, 'call-v2')]);
      });
      expect(await getStore().timers.claimDue(T0 + 30, T0 + 500, 10)).toEqual([timer('t2', T0 + 30, 'call-v2')]);
      await getStore().transact((tx) => tx.deleteTimer('t2'));
      expect(await getStore().timers.nextDueAt()).toBeNull();
      expect(await getStore().timers.claimDue(T0 + 10_000, T0 + 20_000, 10)).toEqual([]);
    });

    it('reads each payload back as written, and a row that is no timer as unreadable, saying why', async () => {
      const answer: TimerRequest = {
        id: 'a1',
        dueAt: T0,
        kind: 'invitee.answer',
        payload: {
          callId: 'c',
          participantId: 'p',
          operationId: null,
          outcome: 'busy',
          fault: { code: 500, subcode: 0, message: 'x' },
        },
      };
      // A row as an older version (or a hand edit) might have left it: not an invitee.answer payload.
      const old = {
        id: 'a2',
        dueAt: T0 + 1,
        kind: 'invitee.answer',
        payload: { callId: 'c' },
      } as unknown as TimerRequest;
      await put([answer, old]);
      expect(await getStore().timers.claimDue(T0 + 1, T0 + 500, 10)).toEqual([
        answer,
        {
          id: 'a2',
          dueAt: T0 + 1,
          kind: 'invitee.answer',
          problem: 'invitee.answer timer a2: payload.participantId is missing',
        },
      ]);
    });
  });
}
