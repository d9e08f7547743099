/**
 * The service side of simulated people: who has just been connected to a bot (so their behaviour's later actions
 * get durable timers, in the same transaction), and the loading that `person.action` timers and the control API's
 * per-call actions need. Rules are in `src/domain/person-actions.ts`; this only loads.
 */
import type { DomainContext } from '../domain/clock.js';
import { checkPersonAction, decidePersonAction, findPerson, laterActionTimers, newlyConnectedPeople, type LaterAction, type PersonAction, type PersonActionName, type PriorState } from '../domain/person-actions.js';
import { isRejection, reject, RejectionCode, type Rejection } from '../domain/rejections.js';
import { TimerId } from '../domain/timer-ids.js';
import { emptyEffects, type ConversationView, type Effects } from '../domain/types.js';
import type { Directory } from '../sim/directory.js';
import type { Tx } from '../store/store.js';

/** Adds the later-action timers of everyone this command connects to a bot (nothing to load when no one has any). */
export async function scheduleLaterActions(tx: Tx, effects: Effects, directory: Directory, ctx: DomainContext): Promise<void> {
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
    if (c) prior.conversations.set(id, { kind: c.kind, tenantId: c.tenantId, roster: await tx.participantsInConversation(id) });
  }
  for (const person of newlyConnectedPeople(effects, prior)) {
    const tenantId = prior.conversations.get(person.conversationId)?.tenantId;
    const actions = tenantId ? directory.laterActionsOf(person.identity, tenantId) : [];
    effects.timers.push(...laterActionTimers(person, actions, ctx));
  }
}

export interface ScheduledPersonAction {
  participantId: string;
  action: LaterAction;
  /** When it happens (now, or the timer's due time). */
  dueAt: number;
}

/** Presses keys for a person in a conversation: the media simulation's tones (see CallingService.pressTones). */
export type PressTones = (view: ConversationView, tones: string) => Promise<Rejection | Effects>;

/** Control API request: act now, or schedule a durable timer; checked against the call as it is now either way. */
export async function decidePersonActionRequest(view: ConversationView, personRef: string, act: LaterAction, ctx: DomainContext, press: PressTones): Promise<Rejection | { effects: Effects; value: ScheduledPersonAction }> {
  const person = findPerson(view, personRef);
  if (!person) return reject(RejectionCode.participantNotFound, `No connected person ${personRef} in this call (a participant id, user id or phone number of its roster).`, 'participantId');
  const bad = checkPersonAction(view, person, act);
  if (bad) return bad;
  const value = { participantId: person.id, action: act, dueAt: ctx.now + act.afterMs };
  if (act.afterMs > 0) {
    const effects = emptyEffects();
    effects.timers.push({ ...laterActionTimers(person, [act], ctx)[0]!, id: TimerId.laterAction(person.id, ctx.ids.next()) });
    return { effects, value };
  }
  const r = act.action === 'pressTones' ? await press(view, act.tones ?? '') : decidePersonAction(view, person, act, ctx);
  return isRejection(r) ? r : { effects: r, value };
}

/** A `person.action` timer came due: the person acts if they still can (otherwise nothing happens). */
export async function decideTimedPersonAction(tx: Tx, payload: Record<string, string>, ctx: DomainContext, press: PressTones): Promise<Rejection | Effects> {
  const person = await tx.getParticipant(payload.participantId ?? '');
  if (!person) return emptyEffects();
  const conversation = await tx.getConversation(person.conversationId);
  if (!conversation) return emptyEffects();
  const view: ConversationView = { conversation, roster: await tx.participantsInConversation(conversation.id), legs: await tx.legsInConversation(conversation.id) };
  const current = view.roster.find((p) => p.id === person.id) ?? person;
  const act: PersonAction = { action: payload.action as PersonActionName, ...(payload.tones !== undefined ? { tones: payload.tones } : {}) };
  if (act.action !== 'pressTones') return decidePersonAction(view, current, act, ctx);
  const bad = checkPersonAction(view, current, act);
  return bad ?? press(view, act.tones ?? '');
}
