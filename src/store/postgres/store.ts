/**
 * PostgreSQL implementation of `Store` on node-postgres, for one or several Switchboard instances on one database.
 * Within a process, up to `transactionConcurrency` transactions run at once (TransactionGate: due timers before
 * new commands); within a process as across processes, transactions serialize per conversation on advisory locks
 * (entities.ts) and the queues are claimed with SKIP LOCKED (outbox.ts). A transaction that loses a deadlock or
 * serialization race (40P01, 40001) is rolled back and run again from the start, a bounded number of times.
 */
import pg from 'pg';
import { TransactionGate } from '../gate.js';
import type {
  EventStore,
  OutboxStore,
  PruneCounts,
  ResetCounts,
  SchemaStatus,
  Store,
  TimerStore,
  TransactOptions,
  Tx,
  WorldChangeStore,
} from '../store.js';
import { createPgEvents } from './events.js';
import { realMicros } from '../event-rows.js';
import { prunePg } from './retention.js';
import { RESET_CHANGE_BODY, RESET_TABLES, resetStatements } from '../reset-tables.js';
import { PG_MIGRATIONS } from './migrations.js';
import { PgTx } from './entities.js';
import { ParsedParticipants } from '../parsed-participants.js';
import { migratePostgres, quoteSchema } from './migrate.js';
import { InstanceRegistry } from './instances.js';
import { createPgOutbox, createPgTimers } from './outbox.js';
import { createPgWorldChanges } from './world-changes.js';

export interface PostgresStoreOptions {
  /** libpq-style URL, e.g. postgres://user@host:5432/db (an `options=-c search_path=…` parameter is honoured). */
  connectionString: string;
  /** Schema holding the tables, created if missing; default: the connection's search_path (normally `public`). */
  schema?: string;
  /** Connections in the pool (default 10): transactions use up to `transactionConcurrency`, the queues the rest. */
  poolSize?: number;
  /** Transactions of this process in flight at once (default poolSize − 2); commands on one conversation still
   *  run one after another on its advisory lock. 1 gives the SQLite store's one-at-a-time order. */
  transactionConcurrency?: number;
  /** How many times a transaction that hit a deadlock or serialization failure is run in all. */
  maxAttempts?: number;
  /** Heartbeat period of this instance (default 1 s), and how long an instance may go unseen before another
   *  frees its leased notifications and timers (default 5 s). */
  heartbeatMs?: number;
  deadAfterMs?: number;
  /** The world's clock (default real time), for when freed notifications become due. */
  now?: () => number;
  log?: (msg: string) => void;
}

const RETRYABLE = new Set(['40001', '40P01']);
const INT8_OID = 20;

