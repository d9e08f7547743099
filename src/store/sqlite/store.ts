/**
 * SQLite implementation of `Store` on better-sqlite3. The driver is synchronous; the interface is async so that
 * PostgreSQL fits behind it. One connection, so transactions are serialized by a FIFO mutex: statements of two
 * `transact` calls never interleave, and queue operations wait for the running transaction.
 */
import { AsyncResource } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
import { createSqliteEvents } from './events.js';
import { realMicros } from '../event-rows.js';
import { RESET_CHANGE_BODY, RESET_TABLES, resetStatements } from '../reset-tables.js';
import { MIGRATIONS } from './migrations.js';
import { prepareEntityStatements, SqliteTx, type EntityStatements } from './entities.js';
import { ParsedParticipants } from '../parsed-participants.js';
import { CachedRosters } from './cached-rosters.js';
import { migrate } from './migrate.js';
import { TransactionGate } from '../gate.js';
import { createSqliteOutbox, createSqliteTimers, releaseDeadLeases } from './outbox.js';
import { RecentBodies } from './recent-bodies.js';
import { BodyParts } from './body-parts.js';
import { createSqliteWorldChanges } from './world-changes.js';
import { createSqliteRetention, type SqliteRetention } from './retention.js';
import { MemoryLeases } from './leases.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:' for an ephemeral store. */
  path: string;
  /** How long a write waits for another process holding the file (ms). */
  busyTimeoutMs?: number;
  /** Told when WAL checkpoints fall back from their worker thread to the server's connection (checkpointer.ts). */
  onCheckpointFallback?: (reason: string) => void;
  /** Tests only: how far a body may be from a part's row and still name it (body-parts.ts REFRESH_SEQS). */
  bodyPartsRefreshSeqs?: number;
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

/**
 * Page size of a new store file (SQLite's default is 4,096). Every COMMIT writes each page it changed, whole, to the
 * WAL, and most pages an invite changes are index leaves it adds one short entry to at a random place (participants by
 * conversation and by identity, operations by call, outbox by call and by message id, the text primary keys): a WAL
 * taken from the beyond-capacity bench run held 75 pages per COMMIT, 60 % of them such leaves. Halving the page halves
 * those bytes; the documents an invite writes (0.4-1 KB) still fit in a page, and only outbox bodies between ~2 KB and
 * 4 KiB (bigger ones are stored as recipes, body-parts.ts) take an overflow page. Measured on the file bench (two interleaved rounds): server thread 853 / 827 µs per invite at 4,096 against 753 /
 * 729 at 2,048 and 758 / 724 at 1,024; 957 / 1,029 against 1,113 / 1,081 and 1,090 / 1,152 req/s. 1,024 saves as much
 * CPU but puts every outbox body over 1 KB and every call leg in overflow pages, so 2,048. `:memory:` writes no WAL
 * and measured the same either way (811 / 839 vs 866 / 774 µs), so it keeps the default.
 */
