/**
 * Builders for domain tests: small, explicit states instead of a store. Ids are fixed strings so that paths in
 * notifications can be asserted literally; ids the domain mints come from `sequentialIds()`.
 */
import { expect } from 'vitest';
import { sequentialIds, type DomainContext } from '../../src/domain/clock.js';
import { inviteRosterOf, type InviteCommand, type InviteState } from '../../src/domain/invite.js';
import type { Principal } from '../../src/domain/permissions.js';
import { isRejection, type Rejection } from '../../src/domain/rejections.js';
import { newParticipant } from '../../src/domain/participant.js';
import type {
  CallLeg,
  Conversation,
  ConversationView,
  IdentitySet,
  TimerPayloads,
  TimerRequest,
  OutboundNotification,
  Participant,
} from '../../src/domain/types.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
  defaultWorld,
} from '../../src/sim/default-world.js';
import { Directory } from '../../src/sim/directory.js';
import { reactionsOf } from '../../src/sim/reactions.js';
import { invitationIdentities, type Reactions, type WorldView } from '../../src/domain/world.js';

export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
export const TENANT = DEFAULT_TENANT_ID;
export const APP = DEFAULT_APP_ID;
export const OTHER_TENANT = 'bbbbbbbb-0000-4000-8000-0000000000bb';

export const USERS = DEFAULT_USERS;
export const UNKNOWN_USER = 'ffffffff-0000-4000-8000-00000000f00d';

export const MEETING_THREAD = DEFAULT_MEETING_THREADS.weeklySync;
export const OTHER_MEETING_THREAD = DEFAULT_MEETING_THREADS.incidentBridge;

/** The default world as the deciders see it: a read-only view (the simulator's Directory implements it). */
export const world = (): WorldView => new Directory(defaultWorld());

/**
 * How the people these invitation inputs name react to being rung, as the service asks the simulator before a
 * decision: from the default world (or `dir`), for a command of `tenantId`.
 */
export const reactionsTo = (
  inputs: unknown,
  dir: Directory = new Directory(defaultWorld()),
  tenantId = TENANT,
): Reactions => reactionsOf(dir, tenantId, invitationIdentities(inputs));

/** The outcome an answer timer carries (invitee, call target or transfer target), or null for another kind of timer. */
export const outcomeOf = (t: TimerRequest | undefined): string | null =>
  t && 'outcome' in t.payload ? t.payload.outcome : null;

/** The payload of an invitee's answer timer (throws for another kind). */
export function inviteeAnswer(t: TimerRequest | undefined): TimerPayloads['invitee.answer'] {
  if (t?.kind !== 'invitee.answer') throw new Error(`expected an invitee.answer timer, got ${t?.kind ?? 'none'}`);
  return t.payload;
}

export const ctx = (prefix = 'aaaaaaaa'): DomainContext => ({ now: NOW, ids: sequentialIds(prefix) });
/** The first id `ctx()` mints: a rejection must not have consumed any. */
export const firstId = (prefix = 'aaaaaaaa'): string => sequentialIds(prefix).next();

export const principal = (roles: string[], over: Partial<Principal> = {}): Principal => ({
  tenantId: TENANT,
  appId: APP,
  roles,
  ...over,
});

export const user = (id: string, extra: Record<string, unknown> = {}): IdentitySet => ({
  '@odata.type': '#microsoft.graph.identitySet',
  user: { '@odata.type': '#microsoft.graph.identity', id, ...extra },
});
export const phone = (id: string): IdentitySet => ({
  '@odata.type': '#microsoft.graph.identitySet',
  phone: { '@odata.type': '#microsoft.graph.identity', id },
});
export const invitee = (
  identity: IdentitySet,
  extra: Record<string, unknown> = {},
): Record<string, unknown> & { identity: IdentitySet } => ({
  '@odata.type': '#microsoft.graph.invitationParticipantInfo',
  identity,
  ...extra,
});

export function conversation(over: Partial<Conversation> = {}): Conversation {
  const kind = over.kind ?? 'meeting';
  return {
    id: 'conv-1',
    tenantId: TENANT,
    kind,
    chatInfo: kind === 'peerToPeer' ? null : { threadId: MEETING_THREAD, messageId: '0', replyChainMessageId: null },
    meetingInfo:
      kind === 'meeting'
        ? { '@odata.type': '#microsoft.graph.organizerMeetingInfo', organizer: user(USERS.bob) }
        : null,
    meetingId: kind === 'meeting' ? 'meeting-weekly-sync' : null,
    meetingCreatedByAppId: kind === 'meeting' ? APP : null,
    joinedWith: kind === 'meeting' ? 'organizer' : null,
    callChainId: 'chain-1',
    rosterSequence: 3,
    createdAt: NOW - 60_000,
    ...over,
  };
}

export function leg(over: Partial<CallLeg> = {}): CallLeg {
  return {
    id: 'leg-1',
    conversationId: 'conv-1',
    tenantId: TENANT,
    appId: APP,
    apiVersion: 'v1.0',
    state: 'established',
    direction: 'outgoing',
    callbackUri: 'https://bot.contoso.com/api/calls',
    subject: null,
    source: null,
    targets: [],
    requestedModalities: ['audio'],
    activeModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    callOptions: null,
    myParticipantId: 'bot-p-1',
    applicationInstanceId: null,
    resultInfo: null,
    terminationReason: null,
    version: 3,
    createdAt: NOW - 60_000,
    updatedAt: NOW - 60_000,
    ...over,
  };
}

