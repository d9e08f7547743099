/**
 * The call leg state machine (Graph `callState`), pure.
 *
 *   outgoing:  (create) establishing ──established timer / target answers──▶ established
 *   incoming:  (control API) incoming ──answer──▶ establishing ──▶ established;  incoming ──reject──▶ gone
 *   any live:  DELETE ──▶ terminating ──▶ terminated (then deleted: GET answers 404)
 *   timeouts:  no keepAlive for 45 min ──▶ as DELETE, with 408/8537;  incoming for 15 s ──▶ gone, 408/1106
 *
 * Notifications per spec 2: create/answer → `updated` establishing, `updated` established, then for group calls
 * and meetings a roster `updated`; reject → `deleted`; hang-up → `updated` terminating, `deleted` terminated.
 */
import { newParticipant } from './participant.js';
import { ringingTimeoutOf, ringWithin } from './beta.js';
import type { DomainContext } from './clock.js';
import {
  annotateIdentitySet,
  cleanIdentitySet,
  E164,
  identityKind,
  isLoopbackHost,
  isRecord,
  primaryIdentity,
} from './identity.js';
import type { InvitationInput } from './invite.js';
import { callNotification, rosterNotification, rosterToAllLegs } from './notifications.js';
import { requireAnyRole, Role, type Principal } from './permissions.js';
import { APP_NOT_REGISTERED_MESSAGE, reject, RejectionCode, type Rejection } from './rejections.js';
import { callNotAnswered, RESULT, resultInfo, type InviteeOutcome, type ResultCode } from './result-codes.js';
import { THREAD_ID } from './meeting-url.js';
import { knownOnlineMeeting, knownWorldMeeting, type KnownMeeting } from './online-meeting.js';
import { TimerId } from './timer-ids.js';
import {
  emptyEffects,
  type ApiVersion,
  type CallLeg,
  type Conversation,
  type ConversationKind,
  type ConversationView,
  type Effects,
  type IdentitySet,
  type MeetingLobby,
  type OnlineMeeting,
  type Participant,
  type TimerRequest,
} from './types.js';
import { ringOutcome, type Reactions, type WorldView } from './world.js';

export const MAX_GROUP_CALL_TARGETS = 5;
/** A call with no keepAlive for this long is ended as inactive with 408/8537 (spec 4.8). */
export const KEEPALIVE_TIMEOUT_MS = 45 * 60_000;
/** An incoming call must be answered, rejected or redirected within this long (spec 4.4). */
export const ANSWER_WINDOW_MS = 15_000;

/** The leg's one keepAlive timer: rescheduling it (same id) replaces the previous deadline. */
export function keepAliveTimer(legId: string, now: number): TimerRequest {
  return {
    id: TimerId.keepAlive(legId),
    dueAt: now + KEEPALIVE_TIMEOUT_MS,
    kind: 'call.keepAliveExpired',
    payload: { callId: legId },
  };
}

export interface CreateCallCommand {
  callbackUri: string;
  mediaConfig: Record<string, unknown>;
  targets?: InvitationInput[] | null;
  source?: Record<string, unknown> | null;
  requestedModalities?: string[] | null;
  chatInfo?: { threadId?: string | null; messageId?: string | null; replyChainMessageId?: string | null } | null;
  meetingInfo?: Record<string, unknown> | null;
  tenantId?: string | null;
  subject?: string | null;
  callOptions?: Record<string, unknown> | null;
  /** Beta only (spec 3.1): how long an outgoing peer-to-peer call rings, at most 115 s. */
  ringingTimeoutInSeconds?: unknown;
}

/** Checks a callback URL: https, or plain http to a loopback host (a bot on the same machine). */
export function checkCallbackUri(uri: string, target: string): Rejection | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return reject(RejectionCode.invalidCallbackUri, `${target} '${uri}' is not an absolute URL.`, target);
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return null;
  return reject(
    RejectionCode.invalidCallbackUri,
    `${target} must be an https URL (plain http is allowed only for loopback hosts); got '${uri}'.`,
    target,
  );
}

