/**
 * Numbered PostgreSQL migrations, applied in order at start (under an advisory lock, see migrate.ts) and recorded
 * in `schema_migrations`. TS strings, not .sql files, so they load the same from `src/` under vitest and from
 * `dist/src/` after tsc. Never edit a shipped migration: add the next number.
 * Same tables and meaning as the SQLite schema; times are epoch ms in BIGINT; documents are TEXT (not JSONB) so the
 * JSON comes back byte for byte, key order included.
 */
import { MIGRATION_KEYED_ENDPOINTS } from '../keyed-endpoints.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

const INIT = /* sql */ `
-- A meeting, group call or P2P call: the roster lives here, shared by every bot leg in it.
CREATE TABLE conversations (
  id         TEXT PRIMARY KEY,   -- conversation id (domain-generated GUID)
  tenant_id  TEXT NOT NULL,      -- tenant the conversation belongs to
  thread_id  TEXT,               -- chatInfo.threadId, to find the live conversation of a meeting
  created_at BIGINT NOT NULL,    -- epoch ms
  ord        BIGINT GENERATED ALWAYS AS IDENTITY,  -- insertion order (kept on update), breaks created_at ties
  doc        TEXT NOT NULL       -- the Conversation entity as JSON
);
CREATE INDEX conversations_thread ON conversations (tenant_id, thread_id) WHERE thread_id IS NOT NULL;

-- One application's Graph call resource; deleted when the call ends (Graph answers 404 for ended calls).
CREATE TABLE call_legs (
  id              TEXT PRIMARY KEY,  -- the Graph call id
  conversation_id TEXT NOT NULL,     -- conversation this leg is in
  tenant_id       TEXT NOT NULL,     -- tenant of the app that owns the leg
  app_id          TEXT NOT NULL,     -- app that owns the leg
  state           TEXT NOT NULL,     -- callState, for inspection queries
  created_at      BIGINT NOT NULL,   -- epoch ms; orders legs of a conversation
  ord             BIGINT GENERATED ALWAYS AS IDENTITY,  -- insertion order, breaks created_at ties
  doc             TEXT NOT NULL      -- the CallLeg entity as JSON
);
CREATE INDEX call_legs_conversation ON call_legs (conversation_id, created_at, ord);

-- Roster entries of a conversation, including invitees still ringing and removed ones.
CREATE TABLE participants (
  id              TEXT PRIMARY KEY,  -- the Graph participant id
  conversation_id TEXT NOT NULL,     -- conversation whose roster this is
  call_leg_id     TEXT,              -- for bot participants: their call leg
  created_at      BIGINT NOT NULL,   -- epoch ms; roster order
  ord             BIGINT GENERATED ALWAYS AS IDENTITY,  -- insertion order: roster ties keep join order
  doc             TEXT NOT NULL      -- the Participant entity as JSON
);
CREATE INDEX participants_conversation ON participants (conversation_id, created_at, ord);

-- Long-running operations (invite); kept after their leg is deleted.
CREATE TABLE operations (
  id         TEXT PRIMARY KEY,  -- the Graph operation id
  call_id    TEXT NOT NULL,     -- call leg the operation was requested on
  status     TEXT NOT NULL,     -- operationStatus, for inspection queries
  created_at BIGINT NOT NULL,   -- epoch ms
  doc        TEXT NOT NULL      -- the Operation entity as JSON
);
CREATE INDEX operations_call ON operations (call_id);

-- Notifications to bots, written in the same transaction as the state change that caused them.
CREATE TABLE outbox (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- global order; per call, delivery follows it
  message_id      TEXT NOT NULL UNIQUE,  -- X-Microsoft-Skype-Message-ID, the same on every retry
  call_id         TEXT NOT NULL,     -- ordering key: one in-flight notification per call
  tenant_id       TEXT NOT NULL,     -- tenant claim (tid) of the signed token
  app_id          TEXT NOT NULL,     -- audience of the signed token
  callback_uri    TEXT NOT NULL,     -- where the notification is POSTed
  body            TEXT NOT NULL,     -- commsNotifications envelope as JSON
  created_at      BIGINT NOT NULL,   -- epoch ms; the max-age budget counts from here
  attempts        INTEGER NOT NULL DEFAULT 0,  -- delivery attempts so far
  next_attempt_at BIGINT NOT NULL,   -- epoch ms; claiming moves it to the lease end, so a lost delivery comes back then
  leased_until    BIGINT,            -- epoch ms; a dispatcher (of any instance) owns the row until then
  delivered_at    BIGINT,            -- epoch ms of the 2xx, or null
  dead_at         BIGINT,            -- epoch ms it was given up on (dead-lettered, kept), or null
  last_error      TEXT,              -- error of the latest failed attempt
  is_head         BOOLEAN NOT NULL DEFAULT FALSE  -- true on the oldest pending row of its call: the only row claimDue may take
);
-- Per-call queue: finds a call's oldest pending row when the head is delivered or dead-lettered.
CREATE INDEX outbox_pending_by_call ON outbox (call_id, seq) WHERE delivered_at IS NULL AND dead_at IS NULL;
-- Inspection by call, delivered rows included.
CREATE INDEX outbox_by_call ON outbox (call_id, seq);
-- Due scan: only heads are indexed, so claimDue never walks rows queued behind an in-flight or backing-off head.
CREATE INDEX outbox_due_heads ON outbox (next_attempt_at, seq) WHERE is_head;

-- Every delivery attempt, successful or not, for inspection and tests.
CREATE TABLE delivery_attempts (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- insertion order
  outbox_seq  BIGINT NOT NULL,   -- outbox row attempted
  attempt     INTEGER NOT NULL,  -- 1 for the first attempt
  started_at  BIGINT NOT NULL,   -- epoch ms (store clock)
  duration_ms INTEGER NOT NULL,  -- wall time the attempt took
  status_code INTEGER,           -- HTTP status, or null when there was no answer (refused, timeout)
  error       TEXT               -- why it failed, or null
);
CREATE INDEX delivery_attempts_seq ON delivery_attempts (outbox_seq, attempt);

-- Deferred commands (invitee answers, establishment); deleted by the command they feed.
CREATE TABLE timers (
  id           TEXT PRIMARY KEY,  -- timer id, chosen by the domain (upserts replace)
  due_at       BIGINT NOT NULL,   -- epoch ms it fires
  kind         TEXT NOT NULL,     -- TimerKind
  payload      TEXT NOT NULL,     -- JSON: TimerPayloads[kind] (src/domain/types.ts)
  leased_until BIGINT             -- epoch ms; a claimer (of any instance) owns the timer until then
);
CREATE INDEX timers_due ON timers (due_at);
-- Leased timers are few: this keeps nextDueAt from scanning all timers.
CREATE INDEX timers_leased ON timers (leased_until) WHERE leased_until IS NOT NULL;
`;

