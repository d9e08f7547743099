/**
 * /users/{userId}/onlineMeetings as route table entries: an app creates a meeting for a user (application permission
 * OnlineMeetings.ReadWrite.All), reads, updates and deletes it, creates or gets it by externalId, and finds it by
 * its VTC id (/communications/onlineMeetings). `/me/onlineMeetings` is delegated-only in Graph: an app token
 * gets Graph's 400 for it.
 */
import type { FastifyRequest } from 'fastify';
import type { UpdateOnlineMeetingCommand } from '../domain/online-meeting-changes.js';
import { toGraphOnlineMeeting, type CreateOnlineMeetingCommand } from '../domain/online-meeting.js';
import type { ApiVersion } from '../domain/types.js';
import { baseUrl } from './context.js';
import { badRequest, orThrow } from '../http/errors.js';
import { onlineMeetingBodySchema } from './schemas/online-meeting.js';
import { bodyValidator } from '../http/validate.js';
import { BOTH, route, type GraphRoute } from './routes/define.js';

const parseCreate = bodyValidator<CreateOnlineMeetingCommand>(onlineMeetingBodySchema);
const parseUpdate = bodyValidator<UpdateOnlineMeetingCommand>(onlineMeetingBodySchema);

const JOIN_WEB_URL_FILTER = /^\s*JoinWebUrl\s+eq\s+'(.*)'\s*$/i;
const VTC_FILTER = /^\s*VideoTeleconferenceId\s+eq\s+'(.*)'\s*$/i;

/** The string of `$filter=<Property> eq '…'` (OData doubles a quote inside a string); anything else is a 400. */
function filterValue(filter: string | undefined, pattern: RegExp, expected: string): string {
  const m = filter === undefined ? null : pattern.exec(filter);
  if (!m)
    throw badRequest(
      `Listing online meetings needs $filter=${expected}${filter === undefined ? '' : `; got '${filter}'`}.`,
      '$filter',
    );
  return m[1]!.replace(/''/g, "'");
}

const entityContext = (req: FastifyRequest, version: ApiVersion, userId: string): string =>
  `${baseUrl(req)}/${version}/$metadata#users('${userId}')/onlineMeetings/$entity`;

const meetingUrl = (req: FastifyRequest, version: ApiVersion, userId: string, meetingId: string): string =>
  `${baseUrl(req)}/${version}/users/${userId}/onlineMeetings/${meetingId}`;

const USER_MEETINGS = '/users/:userId/onlineMeetings';
const USER_MEETING = '/users/:userId/onlineMeetings/:meetingId';

