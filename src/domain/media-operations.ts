/**
 * What every media and in-call action shares (spec 3.8, 4.10–4.16): the checks (role, established call,
 * service-hosted media, clientContext), building the operation, and the queue of prompts and recordings that
 * play one after another on the leg (only the head has a timer; `cancelMediaProcessing` fails them all).
 */
import type { DomainContext } from './clock.js';
import { checkClientContext } from './client-context.js';
import { operationNotification } from './notifications.js';
import { requireAnyRole, type Principal, type Role } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import { resultInfo } from './result-codes.js';
import { TimerId } from './timer-ids.js';
import {
  noLegMedia,
  type CallLeg,
  type ConversationView,
  type Effects,
  type LegMedia,
  type MediaOperationDetail,
  type Operation,
  type TimerRequest,
} from './types.js';

export type LegView = ConversationView & { leg: CallLeg };

export interface ClientContextCommand {
  clientContext?: string | null;
}

/** Media operation results (spec 6.4). 8514 is not in the docs: Switchboard's pick, next to 8515, for a stop tone. */
export const MEDIA_RESULT = {
  completed: { code: 200, subcode: 0, message: 'Action completed successfully.' },
  maxRecordDuration: { code: 200, subcode: 8515, message: 'Action completed, max record duration reached.' },
  stopToneDetected: { code: 200, subcode: 8514, message: 'Action completed, stop tone detected.' },
  cancelled: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
} as const;

export interface MediaActionRules {
  /** How the action is named in messages, e.g. `call: playPrompt`. */
  action: string;
  roles: Role[];
  /** IVR actions work only with serviceHostedMediaConfig (spec 3.6). */
  serviceHostedOnly?: boolean;
  /** changeScreenSharingRole: app-hosted media only. */
  appHostedOnly?: boolean;
  /** Group calls and meetings only. */
  groupOnly?: boolean;
}

/** Whether the leg's media is hosted by the app (appHostedMediaConfig, or a media `blob` without a type). */
export function isAppHostedMedia(leg: CallLeg): boolean {
  const config = leg.mediaConfig;
  if (!config) return false;
  const type = typeof config['@odata.type'] === 'string' ? config['@odata.type'] : '';
  if (/appHostedMediaConfig$/i.test(type)) return true;
  return type === '' && typeof config.blob === 'string';
}

/** Role, clientContext, call state and media kind; rejections change nothing. */
export function checkMediaAction(
  principal: Principal,
  view: LegView,
  clientContext: string | null | undefined,
  rules: MediaActionRules,
): Rejection | null {
  const denied = requireAnyRole(principal, rules.roles, rules.action);
  if (denied) return denied;
  const badContext = checkClientContext(clientContext);
  if (badContext) return badContext;
  const { leg } = view;
  if (leg.state !== 'established')
    return reject(
      RejectionCode.callStateConflict,
      `${rules.action} needs an established call; call ${leg.id} is ${leg.state}.`,
    );
  if (rules.groupOnly && view.conversation.kind === 'peerToPeer') {
    return reject(
      RejectionCode.callStateConflict,
      `${rules.action} is for group calls and meetings; call ${leg.id} is a peer-to-peer call.`,
    );
  }
  if (rules.serviceHostedOnly && isAppHostedMedia(leg)) {
    return reject(
      RejectionCode.callStateConflict,
      `${rules.action} works only for calls with serviceHostedMediaConfig; call ${leg.id} uses app-hosted media (mediaConfig).`,
    );
  }
  if (rules.appHostedOnly && !isAppHostedMedia(leg)) {
    return reject(
      RejectionCode.callStateConflict,
      `${rules.action} works only for calls with appHostedMediaConfig; call ${leg.id} uses service-hosted media (mediaConfig).`,
    );
  }
  return null;
}

export const legMedia = (leg: CallLeg): LegMedia => leg.media ?? noLegMedia();

/** The timer that ends a running media operation once its time on the clock has passed. */
export function mediaTimer(op: Operation, dueAt: number): TimerRequest {
  return {
    id: TimerId.media(op.id),
    dueAt,
    kind: 'media.complete',
    payload: { callId: op.callId, operationId: op.id },
  };
}

/** An operation reached its final state: saved, and announced with a `deleted` notification (spec 3.8). */
export function finish(
  effects: Effects,
  leg: CallLeg,
  op: Operation,
  status: 'Completed' | 'Failed',
  result: { code: number; subcode: number; message: string },
  ctx: DomainContext,
  detail: Partial<MediaOperationDetail> = {},
): Operation {
  const done: Operation = {
    ...op,
    status,
    resultInfo: resultInfo(result),
    media: { ...(op.media ?? { durationMs: 0, startedAt: null }), ...detail },
    updatedAt: ctx.now,
  };
  effects.operations.push(done);
  effects.notifications.push(operationNotification(leg, done));
  return done;
}

/**
 * Queues a prompt or recording on the leg; it starts at once (with its timer) when nothing else is playing.
 * Returns the leg with its new queue, and the operation as started (or waiting).
 */
export function enqueue(
  effects: Effects,
  leg: CallLeg,
  op: Operation,
  ctx: DomainContext,
): { leg: CallLeg; operation: Operation } {
  const media = legMedia(leg);
  const next: CallLeg = {
    ...leg,
    media: { ...media, queue: [...media.queue, op.id] },
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  let operation = op;
  if (media.queue.length === 0) {
    operation = { ...op, media: { ...op.media!, startedAt: ctx.now } };
    effects.timers.push(mediaTimer(operation, ctx.now + operation.media!.durationMs));
  }
  effects.operations.push(operation);
  effects.legs.push(next);
  return { leg: next, operation };
}

/**
 * The head of the queue ended (completed, stopped by a tone): it leaves the queue and the next one starts.
 * `waiting` are the queued operations after the head, as loaded.
 */
export function dequeueHead(
  effects: Effects,
  leg: CallLeg,
  headId: string,
  waiting: Operation[],
  ctx: DomainContext,
): CallLeg {
  const media = legMedia(leg);
  const queue = media.queue.filter((id) => id !== headId);
  const nextOp = waiting.find((o) => o.id === queue[0] && o.status === 'Running');
  if (nextOp) {
    const started: Operation = { ...nextOp, media: { ...nextOp.media!, startedAt: ctx.now }, updatedAt: ctx.now };
    effects.operations.push(started);
    effects.timers.push(mediaTimer(started, ctx.now + started.media!.durationMs));
  }
  const updated: CallLeg = { ...leg, media: { ...media, queue }, updatedAt: ctx.now };
  replaceLeg(effects, updated);
  return updated;
}

/** Keeps one entry per leg in effects.legs: the latest. */
export function replaceLeg(effects: Effects, leg: CallLeg): void {
  const i = effects.legs.findIndex((l) => l.id === leg.id);
  if (i >= 0) effects.legs[i] = leg;
  else effects.legs.push(leg);
}
