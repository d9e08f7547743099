/** Time and identity sources the domain may use; passed in so that decisions are replayable in tests. */
export interface Clock {
  now(): number;
}

export interface IdSource {
  next(): string;
}

export const systemClock: Clock = { now: () => Date.now() };

export const randomIds: IdSource = { next: () => crypto.randomUUID() };

/** Deterministic ids for tests: prefix-0001, prefix-0002, … as GUID-shaped strings. */
export function sequentialIds(prefix = '00000000'): IdSource {
  let n = 0;
  return {
    next: () => {
      n += 1;
      return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    },
  };
}

/** A clock a test moves by hand. */
export function manualClock(
  start = Date.UTC(2026, 0, 1),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    set: (ms: number) => {
      t = ms;
    },
  };
}

export interface DomainContext {
  now: number;
  ids: IdSource;
}
