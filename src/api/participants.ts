/** /calls/{id}/participants: the roster, one participant, removing one. Participant actions: src/api/actions/. */
import type { FastifyInstance } from 'fastify';
import { toGraphParticipant } from '../domain/render.js';
import { authenticate, baseUrl, type GraphDeps, type GraphPrefix } from './context.js';
import { orThrow } from '../http/errors.js';

export function participantRoutes(app: FastifyInstance, deps: GraphDeps, prefix: GraphPrefix): void {
  app.get<{ Params: { callId: string } }>(`${prefix.path}/:callId/participants`, async (req) => {
    const principal = await authenticate(deps, req);
    const roster = orThrow(await deps.service.listParticipants(principal, req.params.callId));
    return {
      '@odata.context': `${baseUrl(req)}/${prefix.version}/$metadata#communications/calls('${req.params.callId}')/participants`,
      value: roster.map(toGraphParticipant),
    };
  });

  app.get<{ Params: { callId: string; participantId: string } }>(
    `${prefix.path}/:callId/participants/:participantId`,
    async (req) => {
      const principal = await authenticate(deps, req);
      const p = orThrow(await deps.service.getParticipant(principal, req.params.callId, req.params.participantId));
      return {
        '@odata.context': `${baseUrl(req)}/${prefix.version}/$metadata#communications/calls('${req.params.callId}')/participants/$entity`,
        ...toGraphParticipant(p),
      };
    },
  );

  app.delete<{ Params: { callId: string; participantId: string } }>(
    `${prefix.path}/:callId/participants/:participantId`,
    async (req, reply) => {
      const principal = await authenticate(deps, req);
      orThrow(await deps.service.removeParticipant(principal, req.params.callId, req.params.participantId));
      return reply.code(204).send();
    },
  );
}
