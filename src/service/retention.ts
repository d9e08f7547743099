/**
 * Retention (issue 17): a long load test must not grow the store without bound. Every `intervalMs` (real time), the
 * store deletes what is older than `retentionMs` on the world's clock and no longer needed (Store.prune: delivered
 * notifications with their attempts, ended calls' operations, conversations and rosters), in batches of
 * `batch` rows so that no single transaction holds the store for long; between batches other work runs. Dead
 * letters are kept until they are redelivered (then pruned like any delivered row) or purged through the control API.
 */
import type { Clock } from '../domain/clock.js';
import type { PruneCounts, Store } from '../store/store.js';

export interface RetentionDeps {
  store: Pick<Store, 'prune'>;
  clock: Clock;
  retentionMs: number;
  /** How often to prune (ms of real time); default: a tenth of the retention, between 1 s and 1 min. */
  intervalMs?: number;
  /** Rows of each kind per transaction (default 500). */
  batch?: number;
  log?: (level: 'error' | 'warn' | 'info' | 'debug', msg: string, data?: Record<string, unknown>) => void;
}

const ZERO: PruneCounts = { notifications: 0, deliveryAttempts: 0, operations: 0, conversations: 0, participants: 0 };

export class RetentionLoop {
  readonly #deps: RetentionDeps;
  readonly #intervalMs: number;
  readonly #batch: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<PruneCounts> | null = null;
  #stopped = true;

  constructor(deps: RetentionDeps) {
    this.#deps = deps;
    this.#intervalMs = deps.intervalMs ?? Math.min(60_000, Math.max(1000, Math.round(deps.retentionMs / 10)));
    this.#batch = deps.batch ?? 500;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** Prunes everything past the horizon now, batch after batch; resolves with the totals. */
  pruneNow(): Promise<PruneCounts> {
    this.#running ??= this.#pruneAll().finally(() => (this.#running = null));
    return this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.pruneNow()
        .then(
          (total) => {
            if (total.notifications + total.operations + total.conversations > 0)
              this.#deps.log?.('debug', 'retention: pruned old rows', { ...total });
          },
          (err: unknown) =>
            this.#deps.log?.('error', 'retention: prune failed, retrying at the next interval', {
              error: err instanceof Error ? err.message : String(err),
            }),
        )
        .finally(() => this.#schedule());
    }, this.#intervalMs);
    // Retention alone must not keep a process alive.
    this.#timer.unref();
  }

  async #pruneAll(): Promise<PruneCounts> {
    const total = { ...ZERO };
    const before = this.#deps.clock.now() - this.#deps.retentionMs;
    for (;;) {
      const counts = await this.#deps.store.prune(before, this.#batch);
      for (const k of Object.keys(total) as (keyof PruneCounts)[]) total[k] += counts[k];
      const full =
        counts.notifications >= this.#batch || counts.operations >= this.#batch || counts.conversations >= this.#batch;
      if (!full || this.#stopped) return total;
      // Let requests and deliveries run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
