/**
 * The softphone's control API (the page is `/_switchboard/ui/people/{personId}`):
 *   GET  /_switchboard/people/{id}/phone             the person's screen as JSON (rings, calls, media)
 *   GET  /_switchboard/people/{id}/softphone         server-sent events: holding the stream open holds the person
 *                                                    ("the person in the browser decides"); a `phone` event with the
 *                                                    screen on connect and after every change of the store
 *   POST /_switchboard/people/{id}/rings/{ringId}    {"answer":"accept"|"decline"|"busy"}: the browser answers a ring
 *   POST /_switchboard/people/{id}/recordings/{opId}/capture   the tab listens to the microphone for a recordResponse
 *   PUT  /_switchboard/people/{id}/recordings/{opId}  (audio/wav, 16-bit PCM mono 8 kHz) what it heard, once it ended
 * In a call the page uses the control API's person actions (POST /_switchboard/calls/{id}/participants/{pid}/actions:
 * mute, unmute, hold, resume, hangUp, pressTones) and incoming calls (POST /_switchboard/incoming-calls), unchanged.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { badRequest, GraphError, orThrow } from '../http/errors.js';
import type { CallingService } from '../service/calling-service.js';
import { RING_ANSWERS, type RingAnswer } from '../service/softphone-rings.js';
import type { Store } from '../store/store.js';
import type { Directory } from './directory.js';
import { checkWav, type RecordingAudio } from './recording-audio.js';
import { SOFTPHONE_LEASE_MS, SOFTPHONE_RENEW_MS } from './softphone-leases.js';
import { softphonePerson, softphoneState, type SoftphonePerson } from './softphone-state.js';
import type { WorldSync } from './world-sync.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes an `audio/wav` body where control bodies are JSON only (src/app.ts). */
    audioBody?: boolean;
  }
}

/** What the stream needs of the change feed (src/sim/feed.ts): to hear that something committed. */
export interface CommitFeed {
  subscribe(listener: (events: readonly unknown[]) => void): Promise<{ unsubscribe: () => void }>;
}

export interface SoftphoneDeps {
  service: CallingService;
  store: Store;
  directory: Directory;
  worldSync: WorldSync;
  /** The world's clock (virtual or real), for what the page shows as now. */
  now: () => number;
  feed?: CommitFeed;
  recordings: RecordingAudio;
}

const personNotFound = (id: string): GraphError =>
  new GraphError(
    404,
    'itemNotFound',
    `No person ${id}: a softphone is a user id of the world, or an E.164 phone number such as +14255550100.`,
    'personId',
  );

/** Changes come in bursts (one command, its notifications, its deliveries): one screen per burst. */
const DEBOUNCE_MS = 25;

