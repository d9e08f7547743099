/**
 * What a simulated person does once connected to a bot: the later actions of their behaviour (world file `then`,
 * or `PUT /_switchboard/people/{id}/behaviour`) fired by durable `person.action` timers, or one action the control
 * API asks for on one call. Pure: (view, person, action, clock) → Effects | Rejection.
 *
 *   hangUp      peer-to-peer: the bot's leg ends (`deleted`, 200/4521); group call or meeting: the person leaves
 *   leave       group call or meeting only: the person leaves (roster `deleted` to every bot leg)
 *   mute/unmute group call or meeting: the person's isMuted (roster `updated`)
 *   hold/resume peer-to-peer: the bot's leg goes to `hold` and back to `established` (`updated` each time)
 *   pressTones  the media simulation's key presses (decidePressTones, via the service): toneInfo to subscribed bots
 */
import type { DomainContext } from './clock.js';
import { identityId, isRecord } from './identity.js';
import { isPersonActionName, PERSON_ACTIONS, type PersonActionName } from './person-action-names.js';
import { callNotification, rosterToAllLegs } from './notifications.js';
import { isRejection, reject, RejectionCode, type Rejection } from './rejections.js';
import { resultInfo, RESULT } from './result-codes.js';
import { TimerId } from './timer-ids.js';
import {
  emptyEffects,
  type CallLeg,
  type ConversationKind,
  type ConversationView,
  type Effects,
  type Participant,
  type TimerRequest,
} from './types.js';

export type { PersonActionName };

export interface PersonAction {
  action: PersonActionName;
  /** pressTones: the DTMF digits, in order (0-9, *, #, A-D). */
  tones?: string;
}

/** A later action of a behaviour: `afterMs` counts from the moment the person is connected to the bot. */
export interface LaterAction extends PersonAction {
  afterMs: number;
}