const INSTANCES = /* sql */ `
-- Live Switchboard processes on this database: each refreshes seen_at every second (instances.ts). An instance not
-- seen for a few seconds is dead (kill -9, lost host): another one frees what it had claimed instead of waiting for
-- the leases to lapse.
CREATE TABLE instances (
  id         TEXT PRIMARY KEY,  -- random per process (per store opened)
  started_at BIGINT NOT NULL,   -- epoch ms, database clock
  seen_at    BIGINT NOT NULL    -- epoch ms, database clock: the last heartbeat
);
ALTER TABLE outbox ADD COLUMN leased_by TEXT;  -- instance holding the lease, or null
ALTER TABLE timers ADD COLUMN leased_by TEXT;  -- instance holding the lease, or null
CREATE INDEX outbox_leased_by ON outbox (leased_by) WHERE leased_by IS NOT NULL;
CREATE INDEX timers_leased_by ON timers (leased_by) WHERE leased_by IS NOT NULL;
`;

const ONLINE_MEETINGS = /* sql */ `
-- Meetings created through POST /users/{userId}/onlineMeetings; bots join them by thread or join meeting id.
CREATE TABLE online_meetings (
  id              TEXT PRIMARY KEY,  -- the Graph onlineMeeting id
  tenant_id       TEXT NOT NULL,     -- tenant of the organizer
  thread_id       TEXT NOT NULL,     -- chatInfo.threadId of the meeting
  join_meeting_id TEXT NOT NULL,     -- joinMeetingIdSettings.joinMeetingId
  created_at      BIGINT NOT NULL,   -- epoch ms
  doc             TEXT NOT NULL      -- the OnlineMeeting entity as JSON
);
CREATE UNIQUE INDEX online_meetings_thread ON online_meetings (tenant_id, thread_id);
CREATE UNIQUE INDEX online_meetings_join_id ON online_meetings (tenant_id, join_meeting_id);
`;

