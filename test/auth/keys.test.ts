import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, jwtVerify, importJWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeysFileError, loadOrCreateSigningKeys } from '../../src/auth/keys.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrCreateSigningKeys', () => {
  it('creates two distinct RS256 keys whose public JWKs verify what the private keys sign', async () => {
    const keys = await loadOrCreateSigningKeys(dir);
    expect(keys.token.kid).not.toBe(keys.notification.kid);
    for (const key of [keys.token, keys.notification]) {
      expect(key.publicJwk).toMatchObject({ kty: 'RSA', kid: key.kid, alg: 'RS256', use: 'sig' });
      expect(key.publicJwk).not.toHaveProperty('d');
      const jwt = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(key.privateKey);
      const { payload } = await jwtVerify(jwt, await importJWK(key.publicJwk, 'RS256'));
      expect(payload.a).toBe(1);
    }
    expect((await stat(join(dir, 'keys.json'))).mode & 0o777).toBe(0o600);
  });

  it('returns the same keys after a restart', async () => {
    const a = await loadOrCreateSigningKeys(dir);
    const b = await loadOrCreateSigningKeys(dir);
    expect(b.token.publicJwk).toEqual(a.token.publicJwk);
    expect(b.notification.publicJwk).toEqual(a.notification.publicJwk);
  });

  it('agrees on one key set when several starts race', async () => {
    const all = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateSigningKeys(dir)));
    expect(new Set(all.map((k) => k.token.kid)).size).toBe(1);
    expect(new Set(all.map((k) => k.notification.kid)).size).toBe(1);
  });

  it('creates fresh keys in memory for null, touching no file', async () => {
    const a = await loadOrCreateSigningKeys(null);
    const b = await loadOrCreateSigningKeys(null);
    expect(a.token.kid).not.toBe(b.token.kid);
  });

  it('refuses a corrupt keys file instead of replacing it', async () => {
    await writeFile(join(dir, 'keys.json'), '{"version":1}');
    await expect(loadOrCreateSigningKeys(dir)).rejects.toBeInstanceOf(KeysFileError);
    expect(await readFile(join(dir, 'keys.json'), 'utf8')).toBe('{"version":1}');
  });
});
