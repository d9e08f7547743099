import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * FIFO async mutex: both stores run one `transact` at a time per process, in call order. SQLite has one connection
 * and `transact` awaits between statements, so without this two commands could interleave inside one BEGIN … COMMIT;
 * PostgreSQL keeps the same per-process order (other processes are serialized by row and advisory locks).
 */
export class AsyncMutex {
  #tail: Promise<unknown> = Promise.resolve();
  // Marks work running under the lock, so a nested run() fails loudly instead of waiting for itself forever.
  #holder = new AsyncLocalStorage<{ held: boolean }>();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.#holder.getStore()?.held) {
      return Promise.reject(new Error('store is not reentrant: called from inside transact() (use the Tx instead)'));
    }
    const result = this.#tail.then(async () => {
      const scope = { held: true };
      try {
        return await this.#holder.run(scope, fn);
      } finally {
        scope.held = false;
      }
    });
    // The next waiter starts when this one settles, whether it succeeded or not.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
