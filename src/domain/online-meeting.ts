/**
 * Meetings an app creates (`POST /users/{userId}/onlineMeetings`, application permission
 * OnlineMeetings.ReadWrite.All): the user in the path organizes, the app is recorded as creator (so it may move
 * people between its meetings, seed 001). Also the one view of "a known meeting" that joins use, whether it comes
 * from the world file or from this API.
 */
import type { DomainContext } from './clock.js';
import {
  buildJoinWebUrl,
  digitsFrom,
  meetingThreadId,
  onlineMeetingId,
  parseJoinWebUrl,
  passcodeFrom,
} from './meeting-url.js';
import { canonicalRole, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import type { LobbyBypassScope, MeetingLobby, OnlineMeeting } from './types.js';
import type { WorldMeeting, WorldView } from './world.js';

export const ONLINE_MEETINGS_ROLE = 'OnlineMeetings.ReadWrite.All';
/** Graph's defaults: a meeting without times starts now and lasts an hour; people of the organization skip the lobby. */
const DEFAULT_DURATION_MS = 60 * 60_000;
const DEFAULT_LOBBY_SCOPE: LobbyBypassScope = 'organization';

export interface CreateOnlineMeetingCommand {
  subject?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
  externalId?: string | null;
  lobbyBypassSettings?: { scope?: LobbyBypassScope | null; isDialInBypassEnabled?: boolean | null } | null;
  joinMeetingIdSettings?: {
    isPasscodeRequired?: boolean | null;
    passcode?: string | null;
    joinMeetingId?: string | null;
  } | null;
}

/** Graph renders DateTimeOffsets with seven fractional digits and Z. */
export const graphDateTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

export function parseTime(value: string | null | undefined, target: string): number | Rejection | null {
  if (value === undefined || value === null) return null;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms))
    return reject(RejectionCode.invalidProperty, `${target} '${value}' is not an ISO 8601 date and time.`, target);
  return ms;
}

export function requireOnlineMeetingsRole(principal: Principal, roles: string[], action: string): Rejection | null {
  if (principal.roles.some((r) => roles.includes(canonicalRole(r)))) return null;
  return reject(RejectionCode.forbidden, `${action} needs the application permission ${roles.join(' or ')}.`);
}

/** GET of a meeting: the caller may read it, and it is the path user's meeting in the caller's tenant (else 404). */
export function decideReadOnlineMeeting(
  principal: Principal,
  userId: string,
  meetingId: string,
  m: OnlineMeeting | undefined,
): Rejection | OnlineMeeting {
  const denied = requireOnlineMeetingsRole(
    principal,
    [ONLINE_MEETINGS_ROLE, 'OnlineMeetings.Read.All'],
    'Reading an online meeting',
  );
  if (denied) return denied;
  if (
    !m ||
    m.tenantId.toLowerCase() !== principal.tenantId.toLowerCase() ||
    m.organizer.id.toLowerCase() !== userId.toLowerCase()
  ) {
    return reject(
      RejectionCode.meetingNotFound,
      `Online meeting ${meetingId} was not found for user ${userId}.`,
      'meetingId',
    );
  }
  return m;
}

/**
 * GET /users/{userId}/onlineMeetings?$filter=JoinWebUrl eq '…': the meeting the URL names (its thread), if it is
 * the path user's in the caller's tenant; otherwise an empty list, as Graph answers. A URL that is not a Teams join
 * URL is a 400 naming JoinWebUrl.
 */
export function decideFindByJoinWebUrl(
  principal: Principal,
  userId: string,
  joinWebUrl: string,
  lookup: (threadId: string) => OnlineMeeting | undefined,
): Rejection | OnlineMeeting[] {
  const denied = requireOnlineMeetingsRole(
    principal,
    [ONLINE_MEETINGS_ROLE, 'OnlineMeetings.Read.All'],
    'Reading an online meeting',
  );
  if (denied) return denied;
  const parts = parseJoinWebUrl(joinWebUrl);
  if ('error' in parts)
    return reject(
      RejectionCode.invalidProperty,
      `JoinWebUrl is not a Teams meeting join URL: ${parts.error}`,
      'JoinWebUrl',
    );
  const m = lookup(parts.threadId);
  const mine =
    m &&
    m.tenantId.toLowerCase() === principal.tenantId.toLowerCase() &&
    m.organizer.id.toLowerCase() === userId.toLowerCase();
  return mine ? [m] : [];
}

