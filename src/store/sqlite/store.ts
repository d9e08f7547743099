/**
 * SQLite implementation of `Store` on better-sqlite3. The driver is synchronous; the interface is async so that
 * PostgreSQL fits behind it. One connection, so transactions are serialized by a FIFO mutex: statements of two
 * `transact` calls never interleave, and queue operations wait for the running transaction.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { EventStore, OutboxStore, PruneCounts, ResetCounts, SchemaStatus, Store, TimerStore, TransactOptions, Tx, WorldChangeStore } from '../store.js';
import { createSqliteEvents } from './events.js';
import { realMicros } from '../event-rows.js';
import { RESET_CHANGE_BODY, RESET_TABLES, resetStatements } from '../reset-tables.js';
import { MIGRATIONS } from './migrations.js';
import { prepareEntityStatements, SqliteTx, type EntityStatements } from './entities.js';
import { migrate } from './migrate.js';
import { TransactionGate } from '../gate.js';
import { createSqliteOutbox, createSqliteTimers, releaseDeadLeases } from './outbox.js';
import { createSqliteWorldChanges } from './world-changes.js';
import { createSqliteRetention, type SqliteRetention } from './retention.js';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:' for an ephemeral store. */
  path: string;
  /** How long a write waits for another process holding the file (ms). */
  busyTimeoutMs?: number;
}

/**
 * The change feed's `events` table (src/store/store.ts EventStore) lives in an attached in-memory database, not in
 * the file: every command appends a row in its own transaction, and a growing table in the WAL file cost each
 * command transaction 20-45 µs (a new page written per commit, more with AUTOINCREMENT and indexes; 700-byte rows,
 * measured), against ~2 µs in memory. A SQLite file is served by one instance, so nobody else needs the rows, and a
 * restart starts the feed (and the dashboard's timelines) afresh while calls, operations and notifications stay.
 * Unqualified names resolve to it (main has no `events`), so statements read as they do on PostgreSQL.
 * No AUTOINCREMENT and no index (the dashboard's reads scan this bounded table): seq stays increasing because
 * pruning keeps the newest row and a reset inserts its event at the old maximum + 1.
 */
function attachFeed(db: Database.Database): void {
  db.exec("ATTACH DATABASE ':memory:' AS feed");
  db.exec(`CREATE TABLE feed.events (
    seq             INTEGER PRIMARY KEY,
    rt              INTEGER NOT NULL,  -- real time, microseconds since the epoch (timeline order)
    at              INTEGER NOT NULL,  -- the world's time, epoch ms
    kind            TEXT NOT NULL,     -- 'command' | 'request' | 'delivery' | 'redeliver' | 'reset'
    conversation_id TEXT,              -- command: the conversation it changed
    call_id         TEXT,              -- request, delivery, redeliver: the call leg
    body            TEXT NOT NULL      -- JSON
  )`);
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  if (!isMemory(opts.path)) await mkdir(dirname(opts.path), { recursive: true });
  const db = new Database(opts.path);
  try {
    // WAL lets readers (the dashboard, a second CLI) run while the server writes; NORMAL is durable in WAL except on power loss.
    if (!isMemory(opts.path)) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`);
    migrate(db);
    attachFeed(db);
    releaseDeadLeases(db);
    return new SqliteStore(db);
  } catch (err) {
    db.close();
    throw err;
  }
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly outbox: OutboxStore;
  readonly timers: TimerStore;
  readonly worldChanges: WorldChangeStore;
  readonly events: EventStore;
  #db: Database.Database;
  #mutex = new TransactionGate(1);
  #entities: EntityStatements;
  #begin: Database.Statement;
  #commit: Database.Statement;
  #rollback: Database.Statement;
  #closed = false;
  #retention: SqliteRetention;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#entities = prepareEntityStatements(db);
    // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a lock upgrade.
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#retention = createSqliteRetention(db);
    this.outbox = createSqliteOutbox(db, this.#mutex, this.#retention);
    this.timers = createSqliteTimers(db, this.#mutex);
    this.worldChanges = createSqliteWorldChanges(db, this.#mutex);
    this.events = createSqliteEvents(db, this.#mutex);
  }

  get waiting(): number {
    return this.#mutex.waiting;
  }

  /**
   * FIFO: `options.priority` is not used here. One SQLite writer's transactions are short and synchronous inside, so
   * timers keep up with new commands in arrival order (no notification lag at peak in the bench); priority would
   * only move new requests behind them (bench/RESULTS.md).
   */
  transact<T>(fn: (tx: Tx) => Promise<T>, options?: TransactOptions): Promise<T> {
    return this.#mutex.run(async () => {
      if (this.#closed) throw new Error('store is closed');
      const tx = new SqliteTx(this.#entities);
      this.#begin.run();
      try {
        const result = await fn(tx);
        this.#commit.run();
        return result;
      } catch (err) {
        // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); ROLLBACK would then fail and hide `err`.
        if (this.#db.inTransaction) this.#rollback.run();
        throw err;
      } finally {
        tx.close();
      }
    }, 'normal', options?.maxWaitMs ?? null);
  }

  reset(at: number): Promise<ResetCounts> {
    // Under the store mutex, like every statement: no transaction, claim or delivery result interleaves with it.
    return this.#mutex.run(() => {
      if (this.#closed) throw new Error('store is closed');
      return this.#db.transaction(() => {
        const counts = {} as ResetCounts;
        for (const [table, key, uncounted] of RESET_TABLES) {
          const [counted, ...rest] = resetStatements(table, uncounted);
          counts[key] = this.#db.prepare(counted!).run().changes;
          for (const sql of rest) this.#db.prepare(sql).run();
        }
        this.#db.prepare("INSERT INTO world_changes (kind, body, created_at) VALUES ('reset', ?, ?)").run(RESET_CHANGE_BODY, at);
        // The feed starts over: one `reset` event (seq goes on from the old ones) tells every watcher to reload.
        // Without AUTOINCREMENT the next rowid is max + 1 of what is left: give the reset event the old max + 1.
        const next = (this.#db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM events').get() as { n: number }).n;
        this.#db.prepare('DELETE FROM events').run();
        this.#db.prepare("INSERT INTO events (seq, rt, at, kind, body) VALUES (?, ?, ?, 'reset', '{}')").run(next, realMicros(), at);
        return counts;
      }).immediate();
    });
  }

  prune(before: number, limit: number): Promise<PruneCounts> {
    return this.#mutex.run(() => {
      if (this.#closed) throw new Error('store is closed');
      return this.#retention.prune(before, limit);
    });
  }

  schemaStatus(): Promise<SchemaStatus> {
    return this.#mutex.run(() => {
      if (this.#closed) throw new Error('store is closed');
      const row = this.#db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
      return { applied: row.v ?? 0, latest: Math.max(0, ...MIGRATIONS.map((m) => m.version)) };
    });
  }

  close(): Promise<void> {
    return this.#mutex.run(() => {
      if (this.#closed) return;
      this.#closed = true;
      this.#db.close();
    });
  }
}
