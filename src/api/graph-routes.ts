/**
 * Mounts every Graph calling resource under /v1.0 and /beta, on /communications/calls and the deprecated /app/calls,
 * and users' onlineMeetings: the route table's entries (src/api/routes/), the action registry's routes
 * (src/api/actions/), and a 501 for every other Graph calling path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actionRoutes } from './actions/routes.js';
import { methodNotAllowedFor } from './allowed-methods.js';
import { authenticate, notImplementedHere, requestPath, type GraphDeps, type GraphPrefix } from './context.js';
import { tableRoutes } from './routes/register.js';

export const GRAPH_PREFIXES: GraphPrefix[] = (['v1.0', 'beta'] as const).flatMap((version) =>
  (['communications', 'app'] as const).map((style) => ({ version, style, path: `/${version}/${style}/calls` })),
);

export function graphRoutes(app: FastifyInstance, deps: GraphDeps): void {
  tableRoutes(app, deps);
  for (const prefix of GRAPH_PREFIXES) {
    actionRoutes(app, deps, prefix);
    unservedRoutes(app, deps, prefix);
  }
}

/**
 * Graph calling paths under a call that no table entry or action names (contentSharingSessions, …): 501 saying so,
 * and a method not served on a path another method serves (PUT on a call): 405 with Allow; but like every Graph path
 * only after the token is checked, as Graph itself does.
 */
function unservedRoutes(app: FastifyInstance, deps: GraphDeps, prefix: GraphPrefix): void {
  const handler = async (req: FastifyRequest): Promise<never> => {
    await authenticate(deps, req);
    throw methodNotAllowedFor(req.server, req.method, requestPath(req)) ?? notImplementedHere(req);
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${prefix.path}/*`, handler });
}
