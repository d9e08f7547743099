/**
 * The rest of the onlineMeetings surface an app uses (application permission, a user in the path):
 * `PATCH` and `DELETE …/onlineMeetings/{id}` (onlinemeeting-update.md, onlinemeeting-delete.md), `POST
 * …/onlineMeetings/createOrGet` (onlinemeeting-createorget.md) and `GET /communications/onlineMeetings?$filter=
 * VideoTeleconferenceId eq '…'` (onlinemeeting-get.md example 1). Pure deciders over the stored meetings.
 */
import type { DomainContext } from './clock.js';
import {
  decideCreateOnlineMeeting,
  decideReadOnlineMeeting,
  graphDateTime,
  ONLINE_MEETINGS_ROLE,
  parseTime,
  requireOnlineMeetingsRole,
  type CreateOnlineMeetingCommand,
} from './online-meeting.js';
import type { Principal } from './permissions.js';
import { isRejection, reject, RejectionCode, type Rejection } from './rejections.js';
import type { OnlineMeeting } from './types.js';
import type { WorldView } from './world.js';

/** What `PATCH` may change of what Switchboard keeps of a meeting (the create body's shape). */
export type UpdateOnlineMeetingCommand = CreateOnlineMeetingCommand & { participants?: Record<string, unknown> | null };

/** The meeting `userId` organizes in the caller's tenant, for a change: needs OnlineMeetings.ReadWrite.All (else 403), else 404. */
function ownMeetingToChange(
  principal: Principal,
  userId: string,
  meetingId: string,
  m: OnlineMeeting | undefined,
  action: string,
): Rejection | OnlineMeeting {
  const denied = requireOnlineMeetingsRole(principal, [ONLINE_MEETINGS_ROLE], action);
  if (denied) return denied;
  return decideReadOnlineMeeting(principal, userId, meetingId, m);
}

/**
 * PATCH: "supply only the values for properties that should be updated". Adjusting the time needs both
 * startDateTime and endDateTime; the organizer can't be changed; the join meeting id and passcode are Graph's.
 * Returns the meeting as it is after the change (200 with the updated onlineMeeting).
 */
export function decideUpdateOnlineMeeting(
  principal: Principal,
  userId: string,
  meetingId: string,
  m: OnlineMeeting | undefined,
  cmd: UpdateOnlineMeetingCommand,
): Rejection | OnlineMeeting {
  const found = ownMeetingToChange(principal, userId, meetingId, m, 'Updating an online meeting');
  if (isRejection(found)) return found;
  const hasStart = cmd.startDateTime !== undefined && cmd.startDateTime !== null;
  const hasEnd = cmd.endDateTime !== undefined && cmd.endDateTime !== null;
  if (hasStart !== hasEnd) {
    const missing = hasStart ? 'endDateTime' : 'startDateTime';
    return reject(
      RejectionCode.invalidProperty,
      `Adjusting the start or end of an online meeting needs both startDateTime and endDateTime; ${missing} is missing.`,
      missing,
    );
  }
  const updated: OnlineMeeting = { ...found };
  if (hasStart) {
    const start = parseTime(cmd.startDateTime, 'startDateTime');
    if (typeof start === 'object' && start !== null) return start;
    const end = parseTime(cmd.endDateTime, 'endDateTime');
    if (typeof end === 'object' && end !== null) return end;
    if (start === null || end === null)
      return reject(
        RejectionCode.invalidProperty,
        'startDateTime and endDateTime are required together.',
        'startDateTime',
      );
    if (end < start)
      return reject(
        RejectionCode.invalidProperty,
        `endDateTime ${cmd.endDateTime} is before startDateTime ${cmd.startDateTime}.`,
        'endDateTime',
      );
    updated.startDateTime = graphDateTime(start);
    updated.endDateTime = graphDateTime(end);
  }
  const organizer = cmd.participants?.organizer;
  if (organizer !== undefined && organizer !== null) {
    return reject(
      RejectionCode.invalidProperty,
      "participants.organizer can't be updated: the organizer of a meeting can't change after it is created.",
      'participants.organizer',
    );
  }
  if (cmd.joinMeetingIdSettings) {
    return reject(
      RejectionCode.invalidProperty,
      'joinMeetingIdSettings is read-only: Graph assigns the join meeting id and passcode.',
      'joinMeetingIdSettings',
    );
  }
  if (cmd.externalId !== undefined && cmd.externalId !== (found.externalId ?? null)) {
    return reject(
      RejectionCode.invalidProperty,
      'externalId is not a property PATCH updates; it is set when the meeting is created (createOrGet).',
      'externalId',
    );
  }
  if (cmd.subject !== undefined) updated.subject = cmd.subject;
  const lobby = cmd.lobbyBypassSettings;
  if (lobby) {
    updated.lobbyBypassSettings = {
      scope: lobby.scope ?? found.lobbyBypassSettings.scope,
      isDialInBypassEnabled: lobby.isDialInBypassEnabled ?? found.lobbyBypassSettings.isDialInBypassEnabled,
    };
  }
  return updated;
}

