/**
 * Control API for media: a person presses keys in a call (`POST /_switchboard/calls/{id}/tones`), and the
 * download of a finished recordResponse (`GET /_switchboard/recordings/{operationId}` with its
 * recordingAccessToken as Bearer), as Graph serves `recordingLocation`: the person's own voice when a softphone
 * recorded it, else a generated one.
 */
import type { FastifyInstance } from 'fastify';
import { GraphError, orThrow } from '../http/errors.js';
import { pressTonesBodySchema } from './control-schemas.js';
import { bodyValidator } from '../http/validate.js';
import type { CallingService } from '../service/calling-service.js';
import { recordingWav } from './recording-wav.js';
import { recordedPart, wavOf, type RecordingAudio } from './recording-audio.js';

const parsePress = bodyValidator<{ tones: string[] }>(pressTonesBodySchema);

export function mediaControlRoutes(
  app: FastifyInstance,
  deps: { service: CallingService; recordings: RecordingAudio },
): void {
  app.post<{ Params: { callId: string } }>('/_switchboard/calls/:callId/tones', async (req) => {
    const { tones } = parsePress(req.body);
    return orThrow(await deps.service.pressTones(req.params.callId, tones));
  });

  app.get<{ Params: { operationId: string } }>('/_switchboard/recordings/:operationId', async (req, reply) => {
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
    const op = token ? await deps.service.recording(req.params.operationId, token) : null;
    if (!op) {
      throw new GraphError(
        401,
        'InvalidAuthenticationToken',
        'A finished recording is downloaded with its recordingAccessToken: Authorization: Bearer <recordingAccessToken>.',
        'Authorization',
      );
    }
    // What the person said into a softphone, when one listened (src/sim/recording-audio.ts); else a generated voice.
    const spoken = await deps.recordings.samples(op.id);
    const wav = spoken
      ? wavOf(recordedPart(spoken, op.media?.recordedMs ?? 0))
      : recordingWav(op.media?.recordedMs ?? 0, op.id);
    return reply.code(200).header('content-type', 'application/octet-stream').send(wav);
  });
}
