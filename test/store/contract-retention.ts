/** `Store.prune` (retention) and `OutboxStore.purgeDead`, part of the store contract (see contract.ts). */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { attempt, conversation, leg, note, operation, participant, T0 } from './fixtures.js';

const LEASE = 10_000;
const HOUR = 3_600_000;

/** Claims every due head and settles it: `deliver` → 2xx, else dead-lettered. Returns the settled seqs by message id. */
async function settleAll(
  store: Store,
  at: number,
  deliver: (messageId: string) => boolean,
): Promise<Map<string, number>> {
  const settled = new Map<string, number>();
  for (;;) {
    const rows = await store.outbox.claimDue(at, at + LEASE, 100);
    if (rows.length === 0) return settled;
    for (const r of rows) {
      settled.set(r.messageId, r.seq);
      if (deliver(r.messageId)) await store.outbox.markDelivered(r.seq, at, attempt(r.seq, 1, 202));
      else await store.outbox.markFailed(r.seq, null, at, 'HTTP 500', attempt(r.seq, 1, 500));
    }
  }
}

const messageIds = async (store: Store): Promise<string[]> => (await store.outbox.list({})).map((r) => r.messageId);

export function runRetentionContract(getStore: () => Store): void {
  describe('prune (retention)', () => {
    it('deletes delivered notifications written before the horizon with their attempts; keeps pending, dead and newer ones', async () => {
      const store = getStore();
      await store.transact((tx) =>
        tx.appendNotifications([note('call-1', 1), note('call-2', 1), note('call-3', 1), note('call-3', 2)]),
      );
      // call-1: delivered; call-2: dead-lettered; call-3: its first delivered, its second still pending (not claimed).
      const seqs = await settleAll(store, T0 + 1, (id) => id !== 'call-2-msg-1' && id !== 'call-3-msg-2');
      // call-3-msg-2 was dead-lettered by settleAll's second round; put a fresh pending one behind nothing instead.
      await store.transact((tx) => tx.appendNotifications([note('call-4', 1), note('call-1', 2, T0 + 2 * HOUR)]));
      await settleAll(store, T0 + 2 * HOUR, (id) => id === 'call-1-msg-2');

      const counts = await store.prune(T0 + HOUR, 1000);
      expect(counts).toMatchObject({ notifications: 2, deliveryAttempts: 2 });
      // Dead letters (call-2, call-3's second), the pending call-4 row and the newer delivered one stay.
      expect(await messageIds(store)).toEqual(['call-2-msg-1', 'call-3-msg-2', 'call-4-msg-1', 'call-1-msg-2']);
      expect(await store.outbox.attempts([seqs.get('call-1-msg-1')!, seqs.get('call-3-msg-1')!])).toEqual([]);
      expect(await store.outbox.attempts([seqs.get('call-2-msg-1')!])).toHaveLength(1);
      // Nothing left to prune: the same call deletes nothing more.
      expect(await store.prune(T0 + HOUR, 1000)).toEqual({
        notifications: 0,
        deliveryAttempts: 0,
        operations: 0,
        conversations: 0,
        participants: 0,
      });
    });

    it('deletes at most `limit` of each kind per call, oldest first', async () => {
      const store = getStore();
      await store.transact((tx) => tx.appendNotifications([1, 2, 3, 4, 5].map((n) => note(`call-${n}`, 1))));
      await settleAll(store, T0 + 1, () => true);
      expect((await store.prune(T0 + HOUR, 2)).notifications).toBe(2);
      expect(await messageIds(store)).toEqual(['call-3-msg-1', 'call-4-msg-1', 'call-5-msg-1']);
      expect((await store.prune(T0 + HOUR, 2)).notifications).toBe(2);
      expect((await store.prune(T0 + HOUR, 2)).notifications).toBe(1);
      expect(await messageIds(store)).toEqual([]);
    });

    it('deletes ended calls’ operations and conversations (with their rosters) created before the horizon; keeps live calls', async () => {
      const store = getStore();
      await store.transact(async (tx) => {
        // conv-1 is live (call-1); conv-2 has ended (its leg call-2 is gone); conv-3 ended but is newer than the horizon.
        await tx.putConversation(conversation());
        await tx.putConversation(conversation({ id: 'conv-2', chatInfo: null }));
        await tx.putConversation(conversation({ id: 'conv-3', chatInfo: null, createdAt: T0 + 2 * HOUR }));
        await tx.putLeg(leg());
        await tx.putParticipant(participant());
        await tx.putParticipant(participant({ id: 'p-2', conversationId: 'conv-2' }));
        await tx.putParticipant(participant({ id: 'p-3', conversationId: 'conv-2' }));
        await tx.putParticipant(participant({ id: 'p-4', conversationId: 'conv-3' }));
        await tx.putOperation(operation());
        await tx.putOperation(operation({ id: 'op-2', callId: 'call-2' }));
        await tx.putOperation(operation({ id: 'op-3', callId: 'call-3', createdAt: T0 + 2 * HOUR }));
      });
      expect(await store.prune(T0 + HOUR, 1000)).toEqual({
        notifications: 0,
        deliveryAttempts: 0,
        operations: 1,
        conversations: 1,
        participants: 2,
      });
      await store.transact(async (tx) => {
        expect(await tx.getConversation('conv-1')).toBeDefined();
        expect(await tx.getConversation('conv-2')).toBeUndefined();
        expect(await tx.getConversation('conv-3')).toBeDefined();
        expect(await tx.participantCount('conv-1')).toBe(1);
        expect(await tx.participantCount('conv-2')).toBe(0);
        expect(await tx.getParticipant('p-4')).toBeDefined();
        expect(await tx.getOperation('op-1')).toBeDefined();
        expect(await tx.getOperation('op-2')).toBeUndefined();
        expect(await tx.getOperation('op-3')).toBeDefined();
        expect(await tx.getLeg('call-1')).toEqual(leg());
      });
    });
  });

  describe('purgeDead', () => {
    it('deletes only dead letters (with their attempts), by message id, by call, or all of them', async () => {
      const store = getStore();
      await store.transact((tx) =>
        tx.appendNotifications([note('call-1', 1), note('call-2', 1), note('call-3', 1), note('call-4', 1)]),
      );
      const seqs = await settleAll(store, T0 + 1, (id) => id === 'call-4-msg-1');
      await store.transact((tx) => tx.appendNotifications([note('call-1', 2), note('call-5', 1)]));
      // call-1: one dead, one pending; call-2, call-3: dead; call-4: delivered; call-5: pending.

      expect(await store.outbox.purgeDead({ messageId: 'call-2-msg-1' })).toEqual({ matched: 1, purged: 1 });
      expect(await store.outbox.attempts([seqs.get('call-2-msg-1')!])).toEqual([]);
      expect(await store.outbox.purgeDead({ messageId: 'call-4-msg-1' })).toEqual({ matched: 1, purged: 0 });
      expect(await store.outbox.purgeDead({ messageId: 'nope' })).toEqual({ matched: 0, purged: 0 });
      expect(await store.outbox.purgeDead({ callId: 'call-1' })).toEqual({ matched: 2, purged: 1 });
      expect(await messageIds(store)).toEqual(['call-3-msg-1', 'call-4-msg-1', 'call-1-msg-2', 'call-5-msg-1']);
      expect(await store.outbox.purgeDead('all')).toEqual({ matched: 1, purged: 1 });
      expect(await messageIds(store)).toEqual(['call-4-msg-1', 'call-1-msg-2', 'call-5-msg-1']);
      // The pending rows are still delivered in order.
      expect((await store.outbox.claimDue(T0 + 2, T0 + 2 + LEASE, 10)).map((r) => r.messageId)).toEqual([
        'call-1-msg-2',
        'call-5-msg-1',
      ]);
    });
  });
}
