/**
 * Request ids and the Graph error envelope, for every response:
 * {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}} plus `request-id` and
 * `client-request-id` headers (the client's id echoed, or ours when it sent none).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { installRouteMethods, methodNotAllowedFor } from './allowed-methods.js';
import { requestPath } from './context.js';
import {
  badUrl,
  GraphError,
  headersTooLarge,
  internalError,
  invalidJson,
  malformedHttp,
  MAX_PATH_SEGMENT,
  notFound,
  pathTooLong,
  payloadTooLarge,
  requestTimeout,
  shuttingDown,
  unservedGraphPath,
  unsupportedMediaType,
} from '../http/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    graphRequestId: string;
    graphClientRequestId: string;
  }
  interface FastifyInstance {
    /** From now on requests are refused with a Graph 503 and every response closes its connection (shutdown drain). */
    beginDrain(): void;
  }
}

const GRAPH_CALLS_PATH = /^\/(v1\.0|beta)\/(communications|app)\/calls(\/|$|\?)/i;

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function errorBody(
  req: Pick<FastifyRequest, 'graphRequestId' | 'graphClientRequestId'>,
  err: GraphError,
): Record<string, unknown> {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.target ? { target: err.target } : {}),
      innerError: {
        ...err.inner,
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': req.graphRequestId,
        'client-request-id': req.graphClientRequestId,
      },
    },
  };
}

/**
 * A request Node's HTTP parser refuses before Fastify sees it (duplicate Content-Length, bad chunking, headers over
 * 16 KB, control characters): answered in the Graph envelope, then the connection is closed. Installed on both
 * listeners ('clientError'); replaces Node's bare "400 Bad Request" and Fastify's own JSON.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const graphError =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? headersTooLarge()
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? requestTimeout()
        : malformedHttp(err.code ?? err.message);
  const id = randomUUID();
  const body = JSON.stringify(errorBody({ graphRequestId: id, graphClientRequestId: id }, graphError));
  socket.end(
    `HTTP/1.1 ${graphError.status} ${STATUS_CODES[graphError.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nrequest-id: ${id}\r\nclient-request-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function sendGraphError(req: FastifyRequest, reply: FastifyReply, err: GraphError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
  return reply.code(err.status).type('application/json; charset=utf-8').send(errorBody(req, err));
}

function toGraphError(error: FastifyError, req: FastifyRequest, bodyLimit: number): GraphError {
  if (error instanceof GraphError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(headerValue(req.headers['content-type']));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidJson('the body is empty.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GraphError(400, 'BadRequest', 'Content-Length does not match the body.', 'Content-Length');
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return invalidJson(error.message);
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new GraphError(error.statusCode, 'BadRequest', error.message);
  }
  return internalError();
}

/** Longest path segment (call, participant, operation id) the router accepts; longer ones answer 414. */
export const MAX_PARAM_LENGTH = MAX_PATH_SEGMENT;

/** Router errors (an overlong id, bad percent-encoding) happen before any hook runs: ids are set here. */
export function answerFrameworkError(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  req.graphRequestId = randomUUID();
  const clientId = headerValue(req.headers['client-request-id']);
  req.graphClientRequestId = clientId && clientId.length <= 128 ? clientId : req.graphRequestId;
  void reply.header('request-id', req.graphRequestId).header('client-request-id', req.graphClientRequestId);
  void sendGraphError(req, reply, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? pathTooLong(MAX_PARAM_LENGTH) : badUrl());
}

export function installGraphErrors(app: FastifyInstance, bodyLimit: number): void {
  installRouteMethods(app);
  app.decorateRequest('graphRequestId', '');
  app.decorateRequest('graphClientRequestId', '');
  // Set once shutdown begins (beginDrain, at the latest app.close()): a request arriving on a still-open connection
  // is refused in the envelope, not run, and every response, a request in flight included, closes its connection.
  let closing = false;
  app.decorate('beginDrain', () => {
    closing = true;
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onRequest', (req, reply, done) => {
    req.graphRequestId = randomUUID();
    const clientId = headerValue(req.headers['client-request-id']);
    req.graphClientRequestId = clientId && clientId.length <= 128 ? clientId : req.graphRequestId;
    void reply.header('request-id', req.graphRequestId).header('client-request-id', req.graphClientRequestId);
    done(closing ? shuttingDown() : undefined);
  });
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const graphError = toGraphError(error, req, bodyLimit);
    // A GraphError is a deliberate answer (e.g. 501 NotImplemented); only unexpected failures are logged.
    if (graphError.status >= 500 && !(error instanceof GraphError))
      req.log.error(
        { err: error, requestId: req.graphRequestId },
        `${req.method} ${req.url} failed (request-id ${req.graphRequestId})`,
      );
    return sendGraphError(req, reply, graphError);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = requestPath(req);
    // A method no route serves on a path other methods do serve (TRACE, OPTIONS, PUT on a call): 405 with Allow.
    const wrongMethod = methodNotAllowedFor(req.server, req.method, path);
    if (wrongMethod) return sendGraphError(req, reply, wrongMethod);
    // A Graph calling path we do not serve yet says so, rather than pretending it does not exist.
    // A hostile id (non-ASCII, such as `zzİ`, which the case-insensitive router cannot match once lowercasing changes
    // its length) names nothing: 404, not "not implemented yet" (unservedGraphPath).
    const err = GRAPH_CALLS_PATH.test(path) ? unservedGraphPath(req.method, path) : notFound(req.method, path);
    return sendGraphError(req, reply, err);
  });
}
