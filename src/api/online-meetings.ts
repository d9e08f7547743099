/**
 * /users/{userId}/onlineMeetings: an app creates a meeting for a user (application permission
 * OnlineMeetings.ReadWrite.All), reads, updates and deletes it, creates or gets it by externalId, and finds it by
 * its VTC id (/communications/onlineMeetings). `/me/onlineMeetings` is delegated-only in Graph: an app token
 * gets Graph's 400 for it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UpdateOnlineMeetingCommand } from '../domain/online-meeting-changes.js';
import { toGraphOnlineMeeting, type CreateOnlineMeetingCommand } from '../domain/online-meeting.js';
import type { ApiVersion } from '../domain/types.js';
import { authenticate, baseUrl, type GraphDeps } from './context.js';
import { badRequest, orThrow } from '../http/errors.js';
import { onlineMeetingBodySchema } from './schemas/online-meeting.js';
import { bodyValidator } from '../http/validate.js';

const parseCreate = bodyValidator<CreateOnlineMeetingCommand>(onlineMeetingBodySchema);
const parseUpdate = bodyValidator<UpdateOnlineMeetingCommand>(onlineMeetingBodySchema);

type UserParams = { userId: string };

type MeetingParams = UserParams & { meetingId: string };

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

export function onlineMeetingRoutes(app: FastifyInstance, deps: GraphDeps, version: ApiVersion): void {
  const context = (base: string, userId: string): string =>
    `${base}/${version}/$metadata#users('${userId}')/onlineMeetings/$entity`;

  app.post<{ Params: UserParams }>(`/${version}/users/:userId/onlineMeetings`, async (req, reply) => {
    const principal = await authenticate(deps, req);
    const m = orThrow(await deps.service.createOnlineMeeting(principal, req.params.userId, parseCreate(req.body)));
    const base = baseUrl(req);
    return reply
      .code(201)
      .header('Location', `${base}/${version}/users/${req.params.userId}/onlineMeetings/${m.id}`)
      .send({ '@odata.context': context(base, req.params.userId), ...toGraphOnlineMeeting(m) });
  });

  app.get<{ Params: MeetingParams }>(`/${version}/users/:userId/onlineMeetings/:meetingId`, async (req) => {
    const principal = await authenticate(deps, req);
    const m = orThrow(await deps.service.getOnlineMeeting(principal, req.params.userId, req.params.meetingId));
    return { '@odata.context': context(baseUrl(req), req.params.userId), ...toGraphOnlineMeeting(m) };
  });

  // onlinemeeting-update.md: 200 with the updated onlineMeeting.
  app.patch<{ Params: MeetingParams }>(`/${version}/users/:userId/onlineMeetings/:meetingId`, async (req) => {
    const principal = await authenticate(deps, req);
    const m = orThrow(
      await deps.service.updateOnlineMeeting(principal, req.params.userId, req.params.meetingId, parseUpdate(req.body)),
    );
    return { '@odata.context': context(baseUrl(req), req.params.userId), ...toGraphOnlineMeeting(m) };
  });

  // onlinemeeting-delete.md: 204 No Content.
  app.delete<{ Params: MeetingParams }>(`/${version}/users/:userId/onlineMeetings/:meetingId`, async (req, reply) => {
    const principal = await authenticate(deps, req);
    orThrow(await deps.service.deleteOnlineMeeting(principal, req.params.userId, req.params.meetingId));
    return reply.code(204).send();
  });

  // onlinemeeting-createorget.md: 201 Created for a new meeting, 200 OK for the user's meeting with that externalId.
  app.post<{ Params: UserParams }>(`/${version}/users/:userId/onlineMeetings/createOrGet`, async (req, reply) => {
    const principal = await authenticate(deps, req);
    const r = orThrow(await deps.service.createOrGetOnlineMeeting(principal, req.params.userId, parseCreate(req.body)));
    const base = baseUrl(req);
    if (r.created)
      reply.header('Location', `${base}/${version}/users/${req.params.userId}/onlineMeetings/${r.meeting.id}`);
    return reply
      .code(r.created ? 201 : 200)
      .send({ '@odata.context': context(base, req.params.userId), ...toGraphOnlineMeeting(r.meeting) });
  });

  // onlinemeeting-get.md example 1: GET /communications/onlineMeetings/?$filter=VideoTeleconferenceId eq '{id}' (an
  // application token, the whole tenant), a collection of the one meeting or none.
  const byVtc = async (
    req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
  ): Promise<Record<string, unknown>> => {
    const principal = await authenticate(deps, req);
    const vtcId = filterValue(req.query.$filter, VTC_FILTER, "VideoTeleconferenceId eq '{videoTeleconferenceId}'");
    const found = orThrow(await deps.service.findOnlineMeetingsByVideoTeleconferenceId(principal, vtcId));
    return {
      '@odata.context': `${baseUrl(req)}/${version}/$metadata#communications/onlineMeetings`,
      value: found.map(toGraphOnlineMeeting),
    };
  };
  app.get(`/${version}/communications/onlineMeetings`, byVtc);
  // The documentation writes the path with a trailing slash (`/communications/onlineMeetings/?$filter=…`).
  app.get(`/${version}/communications/onlineMeetings/`, byVtc);

  // Graph lists a user's meetings only by their join URL: GET …/onlineMeetings?$filter=JoinWebUrl eq '{joinWebUrl}'.
  app.get<{ Params: UserParams; Querystring: Record<string, string | undefined> }>(
    `/${version}/users/:userId/onlineMeetings`,
    async (req) => {
      const principal = await authenticate(deps, req);
      const joinWebUrl = filterValue(req.query.$filter, JOIN_WEB_URL_FILTER, "JoinWebUrl eq '{joinWebUrl}'");
      const found = orThrow(
        await deps.service.findOnlineMeetingsByJoinWebUrl(principal, req.params.userId, joinWebUrl),
      );
      return {
        '@odata.context': `${baseUrl(req)}/${version}/$metadata#users('${req.params.userId}')/onlineMeetings`,
        value: found.map(toGraphOnlineMeeting),
      };
    },
  );

  // Graph's answer to an app-only token on /me (there is no signed-in user).
  const meOnly = async (req: Parameters<typeof authenticate>[1]): Promise<never> => {
    await authenticate(deps, req);
    throw badRequest(
      '/me request is only valid with delegated authentication flow. Use /users/{userId}/onlineMeetings with an application token.',
      'me',
    );
  };
  app.post(`/${version}/me/onlineMeetings`, meOnly);
}
