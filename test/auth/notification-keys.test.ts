/** The notification key ring on a movable clock: rotation on request and by age, the overlap window, persistence. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys, readKeysFile } from '../../src/auth/keys.js';
import { NotificationKeyRing } from '../../src/auth/notification-keys.js';
import { NotificationSigner } from '../../src/auth/notification-signer.js';

const HOUR = 3_600_000;
const ISSUER = 'https://api.botframework.com';
const APP = '0efc74f7-41c3-47a4-8775-7259bfef4241';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

const clockAt = (start = Date.now()): { now(): number; advance(ms: number): void } => {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
};

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'switchboard-keys-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function ring(opts: { rotateEveryMs?: number | null; dataDir?: string | null; clock?: { now(): number } } = {}) {
  const clock = opts.clock ?? clockAt();
  const keys = await loadOrCreateSigningKeys(opts.dataDir ?? null, clock.now());
  return new NotificationKeyRing({
    ring: keys.notificationRing,
    clock,
    rotateEveryMs: opts.rotateEveryMs ?? null,
    overlapMs: HOUR,
    dataDir: opts.dataDir ?? null,
    reloadCheckMs: 0,
  });
}

const kids = async (r: NotificationKeyRing): Promise<string[]> => (await r.published()).map((k) => k.kid!);

describe('NotificationKeyRing', () => {
  it('rotates on request: the new key signs, the old one stays published for the overlap window, then goes', async () => {
    const clock = clockAt();
    const r = await ring({ clock });
    const first = (await r.current()).kid;
    expect(await kids(r)).toEqual([first]);
    await r.rotate();
    const second = (await r.current()).kid;
    expect(second).not.toBe(first);
    expect(await kids(r)).toEqual([second, first]);
    clock.advance(HOUR - 1);
    expect(await kids(r)).toEqual([second, first]);
    clock.advance(1);
    expect(await kids(r)).toEqual([second]);
    expect((await r.view()).current.kid).toBe(second);
  });

  it('rotates by age when an interval is set, and not before', async () => {
    const clock = clockAt();
    const r = await ring({ clock, rotateEveryMs: 24 * HOUR });
    const first = (await r.current()).kid;
    clock.advance(24 * HOUR - 1);
    expect((await r.current()).kid).toBe(first);
    clock.advance(1);
    const second = (await r.current()).kid;
    expect(second).not.toBe(first);
    expect(await kids(r)).toEqual([second, first]);
  });

  it('keeps the ring in keys.json: a restart, or another process on the same directory, signs with the new key', async () => {
    const dataDir = tempDir();
    const a = await ring({ dataDir });
    const b = await ring({ dataDir });
    const first = (await a.current()).kid;
    expect((await b.current()).kid).toBe(first);
    await a.rotate();
    const second = (await a.current()).kid;
    const stored = await readKeysFile(dataDir);
    expect(stored.notification.kid).toBe(second);
    expect(stored.notificationRing.previous.map((p) => p.key.kid)).toEqual([first]);
    expect((await b.current()).kid).toBe(second);
    expect(await kids(b)).toEqual([second, first]);
  });

  it('a signer on the ring switches kid at the rotation; tokens of both keys verify against the JWKS of the overlap', async () => {
    const clock = clockAt();
    const r = await ring({ clock });
    const signer = new NotificationSigner({ key: r, issuer: ISSUER, clock });
    const before = await signer.sign(APP, TENANT);
    await r.rotate();
    const after = await signer.sign(APP, TENANT);
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    expect(decodeProtectedHeader(after).kid).toBe((await r.current()).kid);
    const jwks = createLocalJWKSet({ keys: await r.published() });
    for (const token of [before, after]) {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: ISSUER,
        audience: APP,
        currentDate: new Date(clock.now()),
      });
      expect(payload.tid).toBe(TENANT);
    }
    clock.advance(HOUR);
    const later = createLocalJWKSet({ keys: await r.published() });
    await expect(
      jwtVerify(before, later, { issuer: ISSUER, audience: APP, currentDate: new Date(clock.now() - 1000) }),
    ).rejects.toThrow();
  });
});
