/** The outbox, attempt and timer rows as both stores keep them (same columns in SQLite and PostgreSQL), and their mapping to the store interface. */
import type { DeliveryAttempt, OutboxRow } from './store.js';

export interface OutboxRecord {
  seq: number;
  message_id: string;
  call_id: string;
  tenant_id: string;
  app_id: string;
  callback_uri: string;
  body: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  dead_at: number | null;
  last_error: string | null;
  requeued_at: number | null;
}

export interface AttemptRecord {
  outbox_seq: number;
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

export interface TimerRecord {
  id: string;
  due_at: number;
  kind: string;
  payload: string;
}

export const OUTBOX_COLUMNS =
  'seq, message_id, call_id, tenant_id, app_id, callback_uri, body, created_at, attempts, next_attempt_at, delivered_at, dead_at, last_error, requeued_at';

export function toOutboxRow(r: OutboxRecord): OutboxRow {
  return {
    seq: r.seq,
    messageId: r.message_id,
    callId: r.call_id,
    tenantId: r.tenant_id,
    appId: r.app_id,
    callbackUri: r.callback_uri,
    body: JSON.parse(r.body) as Record<string, unknown>,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    deadAt: r.dead_at,
    lastError: r.last_error,
    requeuedAt: r.requeued_at,
  };
}

export function toAttempt(r: AttemptRecord): DeliveryAttempt {
  return {
    outboxSeq: r.outbox_seq,
    attempt: r.attempt,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    statusCode: r.status_code,
    error: r.error,
  };
}