export function participant(over: Partial<Participant> & { identity: IdentitySet }): Participant {
  // Graph's defaults for a new participant (src/domain/participant.ts), joined a minute ago as a user.
  return newParticipant(
    {
      id: 'p-1',
      conversationId: 'conv-1',
      status: 'joined',
      kind: 'user',
      callLegId: null,
      sourceId: '1',
      rosterSequenceNumber: 1,
      ...over,
    },
    NOW - 60_000,
  );
}

/** The bot's own participant for a leg. */
export const botParticipant = (l: CallLeg): Participant =>
  participant({
    id: l.myParticipantId,
    conversationId: l.conversationId,
    kind: 'application',
    callLegId: l.id,
    identity: { application: { id: l.appId, displayName: 'Switchboard Test Bot' } },
  });

/** A view of one conversation with the given bot legs (the first is the one acted on) and extra roster entries. */
export function view(
  conv: Conversation,
  legs: CallLeg[],
  others: Participant[] = [],
): ConversationView & { leg: CallLeg } {
  return { conversation: conv, legs, roster: [...legs.map(botParticipant), ...others], leg: legs[0]! };
}

/** A leg's whole view (full roster) plus the replaced call an invite names; `inviteState` narrows it for decideInvite. */
export type MeetingFixture = ConversationView & { leg: CallLeg; replaced: InviteState['replaced'] };

/**
 * What the service hands decideInvite for this fixture and command: the full roster as the rules' subset (extra rows
 * are ignored), and the invitees' reactions from the default world.
 */
export const inviteState = (f: MeetingFixture, cmd: InviteCommand): InviteState => ({
  ...f,
  roster: inviteRosterOf(f.roster),
  reactions: reactionsTo(cmd.participants),
});

/** An established meeting leg (`leg-1` in `conv-1`) with nobody else in it, ready to invite. */
export function meetingState(
  over: {
    conversation?: Partial<Conversation>;
    leg?: Partial<CallLeg>;
    roster?: Participant[];
    extraLegs?: CallLeg[];
  } = {},
): MeetingFixture {
  const conv = conversation(over.conversation);
  const l = leg({ conversationId: conv.id, ...over.leg });
  const v = view(conv, [l, ...(over.extraLegs ?? [])], over.roster ?? []);
  return { ...v, replaced: null };
}

/** An established P2P call of this app (`p2p-leg` in `p2p-conv`) with `who` on the other end. */
export function p2pView(who: IdentitySet, over: Partial<CallLeg> = {}): ConversationView & { leg: CallLeg } {
  const conv = conversation({ id: 'p2p-conv', kind: 'peerToPeer' });
  const l = leg({
    id: 'p2p-leg',
    conversationId: conv.id,
    myParticipantId: 'p2p-bot',
    direction: 'incoming',
    callbackUri: 'https://bot.contoso.com/api/calls/p2p',
    ...over,
  });
  return view(conv, [l], [participant({ id: 'p2p-caller', conversationId: conv.id, identity: who })]);
}

export function expectRejection(result: unknown, code: string, target: string | null): Rejection {
  expect(isRejection(result), `expected a rejection ${code}, got ${JSON.stringify(result)?.slice(0, 300)}`).toBe(true);
  const r = result as Rejection;
  expect({ code: r.code, target: r.target }).toEqual({ code, target });
  expect(r.message.length).toBeGreaterThan(0);
  // A rejection is only a verdict: it carries no effects and no operation.
  expect(Object.keys(r).sort()).toEqual(['code', 'message', 'rejected', 'target']);
  return r;
}

export function accepted<T extends object>(result: T | Rejection): T {
  if (isRejection(result))
    throw new Error(`unexpected rejection ${result.code} (${result.target ?? '-'}): ${result.message}`);
  return result;
}

/** Notification bodies are untyped JSON; tests read them as such. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface CommsNotification {
  changeType: string;
  resource: string;
  resourceUrl: string;
  resourceData: Json;
}

/** The single commsNotification inside an outbound notification, with the envelope checked. */
export function only(n: OutboundNotification | undefined): CommsNotification {
  expect(n).toBeDefined();
  const body = n!.body as { '@odata.type': string; value: Record<string, unknown>[] };
  expect(body['@odata.type']).toBe('#microsoft.graph.commsNotifications');
  expect(body.value).toHaveLength(1);
  const v = body.value[0]!;
  expect(v['@odata.type']).toBe('#microsoft.graph.commsNotification');
  expect(typeof v.resource).toBe('string');
  expect(typeof v.resourceUrl).toBe('string');
  expect(v.resource as string).toMatch(/^\/app\/calls\//);
  expect(v.resourceUrl as string).toMatch(/^\/communications\/calls\//);
  return v as unknown as CommsNotification;
}

/** Compact description of a notification list: `changeType resourceUrl → callbackUri`. */
export const summary = (ns: OutboundNotification[]): string[] =>
  ns.map((n) => {
    const v = only(n);
    return `${v.changeType} ${v.resourceUrl} -> ${n.callbackUri}`;
  });