export function softphoneRoutes(app: FastifyInstance, deps: SoftphoneDeps): void {
  const { directory } = deps;
  const personOf = (ref: string): SoftphonePerson =>
    softphonePerson(directory, ref) ??
    (() => {
      throw personNotFound(ref);
    })();
  const screen = (person: SoftphonePerson) =>
    softphoneState(deps.store, directory, person, directory.softphones.holds(person.key, Date.now()), deps.now());

  app.get<{ Params: { id: string } }>('/_switchboard/people/:id/phone', async (req) => {
    await deps.worldSync.catchUp();
    return screen(personOf(req.params.id));
  });

  app.post<{ Params: { id: string; ringId: string } }>('/_switchboard/people/:id/rings/:ringId', async (req) => {
    const person = personOf(req.params.id);
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('The body must be an object {"answer": "accept" | "decline" | "busy"}.', 'answer');
    const extra = Object.keys(body).find((k) => k !== 'answer');
    if (extra !== undefined) throw badRequest(`${extra} is not a property of a ring's answer (answer).`, extra);
    const answer = (body as { answer?: unknown }).answer;
    if (typeof answer !== 'string' || !(RING_ANSWERS as readonly string[]).includes(answer))
      throw badRequest(`answer must be one of ${RING_ANSWERS.join(', ')}.`, 'answer');
    await deps.worldSync.catchUp();
    if (!directory.softphones.holds(person.key, Date.now())) {
      throw new GraphError(
        409,
        'Conflict',
        `No softphone holds ${person.id}: open /_switchboard/ui/people/${person.id} (its stream holds the person) to answer their rings.`,
        'personId',
      );
    }
    orThrow(await deps.service.answerRing(person.key, req.params.ringId, answer as RingAnswer));
    return { ringId: req.params.ringId, answer };
  });

  /** The person's recordResponse `opId`: in a call the person is (or was) in; else a 409 or 404. */
  const recordingOf = async (person: SoftphonePerson, opId: string): Promise<string> => {
    const found = await deps.store.transact(async (tx) => {
      const op = await tx.getOperation(opId.toLowerCase());
      if (!op || op.type !== 'recordOperation') return null;
      const leg = await tx.getLeg(op.callId);
      const people = leg ? await tx.participantsWithIdentityKeys(leg.conversationId, [person.key]) : [];
      return {
        op,
        theirs: people.some((p) => p.callLegId === null && (p.status === 'joined' || p.status === 'removed')),
      };
    });
    if (!found) throw new GraphError(404, 'itemNotFound', `No recordResponse operation ${opId}.`, 'operationId');
    if (!found.theirs || found.op.status === 'Failed') {
      throw new GraphError(
        409,
        'Conflict',
        `Recording ${opId} is not one ${person.id} can speak into: it is not in their call, or it was cancelled or failed.`,
        'operationId',
      );
    }
    return found.op.id;
  };

  app.post<{ Params: { id: string; operationId: string } }>(
    '/_switchboard/people/:id/recordings/:operationId/capture',
    async (req, reply) => {
      const opId = await recordingOf(personOf(req.params.id), req.params.operationId);
      await deps.recordings.begin(opId);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: { id: string; operationId: string } }>(
    '/_switchboard/people/:id/recordings/:operationId',
    { config: { audioBody: true } },
    async (req, reply) => {
      const person = personOf(req.params.id);
      if (!Buffer.isBuffer(req.body))
        throw badRequest('The body is the recording: Content-Type: audio/wav, 16-bit PCM, mono, 8000 Hz.', 'body');
      const wav = checkWav(req.body);
      if (typeof wav === 'string') throw badRequest(`${wav}.`, 'body');
      const opId = await recordingOf(person, req.params.operationId);
      await deps.recordings.finish(opId, wav.samples);
      return reply.code(204).send();
    },
  );

  const open = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    done();
  });

  app.get<{ Params: { id: string } }>('/_switchboard/people/:id/softphone', async (req, reply) => {
    const person = personOf(req.params.id);
    if (!/text\/event-stream/i.test(req.headers.accept ?? '')) {
      throw badRequest(
        'This is a stream of server-sent events: send Accept: text/event-stream (GET …/phone reads the screen once).',
        'Accept',
      );
    }
    const leaseId = randomUUID();
    const hold = (until: number): Promise<void> =>
      deps.worldSync.setSoftphoneLease({ personKey: person.key, leaseId, until });
    await hold(Date.now() + SOFTPHONE_LEASE_MS);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    let ended = false;
    let pending: NodeJS.Timeout | null = null;
    let sending: Promise<void> = Promise.resolve();
    const send = (): void => {
      if (pending || ended) return;
      pending = setTimeout(() => {
        pending = null;
        sending = sending
          .then(async () => {
            const state = await screen(person);
            if (!ended) raw.write(`event: phone\ndata: ${JSON.stringify({ ...state, leaseId })}\n\n`);
          })
          .catch((err: unknown) => req.log.warn({ err }, 'softphone: could not read the screen'));
      }, DEBOUNCE_MS);
    };
    const sub = deps.feed ? await deps.feed.subscribe(() => send()) : null;
    send();
    // Renewing also refreshes the screen: a ring's end or a lease another tab took shows without a command.
    const renew = setInterval(() => {
      hold(Date.now() + SOFTPHONE_LEASE_MS).catch((err: unknown) =>
        req.log.warn({ err }, 'softphone: could not renew the lease'),
      );
      send();
    }, SOFTPHONE_RENEW_MS);
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(renew);
      if (pending) clearTimeout(pending);
      sub?.unsubscribe();
      open.delete(end);
      raw.end();
      // The tab closed: the person's configured behaviour is back at once (else the lease runs out by itself).
      hold(0).catch((err: unknown) => req.log.warn({ err }, 'softphone: could not release the lease'));
    };
    open.add(end);
    raw.on('close', end);
  });
}
