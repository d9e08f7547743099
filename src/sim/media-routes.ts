/**
 * Control API for media: a person presses keys in a call (`POST /_switchboard/calls/{id}/tones`), and the
 * download of a finished recordResponse (`GET /_switchboard/recordings/{operationId}` with its
 * recordingAccessToken as Bearer), as Graph serves `recordingLocation`.
 */
import type { FastifyInstance } from 'fastify';
import { GraphError, orThrow } from '../http/errors.js';
import { pressTonesBodySchema } from './control-schemas.js';
import { bodyValidator } from '../http/validate.js';
import type { CallingService } from '../service/calling-service.js';
import { recordingWav } from './recording-wav.js';

const parsePress = bodyValidator<{ tones: string[] }>(pressTonesBodySchema);

export function mediaControlRoutes(app: FastifyInstance, deps: { service: CallingService }): void {
  app.post<{ Params: { callId: string } }>('/_switchboard/calls/:callId/tones', async (req) => {
    const { tones } = parsePress(req.body);
    return orThrow(await deps.service.pressTones(req.params.callId, tones));
  });

  app.get<{ Params: { operationId: string } }>('/_switchboard/recordings/:operationId', async (req, reply) => {
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
    const op = token ? await deps.service.recording(req.params.operationId, token) : null;
    if (!op) {
      throw new GraphError(401, 'InvalidAuthenticationToken', 'A finished recording is downloaded with its recordingAccessToken: Authorization: Bearer <recordingAccessToken>.', 'Authorization');
    }
    return reply.code(200).header('content-type', 'application/octet-stream').send(recordingWav(op.media?.recordedMs ?? 0, op.id));
  });
}
