/**
 * The one place that loads state, asks the domain, and saves the resulting state, outbox rows and timers in
 * ONE transaction (the discipline is in leg-commands.ts; media actions in media-commands.ts). Used by the Graph
 * routes, the control API and the timer loop alike.
 */
import {
  decideAnswer,
  decideAnswerWindowExpired,
  decideCreateCall,
  decideEstablished,
  decideHangUp,
  decideIncomingCall,
  decideKeepAlive,
  decideKeepAliveExpired,
  decideReject,
  decideTargetAnswer,
  meetingThreadOf,
  type AnswerCommand,
  type CreateCallCommand,
  type IncomingCallCommand,
} from '../domain/call.js';
import { decideCallbackUnreachable } from '../domain/callback-failure.js';
import type { DomainContext } from '../domain/clock.js';
import {
  decideInvite,
  decideInviteeAnswer,
  invitingLegOf,
  inviteeIdentityKeys,
  normalizeCallId,
  type InviteCommand,
} from '../domain/invite.js';
import { decideLobby, type LobbyAction, type LobbyCommand } from '../domain/lobby.js';
import { decideParticipantMute, decideSelfMute, type MuteCommand } from '../domain/mute.js';
import { decidePressTones } from '../domain/tones.js';
import type { Principal } from '../domain/permissions.js';
import { onApiVersion } from '../domain/beta.js';
import { decideRemoveParticipant, removableParticipant } from '../domain/remove-participant.js';
import {
  decideRedirect,
  decideRedirectOutcome,
  decideTransfer,
  decideTransferOutcome,
  type RedirectCommand,
  type TransferCommand,
} from '../domain/transfer.js';
import { isRejection, reject, RejectionCode } from '../domain/rejections.js';
import { resultInfo } from '../domain/result-codes.js';
import { answered, ringOf, type RingAnswer } from './softphone-rings.js';
import { inviteFaultFor } from '../domain/faults.js';
import { appendEffects, emptyEffects } from '../domain/types.js';
import { parseJoinWebUrl } from '../domain/meeting-url.js';
import {
  decideCreateOnlineMeeting,
  decideFindByJoinWebUrl,
  decideReadOnlineMeeting,
  type CreateOnlineMeetingCommand,
} from '../domain/online-meeting.js';
import {
  decideCreateOrGetOnlineMeeting,
  decideDeleteOnlineMeeting,
  decideFindByVideoTeleconferenceId,
  decideUpdateOnlineMeeting,
  type UpdateOnlineMeetingCommand,
} from '../domain/online-meeting-changes.js';
import type {
  ApiVersion,
  CallLeg,
  Conversation,
  ConversationView,
  Effects,
  OnlineMeeting,
  Operation,
  Participant,
  TimerRequest,
} from '../domain/types.js';
import { isUnreadableTimer, type DueTimer, type OutboxRow, type RequeueTarget, type Tx } from '../store/store.js';
import {
  decidePersonActionRequest,
  decideTimedPersonAction,
  isPressTones,
  type LaterAction,
  type ScheduledPersonAction,
} from '../domain/person-actions.js';
import { invitationIdentities, type Reactions } from '../domain/world.js';
import { reactionsOf } from '../sim/reactions.js';
import { noValue, withOperation, type LegView, type Result } from './leg-commands.js';
import {
  callNotFound,
  isSameAppLeg,
  listedRoster,
  operationOfCall,
  ownLeg,
  participantOfCall,
} from '../domain/call-access.js';
import { RosterCommands } from './roster-commands.js';
import { getsWholeRoster } from '../domain/notifications.js';

export type { CallingServiceDeps } from './leg-commands.js';
export { DEFAULT_PROMPT_MS } from './media-commands.js';

export class CallingService extends RosterCommands {
  /**
   * Control API: dead-lettered notifications back in the outbox as they were (same message id and body), due now;
   * the dispatcher is woken to send them. Decides nothing: which rows and in what order is the store's contract.
   */
  async redeliverDeadLetters(target: RequeueTarget): Promise<{ matched: number; requeued: OutboxRow[] }> {
    const result = await this.deps.store.outbox.requeueDead(target, this.deps.clock.now());
    if (result.requeued.length > 0) this.deps.afterCommit?.({ notifications: result.requeued.length, timers: 0 });
    return result;
  }

