/** /calls/{id}/participants: the roster, one participant, and participant: invite. */
import type { FastifyInstance } from 'fastify';
import type { InviteCommand } from '../domain/invite.js';
import { LOBBY_ACTION_SEGMENTS, lobbyActionOn } from '../domain/lobby.js';
import type { MuteCommand } from '../domain/mute.js';
import { toGraphParticipant } from '../domain/render.js';
import { actionName, authenticate, baseUrl, notImplementedHere, sendOperation, type GraphDeps, type GraphPrefix } from './context.js';
import { unknownAction } from './allowed-methods.js';
import { orThrow } from '../http/errors.js';
import type { StartHoldMusicCommand } from '../domain/hold-music.js';
import { clientContextBodySchema, inviteBodySchema, startHoldMusicBodySchema } from './schemas/bodies.js';
import { bodyValidator } from '../http/validate.js';

const parseInvite = bodyValidator<InviteCommand>(inviteBodySchema);
const parseMute = bodyValidator<MuteCommand>(clientContextBodySchema, { optionalBody: true });
const parseHoldMusic = bodyValidator<StartHoldMusicCommand>(startHoldMusicBodySchema, { optionalBody: true });
/** Graph participant actions this version does not serve yet: 501, not a fake success. */
const UNIMPLEMENTED_PARTICIPANT_ACTIONS = new Set(['reportsyntheticmedia']);
const UNIMPLEMENTED_COLLECTION_ACTIONS = new Set(['muteall', 'configuremixer', 'admitalllobby', 'admitallfromlobby', 'lowerallhands']);
/** The action names each action route answers for (served and 501 ones): other methods on them are 405. */
const PARTICIPANT_ACTIONS: ReadonlySet<string> = new Set(['mute', 'startholdmusic', 'stopholdmusic', ...LOBBY_ACTION_SEGMENTS, ...UNIMPLEMENTED_PARTICIPANT_ACTIONS]);
const COLLECTION_ACTIONS: ReadonlySet<string> = new Set(['invite', ...UNIMPLEMENTED_COLLECTION_ACTIONS]);

export function participantRoutes(app: FastifyInstance, deps: GraphDeps, prefix: GraphPrefix): void {
  app.get<{ Params: { callId: string } }>(`${prefix.path}/:callId/participants`, async (req) => {
    const principal = await authenticate(deps, req);
    const roster = orThrow(await deps.service.listParticipants(principal, req.params.callId));
    return {
      '@odata.context': `${baseUrl(req)}/${prefix.version}/$metadata#communications/calls('${req.params.callId}')/participants`,
      value: roster.map(toGraphParticipant),
    };
  });

  app.get<{ Params: { callId: string; participantId: string } }>(`${prefix.path}/:callId/participants/:participantId`, async (req) => {
    const principal = await authenticate(deps, req);
    const p = orThrow(await deps.service.getParticipant(principal, req.params.callId, req.params.participantId));
    return { '@odata.context': `${baseUrl(req)}/${prefix.version}/$metadata#communications/calls('${req.params.callId}')/participants/$entity`, ...toGraphParticipant(p) };
  });

  app.delete<{ Params: { callId: string; participantId: string } }>(`${prefix.path}/:callId/participants/:participantId`, async (req, reply) => {
    const principal = await authenticate(deps, req);
    orThrow(await deps.service.removeParticipant(principal, req.params.callId, req.params.participantId));
    return reply.code(204).send();
  });

  app.post<{ Params: { callId: string; participantId: string; action: string } }>(`${prefix.path}/:callId/participants/:participantId/:action`, { config: { pathValues: { action: PARTICIPANT_ACTIONS } } }, async (req, reply) => {
    const action = actionName(req.params.action);
    const principal = await authenticate(deps, req);
    if (action === 'mute') {
      const op = orThrow(await deps.service.participantMute(principal, req.params.callId, req.params.participantId, parseMute(req.body)));
      return sendOperation(req, reply, prefix, op);
    }
    const lobbyAction = lobbyActionOn(prefix.version, action);
    if (lobbyAction) {
      const op = orThrow(await deps.service.lobby(principal, req.params.callId, req.params.participantId, lobbyAction, parseMute(req.body)));
      return sendOperation(req, reply, prefix, op);
    }
    if (UNIMPLEMENTED_PARTICIPANT_ACTIONS.has(action)) throw notImplementedHere(req);
    if (action === 'startholdmusic' || action === 'stopholdmusic') {
      const cmd = action === 'startholdmusic' ? parseHoldMusic(req.body) : parseMute(req.body);
      const op = orThrow(await deps.service.holdMusic(principal, req.params.callId, req.params.participantId, action === 'startholdmusic', cmd));
      // Graph: 202 (not 200) with a Location and the operation as the body (spec 0, 4.21).
      return sendOperation(req, reply, prefix, op, 202);
    }
    throw unknownAction(req, req.params.action);
  });

  app.post<{ Params: { callId: string; action: string } }>(`${prefix.path}/:callId/participants/:action`, { config: { pathValues: { action: COLLECTION_ACTIONS } } }, async (req, reply) => {
    const action = actionName(req.params.action);
    const principal = await authenticate(deps, req);
    if (action === 'invite') {
      const op = orThrow(await deps.service.invite(principal, req.params.callId, parseInvite(req.body), prefix.version));
      // Graph: 200 (not 202) with a Location to the operation and the operation as the body (seed 000).
      return sendOperation(req, reply, prefix, op);
    }
    if (UNIMPLEMENTED_COLLECTION_ACTIONS.has(action)) throw notImplementedHere(req);
    throw unknownAction(req, req.params.action);
  });
}
