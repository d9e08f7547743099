/**
 * call: addLargeGalleryView (v1.0 and beta; call-addlargegalleryview.md): 202 with a Running
 * `addLargeGalleryViewOperation`, then, once the view has joined, the operation `deleted` Completed and a roster
 * `updated` with the large gallery view as a participant, shaped as "Identify large gallery view participants in a
 * roster" shows it: an `application` identity with `ApplicationType: LargeGallery-V2`, audio `receiveOnly`, video
 * `sendReceive`, and `metadata` with its `audienceView` (page 1, active). Group calls and meetings only.
 */
import { newParticipant } from './participant.js';
import type { DomainContext } from './clock.js';
import {
  finish,
  mediaTimer,
  MEDIA_RESULT,
  type ClientContextCommand,
  checkMediaAction,
  type LegView,
} from './media-operations.js';
import { rosterToAllLegs } from './notifications.js';
import { newOperation } from './operation.js';
import { Role, type Principal } from './permissions.js';
import type { Rejection } from './rejections.js';
import { emptyEffects, type Effects, type Operation } from './types.js';

/** How long the view takes to join after the request (Switchboard's pick; Graph documents no figure). */
export const LARGE_GALLERY_JOIN_MS = 500;

export function decideAddLargeGalleryView(
  principal: Principal,
  view: LegView,
  cmd: ClientContextCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const bad = checkMediaAction(principal, view, cmd.clientContext, {
    action: 'call: addLargeGalleryView',
    roles: [Role.joinGroupCallAsGuest, Role.joinGroupCall, Role.initiateGroupCall],
    groupOnly: true,
  });
  if (bad) return bad;
  const effects = emptyEffects();
  const operation = newOperation(ctx, view.leg, 'addLargeGalleryViewOperation', 'Running', cmd.clientContext, {
    durationMs: LARGE_GALLERY_JOIN_MS,
    startedAt: ctx.now,
  });
  effects.operations.push(operation);
  effects.timers.push(mediaTimer(operation, ctx.now + LARGE_GALLERY_JOIN_MS));
  return { effects, operation };
}

/** The view has joined: the operation completes and every bot leg in the call sees it in the roster. */
export function completeLargeGalleryView(effects: Effects, view: LegView, op: Operation, ctx: DomainContext): void {
  finish(effects, view.leg, op, 'Completed', MEDIA_RESULT.completed, ctx);
  const seq = view.conversation.rosterSequence + 1;
  const gallery = newParticipant(
    {
      id: ctx.ids.next(),
      conversationId: view.conversation.id,
      status: 'joined',
      identity: { application: { id: view.leg.appId, identityProvider: 'AAD', ApplicationType: 'LargeGallery-V2' } },
      kind: 'application',
      callLegId: null,
      largeGalleryViewOf: op.id,
      sourceId: String(view.roster.length + 1),
      rosterSequenceNumber: seq,
    },
    ctx.now,
  );
  effects.participants.push(gallery);
  effects.conversations.push({ ...view.conversation, rosterSequence: seq });
  effects.notifications.push(
    ...rosterToAllLegs(
      view.legs.filter((l) => l.state !== 'terminated'),
      view.roster,
      [gallery],
    ),
  );
}
