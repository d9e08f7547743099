/**
 * The overload door (src/service/admission.ts) at the HTTP server itself, in front of Fastify: while Switchboard is
 * over capacity a Graph request is answered `429 TooManyRequests` with `Retry-After` in Graph's throttling shape
 * without being routed, read, authenticated or kept in the change feed.
 *
 * Why not a Fastify hook: beyond capacity every request offered must still be answered, so a refusal has to cost far
 * less than serving one. Refused in an `onRequest` hook it went through Fastify's request and reply objects, its
 * error handler and every `onSend` hook, and wrote a change-feed row to the store: a loopback load test refused about
 * 2,450 requests a second that way against 7,260 for a bare node:http 429 (same machine, same client, one run each),
 * so at Graph's 3,333 invites a second the refusals alone outran the server and requests waited in socket buffers
 * for seconds. The log still gets its line per request; the dashboard sees the count (Admission.refused).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from './error-envelope.js';
import type { Logger } from '../log.js';
import { OVERLOAD_RETRY_AFTER, tooManyRequests } from '../http/errors.js';
import type { TurnPacer } from './turn-pacer.js';

/** Graph's paths (the control API and the token endpoint are never refused). */
const GRAPH_PATH = /^\/(v1\.0|beta|app)\//i;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the door asks: whether to refuse a Graph request now, and one that waited `waitedMs` for its turn. */
export interface DoorCheck {
  refuse(): boolean;
  refuseWaited(waitedMs: number): boolean;
}

/**
 * `next`, behind the door and the pacer: each Graph request is refused at once while `check.refuse()` says so;
 * admitted, it waits for a turn in the pacer (src/api/turn-pacer.ts), and one that waited longer than the bound
 * for it is refused then, unread, instead of run: a queue that built up during a stall drains at the cost of a
 * refusal each, and no request is started after its client may have given up. One that waited less carries its
 * wait on (`queuedMsOf`): it counts against the same bound at the store. Other requests (the control API, tokens)
 * are never refused.
 */
export function withOverloadDoor(
  next: Handler,
  check: DoorCheck,
  pacer: Pick<TurnPacer, 'run'>,
  logger?: Logger,
): Handler {
  return (req, res) => {
    const graph = GRAPH_PATH.test(req.url ?? '');
    if (graph && check.refuse()) {
      refuseOverloaded(req, res, logger);
      return;
    }
    pacer.run((waitedMs) => {
      if (graph && waitedMs > 0) {
        if (check.refuseWaited(waitedMs)) {
          refuseOverloaded(req, res, logger);
          return;
        }
        (req as QueuedRequest)[QUEUED_MS] = waitedMs;
      }
      next(req, res);
    });
  };
}

const QUEUED_MS = Symbol('switchboard.queuedMs');
type QueuedRequest = IncomingMessage & { [QUEUED_MS]?: number };

/**
 * How long (ms) a Graph request waited for its turn in the pacer before it was let through; 0 when it did not wait.
 * The routes hand it to the service (`CallingService.forRequest`), whose commands then wait only what is left of the
 * same bound for their transaction turn.
 */
export const queuedMsOf = (req: IncomingMessage): number => (req as QueuedRequest)[QUEUED_MS] ?? 0;

/**
 * The refusal, built once: an Error captures a stack trace when made, and at Graph's rate (~2,900 refusals a second
 * beyond capacity) making one per refusal was 3 % of the server thread (profile of the sustained scenario). Only read.
 */
const OVERLOADED = tooManyRequests(OVERLOAD_RETRY_AFTER);

function refuseOverloaded(req: IncomingMessage, res: ServerResponse, logger: Logger | undefined): void {
  const requestId = randomUUID();
  const sent = req.headers['client-request-id'];
  const clientId = typeof sent === 'string' && sent.length > 0 && sent.length <= 128 ? sent : requestId;
  const body = JSON.stringify(errorBody({ graphRequestId: requestId, graphClientRequestId: clientId }, OVERLOADED));
  res.writeHead(OVERLOADED.status, {
    ...OVERLOADED.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'request-id': requestId,
    'client-request-id': clientId,
  });
  // The body is never read; discarded, so the keep-alive connection carries the client's next request.
  req.resume();
  res.end(body);
  if (logger?.isLevelEnabled('info')) {
    const path = (req.url ?? '').split('?', 1)[0] ?? '';
    logger.info(
      {
        method: req.method,
        path,
        status: OVERLOADED.status,
        ms: 0,
        appId: null,
        callId: null,
        requestId,
        overloaded: true,
      },
      `${req.method} ${path} ${OVERLOADED.status} 0 ms (over capacity)`,
    );
  }
}
