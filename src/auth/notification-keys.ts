/**
 * The notification signing keys as a ring: one current key signs, keys it replaced stay published in the JWKS for
 * an overlap window so that a notification signed just before a rotation still verifies. Rotation happens when
 * the current key reaches the configured age, or on request (control API). With a data directory the ring lives
 * in keys.json, and a process re-reads it when another one (sharing the directory) rotated.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { newSigningKey, readKeysFile, writeNotificationRing, type NotificationRing, type SigningKey } from './keys.js';

export interface NotificationKeyRingOptions {
  ring: NotificationRing;
  clock: { now(): number };
  /** Rotate when the current key is this old (ms); null: only when asked. */
  rotateEveryMs: number | null;
  /** How long a replaced key stays published (ms). */
  overlapMs: number;
  /** The data directory holding keys.json, or null for keys in memory only. */
  dataDir: string | null;
  /** How often (real ms) to look at keys.json for another process's rotation; default 1 s. */
  reloadCheckMs?: number;
}

export interface KeyRingView {
  current: { kid: string; activatedDateTime: string };
  previous: { kid: string; retiredDateTime: string; unpublishedDateTime: string }[];
}

// How often a process looks at keys.json for a rotation made by another process sharing the data directory.
const RELOAD_CHECK_MS = 1000;

export class NotificationKeyRing {
  private ring: NotificationRing;
  private readonly opts: NotificationKeyRingOptions;
  private rotating: Promise<void> | null = null;
  private checkedAt = 0;
  private fileMtimeMs = 0;

  constructor(opts: NotificationKeyRingOptions) {
    this.opts = opts;
    this.ring = opts.ring;
  }

  /** The key to sign with now (rotating first if the current key has reached its age). */
  async current(): Promise<SigningKey> {
    await this.refresh();
    return this.ring.current;
  }

  /** The public keys a bot may see on a notification now: the current one and those still in their overlap. */
  async published(): Promise<JWK[]> {
    await this.refresh();
    const now = this.opts.clock.now();
    return [
      this.ring.current.publicJwk,
      ...this.ring.previous.filter((p) => now < p.retiredAt + this.opts.overlapMs).map((p) => p.key.publicJwk),
    ];
  }

  async view(): Promise<KeyRingView> {
    await this.refresh();
    const iso = (ms: number): string => new Date(ms).toISOString();
    const now = this.opts.clock.now();
    return {
      current: { kid: this.ring.current.kid, activatedDateTime: iso(this.ring.activatedAt) },
      previous: this.ring.previous
        .filter((p) => now < p.retiredAt + this.opts.overlapMs)
        .map((p) => ({
          kid: p.key.kid,
          retiredDateTime: iso(p.retiredAt),
          unpublishedDateTime: iso(p.retiredAt + this.opts.overlapMs),
        })),
    };
  }

  /** Replaces the current key with a new one now; the old one stays published for the overlap window. */
  rotate(): Promise<void> {
    this.rotating ??= this.doRotate().finally(() => {
      this.rotating = null;
    });
    return this.rotating;
  }

  private async doRotate(): Promise<void> {
    const now = this.opts.clock.now();
    const fresh = await newSigningKey();
    const previous = [{ key: this.ring.current, retiredAt: now }, ...this.ring.previous].filter(
      (p) => now < p.retiredAt + this.opts.overlapMs,
    );
    const next: NotificationRing = { current: fresh, activatedAt: now, previous };
    if (this.opts.dataDir !== null) {
      await writeNotificationRing(this.opts.dataDir, next);
      this.fileMtimeMs = (await stat(keysPath(this.opts.dataDir))).mtimeMs;
    }
    this.ring = next;
  }

  private async refresh(): Promise<void> {
    if (this.rotating) await this.rotating;
    await this.reloadIfChanged();
    const every = this.opts.rotateEveryMs;
    if (every !== null && this.opts.clock.now() - this.ring.activatedAt >= every) await this.rotate();
  }

  private async reloadIfChanged(): Promise<void> {
    const dir = this.opts.dataDir;
    const now = Date.now();
    if (dir === null || now - this.checkedAt < (this.opts.reloadCheckMs ?? RELOAD_CHECK_MS)) return;
    this.checkedAt = now;
    const mtimeMs = (await stat(keysPath(dir))).mtimeMs;
    if (mtimeMs === this.fileMtimeMs) return;
    this.fileMtimeMs = mtimeMs;
    const stored = await readKeysFile(dir);
    // The file is the truth every process sharing the directory converges on (another process rotated).
    if (stored.notificationRing.current.kid !== this.ring.current.kid) this.ring = stored.notificationRing;
  }
}

const keysPath = (dir: string): string => join(dir, 'keys.json');
