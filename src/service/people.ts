/**
 * The service side of simulated people: who has just been connected to a bot, so that their behaviour's later
 * actions get durable timers in the same transaction. Rules are in `src/domain/person-actions.ts`; this only loads.
 */
import type { DomainContext } from '../domain/clock.js';
import { laterActionTimers, newlyConnectedPeople, type PriorState } from '../domain/person-actions.js';
import type { Effects } from '../domain/types.js';
import type { Directory } from '../sim/directory.js';
import type { Tx } from '../store/store.js';

/** Adds the later-action timers of everyone this command connects to a bot (nothing to load when no one has any). */
export async function scheduleLaterActions(
  tx: Tx,
  effects: Effects,
  directory: Directory,
  ctx: DomainContext,
): Promise<void> {
  if (!directory.hasLaterActions()) return;
  const prior: PriorState = { legs: new Map(), participants: new Map(), conversations: new Map() };
  const conversationIds = new Set<string>();
  for (const leg of effects.legs) {
    if (leg.state !== 'established') continue;
    prior.legs.set(leg.id, await tx.getLeg(leg.id));
    conversationIds.add(leg.conversationId);
  }
  for (const p of effects.participants) {
    if (p.status !== 'joined' || p.callLegId !== null) continue;
    prior.participants.set(p.id, await tx.getParticipant(p.id));
    conversationIds.add(p.conversationId);
  }
  for (const id of conversationIds) {
    const c = effects.conversations.find((x) => x.id === id) ?? (await tx.getConversation(id));
    if (c)
      prior.conversations.set(id, {
        kind: c.kind,
        tenantId: c.tenantId,
        roster: await tx.participantsInConversation(id),
      });
  }
  for (const person of newlyConnectedPeople(effects, prior)) {
    const tenantId = prior.conversations.get(person.conversationId)?.tenantId;
    const actions = tenantId ? directory.laterActionsOf(person.identity, tenantId) : [];
    effects.timers.push(...laterActionTimers(person, actions, ctx));
  }
}
