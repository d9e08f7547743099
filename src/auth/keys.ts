/**
 * RS256 signing keys: one for access tokens, one for the JWTs on notifications to bots. Persisted in the data
 * directory so that tokens issued before a restart still verify.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** Public part as published in a JWKS: kty, n, e, kid, alg RS256, use sig. */
  publicJwk: JWK;
}

/** A key that only verifies: a replaced notification key, still published for a while. */
export interface PublishedKey {
  kid: string;
  publicJwk: JWK;
}

/** The notification keys: the one that signs, since when, and those it replaced (with when). */
export interface NotificationRing {
  current: SigningKey;
  activatedAt: number;
  previous: { key: PublishedKey; retiredAt: number }[];
}

export interface SigningKeys {
  token: SigningKey;
  /** The current notification key (`notificationRing.current`). */
  notification: SigningKey;
  notificationRing: NotificationRing;
}

interface KeysFile {
  version: 1;
  token: JWK;
  notification: JWK;
  /** When `notification` started signing (epoch ms); absent in files written before rotation existed. */
  notificationActivatedAt?: number;
  /** Replaced notification keys (public parts), kept while they are published. */
  notificationPrevious?: { key: JWK; retiredAt: number }[];
}

export class KeysFileError extends Error {}

const generateRsaKeyPair = promisify(generateKeyPair);

/**
 * Reads `dataDir/keys.json`, creating it on first start; `null` gives ephemeral keys that live in memory only.
 * `now` (the auth clock) dates a new notification key, for rotation by age.
 */
export async function loadOrCreateSigningKeys(dataDir: string | null, now: number = Date.now()): Promise<SigningKeys> {
  if (dataDir === null) {
    const [token, notification] = await Promise.all([newSigningKey(), newSigningKey()]);
    return { token, notification, notificationRing: { current: notification, activatedAt: now, previous: [] } };
  }
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'keys.json');
  const existing = await readKeys(path);
  if (existing) return existing;
  const [token, notification] = await Promise.all([newPrivateKey(), newPrivateKey()]);
  const doc: KeysFile = {
    version: 1,
    token: privateJwk(token),
    notification: privateJwk(notification),
    notificationActivatedAt: now,
    notificationPrevious: [],
  };
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

/** A fresh RS256 key (a notification key rotation). */
export const newSigningKey = async (): Promise<SigningKey> => fromPrivate(await newPrivateKey());

/** Reads the keys of a data directory that already has them. */
export async function readKeysFile(dataDir: string): Promise<SigningKeys> {
  const path = join(dataDir, 'keys.json');
  const keys = await readKeys(path);
  if (!keys) throw new KeysFileError(`${path} does not exist`);
  return keys;
}

/** Replaces the notification keys in keys.json (atomically: a reader sees the old file or the new one). */
export async function writeNotificationRing(dataDir: string, ring: NotificationRing): Promise<void> {
  const path = join(dataDir, 'keys.json');
  const doc = JSON.parse(await readFile(path, 'utf8')) as KeysFile;
  doc.notification = privateJwk(ring.current.privateKey);
  doc.notificationActivatedAt = ring.activatedAt;
  doc.notificationPrevious = ring.previous.map((p) => ({ key: p.key.publicJwk, retiredAt: p.retiredAt }));
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** Off the main thread (libuv's pool), so the two keys of a first start are generated side by side. */
async function newPrivateKey(): Promise<KeyObject> {
  return (await generateRsaKeyPair('rsa', { modulusLength: 2048 })).privateKey;
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
    if (doc.version !== 1 || !doc.token || !doc.notification)
      throw new Error('expected {"version":1,"token":{…},"notification":{…}}');
    const notification = await fromJwk(doc.notification);
    // A file from before rotation existed: its key has signed since the file was written.
    const activatedAt =
      typeof doc.notificationActivatedAt === 'number' ? doc.notificationActivatedAt : (await stat(path)).mtimeMs;
    const previous = (doc.notificationPrevious ?? []).map((p) => ({
      key: publishedKey(p.key),
      retiredAt: p.retiredAt,
    }));
    return {
      token: await fromJwk(doc.token),
      notification,
      notificationRing: { current: notification, activatedAt, previous },
    };
  } catch (e) {
    // Never overwrite silently: that would invalidate every token and trust a bot has cached.
    throw new KeysFileError(
      `${path} is not a valid Switchboard keys file (${(e as Error).message}); delete it to create new keys`,
    );
  }
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  if (jwk.kty !== 'RSA' || typeof jwk.d !== 'string') throw new Error('keys must be private RSA JWKs');
  return fromPrivate(createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }));
}

function publishedKey(jwk: JWK): PublishedKey {
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string' || typeof jwk.kid !== 'string')
    throw new Error('a replaced notification key must be a public RSA JWK with a kid');
  return { kid: jwk.kid, publicJwk: { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid, alg: 'RS256', use: 'sig' } };
}
