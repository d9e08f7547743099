/**
 * The routes a test matrix runs over, enumerated from the running server (`sb.routes`, collected by an onRoute
 * hook) rather than listed by hand: a Graph route added later is covered without touching the tests. An action
 * route (`…/:action`) is expanded into one request per action of the registry (src/api/actions/) bound there on
 * the route's version, served or not yet served: an action added to the registry is in the matrices at once, and
 * fails them until ACTION_BODIES has a body for it; a route of the route table (src/api/routes/table.ts) that reads
 * a body likewise until ROUTE_BODIES has one. Each request is filled with real ids and a body that would
 * succeed (and change state) if the request got through.
 */
import type { RouteInfo } from '../../src/app.js';
import type { ActionBinding, GraphAction } from '../../src/api/actions/define.js';
import { ACTIONS } from '../../src/api/actions/registry.js';
import { routeKey } from '../../src/api/routes/define.js';
import { routeEntryOf } from '../../src/api/routes/table.js';
import { inviteUser, MEETING_A, MEETING_B, ORGANIZER, TENANT, USERS, type Conformance } from './fixture.js';

export interface RouteIds {
  callId: string;
  participantId: string;
  operationId: string;
  callbackUri: string;
  /** An online meeting of USERS.bob (the onlineMeetings routes). */
  meetingId?: string;
  /** An audioRoutingGroup of the call (the audioRoutingGroups routes); a made-up id where only a refusal is wanted. */
  groupId?: string;
}

export interface FilledRequest {
  route: RouteInfo;
  method: string;
  path: string;
  body?: unknown;
  /** The registry action an action route was filled with. */
  action?: GraphAction;
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

export const graphRoutes = (routes: readonly RouteInfo[]): RouteInfo[] =>
  routes.filter((r) => routeKind(r) === 'graph');

const ANY_JOIN_URL = `https://teams.microsoft.com/l/meetup-join/19%3ameeting_route-matrix%40thread.v2/0?context=%7b%22Tid%22%3a%22${TENANT}%22%2c%22Oid%22%3a%22${USERS.bob}%22%7d`;
const serviceHosted = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };

/**
 * A body each registry action accepts, keyed `"{binding} {name}"`: schema-valid (else a 400 would come first), and
 * where the call allows it one that would succeed on the matrix's call (Adele joined in meeting A): only the
 * refusal under test may stop it. A registry action without one fails the matrices.
 */
