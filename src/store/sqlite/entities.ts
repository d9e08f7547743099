/**
 * The `Tx` of the SQLite store: entity reads and writes plus outbox/timer appends, all on prepared statements
 * (prepared once at open). Entities are stored whole as JSON in `doc`; the other columns exist for lookups.
 */
import type Database from 'better-sqlite3';
import type {
  CallLeg,
  Conversation,
  ConversationView,
  OnlineMeeting,
  Operation,
  OutboundNotification,
  Participant,
  TimerRequest,
} from '../../domain/types.js';
import { identityKey } from '../../domain/identity.js';
import {
  legWithRosterSliceOf,
  participantWithViewOf,
  type DueTimer,
  type FeedEventInput,
  type LegWithRosterSlice,
  type Tx,
} from '../store.js';
import { summarizeBody, toDueTimer, type TimerRecord } from '../outbox-rows.js';
import type { MemoryLeases } from './leases.js';
import { CachedRosters } from './cached-rosters.js';
import { ParsedParticipants } from '../parsed-participants.js';
import type { RecentBodies } from './recent-bodies.js';
import type { BodyParts, PartsAdded } from './body-parts.js';
import { utf8WithFragments } from '../../domain/shared-values.js';

type Doc = { doc: string };
type ParticipantRow = { id: string; doc: string };

/** @internal Statement types cannot be named in a .d.ts (@types/better-sqlite3 keeps them in a private namespace). */
export function prepareEntityStatements(db: Database.Database) {
  return {
    getConversation: db.prepare<[string], Doc>('SELECT doc FROM conversations WHERE id = ?'),
    // Several conversations may share a thread over time (a meeting re-joined after everyone left): the live one has legs.
    findConversationByThread: db.prepare<[string, string], Doc>(
      `SELECT c.doc FROM conversations c
        WHERE c.tenant_id = ? AND c.thread_id = ?
          AND EXISTS (SELECT 1 FROM call_legs l WHERE l.conversation_id = c.id)
        ORDER BY c.created_at DESC, c.rowid DESC LIMIT 1`,
    ),
    putConversation: db.prepare<[string, string, string | null, number, string]>(
      `INSERT INTO conversations (id, tenant_id, thread_id, created_at, doc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, thread_id = excluded.thread_id, doc = excluded.doc`,
    ),
    getLeg: db.prepare<[string], Doc>('SELECT doc FROM call_legs WHERE id = ?'),
    legsInConversation: db.prepare<[string], Doc>(
      'SELECT doc FROM call_legs WHERE conversation_id = ? ORDER BY created_at, rowid',
    ),
    putLeg: db.prepare<[string, string, string, string, string, number, string]>(
      `INSERT INTO call_legs (id, conversation_id, tenant_id, app_id, state, created_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, tenant_id = excluded.tenant_id,
         app_id = excluded.app_id, state = excluded.state, doc = excluded.doc`,
    ),
    deleteLeg: db.prepare<[string]>('DELETE FROM call_legs WHERE id = ?'),
    getParticipant: db.prepare<[string], ParticipantRow>('SELECT id, doc FROM participants WHERE id = ?'),
    participantsInConversation: db.prepare<[string], ParticipantRow>(
      'SELECT id, doc FROM participants WHERE conversation_id = ? ORDER BY created_at, rowid',
    ),
    participantsWithIdentityKeys: db.prepare<[string, string], ParticipantRow>(
      `SELECT id, doc FROM participants INDEXED BY participants_identity
        WHERE conversation_id = ? AND identity_key IN (SELECT value FROM json_each(?)) ORDER BY created_at, rowid`,
    ),
    participantCount: db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM participants WHERE conversation_id = ?',
    ),
    putParticipant: db.prepare<[string, string, string | null, string | null, number, string]>(
      `INSERT INTO participants (id, conversation_id, call_leg_id, identity_key, created_at, doc) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, call_leg_id = excluded.call_leg_id,
         identity_key = excluded.identity_key, doc = excluded.doc`,
    ),
    getOperation: db.prepare<[string], Doc>('SELECT doc FROM operations WHERE id = ?'),
    putOperation: db.prepare<[string, string, string, number, string]>(
      `INSERT INTO operations (id, call_id, status, created_at, doc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET call_id = excluded.call_id, status = excluded.status, doc = excluded.doc`,
    ),
    putOnlineMeeting: db.prepare<[string, string, string, string, number, string]>(
      `INSERT INTO online_meetings (id, tenant_id, thread_id, join_meeting_id, created_at, doc) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, thread_id = excluded.thread_id,
         join_meeting_id = excluded.join_meeting_id, doc = excluded.doc`,
    ),
    getOnlineMeeting: db.prepare<[string], Doc>('SELECT doc FROM online_meetings WHERE id = ?'),
    appendEvent: db.prepare<[number, number, string, string | null, string | null, string]>(
      'INSERT INTO events (rt, at, kind, conversation_id, call_id, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    onlineMeetingByThread: db.prepare<[string, string], Doc>(
      'SELECT doc FROM online_meetings WHERE tenant_id = ? AND thread_id = ?',
    ),
    onlineMeetingByJoinId: db.prepare<[string, string], Doc>(
      'SELECT doc FROM online_meetings WHERE tenant_id = ? AND join_meeting_id = ?',
    ),
    onlineMeetingsOfTenant: db.prepare<[string], Doc>(
      'SELECT doc FROM online_meetings WHERE tenant_id = ? ORDER BY created_at, id',
    ),
    deleteOnlineMeeting: db.prepare<[string]>('DELETE FROM online_meetings WHERE id = ?'),
    // The first pending row of a call is its head; later ones wait behind it (see outbox_due_heads).
    // INDEXED BY: without ANALYZE statistics the planner picks outbox_by_call, which also walks delivered rows.
    appendNotification: db.prepare<[string, string, string, string, string, number, number, string]>(
      `INSERT INTO outbox (message_id, call_id, tenant_id, app_id, callback_uri, created_at, next_attempt_at, is_head)
       VALUES (?, ?, ?, ?, ?, ?, ?,
         NOT EXISTS (SELECT 1 FROM outbox INDEXED BY outbox_pending_by_call WHERE call_id = ? AND delivered_at IS NULL AND dead_at IS NULL))`,
    ),
    // The body of the row appendNotification just inserted, by its seq (not last_insert_rowid(): the body's parts are
    // inserted in between, body-parts.ts). Its own table, so delivery bookkeeping never rewrites it (migration 6).
    appendNotificationBody: db.prepare<[number, Uint8Array]>('INSERT INTO outbox_bodies (seq, body) VALUES (?, ?)'),
    // A re-put timer is a fresh timer: any lease on the old one no longer applies.
    putTimer: db.prepare<[string, number, string, string]>(
      `INSERT INTO timers (id, due_at, kind, payload, leased_until) VALUES (?, ?, ?, ?, NULL)
       ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, kind = excluded.kind, payload = excluded.payload,
         leased_until = NULL`,
    ),
    deleteTimer: db.prepare<[string]>('DELETE FROM timers WHERE id = ?'),
    getTimer: db.prepare<[string], TimerRecord>('SELECT id, due_at, kind, payload FROM timers WHERE id = ?'),
    listLegs: db.prepare<[], Doc>('SELECT doc FROM call_legs ORDER BY created_at, rowid'),
    operationsOfCall: db.prepare<[string], Doc>(
      'SELECT doc FROM operations WHERE call_id = ? ORDER BY created_at, rowid',
    ),
  };
}

