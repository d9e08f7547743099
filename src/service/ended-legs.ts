/**
 * The step after every decision that ends a leg: its operations still Running end Failed in the same
 * transaction, and their timers and the leg's own are dropped (src/domain/call-ended.ts decides; this only loads
 * and applies).
 */
import { endOperationsOfEndedLeg, timersOfEndedLeg, type RosterEntry } from '../domain/call-ended.js';
import type { DomainContext } from '../domain/clock.js';
import type { CallLeg, Effects, Participant } from '../domain/types.js';
import type { Directory } from '../sim/directory.js';
import type { Tx } from '../store/store.js';

export async function endOperationsOfEndedLegs(
  tx: Tx,
  effects: Effects,
  directory: Directory,
  ctx: DomainContext,
): Promise<void> {
  const ended = new Map(effects.legs.filter((l) => l.state === 'terminated').map((l) => [l.id, l]));
  for (const [legId, leg] of ended) {
    // Asked together: a store that batches (PostgreSQL) answers them in one round trip.
    const [stored, legs] = await Promise.all([tx.operationsOfCall(legId), tx.legsInConversation(leg.conversationId)]);
    // The decision's own changes win over what is stored (the last write of an id is the one saved).
    const ops = new Map(stored.map((op) => [op.id, op]));
    for (const op of effects.operations) if (op.callId === legId) ops.set(op.id, op);
    const ringing = new Map<string, Participant>();
    for (const op of ops.values()) {
      if (op.type !== 'inviteParticipantsOperation' || op.status !== 'Running') continue;
      for (const i of op.invitees.filter((x) => !x.settled)) {
        const p =
          effects.participants.findLast((x) => x.id === i.participantId) ?? (await tx.getParticipant(i.participantId));
        if (p) ringing.set(p.id, p);
      }
    }
    const out = endOperationsOfEndedLeg([...ops.values()], ringing, ctx.now);
    effects.operations.push(...out.operations);
    effects.participants.push(...out.participants);
    const cancelled = new Set([
      ...out.timerIds,
      ...timersOfEndedLeg(legId, await lastLegRoster(tx, effects, leg, legs, directory)),
    ]);
    effects.timers = effects.timers.filter((t) => !cancelled.has(t.id));
    await Promise.all([...cancelled].map((id) => tx.deleteTimer(id)));
  }
}

/** The roster of the ended leg's conversation when no other bot leg in it stays live, else null (nothing read). */
async function lastLegRoster(
  tx: Tx,
  effects: Effects,
  leg: CallLeg,
  stored: CallLeg[],
  directory: Directory,
): Promise<RosterEntry[] | null> {
  const legs = new Map(stored.map((l) => [l.id, l]));
  for (const l of effects.legs) if (l.conversationId === leg.conversationId) legs.set(l.id, l);
  if ([...legs.values()].some((l) => l.id !== leg.id && l.state !== 'terminated')) return null;
  const roster = new Map((await tx.participantsInConversation(leg.conversationId)).map((p) => [p.id, p]));
  for (const p of effects.participants) if (p.conversationId === leg.conversationId) roster.set(p.id, p);
  const withActions = directory.hasLaterActions();
  return [...roster.values()].map((participant) => ({
    participant,
    laterActions:
      withActions && participant.callLegId === null
        ? directory.laterActionsOf(participant.identity, leg.tenantId).length
        : 0,
  }));
}
