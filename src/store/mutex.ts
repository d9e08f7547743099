import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

/**
 * How a waiter is ordered: `high` work (firing due timers, finishing deliveries) finishes what accepted commands
 * started, so it runs before any waiting `normal` work (new commands). Under overload, new requests then wait for
 * the lock instead of the notifications of requests already answered (measured on PostgreSQL: FIFO let invite →
 * roster lag grow to seconds while the request side looked fine; see bench/RESULTS.md).
 */
export type LockPriority = 'normal' | 'high';

/**
 * Async mutex, FIFO within each priority: both stores run one `transact` at a time per process. SQLite has one
 * connection and `transact` awaits between statements, so without this two commands could interleave inside one
 * BEGIN … COMMIT; PostgreSQL keeps the same per-process order (other processes are serialized by row and advisory
 * locks).
 */
export class AsyncMutex {
  #busy = false;
  #waiting: Record<LockPriority, (() => void)[]> = { high: [], normal: [] };
  // Marks work running under the lock, so a nested run() fails loudly instead of waiting for itself forever.
  #holder = new AsyncLocalStorage<{ held: boolean }>();

  run<T>(fn: () => Promise<T> | T, priority: LockPriority = 'normal'): Promise<T> {
    if (this.#holder.getStore()?.held) {
      return Promise.reject(new Error('store is not reentrant: called from inside transact() (use the Tx instead)'));
    }
    return new Promise<T>((resolve, reject) => {
      // Bound to the caller's async context, not the context of whoever releases the lock to it.
      const start = AsyncResource.bind(() => {
        const scope = { held: true };
        void Promise.resolve()
          .then(() => this.#holder.run(scope, fn))
          .then(resolve, reject)
          .finally(() => {
            scope.held = false;
            this.#release();
          });
      });
      if (this.#busy) this.#waiting[priority].push(start);
      else {
        this.#busy = true;
        start();
      }
    });
  }

  #release(): void {
    const next = this.#waiting.high.shift() ?? this.#waiting.normal.shift();
    if (next) next();
    else this.#busy = false;
  }
}
