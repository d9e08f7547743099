/** Mounts every Graph calling resource under /v1.0 and /beta, on /communications/calls and the deprecated /app/calls. */
import type { FastifyInstance } from 'fastify';
import { callRoutes } from './calls.js';
import type { GraphDeps, GraphPrefix } from './context.js';
import { operationRoutes } from './operations.js';
import { participantRoutes } from './participants.js';

export const GRAPH_PREFIXES: GraphPrefix[] = (['v1.0', 'beta'] as const).flatMap((version) =>
  (['communications', 'app'] as const).map((style) => ({ version, style, path: `/${version}/${style}/calls` })),
);

export function graphRoutes(app: FastifyInstance, deps: GraphDeps): void {
  for (const prefix of GRAPH_PREFIXES) {
    callRoutes(app, deps, prefix);
    participantRoutes(app, deps, prefix);
    operationRoutes(app, deps, prefix);
  }
}
