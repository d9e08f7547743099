/**
 * The control key over every control route of the server's own route table (`sb.routes`), so a control route added
 * later is covered the day it is added: with a key configured, every control route but the keyless ones (health,
 * readiness, recording downloads) refuses a request without the key, with a wrong one or with it in the wrong place:
 * 401 `Unauthorized` in the Graph envelope with `WWW-Authenticate`, and nothing changes in the store. The key as a
 * bearer or in `X-Switchboard-Control-Key` is accepted; case and percent-encoding in the path do not dodge it.
 * Beyond loopback a key is generated (kept in the data directory across restarts) and the banner prints it with a
 * warning.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../../src/app.js';
import { banner } from '../../src/banner.js';
import { resolveConfig } from '../../src/config.js';
import { startSwitchboard } from '../../src/main.js';
import { CONTROL_KEY_FILE, resolveControlKey } from '../../src/sim/control-key.js';
import { storeSnapshot } from '../helpers/store-snapshot.js';
import { fastWorld, startTestServer, type TestServer, QUIET_TEST_CONFIG } from '../helpers/server.js';
import { routeKind } from './route-matrix.js';

const KEY = 'control-key-for-the-matrix-0123456789';
/**
 * Routes that take no control key, and why: probes cannot send one; the recording has its own bearer token; the
 * dashboard's static files hold no data (the page sends the key with its own requests: test/ui/dashboard.test.ts).
 */
const KEYLESS = [
  '/_switchboard/health',
  '/_switchboard/ready',
  '/_switchboard/recordings/:operationId',
  '/_switchboard/ui',
  '/_switchboard/ui/*',
];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          ...headers,
          ...(body !== undefined
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const fill = (url: string): string => url.replace(/:(\w+)/g, 'placeholder-id');
const bodyFor = (method: string): string | undefined => (method === 'POST' || method === 'PUT' ? '{}' : undefined);

describe('the control key over every control route', () => {
  let server: TestServer;
  let data: string;
  let controlRoutes: RouteInfo[];

  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'switchboard-control-key-'));
    server = await startTestServer(fastWorld(null), { data, config: { controlKey: KEY } });
    controlRoutes = server.sb.routes.filter((r) => routeKind(r) === 'control');
  });
  afterAll(async () => {
    await server.close();
    rmSync(data, { recursive: true, force: true });
  });

  it('refuses every keyed control route without the key, with a wrong key or in the wrong place; nothing changes', async () => {
    const keyed = controlRoutes.filter((r) => !KEYLESS.includes(r.url));
    expect(keyed.length).toBeGreaterThan(15);
    const wrong: [string, Record<string, string>][] = [
      ['no key', {}],
      ['a wrong bearer', { authorization: `Bearer ${KEY}x` }],
      ['a wrong header', { 'x-switchboard-control-key': KEY.slice(1) }],
      ['the key as Basic', { authorization: `Basic ${KEY}` }],
      ['the key in another header', { 'x-api-key': KEY }],
    ];
    const before = storeSnapshot(data);
    let refused = 0;
    for (const route of keyed) {
      for (const [name, headers] of wrong) {
        const res = await send(server.httpUrl, route.method, fill(route.url), headers, bodyFor(route.method));
        const context = `${name} → ${route.method} ${route.url}: ${res.status} ${res.body}`;
        expect(res.status, context).toBe(401);
        expect(res.headers['www-authenticate'], context).toBe('Bearer realm="Switchboard control API"');
        if (route.method !== 'HEAD') {
          const error = (
            JSON.parse(res.body) as { error: { code: string; message: string; innerError: Record<string, string> } }
          ).error;
          expect(error.code, context).toBe('Unauthorized');
          expect(error.message, context).toContain('X-Switchboard-Control-Key');
          expect(error.innerError['request-id'], context).toEqual(expect.any(String));
        }
        refused += 1;
      }
    }
    expect(storeSnapshot(data)).toEqual(before);
    console.log(`control key: ${refused} refused requests over ${keyed.length} control routes`);
  });

  it('accepts the key as a bearer and in X-Switchboard-Control-Key; keyless routes need none', async () => {
    for (const route of controlRoutes.filter(
      (r) => r.method === 'GET' && !r.url.includes(':') && !KEYLESS.includes(r.url),
    )) {
      for (const headers of [{ authorization: `Bearer ${KEY}` }, { 'x-switchboard-control-key': KEY }] as Record<
        string,
        string
      >[]) {
        const res = await send(server.httpUrl, 'GET', route.url, headers);
        expect(res.status, `${route.url}: ${res.body}`).toBe(200);
      }
    }
    for (const url of KEYLESS.filter((u) => !u.includes('recordings') && controlRoutes.some((r) => r.url === u))) {
      const res = await send(server.httpUrl, 'GET', fill(url));
      expect(res.status, `${url}: ${res.body}`).not.toBe(401);
    }
    // A browser opening the index is sent to the dashboard without the key; the listing itself still needs it.
    const browser = await send(server.httpUrl, 'GET', '/_switchboard/', { accept: 'text/html,*/*;q=0.8' });
    expect([browser.status, browser.headers.location]).toEqual([303, '/_switchboard/ui/']);
    expect((await send(server.httpUrl, 'GET', '/_switchboard/', { accept: 'application/json' })).status).toBe(401);
    // The recording route keeps its own guard: a recording token, not the control key.
    const recording = await send(server.httpUrl, 'GET', '/_switchboard/recordings/placeholder-id');
    expect(recording.status).toBe(401);
    expect(JSON.parse(recording.body).error.code).toBe('InvalidAuthenticationToken');
  });

  it('case and percent-encoding in the path do not dodge the key', async () => {
    for (const path of ['/_SWITCHBOARD/clock', '/%5Fswitchboard/clock', '/_switchboard/%63lock']) {
      const res = await send(server.httpUrl, 'GET', path);
      expect(res.status, `${path}: ${res.body}`).toBe(401);
    }
  });

  it('Graph routes take their token, not the control key', async () => {
    const token = await server.token();
    const res = await send(server.httpUrl, 'GET', '/v1.0/communications/calls/placeholder-id', {
      authorization: `Bearer ${token}`,
    });
    expect(res.status, res.body).toBe(404);
  });
});

