/**
 * WAL checkpoints on a worker thread (issue 17). SQLite's automatic checkpoint runs inside the COMMIT that pushes the
 * WAL past 1,000 pages, on the connection that commits: ours, on the main thread. A checkpoint copies the WAL into
 * the database file and fsyncs both (with `synchronous = NORMAL` the only fsyncs there are), so every few hundred
 * invites one request waited tens of milliseconds behind the disk. Measured on the file bench at half the peak rate:
 * request p99 29.6 ms with automatic checkpoints, 5.9 ms with none on the main thread; the peak rose from 416 to 503
 * invites/s.
 *
 * So the server's connection turns automatic checkpoints off once a worker thread with its own connection to the same
 * file is ready, and that worker runs a PASSIVE checkpoint every `intervalMs`: PASSIVE never waits for a lock and
 * never blocks the writer or readers, it copies what no reader still needs, and the writer then starts the WAL over
 * from its beginning (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html). If the worker cannot start or dies, the
 * connection turns automatic checkpoints back on: slower, never unbounded. The worker's connection closes before the
 * server's, so the server's close (the last connection) still checkpoints and removes the WAL as before.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's default `wal_autocheckpoint` (pages), restored if the worker is not there to checkpoint. */
const AUTOCHECKPOINT_PAGES = 1000;
/** A WAL left larger than this by a burst is truncated back to it after a checkpoint (bytes). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * The worker, as source: an `eval` worker needs no file of its own beside this module (the same code runs from
 * `dist/` and from the TypeScript sources under vitest). It is CommonJS; the driver comes by absolute path.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('journal_size_limit = ' + workerData.walSizeLimit);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ kind: 'failed', message: String((err && err.message) || err) });
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ kind: 'ready' });
`;

export interface CheckpointerOptions {
  /** The database file (the server's connection has it open in WAL mode). */
  path: string;
  /** How often the worker checkpoints (ms). */
  intervalMs?: number;
  /** The better-sqlite3 module the worker loads (absolute path); tests name a missing one to see the fallback. */
  driver?: string;
  /** Told when the worker failed and automatic checkpoints are back on the main thread. */
  onFallback?: (reason: string) => void;
}

export interface Checkpointer {
  /** Resolves once the worker has taken over (true) or could not (false, automatic checkpoints stay on). */
  readonly ready: Promise<boolean>;
  /** True while the worker checkpoints and the connection does not. */
  readonly active: boolean;
  /** Stops the worker and closes its connection; call before closing the server's connection. */
  stop(): Promise<void>;
}

const STOP_WAIT_MS = 2000;

export function startCheckpointer(db: Database.Database, opts: CheckpointerOptions): Checkpointer {
  const require = createRequire(import.meta.url);
  const driver = opts.driver ?? require.resolve('better-sqlite3');
  let active = false;
  let stopping = false;
  let failed = false;
  let settleReady: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => (settleReady = resolve));

  const fallBack = (reason: string): void => {
    settleReady(false);
    if (stopping || failed || !db.open) return;
    failed = true;
    if (active) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    active = false;
    opts.onFallback?.(reason);
  };

  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: opts.path, driver, intervalMs: opts.intervalMs ?? 100, walSizeLimit: WAL_SIZE_LIMIT },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // The store's close stops it; a store never closed must not keep the process alive for its checkpoints.
  worker.unref();
  worker.on('message', (m: { kind: string; message?: string }) => {
    if (m.kind === 'ready' && !stopping && db.open) {
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      db.pragma('wal_autocheckpoint = 0');
      active = true;
      settleReady(true);
    } else if (m.kind === 'failed') {
      // A checkpoint that failed once (a full disk, say) is retried on the next tick; the WAL only grows meanwhile.
      // Hand checkpoints back to the connection, whose COMMIT then reports the same error to the command.
      void worker.terminate();
      fallBack(`WAL checkpoint failed on the checkpoint thread: ${m.message ?? 'unknown error'}`);
    }
  });
  worker.on('error', (err) => fallBack(`the checkpoint thread failed: ${err.message}`));
  worker.on('exit', (code) => {
    if (!stopping) fallBack(`the checkpoint thread exited (code ${code})`);
  });

  return {
    ready,
    get active() {
      return active;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      active = false;
      settleReady(false);
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
      await exited;
      clearTimeout(timeout);
    },
  };
}
