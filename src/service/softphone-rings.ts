/**
 * Rings a softphone can answer: the pending answer timers of the people it rings (`invitee.answer`: an invite or a
 * group call's target; `call.targetAnswer`: a bot's peer-to-peer call; `call.transferAnswer`: a transfer target;
 * `call.redirectAnswer`: the targets of a redirect, all at once).
 * The timer is the ring: it carries the configured outcome, and a softphone replaces that outcome (see
 * CallingService.answerRing). Loads only; the outcome is decided by the timer's own decider.
 */
import { identityKey } from '../domain/identity.js';
import { TimerId } from '../domain/timer-ids.js';
import { answerRedirectRing } from '../domain/transfer.js';
import type { CallLeg, Participant, TimerRequest } from '../domain/types.js';
import { isUnreadableTimer, type DueTimer, type Tx } from '../store/store.js';

/** An answer timer: what rings someone. */
export type RingTimer = Extract<
  TimerRequest,
  { kind: 'invitee.answer' | 'call.targetAnswer' | 'call.transferAnswer' | 'call.redirectAnswer' }
>;

const isRingTimer = (t: DueTimer): t is RingTimer =>
  !isUnreadableTimer(t) &&
  (t.kind === 'invitee.answer' ||
    t.kind === 'call.targetAnswer' ||
    t.kind === 'call.transferAnswer' ||
    t.kind === 'call.redirectAnswer');

/** What the browser may answer a ring with: exactly the configured behaviours' ring outcomes. */
export const RING_ANSWERS = ['accept', 'decline', 'busy'] as const;
export type RingAnswer = (typeof RING_ANSWERS)[number];

/**
 * The ring `personKey` answered with `outcome`: `fire` is the timer to decide now, carrying that outcome instead of
 * the one it had; `ringOn` (a redirect's simultaneous ring that one of its people declined) is the timer that goes on
 * ringing the others, unchanged otherwise.
 */
export function answered(
  t: RingTimer,
  personKey: string,
  outcome: RingAnswer,
): { fire: RingTimer } | { ringOn: RingTimer } {
  switch (t.kind) {
    case 'invitee.answer':
      return { fire: { ...t, payload: { ...t.payload, outcome } } };
    case 'call.targetAnswer':
      return { fire: { ...t, payload: { ...t.payload, outcome } } };
    case 'call.transferAnswer':
      return { fire: { ...t, payload: { ...t.payload, outcome } } };
    case 'call.redirectAnswer': {
      const next = answerRedirectRing(t.payload, personKey, outcome);
      return 'fire' in next ? { fire: { ...t, payload: next.fire } } : { ringOn: { ...t, payload: next.ringOn } };
    }
  }
}

export interface PendingRing {
  timer: RingTimer;
  /** The bot leg that rings the person (the inviting, calling or transferring leg). */
  leg: CallLeg | undefined;
  /** The ringing participant (invites and peer-to-peer calls; none for a transfer or redirect target). */
  participant: Participant | undefined;
}

/** The identity keys of the people a ring timer rings, with what it belongs to; undefined when it is not a ring. */
export async function ringOf(tx: Tx, timer: DueTimer): Promise<(PendingRing & { personKeys: string[] }) | undefined> {
  if (!isRingTimer(timer)) return undefined;
  const leg = await tx.getLeg(timer.payload.callId);
  if (timer.kind === 'call.redirectAnswer') {
    return leg?.state === 'redirecting'
      ? { timer, leg, participant: undefined, personKeys: timer.payload.targets }
      : undefined;
  }
  if (timer.kind === 'call.transferAnswer') {
    const target = timer.payload.target;
    // A consultative transfer's target is already connected to the bot: nothing rings.
    return target && timer.payload.replacesCallId === null
      ? { timer, leg, participant: undefined, personKeys: [target] }
      : undefined;
  }
  const participant = await tx.getParticipant(timer.payload.participantId);
  const key = participant && participant.status === 'inviting' ? identityKey(participant.identity) : null;
  return key === null ? undefined : { timer, leg, participant, personKeys: [key] };
}

/**
 * The rings of the person `personKey` names among the live legs `legs` (the read side lists them all): ringing
 * participants with that identity in each conversation, and transfers or redirects of a leg to that person.
 */
export async function ringsOf(tx: Tx, personKey: string, legs: readonly CallLeg[]): Promise<PendingRing[]> {
  const out: PendingRing[] = [];
  const seen = new Set<string>();
  for (const leg of legs) {
    if (leg.state === 'transferring' || leg.state === 'redirecting') {
      const id = leg.state === 'transferring' ? TimerId.transfer(leg.id) : TimerId.redirect(leg.id);
      const timer = await tx.getTimer(id);
      const ring = timer ? await ringOf(tx, timer) : undefined;
      if (ring?.personKeys.includes(personKey)) out.push(ring);
    }
    if (seen.has(leg.conversationId)) continue;
    seen.add(leg.conversationId);
    for (const p of await tx.participantsWithIdentityKeys(leg.conversationId, [personKey])) {
      if (p.status !== 'inviting' || p.callLegId !== null) continue;
      for (const id of [TimerId.inviteeAnswer(p.id), TimerId.targetAnswer(p.id)]) {
        const timer = await tx.getTimer(id);
        const ring = timer ? await ringOf(tx, timer) : undefined;
        if (ring?.personKeys.includes(personKey)) out.push(ring);
      }
    }
  }
  return out;
}
