/** The outbox, attempt and timer rows as both stores keep them (same columns in SQLite and PostgreSQL), and their mapping to the store interface. */
import { isTimerProblem, readTimer } from '../domain/timers.js';
import type { DeliveryAttempt, DueTimer, OutboxRow } from './store.js';

export interface OutboxRecord {
  seq: number;
  message_id: string;
  call_id: string;
  tenant_id: string;
  app_id: string;
  callback_uri: string;
  /** The notification's JSON: text, or its UTF-8 bytes where SQLite keeps it as a BLOB (StoredBody). */
  body: StoredBody;
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

/** A claimed timer row, read back through the domain's timer shapes (an unreadable row says why). */
export function toDueTimer(r: TimerRecord): DueTimer {
  let payload: unknown;
  try {
    payload = JSON.parse(r.payload);
  } catch {
    return { id: r.id, dueAt: r.due_at, kind: r.kind, problem: `${r.kind} timer ${r.id}: the payload is not JSON` };
  }
  const timer = readTimer(r.id, r.due_at, r.kind, payload);
  return isTimerProblem(timer) ? { id: r.id, dueAt: r.due_at, kind: r.kind, problem: timer.problem } : timer;
}

/** The columns of an OutboxRecord. SQLite keeps `body` in a table of its own (outbox_bodies); PostgreSQL in the row. */
export const OUTBOX_COLUMN_NAMES = [
  'seq',
  'message_id',
  'call_id',
  'tenant_id',
  'app_id',
  'callback_uri',
  'body',
  'created_at',
  'attempts',
  'next_attempt_at',
  'delivered_at',
  'dead_at',
  'last_error',
  'requeued_at',
] as const satisfies readonly (keyof OutboxRecord)[];

export const OUTBOX_COLUMNS = OUTBOX_COLUMN_NAMES.join(', ');

/**
 * A notification body as a store keeps it: JSON text, or the UTF-8 bytes of that text. SQLite keeps bytes (a BLOB):
 * a whole-roster body is tens of KB, and as a JS string every copy in flight was copied again by each young-generation
 * garbage collection it lived through and then promoted (72 % of the bytes promoted at the memory peak, issue 17);
 * bytes live outside the JS heap, and are what the POST sends anyway.
 */
export type StoredBody = string | Uint8Array;

const utf8 = new TextDecoder();

/** The JSON text of a stored body. */
export const storedBodyText = (b: StoredBody): string => (typeof b === 'string' ? b : utf8.decode(b));

/**
 * The stored body of rows whose `body` has not been read yet (toOutboxRow). A delivery sends it as it is: parsing a
 * claimed row's body and serializing it again for the POST was ~8 % of the server thread at saturation (issue 17
 * profile; a roster notification lists the whole roster, so the body grows with the call).
 */
const unreadBodies = new WeakMap<object, StoredBody>();

/** The body as stored (text or bytes) when the row came from the store and its body was never read, else serialized. */
export function storedBodyOf(row: Pick<OutboxRow, 'body'>): StoredBody {
  return unreadBodies.get(row) ?? JSON.stringify(row.body);
}

/** What a delivery's log line says of a notification: each item's change type and resource (`resourceUrl`). */
export interface NotificationSummary {
  changeTypes: string[];
  resources: string[];
}

/** The summary of a body (no items when it is not a `commsNotifications` body with a `value` array). */
export function summarizeBody(body: Record<string, unknown>): NotificationSummary {
  const items = Array.isArray(body.value)
    ? (body.value as { changeType?: unknown; resourceUrl?: unknown; resource?: unknown }[])
    : [];
  return {
    changeTypes: items.map((i) => String(i.changeType)),
    resources: items.map((i) => String(i.resourceUrl ?? i.resource)),
  };
}

/**
 * Summaries a store knew when it handed a row out (SQLite: taken when the command appended it), so that the log line
 * of a delivery does not parse a body it otherwise sends unread: at the default log level that parse was 5 % of the
 * server thread at the memory peak (issue 17; a whole-roster body is tens of KB).
 */
const knownSummaries = new WeakMap<object, NotificationSummary>();

/** A row read by toOutboxRow, with the summary its store knows of its body (forgotten once the body is read). */
export function withKnownSummary(row: OutboxRow, summary: NotificationSummary | undefined): OutboxRow {
  if (summary !== undefined && unreadBodies.has(row)) knownSummaries.set(row, summary);
  return row;
}

/** The row's summary: the one its store knew, else taken from its body (which parses a stored body). */
export function notificationSummaryOf(row: Pick<OutboxRow, 'body'>): NotificationSummary {
  return knownSummaries.get(row) ?? summarizeBody(row.body);
}

export function toOutboxRow(r: OutboxRecord): OutboxRow {
  const row: OutboxRow = {
    seq: r.seq,
    messageId: r.message_id,
    callId: r.call_id,
    tenantId: r.tenant_id,
    appId: r.app_id,
    callbackUri: r.callback_uri,
    body: {},
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    deadAt: r.dead_at,
    lastError: r.last_error,
    requeuedAt: r.requeued_at,
  };
  // Parsed on first read (the log line, the control API); once read (and so possibly changed), storedBodyOf serializes it.
  const materialize = (value: Record<string, unknown>): void => {
    unreadBodies.delete(row);
    knownSummaries.delete(row);
    Object.defineProperty(row, 'body', { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(row, 'body', {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = JSON.parse(storedBodyText(r.body)) as Record<string, unknown>;
      materialize(value);
      return value;
    },
    set: materialize,
  });
  unreadBodies.set(row, r.body);
  return row;
}

/** A delivery attempt's columns in insert order (outbox_seq, attempt, started_at, duration_ms, status_code, error). */
export const attemptValues = (a: DeliveryAttempt): [number, number, number, number, number | null, string | null] => [
  a.outboxSeq,
  a.attempt,
  a.startedAt,
  Math.round(a.durationMs),
  a.statusCode,
  a.error,
];

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
