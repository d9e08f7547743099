/**
 * participant: startHoldMusic / stopHoldMusic (spec 4.21): 202 with the operation Running; once the music has
 * started (or stopped) the operation ends `deleted` Completed and the roster shows the participant's audio
 * as receive-only while on hold. Only one participant can be on hold at a time.
 */
import type { DomainContext } from './clock.js';
import {
  checkMediaAction,
  finish,
  MEDIA_RESULT,
  mediaTimer,
  type ClientContextCommand,
  type LegView,
} from './media-operations.js';
import { newOperation } from './operation.js';
import { rosterToAllLegs } from './notifications.js';
import { Role, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import { emptyEffects, type CallLeg, type Effects, type Operation, type Participant } from './types.js';

/** How long switching hold music on or off takes on the simulated media server. */
export const HOLD_MUSIC_SWITCH_MS = 500;

export interface StartHoldMusicCommand extends ClientContextCommand {
  customPrompt?: { mediaInfo?: { uri?: string | null } | null } | null;
}

export function decideHoldMusic(
  principal: Principal,
  view: LegView,
  participantId: string,
  start: boolean,
  cmd: StartHoldMusicCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const action = start ? 'participant: startHoldMusic' : 'participant: stopHoldMusic';
  const bad = checkMediaAction(principal, view, cmd.clientContext, {
    action,
    roles: [Role.joinGroupCall, Role.joinGroupCallAsGuest],
    groupOnly: true,
  });
  if (bad) return bad;
  const id = participantId.toLowerCase();
  const target = view.roster.find((p) => p.id.toLowerCase() === id && p.status === 'joined' && !p.hidden);
  if (!target)
    return reject(
      RejectionCode.participantNotFound,
      `Participant ${participantId} was not found in call ${view.leg.id}.`,
      participantId,
    );
  if (target.callLegId !== null)
    return reject(
      RejectionCode.invalidProperty,
      `Participant ${participantId} is a bot; hold music is for people in the call.`,
      participantId,
    );
  if (
    start &&
    cmd.customPrompt != null &&
    (typeof cmd.customPrompt.mediaInfo?.uri !== 'string' || cmd.customPrompt.mediaInfo.uri.length === 0)
  ) {
    return reject(
      RejectionCode.invalidProperty,
      'customPrompt.mediaInfo.uri is required: the media file to play on hold.',
      'customPrompt.mediaInfo.uri',
    );
  }
  if (start) {
    const held = view.roster.find((p) => p.onHold && p.status === 'joined');
    if (held) {
      const who =
        held.id === target.id ? `Participant ${participantId} is already on hold` : `Participant ${held.id} is on hold`;
      return reject(RejectionCode.callStateConflict, `${who}; only one participant can be on hold at a time.`);
    }
  } else if (!target.onHold) {
    return reject(RejectionCode.callStateConflict, `Participant ${participantId} is not on hold.`);
  }
  const effects = emptyEffects();
  const operation = newOperation(
    ctx,
    view.leg,
    start ? 'startHoldMusicOperation' : 'stopHoldMusicOperation',
    'Running',
    cmd.clientContext,
    {
      durationMs: HOLD_MUSIC_SWITCH_MS,
      startedAt: ctx.now,
      participantId: target.id,
    },
  );
  effects.operations.push(operation);
  effects.participants.push({ ...target, onHold: start, updatedAt: ctx.now });
  effects.timers.push(mediaTimer(operation, ctx.now + HOLD_MUSIC_SWITCH_MS));
  return { effects, operation };
}

/** The music is on (or off): the operation completes and every bot leg sees the participant's new audio direction. */
export function completeHoldMusic(effects: Effects, view: LegView, op: Operation, ctx: DomainContext): void {
  finish(effects, view.leg, op, 'Completed', MEDIA_RESULT.completed, ctx);
  const target = view.roster.find((p) => p.id === op.media?.participantId && p.status === 'joined');
  if (!target) return;
  const seq = view.conversation.rosterSequence + 1;
  const changed: Participant = { ...target, rosterSequenceNumber: seq, updatedAt: ctx.now };
  effects.participants.push(changed);
  effects.conversations.push({ ...view.conversation, rosterSequence: seq });
  effects.notifications.push(
    ...rosterToAllLegs(
      view.legs.filter((l: CallLeg) => l.state !== 'terminated'),
      view.roster,
      [changed],
    ),
  );
}
