/** A media operation's time on the clock is up (timer `media.complete`): it completes, unless it already ended. */
import type { DomainContext } from './clock.js';
import { completeLargeGalleryView } from './gallery.js';
import { completeHoldMusic } from './hold-music.js';
import type { LegView } from './media-operations.js';
import { completeQueued } from './prompts.js';
import { completeDtmf } from './tones.js';
import { emptyEffects, type Effects, type Operation } from './types.js';

/** `waiting`: the leg's queued operations after `op`, as loaded (the next one starts when `op` ends). */
export function decideMediaTimer(view: LegView, op: Operation, waiting: Operation[], ctx: DomainContext): Effects {
  const effects = emptyEffects();
  // Cancelled, stopped by a tone, or the call has ended meanwhile: nothing left to complete.
  if (op.status !== 'Running' || view.leg.state === 'terminated') return effects;
  switch (op.type) {
    case 'sendDtmfTonesOperation':
      completeDtmf(effects, view.leg, op, ctx);
      break;
    case 'playPromptOperation':
    case 'recordOperation':
      completeQueued(effects, view.leg, op, waiting, ctx);
      break;
    case 'addLargeGalleryViewOperation':
      completeLargeGalleryView(effects, view, op, ctx);
      break;
    case 'startHoldMusicOperation':
    case 'stopHoldMusicOperation':
      completeHoldMusic(effects, view, op, ctx);
      break;
    default:
      break;
  }
  return effects;
}
