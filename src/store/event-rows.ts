/** The change feed's `events` rows as both stores keep them (same columns in SQLite and PostgreSQL), and their mapping. */
import type { DeliveryAttempt, FeedEvent } from './store.js';

export interface EventRecord {
  seq: number;
  rt: number;
  at: number;
  kind: string;
  conversation_id: string | null;
  call_id: string | null;
  body: string;
}

export const EVENT_COLUMNS = 'seq, rt, at, kind, conversation_id, call_id, body';

export const toFeedEvent = (r: EventRecord): FeedEvent => ({
  seq: r.seq,
  rt: r.rt,
  at: r.at,
  kind: r.kind as FeedEvent['kind'],
  conversationId: r.conversation_id,
  callId: r.call_id,
  body: JSON.parse(r.body) as Record<string, unknown>,
});

/**
 * Real time in microseconds since the epoch (the feed's timeline order): the wall clock at process start plus the
 * monotonic clock since, so it never steps back within a process; instances on one host read one wall clock.
 */
export const realMicros = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

export type DeliveryOutcome = 'delivered' | 'retrying' | 'deadLettered';

/** A delivery attempt's `delivery` event body; the store adds the row's `messageId` (and the call id column) in SQL. */
export function deliveryEventBody(a: DeliveryAttempt, outcome: DeliveryOutcome, nextAttemptAt: number | null): string {
  return JSON.stringify({
    sequence: a.outboxSeq,
    attempt: a.attempt,
    outcome,
    statusCode: a.statusCode,
    error: a.error,
    durationMs: Math.round(a.durationMs),
    startedAt: a.startedAt,
    nextAttemptAt,
    token: a.token ?? null,
  });
}
