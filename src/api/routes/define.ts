/**
 * What one Graph resource route is, as one entry of the route table (issue 14): its method and path, the versions
 * that have it, the handler, the success status, and what the README's supported-surface table says of it. The
 * Fastify routes, the methods a path answers (405 with `Allow`, 501 for a route Graph has and Switchboard does not
 * serve), the auth and isolation matrices and the README's table of resource routes are generated from these entries
 * (src/api/routes/table.ts). Bound actions (`POST …/{action}`) are the action registry's (src/api/actions/).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../domain/permissions.js';
import type { ApiVersion } from '../../domain/types.js';
import type { CallingService } from '../../service/calling-service.js';
import type { GraphDeps } from '../context.js';

export type RouteMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Where a route is mounted: `calls` under each of `/{version}/communications/calls` and the deprecated
 * `/{version}/app/calls`; `version` under `/{version}` alone (users' onlineMeetings, `/communications/onlineMeetings`).
 */
export type RouteMount = 'calls' | 'version';

/** The path parameters a Fastify path names (`/:callId/participants/:participantId`), as the request's params type. */
export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<string, never>;

export type RouteRequest<P extends string> = FastifyRequest<{
  Params: ParamsOf<P>;
  Querystring: Record<string, string | undefined>;
}>;

/** What a handler knows besides its request: the caller (already authenticated), the service, where it is mounted. */
export interface RouteContext {
  deps: GraphDeps;
  /** The service, for this request (`serviceFor`): what the handler runs its command on. */
  service: CallingService;
  principal: Principal;
  version: ApiVersion;
  /** The mount's path: `/v1.0/communications/calls`, `/beta/app/calls`, or `/v1.0` (Location headers mirror it). */
  mountPath: string;
}

/** The README's words for a route: the columns of its row in the supported-surface table. */
export interface RouteDoc {
  /** After the path: what the route accepts, in brief (e.g. `(\`externalId\` required)`). */
  accepts?: string;
  /** The Status column after the code (e.g. `+ call`). */
  answer?: string;
  /** What the bot's callbackUri receives afterwards. */
  notifications: string;
  /** What Graph does that Switchboard does not (yet). */
  notYet?: string;
}

/** The statuses a served route answers with when it succeeds (400: a route that only ever refuses, as Graph does). */
export type SuccessStatus = 200 | 201 | 204 | 400;

interface Common<P extends string> {
  method: RouteMethod;
  mount: RouteMount;
  /** The Fastify path under the mount, with `:name` parameters (`''` is the mount itself). */
  path: P;
  /** The same route at another spelling of its path (the docs' trailing slash); same parameters. */
  alsoAt?: readonly string[];
  versions: readonly ApiVersion[];
  doc: RouteDoc;
}

interface ServedSpec<P extends string> extends Common<P> {
  status: SuccessStatus;
  /** A second success status the handler may choose (createOrGet: 200 for a meeting that already exists). */
  otherStatus?: SuccessStatus;
  /**
   * Answers the request: the body, or undefined for none. The reply's status is `status` when called; a handler
   * may set `otherStatus`, and headers (Location). Anything else it answers is thrown (a GraphError).
   */
  handle(req: RouteRequest<P>, reply: FastifyReply, ctx: RouteContext): Promise<unknown>;
}

/** One route table entry with its types erased, so entries of every path fit one list. */
export interface GraphRoute {
  readonly method: RouteMethod;
  readonly mount: RouteMount;
  readonly path: string;
  readonly alsoAt: readonly string[];
  readonly versions: readonly ApiVersion[];
  readonly doc: RouteDoc;
  /** null: Graph has the route and Switchboard does not serve it yet (501 after the token is checked). */
  readonly served: {
    readonly statuses: readonly SuccessStatus[];
    handle(req: FastifyRequest, reply: FastifyReply, ctx: RouteContext): Promise<unknown>;
  } | null;
}

/** What every entry says of its route, served or not. */
const described = <P extends string>(spec: Common<P>): Omit<GraphRoute, 'served'> => ({
  method: spec.method,
  mount: spec.mount,
  path: spec.path,
  alsoAt: spec.alsoAt ?? [],
  versions: spec.versions,
  doc: spec.doc,
});

export function route<const P extends string>(spec: ServedSpec<P>): GraphRoute {
  return {
    ...described(spec),
    served: {
      statuses: spec.otherStatus === undefined ? [spec.status] : [spec.status, spec.otherStatus],
      // The route is registered at `spec.path`, so Fastify's params are the ones ParamsOf<P> names.
      handle: (req, reply, ctx) => spec.handle(req as RouteRequest<P>, reply, ctx),
    },
  };
}

/** A route Graph has that Switchboard does not serve yet: it answers 501 NotImplemented, never a fake success. */
export function notYet<const P extends string>(spec: Common<P>): GraphRoute {
  return { ...described(spec), served: null };
}

/** `GET /calls/{id}/participants/{id}` as the README writes a route: the mount's Graph path, parameters as `{…}`. */
export function graphPathOf(r: Pick<GraphRoute, 'mount' | 'path'>, path = r.path): string {
  const full = `${r.mount === 'calls' ? '/calls' : ''}${path}`;
  return full.replace(/:(\w+)/g, (_m, name: string) => (name === 'userId' ? '{userId}' : '{id}'));
}

/** The entry's key, unique in the table: `GET calls /:callId`. */
export const routeKey = (r: Pick<GraphRoute, 'method' | 'mount' | 'path'>): string =>
  `${r.method} ${r.mount} ${r.path}`;

export { BETA, BOTH } from '../actions/define.js';