export const FILE_PAGE_SIZE = 2048;

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  if (!isMemory(opts.path)) await mkdir(dirname(opts.path), { recursive: true });
  const db = new Database(opts.path);
  try {
    // WAL lets readers (the dashboard, a second CLI) run while the server writes; NORMAL is durable in WAL except on power loss.
    if (!isMemory(opts.path)) {
      // Only a new, empty file takes the page size; an existing one keeps its own (changing it needs a VACUUM).
      db.pragma(`page_size = ${FILE_PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
    }
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`);
    migrate(db);
    attachFeed(db);
    releaseDeadLeases(db);
    return new SqliteStore(db, isMemory(opts.path) ? null : opts, opts.bodyPartsRefreshSeqs);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** What the queues need of the store's gate (TransactionGate.run). */
export type SerialGate = Pick<TransactionGate, 'run'>;

/**
 * The gates of the queue operations (issue 17: every one of them used to commit the open group first, so at
 * saturation a group rarely held more than one command: 1.06 commands per COMMIT in the file bench). Each runs under
 * the store mutex; they differ in whether the open group is committed first.
 */
export interface QueueGates {
  /** Commits the open group first: what runs sees committed rows only (control API reads, requeue, purge). */
  committed: SerialGate;
  /**
   * Commits the open group first only if it queued notifications: a notification is claimed only once the state it
   * reports is committed (it is committed with its row). Rows queued before stay claimable without a COMMIT.
   */
  outboxClaim: SerialGate;
  /** The same for timers: commits first only if the group put timers. */
  timerClaim: SerialGate;
  /** No COMMIT: a read whose answer is only when to look again (nextDueAt); a claim commits what it must. */
  hint: SerialGate;
  /**
   * Writes into the open group (opening one if none is), which commits on the next turn with the commands of this
   * one: delivery results. The caller does not wait for that COMMIT: a result lost with its group (a crash, a failed
   * COMMIT) leaves the row pending, so it is delivered again under the same message id (at least once).
   */
  grouped: SerialGate;
}

/** Commands sharing one transaction; each awaits `committed` before it is acknowledged. */
interface CommitGroup {
  committed: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
  /** A command of the group queued notifications / timers (SqliteTx.queued). */
  queued: { notifications: boolean; timers: boolean };
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly outbox: OutboxStore;
  readonly timers: TimerStore;
  readonly worldChanges: WorldChangeStore;
  readonly events: EventStore;
  #db: Database.Database;
  #mutex = new TransactionGate(1);
  /** The gate of reads that must see committed rows only: it commits an open group first. */
  #queueGate: SerialGate;
  #entities: EntityStatements;
  #begin: Database.Statement;
  #commit: Database.Statement;
  #rollback: Database.Statement;
  #savepoint: Database.Statement;
  #releaseSavepoint: Database.Statement;
  #rollbackToSavepoint: Database.Statement;
  #group: CommitGroup | null = null;
  /** WAL checkpoints off the main thread (a file store); null in memory. */
  #checkpointer: Checkpointer | null;
  // Bound to the store's own async context: scheduled from inside a command, the flush must not look like a
  // transaction nested in it (the gate's reentrancy check, where it is on, would refuse it).
  #flushLater = AsyncResource.bind((group: CommitGroup) => {
    if (this.#group !== group) return;
    this.#mutex.run(() => this.#commitGroup()).catch(() => undefined);
  });
  #closed = false;
  #retention: SqliteRetention;
  // Claim leases, this process's own (leases.ts): a claim reads, it does not write.
  #outboxLeases = new MemoryLeases<number>();
  #timerLeases = new MemoryLeases<string>();
  // Parsed participant rows, reused while their stored text is unchanged (entities.ts).
  #participants = new ParsedParticipants();
  /** Rosters as this connection sees them (cached-rosters.ts): forgotten with what the connection undoes. */
  #rosters = new CachedRosters();
  /** Bodies appended by this process, handed to the outbox's claim instead of read back (recent-bodies.ts). */
  #bodies = new RecentBodies();
  /** Parts of big bodies, each stored once (body-parts.ts). */
  readonly #parts: BodyParts;

  /** `file`: the options of a file store, whose WAL a checkpoint thread looks after; null in memory. */
  constructor(db: Database.Database, file: SqliteStoreOptions | null, bodyPartsRefreshSeqs?: number) {
    this.#db = db;
    this.#entities = prepareEntityStatements(db);
    this.#parts = new BodyParts(db, bodyPartsRefreshSeqs);
    // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a lock upgrade.
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT command');
    this.#releaseSavepoint = db.prepare('RELEASE command');
    this.#rollbackToSavepoint = db.prepare('ROLLBACK TO command');
    this.#queueGate = {
      run: (fn, priority, maxWaitMs) =>
        this.#mutex.run(
          () => {
            this.#commitGroup();
            return fn();
          },
          priority,
          maxWaitMs,
        ),
    };
    // Starting the WAL over needs a moment without writes: the committed gate commits the open group and holds new
    // transactions back while the checkpoint thread works.
    this.#checkpointer =
      file === null
        ? null
        : startCheckpointer(db, {
            path: file.path,
            ...(file.onCheckpointFallback ? { onFallback: file.onCheckpointFallback } : {}),
            pauseWrites: (work) => this.#queueGate.run(() => (this.#closed ? undefined : work())),
          });
    const gates: QueueGates = {
      committed: this.#queueGate,
      outboxClaim: this.#gateCommittingIf((g) => g.queued.notifications),
      timerClaim: this.#gateCommittingIf((g) => g.queued.timers),
      hint: { run: (fn, priority, maxWaitMs) => this.#mutex.run(fn, priority, maxWaitMs) },
      grouped: { run: (fn, priority, maxWaitMs) => this.#mutex.run(() => this.#inGroup(fn), priority, maxWaitMs) },
    };
    this.#retention = createSqliteRetention(db);
    this.outbox = createSqliteOutbox(db, gates, this.#retention, this.#outboxLeases, this.#bodies, this.#parts);
    this.timers = createSqliteTimers(db, gates, this.#timerLeases);
    this.worldChanges = createSqliteWorldChanges(db, this.#queueGate);
    this.events = createSqliteEvents(db, this.#queueGate);
  }

  #gateCommittingIf(mustCommit: (group: CommitGroup) => boolean): SerialGate {
    return {
      run: (fn, priority, maxWaitMs) =>
        this.#mutex.run(
          () => {
            if (this.#group !== null && mustCommit(this.#group)) this.#commitGroup();
            return fn();
          },
          priority,
          maxWaitMs,
        ),
    };
  }

  /**
   * Runs `fn` (synchronous statements; a better-sqlite3 transaction in it becomes a savepoint) inside the open group,
   * opening one if none is open. Under the mutex.
   */
  #inGroup<T>(fn: () => Promise<T> | T): Promise<T> | T {
    if (this.#closed) throw new Error('store is closed');
    const group = this.#group ?? this.#openGroup();
    try {
      return fn();
    } catch (err) {
      // SQLite rolled the whole transaction back on its own (e.g. SQLITE_FULL): every command of the group is lost.
      if (!this.#db.inTransaction) this.#failGroup(group, err);
      throw err;
    }
  }

  get waiting(): number {
    return this.#mutex.waiting;
  }

  /**
   * FIFO: `options.priority` is not used here. One SQLite writer's transactions are short and synchronous inside, so
   * timers keep up with new commands in arrival order (no notification lag at peak in the bench); priority would
   * only move new requests behind them (bench/RESULTS.md).
   */
  async transact<T>(fn: (tx: Tx) => Promise<T>, options?: TransactOptions): Promise<T> {
    let group!: CommitGroup;
    const result = await this.#mutex.run(
      async () => {
        if (this.#closed) throw new Error('store is closed');
        group = this.#group ?? this.#openGroup();
        const tx = new SqliteTx(
          this.#entities,
          this.#timerLeases,
          this.#participants,
          this.#rosters,
          this.#bodies,
          this.#parts,
        );
        this.#savepoint.run();
        try {
          const value = await fn(tx);
          this.#releaseSavepoint.run();
          tx.succeeded();
          if (tx.queued.notifications) group.queued.notifications = true;
          if (tx.queued.timers) group.queued.timers = true;
          return value;
        } catch (err) {
          if (this.#db.inTransaction) {
            // Only this command's writes are undone; the group goes on.
            this.#rollbackToSavepoint.run();
            this.#releaseSavepoint.run();
            for (const conversationId of tx.rostersWritten) this.#rosters.forget(conversationId);
            for (const messageId of tx.bodiesAppended) this.#bodies.forget(messageId);
            this.#parts.forget(tx.partsAdded);
          } else {
            // SQLite rolled the whole transaction back on its own (e.g. SQLITE_FULL): every command of the group is lost.
            this.#failGroup(group, err);
          }
          throw err;
        } finally {
          tx.close();
        }
      },
      'normal',
      options?.maxWaitMs ?? null,
    );
    // Acknowledged only once durable.
    await group.committed;
    return result;
  }

  /**
   * Group commit (issue 17): the commands that run within one turn of the event loop share one BEGIN … COMMIT,
   * each in its own savepoint (a failing command undoes only its own writes), and each caller hears back only
   * after the COMMIT. On a file the COMMIT was a quarter of the server thread at saturation, one per command.
   * The group commits on the next turn (setImmediate), or earlier when a claim needs the rows it queued (a
   * notification is claimed only once its state is durable), or a control-API read, reset, prune or close needs the
   * store (QueueGates). Delivery results join the group rather than commit on their own.
   */
  #openGroup(): CommitGroup {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Rejections reach the commands awaiting it; a group whose every command failed has no one awaiting it.
    committed.catch(() => undefined);
    const group: CommitGroup = { committed, resolve, reject, queued: { notifications: false, timers: false } };
    this.#begin.run();
    this.#group = group;
    setImmediate(this.#flushLater, group);
    return group;
  }

  /** Commits the open group, if any, and tells its commands; a failed COMMIT fails them all. Runs under the mutex. */
  #commitGroup(): void {
    const group = this.#group;
    if (!group) return;
    this.#group = null;
    try {
      this.#commit.run();
      group.resolve();
    } catch (err) {
      if (this.#db.inTransaction) this.#rollback.run();
      this.#rosters.clear();
      this.#bodies.clear();
      this.#parts.clear();
      group.reject(err);
    }
  }

  #failGroup(group: CommitGroup, err: unknown): void {
    if (this.#group === group) this.#group = null;
    this.#rosters.clear();
    this.#bodies.clear();
    this.#parts.clear();
    group.reject(err);
  }

  reset(at: number): Promise<ResetCounts> {
    // Under the store mutex, like every statement: no transaction, claim or delivery result interleaves with it.
    return this.#mutex.run(() => {
      if (this.#closed) throw new Error('store is closed');
      this.#commitGroup();
      // The rows they leased are gone; a delivery or timer still running finds nothing to record (see Store.reset).
      this.#outboxLeases.clear();
      this.#timerLeases.clear();
      this.#participants.clear();
      this.#rosters.clear();
      this.#bodies.clear();
      return this.#db
        .transaction(() => {
          const counts = {} as ResetCounts;
          for (const [table, key, uncounted] of RESET_TABLES) {
            const [counted, ...rest] = resetStatements(table, uncounted);
            counts[key] = this.#db.prepare(counted!).run().changes;
            for (const sql of rest) this.#db.prepare(sql).run();
          }
          // The parts of the bodies just deleted (their rows' trigger took the bodies).
          this.#parts.reset();
          this.#db
            .prepare("INSERT INTO world_changes (kind, body, created_at) VALUES ('reset', ?, ?)")
            .run(RESET_CHANGE_BODY, at);
          // The feed starts over: one `reset` event (seq goes on from the old ones) tells every watcher to reload.
          // Without AUTOINCREMENT the next rowid is max + 1 of what is left: give the reset event the old max + 1.
          const next = (this.#db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM events').get() as { n: number }).n;
          this.#db.prepare('DELETE FROM events').run();
          this.#db
            .prepare("INSERT INTO events (seq, rt, at, kind, body) VALUES (?, ?, ?, 'reset', '{}')")
            .run(next, realMicros(), at);
          return counts;
        })
        .immediate();
    });
  }

  prune(before: number, limit: number): Promise<PruneCounts> {
    return this.#mutex.run(() => {
      if (this.#closed) throw new Error('store is closed');
      this.#commitGroup();
      const counts = this.#retention.prune(before, limit);
      // The parts only pruned bodies named (body-parts.ts); in its own transaction, after the rows went.
      this.#db.transaction(() => this.#parts.prune()).immediate();
      // Ended calls' rosters went with them.
      if (counts.participants > 0) this.#rosters.clear();
      return counts;
    });
  }

  schemaStatus(): Promise<SchemaStatus> {
    return this.#mutex.run(() => {
      if (this.#closed) throw new Error('store is closed');
      this.#commitGroup();
      const row = this.#db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
      return { applied: row.v ?? 0, latest: Math.max(0, ...MIGRATIONS.map((m) => m.version)) };
    });
  }

  close(): Promise<void> {
    return this.#mutex.run(async () => {
      if (this.#closed) return;
      this.#commitGroup();
      this.#closed = true;
      // The worker's connection first: the server's, then the last one, checkpoints and removes the WAL on close.
      await this.#checkpointer?.stop();
      this.#db.close();
    });
  }
}
