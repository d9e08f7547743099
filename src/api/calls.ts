/** /communications/calls and /calls/{id}: create, get, hang up (route table entries). The call's bound actions: src/api/actions/. */
import type { CreateCallCommand } from '../domain/call.js';
import { toGraphCall } from '../domain/render.js';
import { baseUrl } from './context.js';
import { orThrow } from '../http/errors.js';
import { createCallBodySchema } from './schemas/bodies.js';
import { bodyValidator } from '../http/validate.js';
import { BOTH, notYet, route, type GraphRoute } from './routes/define.js';

const parseCreate = bodyValidator<CreateCallCommand>(createCallBodySchema);

export const CALL_ROUTES: readonly GraphRoute[] = [
  route({
    method: 'POST',
    mount: 'calls',
    path: '',
    versions: BOTH,
    status: 201,
    doc: {
      accepts:
        '(outgoing P2P, group call, join a meeting by `chatInfo` + `organizerMeetingInfo` as parsed from its `joinWebUrl`, or by `joinMeetingIdMeetingInfo` with its passcode)',
      answer: '+ call',
      notifications: '`updated` establishing → established',
      notYet: '`tokenMeetingInfo` joins are accepted but not checked',
    },
    async handle(req, reply, { service, principal, version, mountPath }) {
      const { leg, conversation } = orThrow(await service.createCall(principal, parseCreate(req.body), version));
      req.logCallId = leg.id;
      const base = baseUrl(req);
      reply.header('Location', `${base}${mountPath}/${leg.id}`);
      return {
        '@odata.context': `${base}/${version}/$metadata#communications/calls/$entity`,
        ...toGraphCall(leg, conversation, version),
      };
    },
  }),
  // Listing calls is in Graph's metadata (the calls entity set); Switchboard does not serve it.
  notYet({ method: 'GET', mount: 'calls', path: '', versions: BOTH, doc: { notifications: '—' } }),
  route({
    method: 'GET',
    mount: 'calls',
    path: '/:callId',
    versions: BOTH,
    status: 200,
    doc: { answer: '+ call', notifications: '—' },
    async handle(req, _reply, { service, principal, version }) {
      const { leg, conversation } = orThrow(await service.getCall(principal, req.params.callId));
      return {
        '@odata.context': `${baseUrl(req)}/${version}/$metadata#communications/calls/$entity`,
        ...toGraphCall(leg, conversation, version),
      };
    },
  }),
  route({
    method: 'DELETE',
    mount: 'calls',
    path: '/:callId',
    versions: BOTH,
    status: 204,
    doc: { notifications: '`updated` terminating, `deleted` terminated' },
    async handle(req, _reply, { service, principal }) {
      orThrow(await service.hangUp(principal, req.params.callId));
      return undefined;
    },
  }),
];
