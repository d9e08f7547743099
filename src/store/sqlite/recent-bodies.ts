/**
 * Notification bodies this process just appended, kept as the bytes it wrote until the outbox claims the row (issue
 * 17). A claim read every body back from `outbox_bodies` moments after the command had written it: for a roster
 * notification (the whole roster, tens of KB) that was a second copy of the same body, ~13 % of the server thread's
 * allocations at the memory peak. A claim now takes the bytes from here and reads the table only for rows it does
 * not hold (a restart, a retry, a body evicted under a backlog).
 *
 * A command that is rolled back has its entries forgotten (and a failed group all of them): SQLite gives a rolled-back
 * row's sequence number to the next row. Entries are also checked against the row's sequence, so a claim hands out
 * only the bytes inserted as that very row, which are what the table holds. Bounded by bytes, oldest out first.
 */
import type { NotificationSummary } from '../outbox-rows.js';

/** What the append kept for the claim: the body's bytes and what the delivery's log line says of it. */
export interface RecentBody {
  bytes: Uint8Array;
  summary: NotificationSummary;
}

export class RecentBodies {
  #byMessageId = new Map<string, RecentBody & { seq: number }>();
  #bytes = 0;
  readonly #maxBytes: number;

  /** 16 MiB by default: hundreds of whole-roster bodies, far more than a claim batch. */
  constructor(maxBytes = 16 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  put(messageId: string, seq: number, { bytes, summary }: RecentBody): void {
    // An entry left under this id (a rolled-back command's) goes first, even when these bytes are not kept.
    this.#drop(messageId);
    if (this.#maxBytes <= 0 || bytes.byteLength > this.#maxBytes) return;
    this.#byMessageId.set(messageId, { seq, bytes, summary });
    this.#bytes += bytes.byteLength;
    for (const [oldest] of this.#byMessageId) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#drop(oldest);
    }
  }

  /** What was appended as this row, once: a later claim of the same row (a retry) reads the table. */
  take(messageId: string, seq: number): RecentBody | undefined {
    const kept = this.#byMessageId.get(messageId);
    if (kept === undefined) return undefined;
    this.#drop(messageId);
    return kept.seq === seq ? { bytes: kept.bytes, summary: kept.summary } : undefined;
  }

  forget(messageId: string): void {
    this.#drop(messageId);
  }

  clear(): void {
    this.#byMessageId.clear();
    this.#bytes = 0;
  }

  /** Entries and bytes held (tests). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.#byMessageId.size, bytes: this.#bytes };
  }

  #drop(messageId: string): void {
    const kept = this.#byMessageId.get(messageId);
    if (kept === undefined) return;
    this.#byMessageId.delete(messageId);
    this.#bytes -= kept.bytes.byteLength;
  }
}
