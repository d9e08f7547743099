/**
 * Rings a softphone can answer: the pending answer timers of the people it rings (`invitee.answer`: an invite or a
 * group call's target; `call.targetAnswer`: a bot's peer-to-peer call; `call.transferAnswer`: a transfer target).
 * The timer is the ring: it carries the configured outcome, and a softphone replaces that outcome (see
 * CallingService.answerRing). Loads only; the outcome is decided by the timer's own decider.
 */
import { identityKey } from '../domain/identity.js';
import { TimerId } from '../domain/timer-ids.js';
import type { CallLeg, Participant, TimerRequest } from '../domain/types.js';
import { isUnreadableTimer, type DueTimer, type Tx } from '../store/store.js';

/** An answer timer: what rings someone. */
export type RingTimer = Extract<TimerRequest, { kind: 'invitee.answer' | 'call.targetAnswer' | 'call.transferAnswer' }>;

const isRingTimer = (t: DueTimer): t is RingTimer =>
  !isUnreadableTimer(t) &&
  (t.kind === 'invitee.answer' || t.kind === 'call.targetAnswer' || t.kind === 'call.transferAnswer');

/** What the browser may answer a ring with: exactly the configured behaviours' ring outcomes. */
export const RING_ANSWERS = ['accept', 'decline', 'busy'] as const;
export type RingAnswer = (typeof RING_ANSWERS)[number];

/** The ring answered with `outcome` instead of the one it carried. */
export function withOutcome(t: RingTimer, outcome: RingAnswer): RingTimer {
  switch (t.kind) {
    case 'invitee.answer':
      return { ...t, payload: { ...t.payload, outcome } };
    case 'call.targetAnswer':
      return { ...t, payload: { ...t.payload, outcome } };
    case 'call.transferAnswer':
      return { ...t, payload: { ...t.payload, outcome } };
  }
}

export interface PendingRing {
  timer: RingTimer;
  /** The bot leg that rings the person (the inviting, calling or transferring leg). */
  leg: CallLeg | undefined;
  /** The ringing participant (invites and peer-to-peer calls; none for a transfer target). */
  participant: Participant | undefined;
}

/** The identity key of the person a ring timer rings, with what it belongs to; undefined when it is not a ring. */
export async function ringOf(tx: Tx, timer: DueTimer): Promise<(PendingRing & { personKey: string }) | undefined> {
  if (!isRingTimer(timer)) return undefined;
  const leg = await tx.getLeg(timer.payload.callId);
  if (timer.kind === 'call.transferAnswer') {
    const target = timer.payload.target;
    // A consultative transfer's target is already connected to the bot: nothing rings.
    return target && timer.payload.replacesCallId === null
      ? { timer, leg, participant: undefined, personKey: target }
      : undefined;
  }
  const participant = await tx.getParticipant(timer.payload.participantId);
  const key = participant && participant.status === 'inviting' ? identityKey(participant.identity) : null;
  return key === null ? undefined : { timer, leg, participant, personKey: key };
}

/**
 * The rings of the person `personKey` names among the live legs `legs` (the read side lists them all): ringing
 * participants with that identity in each conversation, and transfers of a leg to that person.
 */
export async function ringsOf(tx: Tx, personKey: string, legs: readonly CallLeg[]): Promise<PendingRing[]> {
  const out: PendingRing[] = [];
  const seen = new Set<string>();
  for (const leg of legs) {
    if (leg.state === 'transferring') {
      const timer = await tx.getTimer(TimerId.transfer(leg.id));
      const ring = timer ? await ringOf(tx, timer) : undefined;
      if (ring?.personKey === personKey) out.push(ring);
    }
    if (seen.has(leg.conversationId)) continue;
    seen.add(leg.conversationId);
    for (const p of await tx.participantsWithIdentityKeys(leg.conversationId, [personKey])) {
      if (p.status !== 'inviting' || p.callLegId !== null) continue;
      for (const id of [TimerId.inviteeAnswer(p.id), TimerId.targetAnswer(p.id)]) {
        const timer = await tx.getTimer(id);
        const ring = timer ? await ringOf(tx, timer) : undefined;
        if (ring?.personKey === personKey) out.push(ring);
      }
    }
  }
  return out;
}
