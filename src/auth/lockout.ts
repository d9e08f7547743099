/**
 * Wrong client secrets at the token endpoint, limited the way Entra ID's smart lockout limits wrong passwords: it
 * locks the *source* of the failures, not the account, and keeps familiar and unfamiliar sources on separate
 * counters, so an attacker guessing a public client id cannot lock the real bot out
 * (https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout: 10 failures, then
 * locked for a minute).
 *
 * - Each (client, source address) may fail `perSource` times per window; then that source's further attempts for
 *   the client are refused without comparing the secret until its window ends.
 * - Failures from sources that never got a token for the client (unfamiliar ones) also share one pool per client
 *   of `perClient` per window; once it is used up every unfamiliar source is refused without comparison, so many
 *   addresses together cannot guess faster either.
 * - A source that got a token for the client is familiar (at most MAX_FAMILIAR per client, the latest kept): its
 *   failures count only against itself, so the bot keeps getting tokens while the unfamiliar pool is used up.
 * So at most perClient + MAX_FAMILIAR × perSource secrets per client are compared per window, whatever the number
 * of addresses, and a right secret from a source that is not itself locked always gets through.
 */

export interface LockoutPolicy {
  /** Wrong secrets one source may send for one client per window. */
  perSource: number;
  /** Wrong secrets all unfamiliar sources together may send for one client per window. */
  perClient: number;
  windowMs: number;
}

/** Entra ID's defaults: 10 failed attempts, then locked for a minute. */
export const DEFAULT_LOCKOUT: LockoutPolicy = { perSource: 10, perClient: 100, windowMs: 60_000 };

/** Sources remembered as familiar per client: a bot runs from a few addresses. */
export const MAX_FAMILIAR = 8;

interface Window {
  start: number;
  failures: number;
}

// Bounds memory whatever the number of addresses; the oldest entries are dropped first.
const MAX_KEYS = 10_000;

export class SecretLockout {
  readonly policy: LockoutPolicy;
  private readonly clock: { now(): number };
  private readonly windows = new Map<string, Window>();
  private readonly familiar = new Map<string, string[]>();

  constructor(policy: LockoutPolicy, clock: { now(): number }) {
    this.policy = policy;
    this.clock = clock;
  }

  /** Null when `source` may try a secret for `client` now; otherwise the milliseconds until it may. */
  lockedFor(client: string, source: string): number | null {
    const now = this.clock.now();
    const own = this.current(sourceKey(client, source), now);
    if (own && own.failures >= this.policy.perSource) return own.start + this.policy.windowMs - now;
    if (this.isFamiliar(client, source)) return null;
    const pool = this.current(poolKey(client), now);
    if (pool && pool.failures >= this.policy.perClient) return pool.start + this.policy.windowMs - now;
    return null;
  }

  /** A wrong secret from `source` for `client` (it was compared: lockedFor said null). */
  failed(client: string, source: string): void {
    const now = this.clock.now();
    this.count(sourceKey(client, source), now);
    if (!this.isFamiliar(client, source)) this.count(poolKey(client), now);
  }

  /** The right secret from `source`: the source becomes familiar and its own failures are forgotten. */
  succeeded(client: string, source: string): void {
    this.windows.delete(sourceKey(client, source));
    const list = (this.familiar.get(client) ?? []).filter((s) => s !== source);
    list.push(source);
    if (list.length > MAX_FAMILIAR) list.shift();
    this.familiar.delete(client);
    if (this.familiar.size >= MAX_KEYS) this.familiar.delete(this.familiar.keys().next().value!);
    this.familiar.set(client, list);
  }

  private isFamiliar(client: string, source: string): boolean {
    return this.familiar.get(client)?.includes(source) ?? false;
  }

  private current(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    if (w && now >= w.start + this.policy.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private count(key: string, now: number): void {
    let w = this.current(key, now);
    if (!w) {
      if (this.windows.size >= MAX_KEYS) this.prune(now);
      w = { start: now, failures: 0 };
      this.windows.set(key, w);
    }
    w.failures += 1;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now >= w.start + this.policy.windowMs) this.windows.delete(k);
    for (const k of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS) break;
      this.windows.delete(k);
    }
  }
}

const sourceKey = (client: string, source: string): string => `${client}\n${source}`;
const poolKey = (client: string): string => client;