const ACTION_BODIES: Record<string, (ids: RouteIds) => unknown> = {
  'call answer': (ids) => ({ callbackUri: ids.callbackUri, acceptedModalities: ['audio'], mediaConfig: serviceHosted }),
  'call reject': () => ({ reason: 'busy' }),
  'call keepAlive': () => undefined,
  'call mute': () => ({ clientContext: 'matrix' }),
  'call unmute': () => ({ clientContext: 'matrix' }),
  'call redirect': () => ({ targets: [inviteUser(USERS.megan)] }),
  'call transfer': () => ({ transferTarget: inviteUser(USERS.megan) }),
  'call subscribeToTone': () => ({ clientContext: 'matrix' }),
  'call sendDtmfTones': () => ({ tones: ['tone1', 'pound'], clientContext: 'matrix' }),
  'call playPrompt': () => ({
    prompts: [
      { '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri: 'https://cdn.contoso.com/beep.wav' } },
    ],
    clientContext: 'matrix',
  }),
  'call recordResponse': () => ({ maxRecordDurationInSeconds: 5, clientContext: 'matrix' }),
  'call cancelMediaProcessing': () => ({ clientContext: 'matrix' }),
  'call updateRecordingStatus': () => ({ status: 'recording', clientContext: 'matrix' }),
  'call changeScreenSharingRole': () => ({ role: 'viewer' }),
  'call addLargeGalleryView': () => ({ clientContext: 'matrix' }),
  'participants invite': () => ({ participants: [inviteUser(USERS.megan)], clientContext: 'matrix' }),
  'participants muteAll': (ids) => ({ participants: [ids.participantId], clientContext: 'matrix' }),
  'participants configureMixer': () => ({ clientContext: 'matrix' }),
  'participants admitAllFromLobby': () => ({ clientContext: 'matrix' }),
  'participants lowerAllHands': () => ({ clientContext: 'matrix' }),
  'participant mute': () => ({ clientContext: 'matrix' }),
  'participant startHoldMusic': () => ({ clientContext: 'matrix' }),
  'participant stopHoldMusic': () => ({ clientContext: 'matrix' }),
  'participant admitFromLobby': () => ({ clientContext: 'matrix' }),
  'participant removeFromLobby': () => ({ clientContext: 'matrix' }),
  'participant reportSyntheticMedia': () => ({}),
};

/**
 * A body each route table entry that reads one (POST, PATCH) accepts, keyed by `routeKey` (method, mount, path):
 * schema-valid, and one that would succeed on the matrix's call. A table entry without one fails the matrices.
 */
const ROUTE_BODIES: Record<string, (ids: RouteIds) => unknown> = {
  'POST calls ': (ids) => ({
    callbackUri: ids.callbackUri,
    requestedModalities: ['audio'],
    mediaConfig: serviceHosted,
    chatInfo: { threadId: MEETING_B, messageId: '0' },
    meetingInfo: {
      '@odata.type': '#microsoft.graph.organizerMeetingInfo',
      organizer: { user: { id: ORGANIZER, tenantId: TENANT } },
    },
    tenantId: TENANT,
  }),
  'POST calls /:callId/audioRoutingGroups': (ids) => ({
    id: 'matrix-route',
    routingMode: 'oneToOne',
    sources: [ids.participantId],
    receivers: [ids.participantId],
  }),
  'PATCH calls /:callId/audioRoutingGroups/:groupId': (ids) => ({ receivers: [ids.participantId] }),
  'POST version /users/:userId/onlineMeetings': () => ({ subject: 'auth-matrix' }),
  'POST version /users/:userId/onlineMeetings/createOrGet': () => ({
    subject: 'auth-matrix',
    externalId: 'auth-matrix',
  }),
  'PATCH version /users/:userId/onlineMeetings/:meetingId': () => ({ subject: 'auth-matrix renamed' }),
  'POST version /me/onlineMeetings': () => ({ subject: 'auth-matrix' }),
};

const ACTION_ROUTE: [RegExp, ActionBinding][] = [
  [/\/participants\/:participantId\/:action$/, 'participant'],
  [/\/participants\/:action$/, 'participants'],
  [/\/calls\/:callId\/:action$/, 'call'],
];

/**
 * The registry actions an action route is filled with: on `/communications/calls` every action bound there on the
 * route's version, served or 501; on the deprecated `/app/calls`, which runs the same generated handler, the first
 * of them only (it keeps the matrices' time down). [] for a route that is no action route.
 */
export function actionsOf(route: RouteInfo): GraphAction[] {
  if (route.method !== 'POST') return [];
  const on = ACTION_ROUTE.find(([re]) => re.test(route.url))?.[1];
  if (!on) return [];
  const version = route.url.startsWith('/beta/') ? 'beta' : 'v1.0';
  const actions = ACTIONS.filter((a) => a.on === on && a.versions.includes(version));
  return /^\/[^/]+\/app\//.test(route.url) ? actions.slice(0, 1) : actions;
}

/** Every request the matrices send for `route`: one, or one per registry action for an action route. */
export function fillRoutes(route: RouteInfo, ids: RouteIds): FilledRequest[] {
  const actions = actionsOf(route);
  if (actions.length === 0) return [fillRoute(route, ids)];
  return actions.map((action) => {
    const body = ACTION_BODIES[`${action.on} ${action.name}`];
    if (!body)
      throw new Error(
        `no body for the ${action.on} action ${action.name} in ACTION_BODIES (test/conformance/route-matrix.ts): add one that would succeed`,
      );
    return fillRoute(route, ids, { action, body: body(ids) });
  });
}

/** The request for `route` on the call `ids.callId`: every path parameter filled, a body that would succeed. */
export function fillRoute(
  route: RouteInfo,
  ids: RouteIds,
  filled?: { action: GraphAction; body: unknown },
): FilledRequest {
  const url = route.url;
  const entry = filled ? null : routeEntryOf(route.method, url);
  let body: unknown = filled?.body;
  if (entry && (entry.method === 'POST' || entry.method === 'PATCH')) {
    const make = ROUTE_BODIES[routeKey(entry)];
    if (!make)
      throw new Error(
        `no body for ${routeKey(entry)} in ROUTE_BODIES (test/conformance/route-matrix.ts): add one that would succeed`,
      );
    body = make(ids);
  }
  // A catch-all (`…/calls/*`): a Graph calling path under the call that Switchboard does not serve.
  const path = url.replace(/\*$/, `${ids.callId}/contentSharingSessions`).replace(/:(\w+)/g, (_m, name: string) => {
    switch (name) {
      case 'callId':
        return ids.callId;
      case 'participantId':
        return ids.participantId;
      case 'operationId':
        return ids.operationId;
      case 'userId':
        return USERS.bob;
      case 'groupId':
        return ids.groupId ?? 'no-such-group';
      case 'meetingId':
        if (!ids.meetingId) throw new Error(`no meetingId for ${route.method} ${url}: create an online meeting first`);
        return ids.meetingId;
      case 'action':
        if (!filled) throw new Error(`${route.method} ${url} is an action route: fill it with fillRoutes`);
        return filled.action.name;
      default:
        throw new Error(`unknown path parameter :${name} in ${route.method} ${url}: teach fillRoute about it`);
    }
  });
  // Graph lists online meetings only by join URL; any well-formed one answers (an empty list when it names none).
  const query = /\/communications\/onlineMeetings\/?$/.test(url)
    ? `?$filter=${encodeURIComponent("VideoTeleconferenceId eq '1234567890'")}`
    : /\/onlineMeetings$/.test(url) && route.method !== 'POST'
      ? `?$filter=${encodeURIComponent(`JoinWebUrl eq '${ANY_JOIN_URL}'`)}`
      : '';
  return {
    route,
    method: route.method,
    path: path + query,
    ...(body !== undefined ? { body } : {}),
    ...(filled ? { action: filled.action } : {}),
  };
}

/**
 * The ids a matrix fills routes with: the bot's leg in meeting A, Adele invited into it and joined, and an audio
 * routing group from Adele to the bot.
 */
export async function meetingCallWithJoinedInvitee(
  c: Conformance,
): Promise<{ callId: string; operationId: string; participantId: string; groupId: string }> {
  const callId = await c.joinMeeting(MEETING_A);
  const invited = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
    participants: [inviteUser(USERS.adele)],
  });
  if (invited.status !== 200) throw new Error(`invite for the matrix fixture: ${invited.status} ${invited.text}`);
  const operationId = invited.body.id as string;
  await c.bot.waitFor(
    (n) =>
      n.item.changeType === 'deleted' &&
      n.item.resourceUrl === `/communications/calls/${callId}/operations/${operationId}`,
  );
  const roster = await c.raw('GET', `/v1.0/communications/calls/${callId}/participants`);
  const adele = (roster.body.value as { id: string; info: { identity: { user?: { id: string } } } }[]).find(
    (p) => p.info.identity.user?.id === USERS.adele,
  );
  if (!adele) throw new Error(`Adele is not in the roster of ${callId}: ${roster.text}`);
  const me = (roster.body.value as { id: string; info: { identity: { application?: { id: string } } } }[]).find(
    (p) => p.info.identity.application !== undefined,
  );
  const group = await c.raw('POST', `/v1.0/communications/calls/${callId}/audioRoutingGroups`, {
    id: 'matrix-group',
    routingMode: 'oneToOne',
    sources: [adele.id],
    receivers: [me?.id],
  });
  if (group.status !== 200)
    throw new Error(`audio routing group for the matrix fixture: ${group.status} ${group.text}`);
  return { callId, operationId, participantId: adele.id, groupId: 'matrix-group' };
}
