/**
 * Which methods the server serves on a concrete path, from the route table: a request whose method no route serves
 * on a path that other methods do serve answers `405 Method Not Allowed` with `Allow` (RFC 9110 §15.5.6), as Graph
 * does (`Request_BadRequest`, "Specified HTTP method is not allowed for the request target."). A path no route
 * serves under any method keeps its 404, and a Graph calling path Switchboard does not serve its 501.
 *
 * Catch-all routes (`…/calls/*`) are placeholders for paths Switchboard does not serve: they never count. A route
 * whose segment is a bound action (`…/calls/:callId/:action`) serves only the action names it declares in its route
 * config (`pathValues`), so `GET …/calls/{id}/answer` is 405 (POST only) while `GET …/calls/{id}/audioRoutingGroups`,
 * a Graph path under no Switchboard route, stays 501.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actionName, requestPath } from './context.js';
import { GraphError, unknownSegment } from '../http/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The values a path parameter takes on this route (normalized by `actionName`), e.g. the action names it serves. */
    pathValues?: Record<string, ReadonlySet<string>>;
  }
  interface FastifyInstance {
    /** The methods served on a concrete path (see src/api/allowed-methods.ts). */
    routeMethods: RouteMethods;
  }
}

type Segment = { literal: string } | { param: string };

interface Pattern {
  method: string;
  segments: Segment[];
  pathValues: Record<string, ReadonlySet<string>>;
}

/** The order Allow lists methods in. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class RouteMethods {
  private readonly patterns: Pattern[] = [];

  add(method: string, url: string, config: { pathValues?: Record<string, ReadonlySet<string>> } = {}): void {
    if (url.includes('*')) return;
    const segments = url
      .split('/')
      .slice(1)
      .map((s): Segment => (s.startsWith(':') ? { param: s.slice(1) } : { literal: s.toLowerCase() }));
    this.patterns.push({
      method: method.toUpperCase(),
      segments,
      pathValues: config.pathValues ?? {},
    });
  }

  /** Methods served on `path` (no query string), in Allow order. */
  lookup(path: string): { allow: string[] } {
    const parts = path.split('/').slice(1);
    const allow = new Set<string>();
    for (const p of this.patterns) if (matches(p, parts)) allow.add(p.method);
    const order = [...allow].sort(
      (a, b) => (METHOD_ORDER.indexOf(a) + 1 || 99) - (METHOD_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
    );
    return { allow: order };
  }
}

function matches(p: Pattern, parts: string[]): boolean {
  if (p.segments.length !== parts.length) return false;
  return p.segments.every((seg, i) => {
    const part = parts[i]!;
    if ('literal' in seg) return decode(part).toLowerCase() === seg.literal;
    if (part === '') return false;
    const values = p.pathValues[seg.param];
    return values === undefined || values.has(actionName(decode(part)));
  });
}

/** Collects every route the app registers (call before registering routes). */
export function installRouteMethods(app: FastifyInstance): void {
  const table = new RouteMethods();
  app.decorate('routeMethods', table);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) table.add(method, route.url ?? route.path, route.config ?? {});
  });
}

/** Graph's 405: `Allow` lists the methods served on the path. */
export const methodNotAllowed = (method: string, path: string, allow: readonly string[]): GraphError =>
  new GraphError(
    405,
    'Request_BadRequest',
    `Specified HTTP method is not allowed for the request target. ${method} ${path}: this path serves ${allow.join(', ')}.`,
    null,
    { Allow: allow.join(', ') },
  );

/**
 * For a request no route serves by its method: 405 when other methods serve its path, null when no method serves
 * the path (the caller's 404 or 501). A method Graph serves on a path and Switchboard does not yet is a route of its
 * own, a `notYet` entry of the route table (src/api/routes/define.ts) answering 501, so it counts as served here.
 */
export function methodNotAllowedFor(app: FastifyInstance, method: string, path: string): GraphError | null {
  const { allow } = app.routeMethods.lookup(path);
  const m = method.toUpperCase();
  if (allow.length === 0 || allow.includes(m)) return null;
  return methodNotAllowed(method, path, allow);
}

/**
 * An action route's answer for a segment that is none of its actions. A plain segment may be a navigation or a key
 * that other methods serve (POST …/calls/{id}/participants, POST …/participants/{pid}): then the method is what is
 * wrong, 405. A namespaced one (`microsoft.graph.…`) can only name an action, and there is none by that name: 400.
 */
export function unknownAction(req: FastifyRequest, segment: string): GraphError {
  if (!/^microsoft\.graph\./i.test(segment)) {
    const wrongMethod = methodNotAllowedFor(req.server, req.method, requestPath(req));
    if (wrongMethod) return wrongMethod;
  }
  return unknownSegment(segment);
}
