/**
 * The one persistence seam. Implementations (SQLite now, PostgreSQL next) store and load; they never decide.
 * Everything a command changes is written inside one `transact` call, together with its outbox rows and timers,
 * so a crash can never separate a state change from the notifications it causes.
 */
import type { LockPriority } from './gate.js';
import type {
  CallLeg,
  Conversation,
  ConversationView,
  OnlineMeeting,
  Operation,
  OutboundNotification,
  Participant,
  TimerRequest,
} from '../domain/types.js';

export interface OutboxRow {
  seq: number;
  messageId: string;
  callId: string;
  tenantId: string;
  appId: string;
  callbackUri: string;
  body: Record<string, unknown>;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  deadAt: number | null;
  lastError: string | null;
  /** When the control API last put the row back in the queue after it was dead-lettered, or null. */
  requeuedAt: number | null;
}

/** Dead letters to send again: one notification (by its message id), or all of a call's. */
export type RequeueTarget = { messageId: string } | { callId: string };

export interface DeliveryAttempt {
  outboxSeq: number;
  attempt: number;
  startedAt: number;
  durationMs: number;
  /** HTTP status the callback answered, or null when there was no answer (refused, timeout). */
  statusCode: number | null;
  error: string | null;
  /** The bearer JWT the attempt carried (kept in the change feed's `delivery` event only, for the dashboard). */
  token?: string;
}

/** A claimed timer: as the domain wrote it, or a row that does not read as one (the timer loop logs and drops it). */
export type DueTimer = TimerRequest | UnreadableTimer;

/** A stored timer row that is no TimerRequest (src/domain/timers.ts `readTimer` says why). */
export interface UnreadableTimer {
  id: string;
  dueAt: number;
  kind: string;
  problem: string;
}

/**
 * What the change feed records (the `events` table, append-only, with a sequence): the dashboard's live updates and
 * a call's timeline are read from it. `command`: a committed command's summary (written in its transaction);
 * `request`: a Graph request the bot made, with both bodies (batched off the request path); `delivery`: one delivery
 * attempt's result (written with it); `redeliver`: dead letters put back; `reset`: the store was reset; `clock`: the
 * virtual clock moved (its `at` is the new time), even when the move fired nothing.
 */
export type FeedEventKind = 'command' | 'request' | 'delivery' | 'redeliver' | 'reset' | 'clock';

export interface FeedEventInput {
  kind: FeedEventKind;
  /** Real time in microseconds since the epoch: orders a timeline (the world's clock may stand still). */
  rt: number;
  /** The world's time (epoch ms), as shown. */
  at: number;
  /** The conversation a `command` changed (one event per conversation it changed). */
  conversationId: string | null;
  /** The call leg a `request`, `delivery` or `redeliver` is about. */
  callId: string | null;
  body: Record<string, unknown>;
}

export interface FeedEvent extends FeedEventInput {
  seq: number;
}

export interface EventStore {
  /** Appends events outside any command (the request log's batches), in one statement. */
  append(events: readonly FeedEventInput[]): Promise<void>;
  /** Up to `limit` events with a `seq` above `afterSeq`, in `seq` order. */
  after(afterSeq: number, limit: number): Promise<FeedEvent[]>;
  /** A conversation's `command` events and the events of the given call legs, in `seq` order (the newest `limit`). */
  ofConversation(conversationId: string, callIds: readonly string[], limit: number): Promise<FeedEvent[]>;
  /** Newest `command` events whose body mentions `text` (an ended call's conversation), newest first. */
  commandsMentioning(text: string, limit: number): Promise<FeedEvent[]>;
  /** Highest `seq` stored (0 when none). */
  latestSeq(): Promise<number>;
  /** Deletes all but the newest `keep` events; returns how many went. */
  prune(keep: number): Promise<number>;
}

/** Tx.legWithRosterSlice's answer; `conversation` is undefined when the leg's conversation is missing. */
export interface LegWithRosterSlice {
  leg: CallLeg;
  conversation: Conversation | undefined;
  legs: CallLeg[];
  rosterSize: number;
  withIdentityKeys: Participant[];
}

export const isUnreadableTimer = (t: DueTimer): t is UnreadableTimer => 'problem' in t;

