/**
 * /users/{userId}/onlineMeetings: an app creates a meeting for a user (application permission
 * OnlineMeetings.ReadWrite.All) and reads it back. `/me/onlineMeetings` is delegated-only in Graph: an app token
 * gets Graph's 400 for it.
 */
import type { FastifyInstance } from 'fastify';
import { toGraphOnlineMeeting, type CreateOnlineMeetingCommand } from '../domain/online-meeting.js';
import type { ApiVersion } from '../domain/types.js';
import { authenticate, baseUrl, type GraphDeps } from './context.js';
import { badRequest, orThrow } from '../http/errors.js';
import { onlineMeetingBodySchema } from './schemas/online-meeting.js';
import { bodyValidator } from '../http/validate.js';

const parseCreate = bodyValidator<CreateOnlineMeetingCommand>(onlineMeetingBodySchema);

type UserParams = { userId: string };

const JOIN_WEB_URL_FILTER = /^\s*JoinWebUrl\s+eq\s+'(.*)'\s*$/i;

/** The URL of `$filter=JoinWebUrl eq '…'` (OData doubles a quote inside a string); anything else is a 400. */
function joinWebUrlOf(filter: string | undefined): string {
  const m = filter === undefined ? null : JOIN_WEB_URL_FILTER.exec(filter);
  if (!m) throw badRequest(`Listing online meetings needs $filter=JoinWebUrl eq '{joinWebUrl}'${filter === undefined ? '' : `; got '${filter}'`}.`, '$filter');
  return m[1]!.replace(/''/g, "'");
}

export function onlineMeetingRoutes(app: FastifyInstance, deps: GraphDeps, version: ApiVersion): void {
  const context = (base: string, userId: string): string => `${base}/${version}/$metadata#users('${userId}')/onlineMeetings/$entity`;

  app.post<{ Params: UserParams }>(`/${version}/users/:userId/onlineMeetings`, async (req, reply) => {
    const principal = await authenticate(deps, req);
    const m = orThrow(await deps.service.createOnlineMeeting(principal, req.params.userId, parseCreate(req.body)));
    const base = baseUrl(req);
    return reply
      .code(201)
      .header('Location', `${base}/${version}/users/${req.params.userId}/onlineMeetings/${m.id}`)
      .send({ '@odata.context': context(base, req.params.userId), ...toGraphOnlineMeeting(m) });
  });

  // Graph also updates and deletes a meeting (PATCH, DELETE): not served here, 501 rather than 405.
  app.get<{ Params: UserParams & { meetingId: string } }>(`/${version}/users/:userId/onlineMeetings/:meetingId`, { config: { graphAlsoServes: ['PATCH', 'DELETE'] } }, async (req) => {
    const principal = await authenticate(deps, req);
    const m = orThrow(await deps.service.getOnlineMeeting(principal, req.params.userId, req.params.meetingId));
    return { '@odata.context': context(baseUrl(req), req.params.userId), ...toGraphOnlineMeeting(m) };
  });

  // Graph lists a user's meetings only by their join URL: GET …/onlineMeetings?$filter=JoinWebUrl eq '{joinWebUrl}'.
  app.get<{ Params: UserParams; Querystring: Record<string, string | undefined> }>(`/${version}/users/:userId/onlineMeetings`, async (req) => {
    const principal = await authenticate(deps, req);
    const joinWebUrl = joinWebUrlOf(req.query.$filter);
    const found = orThrow(await deps.service.findOnlineMeetingsByJoinWebUrl(principal, req.params.userId, joinWebUrl));
    return { '@odata.context': `${baseUrl(req)}/${version}/$metadata#users('${req.params.userId}')/onlineMeetings`, value: found.map(toGraphOnlineMeeting) };
  });

  // Graph's answer to an app-only token on /me (there is no signed-in user).
  const meOnly = async (req: Parameters<typeof authenticate>[1]): Promise<never> => {
    await authenticate(deps, req);
    throw badRequest('/me request is only valid with delegated authentication flow. Use /users/{userId}/onlineMeetings with an application token.', 'me');
  };
  app.post(`/${version}/me/onlineMeetings`, meOnly);
}
