/**
 * The Graph action routes, generated from the registry: one `POST` route per binding (a call, its participants
 * collection, one participant) whose last segment is the action. Each request is authenticated first (as Graph
 * does, a bad token is refused before anything else is looked at), then: an action this version's metadata lacks
 * is an unknown segment (400; 405 when another method serves the path), an action not served yet is 501, and a
 * served one has its body validated against the entry's schema and runs its service method.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { orThrow } from '../../http/errors.js';
import { unknownAction } from '../allowed-methods.js';
import {
  authenticate,
  baseUrl,
  notImplementedHere,
  sendOperation,
  serviceFor,
  type GraphDeps,
  type GraphPrefix,
} from '../context.js';
import type { ActionBinding } from './define.js';
import { actionNames, findAction } from './registry.js';

const ROUTE_OF: Record<ActionBinding, string> = {
  call: '/:callId/:action',
  participants: '/:callId/participants/:action',
  participant: '/:callId/participants/:participantId/:action',
};

type ActionParams = { callId: string; participantId?: string; action: string };

export function actionRoutes(app: FastifyInstance, deps: GraphDeps, prefix: GraphPrefix): void {
  for (const on of Object.keys(ROUTE_OF) as ActionBinding[]) {
    // pathValues: the segments this route answers for (served or 501), so other methods on them are 405 (allowed-methods.ts).
    app.post<{ Params: ActionParams }>(
      `${prefix.path}${ROUTE_OF[on]}`,
      { config: { pathValues: { action: actionNames(on) } } },
      (req, reply) => runAction(deps, prefix, on, req, reply),
    );
  }
}

async function runAction(
  deps: GraphDeps,
  prefix: GraphPrefix,
  on: ActionBinding,
  req: FastifyRequest<{ Params: ActionParams }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const principal = await authenticate(deps, req);
  const entry = findAction(on, req.params.action, prefix.version);
  if (!entry) throw unknownAction(req, req.params.action);
  if (!entry.served) throw notImplementedHere(req);
  const { callId, participantId } = req.params;
  const call = {
    service: serviceFor(deps, req),
    principal,
    callId,
    version: prefix.version,
    baseUrl: baseUrl(req),
    ...(participantId === undefined ? {} : { participantId }),
  };
  const outcome = orThrow(await entry.served.run(call, req.body));
  if (outcome === null) return reply.code(entry.served.status).send();
  return sendOperation(req, reply, prefix, outcome, entry.served.status);
}
