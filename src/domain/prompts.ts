/**
 * Prompts and recordings (spec 4.10–4.12), simulated on the clock:
 *   playPrompt:      Running ──prompts' duration──▶ `deleted` Completed 200/0
 *   recordResponse:  Running ──prompt, then maxRecordDurationInSeconds──▶ `deleted` Completed 200/8515 with
 *                    recordingLocation + recordingAccessToken; a stop tone pressed meanwhile ends it early (200/8514)
 *   cancelMediaProcessing: Completed at once; every queued or running prompt/recording ends `deleted` Failed 400/8508
 * Prompts and recordings of one leg play one after another (the leg's media queue).
 */
import type { DomainContext } from './clock.js';
import {
  checkMediaAction,
  type ClientContextCommand,
  dequeueHead,
  enqueue,
  finish,
  legMedia,
  MEDIA_RESULT,
  replaceLeg,
  type LegView,
} from './media-operations.js';
import { newOperation } from './operation.js';
import { Role, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import { parseTone } from './tone-names.js';
import { emptyEffects, type CallLeg, type Effects, type Operation } from './types.js';

export const MAX_PROMPTS = 20;
export const RECORD_SECONDS = { min: 1, max: 120, default: 5 } as const;

export interface MediaPromptInput {
  '@odata.type'?: string;
  mediaInfo?: { uri?: string | null; resourceId?: string | null } | null;
}

/** How long a prompt plays: the duration the world declares for its uri, or the default. */
export type PromptDuration = (uri: string) => number;

export interface PlayPromptCommand extends ClientContextCommand {
  prompts: MediaPromptInput[];
}

export interface RecordResponseCommand extends ClientContextCommand {
  prompts?: MediaPromptInput[] | null;
  bargeInAllowed?: boolean | null;
  initialSilenceTimeoutInSeconds?: number | null;
  maxSilenceTimeoutInSeconds?: number | null;
  maxRecordDurationInSeconds?: number | null;
  playBeep?: boolean | null;
  stopTones?: string[] | null;
}

function promptsDuration(prompts: MediaPromptInput[], at: string, duration: PromptDuration): Rejection | number {
  let total = 0;
  for (const [i, p] of prompts.entries()) {
    const uri = p?.mediaInfo?.uri;
    if (typeof uri !== 'string' || uri.length === 0)
      return reject(
        RejectionCode.invalidProperty,
        `${at}[${i}].mediaInfo.uri is required: the media file to play.`,
        `${at}[${i}].mediaInfo.uri`,
      );
    total += duration(uri);
  }
  return total;
}

/** The URIs of checked prompts (each has one: promptsDuration refused any without). */
const promptUrisOf = (prompts: MediaPromptInput[]): string[] => prompts.map((p) => p.mediaInfo?.uri ?? '');

export function decidePlayPrompt(
  principal: Principal,
  view: LegView,
  cmd: PlayPromptCommand,
  duration: PromptDuration,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const bad = checkMediaAction(principal, view, cmd.clientContext, {
    action: 'call: playPrompt',
    roles: [Role.initiate, Role.accessMedia],
    serviceHostedOnly: true,
  });
  if (bad) return bad;
  if (!Array.isArray(cmd.prompts) || cmd.prompts.length === 0)
    return reject(RejectionCode.invalidProperty, 'prompts must list at least one mediaPrompt to play.', 'prompts');
  if (cmd.prompts.length > MAX_PROMPTS)
    return reject(
      RejectionCode.invalidProperty,
      `prompts: at most ${MAX_PROMPTS} prompts per playPrompt; got ${cmd.prompts.length}.`,
      'prompts',
    );
  const durationMs = promptsDuration(cmd.prompts, 'prompts', duration);
  if (typeof durationMs !== 'number') return durationMs;
  const effects = emptyEffects();
  const op = newOperation(ctx, view.leg, 'playPromptOperation', 'Running', cmd.clientContext, {
    durationMs,
    startedAt: null,
    promptUris: promptUrisOf(cmd.prompts),
  });
  return { effects, operation: enqueue(effects, view.leg, op, ctx).operation };
}

function seconds(value: number | null | undefined, name: string): Rejection | number {
  const v = value ?? RECORD_SECONDS.default;
  if (!Number.isInteger(v) || v < RECORD_SECONDS.min || v > RECORD_SECONDS.max) {
    return reject(
      RejectionCode.invalidProperty,
      `${name} must be a whole number of seconds from ${RECORD_SECONDS.min} to ${RECORD_SECONDS.max}; got ${String(value)}.`,
      name,
    );
  }
  return v;
}

export function decideRecordResponse(
  principal: Principal,
  view: LegView,
  cmd: RecordResponseCommand,
  duration: PromptDuration,
  recordingBaseUrl: string,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const bad = checkMediaAction(principal, view, cmd.clientContext, {
    action: 'call: recordResponse',
    roles: [Role.accessMedia],
    serviceHostedOnly: true,
  });
  if (bad) return bad;
  const prompts = cmd.prompts ?? [];
  if (prompts.length > 1)
    return reject(
      RejectionCode.invalidProperty,
      `prompts: recordResponse plays at most 1 prompt before recording; got ${prompts.length}.`,
      'prompts',
    );
  for (const name of ['initialSilenceTimeoutInSeconds', 'maxSilenceTimeoutInSeconds'] as const) {
    const s = seconds(cmd[name], name);
    if (typeof s !== 'number') return s;
  }
  const maxRecord = seconds(cmd.maxRecordDurationInSeconds, 'maxRecordDurationInSeconds');
  if (typeof maxRecord !== 'number') return maxRecord;
  const stopTones: string[] = [];
  for (const [i, key] of (cmd.stopTones ?? []).entries()) {
    const tone = parseTone(key);
    if (!tone)
      return reject(
        RejectionCode.invalidProperty,
        `stopTones[${i}] is ${JSON.stringify(key)}: a stop tone is one of 0-9, *, #, A-D.`,
        `stopTones[${i}]`,
      );
    stopTones.push(tone);
  }
  const promptMs = promptsDuration(prompts, 'prompts', duration);
  if (typeof promptMs !== 'number') return promptMs;
  const effects = emptyEffects();
  const op = newOperation(ctx, view.leg, 'recordOperation', 'Running', cmd.clientContext, {
    durationMs: promptMs + maxRecord * 1000,
    startedAt: null,
    promptMs,
    promptUris: promptUrisOf(prompts),
    stopTones,
    recordingBaseUrl,
    recordingLocation: null,
    recordingAccessToken: null,
  });
  return { effects, operation: enqueue(effects, view.leg, op, ctx).operation };
}

/** Where a finished recording is served; the access token is required to download it. */
export const recordingPath = (operationId: string): string => `/_switchboard/recordings/${operationId}`;

/** A recording ends (max duration or a stop tone): Completed with where to fetch it; the next queued one starts. */
export function endRecording(
  effects: Effects,
  leg: CallLeg,
  op: Operation,
  waiting: Operation[],
  why: 'maxRecordDurationReached' | 'stopToneDetected',
  ctx: DomainContext,
): CallLeg {
  const m = op.media!;
  const recordingStart = (m.startedAt ?? ctx.now) + (m.promptMs ?? 0);
  finish(
    effects,
    leg,
    op,
    'Completed',
    why === 'stopToneDetected' ? MEDIA_RESULT.stopToneDetected : MEDIA_RESULT.maxRecordDuration,
    ctx,
    {
      completionReason: why,
      recordedMs: Math.max(0, ctx.now - recordingStart),
      recordingLocation: `${m.recordingBaseUrl ?? ''}${recordingPath(op.id)}`,
      recordingAccessToken: ctx.ids.next(),
    },
  );
  return dequeueHead(effects, leg, op.id, waiting, ctx);
}

export function decideCancelMediaProcessing(
  principal: Principal,
  view: LegView,
  cmd: ClientContextCommand,
  queued: Operation[],
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const bad = checkMediaAction(principal, view, cmd.clientContext, {
    action: 'call: cancelMediaProcessing',
    roles: [Role.initiate, Role.accessMedia],
  });
  if (bad) return bad;
  const effects = emptyEffects();
  const { leg } = view;
  for (const op of queued) {
    if (op.status !== 'Running') continue;
    finish(effects, leg, op, 'Failed', MEDIA_RESULT.cancelled, ctx, { completionReason: 'operationCanceled' });
  }
  const operation = newOperation(ctx, leg, 'cancelMediaProcessingOperation', 'Completed', cmd.clientContext);
  effects.operations.push(operation);
  const media = legMedia(leg);
  if (media.queue.length > 0)
    replaceLeg(effects, { ...leg, media: { ...media, queue: [] }, version: leg.version + 1, updatedAt: ctx.now });
  return { effects, operation };
}

/** The head of the queue has played its full time: a prompt completes, a recording ends at its maximum. */
export function completeQueued(
  effects: Effects,
  leg: CallLeg,
  op: Operation,
  waiting: Operation[],
  ctx: DomainContext,
): void {
  if (legMedia(leg).queue[0] !== op.id) return;
  if (op.type === 'recordOperation') {
    endRecording(effects, leg, op, waiting, 'maxRecordDurationReached', ctx);
    return;
  }
  finish(effects, leg, op, 'Completed', MEDIA_RESULT.completed, ctx, { completionReason: 'completedSuccessfully' });
  dequeueHead(effects, leg, op.id, waiting, ctx);
}