describe('beyond loopback', () => {
  it('a key is generated once and kept in the data directory; loopback needs none unless configured', () => {
    const data = mkdtempSync(join(tmpdir(), 'switchboard-control-key-file-'));
    try {
      const first = resolveControlKey({ configured: null, host: '0.0.0.0', dataDir: data });
      expect(first.source).toBe('generated');
      expect(first.key!.length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(join(data, CONTROL_KEY_FILE), 'utf8').trim()).toBe(first.key);
      expect(statSync(join(data, CONTROL_KEY_FILE)).mode & 0o077).toBe(0);
      expect(resolveControlKey({ configured: null, host: '192.168.1.20', dataDir: data })).toEqual({
        key: first.key,
        source: 'data',
      });
      expect(resolveControlKey({ configured: KEY, host: '0.0.0.0', dataDir: data })).toEqual({
        key: KEY,
        source: 'configured',
      });
      const ephemeral = resolveControlKey({ configured: null, host: '::', dataDir: null });
      expect(ephemeral.source).toBe('generated');
      expect(ephemeral.key).not.toBe(first.key);
      for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2'])
        expect(resolveControlKey({ configured: null, host, dataDir: data })).toEqual({ key: null, source: 'none' });
      expect(resolveControlKey({ configured: KEY, host: '127.0.0.1', dataDir: data })).toEqual({
        key: KEY,
        source: 'configured',
      });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('bound to 0.0.0.0: the banner prints the generated key and warns; the control API requires it', async () => {
    const tlsDir = process.env.SWITCHBOARD_TEST_TLS_DIR!;
    const config = resolveConfig(
      [],
      {},
      { host: '0.0.0.0', port: 0, httpsPort: 0, data: ':memory:', tlsDir, logLevel: 'silent', ...QUIET_TEST_CONFIG },
    );
    const sb = await startSwitchboard(config, { world: fastWorld(null), drainMs: 0 });
    try {
      const key = sb.controlKey.key!;
      expect(sb.controlKey.source).toBe('generated');
      const text = banner(sb);
      expect(text).toContain(`Control key      ${key}`);
      expect(text).toMatch(/WARNING +bound to 0\.0\.0\.0: reachable beyond this machine/);
      const port = new URL(sb.httpUrl).port;
      const local = `http://127.0.0.1:${port}`;
      expect((await send(local, 'GET', '/_switchboard/clock')).status).toBe(401);
      expect((await send(local, 'GET', '/_switchboard/clock', { 'x-switchboard-control-key': key })).status).toBe(200);
    } finally {
      await sb.close();
    }
  });
});
