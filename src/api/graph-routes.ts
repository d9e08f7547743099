/** Mounts every Graph calling resource under /v1.0 and /beta, on /communications/calls and the deprecated /app/calls, and users' onlineMeetings. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actionRoutes } from './actions/routes.js';
import { audioRoutingGroupRoutes } from './audio-routing-groups.js';
import { callRoutes } from './calls.js';
import { methodNotAllowedFor } from './allowed-methods.js';
import { authenticate, notImplementedHere, requestPath, type GraphDeps, type GraphPrefix } from './context.js';
import { onlineMeetingRoutes } from './online-meetings.js';
import { operationRoutes } from './operations.js';
import { participantRoutes } from './participants.js';

export const GRAPH_PREFIXES: GraphPrefix[] = (['v1.0', 'beta'] as const).flatMap((version) =>
  (['communications', 'app'] as const).map((style) => ({ version, style, path: `/${version}/${style}/calls` })),
);

export function graphRoutes(app: FastifyInstance, deps: GraphDeps): void {
  for (const prefix of GRAPH_PREFIXES) {
    callRoutes(app, deps, prefix);
    participantRoutes(app, deps, prefix);
    actionRoutes(app, deps, prefix);
    audioRoutingGroupRoutes(app, deps, prefix);
    operationRoutes(app, deps, prefix);
    unservedRoutes(app, deps, prefix);
  }
  for (const version of ['v1.0', 'beta'] as const) onlineMeetingRoutes(app, deps, version);
}

/**
 * Graph calling paths Switchboard does not serve (contentSharingSessions, listing calls): 501
 * saying so, and a method not served on a path another method serves (PUT on a call): 405 with Allow; but like every
 * Graph path only after the token is checked, as Graph itself does.
 */
function unservedRoutes(app: FastifyInstance, deps: GraphDeps, prefix: GraphPrefix): void {
  const handler = async (req: FastifyRequest): Promise<never> => {
    await authenticate(deps, req);
    throw methodNotAllowedFor(req.server, req.method, requestPath(req)) ?? notImplementedHere(req);
  };
  // Listing calls (GET) is Graph's; other methods on the collection are not (405, allowed-methods.ts).
  app.route({ method: 'GET', url: prefix.path, handler });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${prefix.path}/*`, handler });
}
