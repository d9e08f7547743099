/**
 * Retention and dead-letter purge for the PostgreSQL store (Store.prune, OutboxStore.purgeDead). Each is one
 * simple-protocol query, so one implicit transaction in one round trip (as outbox.ts finishes deliveries).
 *
 * Old notifications are found as in SQLite: seq grows in insertion order, so the cutoff read walks the primary key
 * to the first row written at or after `before`. Operations and conversations are found by their `created_at`
 * indexes (migration 7). Only delivered and dead rows are deleted, never a call's head, so no outbox lock is needed;
 * ended calls have no leg, so no command holds their conversation's lock.
 */
import type { Pool, QueryResult } from 'pg';
import type { PruneCounts, RequeueTarget } from '../store.js';
import { inline } from './inline.js';

export async function prunePg(pool: Pool, before: number, limit: number): Promise<PruneCounts> {
  const statements = [
    inline(
      `WITH cutoff AS (SELECT COALESCE((SELECT seq FROM outbox WHERE created_at >= $1 ORDER BY seq LIMIT 1), 9223372036854775807) AS seq),
            gone AS (DELETE FROM outbox WHERE seq IN (
                       SELECT o.seq FROM outbox o, cutoff c
                        WHERE o.seq < c.seq AND o.created_at < $1 AND o.delivered_at IS NOT NULL ORDER BY o.seq LIMIT $2)
                     RETURNING seq),
            attempts AS (DELETE FROM delivery_attempts WHERE outbox_seq IN (SELECT seq FROM gone) RETURNING 1)
       SELECT (SELECT count(*) FROM gone)::int AS notifications, (SELECT count(*) FROM attempts)::int AS attempts`,
      [before, limit],
    ),
    inline(
      `WITH gone AS (DELETE FROM operations WHERE id IN (
                       SELECT o.id FROM operations o
                        WHERE o.created_at < $1 AND NOT EXISTS (SELECT 1 FROM call_legs l WHERE l.id = o.call_id)
                        ORDER BY o.created_at LIMIT $2)
                     RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [before, limit],
    ),
    inline(
      `WITH ended AS (DELETE FROM conversations WHERE id IN (
                        SELECT c.id FROM conversations c
                         WHERE c.created_at < $1 AND NOT EXISTS (SELECT 1 FROM call_legs l WHERE l.conversation_id = c.id)
                         ORDER BY c.created_at LIMIT $2)
                      RETURNING id),
            roster AS (DELETE FROM participants WHERE conversation_id IN (SELECT id FROM ended) RETURNING 1)
       SELECT (SELECT count(*) FROM ended)::int AS conversations, (SELECT count(*) FROM roster)::int AS participants`,
      [before, limit],
    ),
  ];
  const results = (await pool.query(statements.join(';\n'))) as unknown as QueryResult[];
  const outbox = results[0]?.rows[0] as { notifications: number; attempts: number } | undefined;
  const operations = results[1]?.rows[0] as { n: number } | undefined;
  const ended = results[2]?.rows[0] as { conversations: number; participants: number } | undefined;
  return {
    notifications: outbox?.notifications ?? 0,
    deliveryAttempts: outbox?.attempts ?? 0,
    operations: operations?.n ?? 0,
    conversations: ended?.conversations ?? 0,
    participants: ended?.participants ?? 0,
  };
}

export async function purgeDeadPg(
  pool: Pool,
  target: RequeueTarget | 'all',
): Promise<{ matched: number; purged: number }> {
  const where =
    target === 'all'
      ? 'TRUE'
      : 'messageId' in target
        ? inline('message_id = $1', [target.messageId])
        : inline('call_id = $1', [target.callId]);
  const { rows } = await pool.query<{ matched: number; purged: number }>(
    `WITH named AS (SELECT seq, dead_at IS NOT NULL AND delivered_at IS NULL AS dead FROM outbox WHERE ${where}),
          gone AS (DELETE FROM outbox WHERE seq IN (SELECT seq FROM named WHERE dead) RETURNING seq),
          attempts AS (DELETE FROM delivery_attempts WHERE outbox_seq IN (SELECT seq FROM gone) RETURNING 1)
     SELECT (SELECT count(*) FROM named)::int AS matched, (SELECT count(*) FROM gone)::int AS purged, (SELECT count(*) FROM attempts)::int AS attempts`,
  );
  const r = rows[0] ?? { matched: 0, purged: 0 };
  return { matched: target === 'all' ? r.purged : r.matched, purged: r.purged };
}