export type EntityStatements = ReturnType<typeof prepareEntityStatements>;

function parse<T>(row: Doc | undefined): T | undefined {
  return row === undefined ? undefined : (JSON.parse(row.doc) as T);
}

function parseAll<T>(rows: Doc[]): T[] {
  return rows.map((r) => JSON.parse(r.doc) as T);
}

/** A body stored whole (a transaction used without its store's body parts). */
function bodyWhole(body: unknown): { bytes: Buffer; stored: Buffer } {
  const bytes = utf8WithFragments(body);
  return { bytes, stored: bytes };
}

/** Runs a synchronous statement as the async `Store` contract expects: results resolve, throws reject. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** One transaction's view of the store; unusable once its transaction has ended. */
export class SqliteTx implements Tx {
  #s: EntityStatements;
  #open = true;
  #timerLeases: MemoryLeases<string> | null;
  /** Timers this command deleted or re-put: their claim leases end with it (succeeded), not before. */
  #timersDone: string[] = [];
  /**
   * What this command queued: a claim of the outbox (or of timers) must commit the group holding such rows first, or
   * it would hand out a notification (fire a timer) whose state is not durable yet (store.ts, queue gates).
   */
  readonly queued = { notifications: false, timers: false };

  #participants: ParsedParticipants;
  #rosters: CachedRosters;
  #bodies: RecentBodies | null;
  /** Conversations whose roster this command wrote: forgotten from the cached rosters if it is rolled back. */
  readonly rostersWritten = new Set<string>();
  /** Message ids of the notifications this command appended: their kept bodies are forgotten if it is rolled back. */
  readonly bodiesAppended: string[] = [];
  /** Body parts this command stored (body-parts.ts): forgotten if it is rolled back. */
  readonly partsAdded: PartsAdded = [];
  #parts: BodyParts | null;

