/**
 * Registers the route table's entries with Fastify. Every request is authenticated first (as Graph does, a bad
 * token is refused before anything else is looked at); a route not served yet then answers 501, a served one runs
 * its handler and answers with the entry's success status, or another status only as an error.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, notImplementedHere, serviceFor, type GraphDeps } from '../context.js';
import type { GraphRoute } from './define.js';
import { ROUTES, urlsOf, type TableUrl } from './table.js';

export function tableRoutes(app: FastifyInstance, deps: GraphDeps, routes: readonly GraphRoute[] = ROUTES): void {
  for (const entry of routes)
    for (const at of urlsOf(entry))
      app.route({ method: entry.method, url: at.url, handler: (req, reply) => answer(deps, at, req, reply) });
}

async function answer(deps: GraphDeps, at: TableUrl, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const principal = await authenticate(deps, req);
  const served = at.entry.served;
  if (!served) throw notImplementedHere(req);
  const [status] = served.statuses;
  reply.code(status!);
  const body = await served.handle(req, reply, {
    deps,
    service: serviceFor(deps, req),
    principal,
    version: at.version,
    mountPath: at.mountPath,
  });
  // A handler answers only with a success status its entry names (the README's Status column says so).
  if (!served.statuses.includes(reply.statusCode as never))
    throw new Error(
      `${at.entry.method} ${at.url} answered ${reply.statusCode}; its route table entry says ${served.statuses.join(' or ')}`,
    );
  return body === undefined ? reply.send() : reply.send(body);
}
