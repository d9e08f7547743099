/** What the scenarios beyond the invite rounds (roster growth, many calls, scale-out, peer) share: their report
 *  section, the context they run in, and small helpers. */
import type { LoadOutcome } from './loadgen-worker.js';
import type { Bot } from './workers.js';
import { fetchRetrying } from './switchboard-target.js';

export interface ExtraSection {
  id: string;
  title: string;
  /** One paragraph: what was measured and how. */
  what: string;
  table: string[][];
  observations: string[];
  /** Figures the targets table reads (e.g. { ratio1000to10: 1.1 }). */
  figures: Record<string, number>;
}

export interface ExtraContext {
  bot: Bot;
  tlsDir: string;
  connections: number;
  duration: number;
  runs: number;
  users: number;
  quick: boolean;
  baselineReqPerSec: number;
  /** Median peak req/s of the invite scenarios that ran (memory, file, postgres), for rates derived from them. */
  peaks: Partial<Record<'memory' | 'file' | 'postgres', number>>;
  progress: (msg: string) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await sleep(intervalMs);
  }
  return cond();
}

/** Runs `task(i)` for i in 0..n-1 with at most `concurrency` at once. */
export async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

/** POST …/participants/invite with several users at once (prefilling rosters); throws unless 200. */
export async function inviteUsers(base: string, token: string, callId: string, userIds: string[]): Promise<void> {
  const res = await fetchRetrying(`${base}/v1.0/communications/calls/${callId}/participants/invite`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      participants: userIds.map((id) => ({
        '@odata.type': '#microsoft.graph.invitationParticipantInfo',
        identity: { user: { id } },
      })),
      clientContext: 'bench-prefill',
    }),
  });
  if (res.status !== 200) throw new Error(`prefill invite into ${callId} failed: ${res.status} ${await res.text()}`);
}

/** Completed responses per second from the load generator's own records (first request start to last response):
 *  for fixed-amount runs, where autocannon's duration is whole seconds. */
export function measuredRate(load: LoadOutcome): number {
  let first = Infinity;
  let last = 0;
  let done = 0;
  load.records.ends.forEach((end, i) => {
    if (end === 0) return;
    done++;
    first = Math.min(first, load.records.starts[i]!);
    last = Math.max(last, end);
  });
  return done === 0 ? 0 : done / Math.max(0.001, (last - first) / 1000);
}