export interface Tx {
  getConversation(id: string): Promise<Conversation | undefined>;
  /** The live conversation of a known meeting, by chat thread id, if a bot is in it. */
  findConversationByThreadId(tenantId: string, threadId: string): Promise<Conversation | undefined>;
  putConversation(c: Conversation): Promise<void>;

  getLeg(id: string): Promise<CallLeg | undefined>;
  /**
   * A leg and, when found, what an invite into its call reads of its conversation: the conversation, its legs, the
   * roster's size and the participants with these identity keys (participantCount, participantsWithIdentityKeys).
   * getLeg followed by those reads, which a batching store (PostgreSQL) answers in one round trip instead of two.
   */
  legWithRosterSlice(id: string, identityKeys: readonly string[]): Promise<LegWithRosterSlice | undefined>;
  legsInConversation(conversationId: string): Promise<CallLeg[]>;
  putLeg(leg: CallLeg): Promise<void>;
  /** Ended legs are removed from the store: Graph answers 404 for them. */
  deleteLeg(id: string): Promise<void>;

  getParticipant(id: string): Promise<Participant | undefined>;
  /**
   * A participant and, when found, its conversation with that conversation's legs and whole roster: getParticipant
   * followed by those three reads, which a batching store (PostgreSQL) answers in one round trip instead of two.
   * `view` is undefined when the conversation is missing. `needsRoster(legs)` false: the roster need not be read
   * (participantWithViewOf leaves it empty; a batching store reads it in the same round trip anyway).
   */
  participantWithView(
    id: string,
    needsRoster?: (legs: readonly CallLeg[]) => boolean,
  ): Promise<{ participant: Participant; view: ConversationView | undefined } | undefined>;
  participantsInConversation(conversationId: string): Promise<Participant[]>;
  /** A conversation's participants (any status) whose `identityKey` is one of `keys`, in roster order; indexed. */
  participantsWithIdentityKeys(conversationId: string, keys: readonly string[]): Promise<Participant[]>;
  /** How many participants (any status) a conversation has, without reading them. */
  participantCount(conversationId: string): Promise<number>;
  putParticipant(p: Participant): Promise<void>;

  getOperation(id: string): Promise<Operation | undefined>;
  putOperation(op: Operation): Promise<void>;

  /** Meetings created through the onlineMeetings API; looked up as bots join them (by thread or join meeting id). */
  putOnlineMeeting(m: OnlineMeeting): Promise<void>;
  getOnlineMeeting(id: string): Promise<OnlineMeeting | undefined>;
  onlineMeetingByThreadId(tenantId: string, threadId: string): Promise<OnlineMeeting | undefined>;
  onlineMeetingByJoinMeetingId(tenantId: string, joinMeetingId: string): Promise<OnlineMeeting | undefined>;
  /** A tenant's API-created meetings, oldest first (createOrGet by externalId, the VideoTeleconferenceId filter). */
  onlineMeetingsOfTenant(tenantId: string): Promise<OnlineMeeting[]>;
  /** False when there was no such meeting. */
  deleteOnlineMeeting(id: string): Promise<boolean>;

  appendNotifications(
    rows: { messageId: string; notification: OutboundNotification; createdAt: number }[],
  ): Promise<void>;
  /** The change feed's rows of this command (EventStore), committed with it. */
  appendEvents(events: readonly FeedEventInput[]): Promise<void>;
  putTimers(timers: TimerRequest[]): Promise<void>;
  /** False when the timer was already gone (another claimer fired it first): the caller must not fire it again. */
  deleteTimer(id: string): Promise<boolean>;
  /** One pending timer by id (a softphone answering a ring reads the ring's answer timer), or undefined. */
  getTimer(id: string): Promise<DueTimer | undefined>;

  /** Read side (control API): every live leg in creation order, without taking conversation locks. */
  listLegs(): Promise<CallLeg[]>;
  /** Read side: a call's operations in creation order (kept after the leg ends). */
  operationsOfCall(callId: string): Promise<Operation[]>;
}

