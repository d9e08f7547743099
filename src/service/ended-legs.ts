/**
 * The step after every decision that ends a leg: its operations still Running end Failed in the same
 * transaction, and their timers are dropped (src/domain/call-ended.ts decides; this only loads and applies).
 */
import { endOperationsOfEndedLeg } from '../domain/call-ended.js';
import type { DomainContext } from '../domain/clock.js';
import type { Effects, Participant } from '../domain/types.js';
import type { Tx } from '../store/store.js';

export async function endOperationsOfEndedLegs(tx: Tx, effects: Effects, ctx: DomainContext): Promise<void> {
  const ended = new Set(effects.legs.filter((l) => l.state === 'terminated').map((l) => l.id));
  for (const legId of ended) {
    // The decision's own changes win over what is stored (the last write of an id is the one saved).
    const ops = new Map((await tx.operationsOfCall(legId)).map((op) => [op.id, op]));
    for (const op of effects.operations) if (op.callId === legId) ops.set(op.id, op);
    const ringing = new Map<string, Participant>();
    for (const op of ops.values()) {
      if (op.type !== 'inviteParticipantsOperation' || op.status !== 'Running') continue;
      for (const i of op.invitees.filter((x) => !x.settled)) {
        const p = effects.participants.findLast((x) => x.id === i.participantId) ?? (await tx.getParticipant(i.participantId));
        if (p) ringing.set(p.id, p);
      }
    }
    const out = endOperationsOfEndedLeg([...ops.values()], ringing, ctx.now);
    effects.operations.push(...out.operations);
    effects.participants.push(...out.participants);
    const cancelled = new Set(out.timerIds);
    effects.timers = effects.timers.filter((t) => !cancelled.has(t.id));
    for (const id of cancelled) await tx.deleteTimer(id);
  }
}
