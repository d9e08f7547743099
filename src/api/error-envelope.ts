/**
 * Request ids and the Graph error envelope, for every response:
 * {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}} plus `request-id` and
 * `client-request-id` headers (the client's id echoed, or ours when it sent none).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestPath } from './context.js';
import { GraphError, internalError, invalidJson, notFound, notImplemented, payloadTooLarge, shuttingDown, unsupportedMediaType } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    graphRequestId: string;
    graphClientRequestId: string;
  }
}

const GRAPH_CALLS_PATH = /^\/(v1\.0|beta)\/(communications|app)\/calls(\/|$|\?)/i;

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function errorBody(req: FastifyRequest, err: GraphError): Record<string, unknown> {
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

export function installGraphErrors(app: FastifyInstance, bodyLimit: number): void {
  app.decorateRequest('graphRequestId', '');
  app.decorateRequest('graphClientRequestId', '');
  // Set once close() begins: a request arriving on a still-open connection is refused in the envelope, not run.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
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
    if (graphError.status >= 500 && !(error instanceof GraphError)) console.error(`[switchboard] error: ${req.method} ${req.url} failed:`, error);
    return sendGraphError(req, reply, graphError);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = requestPath(req);
    // A Graph calling path we do not serve yet says so, rather than pretending it does not exist.
    const err = GRAPH_CALLS_PATH.test(path) ? notImplemented(req.method, path) : notFound(req.method, path);
    return sendGraphError(req, reply, err);
  });
}
