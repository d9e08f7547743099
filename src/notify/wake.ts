/**
 * Wake-ups for the dispatcher: a latency hint only. Polling stays the truth, so a lost or duplicated wake costs at
 * most one poll interval. PostgreSQL can later provide a LISTEN/NOTIFY source behind the same interface.
 */
export interface WakeSource {
  /** Calls `listener` on every wake-up until the returned function is called. */
  subscribe(listener: () => void): () => void;
}

/** Wake-ups within one process: the service notifies after a commit that appended outbox rows. */
export class InProcessWake implements WakeSource {
  #listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  notify(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // A hint must never break the committer that sent it.
      }
    }
  }
}
