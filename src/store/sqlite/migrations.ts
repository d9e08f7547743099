/**
 * Numbered SQLite migrations, applied in order at open and recorded in `schema_migrations`.
 * Kept as TS strings (not .sql files) so they load the same from `src/` under vitest and from `dist/src/`
 * after tsc, which does not copy .sql files. Never edit a shipped migration: add the next number.
 */
import { MIGRATION_KEYED_ENDPOINTS } from '../keyed-endpoints.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const INIT = /* sql */ `
-- A meeting, group call or P2P call: the roster lives here, shared by every bot leg in it.
CREATE TABLE conversations (
  id         TEXT PRIMARY KEY,  -- conversation id (domain-generated GUID)
  tenant_id  TEXT NOT NULL,     -- tenant the conversation belongs to
  thread_id  TEXT,              -- chatInfo.threadId, to find the live conversation of a meeting
  created_at INTEGER NOT NULL,  -- epoch ms
  doc        TEXT NOT NULL      -- the Conversation entity as JSON
);
CREATE INDEX conversations_thread ON conversations (tenant_id, thread_id) WHERE thread_id IS NOT NULL;

-- One application's Graph call resource; deleted when the call ends (Graph answers 404 for ended calls).
CREATE TABLE call_legs (
  id              TEXT PRIMARY KEY,  -- the Graph call id
  conversation_id TEXT NOT NULL,     -- conversation this leg is in
  tenant_id       TEXT NOT NULL,     -- tenant of the app that owns the leg
  app_id          TEXT NOT NULL,     -- app that owns the leg
  state           TEXT NOT NULL,     -- callState, for inspection queries
  created_at      INTEGER NOT NULL,  -- epoch ms; orders legs of a conversation
  doc             TEXT NOT NULL      -- the CallLeg entity as JSON
);
CREATE INDEX call_legs_conversation ON call_legs (conversation_id, created_at);

-- Roster entries of a conversation, including invitees still ringing and removed ones.
CREATE TABLE participants (
  id              TEXT PRIMARY KEY,  -- the Graph participant id
  conversation_id TEXT NOT NULL,     -- conversation whose roster this is
  call_leg_id     TEXT,              -- for bot participants: their call leg
  created_at      INTEGER NOT NULL,  -- epoch ms; roster order (ties keep insertion order)
  doc             TEXT NOT NULL      -- the Participant entity as JSON
);
CREATE INDEX participants_conversation ON participants (conversation_id, created_at);

-- Long-running operations (invite); kept after their leg is deleted.
CREATE TABLE operations (
  id         TEXT PRIMARY KEY,  -- the Graph operation id
  call_id    TEXT NOT NULL,     -- call leg the operation was requested on
  status     TEXT NOT NULL,     -- operationStatus, for inspection queries
  created_at INTEGER NOT NULL,  -- epoch ms
  doc        TEXT NOT NULL      -- the Operation entity as JSON
);
CREATE INDEX operations_call ON operations (call_id);

-- Notifications to bots, written in the same transaction as the state change that caused them.
CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,  -- global order; per call, delivery follows it
  message_id      TEXT NOT NULL UNIQUE,  -- X-Microsoft-Skype-Message-ID, the same on every retry
  call_id         TEXT NOT NULL,     -- ordering key: one in-flight notification per call
  tenant_id       TEXT NOT NULL,     -- tenant claim (tid) of the signed token
  app_id          TEXT NOT NULL,     -- audience of the signed token
  callback_uri    TEXT NOT NULL,     -- where the notification is POSTed
  body            TEXT NOT NULL,     -- commsNotifications envelope as JSON
  created_at      INTEGER NOT NULL,  -- epoch ms; the max-age budget counts from here
  attempts        INTEGER NOT NULL DEFAULT 0,  -- delivery attempts so far
  next_attempt_at INTEGER NOT NULL,  -- epoch ms; claiming moves it to the lease end, so a lost delivery comes back then
  leased_until    INTEGER,           -- epoch ms; a dispatcher owns the row until then
  delivered_at    INTEGER,           -- epoch ms of the 2xx, or null
  dead_at         INTEGER,           -- epoch ms it was given up on (dead-lettered, kept), or null
  last_error      TEXT,              -- error of the latest failed attempt
  is_head         INTEGER NOT NULL DEFAULT 0  -- 1 on the oldest pending row of its call: the only row claimDue may take
);
-- Per-call queue: finds a call's oldest pending row when the head is delivered or dead-lettered.
CREATE INDEX outbox_pending_by_call ON outbox (call_id, seq) WHERE delivered_at IS NULL AND dead_at IS NULL;
-- Inspection by call, delivered rows included.
CREATE INDEX outbox_by_call ON outbox (call_id, seq);
-- Due scan: only heads are indexed, so claimDue never walks rows queued behind an in-flight or backing-off head.
CREATE INDEX outbox_due_heads ON outbox (next_attempt_at) WHERE is_head = 1;

-- Every delivery attempt, successful or not, for inspection and tests.
CREATE TABLE delivery_attempts (
  id          INTEGER PRIMARY KEY,  -- insertion order
  outbox_seq  INTEGER NOT NULL,     -- outbox row attempted
  attempt     INTEGER NOT NULL,     -- 1 for the first attempt
  started_at  INTEGER NOT NULL,     -- epoch ms (store clock)
  duration_ms INTEGER NOT NULL,     -- wall time the attempt took
  status_code INTEGER,              -- HTTP status, or null when there was no answer (refused, timeout)
  error       TEXT                  -- why it failed, or null
);
CREATE INDEX delivery_attempts_seq ON delivery_attempts (outbox_seq, attempt);