const TONES = /^[0-9*#A-D]+$/;

/** A checked input that is wrong: the message names the offending path, which is also `target`. */
export interface Problem {
  error: string;
  target: string;
}

export const isProblem = (r: object): r is Problem => 'error' in r && 'target' in r;

/** Checks one later action (world file `then[i]`, control API body); the error names the offending path. */
export function parseLaterAction(v: unknown, where: string, opts: { needAfterMs: boolean }): LaterAction | Problem {
  const at = (key: string): string => (where ? `${where}.${key}` : key);
  if (!isRecord(v)) return { error: `${where || 'the action'} must be an object`, target: where || 'body' };
  const o = v;
  const known = new Set(['action', 'afterMs', 'tones']);
  const extra = Object.keys(o).find((k) => !known.has(k));
  if (extra !== undefined)
    return { error: `${at(extra)} is not a property of an action (action, afterMs, tones)`, target: at(extra) };
  const action = o.action;
  if (!isPersonActionName(action))
    return { error: `${at('action')} must be one of ${PERSON_ACTIONS.join(', ')}`, target: at('action') };
  const afterMs = o.afterMs ?? (opts.needAfterMs ? undefined : 0);
  if (typeof afterMs !== 'number' || !Number.isFinite(afterMs) || afterMs < 0)
    return { error: `${at('afterMs')} must be a non-negative number of milliseconds`, target: at('afterMs') };
  if (action === 'pressTones') {
    if (typeof o.tones !== 'string' || !TONES.test(o.tones))
      return { error: `${at('tones')} must be DTMF digits (0-9, *, #, A-D) for pressTones`, target: at('tones') };
    return { action, afterMs, tones: o.tones };
  }
  if (o.tones !== undefined) return { error: `${at('tones')} is only for pressTones`, target: at('tones') };
  return { action, afterMs };
}

export const isPerson = (p: Participant): boolean =>
  p.callLegId === null && (p.kind === 'user' || p.kind === 'phone' || p.kind === 'guest');

/** A connected person of the conversation, by participant id or by their identity's id (user id, phone number). */
export function findPerson(view: ConversationView, ref: string): Participant | undefined {
  const key = ref.toLowerCase();
  const people = view.roster.filter((p) => isPerson(p) && p.status === 'joined');
  return (
    people.find((p) => p.id.toLowerCase() === key) ?? people.find((p) => identityId(p.identity)?.toLowerCase() === key)
  );
}

const liveLegs = (view: ConversationView): CallLeg[] =>
  view.legs.filter((l) => l.state !== 'terminated' && l.state !== 'terminating');

/** Why the action cannot happen now, or null. */
export function checkPersonAction(view: ConversationView, person: Participant, act: PersonAction): Rejection | null {
  const p2p = view.conversation.kind === 'peerToPeer';
  const where = p2p ? 'a peer-to-peer call' : 'a group call or meeting';
  const conflict = (why: string): Rejection =>
    reject(RejectionCode.callStateConflict, `action ${act.action}: ${why}`, 'action');
  if (person.status !== 'joined') return conflict(`participant ${person.id} is not connected (${person.status}).`);
  const legs = liveLegs(view);
  const [first] = legs;
  if (!first) return conflict('no bot is in this call any more.');
  switch (act.action) {
    case 'hangUp':
      return null;
    case 'leave':
      return p2p ? conflict(`leave is for group calls and meetings; this is ${where} (use hangUp).`) : null;
    case 'mute':
    case 'unmute':
      return p2p ? conflict(`peer-to-peer calls have no roster to show isMuted; this is ${where}.`) : null;
    case 'hold':
      if (!p2p) return conflict(`hold is simulated for peer-to-peer calls only; this is ${where}.`);
      return legs.some((l) => l.state === 'established')
        ? null
        : conflict(`the call is ${first.state}, not established.`);
    case 'resume':
      if (!p2p) return conflict(`resume is simulated for peer-to-peer calls only; this is ${where}.`);
      return legs.some((l) => l.state === 'hold') ? null : conflict(`the call is ${first.state}, not on hold.`);
    case 'pressTones':
      return legs.some((l) => l.state === 'established')
        ? null
        : conflict(`the call is ${first.state}, not established.`);
  }
}

/** The person acts (pressTones excepted: see `PersonActionName`). */
export function decidePersonAction(
  view: ConversationView,
  person: Participant,
  act: PersonAction,
  ctx: DomainContext,
): Rejection | Effects {
  const bad = checkPersonAction(view, person, act);
  if (bad) return bad;
  // Key presses are the media simulation's (decidePressTones): the service hands them there, never here.
  if (act.action === 'pressTones')
    return reject(
      RejectionCode.invalidProperty,
      'pressTones is decided by the media simulation (decidePressTones), not as a person action.',
      'action',
    );
  const effects = emptyEffects();
  const { conversation } = view;
  const legs = liveLegs(view);
  if (conversation.kind === 'peerToPeer' && act.action === 'hangUp') {
    // The other party hung up: the bot's leg ends, as Graph reports it (`deleted`, terminated, 200/4521).
    for (const leg of legs) {
      const ended: CallLeg = {
        ...leg,
        state: 'terminated',
        resultInfo: resultInfo(RESULT.peerLeft),
        terminationReason: 'RemoteEnded',
        version: leg.version + 1,
        updatedAt: ctx.now,
      };
      effects.legs.push(ended);
      effects.notifications.push(callNotification(ended, conversation, 'deleted'));
    }
    for (const p of view.roster)
      if (p.status === 'joined' || p.status === 'inviting')
        effects.participants.push({ ...p, status: 'removed', updatedAt: ctx.now });
    return effects;
  }
  if (act.action === 'hold' || act.action === 'resume') {
    const [from, to] = act.action === 'hold' ? (['established', 'hold'] as const) : (['hold', 'established'] as const);
    for (const leg of legs.filter((l) => l.state === from)) {
      const changed: CallLeg = { ...leg, state: to, version: leg.version + 1, updatedAt: ctx.now };
      effects.legs.push(changed);
      effects.notifications.push(callNotification(changed, conversation, 'updated'));
    }
    return effects;
  }
  const seq = conversation.rosterSequence + 1;
  if (act.action === 'hangUp' || act.action === 'leave') {
    const removed: Participant = { ...person, status: 'removed', rosterSequenceNumber: seq, updatedAt: ctx.now };
    effects.participants.push(removed);
    effects.conversations.push({ ...conversation, rosterSequence: seq });
    effects.notifications.push(...rosterToAllLegs(legs, view.roster, [removed], 'deleted'));
    return effects;
  }
  const muted = act.action === 'mute';
  if (person.isMuted === muted) return effects;
  const changed: Participant = { ...person, isMuted: muted, rosterSequenceNumber: seq, updatedAt: ctx.now };
  effects.participants.push(changed);
  effects.conversations.push({ ...conversation, rosterSequence: seq });
  effects.notifications.push(...rosterToAllLegs(legs, view.roster, [changed]));
  return effects;
}

/**
 * Keys a person presses are the media simulation's (decidePressTones, per established bot leg, which needs each
 * leg's queued operations): a person action that presses keys comes back as this request, which the service runs.
 */
export interface PressTones {
  pressTones: string;
}

export const isPressTones = (r: object): r is PressTones => 'pressTones' in r;

export interface ScheduledPersonAction {
  participantId: string;
  action: LaterAction;
  /** When it happens (now, or the timer's due time). */
  dueAt: number;
}

/**
 * Control API (`POST /_switchboard/calls/{id}/participants/{pid}/actions`): the person acts now (`afterMs` 0) or a
 * durable timer is set; either way the action is checked against the call as it is now.
 */
export function decidePersonActionRequest(
  view: ConversationView,
  personRef: string,
  act: LaterAction,
  ctx: DomainContext,
): Rejection | { value: ScheduledPersonAction; result: Effects | PressTones } {
  const person = findPerson(view, personRef);
  if (!person)
    return reject(
      RejectionCode.participantNotFound,
      `No connected person ${personRef} in this call (a participant id, user id or phone number of its roster).`,
      'participantId',
    );
  const bad = checkPersonAction(view, person, act);
  if (bad) return bad;
  const value: ScheduledPersonAction = { participantId: person.id, action: act, dueAt: ctx.now + act.afterMs };
  if (act.afterMs > 0) {
    const effects = emptyEffects();
    effects.timers.push(laterActionTimer(person, act, TimerId.laterAction(person.id, ctx.ids.next()), ctx));
    return { value, result: effects };
  }
  if (act.action === 'pressTones') return { value, result: { pressTones: act.tones ?? '' } };
  const r = decidePersonAction(view, person, act, ctx);
  return isRejection(r) ? r : { value, result: r };
}

/** A `person.action` timer came due: the person acts if they still can (a rejection: nothing happens). */
export function decideTimedPersonAction(
  view: ConversationView,
  person: Participant,
  act: PersonAction,
  ctx: DomainContext,
): Rejection | Effects | PressTones {
  const current = view.roster.find((p) => p.id === person.id) ?? person;
  if (act.action !== 'pressTones') return decidePersonAction(view, current, act, ctx);
  return checkPersonAction(view, current, act) ?? { pressTones: act.tones ?? '' };
}

function laterActionTimer(person: Participant, a: LaterAction, id: string, ctx: DomainContext): TimerRequest {
  return {
    id,
    dueAt: ctx.now + a.afterMs,
    kind: 'person.action',
    payload: { participantId: person.id, action: a.action, ...(a.tones !== undefined ? { tones: a.tones } : {}) },
  };
}

/** The durable timers of a person's later actions, from the moment they are connected. */
export function laterActionTimers(person: Participant, actions: LaterAction[], ctx: DomainContext): TimerRequest[] {
  return actions.map((a, i) => laterActionTimer(person, a, TimerId.laterAction(person.id, i), ctx));
}

/** Before-state of what a command changes, to tell who has just been connected to a bot. */
export interface PriorState {
  legs: Map<string, CallLeg | undefined>;
  participants: Map<string, Participant | undefined>;
  /** Kind and roster of each conversation the command touches. */
  conversations: Map<string, { kind: ConversationKind; tenantId: string; roster: Participant[] }>;
}

/**
 * People connected to a bot by this command: an invitee who joined a group call or meeting, or the other party of
 * a peer-to-peer call whose leg has just been established (answered incoming call, answered outgoing call).
 */
export function newlyConnectedPeople(effects: Effects, prior: PriorState): Participant[] {
  const out = new Map<string, Participant>();
  for (const p of effects.participants) {
    if (!isPerson(p) || p.status !== 'joined' || prior.participants.get(p.id)?.status === 'joined') continue;
    const kind =
      effects.conversations.find((c) => c.id === p.conversationId)?.kind ??
      prior.conversations.get(p.conversationId)?.kind;
    if (kind !== 'peerToPeer') out.set(p.id, p);
  }
  for (const leg of effects.legs) {
    const before = prior.legs.get(leg.id);
    if (leg.state !== 'established' || !before || (before.state !== 'establishing' && before.state !== 'incoming'))
      continue;
    const c = prior.conversations.get(leg.conversationId);
    if (c?.kind !== 'peerToPeer') continue;
    for (const p of c.roster) {
      const now = effects.participants.find((e) => e.id === p.id) ?? p;
      if (isPerson(now) && now.status === 'joined') out.set(now.id, now);
    }
  }
  return [...out.values()];
}
