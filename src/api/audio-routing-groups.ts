/**
 * /calls/{id}/audioRoutingGroups (audioroutinggroup.md): create (200 with the group, as documented), list, get,
 * update (PATCH, 200 with the group), delete (204), as route table entries. Rules in src/domain/audio-routing.ts.
 */
import type { FastifyRequest } from 'fastify';
import type { AudioRoutingGroup, ApiVersion } from '../domain/types.js';
import { orThrow } from '../http/errors.js';
import { bodyValidator } from '../http/validate.js';
import { baseUrl } from './context.js';
import { createAudioRoutingGroupBodySchema, updateAudioRoutingGroupBodySchema } from './schemas/bodies.js';
import type { FromSchema } from '../http/from-schema.js';
import { BOTH, route, type GraphRoute } from './routes/define.js';

const parseCreate = bodyValidator<FromSchema<typeof createAudioRoutingGroupBodySchema>>(
  createAudioRoutingGroupBodySchema,
);
const parseUpdate = bodyValidator<FromSchema<typeof updateAudioRoutingGroupBodySchema>>(
  updateAudioRoutingGroupBodySchema,
);

const graphGroup = (g: AudioRoutingGroup): Record<string, unknown> => ({
  '@odata.type': '#microsoft.graph.audioRoutingGroup',
  ...g,
});

const context = (req: FastifyRequest, version: ApiVersion, callId: string, entity: boolean): string =>
  `${baseUrl(req)}/${version}/$metadata#communications/calls('${callId}')/audioRoutingGroups${entity ? '/$entity' : ''}`;

const COLLECTION = '/:callId/audioRoutingGroups';
const ONE = '/:callId/audioRoutingGroups/:groupId';

export const AUDIO_ROUTING_GROUP_ROUTES: readonly GraphRoute[] = [
  route({
    method: 'POST',
    mount: 'calls',
    path: COLLECTION,
    versions: BOTH,
    status: 200,
    doc: {
      accepts:
        '(`routingMode` `oneToOne`: one source, one receiver; `multicast`: one source, receivers; ids of participants in the call; group calls and meetings)',
      answer: '+ `audioRoutingGroup` (as documented, not 201; the `id` sent, else a new one)',
      notifications: '—',
      notYet: 'the audio itself is not routed (no media)',
    },
    async handle(req, _reply, { service, principal, version }) {
      const { callId } = req.params;
      const group = orThrow(await service.createAudioRoutingGroup(principal, callId, parseCreate(req.body)));
      return { '@odata.context': context(req, version, callId, true), ...graphGroup(group) };
    },
  }),
  route({
    method: 'GET',
    mount: 'calls',
    path: COLLECTION,
    versions: BOTH,
    status: 200,
    doc: { answer: '+ `value`', notifications: '—' },
    async handle(req, _reply, { service, principal, version }) {
      const { callId } = req.params;
      const groups = orThrow(await service.audioRoutingGroups(principal, callId, null));
      return { '@odata.context': context(req, version, callId, false), value: groups.map(graphGroup) };
    },
  }),
  route({
    method: 'GET',
    mount: 'calls',
    path: ONE,
    versions: BOTH,
    status: 200,
    doc: { answer: '+ the group', notifications: '—' },
    async handle(req, _reply, { service, principal, version }) {
      const { callId, groupId } = req.params;
      const [group] = orThrow(await service.audioRoutingGroups(principal, callId, groupId));
      return { '@odata.context': context(req, version, callId, true), ...(group ? graphGroup(group) : {}) };
    },
  }),
  route({
    method: 'PATCH',
    mount: 'calls',
    path: ONE,
    versions: BOTH,
    status: 200,
    doc: { accepts: '(receivers, sources, mode)', answer: '+ the group', notifications: '—' },
    async handle(req, _reply, { service, principal, version }) {
      const { callId, groupId } = req.params;
      const group = orThrow(await service.updateAudioRoutingGroup(principal, callId, groupId, parseUpdate(req.body)));
      return { '@odata.context': context(req, version, callId, true), ...graphGroup(group) };
    },
  }),
  route({
    method: 'DELETE',
    mount: 'calls',
    path: ONE,
    versions: BOTH,
    status: 204,
    doc: { notifications: '—' },
    async handle(req, _reply, { service, principal }) {
      orThrow(await service.deleteAudioRoutingGroup(principal, req.params.callId, req.params.groupId));
      return undefined;
    },
  }),
];