/** identityKey(doc.identity) in SQL: the first endpoint present as an object; its string id, lower-cased except phones. */
const IDENTITY_KEY_OF_DOC = `CASE ${MIGRATION_KEYED_ENDPOINTS.map(
  (k) =>
    `WHEN jsonb_typeof(doc::jsonb -> 'identity' -> '${k}') = 'object' THEN CASE WHEN jsonb_typeof(doc::jsonb -> 'identity' -> '${k}' -> 'id') = 'string' THEN '${k}:' || ${k === 'phone' ? `(doc::jsonb -> 'identity' -> '${k}' ->> 'id')` : `lower(doc::jsonb -> 'identity' -> '${k}' ->> 'id')`} END`,
).join(' ')} END`;

const PARTICIPANT_IDENTITY_KEY = /* sql */ `
-- identityKey of the participant (src/domain/identity.ts), so an invite finds a duplicate invitee without reading the roster.
ALTER TABLE participants ADD COLUMN identity_key TEXT;
UPDATE participants SET identity_key = ${IDENTITY_KEY_OF_DOC};
CREATE INDEX participants_identity ON participants (conversation_id, identity_key);
`;

const WORLD_CHANGES = /* sql */ `
-- Behaviour and fault changes made through the control API; every instance applies them in seq order (src/sim/world-sync.ts).
CREATE TABLE world_changes (
  seq        BIGSERIAL PRIMARY KEY,
  kind       TEXT NOT NULL,     -- 'behaviour' | 'faults'
  body       TEXT NOT NULL,     -- the change as JSON
  created_at BIGINT NOT NULL    -- epoch ms
);
`;

const OUTBOX_REQUEUED_AT = /* sql */ `
-- When the control API put a dead-lettered row back in the queue (POST /_switchboard/notifications/{id}/redeliver):
-- its dead-letter horizon counts from then, not from created_at.
ALTER TABLE outbox ADD COLUMN requeued_at BIGINT;
`;

const EVENTS = /* sql */ `
-- The change feed (src/store/store.ts EventStore): append-only, bounded by pruning, emptied by a reset. Commands
-- write theirs in their own transaction (batched with their other writes); every instance tails it by seq.
-- No index but the key: every command pays for each one, and the dashboard's reads scan this bounded table.
CREATE TABLE events (
  seq             BIGSERIAL PRIMARY KEY,
  rt              BIGINT NOT NULL,   -- real time, microseconds since the epoch (timeline order)
  at              BIGINT NOT NULL,   -- the world's time, epoch ms
  kind            TEXT NOT NULL,     -- 'command' | 'request' | 'delivery' | 'redeliver' | 'reset'
  conversation_id TEXT,              -- command: the conversation it changed
  call_id         TEXT,              -- request, delivery, redeliver: the call leg
  body            TEXT NOT NULL      -- JSON
);
`;

const RETENTION_INDEXES = /* sql */ `
-- Retention (Store.prune) finds ended calls' operations and conversations by age without scanning live ones.
CREATE INDEX operations_created ON operations (created_at);
CREATE INDEX conversations_created ON conversations (created_at);
`;

const OUTBOX_BODY_LZ4 = /* sql */ `
-- Outbox bodies (a whole-roster notification is tens of KB) compressed with lz4 instead of pglz where the server has it
-- (PostgreSQL 14+ built with lz4): the same size on disk and in the WAL, ~90 µs less backend CPU per 25 KB body
-- (bench/RESULTS.md). Rows written before keep pglz; both read back alike. A server without lz4 keeps pglz.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    EXECUTE 'ALTER TABLE outbox ALTER COLUMN body SET COMPRESSION lz4';
  END IF;
END $$;
`;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: 'init', sql: INIT },
  { version: 2, name: 'instances', sql: INSTANCES },
  { version: 3, name: 'online_meetings', sql: ONLINE_MEETINGS },
  { version: 4, name: 'participant_identity_key', sql: PARTICIPANT_IDENTITY_KEY },
  { version: 5, name: 'world_changes', sql: WORLD_CHANGES },
  { version: 6, name: 'outbox_requeued_at', sql: OUTBOX_REQUEUED_AT },
  { version: 7, name: 'events', sql: EVENTS },
  { version: 8, name: 'retention_indexes', sql: RETENTION_INDEXES },
  { version: 9, name: 'outbox_body_lz4', sql: OUTBOX_BODY_LZ4 },
];
