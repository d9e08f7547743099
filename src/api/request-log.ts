/**
 * One log line per request, written when the response is sent:
 *
 *   POST /v1.0/communications/calls 201 12.3 ms   appId, callId, requestId (the `request-id` header) as fields
 *
 * The app is the token's (Graph routes, set by `authenticate`) or the client id of a token request; the call is the
 * `{callId}` in the path, or the call a request created. Control API reads (`GET /_switchboard/…`: test suites poll
 * them) log at debug; its changes (incoming calls, clock, faults, people) at info, like Graph requests.
 *
 * Cheap by construction: nothing is built when the line's level is off, the line is a handful of flat fields (no
 * headers, no bodies), and Fastify makes no per-request child logger (app.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The app the request was made for, once known (logged with the request). */
    logAppId: string | null;
    /** The call a request created (its id is not in the path), for the log line. */
    logCallId: string | null;
  }
}

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/i;

export function installRequestLog(app: FastifyInstance, logger: Logger): void {
  app.decorateRequest('logAppId', null);
  app.decorateRequest('logCallId', null);
  app.addHook('onResponse', (req, reply, done) => {
    logRequest(logger, req, reply);
    done();
  });
}

function logRequest(logger: Logger, req: FastifyRequest, reply: FastifyReply): void {
  const path = req.url.split('?', 1)[0] ?? req.url;
  const control = path.startsWith('/_switchboard/') || path === '/_switchboard';
  const level = control && (req.method === 'GET' || req.method === 'HEAD') ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const ms = Math.round(reply.elapsedTime * 10) / 10;
  const status = reply.statusCode;
  logger[level](
    {
      method: req.method,
      path,
      status,
      ms,
      appId: req.logAppId ?? tokenClientId(req, path),
      callId: req.logCallId ?? (req.params as { callId?: string } | undefined)?.callId ?? null,
      requestId: req.graphRequestId || null,
    },
    `${req.method} ${path} ${status} ${ms} ms`,
  );
}

/** The client id a token request named (its form body), for the token endpoint's line. */
function tokenClientId(req: FastifyRequest, path: string): string | null {
  if (req.method !== 'POST' || !TOKEN_PATH.test(path)) return null;
  const id = (req.body as { client_id?: unknown } | undefined)?.client_id;
  return typeof id === 'string' ? id : null;
}
