/** /calls/{id}/participants: the roster, one participant, removing one (route table entries). Participant actions: src/api/actions/. */
import { toGraphParticipant } from '../domain/render.js';
import { baseUrl } from './context.js';
import { orThrow } from '../http/errors.js';
import { BOTH, route, type GraphRoute } from './routes/define.js';

export const PARTICIPANT_ROUTES: readonly GraphRoute[] = [
  route({
    method: 'GET',
    mount: 'calls',
    path: '/:callId/participants',
    versions: BOTH,
    status: 200,
    doc: { answer: '+ `value`: the roster', notifications: '—' },
    async handle(req, _reply, { service, principal, version }) {
      const roster = orThrow(await service.listParticipants(principal, req.params.callId));
      return {
        '@odata.context': `${baseUrl(req)}/${version}/$metadata#communications/calls('${req.params.callId}')/participants`,
        value: roster.map(toGraphParticipant),
      };
    },
  }),
  route({
    method: 'GET',
    mount: 'calls',
    path: '/:callId/participants/:participantId',
    versions: BOTH,
    status: 200,
    doc: { answer: '+ participant', notifications: '—' },
    async handle(req, _reply, { service, principal, version }) {
      const { callId, participantId } = req.params;
      const p = orThrow(await service.getParticipant(principal, callId, participantId));
      return {
        '@odata.context': `${baseUrl(req)}/${version}/$metadata#communications/calls('${callId}')/participants/$entity`,
        ...toGraphParticipant(p),
      };
    },
  }),
  route({
    method: 'DELETE',
    mount: 'calls',
    path: '/:callId/participants/:participantId',
    versions: BOTH,
    status: 204,
    doc: {
      notifications:
        'joined: roster `deleted`; still ringing (invite cancelled): operation `deleted` Failed `487` once no other invitee of it rings, no roster change',
    },
    async handle(req, _reply, { service, principal }) {
      orThrow(await service.removeParticipant(principal, req.params.callId, req.params.participantId));
      return undefined;
    },
  }),
];
