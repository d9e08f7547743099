/**
 * participant: delete (spec 4.19), pure. "This action can be done before or after the participant answers":
 *
 *   joined   → dropped at once; every bot leg in the call gets a roster `deleted` with that participant.
 *   inviting → the pending add is cancelled: the person stops ringing (their answer timer then finds nothing to
 *              do), nothing changes in the roster (they were never in it), and their invite operation settles as
 *              a failure for them (487, see result-codes.ts) — `deleted` Failed once no other invitee still rings.
 */
import type { DomainContext } from './clock.js';
import { decideInviteeAnswer } from './invite.js';
import { rosterToAllLegs } from './notifications.js';
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

export interface RemoveParticipantState extends ConversationView {
  leg: CallLeg;
  /** The invite operation of the target when the target is still being invited (loaded by the service). */
  pendingOperation?: Operation | undefined;
}

/** The participant a DELETE names, if it can be removed: joined (and visible in the roster) or still ringing. */
export function removableParticipant(view: ConversationView, participantId: string): Participant | undefined {
  const id = participantId.toLowerCase();
  const p = view.roster.find((x) => x.id.toLowerCase() === id);
  if (!p) return undefined;
  if (p.status === 'inviting') return p;
  // Graph keeps no roster for peer-to-peer calls (spec 4.17); hidden participants are not in it either.
  if (p.status === 'joined' && view.conversation.kind !== 'peerToPeer' && !p.hidden) return p;
  return undefined;
}

export function decideRemoveParticipant(
  principal: Principal,
  view: RemoveParticipantState,
  participantId: string,
  ctx: DomainContext,
): Rejection | Effects {
  const denied = requireAnyRole(principal, [Role.joinGroupCall], 'participant: delete');
  if (denied) return denied;
  const { conversation } = view;
  const target = removableParticipant(view, participantId);
  if (!target)
    return reject(
      RejectionCode.participantNotFound,
      `Participant ${participantId} was not found in call ${view.leg.id}.`,
      participantId,
    );
  if (target.callLegId) {
    return reject(
      RejectionCode.invalidProperty,
      `Participant ${participantId} is an application's own call leg; that application leaves with DELETE /communications/calls/{id}.`,
      participantId,
    );
  }
  if (target.status === 'inviting') {
    const operation =
      target.invitedByOperationId && view.pendingOperation?.id === target.invitedByOperationId
        ? view.pendingOperation
        : undefined;
    // A pending invite belongs to the call that sent it: another bot leg in the meeting cannot see it.
    if (target.invitedByOperationId && operation?.callId !== view.leg.id) {
      return reject(
        RejectionCode.participantNotFound,
        `Participant ${participantId} was not found in call ${view.leg.id}.`,
        participantId,
      );
    }
    return decideInviteeAnswer({ ...view, operation, invitee: target, source: null }, 'cancelled', ctx);
  }
  const effects = emptyEffects();
  const seq = conversation.rosterSequence + 1;
  const removed: Participant = { ...target, status: 'removed', rosterSequenceNumber: seq, updatedAt: ctx.now };
  effects.participants.push(removed);
  effects.conversations.push({ ...conversation, rosterSequence: seq });
  effects.notifications.push(...rosterToAllLegs(view.legs, view.roster, [removed], 'deleted'));
  return effects;
}
