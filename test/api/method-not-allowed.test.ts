/**
 * 405 Method Not Allowed with `Allow`, in the Graph envelope, over the server's own route table (`sb.routes`): every
 * route × every method it does not serve (TRACE and OPTIONS included, sent over node:http since fetch refuses TRACE).
 * `Allow` names at least the route's own methods and never the one refused, and every method it names is served
 * (not itself a 405). Paths served by no method keep their 404, Graph calling paths Switchboard does not serve their
 * 501. (A method Graph serves where Switchboard does not yet is a `notYet` route of the route table, answering 501:
 * test/api/route-table.test.ts.)
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../../src/app.js';
import { DEFAULT_TENANT_ID, DEFAULT_USERS } from '../../src/sim/default-world.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let server: TestServer;
let token: string;

function send(method: string, path: string, auth = true): Promise<Answer> {
  const url = new URL(server.httpUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: auth ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A concrete path for a route: ids are placeholders (what is allowed depends on the path's shape only). */
function fill(url: string): string {
  const action = /\/participants\/:participantId\/:action$/.test(url)
    ? 'mute'
    : /\/participants\/:action$/.test(url)
      ? 'invite'
      : /\/calls\/:callId\/:action$/.test(url)
        ? 'keepAlive'
        : null;
  return url.replace(/:(\w+)/g, (_m, name: string) => {
    if (name === 'action') {
      if (action === null) throw new Error(`no action chosen for ${url}: teach fill() about this route`);
      return action;
    }
    if (name === 'tenant') return DEFAULT_TENANT_ID;
    if (name === 'userId') return DEFAULT_USERS.bob;
    return 'placeholder-id';
  });
}

/** A plain reading of route patterns (a parameter matches any one segment), independent of the server's. */
function servedByAnotherRoute(method: string, path: string, except: string): boolean {
  for (const r of server.sb.routes) {
    if (r.url === except || r.method !== method || r.url.includes('*')) continue;
    const pattern = new RegExp(
      `^${r.url
        .split('/')
        .map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/')}$`,
      'i',
    );
    if (pattern.test(path)) return true;
  }
  return false;
}

function expectEnvelope(res: Answer, method: string, code: string, context: string): void {
  if (method === 'HEAD') {
    expect(res.body, context).toBe('');
    return;
  }
  const body = JSON.parse(res.body) as { error: { code: string; message: string; innerError: Record<string, string> } };
  expect(body.error.code, context).toBe(code);
  expect(body.error.innerError['request-id'], context).toEqual(expect.any(String));
}

describe('405 Method Not Allowed over the route table', () => {
  let byUrl: Map<string, Set<string>>;

  beforeAll(async () => {
    server = await startTestServer(fastWorld(null));
    token = await server.token();
    byUrl = new Map();
    for (const r of server.sb.routes as RouteInfo[]) {
      if (r.url.includes('*')) continue;
      byUrl.set(r.url, (byUrl.get(r.url) ?? new Set()).add(r.method));
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it('every route answers every method it does not serve with 405 and an Allow naming only served methods', async () => {
    let refused = 0;
    const allowSeen = new Map<string, Set<string>>();
    for (const [url, served] of byUrl) {
      const path = fill(url);
      for (const method of METHODS.filter((m) => !served.has(m))) {
        const res = await send(method, path);
        const context = `${method} ${path} (route ${url}): ${res.status} ${res.body}`;
        // Another route may serve this method on the same concrete path (GET …/participants/invite is participant
        // 'invite'): then it is served (any answer but 405) or, where that route's segment is an action name, refused.
        if (res.status !== 405 && servedByAnotherRoute(method, path, url)) continue;
        expect(res.status, context).toBe(405);
        expectEnvelope(res, method, 'Request_BadRequest', context);
        const allow = String(res.headers.allow ?? '').split(', ');
        for (const m of served) expect(allow, context).toContain(m);
        expect(allow, context).not.toContain(method);
        allowSeen.set(path, new Set([...(allowSeen.get(path) ?? []), ...allow]));
        refused += 1;
      }
    }
    // Every method an Allow named is served on that path: not itself refused as not allowed.
    for (const [path, allow] of allowSeen) {
      for (const method of allow) {
        if (method === 'POST' && /rotate$/.test(path)) continue; // served (it rotates the key); not worth a side effect
        const res = await send(method, path);
        expect(res.status, `${method} ${path}: ${res.body}`).not.toBe(405);
      }
    }
    expect(refused).toBeGreaterThan(byUrl.size * 4);
    console.log(`405: ${refused} requests over ${byUrl.size} route paths`);
  });

  it('TRACE, OPTIONS, PUT and PATCH on a call: 405 Allow GET, HEAD, DELETE in the Graph envelope', async () => {
    for (const method of ['TRACE', 'OPTIONS', 'PUT', 'PATCH']) {
      const res = await send(method, '/v1.0/communications/calls/some-call');
      expect(res.status, res.body).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD, DELETE');
      const body = JSON.parse(res.body) as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({ code: 'Request_BadRequest' });
      expect(body.error.message).toBe(
        `Specified HTTP method is not allowed for the request target. ${method} /v1.0/communications/calls/some-call: this path serves GET, HEAD, DELETE.`,
      );
    }
  });

  it('an action answers POST only; a Graph path under no Switchboard route keeps its 501, an unknown path its 404', async () => {
    const collection = await send('PUT', '/v1.0/communications/calls');
    expect(collection.status, collection.body).toBe(405);
    expect(collection.headers.allow).toBe('GET, HEAD, POST');
    const action = await send('GET', '/beta/app/calls/some-call/microsoft.graph.answer');
    expect(action.status, action.body).toBe(405);
    expect(action.headers.allow).toBe('POST');
    expect((await send('GET', '/v1.0/communications/calls/some-call/contentSharingSessions')).status).toBe(501);
    expect((await send('TRACE', '/v1.0/communications/calls/some-call/contentSharingSessions')).status).toBe(501);
    expect((await send('PUT', '/v1.0/nothing/here')).status).toBe(404);
    expect((await send('DELETE', '/_switchboard/nothing')).status).toBe(404);
    // Served methods are untouched: HEAD on a GET route answers like GET, without a body.
    const head = await send('HEAD', '/_switchboard/clock');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('a Graph route checks the token before saying 405', async () => {
    const res = await send('PUT', '/v1.0/communications/calls/some-call', false);
    expect(res.status, res.body).toBe(401);
  });
});
