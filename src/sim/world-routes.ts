/**
 * GET /_switchboard/ lists the simulated world and the control API's routes as JSON; a client that prefers text/html
 * (a browser) is sent to the dashboard instead (issue 15: the dashboard is the HTML answer of GET /_switchboard/),
 * whose World page shows the same world. GET /_switchboard/world exports the world as a world file. Both show the
 * world as currently in effect: the loaded one plus the control API's behaviour and fault changes (a read catches up
 * with changes other instances recorded first).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteInfo } from '../app.js';
import type { Directory } from './directory.js';
import { UI_PATH } from './ui-routes.js';
import { worldFile, worldListing } from './world-view.js';
import type { WorldSync } from './world-sync.js';

/** What each control route does, for the listing; a route missing here is still listed (method and path). */
const CONTROL_ROUTE_PURPOSE: Record<string, string> = {
  'GET /_switchboard/events':
    'The change feed as server-sent events (?after= or Last-Event-ID to catch up): commands, Graph requests, deliveries.',
  'GET /_switchboard/ended-calls': 'Call legs that ended recently (?limit=, newest first), from the change feed.',
  'GET /_switchboard/calls/:id/timeline':
    'A call’s conversation in order: commands, the bot’s Graph requests with bodies, notifications, delivery attempts.',
  'POST /_switchboard/notification-tokens/verify':
    'Decodes a notification JWT ({"token"}) and checks it against the published notification keys.',
  'GET /_switchboard/ui/*':
    'The dashboard (a page for a browser): calls, timelines, notifications, world and controls, live.',
  'GET /_switchboard/': 'This listing: the world and the control routes (JSON; a browser is sent to the dashboard).',
  'GET /_switchboard/world': 'The world as a world file (--world), run-time behaviour and fault changes included.',
  'POST /_switchboard/reset':
    'Back to the loaded world: calls, operations, notifications, timers, meetings made through the API and run-time changes dropped.',
  'GET /_switchboard/health': 'Liveness: 200 while the process serves.',
  'GET /_switchboard/ready': 'Readiness: 200 when the store answers and its migrations are done, else 503.',
  'POST /_switchboard/incoming-calls':
    'A person calls a bot: a new incoming call and a created notification to the app’s callback URL.',
  'GET /_switchboard/notifications':
    'Every notification (?callId=&limit=&after=) with its status and delivery attempts.',
  'GET /_switchboard/calls': 'Every live call leg (?state=&kind=&appId=&tenantId=&conversationId=).',
  'GET /_switchboard/calls/:id': 'One live call with its roster, operations and notifications.',
  'GET /_switchboard/calls/:id/operations': 'A call’s operations, also after it ended.',
  'POST /_switchboard/calls/:callId/tones': 'The person in a call presses keys.',
  'POST /_switchboard/calls/:id/participants/:participantId/actions':
    'A participant does something now (mute, hang up, …).',
  'GET /_switchboard/people': 'Every person (users and listed phone numbers) with how they answer.',
  'GET /_switchboard/people/:id': 'One person’s behaviour.',
  'PUT /_switchboard/people/:id/behaviour': 'Change how a person answers and what they do once connected.',
  'GET /_switchboard/faults': 'The injected faults.',
  'PUT /_switchboard/faults': 'Replace the injected faults ({"faults":[…]}).',
  'GET /_switchboard/clock': 'The time the calling world runs on.',
  'POST /_switchboard/clock/advance': 'Virtual clock: move time forward ({"ms":…}).',
  'POST /_switchboard/clock/set': 'Virtual clock: move time to an instant ({"time":…}).',
  'GET /_switchboard/notification-keys': 'The key signing notifications, and replaced keys still published.',
  'POST /_switchboard/notification-keys/rotate': 'Replace the notification signing key now.',
  'GET /_switchboard/recordings/:operationId': 'A finished recordResponse’s recording (Bearer recordingAccessToken).',
};

export interface WorldRouteDeps {
  directory: Directory;
  worldSync: WorldSync;
  /** Every route the app serves (read per request, so routes registered after these are listed too). */
  routes: () => readonly RouteInfo[];
}

/** A control route as the listing shows it. */
export interface ControlRoute {
  method: string;
  path: string;
  what: string;
}

/** The control routes, once each (HEAD and the slash-less index left out), in registration order. */
export function controlRoutesOf(routes: readonly RouteInfo[]): ControlRoute[] {
  const seen = new Set<string>();
  const out: ControlRoute[] = [];
  for (const r of routes) {
    if (r.method === 'HEAD' || !r.url.startsWith('/_switchboard/')) continue;
    const key = `${r.method} ${r.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.url, what: CONTROL_ROUTE_PURPOSE[key] ?? '' });
  }
  return out;
}

/** Quality (q) the Accept header gives `type` (exact, then `major/*`, then `*\/*`); 1 without an Accept header. */
export function acceptQuality(accept: string | undefined, type: string): number {
  if (!accept) return 1;
  const major = type.split('/')[0];
  let best = { specificity: -1, q: 0 };
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    best = { specificity, q: Number.isFinite(q) ? q : 0 };
  }
  return best.q;
}

/** HTML when the client prefers it to JSON (a browser); JSON for `*\/*`, no Accept, or a tie. */
export const wantsHtml = (req: FastifyRequest): boolean => {
  const accept = req.headers.accept;
  return acceptQuality(accept, 'text/html') > acceptQuality(accept, 'application/json');
};

export function worldRoutes(app: FastifyInstance, deps: WorldRouteDeps): void {
  const index = async (req: FastifyRequest, reply: FastifyReply) => {
    void reply.header('vary', 'Accept');
    // 303: the browser GETs the dashboard; the answer depends on Accept, so caches keep one per Accept (Vary).
    if (wantsHtml(req)) return reply.redirect(UI_PATH, 303);
    await deps.worldSync.catchUp();
    return { ...worldListing(deps.directory.world), controlApi: controlRoutesOf(deps.routes()) };
  };
  app.get('/_switchboard/', index);
  app.get('/_switchboard', index);

  app.get('/_switchboard/world', async (_req, reply) => {
    await deps.worldSync.catchUp();
    return reply.header('content-disposition', 'inline; filename="world.json"').send(worldFile(deps.directory.world));
  });
}
