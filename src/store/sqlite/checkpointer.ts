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
 *
 * A PASSIVE checkpoint alone does not bound the WAL under steady load: the writer starts the WAL over only if, when
 * it begins, every frame has been copied, and a server that commits every turn has nearly always written a frame
 * since the last checkpoint. In the 10-minute soak the WAL reached 4.6 GB beside a 3.1 GB database. So once the WAL
 * holds `restartFrames` frames the worker asks for a pause: the store commits its open group and holds new
 * transactions back (its mutex: the event loop runs on, nothing blocks), the worker runs a TRUNCATE checkpoint (the
 * little the last PASSIVE one left, the fsyncs, and the WAL file cut to nothing), and the next write starts the WAL
 * from its beginning. So the WAL stays under about 1 GiB (RESTART_BYTES).
 *
 * TRUNCATE rather than RESTART: after a RESTART checkpoint the writer itself cuts the WAL file back to
 * `journal_size_limit` in its next COMMIT, on the main thread, and cutting ~1 GiB of file took 270-320 ms there (a
 * filesystem that discards freed blocks waits for the disk): every request stalled behind it, unread. Cut by the
 * worker, the same time is spent while the store's transactions wait and the event loop goes on.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's default `wal_autocheckpoint` (pages), restored if the worker is not there to checkpoint. */
const AUTOCHECKPOINT_PAGES = 1000;
/** What the writer cuts a WAL back to when it starts it over by itself (bytes; the worker's TRUNCATE cuts to nothing). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/**
 * WAL size (bytes) at which the worker asks for a pause to start the WAL over: 1 GiB. Each pause holds commands back
 * for the checkpoint's copy and fsyncs, 15-46 ms measured; at 128 MiB that was every ~3.5 s at half the file bench's
 * peak, and half-rate request p99 went from 8 to 33 ms. At 1 GiB it is every ~30 s there. Counted in frames of the
 * file's page size (a WAL frame is one page), so a smaller page does not make the pauses more frequent.
 */
const RESTART_BYTES = 1024 * 1024 * 1024;

/** The WAL frames RESTART_BYTES makes for a file of `pageSize`-byte pages. */
export const restartFramesFor = (pageSize: number): number => Math.ceil(RESTART_BYTES / pageSize);
/** Longest pause of the store's transactions for one TRUNCATE checkpoint. */
const RESTART_WAIT_MS = 2_000;

/**
 * The worker, as source: an `eval` worker needs no file of its own beside this module (the same code runs from
 * `dist/` and from the TypeScript sources under vitest). It is CommonJS; the driver comes by absolute path.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// A TRUNCATE checkpoint runs while the server holds its writes back; it should not wait long for anything else.
db.pragma('busy_timeout = ' + workerData.restartWaitMs);
let asked = false;
const fail = (err) => parentPort.postMessage({ kind: 'failed', message: String((err && err.message) || err) });
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (!asked && r.log >= workerData.restartFrames) {
      asked = true;
      parentPort.postMessage({ kind: 'pause', frames: r.log });
    }
  } catch (err) {
    fail(err);
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'restart') {
    try {
      const [r] = db.pragma('wal_checkpoint(TRUNCATE)');
      parentPort.postMessage({ kind: 'restarted', busy: r.busy });
    } catch (err) {
      parentPort.postMessage({ kind: 'restarted', busy: 1 });
      fail(err);
    }
    asked = false;
    return;
  }
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
  /** WAL frames at which the worker asks for a pause to start the WAL over (tests make it small). */
  restartFrames?: number;
  /**
   * WAL size (bytes; `journal_size_limit` of the server's connection) the writer cuts the WAL back to when it starts it
   * over after a PASSIVE checkpoint that copied everything; the worker's TRUNCATE cuts it to nothing.
   */
  walSizeLimit?: number;
  /** How the store holds its transactions back while `work` runs, its open group committed first. */
  pauseWrites: (work: () => Promise<void>) => Promise<void>;
}

export interface Checkpointer {
  /** Resolves once the worker has taken over (true) or could not (false, automatic checkpoints stay on). */
  readonly ready: Promise<boolean>;
  /** True while the worker checkpoints and the connection does not. */
  readonly active: boolean;
  /** Stops the worker and closes its connection; call before closing the server's connection. */
  stop(): Promise<void>;
  /** TRUNCATE checkpoints run so far, and how many of them could not finish (busy). */
  readonly restarts: { done: number; busy: number };
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
  let restarted: ((busy: boolean) => void) | null = null;
  const restarts = { done: 0, busy: 0 };
  const walSizeLimit = opts.walSizeLimit ?? WAL_SIZE_LIMIT;

  const fallBack = (reason: string): void => {
    settleReady(false);
    restarted?.(true);
    if (stopping || failed || !db.open) return;
    failed = true;
    if (active) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    active = false;
    opts.onFallback?.(reason);
  };

  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: opts.path,
      driver,
      intervalMs: opts.intervalMs ?? 100,
      restartFrames: opts.restartFrames ?? restartFramesFor(db.pragma('page_size', { simple: true }) as number),
      restartWaitMs: RESTART_WAIT_MS,
    },
  });

  // The worker asked: hold the store's writes back while it runs a TRUNCATE checkpoint (or until it gives up).
  const restartWal = (): void => {
    void opts
      .pauseWrites(
        () =>
          new Promise<void>((resolve) => {
            const timeout = setTimeout(() => finish(true), RESTART_WAIT_MS + 500);
            const finish = (busy: boolean) => {
              clearTimeout(timeout);
              restarted = null;
              restarts.done++;
              if (busy) restarts.busy++;
              resolve();
            };
            restarted = finish;
            worker.postMessage('restart');
          }),
      )
      .catch(() => undefined);
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // The store's close stops it; a store never closed must not keep the process alive for its checkpoints.
  worker.unref();
  worker.on('message', (m: { kind: string; message?: string; busy?: number }) => {
    if (m.kind === 'pause' && !stopping && !failed) {
      restartWal();
    } else if (m.kind === 'restarted') {
      restarted?.(m.busy !== 0);
    } else if (m.kind === 'ready' && !stopping && db.open) {
      db.pragma(`journal_size_limit = ${walSizeLimit}`);
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
    restarts,
    async stop() {
      if (stopping) return;
      stopping = true;
      active = false;
      settleReady(false);
      restarted?.(true);
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
      await exited;
      clearTimeout(timeout);
    },
  };
}
