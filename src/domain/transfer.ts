/**
 * call: redirect and call: transfer, pure (spec 2, 4.6, 4.7).
 *
 *   redirect:  incoming ──redirect──▶ redirecting (the targets ring at once) ──first answer──▶ terminated (`deleted`)
 *                                                   └──nobody answers in time──▶ terminated (`deleted`, why in resultInfo)
 *              (a redirect to bots only rings nobody Switchboard simulates: the call leaves the bot at once)
 *   transfer:  established ──transfer──▶ transferring ──target answers──▶ transferAccepted ──▶ terminated (0/7015)
 *                                                    └─target declines / busy / no answer──▶ established (500/7000)
 *   consultative transfer (transferTarget.replacesCallId = the bot's other P2P call, with the target in it): the
 *   target is already connected, so it accepts at once; both of the bot's calls end. A failure is 500/7700.
 *   from a group call or meeting (call-transfer.md example 5): `transferee.participantId` names the person who moves
 *   to the target; the bot's call goes through the same states and ends (0/7015), the transferee leaves the roster
 *   with it, everyone else stays.
 */
import type { DomainContext } from './clock.js';
import { checkCallbackUri } from './call.js';
import { cleanIdentitySet, identityKey, identityKind, isRecord, primaryIdentity } from './identity.js';
import { checkClientContext } from './client-context.js';
import { checkInvitee, normalizeCallId, REPLACE_DELAY_MS, type InvitationInput } from './invite.js';
import { callNotification, rosterToAllLegs } from './notifications.js';
import { requireAnyRole, Role, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import { callNotAnswered, RESULT, resultInfo, transferFailed, type InviteeOutcome } from './result-codes.js';
import { TimerId } from './timer-ids.js';
import {
  emptyEffects,
  type CallLeg,
  type ConversationView,
  type Effects,
  type Participant,
  type TimerPayloads,
} from './types.js';
import { ringOutcome, type Reactions, type WorldView } from './world.js';

type LegView = ConversationView & { leg: CallLeg };

/** Redirect limits (call-redirect.md): up to 25 simultaneous-ring targets, a ring timeout of 15 to 90 seconds. */
export const MAX_REDIRECT_TARGETS = 25;
export const REDIRECT_TIMEOUT_RANGE = { min: 15, max: 90 } as const;
/** call-redirect.md: "The default timeout value is 55 seconds for one target and 60 seconds for multiple targets". */
export const REDIRECT_DEFAULT_TIMEOUT_S = { one: 55, many: 60 } as const;

export interface RedirectCommand {
  targets: InvitationInput[];
  timeout?: number | null;
  callbackUri?: string | null;
}

export interface TransferCommand {
  transferTarget: InvitationInput;
  transferee?: Record<string, unknown> | null;
  clientContext?: string | null;
}

/** A PSTN target needs the call to belong to an application instance with a number (spec 1.4 item 8). */
function pstnNeedsInstance(leg: CallLeg, at: string): Rejection {
  return reject(
    RejectionCode.invalidProperty,
    `${at}: calls to a phone number need the call to belong to an application instance (resource account) with a phone number; call ${leg.id} was placed to or by the application itself.`,
    at,
  );
}

export function decideRedirect(
  principal: Principal,
  cmd: RedirectCommand,
  view: LegView & {
    /** How the targets react to being rung (`invitationIdentities(cmd.targets)`), from the simulator. */
    reactions: Reactions;
  },
  world: WorldView,
  ctx: DomainContext,
): Rejection | Effects {
  const denied = requireAnyRole(principal, [Role.initiate], 'call: redirect');
  if (denied) return denied;
  const { leg } = view;
  if (!Array.isArray(cmd.targets) || cmd.targets.length === 0)
    return reject(
      RejectionCode.noInvitees,
      'targets must list at least one target to redirect the call to.',
      'targets',
    );
  if (cmd.targets.length > MAX_REDIRECT_TARGETS) {
    return reject(
      RejectionCode.tooManyInvitees,
      `targets: a call can be redirected to at most ${MAX_REDIRECT_TARGETS} targets (simultaneous ring); got ${cmd.targets.length}.`,
      'targets',
    );
  }
  if (
    cmd.timeout != null &&
    (!Number.isInteger(cmd.timeout) ||
      cmd.timeout < REDIRECT_TIMEOUT_RANGE.min ||
      cmd.timeout > REDIRECT_TIMEOUT_RANGE.max)
  ) {
    return reject(
      RejectionCode.invalidProperty,
      `timeout must be between ${REDIRECT_TIMEOUT_RANGE.min} and ${REDIRECT_TIMEOUT_RANGE.max} seconds; got ${cmd.timeout}.`,
      'timeout',
    );
  }
  if (cmd.callbackUri) {
    const bad = checkCallbackUri(cmd.callbackUri, 'callbackUri');
    if (bad) return bad;
  }
  const seen = new Map<string, number>();
  for (const [i, t] of cmd.targets.entries()) {
    const at = `targets[${i}]`;
    const checked = checkRedirectTarget(t, at, leg, world);
    if (checked) return checked;
    const key = isRecord(t.identity) ? identityKey(t.identity) : null;
    if (key && seen.has(key))
      return reject(
        RejectionCode.duplicateIdentity,
        `${at}.identity names the same target as targets[${seen.get(key)}].`,
        `${at}.identity`,
      );
    if (key) seen.set(key, i);
  }
  if (leg.state !== 'incoming') {
    return reject(
      RejectionCode.callStateConflict,
      `Only an incoming call that is not yet answered or rejected can be redirected; call ${leg.id} is ${leg.state}.`,
    );
  }
  const redirected: CallLeg = { ...leg, callbackUri: cmd.callbackUri ?? leg.callbackUri };
  const timeoutMs =
    (cmd.timeout ?? (cmd.targets.length > 1 ? REDIRECT_DEFAULT_TIMEOUT_S.many : REDIRECT_DEFAULT_TIMEOUT_S.one)) * 1000;
  const ring = redirectRing(cmd.targets, view.reactions, timeoutMs);
  // Only bots were named (documented example 1): Switchboard simulates no other bot's incoming call, so nothing it
  // knows rings and the call leaves this bot at once.
  if (!ring) return endRedirected({ ...view, leg: redirected }, 'accept', ctx);
  // call-redirect.md shows nothing between the 202 and the `deleted`: the call waits in `redirecting` (a v1.0
  // callState) without a notification while its targets ring, and a GET shows it there.
  const effects = emptyEffects();
  const ringing: CallLeg = { ...redirected, state: 'redirecting', version: leg.version + 1, updatedAt: ctx.now };
  effects.legs.push(ringing);
  effects.timers.push({
    id: TimerId.redirect(leg.id),
    dueAt: ctx.now + ring.afterMs,
    kind: 'call.redirectAnswer',
    payload: { callId: leg.id, outcome: ring.outcome, answeredBy: ring.answeredBy, targets: ring.targets },
  });
  return effects;
}

/**
 * How a simultaneous ring of `targets` ends (call-redirect.md: "all of the targets will be rang at the same time and
 * only the first target that picks up will be connected"): the first to accept within the timeout wins; otherwise the
 * ring ends when the last target gives up (a target still ringing at the timeout gives up then, as no answer), and
 * the call ends the way that last one did. Null when no target is a person (bots only).
 */
function redirectRing(
  targets: InvitationInput[],
  reactions: Reactions,
  timeoutMs: number,
): { targets: string[]; outcome: InviteeOutcome; answeredBy: string | null; afterMs: number } | null {
  const rung: { key: string; outcome: InviteeOutcome; afterMs: number }[] = [];
  for (const t of targets) {
    if (!isRecord(t.identity)) continue;
    const identity = cleanIdentitySet(t.identity);
    const kind = identityKind(identity);
    if (kind === 'application' || kind === 'applicationInstance') continue;
    const key = identityKey(identity);
    if (key === null) continue;
    const r = ringOutcome(reactions, identity);
    rung.push(
      r.afterMs <= timeoutMs
        ? { key, outcome: r.action, afterMs: r.afterMs }
        : { key, outcome: 'noAnswer', afterMs: timeoutMs },
    );
  }
  if (rung.length === 0) return null;
  const keys = rung.map((r) => r.key);
  const first = rung.filter((r) => r.outcome === 'accept').sort((a, b) => a.afterMs - b.afterMs)[0];
  if (first) return { targets: keys, outcome: 'accept', answeredBy: first.key, afterMs: first.afterMs };
  const last = [...rung].sort((a, b) => b.afterMs - a.afterMs)[0]!;
  return { targets: keys, outcome: last.outcome, answeredBy: null, afterMs: last.afterMs };
}

/**
 * The redirect's ring ended (timer `call.redirectAnswer`, or a softphone's answer): the bot's call ends with one
 * `deleted` (terminated), the caller leaving with it. Picked up: as call-redirect.md shows it, no resultInfo (beta:
 * terminationReason AppRedirected). Nobody picked up: resultInfo says why, as for a call nobody answered
 * (408/10057 no answer, 603/10020 declined, 486/10021 busy, 480/10037 nobody there).
 */
export function decideRedirectOutcome(view: LegView, outcome: InviteeOutcome, ctx: DomainContext): Effects {
  if (view.leg.state !== 'redirecting') return emptyEffects();
  return endRedirected(view, outcome, ctx);
}

function endRedirected(view: LegView, outcome: InviteeOutcome, ctx: DomainContext): Effects {
  const { leg } = view;
  const effects = emptyEffects();
  const ended: CallLeg = {
    ...leg,
    state: 'terminated',
    resultInfo: outcome === 'accept' ? leg.resultInfo : callNotAnswered(outcome),
    terminationReason: 'AppRedirected',
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  effects.legs.push(ended);
  effects.notifications.push(callNotification(ended, view.conversation, 'deleted'));
  for (const p of view.roster)
    if (p.status === 'joined' || p.status === 'inviting')
      effects.participants.push({ ...p, status: 'removed', updatedAt: ctx.now });
  return effects;
}

/**
 * A person a redirect rings answers it on their device (a softphone) before its timer: picking up ends the ring
 * now (`fire`); declining or busy ends it only for a lone target, while in a simultaneous ring the others go on
 * ringing as before (`ringOn`: the same timer without that person).
 */
export function answerRedirectRing(
  ring: TimerPayloads['call.redirectAnswer'],
  personKey: string,
  answer: 'accept' | 'decline' | 'busy',
): { fire: TimerPayloads['call.redirectAnswer'] } | { ringOn: TimerPayloads['call.redirectAnswer'] } {
  const others = ring.targets.filter((t) => t !== personKey);
  if (answer === 'accept') return { fire: { ...ring, outcome: 'accept', answeredBy: personKey } };
  if (others.length === 0) return { fire: { ...ring, outcome: answer, answeredBy: null } };
  return { ringOn: { ...ring, targets: others } };
}

function checkRedirectTarget(t: InvitationInput, at: string, leg: CallLeg, world: WorldView): Rejection | null {
  if (typeof t !== 'object' || t === null || typeof t.identity !== 'object' || t.identity === null)
    return reject(RejectionCode.invalidProperty, `${at}.identity is required.`, `${at}.identity`);
  const kind = identityKind(t.identity);
  // Redirecting to another bot is documented (call-redirect.md example 1): it must name the bot by id.
  if (kind === 'application' || kind === 'applicationInstance') {
    const p = primaryIdentity(t.identity);
    if (typeof p?.value.id !== 'string' || p.value.id.length === 0)
      return reject(
        RejectionCode.invalidProperty,
        `${at}.identity.${p?.key ?? 'application'}.id is required.`,
        `${at}.identity.${p?.key ?? 'application'}.id`,
      );
    return null;
  }
  const checked = checkInvitee(t, at, leg, world);
  if ('rejected' in checked) return checked;
  if (kind === 'phone' && !leg.applicationInstanceId) return pstnNeedsInstance(leg, `${at}.identity.phone`);
  return null;
}

export interface TransferState extends LegView {
  /** The leg named by transferTarget.replacesCallId, when it exists and belongs to the same app. */
  replaced: LegView | null;
  /** How the transfer target reacts to being rung (`invitationIdentities(cmd.transferTarget)`), from the simulator. */
  reactions: Reactions;
}

/** The other party of a peer-to-peer call: the one joined participant that is not a bot leg. */
const remoteParty = (view: ConversationView): Participant | undefined =>
  view.roster.find((p) => p.status === 'joined' && p.callLegId === null);

export function decideTransfer(
  principal: Principal,
  cmd: TransferCommand,
  state: TransferState,
  world: WorldView,
  ctx: DomainContext,
): Rejection | Effects {
  const denied = requireAnyRole(principal, [Role.initiate], 'call: transfer');
  if (denied) return denied;
  const { leg, conversation } = state;
  const badContext = checkClientContext(cmd.clientContext);
  if (badContext) return badContext;
  const target = cmd.transferTarget;
  const kind =
    typeof target?.identity === 'object' && target.identity !== null ? identityKind(target.identity) : 'other';
  if (kind === 'application' || kind === 'applicationInstance') {
    return reject(
      RejectionCode.cannotInviteBot,
      `transferTarget.identity.${kind} is a bot; a call can only be transferred to a Teams user or a phone number.`,
      `transferTarget.identity.${kind}`,
    );
  }
  const checked = checkInvitee(target, 'transferTarget', leg, world);
  if ('rejected' in checked) return checked;
  if (kind === 'phone' && !leg.applicationInstanceId) return pstnNeedsInstance(leg, 'transferTarget.identity.phone');
  const group = conversation.kind !== 'peerToPeer';
  const transferee = group ? groupTransferee(cmd.transferee, state) : remoteParty(state);
  if (transferee && 'rejected' in transferee) return transferee;
  const key = identityKey(checked.identity);
  if (transferee && identityKey(transferee.identity) === key) {
    return reject(
      RejectionCode.invalidProperty,
      'transferTarget.identity is the transferee: a call cannot be transferred to the person already in it.',
      'transferTarget.identity',
    );
  }
  const rawReplaced = target.replacesCallId;
  const consultative = typeof rawReplaced === 'string' && rawReplaced.length > 0;
  if (consultative) {
    const r = checkConsultation(normalizeCallId(rawReplaced), rawReplaced, key, state);
    if (r) return r;
  }
  if (leg.state !== 'established')
    return reject(
      RejectionCode.callStateConflict,
      `Only an established call can be transferred; call ${leg.id} is ${leg.state}.`,
    );

  const behaviour = ringOutcome(state.reactions, checked.identity);
  // A consultative target is already connected to the bot: it takes the call at once.
  const outcome: InviteeOutcome = consultative ? 'accept' : behaviour.action;
  const afterMs = consultative ? REPLACE_DELAY_MS : behaviour.afterMs;
  const effects = emptyEffects();
  const transferring: CallLeg = {
    ...leg,
    state: 'transferring',
    resultInfo: null,
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  effects.legs.push(transferring);
  effects.notifications.push(callNotification(transferring, conversation, 'updated'));
  effects.timers.push({
    id: TimerId.transfer(leg.id),
    dueAt: ctx.now + afterMs,
    kind: 'call.transferAnswer',
    // target: who rings (identityKey), so a softphone holding that person can find and answer this ring.
    payload: {
      callId: leg.id,
      outcome,
      replacesCallId: consultative ? (state.replaced?.leg.id ?? null) : null,
      target: key,
      ...(group && transferee ? { transfereeId: transferee.id } : {}),
    },
  });
  return effects;
}

/**
 * The participant a transfer out of a group call or meeting moves: `transferee.participantId` is required there
 * (call-transfer.md: "only needed when transfer from a group call"), names a person in the call (not a bot), and
 * an identity sent with it must be theirs.
 */
function groupTransferee(raw: TransferCommand['transferee'], state: TransferState): Participant | Rejection {
  const at = 'transferee.participantId';
  const id = raw?.participantId;
  if (typeof id !== 'string' || id.length === 0) {
    return reject(
      RejectionCode.invalidProperty,
      `${at} is required to transfer out of a group call or meeting; call ${state.leg.id} is a ${state.conversation.kind}.`,
      at,
    );
  }
  const person = state.roster.find(
    (p) => p.id.toLowerCase() === id.toLowerCase() && p.status === 'joined' && !p.hidden,
  );
  if (!person)
    return reject(
      RejectionCode.participantNotFound,
      `${at}: participant ${id} was not found in call ${state.leg.id}.`,
      at,
    );
  if (person.callLegId !== null)
    return reject(
      RejectionCode.invalidProperty,
      `${at}: participant ${id} is a bot; only a person in the call can be transferred.`,
      at,
    );
  const identity = raw?.identity;
  if (
    typeof identity === 'object' &&
    identity !== null &&
    identityKey(identity as Record<string, unknown>) !== identityKey(person.identity)
  ) {
    return reject(
      RejectionCode.invalidProperty,
      `transferee.identity is not the identity of participant ${id}.`,
      'transferee.identity',
    );
  }
  return person;
}

function checkConsultation(id: string, raw: string, key: string | null, state: TransferState): Rejection | null {
  const at = 'transferTarget.replacesCallId';
  const replaced = state.replaced;
  if (!replaced || replaced.leg.id !== id)
    return reject(RejectionCode.replacedCallNotFound, `${at}: call ${raw} was not found.`, at);
  if (replaced.leg.id === state.leg.id)
    return reject(
      RejectionCode.invalidProperty,
      `${at} names the call being transferred; it must name the bot's call with the transfer target.`,
      at,
    );
  if (replaced.conversation.kind !== 'peerToPeer')
    return reject(
      RejectionCode.invalidProperty,
      `${at} must name a peer-to-peer call between the bot and the transfer target; call ${replaced.leg.id} is a ${replaced.conversation.kind}.`,
      at,
    );
  if (replaced.leg.state !== 'established')
    return reject(
      RejectionCode.callStateConflict,
      `${at}: call ${replaced.leg.id} is ${replaced.leg.state}, not established.`,
      at,
    );
  const party = remoteParty(replaced);
  if (!party || identityKey(party.identity) !== key)
    return reject(
      RejectionCode.invalidProperty,
      `transferTarget.identity is not the other party of call ${replaced.leg.id} named by ${at}.`,
      'transferTarget.identity',
    );
  return null;
}

/**
 * The transfer target answered (or did not): the call ends as transferred, or goes back to established.
 * `consultation` is the bot's call with the target for a consultative transfer (null if it ended meanwhile);
 * `transfereeId` the participant moved out of a group call or meeting (null for a peer-to-peer call).
 */
export function decideTransferOutcome(
  view: LegView,
  consultation: { replaced: LegView | null } | null,
  outcome: InviteeOutcome,
  ctx: DomainContext,
  transfereeId: string | null = null,
): Effects {
  const effects = emptyEffects();
  const { leg } = view;
  if (leg.state !== 'transferring') return effects;
  const consultative = consultation !== null;
  const replaced = consultation?.replaced ?? null;
  // The consultation call ended meanwhile: the target is no longer connected to the bot.
  const effective: InviteeOutcome = consultative && replaced?.leg.state !== 'established' ? 'noAnswer' : outcome;
  if (effective !== 'accept') {
    const back: CallLeg = {
      ...leg,
      state: 'established',
      resultInfo: transferFailed(effective, consultative),
      version: leg.version + 1,
      updatedAt: ctx.now,
    };
    effects.legs.push(back);
    effects.notifications.push(callNotification(back, view.conversation, 'updated'));
    return effects;
  }
  const accepted: CallLeg = { ...leg, state: 'transferAccepted', version: leg.version + 1, updatedAt: ctx.now };
  effects.notifications.push(callNotification(accepted, view.conversation, 'updated'));
  endTransferred(effects, { ...view, leg: accepted }, ctx, transfereeId);
  if (replaced) endTransferred(effects, replaced, ctx, null);
  return effects;
}

/**
 * The transferred call ends (0/7015). A peer-to-peer call's roster goes with it; in a group call or meeting only the
 * bot and the transferee leave, and the other bot legs there get a roster `deleted` with the two.
 */
function endTransferred(effects: Effects, view: LegView, ctx: DomainContext, transfereeId: string | null): void {
  const ended: CallLeg = {
    ...view.leg,
    state: 'terminated',
    resultInfo: resultInfo(RESULT.transferCompleted),
    terminationReason: 'AppTransferred',
    version: view.leg.version + 1,
    updatedAt: ctx.now,
  };
  effects.legs.push(ended);
  effects.notifications.push(callNotification(ended, view.conversation, 'deleted'));
  if (view.conversation.kind === 'peerToPeer') {
    for (const p of view.roster)
      if (p.status === 'joined' || p.status === 'inviting')
        effects.participants.push({ ...p, status: 'removed', updatedAt: ctx.now });
    return;
  }
  const seq = view.conversation.rosterSequence + 1;
  const leaving = view.roster
    .filter((p) => p.status === 'joined' && (p.id === view.leg.myParticipantId || p.id === transfereeId))
    .map((p): Participant => ({ ...p, status: 'removed', rosterSequenceNumber: seq, updatedAt: ctx.now }));
  if (leaving.length === 0) return;
  effects.participants.push(...leaving);
  effects.conversations.push({ ...view.conversation, rosterSequence: seq });
  effects.notifications.push(
    ...rosterToAllLegs(
      view.legs.filter((l) => l.id !== view.leg.id),
      view.roster,
      leaving,
      'deleted',
    ),
  );
}
