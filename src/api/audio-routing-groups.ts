/**
 * /calls/{id}/audioRoutingGroups (audioroutinggroup.md): create (200 with the group, as documented), list, get,
 * update (PATCH, 200 with the group), delete (204). Rules in src/domain/audio-routing.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AudioRoutingGroup } from '../domain/types.js';
import { orThrow } from '../http/errors.js';
import { bodyValidator } from '../http/validate.js';
import { authenticate, baseUrl, type GraphDeps, type GraphPrefix } from './context.js';
import { createAudioRoutingGroupBodySchema, updateAudioRoutingGroupBodySchema } from './schemas/bodies.js';
import type { FromSchema } from '../http/from-schema.js';

const parseCreate = bodyValidator<FromSchema<typeof createAudioRoutingGroupBodySchema>>(
  createAudioRoutingGroupBodySchema,
);
const parseUpdate = bodyValidator<FromSchema<typeof updateAudioRoutingGroupBodySchema>>(
  updateAudioRoutingGroupBodySchema,
);

type CallParams = { callId: string };
type GroupParams = CallParams & { groupId: string };

const graphGroup = (g: AudioRoutingGroup): Record<string, unknown> => ({
  '@odata.type': '#microsoft.graph.audioRoutingGroup',
  ...g,
});

export function audioRoutingGroupRoutes(app: FastifyInstance, deps: GraphDeps, prefix: GraphPrefix): void {
  const collection = `${prefix.path}/:callId/audioRoutingGroups`;
  const context = (req: FastifyRequest<{ Params: CallParams }>, entity: boolean): string =>
    `${baseUrl(req)}/${prefix.version}/$metadata#communications/calls('${req.params.callId}')/audioRoutingGroups${entity ? '/$entity' : ''}`;

  app.post<{ Params: CallParams }>(collection, async (req) => {
    const principal = await authenticate(deps, req);
    const group = orThrow(
      await deps.service.createAudioRoutingGroup(principal, req.params.callId, parseCreate(req.body)),
    );
    return { '@odata.context': context(req, true), ...graphGroup(group) };
  });

  app.get<{ Params: CallParams }>(collection, async (req) => {
    const principal = await authenticate(deps, req);
    const groups = orThrow(await deps.service.audioRoutingGroups(principal, req.params.callId, null));
    return { '@odata.context': context(req, false), value: groups.map(graphGroup) };
  });

  app.get<{ Params: GroupParams }>(`${collection}/:groupId`, async (req) => {
    const principal = await authenticate(deps, req);
    const [group] = orThrow(await deps.service.audioRoutingGroups(principal, req.params.callId, req.params.groupId));
    return { '@odata.context': context(req, true), ...(group ? graphGroup(group) : {}) };
  });

  app.patch<{ Params: GroupParams }>(`${collection}/:groupId`, async (req) => {
    const principal = await authenticate(deps, req);
    const group = orThrow(
      await deps.service.updateAudioRoutingGroup(
        principal,
        req.params.callId,
        req.params.groupId,
        parseUpdate(req.body),
      ),
    );
    return { '@odata.context': context(req, true), ...graphGroup(group) };
  });

  app.delete<{ Params: GroupParams }>(`${collection}/:groupId`, async (req, reply) => {
    const principal = await authenticate(deps, req);
    orThrow(await deps.service.deleteAudioRoutingGroup(principal, req.params.callId, req.params.groupId));
    return reply.code(204).send();
  });
}