export function decideCreateOnlineMeeting(
  principal: Principal,
  userId: string,
  cmd: CreateOnlineMeetingCommand,
  world: WorldView,
  ctx: DomainContext,
): Rejection | OnlineMeeting {
  const denied = requireOnlineMeetingsRole(principal, [ONLINE_MEETINGS_ROLE], 'Creating an online meeting for a user');
  if (denied) return denied;
  const found = world.user(userId);
  // A user of another tenant is as unknown to this app as one that does not exist.
  if (!found || found.tenant.id.toLowerCase() !== principal.tenantId.toLowerCase()) {
    return reject(
      RejectionCode.userNotFound,
      `User ${userId} was not found in tenant ${principal.tenantId}.`,
      'userId',
    );
  }
  if (cmd.joinMeetingIdSettings?.passcode) {
    return reject(
      RejectionCode.invalidProperty,
      'joinMeetingIdSettings.passcode: a custom passcode is not supported; set isPasscodeRequired and Graph generates one.',
      'joinMeetingIdSettings.passcode',
    );
  }
  if (cmd.joinMeetingIdSettings?.joinMeetingId) {
    return reject(
      RejectionCode.invalidProperty,
      'joinMeetingIdSettings.joinMeetingId is read-only: Graph assigns the join meeting id.',
      'joinMeetingIdSettings.joinMeetingId',
    );
  }
  const start = parseTime(cmd.startDateTime, 'startDateTime');
  if (typeof start === 'object' && start !== null) return start;
  const end = parseTime(cmd.endDateTime, 'endDateTime');
  if (typeof end === 'object' && end !== null) return end;
  const startMs = start ?? ctx.now;
  const endMs = end ?? startMs + DEFAULT_DURATION_MS;
  if (endMs < startMs)
    return reject(
      RejectionCode.invalidProperty,
      `endDateTime ${cmd.endDateTime} is before startDateTime ${graphDateTime(startMs)}.`,
      'endDateTime',
    );

  const threadId = meetingThreadId(ctx.ids.next());
  const organizerId = found.user.id;
  return {
    id: onlineMeetingId(organizerId, threadId),
    tenantId: found.tenant.id,
    organizer: { id: organizerId, displayName: found.user.displayName },
    createdByAppId: principal.appId,
    threadId,
    joinMeetingId: digitsFrom(ctx.ids.next(), 12),
    passcode: cmd.joinMeetingIdSettings?.isPasscodeRequired ? passcodeFrom(ctx.ids.next()) : null,
    subject: cmd.subject ?? null,
    externalId: cmd.externalId ?? null,
    startDateTime: graphDateTime(startMs),
    endDateTime: graphDateTime(endMs),
    lobbyBypassSettings: {
      scope: cmd.lobbyBypassSettings?.scope ?? DEFAULT_LOBBY_SCOPE,
      isDialInBypassEnabled: cmd.lobbyBypassSettings?.isDialInBypassEnabled ?? false,
    },
    joinWebUrl: buildJoinWebUrl({ threadId, messageId: '0', tenantId: found.tenant.id, organizerId }),
    createdAt: ctx.now,
    // Every simulated tenant has an audio-conferencing bridge and Cloud Video Interop, so a created meeting has a
    // dial-in conference id and a VTC id, as Graph gives a licensed organizer's meetings.
    conferenceId: digitsFrom(ctx.ids.next(), 9),
    videoTeleconferenceId: digitsFrom(ctx.ids.next(), 10),
  };
}

/**
 * The simulated tenants' dial-in bridge: fictional 555-01xx numbers (never a real bridge), one toll and one toll-free.
 * The dial-in URL follows Graph's shape `https://dialin.teams.microsoft.com/{bridge}?id={conferenceId}`.
 */
