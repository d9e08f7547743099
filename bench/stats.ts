/** Small statistics helpers: exact percentiles of a sample, the median of runs, number formatting, thread CPU. */
import { readdirSync, readFileSync } from 'node:fs';

/** Nearest-rank percentile (p in 0..100) of an unsorted sample; NaN when empty. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1]!;
}

/** Median of run results (the middle one, or the mean of the two middle ones); NaN when empty. */
export function median(values: number[]): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  if (Number.isNaN(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtMs(n: number): string {
  if (Number.isNaN(n)) return 'n/a';
  return n < 10 ? `${fmt(n, 2)} ms` : n < 100 ? `${fmt(n, 1)} ms` : `${fmt(n, 0)} ms`;
}

/** autocannon's latency histogram holds whole milliseconds: 0 means under 1 ms. */
export function fmtLatency(n: number): string {
  return n === 0 ? '<1 ms' : fmtMs(n);
}

export function fmtPct(part: number, whole: number): string {
  if (whole === 0) return 'n/a';
  return `${fmt((100 * part) / whole, 1)} %`;
}

/**
 * CPU time (user + system, ms) the calling thread has used, from Linux /proc in the kernel's 100 Hz ticks; null off
 * Linux. /proc/thread-self names the caller's own thread, so a worker thread reads its own, not the process's.
 */
export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system, ms, 100 Hz ticks) of each PostgreSQL server process on this machine (the backends, and the
 * checkpointer, WAL writer and the rest), by pid: every process whose command name is `postgres`. Empty when there is
 * none to see (a database on another machine, or not Linux). A bench run compares two of these: a process that exits
 * between them takes its CPU with it, so the difference is a lower bound.
 */
export function postgresCpuMs(): Map<number, number> {
  const byPid = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return byPid;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byPid.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // Gone since the listing.
    }
  }
  return byPid;
}

/**
 * CPU (ms) the PostgreSQL processes used from `before` to `now` (postgresCpuMs): a process new since counts from 0,
 * one gone since is missing. Null when none was seen either time.
 */
export function postgresCpuSince(
  before: ReadonlyMap<number, number>,
  now: ReadonlyMap<number, number> = postgresCpuMs(),
): number | null {
  if (now.size === 0 && before.size === 0) return null;
  let used = 0;
  for (const [pid, ms] of now) used += ms - (before.get(pid) ?? 0);
  return Math.max(0, used);
}

/** Absolute wall-clock milliseconds with sub-millisecond resolution, comparable across worker threads. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Largest value of a sample of any size (Math.max(...xs) overflows the stack beyond ~100k values); NaN when empty. */
export function maxOf(values: ArrayLike<number>): number {
  let m = Number.NaN;
  for (let i = 0; i < values.length; i++) if (!(values[i]! <= m)) m = values[i]!;
  return m;
}