export interface OutboxStore {
  /**
   * Claims up to `limit` deliverable rows, at most one per call (the oldest undelivered one), each due by `now`,
   * and leases them until `leaseUntil` so no other dispatcher takes them meanwhile.
   */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]>;
  markDelivered(seq: number, at: number, attempt: DeliveryAttempt): Promise<void>;
  /** Records a failed attempt; `nextAttemptAt` null means give up (dead-lettered, kept and visible). */
  markFailed(
    seq: number,
    nextAttemptAt: number | null,
    at: number,
    error: string,
    attempt: DeliveryAttempt,
  ): Promise<void>;
  /** Earliest time any undelivered row becomes due, for the dispatcher's sleep. */
  nextDueAt(): Promise<number | null>;
  /**
   * Rows in sequence order; `afterSeq` pages on from a sequence already seen. `newest`: the last `limit` rows instead
   * of the first (still returned in sequence order), as a log view shows them.
   */
  list(filter: { callId?: string; limit?: number; afterSeq?: number; newest?: boolean }): Promise<OutboxRow[]>;
  /**
   * Puts the target's dead-lettered rows back in the queue as they were (same seq, message id and body; attempts and
   * their history kept), due at `now`, with `requeuedAt = now` (the dead-letter horizon counts from it). Per-call
   * order holds: the call's head becomes its oldest pending row again, unless the head is in flight (leased until
   * after `now`); then the requeued rows follow it, oldest first. `matched` counts the rows the target names,
   * whatever their status (0: no such notification or call).
   */
  requeueDead(target: RequeueTarget, now: number): Promise<{ matched: number; requeued: OutboxRow[] }>;
  attempts(seqs: number[]): Promise<DeliveryAttempt[]>;
  /**
   * Deletes dead-lettered rows and their attempts: the target's, or every one (`'all'`). Pending, in-flight and
   * delivered rows are never touched. `matched` counts the rows a target names, whatever their status (0: no such
   * notification or call); for `'all'` it is the number purged.
   */
  purgeDead(target: RequeueTarget | 'all'): Promise<{ matched: number; purged: number }>;
}

export interface TimerStore {
  /** Claims due timers (leased until `leaseUntil`); a claimed timer is deleted when its command commits. */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<DueTimer[]>;
  nextDueAt(): Promise<number | null>;
}

/**
 * What a run-time change to the simulated world is: a person's behaviour, the whole list of injected faults, a
 * softphone lease taken, renewed or released (src/sim/softphone.ts), or a reset (every change before it undone: the
 * directory is the loaded world again; `Store.reset` records it).
 */
export type WorldChangeKind = 'behaviour' | 'faults' | 'reset' | 'softphone';

/** A change the control API made to the simulated world, kept so that every instance (and the next start) applies it. */
export interface WorldChange {
  seq: number;
  kind: WorldChangeKind;
  body: Record<string, unknown>;
  createdAt: number;
}

/** A softphone lease as recorded (`softphone` change): `until` 0 releases it; `at` is when it was recorded (real ms). */
export interface SoftphoneLeaseBody {
  personKey: string;
  leaseId: string;
  until: number;
  at: number;
}

export interface WorldChangeStore {
  /** Appends a change and returns its `seq`; appends are serialized, so `seq`s become visible in order. */
  append(kind: WorldChangeKind, body: Record<string, unknown>, at: number): Promise<number>;
  /**
   * Appends a softphone lease change and, in the same transaction, deletes the lease rows nobody needs any more, so
   * an open tab's renewals (one every 10 s) do not grow the log: the same lease's earlier rows (this one supersedes
   * them: a reader past them reads this one instead), and rows of any lease that ended before `endedBefore` (real
   * ms; a row's end is its `until`, or its `at` for a release). Returns the new row's `seq`.
   */
  appendLease(body: SoftphoneLeaseBody, at: number, endedBefore: number): Promise<number>;
  /** Every change with a `seq` above `afterSeq`, in `seq` order. */
  after(afterSeq: number): Promise<WorldChange[]>;
}

/** What `Store.reset` dropped, rows per kind. */
export interface ResetCounts {
  conversations: number;
  calls: number;
  participants: number;
  operations: number;
  onlineMeetings: number;
  notifications: number;
  deliveryAttempts: number;
  timers: number;
  /** Run-time world changes (behaviours, faults) undone; the `reset` change recorded in their place is not counted. */
  worldChanges: number;
}

