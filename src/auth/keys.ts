/**
 * RS256 signing keys: one for access tokens, one for the JWTs on notifications to bots. Persisted in the data
 * directory so that tokens issued before a restart still verify.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** Public part as published in a JWKS: kty, n, e, kid, alg RS256, use sig. */
  publicJwk: JWK;
}

export interface SigningKeys {
  token: SigningKey;
  notification: SigningKey;
}

interface KeysFile {
  version: 1;
  token: JWK;
  notification: JWK;
}

export class KeysFileError extends Error {}

/** Reads `dataDir/keys.json`, creating it on first start; `null` gives ephemeral keys that live in memory only. */
export async function loadOrCreateSigningKeys(dataDir: string | null): Promise<SigningKeys> {
  if (dataDir === null) return { token: await fromPrivate(newPrivateKey()), notification: await fromPrivate(newPrivateKey()) };
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'keys.json');
  const existing = await readKeys(path);
  if (existing) return existing;
  const doc: KeysFile = { version: 1, token: privateJwk(newPrivateKey()), notification: privateJwk(newPrivateKey()) };
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  try {
    // link() fails if keys.json appeared meanwhile, so two concurrent starts end up with the same keys.
    await link(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const stored = await readKeys(path);
  if (!stored) throw new KeysFileError(`${path} vanished while it was being created`);
  return stored;
}

function newPrivateKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

function privateJwk(key: KeyObject): JWK {
  return key.export({ format: 'jwk' });
}

async function fromPrivate(privateKey: KeyObject): Promise<SigningKey> {
  const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  // The RFC 7638 thumbprint is stable for a key, so the kid survives restarts without being stored separately.
  const kid = await calculateJwkThumbprint(pub, 'sha256');
  return { kid, privateKey, publicJwk: { kty: pub.kty, n: pub.n, e: pub.e, kid, alg: 'RS256', use: 'sig' } };
}

async function readKeys(path: string): Promise<SigningKeys | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const doc = JSON.parse(text) as Partial<KeysFile>;
    if (doc.version !== 1 || !doc.token || !doc.notification) throw new Error('expected {"version":1,"token":{…},"notification":{…}}');
    return { token: await fromJwk(doc.token), notification: await fromJwk(doc.notification) };
  } catch (e) {
    // Never overwrite silently: that would invalidate every token and trust a bot has cached.
    throw new KeysFileError(`${path} is not a valid Switchboard keys file (${(e as Error).message}); delete it to create new keys`);
  }
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  if (jwk.kty !== 'RSA' || typeof jwk.d !== 'string') throw new Error('keys must be private RSA JWKs');
  return fromPrivate(createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }));
}
