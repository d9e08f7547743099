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
import type { CallLeg, Conversation, OnlineMeeting, Operation, OutboundNotification, Participant, TimerRequest } from '../../domain/types.js';
import { identityKey } from '../../domain/identity.js';
import type { Tx } from '../store.js';

type Doc = { doc: string };
type GroupedDoc = { doc: string; conversation_id: string };

/** SQL taking the transaction-scoped advisory lock of a storage key ($1). */
export const LOCK_KEY_SQL = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';
export const conversationKey = (id: string): string => `switchboard.conversation:${id}`;
export const outboxCallKey = (callId: string): string => `switchboard.outbox:${callId}`;
const threadKey = (tenantId: string, threadId: string): string => `switchboard.thread:${tenantId}:${threadId}`;

const parse = <T>(row: Doc | undefined): T | undefined => (row === undefined ? undefined : (JSON.parse(row.doc) as T));
const parseAll = <T>(rows: Doc[]): T[] => rows.map((r) => JSON.parse(r.doc) as T);

const FIND_BY_THREAD = `SELECT c.id, c.doc FROM conversations c
  WHERE c.tenant_id = $1 AND c.thread_id = $2
    AND EXISTS (SELECT 1 FROM call_legs l WHERE l.conversation_id = c.id)
  ORDER BY c.created_at DESC, c.ord DESC LIMIT 1`;

/** One transaction's view of the store; unusable once its transaction has ended. */
export class PgTx implements Tx {
  #client: PoolClient;
  #open = true;
  #locked = new Set<string>();

  constructor(client: PoolClient) {
    this.#client = client;
  }

  /** Called when the transaction commits or rolls back: a Tx leaked past `transact` must not write outside it. */
  close(): void {
    this.#open = false;
  }

