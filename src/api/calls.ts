/** /communications/calls and /calls/{id}: create, get, hang up, and the call's bound actions. */
import type { FastifyInstance } from 'fastify';
import type { AnswerCommand, CreateCallCommand } from '../domain/call.js';
import type { MuteCommand } from '../domain/mute.js';
import type { RedirectCommand, TransferCommand } from '../domain/transfer.js';
import { toGraphCall } from '../domain/render.js';
import { actionName, authenticate, baseUrl, notImplementedHere, sendOperation, type GraphDeps, type GraphPrefix } from './context.js';
import { orThrow } from '../http/errors.js';
import { unknownAction } from './allowed-methods.js';
import type { UpdateRecordingStatusCommand } from '../domain/in-call.js';
import type { ClientContextCommand } from '../domain/media-operations.js';
import type { PlayPromptCommand, RecordResponseCommand } from '../domain/prompts.js';
import type { SendDtmfTonesCommand } from '../domain/tones.js';
import type { ScreenSharingRole } from '../domain/types.js';
import {
  answerBodySchema,
  changeScreenSharingRoleBodySchema,
  clientContextBodySchema,
  createCallBodySchema,
  playPromptBodySchema,
  recordResponseBodySchema,
  redirectBodySchema,
  rejectBodySchema,
  sendDtmfTonesBodySchema,
  transferBodySchema,
  updateRecordingStatusBodySchema,
} from './schemas/bodies.js';
import { bodyValidator } from '../http/validate.js';

const parseCreate = bodyValidator<CreateCallCommand>(createCallBodySchema);
const parseAnswer = bodyValidator<AnswerCommand>(answerBodySchema);
const parseMute = bodyValidator<MuteCommand>(clientContextBodySchema, { optionalBody: true });
const parseRedirect = bodyValidator<RedirectCommand>(redirectBodySchema);
const parseTransfer = bodyValidator<TransferCommand>(transferBodySchema);
const parseClientContext = bodyValidator<ClientContextCommand>(clientContextBodySchema, { optionalBody: true });
const parseSendDtmf = bodyValidator<SendDtmfTonesCommand>(sendDtmfTonesBodySchema);
const parsePlayPrompt = bodyValidator<PlayPromptCommand>(playPromptBodySchema);
const parseRecordResponse = bodyValidator<RecordResponseCommand>(recordResponseBodySchema, { optionalBody: true });
const parseRecordingStatus = bodyValidator<UpdateRecordingStatusCommand>(updateRecordingStatusBodySchema);
const parseScreenSharingRole = bodyValidator<{ role: ScreenSharingRole }>(changeScreenSharingRoleBodySchema);
const parseReject = bodyValidator<{ reason?: string | null; callbackUri?: string | null }>(rejectBodySchema, { optionalBody: true });

/** Graph call actions this version does not serve yet: they answer 501 rather than a fake success. */
const UNIMPLEMENTED_CALL_ACTIONS = new Set(['addlargegalleryview']);
/** Every action name the action route answers for (the cases below and the 501 ones): other methods on them are 405. */
const CALL_ACTIONS: ReadonlySet<string> = new Set([
  ...UNIMPLEMENTED_CALL_ACTIONS, 'answer', 'keepalive', 'mute', 'unmute', 'reject', 'redirect', 'transfer', 'subscribetotone', 'senddtmftones',
  'playprompt', 'recordresponse', 'cancelmediaprocessing', 'updaterecordingstatus', 'changescreensharingrole',
]);

type CallParams = { callId: string };
type ActionParams = CallParams & { action: string };

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
      .send({ '@odata.context': `${base}/${prefix.version}/$metadata#communications/calls/$entity`, ...toGraphCall(leg, conversation, prefix.version) });
  });

  app.get<{ Params: CallParams }>(`${prefix.path}/:callId`, async (req) => {
    const principal = await authenticate(deps, req);
    const { leg, conversation } = orThrow(await deps.service.getCall(principal, req.params.callId));
    return { '@odata.context': `${baseUrl(req)}/${prefix.version}/$metadata#communications/calls/$entity`, ...toGraphCall(leg, conversation, prefix.version) };
  });

  app.delete<{ Params: CallParams }>(`${prefix.path}/:callId`, async (req, reply) => {
    const principal = await authenticate(deps, req);
    orThrow(await deps.service.hangUp(principal, req.params.callId));
    return reply.code(204).send();
  });

  app.post<{ Params: ActionParams }>(`${prefix.path}/:callId/:action`, { config: { pathValues: { action: CALL_ACTIONS } } }, async (req, reply) => {
    const action = actionName(req.params.action);
    const principal = await authenticate(deps, req);
    if (UNIMPLEMENTED_CALL_ACTIONS.has(action)) throw notImplementedHere(req);
    switch (action) {
      case 'answer':
        orThrow(await deps.service.answer(principal, req.params.callId, parseAnswer(req.body), prefix.version));
        return reply.code(202).send();
      case 'keepalive':
        // Graph: 200 OK with no body (not 202, not 204).
        orThrow(await deps.service.keepAlive(principal, req.params.callId));
        return reply.code(200).send();
      case 'mute':
      case 'unmute': {
        const op = orThrow(await deps.service.selfMute(principal, req.params.callId, action === 'mute', parseMute(req.body)));
        return sendOperation(req, reply, prefix, op);
      }
      case 'reject':
        orThrow(await deps.service.rejectCall(principal, req.params.callId, parseReject(req.body), prefix.version));
        return reply.code(202).send();
      case 'redirect':
        orThrow(await deps.service.redirect(principal, req.params.callId, parseRedirect(req.body), prefix.version));
        return reply.code(202).send();
      case 'transfer':
        orThrow(await deps.service.transfer(principal, req.params.callId, parseTransfer(req.body)));
        return reply.code(202).send();
      case 'subscribetotone':
        return sendOperation(req, reply, prefix, orThrow(await deps.service.subscribeToTone(principal, req.params.callId, parseClientContext(req.body))));
      case 'senddtmftones':
        return sendOperation(req, reply, prefix, orThrow(await deps.service.sendDtmfTones(principal, req.params.callId, parseSendDtmf(req.body))));
      case 'playprompt':
        return sendOperation(req, reply, prefix, orThrow(await deps.service.playPrompt(principal, req.params.callId, parsePlayPrompt(req.body))));
      case 'recordresponse':
        return sendOperation(req, reply, prefix, orThrow(await deps.service.recordResponse(principal, req.params.callId, parseRecordResponse(req.body), baseUrl(req))));
      case 'cancelmediaprocessing':
        return sendOperation(req, reply, prefix, orThrow(await deps.service.cancelMediaProcessing(principal, req.params.callId, parseClientContext(req.body))));
      case 'updaterecordingstatus':
        return sendOperation(req, reply, prefix, orThrow(await deps.service.updateRecordingStatus(principal, req.params.callId, parseRecordingStatus(req.body))));
      case 'changescreensharingrole':
        // Graph: 202 with no body (spec 4.16); the roster update follows.
        orThrow(await deps.service.changeScreenSharingRole(principal, req.params.callId, parseScreenSharingRole(req.body)));
        return reply.code(202).send();
      default:
        throw unknownAction(req, req.params.action);
    }
  });
}
