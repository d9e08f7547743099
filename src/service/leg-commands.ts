/**
 * The transaction discipline every service command follows: load → ask the domain → save state, outbox rows and
 * timers in ONE transaction; plus the loads most commands share (the caller's own leg, a conversation view).
 */
import { ownLeg } from '../domain/call-access.js';
import type { Clock, DomainContext, IdSource } from '../domain/clock.js';
import type { Principal } from '../domain/permissions.js';
import type { PromptDuration } from '../domain/prompts.js';
import { isRejection, reject, RejectionCode, type Rejection } from '../domain/rejections.js';
import type { CallLeg, ConversationView, Effects, Operation, OutboundNotification } from '../domain/types.js';
import { batchByCall } from '../notify/batch.js';
import type { Directory } from '../sim/directory.js';
import type { LockPriority } from '../store/gate.js';
import { QueueWaitExceeded } from '../store/gate.js';
import type { Store, Tx } from '../store/store.js';
import { endOperationsOfEndedLegs } from './ended-legs.js';
import { scheduleLaterActions } from './people.js';
import { commandEvents, type CommandCause } from './feed-events.js';

export interface CallingServiceDeps {
  store: Store;
  directory: Directory;
  clock: Clock;
  ids: IdSource;
  /** How long a prompt plays (by media uri); default: the world's `prompts`, else DEFAULT_PROMPT_MS. */
  promptDuration?: PromptDuration;
  /** One POST per call and command for the notifications a command produces (src/notify/batch.ts); default true. */
  batchNotifications?: boolean;
  /**
   * Longest time (ms) a request may queue before its command runs: its wait for a turn in the turn pacer
   * (src/api/turn-pacer.ts, see `forRequest`) plus its command's wait for its transaction turn. Past it the command
   * is not run and the result is the `overloaded` rejection (429). Null or absent: no bound. Timers and delivery
   * failures never time out.
   */
  overloadWaitMs?: number | null;
  /** Called after a commit that wrote notifications or timers: wakes the dispatcher and the timer loop. */
  afterCommit?: (written: { notifications: number; timers: number; events?: number }) => void;
}

export type Result<T> = Rejection | T;

export type LegView = ConversationView & { leg: CallLeg };

/** A decision that changes state and returns nothing to the caller. */
export const noValue = (r: Result<Effects>): Result<{ effects: Effects; value: null }> =>
  isRejection(r) ? r : { effects: r, value: null };

/** A decision that creates an operation the route returns. */
export const withOperation = (
  r: Result<{ effects: Effects; operation: Operation }>,
): Result<{ effects: Effects; value: Operation }> => (isRejection(r) ? r : { effects: r.effects, value: r.operation });

export abstract class LegCommands {
  protected readonly deps: CallingServiceDeps;
  /** How long (ms) the request this service object serves already queued before it reached the service. */
  protected readonly queuedMs: number = 0;

  constructor(deps: CallingServiceDeps) {
    this.deps = deps;
  }

  /**
   * This service for one request that already queued `queuedMs` in the turn pacer: its commands may then wait only
   * what is left of `overloadWaitMs` for their transaction turn. Why: with a bound for each queue, an accepted
   * request could wait the bound in the pacer and then the bound again for its turn, twice what `--overload-wait`
   * promises, while the target is every request answered within 1 s. One budget keeps the queueing of every
   * accepted request within one bound. The same object when the request did not queue (the usual case: nothing is
   * allocated); else a view of it (its prototype) whose one own property is `queuedMs`. A view shares everything
   * else: the service holds no state of its own but `deps`, set once in the constructor.
   */
  forRequest(queuedMs: number): this {
    if (!(queuedMs > 0) || this.deps.overloadWaitMs == null) return this;
    return Object.create(this, { queuedMs: { value: queuedMs } }) as this;
  }

  /** The longest a request's command may still wait for its transaction turn; null: no bound. */
  protected requestWaitMs(): number | null {
    const bound = this.deps.overloadWaitMs ?? null;
    return bound === null ? null : Math.max(0, bound - this.queuedMs);
  }

  protected ctx(): DomainContext {
    return { now: this.deps.clock.now(), ids: this.deps.ids };
  }

  /**
   * One transaction for a request that is not a load → decide → save command (reads, online meetings); past the
   * overload wait bound it is answered `overloaded` without running.
   */
  protected transactForRequest<T>(fn: (tx: Tx) => Promise<Result<T>>): Promise<Result<T>> {
    return overloadedIfLate(this.deps.store.transact(fn, { maxWaitMs: this.requestWaitMs() }), this.queuedMs);
  }

