/**
 * call: updateRecordingStatus (spec 4.15) and call: changeScreenSharingRole (spec 4.16), both about the bot's own
 * participant: the roster is `updated` with its recordingInfo, or with a videoBasedScreenSharing stream.
 */
import type { DomainContext } from './clock.js';
import { checkMediaAction, type ClientContextCommand, type LegView } from './media-operations.js';
import { newOperation } from './operation.js';
import { rosterToAllLegs } from './notifications.js';
import { Role, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import {
  emptyEffects,
  type Effects,
  type Operation,
  type Participant,
  type RecordingStatus,
  type ScreenSharingRole,
} from './types.js';

export const RECORDING_STATUSES = ['notRecording', 'recording', 'failed'] as const;
export const SCREEN_SHARING_ROLES = ['viewer', 'sharer'] as const;

export interface UpdateRecordingStatusCommand extends ClientContextCommand {
  status: RecordingStatus;
}

/** The bot's own joined participant, changed, announced to every bot leg with a new roster sequence number. */
function changeSelf(
  view: LegView,
  effects: Effects,
  change: Partial<Participant>,
  ctx: DomainContext,
): Rejection | null {
  const me = view.roster.find((p) => p.id === view.leg.myParticipantId && p.status === 'joined');
  // Peer-to-peer calls have no roster (spec 4.17): only the operation tells the bot.
  if (view.conversation.kind === 'peerToPeer') return null;
  if (!me) return reject(RejectionCode.callStateConflict, `The application is not in call ${view.leg.id}'s roster.`);
  const seq = view.conversation.rosterSequence + 1;
  const changed: Participant = { ...me, ...change, rosterSequenceNumber: seq, updatedAt: ctx.now };
  effects.participants.push(changed);
  effects.conversations.push({ ...view.conversation, rosterSequence: seq });
  effects.notifications.push(...rosterToAllLegs(view.legs, view.roster, [changed]));
  return null;
}

export function decideUpdateRecordingStatus(
  principal: Principal,
  view: LegView,
  cmd: UpdateRecordingStatusCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const bad = checkMediaAction(principal, view, cmd.clientContext, {
    action: 'call: updateRecordingStatus',
    roles: [Role.accessMedia],
  });
  if (bad) return bad;
  if (!(RECORDING_STATUSES as readonly string[]).includes(cmd.status)) {
    return reject(
      RejectionCode.invalidProperty,
      `status must be one of ${RECORDING_STATUSES.join(', ')}; got ${JSON.stringify(cmd.status)}.`,
      'status',
    );
  }
  const effects = emptyEffects();
  const refused = changeSelf(view, effects, { recordingStatus: cmd.status }, ctx);
  if (refused) return refused;
  const operation = newOperation(ctx, view.leg, 'updateRecordingStatusOperation', 'Completed', cmd.clientContext);
  effects.operations.push(operation);
  return { effects, operation };
}

export function decideChangeScreenSharingRole(
  principal: Principal,
  view: LegView,
  cmd: { role: ScreenSharingRole },
  ctx: DomainContext,
): Rejection | Effects {
  const bad = checkMediaAction(principal, view, null, {
    action: 'call: changeScreenSharingRole',
    roles: [Role.accessMedia],
    appHostedOnly: true,
    groupOnly: true,
  });
  if (bad) return bad;
  if (!(SCREEN_SHARING_ROLES as readonly string[]).includes(cmd.role)) {
    return reject(
      RejectionCode.invalidProperty,
      `role must be one of ${SCREEN_SHARING_ROLES.join(', ')}; got ${JSON.stringify(cmd.role)}.`,
      'role',
    );
  }
  const effects = emptyEffects();
  const refused = changeSelf(view, effects, { screenSharingRole: cmd.role }, ctx);
  return refused ?? effects;
}
