/**
 * Outbox and timer queues of the PostgreSQL store, shared by every instance on the database.
 *
 * Claims are one UPDATE over a `FOR UPDATE SKIP LOCKED` subquery: two instances claiming at once never take the same
 * row, and neither waits for the other. Per-call order works as in SQLite: `is_head` marks the oldest pending row
 * of each call, only heads are claimable, and claiming pushes `next_attempt_at` to the lease end, so a call's head
 * leased by one instance is not due for any other until the lease lapses (its holder crashed).
 * Ending a head and promoting the next row take the call's outbox lock (entities.ts appendNotifications takes it
 * too), so a row appended concurrently is either seen by the promotion or becomes the head itself.
 */
import type { Pool, QueryResult } from 'pg';
import type { DeliveryAttempt, DueTimer, OutboxStore, RequeueTarget, TimerStore } from '../store.js';
import { outboxCallKey } from './entities.js';
import { inline } from './inline.js';
import { queryOnePrepared, queryPrepared, statementOf, type Statement } from './prepared.js';
import { purgeDeadPg } from './retention.js';
import {
  attemptValues,
  OUTBOX_COLUMNS,
  toAttempt,
  toDueTimer,
  toOutboxRow,
  type AttemptRecord,
  type OutboxRecord,
  type TimerRecord,
} from '../outbox-rows.js';
import { deliveryEventBody, realMicros, type DeliveryOutcome } from '../event-rows.js';

/** The change feed's row for an attempt, with the outbox row's call and message id; none once the row is gone (a reset). */
const deliveryEvent = (a: DeliveryAttempt, at: number, outcome: DeliveryOutcome, nextAttemptAt: number | null) =>
  statementOf(
    `INSERT INTO events (rt, at, kind, conversation_id, call_id, body)
     SELECT $1, $2, 'delivery', NULL, call_id, jsonb_set($3::jsonb, '{messageId}', to_jsonb(message_id))::text FROM outbox WHERE seq = $4`,
    [realMicros(), at, deliveryEventBody(a, outcome, nextAttemptAt), a.outboxSeq],
  );

/**
 * Claims (of notifications and timers) and delivery results commit without waiting for the WAL to reach disk. What
 * they record (a lease, an attempt, a row ended and the next promoted) only decides what is handed out next: if
 * PostgreSQL crashes before the WAL holding it is flushed, the rows are handed out again after its restart, in order
 * and with the same message ids, and the timers fire again, exactly as when this process crashes between a POST (a
 * timer's claim) and recording its result. The commands that appended the rows waited for their own flush before
 * anyone could claim them, and any later commit that waits (a command's) flushes these too.
 */
const QUEUE = { flush: false } as const;

/**
 * Runs statements as one pipeline: PostgreSQL runs them as one implicit transaction (rolled back whole if a
 * statement fails), in one round trip, each statement Parsed once per connection (prepared.ts).
 * No retry: callers' leases cover a failed write. Queue bookkeeping: its commit does not wait for the WAL flush (QUEUE).
 */
const atomically = async (pool: Pool, statements: Statement[]): Promise<void> => {
  await queryPrepared(pool, statements, QUEUE);
};

/**
 * Dead letters back in the queue (OutboxStore.requeueDead), in one simple-protocol query, so one implicit transaction:
 * the call's outbox lock (as finish and appendNotifications take it); the target's dead rows back to pending, not
 * heads; the head demoted unless in flight (the row lock makes a concurrent claim either see it demoted or win and
 * keep it: the demotion then re-reads leased_until and skips it); the oldest pending row promoted if the call has
 * no head left; and the count of rows the target names.
 */
async function requeueDead(
  pool: Pool,
  target: RequeueTarget,
  now: number,
): Promise<{ matched: number; requeued: OutboxRecord[] }> {
  const where =
    'messageId' in target ? inline('message_id = $1', [target.messageId]) : inline('call_id = $1', [target.callId]);
  const call = 'messageId' in target ? `(SELECT call_id FROM outbox WHERE ${where})` : inline('$1', [target.callId]);
  const statements = [
    inline(`SELECT pg_advisory_xact_lock(hashtextextended($1 || call_id, 0)) FROM outbox WHERE ${where} LIMIT 1`, [
      outboxCallKey(''),
    ]),
    inline(
      `WITH revived AS (
         UPDATE outbox SET dead_at = NULL, next_attempt_at = $1, requeued_at = $1, leased_until = NULL, leased_by = NULL, is_head = FALSE
          WHERE ${where} AND dead_at IS NOT NULL RETURNING ${OUTBOX_COLUMNS}),
       logged AS (
         INSERT INTO events (rt, at, kind, conversation_id, call_id, body)
         SELECT $2, $1, 'redeliver', NULL, call_id, json_build_object('sequence', seq, 'messageId', message_id)::text FROM revived)
       SELECT * FROM revived`,
      [now, realMicros()],
    ),
    inline(
      `UPDATE outbox SET is_head = FALSE WHERE call_id = ${call} AND is_head AND (leased_until IS NULL OR leased_until <= $1)`,
      [now],
    ),
    `UPDATE outbox SET is_head = TRUE
      WHERE seq = (SELECT seq FROM outbox WHERE call_id = ${call} AND delivered_at IS NULL AND dead_at IS NULL ORDER BY seq LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM outbox WHERE call_id = ${call} AND is_head)`,
    `SELECT count(*)::int AS n FROM outbox WHERE ${where}`,
  ];
  const results = (await pool.query(statements.join(';\n'))) as unknown as QueryResult[];
  const requeued = (results[1]?.rows ?? []) as OutboxRecord[];
  const matched = (results[4]?.rows[0] as { n: number } | undefined)?.n ?? 0;
  return { matched, requeued: requeued.sort((a, b) => a.seq - b.seq) };
}