  constructor(
    statements: EntityStatements,
    timerLeases: MemoryLeases<string> | null = null,
    participants: ParsedParticipants = new ParsedParticipants(0),
    rosters: CachedRosters = new CachedRosters(0),
    bodies: RecentBodies | null = null,
    parts: BodyParts | null = null,
  ) {
    this.#s = statements;
    this.#timerLeases = timerLeases;
    this.#participants = participants;
    this.#rosters = rosters;
    this.#bodies = bodies;
    this.#parts = parts;
  }

  /**
   * The command's writes stand (its savepoint was released): the timers it deleted or re-put are no longer leased. Not
   * on a rollback: a timer whose command failed stays leased until its lease lapses, so it is retried then, not at once.
   */
  succeeded(): void {
    for (const id of this.#timersDone) this.#timerLeases?.release(id);
    this.#timersDone = [];
  }

  /** Called when the transaction commits or rolls back: a Tx leaked past `transact` must not write outside it. */
  close(): void {
    this.#open = false;
  }

  #run<T>(fn: (s: EntityStatements) => T): Promise<T> {
    return settle(() => {
      if (!this.#open) throw new Error('transaction already finished: Tx used outside its transact() callback');
      return fn(this.#s);
    });
  }

  getConversation(id: string): Promise<Conversation | undefined> {
    return this.#run((s) => parse<Conversation>(s.getConversation.get(id)));
  }

  findConversationByThreadId(tenantId: string, threadId: string): Promise<Conversation | undefined> {
    return this.#run((s) => parse<Conversation>(s.findConversationByThread.get(tenantId, threadId)));
  }

  putConversation(c: Conversation): Promise<void> {
    return this.#run((s) => {
      s.putConversation.run(c.id, c.tenantId, c.chatInfo?.threadId ?? null, c.createdAt, JSON.stringify(c));
    });
  }

  getLeg(id: string): Promise<CallLeg | undefined> {
    return this.#run((s) => parse<CallLeg>(s.getLeg.get(id)));
  }

  legWithRosterSlice(id: string, identityKeys: readonly string[]): Promise<LegWithRosterSlice | undefined> {
    return legWithRosterSliceOf(this, id, identityKeys);
  }

  legsInConversation(conversationId: string): Promise<CallLeg[]> {
    return this.#run((s) => parseAll<CallLeg>(s.legsInConversation.all(conversationId)));
  }