/** The meeting a create-call body names (world file first, then one created through the API), if known. */
export function knownMeetingOf(
  cmd: CreateCallCommand,
  world: WorldView,
  tenantId: string,
  stored: OnlineMeeting | null | undefined,
): KnownMeeting | null {
  if (!cmd.meetingInfo) return null;
  const threadId = cmd.chatInfo?.threadId;
  const joinId = cmd.meetingInfo.joinMeetingId;
  const listed = threadId
    ? world.meetingByThreadId(tenantId, threadId)
    : typeof joinId === 'string'
      ? world.meetingByJoinId(tenantId, joinId)
      : undefined;
  if (listed) return knownWorldMeeting(listed, tenantId);
  return stored ? knownOnlineMeeting(stored) : null;
}

/** The chat thread a create-call body joins: its chatInfo, or the known meeting's thread for joinMeetingId joins. */
export function meetingThreadOf(
  cmd: CreateCallCommand,
  world: WorldView,
  tenantId: string,
  stored?: OnlineMeeting | null,
): string | null {
  if (!cmd.meetingInfo) return null;
  return cmd.chatInfo?.threadId ?? knownMeetingOf(cmd, world, tenantId, stored)?.threadId ?? null;
}

/** Checks a meeting join against the meeting it names; the rejection names the offending property. */
function checkMeetingJoin(cmd: CreateCallCommand, known: KnownMeeting | null, tenantId: string): Rejection | string {
  const info = cmd.meetingInfo ?? {};
  const joinId = info.joinMeetingId;
  if (typeof joinId === 'string' && !cmd.chatInfo?.threadId) {
    if (!known)
      return reject(
        RejectionCode.invalidProperty,
        `meetingInfo.joinMeetingId: no meeting with join id ${joinId} in tenant ${tenantId}.`,
        'meetingInfo.joinMeetingId',
      );
    const passcode = typeof info.passcode === 'string' && info.passcode.length > 0 ? info.passcode : null;
    if (known.passcode !== null && passcode !== known.passcode) {
      return passcode === null
        ? reject(
            RejectionCode.invalidProperty,
            `meetingInfo.passcode is required: meeting ${joinId} has a passcode.`,
            'meetingInfo.passcode',
          )
        : reject(
            RejectionCode.invalidProperty,
            `meetingInfo.passcode does not match the passcode of meeting ${joinId}.`,
            'meetingInfo.passcode',
          );
    }
    return known.threadId;
  }
  const threadId = cmd.chatInfo?.threadId;
  if (!threadId)
    return reject(
      RejectionCode.invalidProperty,
      'chatInfo.threadId is required to join a meeting.',
      'chatInfo.threadId',
    );
  if (!THREAD_ID.test(threadId)) {
    return reject(
      RejectionCode.invalidProperty,
      `chatInfo.threadId '${threadId}' is not a Teams chat thread id (19:…@thread.v2); parse it from the joinWebUrl's meetup-join segment, URL-decoded.`,
      'chatInfo.threadId',
    );
  }
  const organizer = isRecord(info.organizer) && isRecord(info.organizer.user) ? info.organizer.user.id : undefined;
  if (known && typeof organizer === 'string' && organizer.toLowerCase() !== known.organizerId.toLowerCase()) {
    return reject(
      RejectionCode.invalidProperty,
      `meetingInfo.organizer.user.id ${organizer} is not the organizer of the meeting on thread ${threadId} (the joinWebUrl's context Oid).`,
      'meetingInfo.organizer.user.id',
    );
  }
  return threadId;
}

function kindOf(cmd: CreateCallCommand): ConversationKind {
  if (cmd.meetingInfo) return 'meeting';
  if ((cmd.targets?.length ?? 0) === 1 && !cmd.chatInfo) return 'peerToPeer';
  return 'groupCall';
}

function joinedWithOf(meetingInfo: Record<string, unknown>): Conversation['joinedWith'] {
  const t = typeof meetingInfo['@odata.type'] === 'string' ? meetingInfo['@odata.type'] : '';
  if (t.endsWith('tokenMeetingInfo') || typeof meetingInfo.token === 'string') return 'token';
  if (t.endsWith('joinMeetingIdMeetingInfo') || typeof meetingInfo.joinMeetingId === 'string') return 'joinMeetingId';
  return 'organizer';
}

