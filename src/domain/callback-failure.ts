/**
 * Spec 9.10: when Graph cannot deliver a notification to the bot's callbackUri (refused, timeout, non-2xx) while the
 * bot's own outgoing call or meeting join is still `establishing`, it gives the call up: `deleted`/terminated with
 * 500/3002. Later failures (established calls) only retry; incoming calls the bot answered are not affected.
 */
import type { DomainContext } from './clock.js';
import { decideHangUp } from './call.js';
import { RESULT } from './result-codes.js';
import { emptyEffects, type CallLeg, type ConversationView, type Effects } from './types.js';

export function decideCallbackUnreachable(view: ConversationView & { leg: CallLeg }, ctx: DomainContext): Effects {
  const { leg } = view;
  if (leg.state !== 'establishing' || leg.direction !== 'outgoing') return emptyEffects();
  return decideHangUp(view, ctx, {
    result: RESULT.callbackUnreachable,
    terminationReason: null,
    skipTerminating: true,
  });
}