export const SIMULATED_BRIDGE = { tollNumber: '+12065550100', tollFreeNumber: '+18005550100' } as const;

function audioConferencingOf(m: OnlineMeeting): Record<string, unknown> | null {
  if (!m.conferenceId) return null;
  return {
    '@odata.type': '#microsoft.graph.audioConferencing',
    conferenceId: m.conferenceId,
    tollNumber: SIMULATED_BRIDGE.tollNumber,
    tollFreeNumber: SIMULATED_BRIDGE.tollFreeNumber,
    tollNumbers: [SIMULATED_BRIDGE.tollNumber],
    tollFreeNumbers: [SIMULATED_BRIDGE.tollFreeNumber],
    dialinUrl: `https://dialin.teams.microsoft.com/${m.tenantId}?id=${m.conferenceId}`,
  };
}

/** The Graph `onlineMeeting` body (v1.0 property names; unset properties as null, as Graph renders them). */
export function toGraphOnlineMeeting(m: OnlineMeeting): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.onlineMeeting',
    id: m.id,
    creationDateTime: graphDateTime(m.createdAt),
    startDateTime: m.startDateTime,
    endDateTime: m.endDateTime,
    subject: m.subject,
    externalId: m.externalId ?? null,
    isBroadcast: false,
    joinWebUrl: m.joinWebUrl,
    meetingOptionsWebUrl: null,
    videoTeleconferenceId: m.videoTeleconferenceId ?? null,
    audioConferencing: audioConferencingOf(m),
    allowedPresenters: 'everyone',
    isEntryExitAnnounced: true,
    recordAutomatically: false,
    chatInfo: {
      '@odata.type': '#microsoft.graph.chatInfo',
      threadId: m.threadId,
      messageId: '0',
      replyChainMessageId: null,
    },
    joinMeetingIdSettings: {
      '@odata.type': '#microsoft.graph.joinMeetingIdSettings',
      isPasscodeRequired: m.passcode !== null,
      joinMeetingId: m.joinMeetingId,
      passcode: m.passcode,
    },
    lobbyBypassSettings: { '@odata.type': '#microsoft.graph.lobbyBypassSettings', ...m.lobbyBypassSettings },
    participants: {
      '@odata.type': '#microsoft.graph.meetingParticipants',
      organizer: {
        '@odata.type': '#microsoft.graph.meetingParticipantInfo',
        identity: {
          '@odata.type': '#microsoft.graph.identitySet',
          user: {
            '@odata.type': '#microsoft.graph.identity',
            id: m.organizer.id,
            displayName: m.organizer.displayName,
            tenantId: m.tenantId,
            identityProvider: 'AAD',
          },
        },
        role: 'presenter',
        upn: null,
      },
      attendees: [],
    },
  };
}

/** A meeting a bot can join, from the world file or created through the API. */
export interface KnownMeeting {
  id: string;
  threadId: string;
  joinMeetingId: string;
  organizerId: string;
  createdByAppId: string | null;
  passcode: string | null;
  lobby: MeetingLobby;
}

export function knownWorldMeeting(m: WorldMeeting, tenantId: string): KnownMeeting {
  return {
    id: m.id,
    threadId: m.threadId,
    joinMeetingId: m.joinMeetingId,
    organizerId: m.organizerId,
    createdByAppId: m.createdByAppId,
    passcode: m.passcode,
    // World meetings written before lobbies existed let everyone in.
    lobby: {
      scope: m.lobbyBypassScope ?? 'everyone',
      isDialInBypassEnabled: m.isDialInBypassEnabled,
      organizerId: m.organizerId,
      tenantId,
    },
  };
}

export function knownOnlineMeeting(m: OnlineMeeting): KnownMeeting {
  return {
    id: m.id,
    threadId: m.threadId,
    joinMeetingId: m.joinMeetingId,
    organizerId: m.organizer.id,
    createdByAppId: m.createdByAppId,
    passcode: m.passcode,
    lobby: { ...m.lobbyBypassSettings, organizerId: m.organizer.id, tenantId: m.tenantId },
  };
}
