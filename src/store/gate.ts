import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * How a waiter is ordered: `high` work (firing due timers) finishes what accepted commands started, so it runs
 * before any waiting `normal` work (new commands). Under overload, new requests then wait at the gate instead of
 * the notifications of requests already answered (measured on PostgreSQL: FIFO let invite → roster lag grow to
 * seconds while the request side looked fine; see bench/RESULTS.md). The PostgreSQL store uses it; SQLite keeps
 * arrival order.
 */
export type LockPriority = 'normal' | 'high';

/**
 * A waiter was admitted after its `maxWaitMs`: the work did not run (nothing was written). Overload answers it with
 * 429 rather than committing a command whose client may already have given up (src/service/admission.ts).
 */
export class QueueWaitExceeded extends Error {
  readonly waitedMs: number;
  constructor(waitedMs: number) {
    super(`waited ${Math.round(waitedMs)} ms for a transaction turn`);
    this.name = 'QueueWaitExceeded';
    this.waitedMs = waitedMs;
  }
}

/**
 * A nested run() from inside the gate (a store call inside transact() instead of the Tx) would wait for itself
 * forever. Catching it needs AsyncLocalStorage, which turns on promise hooks for every promise in the process: about
 * 7 % of the server thread at saturation in the issue 17 profile. So the check runs where such bugs are found, the
 * test suite (vitest.config.ts sets SWITCHBOARD_CHECK_REENTRY=1), and not in a serving process.
 */
const CHECK_REENTRY = process.env.SWITCHBOARD_CHECK_REENTRY === '1';

/** FIFO of admission callbacks; O(1) take, so a deep queue under overload stays cheap (Array#shift copies). */
class WaitQueue {
  #items: (() => void)[] = [];
  #head = 0;

  push(item: () => void): void {
    this.#items.push(item);
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  take(): (() => void) | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/**
 * Admits at most `capacity` units of work at once, FIFO within each priority. SQLite uses capacity 1 (one
 * connection, and `transact` awaits between statements, so two commands must never interleave inside one
 * BEGIN … COMMIT). PostgreSQL admits several transactions, one per pooled connection; commands on one
 * conversation still run one after another on its advisory lock, within a process as across processes.
 */
export class TransactionGate {
  readonly #capacity: number;
  #active = 0;
  #waiting: Record<LockPriority, WaitQueue> = { high: new WaitQueue(), normal: new WaitQueue() };
  // Marks work running inside the gate, so a nested run() fails loudly instead of waiting for itself forever; only
  // where the check is on (CHECK_REENTRY).
  #holder = CHECK_REENTRY ? new AsyncLocalStorage<{ held: boolean }>() : null;

  constructor(capacity = 1) {
    this.#capacity = Math.max(1, Math.trunc(capacity));
  }

  /** Work waiting for a turn now (not counting the work running). */
  get waiting(): number {
    return this.#waiting.high.size + this.#waiting.normal.size;
  }

  /**
   * Runs `fn` once admitted. With `maxWaitMs`, work that had to wait longer than that for its turn does not run: it
   * rejects with QueueWaitExceeded (and passes the turn on), so a backlog never turns into late commits.
   */
  run<T>(fn: () => Promise<T> | T, priority: LockPriority = 'normal', maxWaitMs: number | null = null): Promise<T> {
    if (this.#holder?.getStore()?.held) {
      return Promise.reject(new Error('store is not reentrant: called from inside transact() (use the Tx instead)'));
    }
    let admitted: Promise<void>;
    let queuedAt: number | null = null;
    if (this.#active < this.#capacity) {
      this.#active++;
      admitted = Promise.resolve();
    } else {
      if (maxWaitMs !== null) queuedAt = performance.now();
      admitted = new Promise<void>((resolve) => this.#waiting[priority].push(resolve));
    }
    // `.then` is registered here, so `fn` runs in the caller's async context, not in that of whoever admits it.
    // (AsyncResource.bind did the same at ~20 µs per call; this costs ~2 µs.)
    const scope = { held: true };
    const result = admitted.then(() => {
      if (queuedAt !== null && maxWaitMs !== null) {
        const waited = performance.now() - queuedAt;
        if (waited > maxWaitMs) throw new QueueWaitExceeded(waited);
      }
      return this.#holder ? this.#holder.run(scope, fn) : fn();
    });
    const done = () => {
      scope.held = false;
      this.#release();
    };
    void result.then(done, done);
    return result;
  }

  #release(): void {
    const next = this.#waiting.high.take() ?? this.#waiting.normal.take();
    if (next)
      next(); // the slot passes straight on
    else this.#active--;
  }
}
