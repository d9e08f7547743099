/**
 * The route table is the server's Graph surface (issue 14): every Graph route the server registers is a table entry
 * (src/api/routes/table.ts), an action route of the registry (src/api/actions/) or the 501 catch-all under a call;
 * every table entry is registered on exactly the versions and mounts it names; and the methods a table path answers
 * are the table's: others get 405 with `Allow` naming exactly them, an entry not served yet gets 501.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphPathOf, routeKey, type GraphRoute } from '../../src/api/routes/define.js';
import { ROUTES, routeEntryOf, urlsOf } from '../../src/api/routes/table.js';
import { DEFAULT_USERS } from '../../src/sim/default-world.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

const GRAPH = /^\/(v1\.0|beta)\//i;
const ACTION_ROUTE = /\/calls\/:callId\/(participants\/(:participantId\/)?)?:action$/;
const CATCH_ALL = /^\/(v1\.0|beta)\/(communications|app)\/calls\/\*$/;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer(fastWorld(null));
  token = await server.token();
});
afterAll(async () => {
  await server.close();
});

const fill = (url: string): string =>
  url.replace(/:(\w+)/g, (_m, name: string) => (name === 'userId' ? DEFAULT_USERS.bob : 'placeholder-id'));

/** A plain reading of a route pattern (a parameter takes any one segment), independent of the server's. */
function matches(url: string, path: string): boolean {
  const pattern = url
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}$`, 'i').test(path);
}

async function send(method: string, path: string): Promise<{ status: number; allow: string | null; body: string }> {
  const res = await fetch(`${server.httpUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, allow: res.headers.get('allow'), body: await res.text() };
}

describe('the route table and the routes the server registers', () => {
  it('every registered Graph route is a table entry, a registry action route or the catch-all', () => {
    const graph = server.sb.routes.filter((r) => GRAPH.test(r.url));
    const strays = graph.filter(
      (r) =>
        routeEntryOf(r.method, r.url) === null &&
        !(r.method === 'POST' && ACTION_ROUTE.test(r.url)) &&
        !CATCH_ALL.test(r.url),
    );
    expect(strays.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    // And the check notices a route registered beside the table.
    expect(routeEntryOf('PUT', '/v1.0/communications/calls/:callId')).toBeNull();
    expect(routeEntryOf('HEAD', '/beta/app/calls/:callId/participants')?.path).toBe('/:callId/participants');
  });

  it('every table entry is registered on each version and mount it names, and on no other', () => {
    const registered = new Set(server.sb.routes.map((r) => `${r.method} ${r.url}`));
    for (const entry of ROUTES) {
      for (const u of urlsOf(entry))
        expect(registered, `${routeKey(entry)} at ${u.url}`).toContain(`${entry.method} ${u.url}`);
      for (const other of (['v1.0', 'beta'] as const).filter((v) => !entry.versions.includes(v))) {
        const prefix = entry.mount === 'calls' ? `/${other}/communications/calls` : `/${other}`;
        expect(registered).not.toContain(`${entry.method} ${prefix}${entry.path}`);
      }
    }
  });

  it('each table path answers its methods: others 405 with Allow naming exactly them, unserved entries 501', async () => {
    const byPath = new Map<string, GraphRoute[]>();
    for (const entry of ROUTES) for (const u of urlsOf(entry)) byPath.set(u.url, [...(byPath.get(u.url) ?? []), entry]);
    let checked = 0;
    for (const [url, entries] of byPath) {
      const path = fill(url);
      // The concrete path may match other table paths too (…/onlineMeetings/createOrGet is also …/{meetingId}).
      const methods = new Set<string>(
        ROUTES.filter((e) => urlsOf(e).some((u) => matches(u.url, path))).map((e) => e.method),
      );
      if (methods.has('GET')) methods.add('HEAD');
      const allow = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => methods.has(m)).join(', ');
      for (const method of METHODS.filter((m) => !methods.has(m))) {
        const res = await send(method, path);
        expect([res.status, res.allow], `${method} ${path}: ${res.body}`).toEqual([405, allow]);
        checked += 1;
      }
      for (const entry of entries.filter((e) => !e.served)) {
        const res = await send(entry.method, path);
        expect(res.status, `${entry.method} ${path} (${graphPathOf(entry)}): ${res.body}`).toBe(501);
        expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'NotImplemented' } });
      }
    }
    expect(checked).toBeGreaterThan(byPath.size);
  });
});
