/**
 * Request limits: a fixed window of `requests` per `windowMs` for each key (an app in a tenant, a tenant, a token
 * client). Windows start at a key's first request, so a client is told exactly when its window resets.
 */

export interface RateLimit {
  requests: number;
  windowMs: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `50000/15s`, `200/1m`, `5/500ms`, or `off` (null). */
export function parseRateLimit(raw: string): RateLimit | null {
  if (raw.trim().toLowerCase() === 'off') return null;
  const m = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/i.exec(raw);
  if (!m) throw new Error(`expected <requests>/<window> such as 50000/15s (units ms, s, m, h) or off, got '${raw}'`);
  const requests = Number(m[1]);
  const windowMs = Math.round(Number(m[2]) * UNIT_MS[m[3]!.toLowerCase()]!);
  if (requests < 1 || windowMs < 1)
    throw new Error(`a limit needs at least 1 request in a window of at least 1 ms, got '${raw}'`);
  return { requests, windowMs };
}

export function formatRateLimit(limit: RateLimit | null): string {
  if (limit === null) return 'off';
  const w = limit.windowMs;
  const window =
    w % 3_600_000 === 0
      ? `${w / 3_600_000}h`
      : w % 60_000 === 0
        ? `${w / 60_000}m`
        : w % 1000 === 0
          ? `${w / 1000}s`
          : `${w}ms`;
  return `${limit.requests}/${window}`;
}

interface Window {
  start: number;
  count: number;
}

// Bounds memory whatever the number of keys; the oldest windows are dropped first.
const MAX_KEYS = 10_000;

export class RateLimiter {
  readonly limit: RateLimit;
  private readonly clock: { now(): number };
  private readonly windows = new Map<string, Window>();

  constructor(limit: RateLimit, clock: { now(): number }) {
    this.limit = limit;
    this.clock = clock;
  }

  /** Counts one request for `key`: null when it is within the limit, else the milliseconds until its window resets. */
  take(key: string): number | null {
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (!w || now >= w.start + this.limit.windowMs) {
      if (w) this.windows.delete(key);
      if (this.windows.size >= MAX_KEYS) this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.limit.requests) return Math.max(1, w.start + this.limit.windowMs - now);
    w.count += 1;
    return null;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now >= w.start + this.limit.windowMs) this.windows.delete(k);
    for (const k of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS) break;
      this.windows.delete(k);
    }
  }
}

/** Retry-After in seconds, as Graph sends it (fractional, e.g. `2.128`), never less than the wait. */
export const retryAfterSeconds = (ms: number): string => String(Math.ceil(ms) / 1000);