/** `instanceId` is written on every claim, so another instance can free the claims if this one dies (instances.ts). */
export function createPgOutbox(pool: Pool, instanceId: string): OutboxStore {
  const record = (a: DeliveryAttempt): Statement =>
    statementOf(
      // Only while the row exists: a delivery in flight across a reset (Store.reset) must not leave an attempt behind.
      `INSERT INTO delivery_attempts (outbox_seq, attempt, started_at, duration_ms, status_code, error)
       SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM outbox WHERE seq = $1)`,
      attemptValues(a),
    );

  // Ends a row (delivered or dead) and hands its call's queue to the next pending row: the call's outbox lock (keyed
  // as outboxCallKey) must be held first, then one statement ends, promotes and records at once (the promotion's
  // subquery sees the snapshot before the end, so it skips the ended row by seq), then the feed's row.
  const endStatements = (
    seq: number,
    deliveredAt: number | null,
    deadAt: number | null,
    error: string | null,
    a: DeliveryAttempt,
  ): Statement[] => [
    statementOf(
      `WITH ended AS (
         UPDATE outbox SET delivered_at = $1, dead_at = $2, last_error = COALESCE($3, last_error),
                attempts = attempts + 1, leased_until = NULL, leased_by = NULL, is_head = FALSE
          WHERE seq = $4 AND delivered_at IS NULL AND dead_at IS NULL
          RETURNING call_id),
       promoted AS (
         UPDATE outbox SET is_head = TRUE
          WHERE seq = (SELECT o.seq FROM outbox o JOIN ended e ON o.call_id = e.call_id
                        WHERE o.seq <> $4 AND o.delivered_at IS NULL AND o.dead_at IS NULL ORDER BY o.seq LIMIT 1)
          RETURNING seq)
       INSERT INTO delivery_attempts (outbox_seq, attempt, started_at, duration_ms, status_code, error)
       SELECT $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM outbox WHERE seq = $5)`,
      [deliveredAt, deadAt, error, seq, ...attemptValues(a)],
    ),
    deliveryEvent(a, (deliveredAt ?? deadAt)!, deliveredAt !== null ? 'delivered' : 'deadLettered', null),
  ];

  /**
   * Ends rows in one round trip and one commit: the rows' call locks first, in one statement and in call id order
   * (appendNotifications takes several calls' locks in that order, so the two never deadlock), then each row's end.
   */
  const finishAll = (ends: readonly { seq: number; statements: Statement[] }[]) =>
    atomically(pool, [
      ends.length === 1
        ? statementOf(`SELECT pg_advisory_xact_lock(hashtextextended($2 || call_id, 0)) FROM outbox WHERE seq = $1`, [
            ends[0]!.seq,
            outboxCallKey(''),
          ])
        : statementOf(
            // The subquery's order is the order the locks are taken in (the outer query only scans it).
            `SELECT pg_advisory_xact_lock(hashtextextended($2 || call_id, 0))
               FROM (SELECT call_id FROM outbox WHERE seq = ANY($1::text[]::bigint[]) ORDER BY call_id COLLATE "C") calls`,
            [ends.map((e) => String(e.seq)), outboxCallKey('')],
          ),
      ...ends.flatMap((e) => e.statements),
    ]);

  /**
   * Delivery results recorded in one event-loop turn go to PostgreSQL together (group commit): each result alone
   * was a round trip and a commit that flushes the WAL, the two largest fixed costs of a PostgreSQL transaction here
   * (bench/RESULTS.md). Nothing waits for a batch to fill: a lone result goes out at the end of its turn. If a batch
   * fails, each of its rows is ended on its own, so one row's failure is only its own.
   */
  const asError = (err: unknown): Error =>
    err instanceof Error ? err : new Error(`could not record the delivery result: ${JSON.stringify(err)}`);
  let waiting: { seq: number; statements: Statement[]; done: (err?: unknown) => void }[] = [];
  const flushEnds = async (): Promise<void> => {
    const ends = waiting;
    waiting = [];
    try {
      await finishAll(ends);
      for (const e of ends) e.done();
    } catch (err) {
      if (ends.length === 1) {
        ends[0]!.done(err);
        return;
      }
      await Promise.all(
        ends.map((e) =>
          finishAll([e]).then(
            () => e.done(),
            (again: unknown) => e.done(again),
          ),
        ),
      );
    }
  };
  const finish = (
    seq: number,
    deliveredAt: number | null,
    deadAt: number | null,
    error: string | null,
    a: DeliveryAttempt,
  ): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void flushEnds());
      waiting.push({
        seq,
        statements: endStatements(seq, deliveredAt, deadAt, error, a),
        done: (err?: unknown) => (err === undefined ? resolve() : reject(asError(err))),
      });
    });

  return {
    async claimDue(now, leaseUntil, limit) {
      if (limit <= 0) return [];
      // Claiming moves next_attempt_at to the lease end: if this delivery is lost (crash), the row is due again then,
      // and nextDueAt never reports an in-flight row as due now (which would make a dispatcher spin).
      const rows = await queryOnePrepared<OutboxRecord>(
        pool,
        `UPDATE outbox SET leased_until = $2, next_attempt_at = $2, leased_by = $4
            WHERE seq IN (SELECT seq FROM outbox
                           WHERE is_head AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
                           ORDER BY next_attempt_at, seq LIMIT $3
                           FOR UPDATE SKIP LOCKED)
            RETURNING ${OUTBOX_COLUMNS}`,
        [now, leaseUntil, limit, instanceId],
        QUEUE,
      );
      return rows.map(toOutboxRow).sort((a, b) => a.seq - b.seq);
    },
    async markDelivered(seq, at, attempt) {
      await finish(seq, at, null, null, attempt);
    },
    async markFailed(seq, nextAttemptAt, at, error, attempt) {
      if (nextAttemptAt === null) {
        await finish(seq, null, at, error, attempt);
        return;
      }
      await atomically(pool, [
        statementOf(
          `UPDATE outbox SET next_attempt_at = $1, last_error = $2, attempts = attempts + 1, leased_until = NULL, leased_by = NULL
            WHERE seq = $3 AND delivered_at IS NULL AND dead_at IS NULL`,
          [nextAttemptAt, error, seq],
        ),
        record(attempt),
        deliveryEvent(attempt, at, 'retrying', nextAttemptAt),
      ]);
    },
    async nextDueAt() {
      const rows = await queryOnePrepared<{ t: number }>(
        pool,
        'SELECT next_attempt_at AS t FROM outbox WHERE is_head ORDER BY next_attempt_at LIMIT 1',
        [],
      );
      return rows[0]?.t ?? null;
    },
    async list(filter) {
      const limit = filter.limit ?? null; // LIMIT NULL means no limit
      const after = filter.afterSeq ?? 0;
      if (filter.newest) {
        const { rows } = await pool.query<OutboxRecord>(
          `SELECT * FROM (SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE seq > $1 AND ($3::text IS NULL OR call_id = $3) ORDER BY seq DESC LIMIT $2) r ORDER BY seq`,
          [after, limit, filter.callId ?? null],
        );
        return rows.map(toOutboxRow);
      }
      const { rows } =
        filter.callId === undefined
          ? await pool.query<OutboxRecord>(
              `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2`,
              [after, limit],
            )
          : await pool.query<OutboxRecord>(
              `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE call_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
              [filter.callId, after, limit],
            );
      return rows.map(toOutboxRow);
    },
    purgeDead: (target) => purgeDeadPg(pool, target),
    async requeueDead(target, now) {
      const { matched, requeued } = await requeueDead(pool, target, now);
      return { matched, requeued: requeued.map(toOutboxRow) };
    },
    async attempts(seqs) {
      if (seqs.length === 0) return [];
      const { rows } = await pool.query<AttemptRecord>(
        `SELECT outbox_seq, attempt, started_at, duration_ms, status_code, error FROM delivery_attempts
          WHERE outbox_seq = ANY($1::bigint[]) ORDER BY outbox_seq, attempt, id`,
        [seqs],
      );
      return rows.map(toAttempt);
    },
  };
}

export function createPgTimers(pool: Pool, instanceId: string): TimerStore {
  return {
    async claimDue(now, leaseUntil, limit): Promise<DueTimer[]> {
      if (limit <= 0) return [];
      const rows = await queryOnePrepared<TimerRecord>(
        pool,
        `UPDATE timers SET leased_until = $2, leased_by = $4
            WHERE id IN (SELECT id FROM timers WHERE due_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
                          ORDER BY due_at LIMIT $3
                          FOR UPDATE SKIP LOCKED)
            RETURNING id, due_at, kind, payload`,
        [now, leaseUntil, limit, instanceId],
        QUEUE,
      );
      return rows.map(toDueTimer).sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async nextDueAt() {
      // A leased timer is next available when its lease ends; LEAST ignores NULLs.
      const rows = await queryOnePrepared<{ t: number | null }>(
        pool,
        `SELECT LEAST((SELECT due_at FROM timers WHERE leased_until IS NULL ORDER BY due_at LIMIT 1),
                        (SELECT MIN(GREATEST(due_at, leased_until)) FROM timers WHERE leased_until IS NOT NULL)) AS t`,
        [],
      );
      return rows[0]?.t ?? null;
    },
  };
}