  /** Control API: dead-lettered notifications deleted for good (with their attempts); other rows are never touched. */
  purgeDeadLetters(target: RequeueTarget | 'all'): Promise<{ matched: number; purged: number }> {
    return this.deps.store.outbox.purgeDead(target);
  }

  createCall(
    principal: Principal,
    cmd: CreateCallCommand,
    apiVersion: ApiVersion,
  ): Promise<Result<{ leg: CallLeg; conversation: Conversation }>> {
    return this.run(async (tx, ctx) => {
      const stored = await this.storedMeetingOf(tx, principal.tenantId, cmd);
      const threadId = meetingThreadOf(cmd, this.deps.directory, principal.tenantId, stored);
      const existing = threadId ? await tx.findConversationByThreadId(principal.tenantId, threadId) : undefined;
      const meeting = existing ? ((await this.view(tx, existing.id)) ?? null) : null;
      const reactions = this.reactionsTo(principal.tenantId, cmd.targets);
      const r = decideCreateCall(
        principal,
        cmd,
        { meeting, stored, reactions },
        { world: this.deps.directory, apiVersion },
        ctx,
      );
      if (isRejection(r)) return r;
      return { effects: r.effects, value: { leg: r.leg, conversation: r.conversation } };
    });
  }

  /** The API-created meeting a join names (by chat thread, else by join meeting id), if any. */
  private async storedMeetingOf(tx: Tx, tenantId: string, cmd: CreateCallCommand): Promise<OnlineMeeting | null> {
    if (!cmd.meetingInfo) return null;
    const threadId = cmd.chatInfo?.threadId;
    const joinId = cmd.meetingInfo.joinMeetingId;
    const found = threadId
      ? await tx.onlineMeetingByThreadId(tenantId, threadId)
      : typeof joinId === 'string'
        ? await tx.onlineMeetingByJoinMeetingId(tenantId, joinId)
        : undefined;
    return found ?? null;
  }

  createOnlineMeeting(
    principal: Principal,
    userId: string,
    cmd: CreateOnlineMeetingCommand,
  ): Promise<Result<OnlineMeeting>> {
    return this.transactForRequest(async (tx) => {
      const m = decideCreateOnlineMeeting(principal, userId, cmd, this.deps.directory, this.ctx());
      if (isRejection(m)) return m;
      await tx.putOnlineMeeting(m);
      return m;
    });
  }

  getOnlineMeeting(principal: Principal, userId: string, meetingId: string): Promise<Result<OnlineMeeting>> {
    return this.transactForRequest(async (tx) =>
      decideReadOnlineMeeting(principal, userId, meetingId, await tx.getOnlineMeeting(meetingId)),
    );
  }

  findOnlineMeetingsByJoinWebUrl(
    principal: Principal,
    userId: string,
    joinWebUrl: string,
  ): Promise<Result<OnlineMeeting[]>> {
    return this.transactForRequest(async (tx) => {
      const parts = parseJoinWebUrl(joinWebUrl);
      const stored =
        'error' in parts ? undefined : await tx.onlineMeetingByThreadId(principal.tenantId, parts.threadId);
      return decideFindByJoinWebUrl(principal, userId, joinWebUrl, () => stored);
    });
  }

  updateOnlineMeeting(
    principal: Principal,
    userId: string,
    meetingId: string,
    cmd: UpdateOnlineMeetingCommand,
  ): Promise<Result<OnlineMeeting>> {
    return this.deps.store.transact(async (tx) => {
      const m = decideUpdateOnlineMeeting(principal, userId, meetingId, await tx.getOnlineMeeting(meetingId), cmd);
      if (!isRejection(m)) await tx.putOnlineMeeting(m);
      return m;
    });
  }

  deleteOnlineMeeting(principal: Principal, userId: string, meetingId: string): Promise<Result<OnlineMeeting>> {
    return this.deps.store.transact(async (tx) => {
      const m = decideDeleteOnlineMeeting(principal, userId, meetingId, await tx.getOnlineMeeting(meetingId));
      if (!isRejection(m)) await tx.deleteOnlineMeeting(m.id);
      return m;
    });
  }

