/**
 * A local CA and a server certificate it signs, kept in one directory so that trusting the CA once
 * (NODE_EXTRA_CA_CERTS) survives restarts. Safe for concurrent starts: writers hold a lock directory and
 * publish every file by rename, readers check that each cert matches its key.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type Forge from 'node-forge';

export interface TlsMaterial {
  caCertPem: string;
  caCertPath: string;
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_DAYS = 3650;
// Below Apple's 398-day cap, so the cert also works for clients that enforce it.
const SERVER_DAYS = 397;
const RENEW_BEFORE_MS = 30 * DAY_MS;
const ALWAYS_HOSTS = ['localhost', '127.0.0.1', '::1'];
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 60_000;

interface Pair {
  certPem: string;
  keyPem: string;
}

/** Loads the CA and server certificate from `dir`, creating or renewing what is missing, mismatched or expiring. */
export async function loadOrCreateTls(
  dir: string,
  hosts: string[],
  now: () => number = Date.now,
): Promise<TlsMaterial> {
  await mkdir(dir, { recursive: true });
  const wanted = normaliseHosts(hosts);
  const fast = await readValid(dir, wanted, now());
  if (fast) return fast;
  return withLock(dir, async () => {
    // Another process may have finished the work while we waited for the lock.
    const again = await readValid(dir, wanted, now());
    if (again) return again;
    // node-forge only makes certificates: a start that finds valid ones here never loads it.
    const forge = (await import('node-forge')).default;
    let ca = await readPair(dir, 'ca.pem', 'ca-key.pem');
    if (!ca || !caUsable(ca, now())) {
      ca = createCa(forge, now());
      await publish(join(dir, 'ca-key.pem'), ca.keyPem, 0o600);
      await publish(join(dir, 'ca.pem'), ca.certPem, 0o644);
    }
    const server = createServerCert(forge, ca, wanted, now());
    await publish(join(dir, 'server-key.pem'), server.keyPem, 0o600);
    await publish(join(dir, 'server.pem'), server.certPem, 0o644);
    return { caCertPem: ca.certPem, caCertPath: join(dir, 'ca.pem'), ...server };
  });
}

function normaliseHosts(hosts: string[]): string[] {
  const out = new Set<string>(ALWAYS_HOSTS);
  for (const raw of hosts) {
    const h = raw
      .trim()
      .replace(/^\[(.*)\]$/, '$1')
      .toLowerCase();
    // Wildcard listen addresses name no host a client could connect to.
    if (h === '' || h === '0.0.0.0' || h === '::') continue;
    out.add(h);
  }
  return [...out];
}

async function readValid(dir: string, hosts: string[], now: number): Promise<TlsMaterial | null> {
  const ca = await readPair(dir, 'ca.pem', 'ca-key.pem');
  if (!ca || !caUsable(ca, now)) return null;
  const server = await readPair(dir, 'server.pem', 'server-key.pem');
  if (!server || !serverUsable(server, ca, hosts, now)) return null;
  return { caCertPem: ca.certPem, caCertPath: join(dir, 'ca.pem'), ...server };
}

async function readPair(dir: string, certFile: string, keyFile: string): Promise<Pair | null> {
  try {
    const [certPem, keyPem] = await Promise.all([
      readFile(join(dir, certFile), 'utf8'),
      readFile(join(dir, keyFile), 'utf8'),
    ]);
    return { certPem, keyPem };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function parse(pair: Pair): { cert: X509Certificate; key: KeyObject } | null {
  try {
    const cert = new X509Certificate(pair.certPem);
    const key = createPrivateKey(pair.keyPem);
    // A mismatch means a concurrent writer is between its two renames (or the files were edited by hand).
    return cert.checkPrivateKey(key) ? { cert, key } : null;
  } catch {
    return null;
  }
}

function caUsable(ca: Pair, now: number): boolean {
  const p = parse(ca);
  return p !== null && p.cert.ca && Date.parse(p.cert.validTo) > now + RENEW_BEFORE_MS;
}

function serverUsable(server: Pair, ca: Pair, hosts: string[], now: number): boolean {
  const p = parse(server);
  if (!p) return false;
  const caCert = new X509Certificate(ca.certPem);
  if (!p.cert.checkIssued(caCert) || !p.cert.verify(caCert.publicKey)) return false;
  if (Date.parse(p.cert.validTo) <= now + RENEW_BEFORE_MS || Date.parse(p.cert.validFrom) > now) return false;
  return hosts.every((h) =>
    isIP(h) ? p.cert.checkIP(h) !== undefined : p.cert.checkHost(h, { subject: 'never' }) !== undefined,
  );
}

function rsaKeyPair(forge: typeof Forge): {
  forgePublic: Forge.pki.rsa.PublicKey;
  forgePrivate: Forge.pki.rsa.PrivateKey;
  keyPem: string;
} {
  // Native key generation takes milliseconds; forge's pure-JS one takes seconds.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    forgePublic: forge.pki.publicKeyFromPem(publicKey),
    forgePrivate: forge.pki.privateKeyFromPem(privateKey),
    keyPem: privateKey,
  };
}

function serial(): string {
  const bytes = randomBytes(16);
  // Keeps the serial positive in its DER encoding.
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function baseCert(
  forge: typeof Forge,
  publicKey: Forge.pki.rsa.PublicKey,
  now: number,
  days: number,
): Forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  // Backdated a little so that small clock differences between processes do not make it "not yet valid".
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
  return cert;
}

function createCa(forge: typeof Forge, now: number): Pair {
  const keys = rsaKeyPair(forge);
  const cert = baseCert(forge, keys.forgePublic, now, CA_DAYS);
  const subject = [
    { name: 'commonName', value: 'Switchboard Local CA' },
    { name: 'organizationName', value: 'Switchboard' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.forgePrivate, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function createServerCert(forge: typeof Forge, ca: Pair, hosts: string[], now: number): Pair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = rsaKeyPair(forge);
  const cert = baseCert(forge, keys.forgePublic, now, SERVER_DAYS);
  cert.setSubject([
    { name: 'commonName', value: hosts.find((h) => isIP(h) === 0) ?? 'localhost' },
    { name: 'organizationName', value: 'Switchboard' },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  const caSki = caCert.generateSubjectKeyIdentifier().getBytes();
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caSki },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

async function publish(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A process that died holding the lock must not block every later start.
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for the TLS lock ${lock}`);
      else await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}
