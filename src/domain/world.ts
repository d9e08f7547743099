/**
 * What the deciders know of the world, as data: the read-only `WorldView` of the directory (tenants, apps, users,
 * meetings) and the `Reactions` of the simulated people a command rings. Both are handed in by the service; the
 * simulator implements the view (src/sim/directory.ts `Directory`) and computes the reactions before the decision
 * (src/sim/reactions.ts), the way it picks an injected fault (src/domain/faults.ts). So a decision is a pure function
 * of (state, command, world view, reactions, clock, ids), and the domain never imports the simulator.
 */
import { cleanIdentitySet, identityKey, isRecord } from './identity.js';
import type { IdentitySet, LobbyBypassScope } from './types.js';

export interface WorldTenant {
  readonly id: string;
  readonly displayName: string;
}

/** A resource account of an app; a bot needs one with a number to call or invite phones (spec 1.4 item 8). */
export interface WorldAppInstance {
  readonly id: string;
  readonly displayName: string;
  /** E.164, or null for an account without a number. */
  readonly phoneNumber: string | null;
}

export interface WorldApp {
  readonly id: string;
  readonly displayName: string;
  /** The application permissions the tenant granted (what its tokens carry). */
  readonly roles: readonly string[];
  /** The app's registered calling webhook: where incoming calls are notified. */
  readonly callbackUri: string | null;
  readonly instances: readonly WorldAppInstance[];
  /** false: the bot has no calling registration (Teams channel with calling off): calls are refused with 7503. */
  readonly callingRegistered?: boolean;
}

/** A user as an identity: who they are, never how they behave (that is a `PersonReaction`). */
export interface WorldUser {
  readonly id: string;
  readonly displayName: string;
}

/** A meeting of the world file (meetings created through the API are state: `OnlineMeeting`). */
export interface WorldMeeting {
  readonly id: string;
  readonly threadId: string;
  readonly joinMeetingId: string;
  readonly organizerId: string;
  readonly createdByAppId: string | null;
  /** Joining by joinMeetingId must give this passcode, when set. */
  readonly passcode: string | null;
  /** Who skips the lobby (Graph lobbyBypassSettings.scope); null: everyone. */
  readonly lobbyBypassScope: LobbyBypassScope | null;
  readonly isDialInBypassEnabled: boolean;
}

/**
 * Read-only lookups over the directory. Ids compare case-insensitively, as Graph's GUIDs do. Phone numbers need no
 * lookup: any E.164 number is an identity Graph can ring; how it answers is its `PersonReaction`.
 */
export interface WorldView {
  tenant(id: string): WorldTenant | undefined;
  app(id: string): { readonly app: WorldApp; readonly tenant: WorldTenant } | undefined;
  instance(
    id: string,
  ): { readonly instance: WorldAppInstance; readonly app: WorldApp; readonly tenant: WorldTenant } | undefined;
  user(id: string): { readonly user: WorldUser; readonly tenant: WorldTenant } | undefined;
  meetingByThreadId(tenantId: string, threadId: string): WorldMeeting | undefined;
  meetingByJoinId(tenantId: string, joinMeetingId: string): WorldMeeting | undefined;
  /** How long an outgoing call or a meeting join takes from establishing to established. */
  readonly establishMs: number;
}

/** What a person's device does when rung. */
export const PERSON_ANSWERS = ['accept', 'decline', 'busy', 'noAnswer'] as const;
export type PersonAnswer = (typeof PERSON_ANSWERS)[number];
export const isPersonAnswer = (v: unknown): v is PersonAnswer => PERSON_ANSWERS.some((x) => x === v);

/** How a simulated person reacts to being rung: what their device does, after how long. */
export interface PersonReaction {
  readonly action: PersonAnswer;
  /** How long the device rings before the action happens (noAnswer: how long until it gives up). */
  readonly afterMs: number;
}

/**
 * The reactions of the people a command may ring, by `identityKey`. An identity with no entry reaches nobody (a user
 * the world does not know): Graph fails it as notFound.
 */
export type Reactions = ReadonlyMap<string, PersonReaction>;

export const NO_REACTIONS: Reactions = new Map();

/** Unknown users and unroutable PSTN invites fail after this long, as the real service does (not synchronously). */
export const FAILURE_DELAY_MS = 300;

export function reactionOf(reactions: Reactions, identity: IdentitySet): PersonReaction | undefined {
  const key = identityKey(identity);
  return key === null ? undefined : reactions.get(key);
}

/** What ringing `identity` comes to: its person's reaction, or notFound (after FAILURE_DELAY_MS) when nobody is there. */
export function ringOutcome(
  reactions: Reactions,
  identity: IdentitySet,
): { action: PersonAnswer | 'notFound'; afterMs: number } {
  return reactionOf(reactions, identity) ?? { action: 'notFound', afterMs: FAILURE_DELAY_MS };
}

/**
 * The identity sets of invitation inputs (create-call targets, invitees, a transfer target), cleaned as the deciders
 * read them: the people whose reactions the service asks the simulator for. Inputs without an identity are skipped.
 */
export function invitationIdentities(inputs: unknown): IdentitySet[] {
  const list: unknown[] = Array.isArray(inputs) ? inputs : [inputs];
  const out: IdentitySet[] = [];
  for (const input of list) {
    if (isRecord(input) && isRecord(input.identity)) out.push(cleanIdentitySet(input.identity));
  }
  return out;
}