export interface CreateCallState {
  /** The live conversation of the meeting being joined, when another leg is already in it. */
  meeting: ConversationView | null;
  /** The meeting created through the onlineMeetings API that the body names, if any. */
  stored?: OnlineMeeting | null;
  /** How the targets react to being rung (`invitationIdentities(cmd.targets)`), from the simulator. */
  reactions: Reactions;
}

export interface CreateCallDeps {
  world: WorldView;
  apiVersion: ApiVersion;
}

function botParticipant(
  leg: CallLeg,
  identity: IdentitySet,
  conversationId: string,
  sourceId: number,
  now: number,
): Participant {
  return newParticipant(
    {
      id: leg.myParticipantId,
      conversationId,
      status: 'inviting',
      identity,
      callLegId: leg.id,
      sourceId: String(sourceId),
    },
    now,
  );
}

export function decideCreateCall(
  principal: Principal,
  cmd: CreateCallCommand,
  state: CreateCallState,
  deps: CreateCallDeps,
  ctx: DomainContext,
): Rejection | { effects: Effects; leg: CallLeg; conversation: Conversation } {
  const { world } = deps;
  // spec 6.3, 9.6: an app without a calling registration (Teams channel with calling off) gets Graph's odd 7503 shape.
  if (world.app(principal.appId)?.app.callingRegistered === false)
    return reject(RejectionCode.appNotRegistered, APP_NOT_REGISTERED_MESSAGE);
  const kind = kindOf(cmd);
  const roleCheck =
    kind === 'peerToPeer'
      ? requireAnyRole(principal, [Role.initiate], 'Creating a peer-to-peer call')
      : kind === 'groupCall'
        ? requireAnyRole(principal, [Role.initiateGroupCall], 'Creating a group call')
        : requireAnyRole(principal, [Role.joinGroupCall, Role.joinGroupCallAsGuest], 'Joining a meeting');
  if (roleCheck) return roleCheck;
  const mediaType = cmd.mediaConfig['@odata.type'];
  const appHosted = typeof mediaType === 'string' && mediaType.endsWith('appHostedMediaConfig');
  if (appHosted) {
    const media = requireAnyRole(principal, [Role.accessMedia], 'App-hosted media');
    if (media) return media;
  }
  if (cmd.tenantId && cmd.tenantId.toLowerCase() !== principal.tenantId.toLowerCase()) {
    return reject(
      RejectionCode.tenantMismatch,
      `Request authorization tenant mismatch: tenantId ${cmd.tenantId} is not the tenant of the token.`,
      'tenantId',
    );
  }
  const badCallback = checkCallbackUri(cmd.callbackUri, 'callbackUri');
  if (badCallback) return badCallback;
  const ringing = ringingTimeoutOf(cmd.ringingTimeoutInSeconds, deps.apiVersion);
  if ('rejected' in ringing) return ringing;
  const targets = cmd.targets ?? [];
  if (kind === 'groupCall' && targets.length > MAX_GROUP_CALL_TARGETS) {
    return reject(
      RejectionCode.tooManyInvitees,
      `A group call can be created with at most ${MAX_GROUP_CALL_TARGETS} targets; got ${targets.length}.`,
      'targets',
    );
  }
  const targetIdentities: IdentitySet[] = [];
  /** The targets as the leg keeps them: as sent, with the identity cleaned and annotated. */
  const legTargets: Record<string, unknown>[] = [];
  for (const [i, t] of targets.entries()) {
    const at = `targets[${i}].identity`;
    if (!t || typeof t.identity !== 'object' || t.identity === null)
      return reject(RejectionCode.invalidProperty, `${at} is required.`, at);
    const identity = cleanIdentitySet(t.identity);
    const p = primaryIdentity(identity);
    if (!p || typeof p.value.id !== 'string')
      return reject(RejectionCode.invalidProperty, `${at} must name a user or phone with an id.`, at);
    const tk = identityKind(identity);
    if (tk === 'application' || tk === 'applicationInstance')
      return reject(
        RejectionCode.cannotInviteBot,
        `${at} is a bot; calling another bot isn't supported.`,
        `${at}.${p.key}`,
      );
    if (tk === 'phone' && !E164.test(p.value.id))
      return reject(
        RejectionCode.invalidPhoneNumber,
        `${at}.phone.id '${p.value.id}' is not an E.164 number.`,
        `${at}.phone.id`,
      );
    targetIdentities.push(identity);
    legTargets.push({
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      ...t,
      identity: annotateIdentitySet(identity),
    });
  }

  const app = world.app(principal.appId)?.app;
  let instanceId: string | null = null;
  const sourceInstance = cmd.source && isRecord(cmd.source.identity) ? primaryIdentity(cmd.source.identity) : null;
  if (sourceInstance?.key === 'applicationInstance') {
    const id = typeof sourceInstance.value.id === 'string' ? sourceInstance.value.id : '';
    if (!app?.instances.some((i) => i.id.toLowerCase() === id.toLowerCase())) {
      return reject(
        RejectionCode.invalidProperty,
        `source.identity.applicationInstance.id ${id} is not a resource account of this application.`,
        'source.identity.applicationInstance.id',
      );
    }
    instanceId = id;
  }
  const [firstTarget] = targetIdentities;
  if (kind === 'peerToPeer' && firstTarget && identityKind(firstTarget) === 'phone' && !instanceId) {
    return reject(
      RejectionCode.invalidProperty,
      'Calling a phone number needs source.identity.applicationInstance: a resource account of this application with a phone number.',
      'source.identity.applicationInstance',
    );
  }

  let meetingId: string | null = null;
  let meetingCreatedByAppId: string | null = null;
  let threadId = cmd.chatInfo?.threadId ?? null;
  let lobby: MeetingLobby | null = null;
  if (kind === 'meeting') {
    const known = knownMeetingOf(cmd, world, principal.tenantId, state.stored);
    const checked = checkMeetingJoin(cmd, known, principal.tenantId);
    if (typeof checked !== 'string') return checked;
    threadId = checked;
    meetingId = known?.id ?? null;
    meetingCreatedByAppId = known?.createdByAppId ?? null;
    lobby = known?.lobby ?? null;
  }

  const effects = emptyEffects();
  const existing = kind === 'meeting' ? state.meeting : null;
  const conversation: Conversation = existing
    ? existing.conversation
    : {
        id: ctx.ids.next(),
        tenantId: principal.tenantId,
        kind,
        chatInfo: threadId
          ? {
              threadId,
              messageId: cmd.chatInfo?.messageId ?? '0',
              replyChainMessageId: cmd.chatInfo?.replyChainMessageId ?? null,
            }
          : null,
        meetingInfo: cmd.meetingInfo ?? null,
        meetingId,
        meetingCreatedByAppId,
        joinedWith: cmd.meetingInfo ? joinedWithOf(cmd.meetingInfo) : null,
        lobby,
        callChainId: ctx.ids.next(),
        rosterSequence: 0,
        createdAt: ctx.now,
      };
  if (!existing) effects.conversations.push(conversation);

  const botIdentity: IdentitySet = instanceId
    ? {
        applicationInstance: {
          id: instanceId,
          displayName: app?.instances.find((i) => i.id.toLowerCase() === instanceId.toLowerCase())?.displayName ?? null,
          tenantId: principal.tenantId,
        },
      }
    : { application: { id: principal.appId, displayName: app?.displayName ?? null } };
  const leg: CallLeg = {
    id: ctx.ids.next(),
    conversationId: conversation.id,
    tenantId: principal.tenantId,
    appId: principal.appId,
    apiVersion: deps.apiVersion,
    state: 'establishing',
    direction: 'outgoing',
    callbackUri: cmd.callbackUri,
    subject: cmd.subject ?? null,
    source: cmd.source ?? {
      '@odata.type': '#microsoft.graph.participantInfo',
      identity: annotateIdentitySet(botIdentity),
      endpointType: null,
      region: null,
      languageId: null,
    },
    targets: legTargets,
    requestedModalities: cmd.requestedModalities ?? ['audio'],
    activeModalities: [],
    mediaConfig: cmd.mediaConfig,
    callOptions: cmd.callOptions ?? null,
    myParticipantId: ctx.ids.next(),
    applicationInstanceId: instanceId,
    ringingTimeoutInSeconds: ringing.seconds,
    resultInfo: null,
    terminationReason: null,
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  effects.legs.push(leg);
  const rosterSize = existing?.roster.length ?? 0;
  effects.participants.push(botParticipant(leg, botIdentity, conversation.id, rosterSize + 1, ctx.now));
  effects.notifications.push(callNotification(leg, conversation, 'updated'));

  for (const [i, identity] of targetIdentities.entries()) {
    const participantId = ctx.ids.next();
    const reached = ringOutcome(state.reactions, identity);
    const behaviour = kind === 'peerToPeer' ? ringWithin(reached, ringing.seconds) : reached;
    effects.participants.push({
      ...botParticipant(leg, identity, conversation.id, rosterSize + 2 + i, ctx.now),
      id: participantId,
      callLegId: null,
      kind: identityKind(identity),
    });
    effects.timers.push(
      kind === 'peerToPeer'
        ? {
            id: TimerId.targetAnswer(participantId),
            dueAt: ctx.now + behaviour.afterMs,
            kind: 'call.targetAnswer',
            payload: { callId: leg.id, participantId, outcome: behaviour.action },
          }
        : {
            id: TimerId.inviteeAnswer(participantId),
            dueAt: ctx.now + behaviour.afterMs,
            kind: 'invitee.answer',
            payload: { callId: leg.id, participantId, operationId: null, outcome: behaviour.action },
          },
    );
  }
  if (kind !== 'peerToPeer') {
    effects.timers.push({
      id: TimerId.established(leg.id),
      dueAt: ctx.now + world.establishMs,
      kind: 'call.established',
      payload: { callId: leg.id },
    });
  }
  return { effects, leg, conversation };
}

/** The establishing leg is now in the call: `updated` established, then its first roster (group calls and meetings). */
export function decideEstablished(view: ConversationView & { leg: CallLeg }, ctx: DomainContext): Effects {
  const effects = emptyEffects();
  const { leg, conversation } = view;
  if (leg.state !== 'establishing') return effects;
  const established: CallLeg = {
    ...leg,
    state: 'established',
    activeModalities: leg.requestedModalities,
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  effects.legs.push(established);
  effects.timers.push(keepAliveTimer(leg.id, ctx.now));
  effects.notifications.push(callNotification(established, conversation, 'updated'));
  const me = view.roster.find((p) => p.id === leg.myParticipantId);
  if (!me) return effects;
  const seq = conversation.rosterSequence + 1;
  const joined: Participant = { ...me, status: 'joined', rosterSequenceNumber: seq, updatedAt: ctx.now };
  effects.participants.push(joined);
  effects.conversations.push({ ...conversation, rosterSequence: seq });
  if (conversation.kind === 'peerToPeer') return effects;
  const roster = [...view.roster.filter((p) => p.status === 'joined' && p.id !== joined.id), joined];
  effects.notifications.push(rosterNotification(established, roster));
  const others = view.legs.filter((l) => l.id !== leg.id);
  effects.notifications.push(...rosterToAllLegs(others, view.roster, [joined]));
  return effects;
}

/** The callee of an outgoing peer-to-peer call answered (or did not). */
export function decideTargetAnswer(
  view: ConversationView & { leg: CallLeg },
  participantId: string,
  outcome: InviteeOutcome,
  ctx: DomainContext,
): Effects {
  const { leg, conversation } = view;
  const target = view.roster.find((p) => p.id === participantId);
  if (leg.state !== 'establishing' || !target || target.status !== 'inviting') return emptyEffects();
  if (outcome === 'accept') {
    const effects = decideEstablished(view, ctx);
    effects.participants.push({ ...target, status: 'joined', updatedAt: ctx.now });
    return effects;
  }
  const effects = emptyEffects();
  const ended: CallLeg = {
    ...leg,
    state: 'terminated',
    resultInfo: callNotAnswered(outcome),
    terminationReason: 'CallNotAnswered',
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  effects.legs.push(ended);
  effects.participants.push({ ...target, status: 'failed', outcome: ended.resultInfo, updatedAt: ctx.now });
  effects.notifications.push(callNotification(ended, conversation, 'deleted'));
  return effects;
}

export interface IncomingCallCommand {
  tenantId: string;
  source: Record<string, unknown>;
  target: Record<string, unknown>;
  requestedModalities?: string[];
}

/** A person calls the bot (control API): a new P2P conversation and an `incoming` leg for the app. */
export function decideIncomingCall(
  cmd: IncomingCallCommand,
  world: WorldView,
  ctx: DomainContext,
): Rejection | { effects: Effects; leg: CallLeg } {
  const tenant = world.tenant(cmd.tenantId);
  if (!tenant)
    return reject(RejectionCode.invalidProperty, `tenantId: no tenant ${cmd.tenantId} in the directory.`, 'tenantId');
  const target = cleanIdentitySet(cmd.target);
  const tp = primaryIdentity(target);
  const targetId = typeof tp?.value.id === 'string' ? tp.value.id : '';
  const found =
    tp?.key === 'application'
      ? world.app(targetId)
      : tp?.key === 'applicationInstance'
        ? world.instance(targetId)
        : undefined;
  if (!found)
    return reject(
      RejectionCode.invalidProperty,
      'target must be an identity set naming an application or applicationInstance of the directory.',
      'target',
    );
  if (found.tenant.id.toLowerCase() !== tenant.id.toLowerCase())
    return reject(RejectionCode.tenantMismatch, 'target belongs to another tenant.', 'target');
  const app = found.app;
  if (!app.callbackUri)
    return reject(
      RejectionCode.invalidCallbackUri,
      `App ${app.id} has no callbackUri in the directory: start Switchboard with --callback <url> (the default app) or set apps[].callbackUri in the world file.`,
      'target',
    );
  const source = cleanIdentitySet(cmd.source);
  const sp = primaryIdentity(source);
  if (!sp || typeof sp.value.id !== 'string')
    return reject(RejectionCode.invalidProperty, 'source must name a user or phone with an id.', 'source');
  if (sp.key === 'phone' && !E164.test(sp.value.id))
    return reject(
      RejectionCode.invalidPhoneNumber,
      `source.phone.id '${sp.value.id}' is not E.164.`,
      'source.phone.id',
    );
  if (sp.key === 'user') {
    const known = world.user(sp.value.id);
    source.user = {
      ...sp.value,
      tenantId: tenant.id,
      ...(known && sp.value.displayName === undefined ? { displayName: known.user.displayName } : {}),
    };
  }
  const instance = tp?.key === 'applicationInstance' ? (world.instance(targetId)?.instance ?? null) : null;
  const targetEnriched: IdentitySet = instance
    ? { applicationInstance: { id: instance.id, displayName: instance.displayName, tenantId: tenant.id } }
    : { application: { id: app.id, displayName: app.displayName } };

  const effects = emptyEffects();
  const conversation: Conversation = {
    id: ctx.ids.next(),
    tenantId: tenant.id,
    kind: 'peerToPeer',
    chatInfo: null,
    meetingInfo: null,
    meetingId: null,
    meetingCreatedByAppId: null,
    joinedWith: null,
    callChainId: ctx.ids.next(),
    rosterSequence: 1,
    createdAt: ctx.now,
  };
  const leg: CallLeg = {
    id: ctx.ids.next(),
    conversationId: conversation.id,
    tenantId: tenant.id,
    appId: app.id,
    apiVersion: 'v1.0',
    state: 'incoming',
    direction: 'incoming',
    callbackUri: app.callbackUri,
    subject: null,
    source: {
      '@odata.type': '#microsoft.graph.participantInfo',
      identity: annotateIdentitySet(source),
      endpointType: 'default',
      region: 'amer',
      languageId: 'en-US',
    },
    targets: [
      {
        '@odata.type': '#microsoft.graph.invitationParticipantInfo',
        identity: annotateIdentitySet(targetEnriched),
        endpointType: 'default',
        region: 'amer',
        languageId: null,
      },
    ],
    requestedModalities: cmd.requestedModalities ?? ['audio'],
    activeModalities: [],
    mediaConfig: null,
    callOptions: null,
    myParticipantId: ctx.ids.next(),
    applicationInstanceId: instance?.id ?? null,
    resultInfo: null,
    terminationReason: null,
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  const caller: Participant = {
    ...botParticipant(leg, source, conversation.id, 1, ctx.now),
    id: ctx.ids.next(),
    callLegId: null,
    status: 'joined',
    region: 'amer',
    languageId: 'en-US',
    rosterSequenceNumber: 1,
  };
  effects.conversations.push(conversation);
  effects.legs.push(leg);
  effects.participants.push(caller, botParticipant(leg, targetEnriched, conversation.id, 2, ctx.now));
  effects.notifications.push(callNotification(leg, conversation, 'created'));
  effects.timers.push({
    id: TimerId.answerWindow(leg.id),
    dueAt: ctx.now + ANSWER_WINDOW_MS,
    kind: 'call.answerWindow',
    payload: { callId: leg.id },
  });
  return { effects, leg };
}

export interface AnswerCommand {
  callbackUri?: string | null;
  acceptedModalities: string[];
  mediaConfig: Record<string, unknown>;
  callOptions?: Record<string, unknown> | null;
}

export function decideAnswer(
  principal: Principal,
  cmd: AnswerCommand,
  view: ConversationView & { leg: CallLeg },
  establishMs: number,
  ctx: DomainContext,
): Rejection | Effects {
  const denied = requireAnyRole(principal, [Role.joinGroupCall, Role.joinGroupCallAsGuest], 'call: answer');
  if (denied) return denied;
  if (cmd.callbackUri) {
    const bad = checkCallbackUri(cmd.callbackUri, 'callbackUri');
    if (bad) return bad;
  }
  const { leg } = view;
  if (leg.state !== 'incoming')
    return reject(
      RejectionCode.callStateConflict,
      `Only an incoming call can be answered; call ${leg.id} is ${leg.state}.`,
    );
  const effects = emptyEffects();
  const answered: CallLeg = {
    ...leg,
    state: 'establishing',
    callbackUri: cmd.callbackUri ?? leg.callbackUri,
    mediaConfig: cmd.mediaConfig,
    callOptions: cmd.callOptions ?? leg.callOptions,
    requestedModalities: cmd.acceptedModalities,
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  effects.legs.push(answered);
  effects.notifications.push(callNotification(answered, view.conversation, 'updated'));
  effects.timers.push({
    id: TimerId.established(leg.id),
    dueAt: ctx.now + establishMs,
    kind: 'call.established',
    payload: { callId: leg.id },
  });
  return effects;
}

const REJECT_RESULTS = {
  none: RESULT.rejectedNone,
  busy: RESULT.rejectedBusy,
  forbidden: RESULT.rejectedForbidden,
} as const;
const isRejectReason = (r: string): r is keyof typeof REJECT_RESULTS => Object.hasOwn(REJECT_RESULTS, r);

export function decideReject(
  cmd: { reason?: string | null; callbackUri?: string | null },
  view: ConversationView & { leg: CallLeg },
  ctx: DomainContext,
): Rejection | Effects {
  const reason = (cmd.reason ?? 'none').toLowerCase();
  if (!isRejectReason(reason))
    return reject(
      RejectionCode.invalidProperty,
      `reason must be one of none, busy, forbidden; got '${cmd.reason}'.`,
      'reason',
    );
  if (cmd.callbackUri) {
    const bad = checkCallbackUri(cmd.callbackUri, 'callbackUri');
    if (bad) return bad;
  }
  const { leg } = view;
  if (leg.state !== 'incoming')
    return reject(
      RejectionCode.callStateConflict,
      `Only an incoming call can be rejected (use DELETE to hang up); call ${leg.id} is ${leg.state}.`,
    );
  const effects = emptyEffects();
  const ended: CallLeg = {
    ...leg,
    state: 'terminated',
    callbackUri: cmd.callbackUri ?? leg.callbackUri,
    resultInfo: resultInfo(REJECT_RESULTS[reason]),
    terminationReason: 'AppRejected',
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  effects.legs.push(ended);
  effects.notifications.push(callNotification(ended, view.conversation, 'deleted'));
  for (const p of view.roster)
    if (p.status === 'joined') effects.participants.push({ ...p, status: 'removed', updatedAt: ctx.now });
  return effects;
}

/** DELETE /calls/{id}: only the bot's leg ends; a group call or meeting goes on for the others. */
export function decideHangUp(
  view: ConversationView & { leg: CallLeg },
  ctx: DomainContext,
  why: { result: ResultCode; terminationReason: string | null; skipTerminating?: boolean } = {
    result: RESULT.hungUp,
    terminationReason: 'AppInitiated',
  },
): Effects {
  const { leg, conversation } = view;
  const effects = emptyEffects();
  const terminating: CallLeg = { ...leg, state: 'terminating', version: leg.version + 1, updatedAt: ctx.now };
  const ended: CallLeg = {
    ...terminating,
    state: 'terminated',
    resultInfo: resultInfo(why.result),
    terminationReason: why.terminationReason,
    version: leg.version + 2,
  };
  effects.legs.push(ended);
  // A call the service ends on its own while establishing goes straight to `deleted` (spec 9.10), no `terminating`.
  if (!why.skipTerminating) effects.notifications.push(callNotification(terminating, conversation, 'updated'));
  effects.notifications.push(callNotification(ended, conversation, 'deleted'));
  const leaving =
    conversation.kind === 'peerToPeer'
      ? view.roster.filter((p) => p.status === 'joined' || p.status === 'inviting')
      : view.roster.filter((p) => p.id === leg.myParticipantId);
  if (leaving.length === 0) return effects;
  const seq = conversation.rosterSequence + 1;
  const removed = leaving.map((p): Participant => ({
    ...p,
    status: 'removed',
    rosterSequenceNumber: seq,
    updatedAt: ctx.now,
  }));
  effects.participants.push(...removed);
  effects.conversations.push({ ...conversation, rosterSequence: seq });
  if (conversation.kind !== 'peerToPeer') {
    effects.notifications.push(
      ...rosterToAllLegs(
        view.legs.filter((l) => l.id !== leg.id),
        view.roster,
        removed.filter((p) => p.id === leg.myParticipantId),
        'deleted',
      ),
    );
  }
  return effects;
}

/** POST /calls/{id}/keepAlive: the call stays alive for another 45 minutes (200, no body). */
export function decideKeepAlive(leg: CallLeg, ctx: DomainContext): Effects {
  const effects = emptyEffects();
  effects.timers.push(keepAliveTimer(leg.id, ctx.now));
  return effects;
}

/** No keepAlive for 45 minutes: the leg ends as if hung up, with 408/8537. */
export function decideKeepAliveExpired(view: ConversationView & { leg: CallLeg }, ctx: DomainContext): Effects {
  if (view.leg.state === 'terminated' || view.leg.state === 'terminating') return emptyEffects();
  return decideHangUp(view, ctx, { result: RESULT.keepAliveTimeout, terminationReason: 'KeepAliveTimeout' });
}

/** An incoming call nobody answered within 15 seconds ends (`deleted`, 408/1106); answering it later gets 404. */
export function decideAnswerWindowExpired(view: ConversationView & { leg: CallLeg }, ctx: DomainContext): Effects {
  const { leg } = view;
  if (leg.state !== 'incoming') return emptyEffects();
  const effects = emptyEffects();
  const ended: CallLeg = {
    ...leg,
    state: 'terminated',
    resultInfo: resultInfo(RESULT.answerTimeout),
    terminationReason: 'AnswerTimeout',
    version: leg.version + 1,
    updatedAt: ctx.now,
  };
  effects.legs.push(ended);
  effects.notifications.push(callNotification(ended, view.conversation, 'deleted'));
  for (const p of view.roster)
    if (p.status === 'joined') effects.participants.push({ ...p, status: 'removed', updatedAt: ctx.now });
  return effects;
}
