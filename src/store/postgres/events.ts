/**
 * The PostgreSQL change feed (`events`), shared by every instance. Commands append in their own transactions
 * (entities.ts, batched with their other writes), so `seq`s can commit out of order across transactions: a
 * reader paging by `seq` must allow for a gap that fills in later (src/sim/feed.ts waits a little on gaps).
 */
import type { Pool } from 'pg';
import type { EventStore } from '../store.js';
import { EVENT_COLUMNS, toFeedEvent, type EventRecord } from '../event-rows.js';
import { inline } from './inline.js';

export function createPgEvents(pool: Pool): EventStore {
  return {
    async append(events) {
      if (events.length === 0) return;
      // One multi-row INSERT: a request-log batch costs one round trip whatever its size.
      const values = events.map((e) =>
        inline('($1, $2, $3, $4, $5, $6)', [e.rt, e.at, e.kind, e.conversationId, e.callId, JSON.stringify(e.body)]),
      );
      await pool.query(`INSERT INTO events (rt, at, kind, conversation_id, call_id, body) VALUES ${values.join(', ')}`);
    },
    async after(afterSeq, limit) {
      const r = await pool.query<EventRecord>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [afterSeq, limit],
      );
      return r.rows.map(toFeedEvent);
    },
    async ofConversation(conversationId, callIds, limit) {
      const r = await pool.query<EventRecord>(
        `SELECT ${EVENT_COLUMNS} FROM (
           SELECT ${EVENT_COLUMNS} FROM events WHERE conversation_id = $1
           UNION ALL
           SELECT ${EVENT_COLUMNS} FROM events WHERE call_id = ANY($2::text[]) AND conversation_id IS NULL) e
         ORDER BY seq DESC LIMIT $3`,
        [conversationId, callIds, limit],
      );
      return r.rows.map(toFeedEvent).reverse();
    },
    async commandsMentioning(text, limit) {
      const r = await pool.query<EventRecord>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE kind = 'command' AND strpos(body, $1) > 0 ORDER BY seq DESC LIMIT $2`,
        [text, limit],
      );
      return r.rows.map(toFeedEvent);
    },
    async latestSeq() {
      const r = await pool.query<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events');
      return r.rows[0]?.seq ?? 0;
    },
    async prune(keep) {
      const r = await pool.query('DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - $1', [
        Math.max(1, keep),
      ]);
      return r.rowCount ?? 0;
    },
  };
}