export const ONLINE_MEETING_ROUTES: readonly GraphRoute[] = [
  route({
    method: 'POST',
    mount: 'version',
    path: USER_MEETINGS,
    versions: BOTH,
    status: 201,
    doc: {
      accepts: '(`OnlineMeetings.ReadWrite.All`)',
      answer: '+ `onlineMeeting` (with `audioConferencing` and `videoTeleconferenceId`)',
      notifications: '—',
    },
    async handle(req, reply, { service, principal, version }) {
      const { userId } = req.params;
      const m = orThrow(await service.createOnlineMeeting(principal, userId, parseCreate(req.body)));
      reply.header('Location', meetingUrl(req, version, userId, m.id));
      return { '@odata.context': entityContext(req, version, userId), ...toGraphOnlineMeeting(m) };
    },
  }),
  route({
    method: 'GET',
    mount: 'version',
    path: USER_MEETING,
    versions: BOTH,
    status: 200,
    doc: { answer: '+ `onlineMeeting`', notifications: '—' },
    async handle(req, _reply, { service, principal, version }) {
      const { userId, meetingId } = req.params;
      const m = orThrow(await service.getOnlineMeeting(principal, userId, meetingId));
      return { '@odata.context': entityContext(req, version, userId), ...toGraphOnlineMeeting(m) };
    },
  }),
  // onlinemeeting-update.md: 200 with the updated onlineMeeting.
  route({
    method: 'PATCH',
    mount: 'version',
    path: USER_MEETING,
    versions: BOTH,
    status: 200,
    doc: {
      accepts: '(`subject`, `startDateTime` + `endDateTime` together, `lobbyBypassSettings`)',
      answer: '+ the updated `onlineMeeting`',
      notifications: '—',
      notYet:
        'the other updatable settings (`allowRecording`, …) are not kept; `participants.organizer` and `joinMeetingIdSettings` are 400',
    },
    async handle(req, _reply, { service, principal, version }) {
      const { userId, meetingId } = req.params;
      const m = orThrow(await service.updateOnlineMeeting(principal, userId, meetingId, parseUpdate(req.body)));
      return { '@odata.context': entityContext(req, version, userId), ...toGraphOnlineMeeting(m) };
    },
  }),
  // onlinemeeting-delete.md: 204 No Content.
  route({
    method: 'DELETE',
    mount: 'version',
    path: USER_MEETING,
    versions: BOTH,
    status: 204,
    doc: { notifications: '—' },
    async handle(req, _reply, { service, principal }) {
      orThrow(await service.deleteOnlineMeeting(principal, req.params.userId, req.params.meetingId));
      return undefined;
    },
  }),
  // onlinemeeting-createorget.md: 201 Created for a new meeting, 200 OK for the user's meeting with that externalId.
  route({
    method: 'POST',
    mount: 'version',
    path: '/users/:userId/onlineMeetings/createOrGet',
    versions: BOTH,
    status: 201,
    otherStatus: 200,
    doc: {
      accepts: '(`externalId` required)',
      answer: "+ a new `onlineMeeting`, or 200 + the user's meeting with that `externalId`",
      notifications: '—',
    },
    async handle(req, reply, { service, principal, version }) {
      const { userId } = req.params;
      const r = orThrow(await service.createOrGetOnlineMeeting(principal, userId, parseCreate(req.body)));
      if (r.created) reply.header('Location', meetingUrl(req, version, userId, r.meeting.id));
      else reply.code(200);
      return { '@odata.context': entityContext(req, version, userId), ...toGraphOnlineMeeting(r.meeting) };
    },
  }),
  // Graph lists a user's meetings only by their join URL: GET …/onlineMeetings?$filter=JoinWebUrl eq '{joinWebUrl}'.
  route({
    method: 'GET',
    mount: 'version',
    path: USER_MEETINGS,
    versions: BOTH,
    status: 200,
    doc: {
      accepts: "`?$filter=JoinWebUrl eq '{joinWebUrl}'`",
      answer: '+ `value` (the meeting, or empty)',
      notifications: '—',
      notYet: 'other `$filter`s (400 naming `$filter`)',
    },
    async handle(req, _reply, { service, principal, version }) {
      const { userId } = req.params;
      const joinWebUrl = filterValue(req.query.$filter, JOIN_WEB_URL_FILTER, "JoinWebUrl eq '{joinWebUrl}'");
      const found = orThrow(await service.findOnlineMeetingsByJoinWebUrl(principal, userId, joinWebUrl));
      return {
        '@odata.context': `${baseUrl(req)}/${version}/$metadata#users('${userId}')/onlineMeetings`,
        value: found.map(toGraphOnlineMeeting),
      };
    },
  }),
  // onlinemeeting-get.md example 1: GET /communications/onlineMeetings/?$filter=VideoTeleconferenceId eq '{id}' (an
  // application token, the whole tenant), a collection of the one meeting or none. The documentation writes the
  // path with a trailing slash.
  route({
    method: 'GET',
    mount: 'version',
    path: '/communications/onlineMeetings',
    alsoAt: ['/communications/onlineMeetings/'],
    versions: BOTH,
    status: 200,
    doc: {
      accepts: "`?$filter=VideoTeleconferenceId eq '{id}'` (also with the docs' trailing `/`)",
      answer: "+ `value` (the tenant's meeting, or empty)",
      notifications: '—',
      notYet: 'other `$filter`s (400 naming `$filter`)',
    },
    async handle(req, _reply, { service, principal, version }) {
      const vtcId = filterValue(req.query.$filter, VTC_FILTER, "VideoTeleconferenceId eq '{videoTeleconferenceId}'");
      const found = orThrow(await service.findOnlineMeetingsByVideoTeleconferenceId(principal, vtcId));
      return {
        '@odata.context': `${baseUrl(req)}/${version}/$metadata#communications/onlineMeetings`,
        value: found.map(toGraphOnlineMeeting),
      };
    },
  }),
  // Graph's answer to an app-only token on /me (there is no signed-in user): the route only ever refuses.
  route({
    method: 'POST',
    mount: 'version',
    path: '/me/onlineMeetings',
    versions: BOTH,
    status: 400,
    doc: { answer: "(delegated-only in Graph: an app token gets Graph's 400)", notifications: '—' },
    handle() {
      return Promise.reject(
        badRequest(
          '/me request is only valid with delegated authentication flow. Use /users/{userId}/onlineMeetings with an application token.',
          'me',
        ),
      );
    },
  }),
];