/** What `Store.prune` deleted, rows per kind. */
export interface PruneCounts {
  notifications: number;
  deliveryAttempts: number;
  operations: number;
  conversations: number;
  participants: number;
}

/** Whether the schema is what this build expects (the readiness check asks it). */
export interface SchemaStatus {
  /** Highest migration recorded in the database. */
  applied: number;
  /** Highest migration this build knows. */
  latest: number;
}

export interface TransactOptions {
  priority?: LockPriority;
  /**
   * Longest wait (ms) for a transaction turn; past it `fn` never runs and transact rejects with QueueWaitExceeded
   * (gate.ts). Commands from requests set it (src/service/admission.ts); timers and deliveries never do.
   */
  maxWaitMs?: number | null;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Transactions waiting for a turn in this process now (an overload signal). */
  readonly waiting: number;
  /**
   * Runs `fn` in one transaction. Where transactions wait for a turn, `priority: 'high'` (due timers) goes before
   * waiting normal work (new commands), FIFO within each (PostgreSQL, see LockPriority); SQLite keeps arrival order.
   */
  transact<T>(fn: (tx: Tx) => Promise<T>, options?: TransactOptions): Promise<T>;
  readonly outbox: OutboxStore;
  readonly timers: TimerStore;
  readonly worldChanges: WorldChangeStore;
  readonly events: EventStore;
  /**
   * Returns the store to an empty run-time state in one transaction (POST /_switchboard/reset): deletes every
   * conversation, leg, participant, operation, online meeting, outbox row and delivery attempt, timer and world
   * change and change-feed event, and appends one `reset` world change and one `reset` feed event at `at` so every instance puts its directory back to the loaded
   * world. Sequences are not restarted, so a delivery or timer claimed before the reset and finishing after it
   * matches no row: it records nothing and its command finds nothing.
   */
  reset(at: number): Promise<ResetCounts>;
  /**
   * Retention (src/service/retention.ts), in one transaction, at most `limit` rows of each kind: delivered
   * notifications written before `before`, with their delivery attempts; operations of ended calls (no call leg
   * left) created before `before`; conversations no call leg is in any more, created before `before`, with their
   * participants. Pending and dead-lettered notifications, live calls and their conversations, timers, online
   * meetings and world changes are kept. A caller prunes again while any count reached `limit`.
   */
  prune(before: number, limit: number): Promise<PruneCounts>;
  /** One trivial query (the readiness check): the migrations applied; rejects when the database cannot be reached. */
  schemaStatus(): Promise<SchemaStatus>;
  close(): Promise<void>;
}

/**
 * Tx.participantWithView as its plain reads, one after another (a store that does not batch, or a fallback). The roster
 * is read only if `needsRoster(legs)` says so (else the view's roster is empty): a batching store may read it anyway,
 * in the same round trip.
 */
export async function participantWithViewOf(
  tx: Tx,
  id: string,
  needsRoster: (legs: readonly CallLeg[]) => boolean = () => true,
): Promise<{ participant: Participant; view: ConversationView | undefined } | undefined> {
  const participant = await tx.getParticipant(id);
  if (!participant) return undefined;
  const c = participant.conversationId;
  const [conversation, legs] = await Promise.all([tx.getConversation(c), tx.legsInConversation(c)]);
  if (!conversation) return { participant, view: undefined };
  const roster = needsRoster(legs) ? await tx.participantsInConversation(c) : [];
  return { participant, view: { conversation, legs, roster } };
}

/** Tx.legWithRosterSlice as its plain reads (a store that does not batch, or a fallback). */
export async function legWithRosterSliceOf(
  tx: Tx,
  id: string,
  identityKeys: readonly string[],
): Promise<LegWithRosterSlice | undefined> {
  const leg = await tx.getLeg(id);
  if (!leg) return undefined;
  const c = leg.conversationId;
  const [conversation, legs, rosterSize, withIdentityKeys] = await Promise.all([
    tx.getConversation(c),
    tx.legsInConversation(c),
    tx.participantCount(c),
    tx.participantsWithIdentityKeys(c, identityKeys),
  ]);
  return { leg, conversation, legs, rosterSize, withIdentityKeys };
}
