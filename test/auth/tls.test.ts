import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateTls, type TlsMaterial } from '../../src/auth/tls.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-tls-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sans = (pem: string): string => new X509Certificate(pem).subjectAltName ?? '';

describe('loadOrCreateTls', () => {
  it('creates a CA and a server certificate it signed, with the default and requested SANs', async () => {
    const m = await loadOrCreateTls(dir, ['switchboard.test', '10.1.2.3', '[fe80::1]', '0.0.0.0']);
    const ca = new X509Certificate(m.caCertPem);
    const server = new X509Certificate(m.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=Switchboard Local CA');
    expect(Date.parse(ca.validTo) - Date.now()).toBeGreaterThan(3649 * 86_400_000);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkPrivateKey(createPrivateKey(m.keyPem))).toBe(true);
    for (const host of ['localhost', 'switchboard.test']) expect(server.checkHost(host)).toBe(host);
    for (const ip of ['127.0.0.1', '::1', '10.1.2.3', 'fe80::1']) expect(server.checkIP(ip)).toBeDefined();
    expect(sans(m.certPem)).not.toContain('0.0.0.0');
    expect(m.caCertPath).toBe(join(dir, 'ca.pem'));
    expect(await readFile(m.caCertPath, 'utf8')).toBe(m.caCertPem);
    expect((await stat(join(dir, 'ca-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'server-key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('reuses the stored material on a later start', async () => {
    const a = await loadOrCreateTls(dir, ['localhost']);
    const b = await loadOrCreateTls(dir, ['127.0.0.1']);
    expect(b).toEqual(a);
  });

  it('regenerates only the server certificate when a host is missing, keeping the CA', async () => {
    const a = await loadOrCreateTls(dir, []);
    const b = await loadOrCreateTls(dir, ['new-host.test']);
    expect(b.caCertPem).toBe(a.caCertPem);
    expect(b.certPem).not.toBe(a.certPem);
    expect(new X509Certificate(b.certPem).checkHost('new-host.test')).toBe('new-host.test');
    const c = await loadOrCreateTls(dir, ['new-host.test']);
    expect(c.certPem).toBe(b.certPem);
  });

  it('renews the server certificate when it expires within 30 days', async () => {
    const a = await loadOrCreateTls(dir, []);
    const expiry = Date.parse(new X509Certificate(a.certPem).validTo);
    const b = await loadOrCreateTls(dir, [], () => expiry - 29 * 86_400_000);
    expect(b.caCertPem).toBe(a.caCertPem);
    expect(b.certPem).not.toBe(a.certPem);
  });

  it('settles on one CA when several starts race on an empty directory', async () => {
    const all = await Promise.all(Array.from({ length: 6 }, (_, i) => loadOrCreateTls(dir, [`host${i % 2}.test`])));
    const cas = new Set(all.map((m) => m.caCertPem));
    expect(cas.size).toBe(1);
    const final = await loadOrCreateTls(dir, []);
    expect(cas.has(final.caCertPem)).toBe(true);
    for (const m of all) expect(new X509Certificate(m.certPem).checkPrivateKey(createPrivateKey(m.keyPem))).toBe(true);
  });

  it('serves https that a client trusting only the CA accepts', async () => {
    const m: TlsMaterial = await loadOrCreateTls(dir, []);
    const server = createServer({ cert: m.certPem, key: m.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const body = await new Promise<string>((resolve, reject) => {
          request(
            {
              host: '127.0.0.1',
              servername: host === 'localhost' ? host : undefined,
              port,
              ca: m.caCertPem,
              headers: { host },
            },
            (res) => {
              let s = '';
              res.on('data', (d: Buffer) => (s += d.toString()));
              res.on('end', () => resolve(s));
            },
          )
            .on('error', reject)
            .end();
        });
        expect(body).toBe('ok');
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
