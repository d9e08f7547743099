/**
 * The Host header check (DNS rebinding): every route of the server's route table (Graph, token endpoint, OpenID
 * documents, control API) refuses a request whose Host is a foreign name with 421 `MisdirectedRequest` in the Graph
 * envelope naming the Host, before anything runs; the server's own names (with or without a port) and configured
 * ones pass. The policy itself: loopback, a wildcard bind (interface addresses and host name), a specific address,
 * `--allowed-hosts` names, domains and `*`.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostOf, hostPolicy } from '../../src/http/host-check.js';
import { ConfigError, resolveConfig } from '../../src/config.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

interface Answer {
  status: number;
  body: string;
}

/** node:http, because fetch does not let a caller set Host. */
function send(base: string, method: string, path: string, host: string): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const MACHINE = { addresses: ['127.0.0.1', '::1', '10.1.2.3', 'fe80::1c2:3ff:fe45:6789'], hostname: 'build-7' };

describe('host policy', () => {
  it('bound to loopback: the bound address, localhost, 127.0.0.1 and [::1], any port', () => {
    const p = hostPolicy('127.0.0.1', [], MACHINE);
    for (const h of [
      '127.0.0.1',
      '127.0.0.1:4100',
      'localhost',
      'LOCALHOST:4443',
      'localhost.',
      '[::1]',
      '[::1]:4100',
      undefined,
    ])
      expect(p.allows(h), String(h)).toBe(true);
    for (const h of [
      'evil.example',
      'evil.example:4100',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      'build-7',
      '10.1.2.3',
      '[::2]',
      '[::1]evil',
    ])
      expect(p.allows(h), h).toBe(false);
    expect(hostPolicy('::1', [], MACHINE).allows('[::1]:80')).toBe(true);
    expect(hostPolicy('localhost', [], MACHINE).allows('127.0.0.1')).toBe(true);
  });

  it('bound to every interface: also each interface address and the host name', () => {
    for (const bound of ['0.0.0.0', '::']) {
      const p = hostPolicy(bound, [], MACHINE);
      for (const h of ['localhost', '10.1.2.3:4100', '[fe80::1c2:3ff:fe45:6789]', 'build-7', 'BUILD-7:4100'])
        expect(p.allows(h), `${bound} ${h}`).toBe(true);
      for (const h of ['evil.example', '10.1.2.4', 'build-7.evil.example'])
        expect(p.allows(h), `${bound} ${h}`).toBe(false);
    }
  });

  it('bound to one address: that address and the host name', () => {
    const p = hostPolicy('10.1.2.3', [], MACHINE);
    expect(['10.1.2.3:4100', 'build-7'].map((h) => p.allows(h))).toEqual([true, true]);
    expect(['localhost', '127.0.0.1', 'evil.example'].map((h) => p.allows(h))).toEqual([false, false, false]);
  });

  it('--allowed-hosts: names, a domain with its subdomains, or any', () => {
    const p = hostPolicy('127.0.0.1', ['switchboard.test', '.tunnel.example'], MACHINE);
    for (const h of ['switchboard.test:443', 'tunnel.example', 'abc.tunnel.example', 'localhost'])
      expect(p.allows(h), h).toBe(true);
    for (const h of ['eviltunnel.example', 'switchboard.test.evil']) expect(p.allows(h), h).toBe(false);
    expect(hostPolicy('127.0.0.1', ['*'], MACHINE).allows('anything.example')).toBe(true);
    expect(hostOf('[::1]:4100')).toBe('[::1]');
    expect(hostOf('Example.COM.:80')).toBe('example.com');
  });

  it('configuration: a comma-separated list, lower-cased; ports and junk refused', () => {
    expect(resolveConfig(['--allowed-hosts', 'Bot.Example, .tunnel.example'], {}).allowedHosts).toEqual([
      'bot.example',
      '.tunnel.example',
    ]);
    expect(resolveConfig([], { SWITCHBOARD_ALLOWED_HOSTS: '*' }).allowedHosts).toEqual(['*']);
    expect(resolveConfig([], {}).allowedHosts).toEqual([]);
    for (const bad of ['bot.example:80', 'http://bot.example', '', 'a b/c'])
      expect(() => resolveConfig(['--allowed-hosts', bad], {}), bad).toThrow(ConfigError);
  });
});

describe('host check over every route', () => {
  let server: TestServer;
  let port: string;

  beforeAll(async () => {
    server = await startTestServer(fastWorld(null), { config: { allowedHosts: ['switchboard.test'] } });
    port = new URL(server.httpUrl).port;
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a foreign Host with 421 naming it on every route; own and configured names pass', async () => {
    const paths = new Map<string, string>();
    for (const r of server.sb.routes)
      paths.set(`${r.method} ${r.url}`, r.url.replace(/\*$/, 'x').replace(/:(\w+)/g, 'placeholder-id'));
    let refused = 0;
    for (const [key, path] of paths) {
      const method = key.split(' ')[0]!;
      for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.nip.example:${port}`]) {
        const res = await send(server.httpUrl, method, path, host);
        expect(res.status, `${key} Host ${host}: ${res.body}`).toBe(421);
        if (method !== 'HEAD') {
          const error = (JSON.parse(res.body) as { error: { code: string; message: string; target: string } }).error;
          expect(error.code).toBe('MisdirectedRequest');
          expect(error.message).toContain(`'${host}'`);
          expect(error.message).toContain('--allowed-hosts');
          expect(error.target).toBe('Host');
        }
        refused += 1;
      }
      for (const host of [`127.0.0.1:${port}`, 'localhost', `[::1]:${port}`, 'switchboard.test']) {
        const res = await send(server.httpUrl, method, path, host);
        expect(res.status, `${key} Host ${host}: ${res.body}`).not.toBe(421);
      }
    }
    console.log(`host check: ${refused} refused requests over ${paths.size} routes`);
  });
});
