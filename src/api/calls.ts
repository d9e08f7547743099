/** /communications/calls and /calls/{id}: create, get, hang up. The call's bound actions: src/api/actions/. */
import type { FastifyInstance } from 'fastify';
import type { CreateCallCommand } from '../domain/call.js';
import { toGraphCall } from '../domain/render.js';
import { authenticate, baseUrl, type GraphDeps, type GraphPrefix } from './context.js';
import { orThrow } from '../http/errors.js';
import { createCallBodySchema } from './schemas/bodies.js';
import { bodyValidator } from '../http/validate.js';

const parseCreate = bodyValidator<CreateCallCommand>(createCallBodySchema);

type CallParams = { callId: string };

export function callRoutes(app: FastifyInstance, deps: GraphDeps, prefix: GraphPrefix): void {
  app.post(prefix.path, async (req, reply) => {
    const principal = await authenticate(deps, req);
    const cmd = parseCreate(req.body);
    const { leg, conversation } = orThrow(await deps.service.createCall(principal, cmd, prefix.version));
    req.logCallId = leg.id;
    const base = baseUrl(req);
    return reply
      .code(201)
      .header('Location', `${base}${prefix.path}/${leg.id}`)
      .send({
        '@odata.context': `${base}/${prefix.version}/$metadata#communications/calls/$entity`,
        ...toGraphCall(leg, conversation, prefix.version),
      });
  });

  app.get<{ Params: CallParams }>(`${prefix.path}/:callId`, async (req) => {
    const principal = await authenticate(deps, req);
    const { leg, conversation } = orThrow(await deps.service.getCall(principal, req.params.callId));
    return {
      '@odata.context': `${baseUrl(req)}/${prefix.version}/$metadata#communications/calls/$entity`,
      ...toGraphCall(leg, conversation, prefix.version),
    };
  });

  app.delete<{ Params: CallParams }>(`${prefix.path}/:callId`, async (req, reply) => {
    const principal = await authenticate(deps, req);
    orThrow(await deps.service.hangUp(principal, req.params.callId));
    return reply.code(204).send();
  });
}
