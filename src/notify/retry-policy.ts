/** Dispatcher options and the retry decision: when a failed notification is tried again, or given up on. */

export interface BackoffOptions {
  initialMs: number;
  factor: number;
  maxMs: number;
}

export interface DispatchOptions {
  /** Deliveries in flight at once (each to a different call). */
  concurrency: number;
  requestTimeoutMs: number;
  /** Longest sleep between outbox scans; wake() and finished deliveries cut it short. */
  pollIntervalMs: number;
  backoff: BackoffOptions;
  /** A notification still failing this long after it was written is dead-lettered. */
  maxAgeMs: number;
  /** How long a claimed row stays ours; must outlive a request so a slow delivery is never claimed twice. */
  leaseMs: number;
}

export type DispatchOptionsInput = Partial<Omit<DispatchOptions, 'backoff'>> & { backoff?: Partial<BackoffOptions> };

export const DEFAULT_DISPATCH_OPTIONS: Omit<DispatchOptions, 'leaseMs'> = {
  concurrency: 16,
  requestTimeoutMs: 10_000,
  pollIntervalMs: 500,
  backoff: { initialMs: 1_000, factor: 2, maxMs: 60_000 },
  maxAgeMs: 24 * 60 * 60 * 1000,
};

// Time to write the result back after the request timed out, before the lease lapses.
const LEASE_MARGIN_MS = 5_000;

export function resolveDispatchOptions(input: DispatchOptionsInput = {}): DispatchOptions {
  const d = DEFAULT_DISPATCH_OPTIONS;
  const requestTimeoutMs = input.requestTimeoutMs ?? d.requestTimeoutMs;
  const o: DispatchOptions = {
    concurrency: input.concurrency ?? d.concurrency,
    requestTimeoutMs,
    pollIntervalMs: input.pollIntervalMs ?? d.pollIntervalMs,
    backoff: { ...d.backoff, ...input.backoff },
    maxAgeMs: input.maxAgeMs ?? d.maxAgeMs,
    leaseMs: input.leaseMs ?? requestTimeoutMs + LEASE_MARGIN_MS,
  };
  const positive: [string, number][] = [
    ['concurrency', o.concurrency],
    ['requestTimeoutMs', o.requestTimeoutMs],
    ['pollIntervalMs', o.pollIntervalMs],
    ['backoff.initialMs', o.backoff.initialMs],
    ['backoff.maxMs', o.backoff.maxMs],
    ['maxAgeMs', o.maxAgeMs],
    ['leaseMs', o.leaseMs],
  ];
  for (const [name, value] of positive) {
    if (!(Number.isFinite(value) && value > 0))
      throw new RangeError(`dispatcher option ${name} must be a positive number, got ${value}`);
  }
  if (!Number.isInteger(o.concurrency))
    throw new RangeError(`dispatcher option concurrency must be a whole number, got ${o.concurrency}`);
  if (!(o.backoff.factor >= 1))
    throw new RangeError(`dispatcher option backoff.factor must be at least 1, got ${o.backoff.factor}`);
  if (o.leaseMs <= o.requestTimeoutMs) throw new RangeError('dispatcher option leaseMs must exceed requestTimeoutMs');
  return o;
}

/** Delay before attempt `failedAttempt + 1`: initial × factor^(failedAttempt − 1), capped. */
export function backoffMs(b: BackoffOptions, failedAttempt: number): number {
  return Math.min(b.maxMs, b.initialMs * b.factor ** Math.max(0, failedAttempt - 1));
}

/**
 * When to try a failed notification again, or null to dead-letter it (older than maxAgeMs, counted from when it was
 * written or, once redelivered through the control API, from then). A Retry-After longer than our backoff wins: the
 * bot asked for it.
 */
export function nextAttemptAt(
  o: Pick<DispatchOptions, 'backoff' | 'maxAgeMs'>,
  row: { createdAt: number; requeuedAt?: number | null },
  failedAttempt: number,
  now: number,
  retryAfterMs: number | null,
): number | null {
  if (now - (row.requeuedAt ?? row.createdAt) > o.maxAgeMs) return null;
  return now + Math.max(backoffMs(o.backoff, failedAttempt), retryAfterMs ?? 0);
}
