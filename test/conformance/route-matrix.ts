/**
 * The routes a test matrix runs over, enumerated from the running server (`sb.routes`, collected by an onRoute
 * hook) rather than listed by hand: a Graph route added later is covered without touching the tests. Each route
 * is filled with real ids and a body that would succeed (and change state) if the request got through.
 */
import type { RouteInfo } from '../../src/app.js';
import { inviteUser, MEETING_A, MEETING_B, ORGANIZER, TENANT, USERS, type Conformance } from './fixture.js';

export interface RouteIds {
  callId: string;
  participantId: string;
  operationId: string;
  callbackUri: string;
  /** An online meeting of USERS.bob (the onlineMeetings routes). */
  meetingId?: string;
}

export interface FilledRequest {
  route: RouteInfo;
  method: string;
  path: string;
  body?: unknown;
}

const GRAPH = /^\/(v1\.0|beta)\//i;
/** Routes that are public by design: the Entra ID token endpoint, OpenID discovery and the notification keys. */
const IDENTITY = /^\/(:tenant\/(oauth2|v2\.0|\.well-known|discovery)\/|common\/discovery\/|(v1\/)?\.well-known\/)/i;
/** The control API: no Graph token; the control key beyond loopback (test/conformance/control-key.test.ts). */
const CONTROL = /^\/_switchboard(\/|$)/;

export type RouteKind = 'graph' | 'identity' | 'control';

export function routeKind(route: RouteInfo): RouteKind | null {
  if (GRAPH.test(route.url)) return 'graph';
  if (IDENTITY.test(route.url)) return 'identity';
  if (CONTROL.test(route.url)) return 'control';
  return null;
}

export const graphRoutes = (routes: readonly RouteInfo[]): RouteInfo[] => routes.filter((r) => routeKind(r) === 'graph');

const ANY_JOIN_URL = `https://teams.microsoft.com/l/meetup-join/19%3ameeting_route-matrix%40thread.v2/0?context=%7b%22Tid%22%3a%22${TENANT}%22%2c%22Oid%22%3a%22${USERS.bob}%22%7d`;
const serviceHosted = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };

/** The request for `route` on the call `ids.callId`: every path parameter filled, a body that would succeed. */
export function fillRoute(route: RouteInfo, ids: RouteIds): FilledRequest {
  const url = route.url;
  let action: string | null = null;
  let body: unknown;
  if (route.method === 'POST' && /\/participants\/:participantId\/:action$/.test(url)) {
    action = 'mute';
    body = { clientContext: 'auth-matrix' };
  } else if (route.method === 'POST' && /\/participants\/:action$/.test(url)) {
    action = 'invite';
    body = { participants: [inviteUser(USERS.megan)], clientContext: 'auth-matrix' };
  } else if (route.method === 'POST' && /\/calls\/:callId\/:action$/.test(url)) {
    action = 'keepAlive';
  } else if (route.method === 'POST' && /\/onlineMeetings$/.test(url)) {
    body = { subject: 'auth-matrix' };
  } else if (route.method === 'POST' && /\/calls$/.test(url)) {
    body = {
      callbackUri: ids.callbackUri,
      requestedModalities: ['audio'],
      mediaConfig: serviceHosted,
      chatInfo: { threadId: MEETING_B, messageId: '0' },
      meetingInfo: { '@odata.type': '#microsoft.graph.organizerMeetingInfo', organizer: { user: { id: ORGANIZER, tenantId: TENANT } } },
      tenantId: TENANT,
    };
  }
  // A catch-all (`…/calls/*`): a Graph calling path under the call that Switchboard does not serve.
  const path = url.replace(/\*$/, `${ids.callId}/audioRoutingGroups`).replace(/:(\w+)/g, (_m, name: string) => {
    switch (name) {
      case 'callId':
        return ids.callId;
      case 'participantId':
        return ids.participantId;
      case 'operationId':
        return ids.operationId;
      case 'userId':
        return USERS.bob;
      case 'meetingId':
        if (!ids.meetingId) throw new Error(`no meetingId for ${route.method} ${url}: create an online meeting first`);
        return ids.meetingId;
      case 'action':
        if (action === null) throw new Error(`no action chosen for ${route.method} ${url}: teach fillRoute about this route`);
        return action;
      default:
        throw new Error(`unknown path parameter :${name} in ${route.method} ${url}: teach fillRoute about it`);
    }
  });
  // Graph lists online meetings only by join URL; any well-formed one answers (an empty list when it names none).
  const query = /\/onlineMeetings$/.test(url) && route.method !== 'POST' ? `?$filter=${encodeURIComponent(`JoinWebUrl eq '${ANY_JOIN_URL}'`)}` : '';
  return { route, method: route.method, path: path + query, ...(body !== undefined ? { body } : {}) };
}

/** The ids a matrix fills routes with: the bot's leg in meeting A, and Adele invited into it and joined. */
export async function meetingCallWithJoinedInvitee(c: Conformance): Promise<{ callId: string; operationId: string; participantId: string }> {
  const callId = await c.joinMeeting(MEETING_A);
  const invited = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, { participants: [inviteUser(USERS.adele)] });
  if (invited.status !== 200) throw new Error(`invite for the matrix fixture: ${invited.status} ${invited.text}`);
  const operationId = invited.body.id as string;
  await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}/operations/${operationId}`);
  const roster = await c.raw('GET', `/v1.0/communications/calls/${callId}/participants`);
  const adele = (roster.body.value as { id: string; info: { identity: { user?: { id: string } } } }[]).find((p) => p.info.identity.user?.id === USERS.adele);
  if (!adele) throw new Error(`Adele is not in the roster of ${callId}: ${roster.text}`);
  return { callId, operationId, participantId: adele.id };
}
