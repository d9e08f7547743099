/**
 * The bearer JWT on every notification POSTed to a bot (spec 5.2): RS256, `kid` of the signing key, `iss` as
 * configured, `aud` = the bot's app id, `tid` = the tenant. Tokens are cached per (key, app, tenant) because signing
 * is on the hot path; a rotated key (NotificationKeyRing) is used from the next notification on.
 */
import { SignJWT } from 'jose';
import type { SigningKey } from './keys.js';

export const NOTIFICATION_TOKEN_LIFETIME_S = 3600;
// Reused until this close to expiry, so a bot never receives a token that lapses while it validates it.
const REFRESH_BEFORE_S = 300;
const MAX_CACHED = 1000;

interface Cached {
  token: Promise<string>;
  exp: number;
}

/** Where the current signing key comes from: a fixed key, or a ring that rotates. */
export interface SigningKeySource {
  current(): Promise<SigningKey>;
}

export class NotificationSigner {
  private readonly key: SigningKey | SigningKeySource;
  private readonly issuer: string;
  private readonly clock: { now(): number };
  private readonly cache = new Map<string, Cached>();

  constructor(opts: { key: SigningKey | SigningKeySource; issuer: string; clock: { now(): number } }) {
    this.key = opts.key;
    this.issuer = opts.issuer;
    this.clock = opts.clock;
  }

  async sign(appId: string, tenantId: string): Promise<string> {
    const key = 'current' in this.key ? await this.key.current() : this.key;
    // Nothing awaits between the cache look-up and the insert below, so concurrent calls still sign once.
    const now = Math.floor(this.clock.now() / 1000);
    const cacheKey = `${key.kid}\n${appId}\n${tenantId}`;
    const hit = this.cache.get(cacheKey);
    if (hit && now < hit.exp - REFRESH_BEFORE_S) return hit.token;
    if (this.cache.size >= MAX_CACHED) this.prune(now);
    const exp = now + NOTIFICATION_TOKEN_LIFETIME_S;
    const token = new SignJWT({ tid: tenantId })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid })
      .setIssuer(this.issuer)
      .setAudience(appId)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .sign(key.privateKey);
    const entry: Cached = { token, exp };
    this.cache.set(cacheKey, entry);
    // A failed signature must not stay cached for an hour.
    token.catch(() => {
      if (this.cache.get(cacheKey) === entry) this.cache.delete(cacheKey);
    });
    return token;
  }

  private prune(now: number): void {
    for (const [k, v] of this.cache) if (now >= v.exp - REFRESH_BEFORE_S) this.cache.delete(k);
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const k of this.cache.keys()) {
      if (this.cache.size < MAX_CACHED) break;
      this.cache.delete(k);
    }
  }
}