  async #query<R extends object>(sql: string, params: unknown[]): Promise<R[]> {
    if (!this.#open) throw new Error('transaction already finished: Tx used outside its transact() callback');
    return (await this.#client.query<R>(sql, params)).rows;
  }

  /** Takes a storage-key lock once per transaction; it is held until COMMIT or ROLLBACK. */
  async lock(key: string): Promise<void> {
    if (this.#locked.has(key)) return;
    await this.#query(LOCK_KEY_SQL, [key]);
    this.#locked.add(key);
  }

  /** Reads a row of a conversation's group, locking the conversation first (re-reading if it was not yet held). */
  async #grouped(sql: string, id: string): Promise<GroupedDoc | undefined> {
    const first = (await this.#query<GroupedDoc>(sql, [id]))[0];
    if (first === undefined || this.#locked.has(conversationKey(first.conversation_id))) return first;
    await this.lock(conversationKey(first.conversation_id));
    // Another instance may have changed or deleted the row while we waited for the lock.
    return (await this.#query<GroupedDoc>(sql, [id]))[0];
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    await this.lock(conversationKey(id));
    return parse<Conversation>((await this.#query<Doc>('SELECT doc FROM conversations WHERE id = $1', [id]))[0]);
  }

  async findConversationByThreadId(tenantId: string, threadId: string): Promise<Conversation | undefined> {
    // Two instances joining one meeting at once must not both see "no live conversation".
    await this.lock(threadKey(tenantId, threadId));
    for (;;) {
      const found = (await this.#query<{ id: string; doc: string }>(FIND_BY_THREAD, [tenantId, threadId]))[0];
      if (found === undefined || this.#locked.has(conversationKey(found.id))) return parse<Conversation>(found);
      // Lock the candidate, then ask again: its last leg may have ended while we waited.
      await this.lock(conversationKey(found.id));
    }
  }

  async putConversation(c: Conversation): Promise<void> {
    await this.#query(
      `INSERT INTO conversations (id, tenant_id, thread_id, created_at, doc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, thread_id = excluded.thread_id, doc = excluded.doc`,
      [c.id, c.tenantId, c.chatInfo?.threadId ?? null, c.createdAt, JSON.stringify(c)],
    );
  }

  async getLeg(id: string): Promise<CallLeg | undefined> {
    return parse<CallLeg>(await this.#grouped('SELECT conversation_id, doc FROM call_legs WHERE id = $1', id));
  }

  async legsInConversation(conversationId: string): Promise<CallLeg[]> {
    return parseAll<CallLeg>(
      await this.#query<Doc>('SELECT doc FROM call_legs WHERE conversation_id = $1 ORDER BY created_at, ord', [conversationId]),
    );
  }

  async putLeg(leg: CallLeg): Promise<void> {
    await this.#query(
      `INSERT INTO call_legs (id, conversation_id, tenant_id, app_id, state, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, tenant_id = excluded.tenant_id,
         app_id = excluded.app_id, state = excluded.state, doc = excluded.doc`,
      [leg.id, leg.conversationId, leg.tenantId, leg.appId, leg.state, leg.createdAt, JSON.stringify(leg)],
    );
  }

  async deleteLeg(id: string): Promise<void> {
    await this.#query('DELETE FROM call_legs WHERE id = $1', [id]);
  }

  async getParticipant(id: string): Promise<Participant | undefined> {
    return parse<Participant>(await this.#grouped('SELECT conversation_id, doc FROM participants WHERE id = $1', id));
  }

  async participantsInConversation(conversationId: string): Promise<Participant[]> {
    return parseAll<Participant>(
      await this.#query<Doc>('SELECT doc FROM participants WHERE conversation_id = $1 ORDER BY created_at, ord', [conversationId]),
    );
  }

  async participantsWithIdentityKeys(conversationId: string, keys: readonly string[]): Promise<Participant[]> {
    if (keys.length === 0) return [];
    return parseAll<Participant>(
      await this.#query<Doc>(
        'SELECT doc FROM participants WHERE conversation_id = $1 AND identity_key = ANY($2::text[]) ORDER BY created_at, ord',
        [conversationId, keys],
      ),
    );
  }

  async participantCount(conversationId: string): Promise<number> {
    const rows = await this.#query<{ n: string }>('SELECT COUNT(*) AS n FROM participants WHERE conversation_id = $1', [conversationId]);
    return Number(rows[0]?.n ?? 0);
  }

  async putParticipant(p: Participant): Promise<void> {
    await this.#query(
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
    await this.#query(
      `INSERT INTO operations (id, call_id, status, created_at, doc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET call_id = excluded.call_id, status = excluded.status, doc = excluded.doc`,
      [op.id, op.callId, op.status, op.createdAt, JSON.stringify(op)],
    );
  }

  async putOnlineMeeting(m: OnlineMeeting): Promise<void> {
    await this.#query(
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
    return parse<OnlineMeeting>((await this.#query<Doc>('SELECT doc FROM online_meetings WHERE tenant_id = $1 AND thread_id = $2', [tenantId, threadId]))[0]);
  }

  async onlineMeetingByJoinMeetingId(tenantId: string, joinMeetingId: string): Promise<OnlineMeeting | undefined> {
    return parse<OnlineMeeting>(
      (await this.#query<Doc>('SELECT doc FROM online_meetings WHERE tenant_id = $1 AND join_meeting_id = $2', [tenantId, joinMeetingId]))[0],
    );
  }

  async appendNotifications(rows: { messageId: string; notification: OutboundNotification; createdAt: number }[]): Promise<void> {
    // Sorted, so two transactions appending to the same calls take the locks in one order.
    for (const callId of [...new Set(rows.map((r) => r.notification.callId))].sort()) await this.lock(outboxCallKey(callId));
    for (const { messageId, notification: n, createdAt } of rows) {
      // The first pending row of a call is its head; later ones wait behind it (see outbox_due_heads).
      await this.#query(
        `INSERT INTO outbox (message_id, call_id, tenant_id, app_id, callback_uri, body, created_at, next_attempt_at, is_head)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7,
           NOT EXISTS (SELECT 1 FROM outbox WHERE call_id = $2 AND delivered_at IS NULL AND dead_at IS NULL))`,
        [messageId, n.callId, n.tenantId, n.appId, n.callbackUri, JSON.stringify(n.body), createdAt],
      );
    }
  }

  async putTimers(timers: TimerRequest[]): Promise<void> {
    for (const t of timers) {
      // A re-put timer is a fresh timer: any lease on the old one no longer applies.
      await this.#query(
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

  // Read side: a snapshot, no conversation locks (it decides nothing and must not wait behind commands).
  async listLegs(): Promise<CallLeg[]> {
    return parseAll<CallLeg>(await this.#query<Doc>('SELECT doc FROM call_legs ORDER BY created_at, ord', []));
  }

  async operationsOfCall(callId: string): Promise<Operation[]> {
    return parseAll<Operation>(await this.#query<Doc>('SELECT doc FROM operations WHERE call_id = $1 ORDER BY created_at, id', [callId]));
  }
}
