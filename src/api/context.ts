/** What every Graph route needs: the authenticated principal, the service, and how to build URLs. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireCallingRole, type Principal } from '../domain/permissions.js';
import { toGraphOperation } from '../domain/render.js';
import type { ApiVersion, Operation } from '../domain/types.js';
import type { CallingService } from '../service/calling-service.js';
import { retryAfterSeconds } from '../auth/rate-limit.js';
import { fromRejection, GraphError, tooManyRequests, unservedGraphPath } from '../http/errors.js';
import { queuedMsOf } from './overload-door.js';

export interface TokenVerifier {
  verify(authorizationHeader: string | undefined): Promise<Principal>;
}

export interface GraphDeps {
  service: CallingService;
  tokens: TokenVerifier;
  /** Per app / tenant request limits; counted once the caller is known. */
  throttle?: { take(principal: Principal): { retryAfterMs: number; scope?: string } | null };
}

/** Where a request came in: the version and path style are mirrored in Location headers (seed 002 uses /beta/app). */
export interface GraphPrefix {
  version: ApiVersion;
  style: 'communications' | 'app';
  /** `/v1.0/communications/calls` etc. */
  path: string;
}

/** The caller's verified identity; a token without any calling role is refused here, before any route reads state. */
export async function authenticate(deps: GraphDeps, req: FastifyRequest): Promise<Principal> {
  let principal: Principal;
  try {
    principal = await deps.tokens.verify(req.headers.authorization);
  } catch (e) {
    const err = e as { status?: unknown; code?: unknown; message?: string };
    if (typeof err.status === 'number' && typeof err.code === 'string')
      throw new GraphError(err.status, err.code, err.message ?? 'Unauthorized');
    throw e;
  }
  req.logAppId = principal.appId;
  const denied = requireCallingRole(principal);
  if (denied) throw fromRejection(denied);
  const throttled = deps.throttle?.take(principal);
  if (throttled) throw tooManyRequests(retryAfterSeconds(throttled.retryAfterMs), throttled.scope);
  return principal;
}

/** The service for this request: its commands count the request's wait in the turn pacer against the overload bound. */
export const serviceFor = (deps: GraphDeps, req: FastifyRequest): CallingService =>
  deps.service.forRequest(queuedMsOf(req.raw));

export function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? req.hostname}`;
}

/** Bound actions are matched case-insensitively, with or without the `microsoft.graph.` namespace (spec 0). */
export function actionName(segment: string): string {
  return segment.replace(/^microsoft\.graph\./i, '').toLowerCase();
}

/** The request's path without its query string. */
export const requestPath = (req: FastifyRequest): string => req.url.split('?')[0] ?? req.url;

/** 501 for the Graph path of this request: served by Graph, not by Switchboard yet. */
export const notImplementedHere = (req: FastifyRequest): GraphError => unservedGraphPath(req.method, requestPath(req));

/** An action that creates an operation: 200 (hold music: 202), a Location to the operation, and the operation as the body. */
export function sendOperation(
  req: FastifyRequest,
  reply: FastifyReply,
  prefix: GraphPrefix,
  op: Operation,
  status = 200,
): FastifyReply {
  return reply
    .code(status)
    .header('Location', `${baseUrl(req)}${prefix.path}/${op.callId}/operations/${op.id}`)
    .send(toGraphOperation(op, prefix.version));
}