  /**
   * Runs load → decide → save in one transaction; a rejection writes nothing. `bounded`: a request's command, which
   * is answered `overloaded` without running when it waited past `overloadWaitMs` for its turn; work that finishes
   * what was already accepted (timers, delivery failures) passes false and always runs.
   */
  protected async run<T>(
    fn: (tx: Tx, ctx: DomainContext) => Promise<Result<{ effects: Effects; value: T }>>,
    priority: LockPriority = 'normal',
    cause?: CommandCause,
    bounded = priority === 'normal',
  ): Promise<Result<T>> {
    let written = { notifications: 0, timers: 0, events: 0 };
    const result = await overloadedIfLate(
      this.deps.store.transact(
        async (tx) => {
          const ctx = this.ctx();
          const r = await fn(tx, ctx);
          if (isRejection(r)) return r;
          await scheduleLaterActions(tx, r.effects, this.deps.directory, ctx);
          await endOperationsOfEndedLegs(tx, r.effects, this.deps.directory, ctx);
          const appended = await save(tx, r.effects, ctx, this.deps.ids, this.deps.batchNotifications ?? true);
          // The change feed's row(s), in this transaction: one more INSERT (batched with the rest on PostgreSQL).
          const events = commandEvents(r.effects, appended, cause, ctx);
          if (events.length > 0) await tx.appendEvents(events);
          written = {
            notifications: r.effects.notifications.length,
            timers: r.effects.timers.length,
            events: events.length,
          };
          return r.value;
        },
        { priority, maxWaitMs: bounded ? this.requestWaitMs() : null },
      ),
      this.queuedMs,
    );
    if (!isRejection(result) && (written.notifications > 0 || written.timers > 0 || written.events > 0))
      this.deps.afterCommit?.(written);
    return result;
  }

  /** A command on one of the caller's own legs: ownership checked and the leg's conversation loaded, then decided. */
  protected onLeg<T>(
    principal: Principal,
    callId: string,
    decide: (view: LegView, ctx: DomainContext) => Result<{ effects: Effects; value: T }>,
  ): Promise<Result<T>> {
    return this.run(async (tx, ctx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      return decide(await this.legView(tx, leg), ctx);
    });
  }

  /** The caller's own leg (isolation: src/domain/call-access.ts `ownLeg`). */
  protected async ownLeg(tx: Tx, principal: Principal, rawId: string): Promise<Result<CallLeg>> {
    return ownLeg(principal, await tx.getLeg(rawId.toLowerCase()), rawId);
  }

  protected async view(tx: Tx, conversationId: string): Promise<ConversationView | undefined> {
    // Asked together: a store that batches (PostgreSQL) answers them in one round trip.
    const [conversation, roster, legs] = await Promise.all([
      tx.getConversation(conversationId),
      tx.participantsInConversation(conversationId),
      tx.legsInConversation(conversationId),
    ]);
    return conversation ? { conversation, roster, legs } : undefined;
  }

  protected async legView(tx: Tx, leg: CallLeg): Promise<LegView> {
    const view = await this.view(tx, leg.conversationId);
    if (!view) throw new Error(`call ${leg.id} has no conversation ${leg.conversationId}`);
    return { ...view, leg };
  }
}

/** A transaction refused for waiting too long (QueueWaitExceeded) becomes the `overloaded` rejection: 429, nothing written. */
async function overloadedIfLate<T>(p: Promise<Result<T>>, queuedMs: number): Promise<Result<T>> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof QueueWaitExceeded)
      return reject(
        RejectionCode.overloaded,
        `Switchboard is over capacity: the command waited ${Math.round(err.waitedMs)} ms for its turn` +
          (queuedMs > 0 ? `, after its request waited ${Math.round(queuedMs)} ms for a turn of the server,` : '') +
          ' and was not run.',
      );
    throw err;
  }
}

/** Saves the effects; returns the outbox rows appended (for the change feed's summary). */
async function save(
  tx: Tx,
  effects: Effects,
  ctx: DomainContext,
  ids: IdSource,
  batch: boolean,
): Promise<{ messageId: string; notification: OutboundNotification }[]> {
  for (const c of effects.conversations) await tx.putConversation(c);
  for (const leg of effects.legs) {
    // An ended leg is gone: Graph answers 404 "Call not found." for it.
    if (leg.state === 'terminated') await tx.deleteLeg(leg.id);
    else await tx.putLeg(leg);
  }
  for (const p of effects.participants) await tx.putParticipant(p);
  for (const op of effects.operations) await tx.putOperation(op);
  let appended: { messageId: string; notification: OutboundNotification; createdAt: number }[] = [];
  if (effects.notifications.length > 0) {
    const rows = batch ? batchByCall(effects.notifications) : effects.notifications;
    appended = rows.map((notification) => ({ messageId: ids.next(), notification, createdAt: ctx.now }));
    await tx.appendNotifications(appended);
  }
  if (effects.timers.length > 0) await tx.putTimers(effects.timers);
  return appended;
}
