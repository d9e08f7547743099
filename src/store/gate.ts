import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

/**
 * How a waiter is ordered: `high` work (firing due timers, finishing deliveries) finishes what accepted commands
 * started, so it runs before any waiting `normal` work (new commands). Under overload, new requests then wait at
 * the gate instead of the notifications of requests already answered (measured on PostgreSQL: FIFO let invite →
 * roster lag grow to seconds while the request side looked fine; see bench/RESULTS.md).
 */
export type LockPriority = 'normal' | 'high';

/**
 * Admits at most `capacity` units of work at once, FIFO within each priority. SQLite uses capacity 1 (one
 * connection, and `transact` awaits between statements, so two commands must never interleave inside one
 * BEGIN … COMMIT). PostgreSQL admits several transactions, one per pooled connection; commands on one
 * conversation still run one after another on its advisory lock, within a process as across processes.
 */
export class TransactionGate {
  readonly #capacity: number;
  #active = 0;
  #waiting: Record<LockPriority, (() => void)[]> = { high: [], normal: [] };
  // Marks work running inside the gate, so a nested run() fails loudly instead of waiting for itself forever.
  #holder = new AsyncLocalStorage<{ held: boolean }>();

  constructor(capacity = 1) {
    this.#capacity = Math.max(1, Math.trunc(capacity));
  }

  run<T>(fn: () => Promise<T> | T, priority: LockPriority = 'normal'): Promise<T> {
    if (this.#holder.getStore()?.held) {
      return Promise.reject(new Error('store is not reentrant: called from inside transact() (use the Tx instead)'));
    }
    return new Promise<T>((resolve, reject) => {
      // Bound to the caller's async context, not the context of whoever hands the slot on.
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
      if (this.#active >= this.#capacity) this.#waiting[priority].push(start);
      else {
        this.#active++;
        start();
      }
    });
  }

  #release(): void {
    const next = this.#waiting.high.shift() ?? this.#waiting.normal.shift();
    if (next) next(); // the slot passes straight on
    else this.#active--;
  }
}