/** DELETE (204): the meeting is gone; a bot can no longer join it, and GET answers 404. */
export function decideDeleteOnlineMeeting(
  principal: Principal,
  userId: string,
  meetingId: string,
  m: OnlineMeeting | undefined,
): Rejection | OnlineMeeting {
  return ownMeetingToChange(principal, userId, meetingId, m, 'Deleting an online meeting');
}

/**
 * createOrGet: `externalId` is required; "the combination of tenantId, userId, and externalId serves as the
 * identifier", so the user's meeting with that externalId comes back unchanged (200), else a new one is created
 * with it (201). "An error is thrown if the endDateTime is provided without the startDateTime".
 */
export function decideCreateOrGetOnlineMeeting(
  principal: Principal,
  userId: string,
  cmd: CreateOnlineMeetingCommand,
  usersMeetings: readonly OnlineMeeting[],
  world: WorldView,
  ctx: DomainContext,
): Rejection | { meeting: OnlineMeeting; created: boolean } {
  const denied = requireOnlineMeetingsRole(
    principal,
    [ONLINE_MEETINGS_ROLE],
    'Creating or getting an online meeting for a user',
  );
  if (denied) return denied;
  if (typeof cmd.externalId !== 'string' || cmd.externalId.length === 0)
    return reject(RejectionCode.invalidProperty, 'externalId is required for createOrGet.', 'externalId');
  if (cmd.endDateTime && !cmd.startDateTime)
    return reject(RejectionCode.invalidProperty, 'endDateTime was given without startDateTime.', 'startDateTime');
  const existing = usersMeetings.find(
    (m) =>
      m.externalId === cmd.externalId &&
      m.tenantId.toLowerCase() === principal.tenantId.toLowerCase() &&
      m.organizer.id.toLowerCase() === userId.toLowerCase(),
  );
  if (existing) return { meeting: existing, created: false };
  const meeting = decideCreateOnlineMeeting(principal, userId, cmd, world, ctx);
  return isRejection(meeting) ? meeting : { meeting, created: true };
}

/**
 * GET /communications/onlineMeetings?$filter=VideoTeleconferenceId eq '…' (application token, tenant-wide: "doesn't
 * support application access policy"): a collection holding the caller's tenant's meeting with that VTC id, or empty.
 */
export function decideFindByVideoTeleconferenceId(
  principal: Principal,
  vtcId: string,
  tenantMeetings: readonly OnlineMeeting[],
): Rejection | OnlineMeeting[] {
  const denied = requireOnlineMeetingsRole(
    principal,
    [ONLINE_MEETINGS_ROLE, 'OnlineMeetings.Read.All'],
    'Reading an online meeting',
  );
  if (denied) return denied;
  return tenantMeetings.filter(
    (m) => m.tenantId.toLowerCase() === principal.tenantId.toLowerCase() && m.videoTeleconferenceId === vtcId,
  );
}
