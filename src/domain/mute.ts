/**
 * Server mute (spec 4.9, 4.20): call mute/unmute mutes the bot's own participant, participant mute another one.
 * Group calls and meetings only. The operation is returned already `Completed` (so no completion notification
 * follows, spec 3.8), and the roster change follows as a roster `updated` with `isMuted`.
 */
import type { DomainContext } from './clock.js';
import { checkClientContext } from './client-context.js';
import { rosterToAllLegs } from './notifications.js';
import { newOperation } from './operation.js';
import { requireAnyRole, Role, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import {
  emptyEffects,
  type CallLeg,
  type ConversationView,
  type Effects,
  type Operation,
  type Participant,
} from './types.js';

export interface MuteCommand {
  clientContext?: string | null;
}

type MuteView = ConversationView & { leg: CallLeg };

function check(view: MuteView, cmd: MuteCommand, what: string): Rejection | null {
  const badContext = checkClientContext(cmd.clientContext);
  if (badContext) return badContext;
  if (view.conversation.kind === 'peerToPeer')
    return reject(
      RejectionCode.callStateConflict,
      `${what} is only supported in group calls and meetings; call ${view.leg.id} is peer-to-peer.`,
    );
  if (view.leg.state !== 'established')
    return reject(
      RejectionCode.callStateConflict,
      `${what} needs an established call; call ${view.leg.id} is ${view.leg.state}.`,
    );
  return null;
}

function apply(
  view: MuteView,
  target: Participant,
  muted: boolean,
  type: Operation['type'],
  cmd: MuteCommand,
  ctx: DomainContext,
): { effects: Effects; operation: Operation } {
  const effects = emptyEffects();
  const operation = newOperation(ctx, view.leg, type, 'Completed', cmd.clientContext);
  effects.operations.push(operation);
  if (target.isMuted !== muted) {
    const seq = view.conversation.rosterSequence + 1;
    const changed: Participant = { ...target, isMuted: muted, rosterSequenceNumber: seq, updatedAt: ctx.now };
    effects.participants.push(changed);
    effects.conversations.push({ ...view.conversation, rosterSequence: seq });
    effects.notifications.push(...rosterToAllLegs(view.legs, view.roster, [changed]));
  }
  return { effects, operation };
}

/** POST /calls/{id}/mute or /unmute: the bot's own participant. */
export function decideSelfMute(
  view: MuteView,
  muted: boolean,
  cmd: MuteCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const bad = check(view, cmd, muted ? 'call: mute' : 'call: unmute');
  if (bad) return bad;
  const me = view.roster.find((p) => p.id === view.leg.myParticipantId && p.status === 'joined');
  if (!me) return reject(RejectionCode.callStateConflict, `The application is not in call ${view.leg.id}'s roster.`);
  return apply(view, me, muted, muted ? 'muteParticipantOperation' : 'unmuteParticipantOperation', cmd, ctx);
}

/** POST /calls/{id}/participants/{pid}/mute: Graph has no v1.0 participant unmute (the person unmutes themselves). */
export function decideParticipantMute(
  principal: Principal,
  view: MuteView,
  participantId: string,
  cmd: MuteCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const denied = requireAnyRole(principal, [Role.joinGroupCall], 'participant: mute');
  if (denied) return denied;
  const bad = check(view, cmd, 'participant: mute');
  if (bad) return bad;
  const id = participantId.toLowerCase();
  const target = view.roster.find((p) => p.id.toLowerCase() === id && p.status === 'joined' && !p.hidden);
  if (!target)
    return reject(
      RejectionCode.participantNotFound,
      `Participant ${participantId} was not found in call ${view.leg.id}.`,
      participantId,
    );
  return apply(view, target, true, 'muteParticipantOperation', cmd, ctx);
}

export interface MuteAllCommand {
  /** The ids of the participants to mute; absent or empty: everyone in the call but the bot asking. */
  participants?: string[] | null;
  clientContext?: string | null;
}

/**
 * POST /beta/…/participants/muteAll (beta only; deprecated in Graph, still served there): server-mutes the listed
 * participants, or, with no list, every joined participant except the bot that asks (it mutes itself with call:
 * mute; Switchboard's reading of "mute all participants"). An already `Completed` `muteParticipantsOperation` whose
 * `participants` lists the ids muted, and one roster `updated` with everyone whose `isMuted` changed.
 */
export function decideMuteAll(
  principal: Principal,
  view: MuteView,
  cmd: MuteAllCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const denied = requireAnyRole(principal, [Role.joinGroupCall, Role.joinGroupCallAsGuest], 'participant: muteAll');
  if (denied) return denied;
  const bad = check(view, cmd, 'participant: muteAll');
  if (bad) return bad;
  const present = view.roster.filter((p) => p.status === 'joined' && !p.hidden);
  let targets: Participant[];
  if (cmd.participants && cmd.participants.length > 0) {
    targets = [];
    for (const [i, wanted] of cmd.participants.entries()) {
      const target = present.find((p) => p.id.toLowerCase() === wanted.toLowerCase());
      if (!target)
        return reject(
          RejectionCode.participantNotFound,
          `participants[${i}]: participant ${wanted} was not found in call ${view.leg.id}.`,
          `participants[${i}]`,
        );
      if (!targets.includes(target)) targets.push(target);
    }
  } else {
    targets = present.filter((p) => p.id !== view.leg.myParticipantId);
  }
  const effects = emptyEffects();
  const operation: Operation = {
    ...newOperation(ctx, view.leg, 'muteParticipantsOperation', 'Completed', cmd.clientContext),
    participantIds: targets.map((p) => p.id),
  };
  effects.operations.push(operation);
  const seq = view.conversation.rosterSequence + 1;
  const changed = targets
    .filter((p) => !p.isMuted)
    .map((p): Participant => ({ ...p, isMuted: true, rosterSequenceNumber: seq, updatedAt: ctx.now }));
  if (changed.length > 0) {
    effects.participants.push(...changed);
    effects.conversations.push({ ...view.conversation, rosterSequence: seq });
    effects.notifications.push(...rosterToAllLegs(view.legs, view.roster, changed));
  }
  return { effects, operation };
}
