/**
 * The `Tx` of the PostgreSQL store: entity reads and writes plus outbox/timer appends on one pooled connection
 * inside BEGIN … COMMIT (READ COMMITTED).
 *
 * Several instances may work on one database, so a transaction serializes itself against the others per
 * conversation: reading a conversation, or a leg or participant of it, first takes a transaction-scoped advisory
 * lock on that conversation id and then reads (a fresh snapshot per statement, so what it reads after the lock is
 * the latest committed state). Every command loads what it changes through these reads, so commands on one call
 * run one after another across instances. Appending notifications takes a per-call outbox lock, shared with the
 * queue code that promotes a call's next head (outbox.ts), so `is_head` stays exactly one per call.
 * These are locks on storage keys, not rules: the store still decides nothing.
 */
import type { PoolClient } from 'pg';
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
import { toDueTimer, type TimerRecord } from '../outbox-rows.js';
import type { SqlValue } from './inline.js';
import { forgetPrepared, runBatch, statementOf, type Statement } from './prepared.js';
import { stringifyWithFragments } from '../../domain/shared-values.js';
import { ParsedParticipants } from '../parsed-participants.js';

type Doc = { doc: string };
type GroupedDoc = { doc: string; conversation_id: string };

/** SQL taking the transaction-scoped advisory lock of a storage key ($1). */
export const LOCK_KEY_SQL = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';
export const conversationKey = (id: string): string => `switchboard.conversation:${id}`;
export const outboxCallKey = (callId: string): string => `switchboard.outbox:${callId}`;
const threadKey = (tenantId: string, threadId: string): string => `switchboard.thread:${tenantId}:${threadId}`;

const parse = <T>(row: Doc | undefined): T | undefined => (row === undefined ? undefined : (JSON.parse(row.doc) as T));
const parseAll = <T>(rows: Doc[]): T[] => rows.map((r) => JSON.parse(r.doc) as T);

/** A group's documents in table order as one text, "doc,doc,…" (NULL for none): one value instead of a row each. */
const AGGREGATE_DOCS = "string_agg(doc, ',' ORDER BY created_at, ord)";
/** AGGREGATE_DOCS' text as the documents: they are JSON, so with brackets around they are one JSON array. */
const parseAggregate = <T>(docs: string | null): T[] => (docs === null ? [] : (JSON.parse(`[${docs}]`) as T[]));

/**
 * Participants' documents as one text, separated by U+001E, which JSON text never holds unescaped (JSON.stringify
 * writes control characters as \u escapes), so each document can be looked up by its text (ParsedParticipants.readDoc, src/store/parsed-participants.ts).
 */
const SEPARATOR = '\u001e';
const AGGREGATE_PARTICIPANT_DOCS = "string_agg(doc, E'\\x1e' ORDER BY created_at, ord)";

/** AGGREGATE_PARTICIPANT_DOCS' text (NULL for none) as the participants, in its order. */
const readAggregate = (participants: ParsedParticipants, docs: string | null): Participant[] =>
  docs === null ? [] : docs.split(SEPARATOR).map((d) => participants.readDoc(d));

const FIND_BY_THREAD = `SELECT c.id, c.doc FROM conversations c
  WHERE c.tenant_id = $1 AND c.thread_id = $2
    AND EXISTS (SELECT 1 FROM call_legs l WHERE l.conversation_id = c.id)
  ORDER BY c.created_at DESC, c.ord DESC LIMIT 1`;

const BEGIN = statementOf('BEGIN', []);

/** A statement waiting to be sent; reads carry the callbacks that receive their rows. */
interface Queued {
  statement: Statement;
  resolve?: (rows: object[]) => void;
  reject?: (err: unknown) => void;
}

/**
 * One transaction's view of the store; unusable once its transaction has ended.
 * Round trips are what a transaction here costs, so it sends as few as it can. Statements queue in issue order:
 * writes and locks wait; a read schedules a flush (process.nextTick, so reads issued together, e.g. under
 * Promise.all, share it), which sends BEGIN if not yet sent and everything queued as one pipeline (prepared.ts).
 * COMMIT goes out with the last writes. Statements still run in exactly the order they were issued; only a
 * write's error surfaces later (at the next read or COMMIT), and it fails the transaction either way. Each statement
 * goes as a Bind and Execute of its text Parsed once per connection (prepared.ts), its values as parameters.
 */
