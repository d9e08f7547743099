/**
 * DTMF both ways (spec 4.13, 4.14):
 *   subscribeToTone: Completed at once; afterwards each key the person presses reaches the bot as a call `updated`
 *                    notification carrying `toneInfo {sequenceId, tone}`.
 *   person presses keys (control API, people behaviours): `decidePressTones`; a stop tone also ends a recording.
 *   sendDtmfTones:   Running; `deleted` Completed (completionReason completedSuccessfully) once the tones have played.
 */
import type { DomainContext } from './clock.js';
import {
  checkMediaAction,
  type ClientContextCommand,
  finish,
  legMedia,
  MEDIA_RESULT,
  mediaTimer,
  replaceLeg,
  type LegView,
} from './media-operations.js';
import { newOperation } from './operation.js';
import { toneNotification } from './notifications.js';
import { Role, type Principal } from './permissions.js';
import { endRecording } from './prompts.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import { parseTone, type Tone } from './tone-names.js';
import { emptyEffects, type CallLeg, type Effects, type Operation } from './types.js';

export { parseTone, TONES, type Tone } from './tone-names.js';

/** How long one DTMF tone sounds, and the default pause between tones, on the simulated line. */
export const DTMF_TONE_MS = 100;
export const DEFAULT_DTMF_GAP_MS = 100;
export const MAX_DTMF_GAP_MS = 10_000;
export const MAX_PRESSED_TONES = 100;

export function decideSubscribeToTone(
  principal: Principal,
  view: LegView,
  cmd: ClientContextCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const bad = checkMediaAction(principal, view, cmd.clientContext, {
    action: 'call: subscribeToTone',
    roles: [Role.accessMedia],
    serviceHostedOnly: true,
  });
  if (bad) return bad;
  const effects = emptyEffects();
  const { leg } = view;
  const operation = newOperation(ctx, leg, 'subscribeToToneOperation', 'Completed', cmd.clientContext);
  effects.operations.push(operation);
  const media = legMedia(leg);
  if (!media.toneSubscribed)
    effects.legs.push({
      ...leg,
      media: { ...media, toneSubscribed: true },
      version: leg.version + 1,
      updatedAt: ctx.now,
    });
  return { effects, operation };
}

export interface PressTonesCommand {
  tones: string[];
}

export interface PressedTones {
  callId: string;
  tones: Tone[];
  /** The toneInfo notified to the bot, one per tone; empty when the bot has not subscribed. */
  toneInfo: { sequenceId: number; tone: Tone }[];
  /** The recordResponse operation a stop tone ended, if any. */
  stoppedRecordingId: string | null;
}

/**
 * The person in the call presses keys. `recording` is the leg's running head operation when it is a
 * recordOperation, and `waiting` the operations queued after it (they start when a stop tone ends it).
 */
export function decidePressTones(
  view: LegView,
  cmd: PressTonesCommand,
  queued: { head: Operation | null; waiting: Operation[] },
  ctx: DomainContext,
): Rejection | { effects: Effects; pressed: PressedTones } {
  if (!Array.isArray(cmd.tones) || cmd.tones.length === 0)
    return reject(RejectionCode.invalidProperty, 'tones must list at least one key to press.', 'tones');
  if (cmd.tones.length > MAX_PRESSED_TONES)
    return reject(
      RejectionCode.invalidProperty,
      `tones: at most ${MAX_PRESSED_TONES} keys at once; got ${cmd.tones.length}.`,
      'tones',
    );
  const tones: Tone[] = [];
  for (const [i, key] of cmd.tones.entries()) {
    const tone = parseTone(key);
    if (!tone)
      return reject(
        RejectionCode.invalidProperty,
        `tones[${i}] is ${JSON.stringify(key)}: a key is one of 0-9, *, #, A-D, or a Graph tone name (tone0…tone9, star, pound, a…d, flash).`,
        `tones[${i}]`,
      );
    tones.push(tone);
  }
  let leg: CallLeg = view.leg;
  if (leg.state !== 'established')
    return reject(
      RejectionCode.callStateConflict,
      `Keys can be pressed only in an established call; call ${leg.id} is ${leg.state}.`,
    );
  const effects = emptyEffects();
  const media = legMedia(leg);
  const toneInfo: PressedTones['toneInfo'] = [];
  let sequence = media.toneSequence;
  let stoppedRecordingId: string | null = null;
  let recording = queued.head?.type === 'recordOperation' && queued.head.status === 'Running' ? queued.head : null;
  for (const tone of tones) {
    if (media.toneSubscribed) {
      sequence += 1;
      toneInfo.push({ sequenceId: sequence, tone });
      effects.notifications.push(toneNotification(leg, view.conversation, { sequenceId: sequence, tone }));
    }
    if (recording && isRecordingNow(recording, ctx.now) && (recording.media?.stopTones ?? []).includes(tone)) {
      leg = endRecording(
        effects,
        { ...leg, media: { ...legMedia(leg), toneSequence: sequence } },
        recording,
        queued.waiting,
        'stopToneDetected',
        ctx,
      );
      stoppedRecordingId = recording.id;
      recording = null;
    }
  }
  if (sequence !== media.toneSequence || stoppedRecordingId) {
    replaceLeg(effects, {
      ...leg,
      media: { ...legMedia(leg), toneSequence: sequence },
      version: view.leg.version + 1,
      updatedAt: ctx.now,
    });
  }
  return { effects, pressed: { callId: view.leg.id, tones, toneInfo, stoppedRecordingId } };
}

/** A recordResponse hears the person once its prompt has played. */
const isRecordingNow = (op: Operation, now: number): boolean =>
  op.media?.startedAt != null && now >= op.media.startedAt + (op.media.promptMs ?? 0);

export interface SendDtmfTonesCommand extends ClientContextCommand {
  tones: string[];
  delayBetweenTonesMs?: number | null;
}

export function decideSendDtmfTones(
  principal: Principal,
  view: LegView,
  cmd: SendDtmfTonesCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const bad = checkMediaAction(principal, view, cmd.clientContext, {
    action: 'call: sendDtmfTones',
    roles: [Role.accessMedia],
  });
  if (bad) return bad;
  if (!Array.isArray(cmd.tones) || cmd.tones.length === 0)
    return reject(RejectionCode.invalidProperty, 'tones must list at least one tone to send.', 'tones');
  const gap = cmd.delayBetweenTonesMs ?? DEFAULT_DTMF_GAP_MS;
  if (!Number.isInteger(gap) || gap < 0 || gap > MAX_DTMF_GAP_MS) {
    return reject(
      RejectionCode.invalidProperty,
      `delayBetweenTonesMs must be a whole number of milliseconds from 0 to ${MAX_DTMF_GAP_MS}; got ${String(cmd.delayBetweenTonesMs)}.`,
      'delayBetweenTonesMs',
    );
  }
  const durationMs = cmd.tones.length * DTMF_TONE_MS + (cmd.tones.length - 1) * gap;
  const effects = emptyEffects();
  const operation = newOperation(ctx, view.leg, 'sendDtmfTonesOperation', 'Running', cmd.clientContext, {
    durationMs,
    startedAt: ctx.now,
    completionReason: null,
  });
  effects.operations.push(operation);
  effects.timers.push(mediaTimer(operation, ctx.now + durationMs));
  return { effects, operation };
}

/** The tones have played: the operation completes (its timer fired). */
export function completeDtmf(effects: Effects, leg: CallLeg, op: Operation, ctx: DomainContext): void {
  finish(effects, leg, op, 'Completed', MEDIA_RESULT.completed, ctx, { completionReason: 'completedSuccessfully' });
}
