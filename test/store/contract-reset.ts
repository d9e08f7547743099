/** `Store.reset` and `schemaStatus`, part of the store contract (see contract.ts). */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { attempt, conversation, leg, note, onlineMeeting, operation, participant, T0, TENANT } from './fixtures.js';

const LEASE = 10_000;

export function runResetContract(getStore: () => Store): void {
  describe('reset', () => {
    /** Two calls' worth of everything, one notification delivered (with its attempt), world changes recorded. */
    async function fill(store: Store): Promise<{ changes: number[] }> {
      await store.transact(async (tx) => {
        await tx.putConversation(conversation());
        await tx.putConversation(
          conversation({
            id: 'conv-2',
            chatInfo: { threadId: '19:meeting_two@thread.v2', messageId: '0', replyChainMessageId: null },
          }),
        );
        await tx.putLeg(leg());
        await tx.putLeg(leg({ id: 'call-2', conversationId: 'conv-2' }));
        await tx.putParticipant(participant());
        await tx.putParticipant(participant({ id: 'p-2', conversationId: 'conv-2' }));
        await tx.putParticipant(participant({ id: 'p-3', conversationId: 'conv-2' }));
        await tx.putOperation(operation());
        await tx.putOnlineMeeting(onlineMeeting());
        await tx.appendNotifications([note('call-1', 1), note('call-1', 2), note('call-2', 1)]);
        await tx.putTimers([
          { id: 't1', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } },
          { id: 't2', dueAt: T0 + 50_000, kind: 'call.answerWindow', payload: { callId: 'call-2' } },
        ]);
      });
      const [row] = await store.outbox.claimDue(T0, T0 + LEASE, 1);
      await store.outbox.markDelivered(row!.seq, T0, attempt(row!.seq, 1, 202));
      const changes = [
        await store.worldChanges.append('behaviour', { ref: 'u1', answer: { action: 'busy', afterMs: 0 } }, T0),
        await store.worldChanges.append('faults', { faults: [] }, T0),
      ];
      return { changes };
    }

    it('drops every run-time row, says how many of each, and records one reset world change after the others', async () => {
      const store = getStore();
      const { changes } = await fill(store);
      const counts = await store.reset(T0 + 7);
      expect(counts).toEqual({
        conversations: 2,
        calls: 2,
        participants: 3,
        operations: 1,
        onlineMeetings: 1,
        notifications: 3,
        deliveryAttempts: 1,
        timers: 2,
        worldChanges: 2,
      });
      await store.transact(async (tx) => {
        expect(await tx.listLegs()).toEqual([]);
        expect(await tx.getConversation('conv-1')).toBeUndefined();
        expect(await tx.getParticipant('p-1')).toBeUndefined();
        expect(await tx.participantCount('conv-2')).toBe(0);
        expect(await tx.getOperation('op-1')).toBeUndefined();
        expect(await tx.operationsOfCall('call-1')).toEqual([]);
        expect(await tx.getOnlineMeeting(onlineMeeting().id)).toBeUndefined();
        expect(await tx.onlineMeetingByJoinMeetingId(TENANT, onlineMeeting().joinMeetingId)).toBeUndefined();
      });
      expect(await store.outbox.list({})).toEqual([]);
      expect(await store.outbox.nextDueAt()).toBeNull();
      expect(await store.outbox.claimDue(T0 + 1_000_000, T0 + 2_000_000, 10)).toEqual([]);
      expect(await store.timers.nextDueAt()).toBeNull();
      expect(await store.timers.claimDue(T0 + 1_000_000, T0 + 2_000_000, 10)).toEqual([]);
      const log = await store.worldChanges.after(0);
      expect(log).toEqual([{ seq: log[0]!.seq, kind: 'reset', body: {}, createdAt: T0 + 7 }]);
      // Never a reused seq: an instance that applied up to the last change still sees the reset as new.
      expect(log[0]!.seq).toBeGreaterThan(Math.max(...changes));
      // A second reset of an empty store drops nothing but the first reset's record, which it does not count.
      expect(await store.reset(T0 + 8)).toEqual({
        conversations: 0,
        calls: 0,
        participants: 0,
        operations: 0,
        onlineMeetings: 0,
        notifications: 0,
        deliveryAttempts: 0,
        timers: 0,
        worldChanges: 0,
      });
      expect((await store.worldChanges.after(0)).map((c) => c.createdAt)).toEqual([T0 + 8]);
    });

    it('a delivery or timer claimed before the reset and finishing after it records nothing and fires nothing', async () => {
      const store = getStore();
      await store.transact(async (tx) => {
        await tx.appendNotifications([note('call-1', 1), note('call-2', 1)]);
        await tx.putTimers([{ id: 't1', dueAt: T0, kind: 'call.established', payload: { callId: 'call-1' } }]);
      });
      const [delivered, failed] = await store.outbox.claimDue(T0, T0 + LEASE, 10);
      const [timer] = await store.timers.claimDue(T0, T0 + LEASE, 10);
      expect(timer?.id).toBe('t1');
      await store.reset(T0 + 1);
      // The dispatcher records its results, the timer loop feeds its timer back: none of it may come back to life.
      await store.outbox.markDelivered(delivered!.seq, T0 + 2, attempt(delivered!.seq, 1, 202));
      await store.outbox.markFailed(failed!.seq, T0 + 100, T0 + 2, 'HTTP 500', attempt(failed!.seq, 1, 500));
      expect(await store.transact((tx) => tx.deleteTimer('t1'))).toBe(false);
      expect(await store.outbox.list({})).toEqual([]);
      expect(await store.outbox.attempts([delivered!.seq, failed!.seq])).toEqual([]);
      expect(await store.outbox.nextDueAt()).toBeNull();

      // The store works on as new: new rows get new seqs, are claimed and delivered as usual.
      await store.transact((tx) => tx.appendNotifications([note('call-3', 1)]));
      const [fresh] = await store.outbox.claimDue(T0 + 3, T0 + 3 + LEASE, 10);
      expect(fresh?.messageId).toBe('call-3-msg-1');
      expect(fresh!.seq).toBeGreaterThan(failed!.seq);
      await store.outbox.markDelivered(fresh!.seq, T0 + 4, attempt(fresh!.seq, 1, 202));
      expect((await store.outbox.attempts([fresh!.seq])).map((a) => a.statusCode)).toEqual([202]);
    });

    it('schemaStatus reports every migration applied', async () => {
      const status = await getStore().schemaStatus();
      expect(status.latest).toBeGreaterThan(0);
      expect(status.applied).toBe(status.latest);
    });
  });
}