  createOrGetOnlineMeeting(
    principal: Principal,
    userId: string,
    cmd: CreateOnlineMeetingCommand,
  ): Promise<Result<{ meeting: OnlineMeeting; created: boolean }>> {
    return this.deps.store.transact(async (tx) => {
      const r = decideCreateOrGetOnlineMeeting(
        principal,
        userId,
        cmd,
        await tx.onlineMeetingsOfTenant(principal.tenantId),
        this.deps.directory,
        this.ctx(),
      );
      if (!isRejection(r) && r.created) await tx.putOnlineMeeting(r.meeting);
      return r;
    });
  }

  findOnlineMeetingsByVideoTeleconferenceId(principal: Principal, vtcId: string): Promise<Result<OnlineMeeting[]>> {
    return this.deps.store.transact(async (tx) =>
      decideFindByVideoTeleconferenceId(principal, vtcId, await tx.onlineMeetingsOfTenant(principal.tenantId)),
    );
  }

  async getCall(
    principal: Principal,
    callId: string,
  ): Promise<Result<{ leg: CallLeg; conversation: Conversation | undefined }>> {
    return this.transactForRequest(async (tx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      return { leg, conversation: await tx.getConversation(leg.conversationId) };
    });
  }

  hangUp(principal: Principal, callId: string): Promise<Result<null>> {
    return this.onLeg(principal, callId, (view, ctx) => noValue(decideHangUp(view, ctx)));
  }

  keepAlive(principal: Principal, callId: string): Promise<Result<null>> {
    return this.onLeg(principal, callId, (view, ctx) => noValue(decideKeepAlive(view.leg, ctx)));
  }

