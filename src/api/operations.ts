/** /calls/{id}/operations/{opId}: an operation stays readable after it completes (spec 4.22). */
import type { FastifyInstance } from 'fastify';
import { toGraphOperation } from '../domain/render.js';
import { authenticate, type GraphDeps, type GraphPrefix } from './context.js';
import { orThrow } from '../http/errors.js';

export function operationRoutes(app: FastifyInstance, deps: GraphDeps, prefix: GraphPrefix): void {
  app.get<{ Params: { callId: string; operationId: string } }>(
    `${prefix.path}/:callId/operations/:operationId`,
    async (req) => {
      const principal = await authenticate(deps, req);
      return toGraphOperation(
        orThrow(await deps.service.getOperation(principal, req.params.callId, req.params.operationId)),
        prefix.version,
      );
    },
  );
}