export class PgTx implements Tx {
  #client: PoolClient;
  #open = true;
  #begun = false;
  #queue: Queued[] = [];
  #flushScheduled = false;
  #locked = new Set<string>();
  #participants: ParsedParticipants;

  constructor(client: PoolClient, participants: ParsedParticipants = new ParsedParticipants(0)) {
    this.#client = client;
    this.#participants = participants;
  }

  /** Called when the transaction commits or rolls back: a Tx leaked past `transact` must not write outside it. */
  close(): void {
    this.#open = false;
  }

  #ensureOpen(): void {
    if (!this.#open) throw new Error('transaction already finished: Tx used outside its transact() callback');
  }

  /** Sends BEGIN (if not yet sent) and every queued statement as one pipeline, and hands each read its rows. */
  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const statements = batch.map((q) => q.statement);
    const offset = this.#begun ? 0 : 1;
    if (!this.#begun) statements.unshift(BEGIN);
    this.#begun = true;
    try {
      const results = await runBatch(this.#client, statements);
      batch.forEach((q, i) => q.resolve?.(results[offset + i] ?? []));
    } catch (err) {
      for (const q of batch) q.reject?.(err);
    }
  }

  #query<R extends object>(sql: string, params: readonly SqlValue[]): Promise<R[]> {
    this.#ensureOpen();
    const statement = statementOf(sql, params);
    return new Promise<R[]>((resolve, reject) => {
      this.#queue.push({ statement, resolve: resolve as (rows: object[]) => void, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        process.nextTick(() => void this.#flush());
      }
    });
  }

  /** Queues a statement whose result nobody reads; it is sent with the next read or with COMMIT. */
  #write(sql: string, params: readonly SqlValue[]): Promise<void> {
    this.#ensureOpen();
    this.#queue.push({ statement: statementOf(sql, params) });
    return Promise.resolve();
  }

  /** Commits: the queued writes and COMMIT in one round trip (nothing at all for a transaction that did nothing). */
  async commit(): Promise<void> {
    if (!this.#begun && this.#queue.length === 0) return;
    await this.#query('COMMIT', []);
  }

  /** Rolls back what was sent; queued statements are dropped unsent. False when the connection is unusable. */
  async rollback(): Promise<boolean> {
    this.#queue = [];
    if (!this.#begun) return true;
    try {
      // A failed batch may have prepared statements it did not count (prepared.ts): start those over.
      forgetPrepared(this.#client);
      await this.#client.query('ROLLBACK; DEALLOCATE ALL');
      return true;
    } catch {
      return false;
    }
  }

  /** Takes a storage-key lock once per transaction (sent with the next statement); held until COMMIT or ROLLBACK. */
  lock(key: string): void {
    if (this.#locked.has(key)) return;
    this.#locked.add(key);
    void this.#write(LOCK_KEY_SQL, [key]);
  }

  /**
   * Reads a row of a conversation's group (table `call_legs` or `participants`), locking its conversation first:
   * one round trip locks the conversation the row names and then reads the row again under that lock (a fresh
   * snapshot per statement). If another instance moved the row meanwhile, lock the new conversation and read again.
   */
  async #grouped(table: 'call_legs' | 'participants', id: string): Promise<GroupedDoc | undefined> {
    const read = () => this.#query<GroupedDoc>(`SELECT conversation_id, doc FROM ${table} WHERE id = $1`, [id]);
    const [lockedRows, rows] = await Promise.all([
      this.#query<{ conversation_id: string }>(
        `SELECT conversation_id, pg_advisory_xact_lock(hashtextextended($2 || conversation_id, 0)) FROM ${table} WHERE id = $1`,
        [id, conversationKey('')],
      ),
      read(),
    ]);
    if (lockedRows[0]) this.#locked.add(conversationKey(lockedRows[0].conversation_id));
    let row = rows[0];
    while (row !== undefined && !this.#locked.has(conversationKey(row.conversation_id))) {
      this.lock(conversationKey(row.conversation_id));
      row = (await read())[0];
    }
    return row;
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    this.lock(conversationKey(id));
    return parse<Conversation>((await this.#query<Doc>('SELECT doc FROM conversations WHERE id = $1', [id]))[0]);
  }

  async findConversationByThreadId(tenantId: string, threadId: string): Promise<Conversation | undefined> {
    // Two instances joining one meeting at once must not both see "no live conversation".
    this.lock(threadKey(tenantId, threadId));
    for (;;) {
      const found = (await this.#query<{ id: string; doc: string }>(FIND_BY_THREAD, [tenantId, threadId]))[0];
      if (found === undefined || this.#locked.has(conversationKey(found.id))) return parse<Conversation>(found);
      // Lock the candidate, then ask again: its last leg may have ended while we waited.
      this.lock(conversationKey(found.id));
    }
  }

  async putConversation(c: Conversation): Promise<void> {
    await this.#write(
      `INSERT INTO conversations (id, tenant_id, thread_id, created_at, doc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, thread_id = excluded.thread_id, doc = excluded.doc`,
      [c.id, c.tenantId, c.chatInfo?.threadId ?? null, c.createdAt, JSON.stringify(c)],
    );
  }

  async getLeg(id: string): Promise<CallLeg | undefined> {
    return parse<CallLeg>(await this.#grouped('call_legs', id));
  }

  async legWithRosterSlice(id: string, identityKeys: readonly string[]): Promise<LegWithRosterSlice | undefined> {
    const read = await this.#rowWithGroup<{
      conversation: string | null;
      legs: string | null;
      n: number;
      slice: string | null;
    }>(
      'call_legs',
      id,
      `(SELECT doc FROM conversations WHERE id = r.conversation_id) AS conversation,
       (SELECT ${AGGREGATE_DOCS} FROM call_legs WHERE conversation_id = r.conversation_id) AS legs,
       (SELECT COUNT(*)::int FROM participants WHERE conversation_id = r.conversation_id) AS n,
       (SELECT ${AGGREGATE_PARTICIPANT_DOCS} FROM participants
         WHERE conversation_id = r.conversation_id AND identity_key = ANY($2::text[])) AS slice`,
      [identityKeys],
    );
    if (read === 'moved') return legWithRosterSliceOf(this, id, identityKeys);
    if (read === undefined) return undefined;
    return {
      leg: JSON.parse(read.doc) as CallLeg,
      conversation: read.conversation === null ? undefined : (JSON.parse(read.conversation) as Conversation),
      legs: parseAggregate<CallLeg>(read.legs),
      rosterSize: read.n,
      withIdentityKeys: readAggregate(this.#participants, read.slice),
    };
  }

  async legsInConversation(conversationId: string): Promise<CallLeg[]> {
    return parseAll<CallLeg>(
      await this.#query<Doc>('SELECT doc FROM call_legs WHERE conversation_id = $1 ORDER BY created_at, ord', [
        conversationId,
      ]),
    );
  }

  async putLeg(leg: CallLeg): Promise<void> {
    await this.#write(
      `INSERT INTO call_legs (id, conversation_id, tenant_id, app_id, state, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, tenant_id = excluded.tenant_id,
         app_id = excluded.app_id, state = excluded.state, doc = excluded.doc`,
      [leg.id, leg.conversationId, leg.tenantId, leg.appId, leg.state, leg.createdAt, JSON.stringify(leg)],
    );
  }

  async deleteLeg(id: string): Promise<void> {
    await this.#write('DELETE FROM call_legs WHERE id = $1', [id]);
  }

  async getParticipant(id: string): Promise<Participant | undefined> {
    const row = await this.#grouped('participants', id);
    return row === undefined ? undefined : this.#participants.readDoc(row.doc);
  }

  /**
   * A row of a conversation's group read with more of its group, in one round trip of two statements: the first
   * locks the conversation the row names (as #grouped), the second reads the row and `more` (select-list
   * expressions over the row `r`; `$1` is `id`, `$2` the first of `params`) in one statement, so PostgreSQL starts
   * one executor instead of one per read (bench/RESULTS.md: executor start-up was ~9 % of its CPU per invite).
   * Under the lock the row cannot move to another conversation, so the reads agree. 'moved' when it moved between
   * the lock and the read (another instance moved it): the caller then reads the ordinary way, which locks the new
   * conversation.
   */
  async #rowWithGroup<R extends object>(
    table: 'call_legs' | 'participants',
    id: string,
    more: string,
    params: readonly SqlValue[] = [],
  ): Promise<(GroupedDoc & R) | 'moved' | undefined> {
    const [lockedRows, rows] = await Promise.all([
      this.#query<{ conversation_id: string }>(
        `SELECT conversation_id, pg_advisory_xact_lock(hashtextextended($2 || conversation_id, 0)) FROM ${table} WHERE id = $1`,
        [id, conversationKey('')],
      ),
      this.#query<GroupedDoc & R>(`SELECT r.conversation_id, r.doc, ${more} FROM ${table} r WHERE r.id = $1`, [
        id,
        ...params,
      ]),
    ]);
    const locked = lockedRows[0]?.conversation_id;
    if (locked !== undefined) this.#locked.add(conversationKey(locked));
    const row = rows[0];
    if (row === undefined) return undefined;
    return row.conversation_id === locked ? row : 'moved';
  }

  /** The roster is read with the rest, in the same round trip, whatever `needsRoster` would say. */
  async participantWithView(
    id: string,
    needsRoster?: (legs: readonly CallLeg[]) => boolean,
  ): Promise<{ participant: Participant; view: ConversationView | undefined } | undefined> {
    const read = await this.#rowWithGroup<{ conversation: string | null; legs: string | null; roster: string | null }>(
      'participants',
      id,
      `(SELECT doc FROM conversations WHERE id = r.conversation_id) AS conversation,
       (SELECT ${AGGREGATE_DOCS} FROM call_legs WHERE conversation_id = r.conversation_id) AS legs,
       (SELECT ${AGGREGATE_PARTICIPANT_DOCS} FROM participants WHERE conversation_id = r.conversation_id) AS roster`,
    );
    if (read === 'moved') return participantWithViewOf(this, id, needsRoster);
    if (read === undefined) return undefined;
    return {
      participant: this.#participants.readDoc(read.doc),
      view:
        read.conversation === null
          ? undefined
          : {
              conversation: JSON.parse(read.conversation) as Conversation,
              legs: parseAggregate<CallLeg>(read.legs),
              roster: readAggregate(this.#participants, read.roster),
            },
    };
  }

  async participantsInConversation(conversationId: string): Promise<Participant[]> {
    const rows = await this.#query<Doc>(
      'SELECT doc FROM participants WHERE conversation_id = $1 ORDER BY created_at, ord',
      [conversationId],
    );
    return rows.map((r) => this.#participants.readDoc(r.doc));
  }

  async participantsWithIdentityKeys(conversationId: string, keys: readonly string[]): Promise<Participant[]> {
    if (keys.length === 0) return [];
    const rows = await this.#query<Doc>(
      'SELECT doc FROM participants WHERE conversation_id = $1 AND identity_key = ANY($2::text[]) ORDER BY created_at, ord',
      [conversationId, keys],
    );
    return rows.map((r) => this.#participants.readDoc(r.doc));
  }

  async participantCount(conversationId: string): Promise<number> {
    const rows = await this.#query<{ n: string }>('SELECT COUNT(*) AS n FROM participants WHERE conversation_id = $1', [
      conversationId,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  async putParticipant(p: Participant): Promise<void> {
    await this.#write(
      `INSERT INTO participants (id, conversation_id, call_leg_id, identity_key, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, call_leg_id = excluded.call_leg_id,
         identity_key = excluded.identity_key, doc = excluded.doc`,
      [p.id, p.conversationId, p.callLegId, identityKey(p.identity), p.createdAt, JSON.stringify(p)],
    );
  }

  async getOperation(id: string): Promise<Operation | undefined> {
    return parse<Operation>((await this.#query<Doc>('SELECT doc FROM operations WHERE id = $1', [id]))[0]);
  }

  async putOperation(op: Operation): Promise<void> {
    await this.#write(
      `INSERT INTO operations (id, call_id, status, created_at, doc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET call_id = excluded.call_id, status = excluded.status, doc = excluded.doc`,
      [op.id, op.callId, op.status, op.createdAt, JSON.stringify(op)],
    );
  }

  async putOnlineMeeting(m: OnlineMeeting): Promise<void> {
    await this.#write(
      `INSERT INTO online_meetings (id, tenant_id, thread_id, join_meeting_id, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, thread_id = excluded.thread_id,
         join_meeting_id = excluded.join_meeting_id, doc = excluded.doc`,
      [m.id, m.tenantId, m.threadId, m.joinMeetingId, m.createdAt, JSON.stringify(m)],
    );
  }

  async getOnlineMeeting(id: string): Promise<OnlineMeeting | undefined> {
    return parse<OnlineMeeting>((await this.#query<Doc>('SELECT doc FROM online_meetings WHERE id = $1', [id]))[0]);
  }

  async onlineMeetingByThreadId(tenantId: string, threadId: string): Promise<OnlineMeeting | undefined> {
    return parse<OnlineMeeting>(
      (
        await this.#query<Doc>('SELECT doc FROM online_meetings WHERE tenant_id = $1 AND thread_id = $2', [
          tenantId,
          threadId,
        ])
      )[0],
    );
  }

  async onlineMeetingByJoinMeetingId(tenantId: string, joinMeetingId: string): Promise<OnlineMeeting | undefined> {
    return parse<OnlineMeeting>(
      (
        await this.#query<Doc>('SELECT doc FROM online_meetings WHERE tenant_id = $1 AND join_meeting_id = $2', [
          tenantId,
          joinMeetingId,
        ])
      )[0],
    );
  }

  /** A write like any other: it goes out with the transaction's next batch (no round trip of its own). */
  async appendEvents(events: readonly FeedEventInput[]): Promise<void> {
    for (const e of events) {
      await this.#write(
        'INSERT INTO events (rt, at, kind, conversation_id, call_id, body) VALUES ($1, $2, $3, $4, $5, $6)',
        [e.rt, e.at, e.kind, e.conversationId, e.callId, JSON.stringify(e.body)],
      );
    }
  }

  async onlineMeetingsOfTenant(tenantId: string): Promise<OnlineMeeting[]> {
    return parseAll<OnlineMeeting>(
      await this.#query<Doc>('SELECT doc FROM online_meetings WHERE tenant_id = $1 ORDER BY created_at, id', [
        tenantId,
      ]),
    );
  }

  async deleteOnlineMeeting(id: string): Promise<boolean> {
    return (await this.#query('DELETE FROM online_meetings WHERE id = $1 RETURNING id', [id])).length === 1;
  }

  async appendNotifications(
    rows: { messageId: string; notification: OutboundNotification; createdAt: number }[],
  ): Promise<void> {
    // Sorted, so two transactions appending to the same calls take the locks in one order.
    for (const callId of [...new Set(rows.map((r) => r.notification.callId))].sort()) this.lock(outboxCallKey(callId));
    for (const { messageId, notification: n, createdAt } of rows) {
      // The first pending row of a call is its head; later ones wait behind it (see outbox_due_heads).
      await this.#write(
        `INSERT INTO outbox (message_id, call_id, tenant_id, app_id, callback_uri, body, created_at, next_attempt_at, is_head)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7,
           NOT EXISTS (SELECT 1 FROM outbox WHERE call_id = $2 AND delivered_at IS NULL AND dead_at IS NULL))`,
        [messageId, n.callId, n.tenantId, n.appId, n.callbackUri, stringifyWithFragments(n.body), createdAt],
      );
    }
  }

  async putTimers(timers: TimerRequest[]): Promise<void> {
    for (const t of timers) {
      // A re-put timer is a fresh timer: any lease on the old one no longer applies.
      await this.#write(
        `INSERT INTO timers (id, due_at, kind, payload, leased_until) VALUES ($1, $2, $3, $4, NULL)
         ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, kind = excluded.kind, payload = excluded.payload,
           leased_until = NULL, leased_by = NULL`,
        [t.id, t.dueAt, t.kind, JSON.stringify(t.payload)],
      );
    }
  }

  async deleteTimer(id: string): Promise<boolean> {
    return (await this.#query('DELETE FROM timers WHERE id = $1 RETURNING id', [id])).length === 1;
  }

  async getTimer(id: string): Promise<DueTimer | undefined> {
    const r = (await this.#query<TimerRecord>('SELECT id, due_at, kind, payload FROM timers WHERE id = $1', [id]))[0];
    return r ? toDueTimer({ ...r, due_at: Number(r.due_at) }) : undefined;
  }

  // Read side: a snapshot, no conversation locks (it decides nothing and must not wait behind commands).
  async listLegs(): Promise<CallLeg[]> {
    return parseAll<CallLeg>(await this.#query<Doc>('SELECT doc FROM call_legs ORDER BY created_at, ord', []));
  }

  async operationsOfCall(callId: string): Promise<Operation[]> {
    return parseAll<Operation>(
      await this.#query<Doc>('SELECT doc FROM operations WHERE call_id = $1 ORDER BY created_at, id', [callId]),
    );
  }
}
