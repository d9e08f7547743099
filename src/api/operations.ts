/** /calls/{id}/operations/{opId}: an operation stays readable after it completes (spec 4.22). */
import { toGraphOperation } from '../domain/render.js';
import { orThrow } from '../http/errors.js';
import { BOTH, route, type GraphRoute } from './routes/define.js';

export const OPERATION_ROUTES: readonly GraphRoute[] = [
  route({
    method: 'GET',
    mount: 'calls',
    path: '/:callId/operations/:operationId',
    versions: BOTH,
    status: 200,
    doc: { answer: '+ operation', notifications: '—' },
    async handle(req, _reply, { service, principal, version }) {
      const op = orThrow(await service.getOperation(principal, req.params.callId, req.params.operationId));
      return toGraphOperation(op, version);
    },
  }),
];