  answer(
    principal: Principal,
    callId: string,
    cmd: AnswerCommand,
    apiVersion: ApiVersion = 'v1.0',
  ): Promise<Result<null>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      noValue(decideAnswer(principal, cmd, onApiVersion(view, apiVersion), this.deps.directory.establishMs, ctx)),
    );
  }

  rejectCall(
    principal: Principal,
    callId: string,
    cmd: { reason?: string | null; callbackUri?: string | null },
    apiVersion: ApiVersion = 'v1.0',
  ): Promise<Result<null>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      noValue(decideReject(cmd, onApiVersion(view, apiVersion), ctx)),
    );
  }

  redirect(
    principal: Principal,
    callId: string,
    cmd: RedirectCommand,
    apiVersion: ApiVersion = 'v1.0',
  ): Promise<Result<null>> {
    return this.onLeg(principal, callId, (view, ctx) => {
      const reactions = this.reactionsTo(view.leg.tenantId, cmd.targets);
      return noValue(
        decideRedirect(principal, cmd, { ...onApiVersion(view, apiVersion), reactions }, this.deps.directory, ctx),
      );
    });
  }

  transfer(principal: Principal, callId: string, cmd: TransferCommand): Promise<Result<null>> {
    return this.run(async (tx, ctx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      const raw = cmd.transferTarget?.replacesCallId;
      const replaced =
        typeof raw === 'string' && raw.length > 0
          ? await this.sameAppLeg(tx, principal, leg, normalizeCallId(raw))
          : null;
      const reactions = this.reactionsTo(leg.tenantId, cmd.transferTarget);
      return noValue(
        decideTransfer(
          principal,
          cmd,
          { ...(await this.legView(tx, leg)), replaced, reactions },
          this.deps.directory,
          ctx,
        ),
      );
    });
  }

  /** How the people these invitation inputs name react to being rung, as the simulated world stands now. */
  private reactionsTo(tenantId: string, inputs: unknown): Reactions {
    return reactionsOf(this.deps.directory, tenantId, invitationIdentities(inputs));
  }

  /** The leg a body names (replacesCallId) with its conversation, if the caller may act on it from `leg`. */
  private async sameAppLeg(tx: Tx, principal: Principal, leg: CallLeg, id: string): Promise<LegView | null> {
    const other = await tx.getLeg(id);
    return isSameAppLeg(principal, leg, other) ? this.legView(tx, other) : null;
  }

  invite(
    principal: Principal,
    callId: string,
    cmd: InviteCommand,
    apiVersion: ApiVersion = 'v1.0',
  ): Promise<Result<Operation>> {
    return this.run(async (tx, ctx) => {
      // Only the roster rows the rules read (same identity as an invitee) and a count: flat cost in a call of any size.
      // Read with the leg: a store that batches (PostgreSQL) answers them all in one round trip.
      const found = await tx.legWithRosterSlice(callId.toLowerCase(), inviteeIdentityKeys(cmd));
      const leg = ownLeg(principal, found?.leg, callId);
      if (isRejection(leg)) return leg;
      const { conversation, rosterSize: size, withIdentityKeys: withInviteeIdentity, legs } = found!; // ownLeg had one
      if (!conversation) throw new Error(`call ${leg.id} has no conversation ${leg.conversationId}`);
      const view = { conversation, roster: { size, withInviteeIdentity }, legs, leg };
      const rawReplaced = Array.isArray(cmd.participants) ? cmd.participants[0]?.replacesCallId : undefined;
      const replaced =
        typeof rawReplaced === 'string' && rawReplaced.length > 0
          ? await this.sameAppLeg(tx, principal, leg, normalizeCallId(rawReplaced))
          : null;
      const fault = inviteFaultFor(
        this.deps.directory.world.faults ?? [],
        leg,
        typeof rawReplaced === 'string' && rawReplaced.length > 0,
      );
      const reactions = this.reactionsTo(leg.tenantId, cmd.participants);
      const r = decideInvite(
        principal,
        cmd,
        { ...view, replaced, fault, reactions },
        this.deps.directory,
        ctx,
        apiVersion,
      );
      if (isRejection(r)) return r;
      return { effects: r.effects, value: r.operation };
    });
  }

  async listParticipants(principal: Principal, callId: string): Promise<Result<Participant[]>> {
    return this.transactForRequest(async (tx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      const conversation = await tx.getConversation(leg.conversationId);
      return listedRoster(conversation, await tx.participantsInConversation(leg.conversationId));
    });
  }

  async getParticipant(principal: Principal, callId: string, participantId: string): Promise<Result<Participant>> {
    return this.transactForRequest(async (tx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      return participantOfCall(leg, await tx.getParticipant(participantId.toLowerCase()), participantId);
    });
  }

  /** call: mute / unmute (the bot's own participant). */
  selfMute(principal: Principal, callId: string, muted: boolean, cmd: MuteCommand): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) => withOperation(decideSelfMute(view, muted, cmd, ctx)));
  }

  /** participant: admitFromLobby / removeFromLobby (beta). */
  lobby(
    principal: Principal,
    callId: string,
    participantId: string,
    action: LobbyAction,
    cmd: LobbyCommand,
  ): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decideLobby(principal, view, participantId, action, cmd, ctx)),
    );
  }

  participantMute(
    principal: Principal,
    callId: string,
    participantId: string,
    cmd: MuteCommand,
  ): Promise<Result<Operation>> {
    return this.onLeg(principal, callId, (view, ctx) =>
      withOperation(decideParticipantMute(principal, view, participantId, cmd, ctx)),
    );
  }

  removeParticipant(principal: Principal, callId: string, participantId: string): Promise<Result<null>> {
    return this.run(async (tx, ctx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      const view = await this.legView(tx, leg);
      // A participant still ringing: its invite operation settles (Failed for it) when the invite is cancelled.
      const operationId = removableParticipant(view, participantId)?.invitedByOperationId;
      const pendingOperation = operationId ? await tx.getOperation(operationId) : undefined;
      return noValue(decideRemoveParticipant(principal, { ...view, pendingOperation }, participantId, ctx));
    });
  }

  async getOperation(principal: Principal, callId: string, operationId: string): Promise<Result<Operation>> {
    return this.transactForRequest(async (tx) => {
      const leg = await this.ownLeg(tx, principal, callId);
      if (isRejection(leg)) return leg;
      return operationOfCall(leg, await tx.getOperation(operationId.toLowerCase()), operationId);
    });
  }

  /** A person's key presses reach every established bot leg of their conversation (the media simulation decides). */
  private async pressInConversation(
    tx: Tx,
    view: ConversationView,
    tones: string,
    ctx: DomainContext,
  ): Promise<Result<Effects>> {
    const effects = emptyEffects();
    for (const leg of view.legs.filter((l) => l.state === 'established')) {
      const [head, ...waiting] = await this.queuedOperations(tx, leg);
      const r = decidePressTones({ ...view, leg }, { tones: [...tones] }, { head: head ?? null, waiting }, ctx);
      if (isRejection(r)) return r;
      appendEffects(effects, r.effects);
    }
    return effects;
  }

  /** Control API: a person in a call acts now (`afterMs` 0) or later (a durable timer). */
  personAction(callId: string, personRef: string, act: LaterAction): Promise<Result<ScheduledPersonAction>> {
    return this.run(
      async (tx, ctx) => {
        const leg = await tx.getLeg(callId.toLowerCase());
        if (!leg) return callNotFound(callId);
        const view = await this.legView(tx, leg);
        const r = decidePersonActionRequest(view, personRef, act, ctx);
        if (isRejection(r)) return r;
        const effects = isPressTones(r.result)
          ? await this.pressInConversation(tx, view, r.result.pressTones, ctx)
          : r.result;
        return isRejection(effects) ? effects : { effects, value: r.value };
      },
      'normal',
      { kind: 'control', what: 'personAction', detail: { person: personRef, ...act } },
    );
  }

  incomingCall(cmd: IncomingCallCommand): Promise<Result<CallLeg>> {
    return this.run(
      (_tx, ctx) => {
        const r = decideIncomingCall(cmd, this.deps.directory, ctx);
        return Promise.resolve(isRejection(r) ? r : { effects: r.effects, value: r.leg });
      },
      'normal',
      { kind: 'control', what: 'incomingCall' },
    );
  }

  /** The dispatcher could not deliver a notification of this call (spec 9.10): an establishing call ends. */
  async callbackFailed(callId: string): Promise<void> {
    if (this.deps.directory.world.endCallOnCallbackFailure === false) return;
    await this.run(
      async (tx, ctx) => {
        const leg = await tx.getLeg(callId.toLowerCase());
        if (!leg) return { effects: emptyEffects(), value: null };
        return { effects: decideCallbackUnreachable(await this.legView(tx, leg), ctx), value: null };
      },
      'normal',
      { kind: 'control', what: 'callbackFailed' },
      false,
    );
  }

  /**
   * A softphone answers a ring of the person it holds (`personKey`): the ring's answer timer fires now with the
   * browser's outcome instead of the one it carried, through the same decision the timer would have taken
   * (decideTimer), so Accept, Decline and Busy give the bot exactly what the accept, decline and busy behaviours give.
   */
  answerRing(personKey: string, ringId: string, outcome: RingAnswer): Promise<Result<null>> {
    return this.run(
      async (tx, ctx) => {
        const timer = await tx.getTimer(ringId);
        const ring = timer ? await ringOf(tx, timer) : undefined;
        if (!ring || !ring.personKeys.includes(personKey)) {
          return reject(
            RejectionCode.callStateConflict,
            `Nothing rings ${personKey} as ${ringId} any more: it was answered, cancelled, or it timed out.`,
            'ringId',
          );
        }
        const next = answered(ring.timer, personKey, outcome);
        // Another instance may be firing the same timer (its due time has just come): only one of us decides.
        const [deleted, effects] = await Promise.all([
          tx.deleteTimer(ring.timer.id),
          'fire' in next
            ? this.decideTimer(tx, next.fire, ctx)
            : Promise.resolve({ ...emptyEffects(), timers: [next.ringOn] }),
        ]);
        if (!deleted)
          return reject(
            RejectionCode.callStateConflict,
            `Nothing rings ${personKey} as ${ringId} any more: it timed out meanwhile.`,
            'ringId',
          );
        return { effects, value: null };
      },
      'high',
      { kind: 'control', what: 'softphoneAnswer', detail: { person: personKey, ringId, answer: outcome } },
    );
  }

  /**
   * A durable timer came due: feed it back as a command. The timer row is deleted in the same transaction. A row that
   * does not read as a timer (the timer loop has logged why) is only deleted: it can never fire.
   */
  async fireTimer(timer: DueTimer): Promise<void> {
    await this.run(
      async (tx, ctx) => {
        if (isUnreadableTimer(timer)) {
          await tx.deleteTimer(timer.id);
          return { effects: emptyEffects(), value: null };
        }
        // Deciding only reads, so it is asked alongside the delete (one round trip on a batching store); its result
        // is dropped if the timer was already gone: another instance fired it (its claim outlived a lease we thought
        // dead). Never decide twice.
        const [deleted, effects] = await Promise.all([tx.deleteTimer(timer.id), this.decideTimer(tx, timer, ctx)]);
        return { effects: deleted ? effects : emptyEffects(), value: null };
      },
      'high',
      { kind: 'timer', timer: timer.kind, payload: isUnreadableTimer(timer) ? null : timer.payload },
    ); // finishes what accepted commands started: before new commands (see LockPriority)
  }

  private async decideTimer(tx: Tx, timer: TimerRequest, ctx: DomainContext): Promise<Effects> {
    switch (timer.kind) {
      case 'call.established': {
        const leg = await tx.getLeg(timer.payload.callId);
        return leg ? decideEstablished(await this.legView(tx, leg), ctx) : emptyEffects();
      }
      case 'call.targetAnswer': {
        const { callId, participantId, outcome } = timer.payload;
        const leg = await tx.getLeg(callId);
        return leg ? decideTargetAnswer(await this.legView(tx, leg), participantId, outcome, ctx) : emptyEffects();
      }
      case 'call.keepAliveExpired': {
        const leg = await tx.getLeg(timer.payload.callId);
        return leg ? decideKeepAliveExpired(await this.legView(tx, leg), ctx) : emptyEffects();
      }
      case 'call.answerWindow': {
        const leg = await tx.getLeg(timer.payload.callId);
        return leg ? decideAnswerWindowExpired(await this.legView(tx, leg), ctx) : emptyEffects();
      }
      case 'call.transferAnswer': {
        const { callId, outcome, replacesCallId, transfereeId } = timer.payload;
        const leg = await tx.getLeg(callId);
        if (!leg) return emptyEffects();
        const replacedLeg = replacesCallId ? await tx.getLeg(replacesCallId) : undefined;
        const consultation = replacesCallId
          ? { replaced: replacedLeg ? await this.legView(tx, replacedLeg) : null }
          : null;
        return decideTransferOutcome(await this.legView(tx, leg), consultation, outcome, ctx, transfereeId ?? null);
      }
      case 'call.redirectAnswer': {
        const leg = await tx.getLeg(timer.payload.callId);
        return leg ? decideRedirectOutcome(await this.legView(tx, leg), timer.payload.outcome, ctx) : emptyEffects();
      }
      case 'person.action': {
        const { participantId, action, tones } = timer.payload;
        const person = await tx.getParticipant(participantId);
        const view = person ? await this.view(tx, person.conversationId) : undefined;
        if (!person || !view) return emptyEffects();
        const r = decideTimedPersonAction(view, person, { action, ...(tones !== undefined ? { tones } : {}) }, ctx);
        const effects =
          !isRejection(r) && isPressTones(r) ? await this.pressInConversation(tx, view, r.pressTones, ctx) : r;
        return isRejection(effects) ? emptyEffects() : effects;
      }
      case 'media.complete':
        return this.mediaTimerFired(tx, timer.payload, ctx);
      case 'invitee.answer': {
        const p = timer.payload;
        // A join is announced with the whole roster, as Graph does (rosterToAllLegs), so the roster is read, unless
        // every bot leg asked for deltas (only who changed): then the answer costs the same in a call of 10 or 1,000.
        // Asked together: a batching store (PostgreSQL) reads the invitee, its view and the operation in one round trip.
        const [found, operation] = await Promise.all([
          tx.participantWithView(p.participantId, (legs) => legs.some(getsWholeRoster)),
          p.operationId ? tx.getOperation(p.operationId) : undefined,
        ]);
        if (!found?.view) return emptyEffects();
        const { participant: invitee, view } = found;
        const { legs } = view;
        // The operation's leg is one of the conversation's; looked up on its own only if it is not among them.
        const leg = invitingLegOf(operation, legs) ?? (operation ? await tx.getLeg(operation.callId) : undefined);
        const entry = operation?.invitees.find((i) => i.participantId === invitee.id);
        let source = null;
        if (entry?.movedFromParticipantId) {
          const mover = await tx.getParticipant(entry.movedFromParticipantId);
          const sv = mover ? await this.view(tx, mover.conversationId) : undefined;
          if (sv) source = { ...sv, leg: undefined };
        } else if (entry?.replacesCallId) {
          const replacedLeg = await tx.getLeg(entry.replacesCallId);
          if (replacedLeg) source = await this.legView(tx, replacedLeg);
        }
        return decideInviteeAnswer(
          { ...view, leg, operation, invitee, source },
          p.outcome,
          ctx,
          p.fault ? resultInfo(p.fault) : null,
        );
      }
    }
  }
}
