/**
 * Retention and dead-letter purge for the SQLite store (Store.prune, OutboxStore.purgeDead). Runs under the store
 * mutex like every statement (see store.ts).
 *
 * Old rows are found without scanning the recent ones: seq (outbox) and rowid (operations, conversations) grow in
 * insertion order, so a "cutoff" read walks the key from its start to the first row written at or after `before`,
 * and the deletes look only below it. What stays below the cutoff (pending and dead notifications, live calls) is
 * small and walked again on each prune.
 */
import type Database from 'better-sqlite3';
import type { PruneCounts, RequeueTarget } from '../store.js';

const NO_CUTOFF = Number.MAX_SAFE_INTEGER;

export interface SqliteRetention {
  prune(before: number, limit: number): PruneCounts;
  purgeDead(target: RequeueTarget | 'all'): { matched: number; purged: number };
}

export function createSqliteRetention(db: Database.Database): SqliteRetention {
  const s = {
    outboxCutoff: db.prepare<[number], { k: number }>(
      'SELECT seq AS k FROM outbox WHERE created_at >= ? ORDER BY seq LIMIT 1',
    ),
    deliveredBefore: db.prepare<[number, number, number], { seq: number }>(
      'SELECT seq FROM outbox WHERE seq < ? AND created_at < ? AND delivered_at IS NOT NULL ORDER BY seq LIMIT ?',
    ),
    deleteAttempts: db.prepare<[string]>(
      'DELETE FROM delivery_attempts WHERE outbox_seq IN (SELECT value FROM json_each(?))',
    ),
    // Their bodies (outbox_bodies) go with them: a trigger deletes a row's body with the row (migration 6).
    deleteRows: db.prepare<[string]>('DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))'),
    operationsCutoff: db.prepare<[number], { k: number }>(
      'SELECT rowid AS k FROM operations WHERE created_at >= ? ORDER BY rowid LIMIT 1',
    ),
    endedOperations: db.prepare<[number, number, number]>(
      `DELETE FROM operations WHERE rowid IN (
         SELECT o.rowid FROM operations o
          WHERE o.rowid < ? AND o.created_at < ? AND NOT EXISTS (SELECT 1 FROM call_legs l WHERE l.id = o.call_id)
          ORDER BY o.rowid LIMIT ?)`,
    ),
    conversationsCutoff: db.prepare<[number], { k: number }>(
      'SELECT rowid AS k FROM conversations WHERE created_at >= ? ORDER BY rowid LIMIT 1',
    ),
    endedConversations: db.prepare<[number, number, number], { id: string }>(
      `SELECT c.id FROM conversations c
        WHERE c.rowid < ? AND c.created_at < ? AND NOT EXISTS (SELECT 1 FROM call_legs l WHERE l.conversation_id = c.id)
        ORDER BY c.rowid LIMIT ?`,
    ),
    deleteParticipants: db.prepare<[string]>(
      'DELETE FROM participants WHERE conversation_id IN (SELECT value FROM json_each(?))',
    ),
    deleteConversations: db.prepare<[string]>('DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?))'),
    deadByMessage: db.prepare<[string], { seq: number; dead: number }>(
      'SELECT seq, (dead_at IS NOT NULL AND delivered_at IS NULL) AS dead FROM outbox WHERE message_id = ?',
    ),
    deadByCall: db.prepare<[string], { seq: number; dead: number }>(
      'SELECT seq, (dead_at IS NOT NULL AND delivered_at IS NULL) AS dead FROM outbox WHERE call_id = ?',
    ),
    allDead: db.prepare<[], { seq: number; dead: number }>(
      'SELECT seq, 1 AS dead FROM outbox WHERE dead_at IS NOT NULL AND delivered_at IS NULL',
    ),
  };

  const prune = db.transaction((before: number, limit: number): PruneCounts => {
    const outboxCutoff = s.outboxCutoff.get(before)?.k ?? NO_CUTOFF;
    const seqs = JSON.stringify(s.deliveredBefore.all(outboxCutoff, before, limit).map((r) => r.seq));
    const deliveryAttempts = s.deleteAttempts.run(seqs).changes;
    const notifications = s.deleteRows.run(seqs).changes;
    const operations = s.endedOperations.run(s.operationsCutoff.get(before)?.k ?? NO_CUTOFF, before, limit).changes;
    const ids = JSON.stringify(
      s.endedConversations.all(s.conversationsCutoff.get(before)?.k ?? NO_CUTOFF, before, limit).map((r) => r.id),
    );
    const participants = s.deleteParticipants.run(ids).changes;
    const conversations = s.deleteConversations.run(ids).changes;
    return { notifications, deliveryAttempts, operations, conversations, participants };
  });

  const purge = db.transaction((target: RequeueTarget | 'all') => {
    const rows =
      target === 'all'
        ? s.allDead.all()
        : 'messageId' in target
          ? s.deadByMessage.all(target.messageId)
          : s.deadByCall.all(target.callId);
    const seqs = JSON.stringify(rows.filter((r) => r.dead === 1).map((r) => r.seq));
    s.deleteAttempts.run(seqs);
    const purged = s.deleteRows.run(seqs).changes;
    return { matched: target === 'all' ? purged : rows.length, purged };
  });

  return {
    prune: (before, limit) => prune.immediate(before, limit),
    purgeDead: (target) => purge.immediate(target),
  };
}