/** Times are epoch ms and ids are sequences, all far below 2^53: read BIGINT as a number, not a string. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : (pg.types.getTypeParser(oid, format) as (v: string) => unknown)) as typeof pg.types.getTypeParser,
};

export const isRetryablePgError = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && RETRYABLE.has(String((err as { code?: unknown }).code));

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<Store> {
  const poolSize = Math.max(3, opts.poolSize ?? 10);
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: poolSize,
    types,
    ...(opts.schema !== undefined ? { options: `-c search_path=${quoteSchema(opts.schema)}` } : {}),
  });
  // An idle pooled connection that dies (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, opts.schema !== undefined ? { schema: opts.schema } : {});
    } finally {
      client.release();
    }
    const instance = new InstanceRegistry(pool, {
      heartbeatMs: opts.heartbeatMs ?? 1000,
      deadAfterMs: opts.deadAfterMs ?? 5000,
      now: opts.now ?? Date.now,
      ...(opts.log ? { log: opts.log } : {}),
    });
    await instance.start();
    const concurrency = Math.min(poolSize - 2, Math.max(1, opts.transactionConcurrency ?? poolSize - 2));
    return new PostgresStore(pool, opts.maxAttempts ?? 10, instance, concurrency);
  } catch (err) {
    await pool.end();
    throw err;
  }
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly outbox: OutboxStore;
  readonly timers: TimerStore;
  readonly worldChanges: WorldChangeStore;
  readonly events: EventStore;
  #pool: pg.Pool;
  #gate: TransactionGate;
  #maxAttempts: number;
  #closed = false;
  #closing: Promise<void> | null = null;
  /** Every transact() not yet settled: close() waits for them. */
  #inFlight = new Set<Promise<unknown>>();
  #instance: InstanceRegistry;
  /** Participants parsed by any transaction, reused by later ones while their stored text is unchanged. */
  #participants = new ParsedParticipants();

  constructor(pool: pg.Pool, maxAttempts: number, instance: InstanceRegistry, concurrency: number) {
    this.#pool = pool;
    this.#gate = new TransactionGate(concurrency);
    this.#maxAttempts = Math.max(1, maxAttempts);
    this.#instance = instance;
    this.outbox = createPgOutbox(pool, instance.id);
    this.timers = createPgTimers(pool, instance.id);
    this.worldChanges = createPgWorldChanges(pool);
    this.events = createPgEvents(pool);
  }

  get waiting(): number {
    return this.#gate.waiting;
  }

  transact<T>(fn: (tx: Tx) => Promise<T>, options?: TransactOptions): Promise<T> {
    if (this.#closing) return Promise.reject(new Error('store is closed'));
    const run = this.#gate.run(
      async () => {
        for (let attempt = 1; ; attempt++) {
          if (this.#closed) throw new Error('store is closed');
          try {
            return await this.#transactOnce(fn);
          } catch (err) {
            if (!isRetryablePgError(err) || attempt >= this.#maxAttempts) throw err;
            // Lost a deadlock or serialization race (another instance, or another transaction of this one): back off
            // a little (jittered) and rerun.
            await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          }
        }
      },
      options?.priority,
      options?.maxWaitMs ?? null,
    );
    this.#inFlight.add(run);
    const forget = () => void this.#inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  /** One run of `fn` in a PgTx (which batches its own BEGIN, writes and COMMIT); rolled back if anything throws. */
  async #transactOnce<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx = new PgTx(client, this.#participants);
    let broken = false;
    try {
      const result = await fn(tx);
      await tx.commit();
      return result;
    } catch (err) {
      broken = !(await tx.rollback()); // an unusable connection is dropped from the pool instead of reused
      throw err;
    } finally {
      tx.close();
      client.release(broken);
    }
  }

  /**
   * One transaction holding ACCESS EXCLUSIVE locks on every state table (RESET_TABLES' order) while it deletes:
   * a command of any instance that has read a table finishes first (its writes are then deleted), and one that
   * starts later waits and then sees the tables empty, so nothing written from state read before the reset
   * survives it. Claims and delivery results wait the same way and then match no row. Lost deadlocks (a command
   * locking in another order) are retried like any transaction.
   */
  prune(before: number, limit: number): Promise<PruneCounts> {
    if (this.#closing) return Promise.reject(new Error('store is closed'));
    return prunePg(this.#pool, before, limit);
  }

  reset(at: number): Promise<ResetCounts> {
    if (this.#closing) return Promise.reject(new Error('store is closed'));
    const run = this.#gate.run(async () => {
      for (let attempt = 1; ; attempt++) {
        if (this.#closed) throw new Error('store is closed');
        try {
          return await this.#resetOnce(at);
        } catch (err) {
          if (!isRetryablePgError(err) || attempt >= this.#maxAttempts) throw err;
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
        }
      }
    }, 'high');
    this.#inFlight.add(run);
    const forget = () => void this.#inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  async #resetOnce(at: number): Promise<ResetCounts> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        await client.query(`LOCK TABLE ${RESET_TABLES.map(([t]) => t).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        const counts = {} as ResetCounts;
        for (const [table, key, uncounted] of RESET_TABLES) {
          const [counted, ...rest] = resetStatements(table, uncounted);
          counts[key] = (await client.query(counted!)).rowCount ?? 0;
          for (const sql of rest) await client.query(sql);
        }
        await client.query("INSERT INTO world_changes (kind, body, created_at) VALUES ('reset', $1, $2)", [
          RESET_CHANGE_BODY,
          at,
        ]);
        // The feed starts over: one `reset` event (seq goes on from the old ones) tells every watcher to reload.
        await client.query('DELETE FROM events');
        await client.query("INSERT INTO events (rt, at, kind, body) VALUES ($1, $2, 'reset', '{}')", [
          realMicros(),
          at,
        ]);
        await client.query('COMMIT');
        return counts;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  async schemaStatus(): Promise<SchemaStatus> {
    if (this.#closing) throw new Error('store is closed');
    const { rows } = await this.#pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    return { applied: rows[0]?.v ?? 0, latest: Math.max(0, ...PG_MIGRATIONS.map((m) => m.version)) };
  }

  /** Refuses new transactions, lets every one already asked for finish, then stops the heartbeat and the pool. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#inFlight]);
      this.#closed = true;
      await this.#instance.stop();
      await this.#pool.end();
    })();
    return this.#closing;
  }
}