-- Deferred commands (invitee answers, establishment); deleted by the command they feed.
CREATE TABLE timers (
  id           TEXT PRIMARY KEY,  -- timer id, chosen by the domain (upserts replace)
  due_at       INTEGER NOT NULL,  -- epoch ms it fires
  kind         TEXT NOT NULL,     -- TimerKind
  payload      TEXT NOT NULL,     -- JSON: TimerPayloads[kind] (src/domain/types.ts)
  leased_until INTEGER            -- epoch ms; a claimer owns the timer until then
);
CREATE INDEX timers_due ON timers (due_at);
-- Leased timers are few: this keeps nextDueAt from scanning all timers.
CREATE INDEX timers_leased ON timers (leased_until) WHERE leased_until IS NOT NULL;
`;

const ONLINE_MEETINGS = /* sql */ `
-- Meetings created through POST /users/{userId}/onlineMeetings; bots join them by thread or join meeting id.
CREATE TABLE online_meetings (
  id              TEXT PRIMARY KEY,  -- the Graph onlineMeeting id
  tenant_id       TEXT NOT NULL,     -- tenant of the organizer
  thread_id       TEXT NOT NULL,     -- chatInfo.threadId of the meeting
  join_meeting_id TEXT NOT NULL,     -- joinMeetingIdSettings.joinMeetingId
  created_at      INTEGER NOT NULL,  -- epoch ms
  doc             TEXT NOT NULL      -- the OnlineMeeting entity as JSON
);
CREATE UNIQUE INDEX online_meetings_thread ON online_meetings (tenant_id, thread_id);
CREATE UNIQUE INDEX online_meetings_join_id ON online_meetings (tenant_id, join_meeting_id);
`;

/** identityKey(doc.identity) in SQL: the first endpoint present as an object; its string id, lower-cased except phones. */
const IDENTITY_KEY_OF_DOC = `CASE ${MIGRATION_KEYED_ENDPOINTS.map(
  (k) =>
    `WHEN json_type(doc, '$.identity.${k}') = 'object' THEN CASE WHEN json_type(doc, '$.identity.${k}.id') = 'text' THEN '${k}:' || ${k === 'phone' ? `json_extract(doc, '$.identity.${k}.id')` : `lower(json_extract(doc, '$.identity.${k}.id'))`} END`,
).join(' ')} END`;

const PARTICIPANT_IDENTITY_KEY = /* sql */ `
-- identityKey of the participant (src/domain/identity.ts), so an invite finds a duplicate invitee without reading the roster.
ALTER TABLE participants ADD COLUMN identity_key TEXT;
UPDATE participants SET identity_key = ${IDENTITY_KEY_OF_DOC};
CREATE INDEX participants_identity ON participants (conversation_id, identity_key);
`;

const WORLD_CHANGES = /* sql */ `
-- Behaviour and fault changes made through the control API, applied in seq order at start (src/sim/world-sync.ts).
CREATE TABLE world_changes (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,     -- 'behaviour' | 'faults'
  body       TEXT NOT NULL,     -- the change as JSON
  created_at INTEGER NOT NULL   -- epoch ms
);
`;

const OUTBOX_REQUEUED_AT = /* sql */ `
-- When the control API put a dead-lettered row back in the queue (POST /_switchboard/notifications/{id}/redeliver):
-- its dead-letter horizon counts from then, not from created_at.
ALTER TABLE outbox ADD COLUMN requeued_at INTEGER;
`;

const OUTBOX_BODIES = /* sql */ `
-- Notification bodies in their own table, keyed by the outbox row's seq. Delivery bookkeeping updates an outbox row
-- (attempts, delivered_at, dead_at, is_head, last_error), and SQLite writes a record whose size changes out again
-- whole, overflow pages included: a roster "updated" lists the whole roster (Graph's default), so with the body in
-- the row, marking a 52 KB notification delivered wrote another ~61 KB of WAL. Here a body is written once, with its
-- row, and deleted with it (the trigger below, so no path that deletes outbox rows can leave one behind).
CREATE TABLE outbox_bodies (
  seq  INTEGER PRIMARY KEY,  -- outbox.seq of the row this is the body of
  body TEXT NOT NULL         -- commsNotifications envelope as JSON
);
INSERT INTO outbox_bodies (seq, body) SELECT seq, body FROM outbox;
ALTER TABLE outbox DROP COLUMN body;
CREATE TRIGGER outbox_bodies_deleted_with_row AFTER DELETE ON outbox
BEGIN
  DELETE FROM outbox_bodies WHERE seq = OLD.seq;
END;
`;

const BODY_PARTS = /* sql */ `
-- Parts of notification bodies, each stored once and named by every body that lists it (src/store/sqlite/body-parts.ts):
-- a roster "updated" lists the whole roster, so consecutive bodies of a call repeat the same participants' bytes.
-- A body of a page or more is then stored in outbox_bodies as a recipe (its own text and part ids).
CREATE TABLE body_parts (
  id    INTEGER PRIMARY KEY,
  seq   INTEGER NOT NULL,  -- outbox.seq of the row it was stored for: which parts no body can name any more
  bytes BLOB NOT NULL      -- UTF-8 JSON of one rendering (a participant)
);
CREATE INDEX body_parts_seq ON body_parts (seq);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', sql: INIT },
  { version: 2, name: 'online_meetings', sql: ONLINE_MEETINGS },
  { version: 3, name: 'participant_identity_key', sql: PARTICIPANT_IDENTITY_KEY },
  { version: 4, name: 'world_changes', sql: WORLD_CHANGES },
  { version: 5, name: 'outbox_requeued_at', sql: OUTBOX_REQUEUED_AT },
  { version: 6, name: 'outbox_bodies', sql: OUTBOX_BODIES },
  { version: 7, name: 'body_parts', sql: BODY_PARTS },
];
