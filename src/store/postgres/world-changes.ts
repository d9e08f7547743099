/**
 * The PostgreSQL `world_changes` log, shared by every instance. An append holds one advisory lock for its implicit
 * transaction, so appends commit in `seq` order: a reader paging by `seq` can never see 7 before 6 commits.
 */
import type { Pool, QueryResult } from 'pg';
import type { WorldChangeStore } from '../store.js';
import { toWorldChange, type WorldChangeRecord } from '../world-change-rows.js';
import { LOCK_KEY_SQL } from './entities.js';
import { inline } from './inline.js';

const APPEND_LOCK = 'switchboard.world_changes';

export function createPgWorldChanges(pool: Pool): WorldChangeStore {
  return {
    async append(kind, body, at) {
      // One simple-protocol query of two statements: PostgreSQL runs it as one transaction, so the lock is held to commit.
      const results = (await pool.query(
        [
          inline(LOCK_KEY_SQL, [APPEND_LOCK]),
          inline('INSERT INTO world_changes (kind, body, created_at) VALUES ($1, $2, $3) RETURNING seq', [
            kind,
            JSON.stringify(body),
            at,
          ]),
        ].join(';\n'),
      )) as unknown as QueryResult<{ seq: number }>[];
      return results[1]!.rows[0]!.seq;
    },
    async appendLease(body, at, endedBefore) {
      // The insert and the delete in one statement (data-modifying CTEs): one transaction, the append lock held to
      // commit. The delete cannot see the new row (one snapshot), and takes only older ones.
      const results = (await pool.query(
        [
          inline(LOCK_KEY_SQL, [APPEND_LOCK]),
          inline(
            `WITH added AS (
               INSERT INTO world_changes (kind, body, created_at) VALUES ('softphone', $1, $2) RETURNING seq
             ), pruned AS (
               DELETE FROM world_changes WHERE kind = 'softphone' AND seq < (SELECT seq FROM added) AND (
                 (body::jsonb ->> 'leaseId') = $3 OR
                 (CASE WHEN (body::jsonb ->> 'until')::numeric > 0 THEN (body::jsonb ->> 'until')::numeric
                       ELSE (body::jsonb ->> 'at')::numeric END) < $4
               )
             )
             SELECT seq FROM added`,
            [JSON.stringify(body), at, body.leaseId, endedBefore],
          ),
        ].join(';\n'),
      )) as unknown as QueryResult<{ seq: number }>[];
      return Number(results[1]!.rows[0]!.seq);
    },
    async after(afterSeq) {
      const r = await pool.query<WorldChangeRecord>(
        'SELECT seq, kind, body, created_at FROM world_changes WHERE seq > $1 ORDER BY seq',
        [afterSeq],
      );
      return r.rows.map(toWorldChange);
    },
  };
}