  putLeg(leg: CallLeg): Promise<void> {
    return this.#run((s) => {
      s.putLeg.run(leg.id, leg.conversationId, leg.tenantId, leg.appId, leg.state, leg.createdAt, JSON.stringify(leg));
    });
  }

  deleteLeg(id: string): Promise<void> {
    return this.#run((s) => {
      s.deleteLeg.run(id);
    });
  }

  getParticipant(id: string): Promise<Participant | undefined> {
    return this.#run((s) => {
      const row = s.getParticipant.get(id);
      return row === undefined ? undefined : this.#participants.readRow(row);
    });
  }

  participantWithView(
    id: string,
    needsRoster?: (legs: readonly CallLeg[]) => boolean,
  ): Promise<{ participant: Participant; view: ConversationView | undefined } | undefined> {
    return participantWithViewOf(this, id, needsRoster);
  }

  participantsInConversation(conversationId: string): Promise<Participant[]> {
    return this.#run((s) => {
      const kept = this.#rosters.get(conversationId);
      if (kept !== undefined) return kept;
      const roster = s.participantsInConversation.all(conversationId).map((r) => this.#participants.readRow(r));
      this.#rosters.fill(conversationId, roster);
      return roster;
    });
  }

  participantsWithIdentityKeys(conversationId: string, keys: readonly string[]): Promise<Participant[]> {
    return this.#run((s) =>
      keys.length === 0
        ? []
        : s.participantsWithIdentityKeys
            .all(conversationId, JSON.stringify(keys))
            .map((r) => this.#participants.readRow(r)),
    );
  }

  participantCount(conversationId: string): Promise<number> {
    return this.#run((s) => s.participantCount.get(conversationId)?.n ?? 0);
  }

  putParticipant(p: Participant): Promise<void> {
    return this.#run((s) => {
      const doc = JSON.stringify(p);
      s.putParticipant.run(p.id, p.conversationId, p.callLegId, identityKey(p.identity), p.createdAt, doc);
      // What a read of the row would hand out (parsed from the stored text, shared), also for the next getParticipant.
      this.#rosters.put(this.#participants.readRow({ id: p.id, doc }));
      this.rostersWritten.add(p.conversationId);
    });
  }

  getOperation(id: string): Promise<Operation | undefined> {
    return this.#run((s) => parse<Operation>(s.getOperation.get(id)));
  }

  putOperation(op: Operation): Promise<void> {
    return this.#run((s) => {
      s.putOperation.run(op.id, op.callId, op.status, op.createdAt, JSON.stringify(op));
    });
  }

  putOnlineMeeting(m: OnlineMeeting): Promise<void> {
    return this.#run((s) => {
      s.putOnlineMeeting.run(m.id, m.tenantId, m.threadId, m.joinMeetingId, m.createdAt, JSON.stringify(m));
    });
  }

  getOnlineMeeting(id: string): Promise<OnlineMeeting | undefined> {
    return this.#run((s) => parse<OnlineMeeting>(s.getOnlineMeeting.get(id)));
  }

  onlineMeetingByThreadId(tenantId: string, threadId: string): Promise<OnlineMeeting | undefined> {
    return this.#run((s) => parse<OnlineMeeting>(s.onlineMeetingByThread.get(tenantId, threadId)));
  }

  onlineMeetingByJoinMeetingId(tenantId: string, joinMeetingId: string): Promise<OnlineMeeting | undefined> {
    return this.#run((s) => parse<OnlineMeeting>(s.onlineMeetingByJoinId.get(tenantId, joinMeetingId)));
  }

  onlineMeetingsOfTenant(tenantId: string): Promise<OnlineMeeting[]> {
    return this.#run((s) => parseAll<OnlineMeeting>(s.onlineMeetingsOfTenant.all(tenantId)));
  }

  deleteOnlineMeeting(id: string): Promise<boolean> {
    return this.#run((s) => s.deleteOnlineMeeting.run(id).changes > 0);
  }

  appendNotifications(
    rows: { messageId: string; notification: OutboundNotification; createdAt: number }[],
  ): Promise<void> {
    return this.#run((s) => {
      if (rows.length > 0) this.queued.notifications = true;
      for (const { messageId, notification: n, createdAt } of rows) {
        const { lastInsertRowid } = s.appendNotification.run(
          messageId,
          n.callId,
          n.tenantId,
          n.appId,
          n.callbackUri,
          createdAt,
          createdAt,
          n.callId,
        );
        // As UTF-8 bytes, a BLOB (outbox-rows.ts StoredBody); the claim hands these same bytes out (recent-bodies.ts).
        // A big body is stored as a recipe over parts stored once (body-parts.ts).
        const seq = Number(lastInsertRowid);
        const { bytes, stored } = this.#parts?.encode(n.body, seq, this.partsAdded) ?? bodyWhole(n.body);
        s.appendNotificationBody.run(seq, stored);
        this.#bodies?.put(messageId, seq, { bytes, summary: summarizeBody(n.body) });
        this.bodiesAppended.push(messageId);
      }
    });
  }

  appendEvents(events: readonly FeedEventInput[]): Promise<void> {
    return this.#run((s) => {
      for (const e of events) s.appendEvent.run(e.rt, e.at, e.kind, e.conversationId, e.callId, JSON.stringify(e.body));
    });
  }

  putTimers(timers: TimerRequest[]): Promise<void> {
    return this.#run((s) => {
      if (timers.length > 0) this.queued.timers = true;
      for (const t of timers) {
        s.putTimer.run(t.id, t.dueAt, t.kind, JSON.stringify(t.payload));
        // A re-put timer is a fresh timer: any lease on the old one no longer applies.
        this.#timersDone.push(t.id);
      }
    });
  }

  deleteTimer(id: string): Promise<boolean> {
    return this.#run((s) => {
      this.#timersDone.push(id);
      return s.deleteTimer.run(id).changes === 1;
    });
  }

  getTimer(id: string): Promise<DueTimer | undefined> {
    return this.#run((s) => {
      const r = s.getTimer.get(id);
      return r ? toDueTimer(r) : undefined;
    });
  }

  listLegs(): Promise<CallLeg[]> {
    return this.#run((s) => parseAll<CallLeg>(s.listLegs.all()));
  }

  operationsOfCall(callId: string): Promise<Operation[]> {
    return this.#run((s) => parseAll<Operation>(s.operationsOfCall.all(callId)));
  }
}
