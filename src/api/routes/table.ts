/**
 * The route table (issue 14): every Graph resource route Switchboard knows, served or not yet, one entry each;
 * bound actions are the action registry's (src/api/actions/registry.ts). The Fastify routes (src/api/graph-routes.ts),
 * the 405/501 method sets (every registered route counts, src/api/allowed-methods.ts), the auth and isolation
 * matrices (test/conformance/route-matrix.ts) and the README's resource table (src/api/routes/surface.ts, checked by
 * test/api/readme-surface.test.ts) all read this list; test/api/route-table.test.ts fails for a Graph route the
 * server registers that is in neither.
 */
import type { ApiVersion } from '../../domain/types.js';
import { AUDIO_ROUTING_GROUP_ROUTES } from '../audio-routing-groups.js';
import { CALL_ROUTES } from '../calls.js';
import { ONLINE_MEETING_ROUTES } from '../online-meetings.js';
import { OPERATION_ROUTES } from '../operations.js';
import { PARTICIPANT_ROUTES } from '../participants.js';
import { routeKey, type GraphRoute } from './define.js';

export const ROUTES: readonly GraphRoute[] = [
  ...CALL_ROUTES,
  ...PARTICIPANT_ROUTES,
  ...OPERATION_ROUTES,
  ...AUDIO_ROUTING_GROUP_ROUTES,
  ...ONLINE_MEETING_ROUTES,
];

const seen = new Set<string>();
for (const r of ROUTES) {
  if (seen.has(routeKey(r))) throw new Error(`the route table lists ${routeKey(r)} twice`);
  seen.add(routeKey(r));
}

/** Where a route is mounted on a version: the four calls prefixes' two of it, or `/{version}`. */
export function mountPaths(r: Pick<GraphRoute, 'mount'>, version: ApiVersion): string[] {
  return r.mount === 'calls' ? [`/${version}/communications/calls`, `/${version}/app/calls`] : [`/${version}`];
}

/** One Fastify route an entry registers: its full URL, on a version, under a mount path. */
export interface TableUrl {
  entry: GraphRoute;
  version: ApiVersion;
  mountPath: string;
  url: string;
}

/** Every Fastify URL of an entry: each version it has × each mount path × its path and `alsoAt` spellings. */
export function urlsOf(r: GraphRoute): TableUrl[] {
  return r.versions.flatMap((version) =>
    mountPaths(r, version).flatMap((mountPath) =>
      [r.path, ...r.alsoAt].map((p) => ({ entry: r, version, mountPath, url: `${mountPath}${p}` })),
    ),
  );
}

const byUrl = new Map<string, GraphRoute>();
for (const r of ROUTES) for (const u of urlsOf(r)) byUrl.set(`${r.method} ${u.url.toLowerCase()}`, r);

/** The entry a registered route (method and Fastify URL) comes from; HEAD is its GET's; null if none. */
export function routeEntryOf(method: string, url: string): GraphRoute | null {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return byUrl.get(`${m} ${url.toLowerCase()}`) ?? null;
}
