/**
 * The change feed as this instance delivers it to watchers (the dashboard's server-sent events): it tails the
 * store's `events` table by `seq` while at least one watcher is connected, and does nothing otherwise.
 *
 * Polling is the source of truth (every `pollMs`: another instance's commits on PostgreSQL); an instance wakes the
 * feed itself after its own commits (`wake()`), so what it wrote is seen at once. On PostgreSQL, `seq`s are taken
 * at insert and can commit out of order, so a gap (seq 7 read before 6 is visible) holds delivery back until it
 * fills or `gapWaitMs` has passed (then it was a rolled-back insert, or a row already pruned). Watchers therefore
 * receive events in `seq` order, each once.
 */
import type { EventStore, FeedEvent } from '../store/store.js';

export interface ChangeFeedOptions {
  events: EventStore;
  /** How often to look while watched (ms). */
  pollMs: number;
  /** How long a gap in `seq` may hold delivery back (ms); 0 where commits cannot be out of order (SQLite). */
  gapWaitMs: number;
  /**
   * Names the sequence the feed's `seq`s belong to: the same for every instance of a shared store (PostgreSQL), new
   * at each start where the feed is the process's own (SQLite keeps it in memory), so a watcher that reconnects
   * after a restart knows its last seq means nothing here any more.
   */
  epoch: string;
  log?: (level: 'warn', msg: string, data?: unknown) => void;
}

export type FeedListener = (events: readonly FeedEvent[]) => void;

const PAGE = 500;

export class ChangeFeed {
  readonly #opts: ChangeFeedOptions;
  readonly #listeners = new Set<FeedListener>();
  /** Every event up to here has been delivered (or skipped as a gap); null until the first watcher starts the feed. */
  #head: number | null = null;
  #gapSince: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #reading: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(opts: ChangeFeedOptions) {
    this.#opts = opts;
  }

  get epoch(): string {
    return this.#opts.epoch;
  }

  get watchers(): number {
    return this.#listeners.size;
  }

  /**
   * Starts delivering to `listener` the events after the feed's head as it moves; resolves to that head, so the
   * caller can first send the backlog up to it (`backlog`). Returns the head and an unsubscribe function.
   */
  async subscribe(listener: FeedListener): Promise<{ head: number; unsubscribe: () => void }> {
    if (this.#head === null) this.#head = await this.#opts.events.latestSeq();
    this.#listeners.add(listener);
    this.#schedule(this.#opts.pollMs);
    return {
      head: this.#head,
      unsubscribe: () => {
        this.#listeners.delete(listener);
        if (this.#listeners.size === 0) this.#clearTimer();
      },
    };
  }

  /** The events after `afterSeq` up to `head` (already delivered to others; a new watcher's catch-up). */
  async backlog(afterSeq: number, head: number): Promise<FeedEvent[]> {
    const out: FeedEvent[] = [];
    let from = afterSeq;
    while (from < head) {
      const page = (await this.#opts.events.after(from, PAGE)).filter((e) => e.seq <= head);
      if (page.length === 0) break;
      out.push(...page);
      from = page[page.length - 1]!.seq;
    }
    return out;
  }

  /** This instance committed events: look now (when anyone is watching). */
  wake(): void {
    if (this.#listeners.size > 0) this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
    this.#listeners.clear();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(ms: number): void {
    if (this.#stopped || this.#listeners.size === 0) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    if (this.#timer && ms > 0) return;
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#reading = this.#read().finally(() => {
        this.#reading = null;
        const again = this.#again;
        this.#again = false;
        this.#schedule(again ? 0 : this.#gapSince !== null ? Math.min(this.#opts.pollMs, 50) : this.#opts.pollMs);
      });
    }, ms);
    this.#timer.unref();
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const head = this.#head ?? 0;
        const page = await this.#opts.events.after(head, PAGE);
        const deliver: FeedEvent[] = [];
        let next = head;
        for (const e of page) {
          if (e.seq !== next + 1) {
            const now = Date.now();
            this.#gapSince ??= now;
            if (now - this.#gapSince < this.#opts.gapWaitMs) break;
          }
          this.#gapSince = null;
          deliver.push(e);
          next = e.seq;
        }
        // A reset deletes events and appends its own: a head past every stored seq starts over after it.
        this.#head = next;
        if (deliver.length > 0) for (const l of [...this.#listeners]) l(deliver);
        if (page.length < PAGE || deliver.length < page.length) return;
      }
    } catch (err) {
      this.#opts.log?.('warn', 'change feed: could not read events', { error: (err as Error).message });
    }
  }
}

/**
 * Keeps the feed bounded: after every `every` events this instance wrote, all but the newest `keep` are deleted
 * (in the background, off any command). A reset empties it as well.
 */
export class EventRetention {
  #written = 0;
  #pruning = false;

  readonly #events: EventStore;
  readonly #keep: number;
  readonly #every: number;
  readonly #log: ChangeFeedOptions['log'];

  constructor(events: EventStore, keep: number, every: number, log?: ChangeFeedOptions['log']) {
    this.#events = events;
    this.#keep = keep;
    this.#every = every;
    this.#log = log;
  }

  note(rows: number): void {
    this.#written += rows;
    if (this.#written < this.#every || this.#pruning) return;
    this.#written = 0;
    this.#pruning = true;
    this.#events
      .prune(this.#keep)
      .catch((err: unknown) =>
        this.#log?.('warn', 'change feed: could not prune old events', { error: (err as Error).message }),
      )
      .finally(() => (this.#pruning = false));
  }
}
