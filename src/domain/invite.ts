/**
 * participant: invite — the rules of the Graph documentation (seeds 000–004, spec 1.4), with no I/O.
 *
 *   decideInvite:        request → Rejection | { operation Running, invitees `inviting`, one answer timer each }
 *   decideInviteeAnswer: answer timer → invitee joins (roster updated) or fails (resultInfo); when the last
 *                        invitee settles the operation is Completed or Failed (notification `deleted`), and a
 *                        replaced peer-to-peer leg is terminated and deleted.
 *
 * Partial success of a multi-invite: the operation is Failed if any invitee failed (resultInfo of the first
 * failure, message naming every failed participant); invitees who accepted stay in the roster.
 */
import { newParticipant } from './participant.js';
import type { ResultInfo } from '@microsoft/microsoft-graph-types';
import { endpointTypeOf } from './beta.js';
import type { InviteFault } from './faults.js';
import type { DomainContext } from './clock.js';
import { cleanIdentitySet, E164, identityKey, identityKind, mri, odataTypesOf, primaryIdentity } from './identity.js';
import { bypassesLobby } from './lobby.js';
import { callNotification, operationNotification, rosterToAllLegs } from './notifications.js';
import { requireAnyRole, Role, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import { inviteFailure, RESULT, resultInfo, type InviteeOutcome } from './result-codes.js';
import { checkClientContext } from './client-context.js';
import { TimerId } from './timer-ids.js';
import {
  emptyEffects,
  type ApiVersion,
  type CallLeg,
  type Conversation,
  type ConversationView,
  type Effects,
  type IdentitySet,
  type Invitee,
  type Operation,
  type Participant,
} from './types.js';
import { FAILURE_DELAY_MS, ringOutcome, type Reactions, type WorldView } from './world.js';

export const MAX_INVITEES = 5;
/** A person already in a call with the bot is moved without ringing; this is how long the move takes. */
export const REPLACE_DELAY_MS = 200;

export interface InvitationInput {
  identity?: Record<string, unknown> | null;
  replacesCallId?: string | null;
  participantId?: string | null;
  hidden?: boolean | null;
  removeFromDefaultAudioRoutingGroup?: boolean | null;
  endpointType?: string | null;
  [extra: string]: unknown;
}

export interface InviteCommand {
  participants: InvitationInput[];
  clientContext?: string | null;
}

/**
 * What the invite rules read of the target roster: never all of it, so an invite costs the same in a call of any size
 * (the store answers both from an index).
 */
export interface InviteRoster {
  /** How many participants the conversation has (any status): media source ids continue after it. */
  size: number;
  /** Its participants (any status) whose identityKey is one of `inviteeIdentityKeys(cmd)`; any others are ignored. */
  withInviteeIdentity: Participant[];
}

export interface InviteState extends Omit<ConversationView, 'roster'> {
  roster: InviteRoster;
  leg: CallLeg;
  /** The leg named by participants[0].replacesCallId, when it exists and belongs to the same app. */
  replaced: (ConversationView & { leg: CallLeg }) | null;
  /** An injected fault this invite meets (world `faults`): every invitee fails with its result after its delay. */
  fault?: InviteFault | null;
  /** How the invitees react to being rung (`invitationIdentities(cmd.participants)`), from the simulator. */
  reactions: Reactions;
}

/** The whole roster as an InviteRoster (tests, and callers that already hold it). */
export function inviteRosterOf(roster: Participant[]): InviteRoster {
  return { size: roster.length, withInviteeIdentity: roster };
}

/** The identity keys of the invitations, as checkInvitee will read them: what the caller must look up in the roster. */
export function inviteeIdentityKeys(cmd: InviteCommand): string[] {
  const keys = new Set<string>();
  for (const input of Array.isArray(cmd.participants) ? cmd.participants : []) {
    if (typeof input !== 'object' || input === null || typeof input.identity !== 'object' || input.identity === null)
      continue;
    const key = identityKey(cleanIdentitySet(input.identity));
    if (key !== null) keys.add(key);
  }
  return [...keys];
}

/** `replacesCallId` may be given as an id or as a path (`/app/calls/{id}`, seed 002). */
export function normalizeCallId(raw: string): string {
  const m = /calls\/([^/?#]+)/i.exec(raw);
  return (m ? m[1]! : raw).trim().toLowerCase();
}

const isActive = (p: Participant): boolean => p.status === 'inviting' || p.status === 'joined';

interface PlannedInvitee {
  index: number;
  input: InvitationInput;
  identity: IdentitySet;
  outcome: InviteeOutcome;
  afterMs: number;
  movedFrom: Participant | null;
  /** Beta only: the endpointType the request gave (null on v1.0, where it is ignored). */
  endpointType: string | null;
}

export function decideInvite(
  principal: Principal,
  cmd: InviteCommand,
  state: InviteState,
  world: WorldView,
  ctx: DomainContext,
  apiVersion: ApiVersion = 'v1.0',
): Rejection | { effects: Effects; operation: Operation } {
  const denied = requireAnyRole(principal, [Role.initiateGroupCall], 'participant: invite');
  if (denied) return denied;
  const { leg, conversation } = state;
  if (!Array.isArray(cmd.participants) || cmd.participants.length === 0) {
    return reject(
      RejectionCode.noInvitees,
      'participants must list at least one participant to invite.',
      'participants',
    );
  }
  const badContext = checkClientContext(cmd.clientContext);
  if (badContext) return badContext;
  // A null entry is reported by checkInvitee below (participants[i].identity), not a crash here.
  const first: InvitationInput = cmd.participants[0] ?? {};
  const replacesCallId = first.replacesCallId ? normalizeCallId(first.replacesCallId) : null;
  const moving = Boolean(first.participantId);
  // Graph: only the first participant is read when replacesCallId is set or a participant is moved (spec 1.4 items 4, 6).
  // Seed 004 example 2: a multi-invite whose replacesCallId names no call of this app invites everyone and echoes null.
  const single = moving || (replacesCallId !== null && (state.replaced !== null || cmd.participants.length === 1));
  const considered = single ? [first] : cmd.participants;
  if (!single) {
    if (considered.length > MAX_INVITEES) {
      return reject(
        RejectionCode.tooManyInvitees,
        `At most ${MAX_INVITEES} participants can be invited in one request; got ${considered.length}.`,
        'participants',
      );
    }
    if (considered.length > 1 && conversation.kind === 'peerToPeer') {
      return reject(
        RejectionCode.multipleInviteesNeedGroupCall,
        'participants: inviting more than one participant is only supported for group calls and meetings; this is a peer-to-peer call.',
        'participants',
      );
    }
    if (considered.length > 1 && !conversation.chatInfo?.threadId) {
      return reject(
        RejectionCode.multipleInviteesNeedChatInfo,
        'participants: inviting more than one participant needs a group call with a valid chatInfo; this call has none.',
        'participants',
      );
    }
  }

  const planned: PlannedInvitee[] = [];
  const seen = new Map<string, number>();
  for (const [index, input] of considered.entries()) {
    const at = `participants[${index}]`;
    const checked = checkInvitee(input, at, leg, world);
    if ('rejected' in checked) return checked;
    const key = identityKey(checked.identity)!;
    if (seen.has(key))
      return reject(
        RejectionCode.duplicateIdentity,
        `${at}.identity names the same participant as participants[${seen.get(key)}].`,
        `${at}.identity`,
      );
    seen.set(key, index);
    const already = state.roster.withInviteeIdentity.find((p) => isActive(p) && identityKey(p.identity) === key);
    if (already) {
      return reject(
        RejectionCode.duplicateIdentity,
        `${at}.identity is already ${already.status === 'joined' ? 'in' : 'being invited into'} this call (participant ${already.id}).`,
        `${at}.identity`,
      );
    }
    const endpoint = endpointTypeOf(input.endpointType, at, apiVersion);
    if ('rejected' in endpoint) return endpoint;
    planned.push({
      index,
      input,
      identity: checked.identity,
      endpointType: endpoint.endpointType,
      ...answerOf(checked.identity, leg, conversation, world, state.reactions),
      movedFrom: null,
    });
  }

  if (single && (replacesCallId !== null || moving)) {
    const r = checkReplacement(first, replacesCallId, moving, state, principal, planned[0]!);
    if (r) return r;
  }
  if (leg.state !== 'established') {
    return reject(
      RejectionCode.callStateConflict,
      `Participants can only be invited into an established call; call ${leg.id} is ${leg.state}.`,
    );
  }
  return planInvite(cmd, state, planned, single ? replacesCallId : null, ctx, state.fault ?? null);
}

/** One invitation target: an identity Graph can ring (user or phone of the call's tenant), enriched as Graph echoes it. */
export function checkInvitee(
  input: InvitationInput,
  at: string,
  leg: CallLeg,
  world: WorldView,
): Rejection | { identity: IdentitySet } {
  if (typeof input !== 'object' || input === null || typeof input.identity !== 'object' || input.identity === null) {
    return reject(RejectionCode.invalidProperty, `${at}.identity is required.`, `${at}.identity`);
  }
  const identity = cleanIdentitySet(input.identity);
  const primary = primaryIdentity(identity);
  if (!primary)
    return reject(
      RejectionCode.invalidProperty,
      `${at}.identity names no user, phone or other endpoint.`,
      `${at}.identity`,
    );
  const kind = identityKind(identity);
  if (kind === 'application' || kind === 'applicationInstance') {
    return reject(
      RejectionCode.cannotInviteBot,
      `${at}.identity.${primary.key} is a bot; inviting another bot into a meeting or group call isn't allowed.`,
      `${at}.identity.${primary.key}`,
    );
  }
  if (typeof primary.value.id !== 'string' || primary.value.id.length === 0) {
    return reject(
      RejectionCode.invalidProperty,
      `${at}.identity.${primary.key}.id is required.`,
      `${at}.identity.${primary.key}.id`,
    );
  }
  if (kind === 'phone' && !E164.test(primary.value.id)) {
    return reject(
      RejectionCode.invalidPhoneNumber,
      `${at}.identity.phone.id '${primary.value.id}' is not an E.164 number (for example +14255550100).`,
      `${at}.identity.phone.id`,
    );
  }
  if (kind === 'user') {
    const claimed = primary.value.tenantId;
    const known = world.user(primary.value.id);
    if (
      (typeof claimed === 'string' && claimed.toLowerCase() !== leg.tenantId.toLowerCase()) ||
      (known && known.tenant.id.toLowerCase() !== leg.tenantId.toLowerCase())
    ) {
      const claimWrong = typeof claimed === 'string' && claimed.toLowerCase() !== leg.tenantId.toLowerCase();
      const target = claimWrong ? `${at}.identity.user.tenantId` : `${at}.identity.user.id`;
      return reject(
        RejectionCode.tenantMismatch,
        `Request authorization tenant mismatch. ${target} names another tenant than the one of call ${leg.id}.`,
        target,
      );
    }
    // Graph enriches the echoed user with displayName, identityProvider and tenantId (seed 004).
    const user: Record<string, unknown> = {
      ...primary.value,
      id: primary.value.id,
      identityProvider: primary.value.identityProvider ?? 'AAD',
      tenantId: leg.tenantId,
    };
    if (known && user.displayName === undefined) user.displayName = known.user.displayName;
    return { identity: { ...identity, user } };
  }
  return { identity };
}

/** What an invitee's ring comes to: Graph's PSTN rules first, then how the person reacts (nobody: notFound). */
function answerOf(
  identity: IdentitySet,
  leg: CallLeg,
  conversation: Conversation,
  world: WorldView,
  reactions: Reactions,
): { outcome: InviteeOutcome; afterMs: number } {
  const kind = identityKind(identity);
  if (kind === 'phone') {
    const app = world.app(leg.appId)?.app;
    if (!app?.instances.some((i) => i.phoneNumber)) return { outcome: 'pstnNoSponsor', afterMs: FAILURE_DELAY_MS };
    // PSTN support matrix (spec 1.4 item 8, 9.1): a call that came in to the bot's UPN (the app, not a resource
    // account) has no PSTN sponsor, so a phone invite from it fails like one from an app without a number.
    if (leg.direction === 'incoming' && !leg.applicationInstanceId)
      return { outcome: 'pstnNoSponsor', afterMs: FAILURE_DELAY_MS };
    if (conversation.joinedWith === 'token') return { outcome: 'pstnJoinToken', afterMs: FAILURE_DELAY_MS };
  }
  const { action, afterMs } = ringOutcome(reactions, identity);
  return { outcome: action, afterMs };
}

function checkReplacement(
  first: InvitationInput,
  replacesCallId: string | null,
  moving: boolean,
  state: InviteState,
  principal: Principal,
  invitee: PlannedInvitee,
): Rejection | null {
  const replaced = state.replaced;
  if (!replacesCallId || !replaced) {
    return reject(
      RejectionCode.replacedCallNotFound,
      moving
        ? 'participants[0].replacesCallId must name the call the participant is moved from.'
        : `participants[0].replacesCallId: call ${first.replacesCallId} was not found.`,
      'participants[0].replacesCallId',
    );
  }
  if (replaced.leg.id === state.leg.id) {
    return reject(
      RejectionCode.invalidProperty,
      'participants[0].replacesCallId names the call being invited into.',
      'participants[0].replacesCallId',
    );
  }
  const key = identityKey(invitee.identity);
  if (moving) {
    const src = replaced.conversation;
    const dst = state.conversation;
    if (
      src.kind !== 'meeting' ||
      dst.kind !== 'meeting' ||
      src.meetingCreatedByAppId !== principal.appId ||
      dst.meetingCreatedByAppId !== principal.appId
    ) {
      return reject(
        RejectionCode.moveNotAllowed,
        'A participant can only be moved between two meetings created by the same application (this application).',
        'participants[0].participantId',
      );
    }
    const pid = first.participantId!.toLowerCase();
    const mover = replaced.roster.find((p) => p.id.toLowerCase() === pid && p.status === 'joined');
    // A bad request body (400, like an unknown replacesCallId), not a missing resource: the call in the URL exists.
    if (!mover)
      return reject(
        RejectionCode.invalidProperty,
        `participants[0].participantId: participant ${first.participantId} is not in call ${replaced.leg.id}.`,
        'participants[0].participantId',
      );
    if (identityKey(mover.identity) !== key) {
      return reject(
        RejectionCode.invalidProperty,
        `participants[0].identity does not match participant ${mover.id} of call ${replaced.leg.id}.`,
        'participants[0].identity',
      );
    }
    invitee.movedFrom = mover;
  } else {
    if (replaced.conversation.kind !== 'peerToPeer') {
      return reject(
        RejectionCode.invalidProperty,
        'participants[0].replacesCallId without participantId must name a peer-to-peer call; to move someone out of a meeting also give participantId.',
        'participants[0].replacesCallId',
      );
    }
    if (replaced.leg.state !== 'established') {
      return reject(
        RejectionCode.callStateConflict,
        `participants[0].replacesCallId: call ${replaced.leg.id} is ${replaced.leg.state}, not established.`,
        'participants[0].replacesCallId',
      );
    }
    const other = replaced.roster.find((p) => p.status === 'joined' && identityKey(p.identity) === key);
    if (!other)
      return reject(
        RejectionCode.invalidProperty,
        `participants[0].identity is not a participant of call ${replaced.leg.id}.`,
        'participants[0].identity',
      );
  }
  // The person is already connected to this app: they move without ringing.
  invitee.outcome = 'accept';
  invitee.afterMs = REPLACE_DELAY_MS;
  return null;
}

/** The echo's record of the identity's `@odata.type`s as sent, when the request gave any. */
function identityTypesOf(identity: unknown): { identityTypes?: Record<string, string> } {
  const types = odataTypesOf(identity);
  return types ? { identityTypes: types } : {};
}

function planInvite(
  cmd: InviteCommand,
  state: InviteState,
  planned: PlannedInvitee[],
  replacesCallId: string | null,
  ctx: DomainContext,
  fault: InviteFault | null,
): { effects: Effects; operation: Operation } {
  const { leg, conversation } = state;
  const effects = emptyEffects();
  const operationId = ctx.ids.next();
  const invitees: Invitee[] = [];
  let sourceId = state.roster.size;
  for (const p of planned) {
    const participantId = ctx.ids.next();
    sourceId += 1;
    effects.participants.push(
      newParticipant(
        {
          id: participantId,
          conversationId: conversation.id,
          status: 'inviting',
          identity: p.identity,
          callLegId: null,
          invitedByOperationId: operationId,
          endpointType: p.endpointType ?? 'default',
          region: typeof p.input.region === 'string' ? p.input.region : null,
          languageId: typeof p.input.languageId === 'string' ? p.input.languageId : null,
          hidden: p.input.hidden === true,
          sourceId: String(sourceId),
        },
        ctx.now,
      ),
    );
    invitees.push({
      participantId,
      echo: {
        identity: p.identity,
        replacesCallId: replacesCallId && p.index === 0 ? (p.input.replacesCallId ?? null) : null,
        participantId: p.movedFrom ? (p.input.participantId ?? null) : null,
        hidden: p.input.hidden ?? null,
        removeFromDefaultAudioRoutingGroup: p.input.removeFromDefaultAudioRoutingGroup ?? null,
        endpointType: p.endpointType,
        ...identityTypesOf(p.input.identity),
      },
      replacesCallId: replacesCallId && p.index === 0 ? replacesCallId : null,
      movedFromParticipantId: p.movedFrom?.id ?? null,
      settled: false,
      joined: false,
      resultInfo: null,
    });
    effects.timers.push({
      id: TimerId.inviteeAnswer(participantId),
      dueAt: ctx.now + (fault ? fault.afterMs : p.afterMs),
      kind: 'invitee.answer',
      // A fault's result travels with the timer: the answer applies it instead of the person's own outcome.
      // callId: the timer loop fires one call's timers in order and different calls' timers concurrently.
      payload: {
        callId: leg.id,
        participantId,
        operationId,
        outcome: p.outcome,
        ...(fault ? { fault: fault.result } : {}),
      },
    });
  }
  const operation: Operation = {
    id: operationId,
    callId: leg.id,
    type: 'inviteParticipantsOperation',
    status: 'Running',
    clientContext: cmd.clientContext ?? null,
    resultInfo: null,
    invitees,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  effects.operations.push(operation);
  return { effects, operation };
}

/** The invitee's conversation, its roster included: a join is announced with the whole roster (rosterToAllLegs). */
/**
 * `roster` (the conversation's participants) is used only to list the whole roster to legs that get it
 * (getsWholeRoster); the service leaves it empty when every bot leg asked for roster deltas.
 */
export interface AnswerState extends ConversationView {
  /** The leg that invited; undefined once it has ended (the invitee then fails silently). */
  leg: CallLeg | undefined;
  operation: Operation | undefined;
  invitee: Participant;
  /** For a replacement or move: where the invitee comes from. */
  source: (ConversationView & { leg: CallLeg | undefined }) | null;
}

/**
 * The bot leg an invitee's answer reports to: the leg whose invite operation rang them, or for a group call's first
 * targets (rung by the create request, no operation) the conversation's live leg.
 */
export function invitingLegOf(operation: Operation | undefined, legs: readonly CallLeg[]): CallLeg | undefined {
  return operation ? legs.find((l) => l.id === operation.callId) : legs.find((l) => l.state !== 'terminated');
}

/** The invitee's device answered (or gave up): apply it, and settle the operation when it was the last one. */
export function decideInviteeAnswer(
  state: AnswerState,
  outcome: InviteeOutcome,
  ctx: DomainContext,
  fault: ResultInfo | null = null,
): Effects {
  const effects = emptyEffects();
  const { invitee, conversation } = state;
  if (invitee.status !== 'inviting') return effects;
  const legGone = !state.leg || state.leg.state === 'terminated';
  // An injected fault fails the invitee whatever the person would do; a replaced call then stays (spec 9.3).
  const accepted = outcome === 'accept' && !legGone && fault === null;
  const entry = state.operation?.invitees.find((i) => i.participantId === invitee.id);
  const roster: Participant[] = [];
  let failure: ResultInfo | null = null;

  if (accepted) {
    const seq = conversation.rosterSequence + 1;
    // Someone moved or brought over from a P2P call is already in a call with the bot: only new arrivals wait in the lobby.
    const isInLobby =
      !entry?.replacesCallId && !entry?.movedFromParticipantId && !bypassesLobby(conversation, invitee.identity);
    const joined: Participant = {
      ...invitee,
      status: 'joined',
      isInLobby,
      rosterSequenceNumber: seq,
      updatedAt: ctx.now,
    };
    effects.conversations.push({ ...conversation, rosterSequence: seq });
    effects.participants.push(joined);
    roster.push(joined);
  } else {
    failure = fault ?? inviteFailure(outcome === 'accept' ? 'notFound' : outcome, mri(invitee.identity));
    effects.participants.push({ ...invitee, status: 'failed', outcome: failure, updatedAt: ctx.now });
  }

  let operation = state.operation;
  if (operation && entry) {
    const invitees = operation.invitees.map((i) =>
      i.participantId === invitee.id ? { ...i, settled: true, joined: accepted, resultInfo: failure } : i,
    );
    operation = { ...operation, invitees, updatedAt: ctx.now };
    if (invitees.every((i) => i.settled)) operation = settleOperation(operation);
    effects.operations.push(operation);
  }

  const settled = operation?.status === 'Completed' || operation?.status === 'Failed' ? operation : undefined;
  // Seed order: the operation's `deleted` notification comes before the roster update it caused.
  if (settled && state.leg && !legGone) effects.notifications.push(operationNotification(state.leg, settled));
  effects.notifications.push(...rosterToAllLegs(state.legs, state.roster, roster));
  if (accepted && entry && state.source) leaveSource(effects, state.source, entry, ctx);
  return effects;
}

function settleOperation(op: Operation): Operation {
  const failed = op.invitees.filter((i) => !i.joined);
  const [first] = failed;
  if (!first) return { ...op, status: 'Completed', resultInfo: null };
  const firstFailure: ResultInfo = first.resultInfo ?? {};
  const message = failed.length === 1 ? firstFailure.message : failed.map((i) => i.resultInfo?.message).join(' ');
  return { ...op, status: 'Failed', resultInfo: { ...firstFailure, message } };
}

/** The invitee left where they were: a replaced P2P leg ends (terminated, then deleted); a moved one leaves the source roster. */
function leaveSource(
  effects: Effects,
  source: ConversationView & { leg: CallLeg | undefined },
  entry: Invitee,
  ctx: DomainContext,
): void {
  if (entry.movedFromParticipantId) {
    const mover = source.roster.find((p) => p.id === entry.movedFromParticipantId);
    if (!mover || mover.status !== 'joined') return;
    const seq = source.conversation.rosterSequence + 1;
    const removed: Participant = { ...mover, status: 'removed', rosterSequenceNumber: seq, updatedAt: ctx.now };
    effects.conversations.push({ ...source.conversation, rosterSequence: seq });
    effects.participants.push(removed);
    effects.notifications.push(...rosterToAllLegs(source.legs, source.roster, [removed], 'deleted'));
    return;
  }
  const leg = source.leg;
  if (!entry.replacesCallId || !leg || leg.state === 'terminated') return;
  const ended: CallLeg = {
    ...leg,
    state: 'terminated',
    resultInfo: resultInfo(RESULT.replaced),
    terminationReason: 'AppInitiated',
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  // Seed 002: `updated` with state terminated, then `deleted`; the leg is then gone (404).
  effects.notifications.push(
    callNotification(ended, source.conversation, 'updated'),
    callNotification(ended, source.conversation, 'deleted'),
  );
  effects.legs.push(ended);
  for (const p of source.roster)
    if (p.status === 'joined') effects.participants.push({ ...p, status: 'removed', updatedAt: ctx.now });
}
