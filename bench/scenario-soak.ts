/**
 * Scenario 11 (issue 17), soak: half the file scenario's peak rate, evenly paced, for 10 minutes (BENCH_SOAK_S; 30 s
 * in --quick) on a SQLite file with a short retention (60 s; 5 s in --quick), the way a long load test runs: every
 * 30 s (5 s) a fresh set of group calls takes the invites and the previous set is hung up. After each segment: the
 * process's RSS, the store's size on disk (database + WAL) and its row counts. With retention the store should level
 * off once ended calls and delivered notifications start to age out; without it every invite stays (~12 KiB).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pool, type ExtraContext, type ExtraSection } from './extra.js';
import { fmt } from './stats.js';
import { createGroupCall, fetchRetrying, startTarget, waitEstablished } from './switchboard-target.js';
import { runLoad } from './workers.js';

const CALLS = 32;
const MiB = 1024 * 1024;

interface Sample {
  at: number;
  invites: number;
  rssMiB: number;
  storeMiB: number;
  rows: Record<string, number>;
}

const TABLES = ['outbox', 'delivery_attempts', 'operations', 'conversations', 'participants'] as const;

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => ({ size: 0 }))).size;
}

export async function soak(ctx: ExtraContext): Promise<ExtraSection> {
  const envSeconds = Number(process.env.BENCH_SOAK_S);
  const seconds = Number.isFinite(envSeconds) && envSeconds > 0 ? envSeconds : ctx.quick ? 30 : 600;
  const segment = ctx.quick ? 5 : 30;
  const retentionMs = ctx.quick ? 5_000 : 60_000;
  const rate = Math.max(10, Math.round((ctx.peaks.file ?? ctx.peaks.memory ?? 400) / 2));
  await ctx.bot.reset();
  const target = await startTarget({
    mode: 'file',
    tlsDir: ctx.tlsDir,
    botUrl: ctx.bot.url,
    users: ctx.users,
    calls: CALLS,
    config: { retention: retentionMs },
  });
  const dbPath = join(target.sb.config.data, 'switchboard.db');
  const reader = new Database(dbPath, { readonly: true, fileMustExist: true });
  const samples: Sample[] = [];
  let invites = 0;
  let errors = 0;
  let throttled = 0;
  try {
    const t0 = Date.now();
    let calls = target.callIds;
    for (let s = 0; (Date.now() - t0) / 1000 < seconds; s++) {
      const load = await runLoad({
        url: target.url,
        token: target.token,
        callIds: calls,
        connections: 64,
        duration: segment,
        overallRate: rate,
        userPool: ctx.users,
        cyclePool: false,
        offset: s * segment * rate,
      });
      invites += load.records.statuses.filter((x) => x === 200).length;
      throttled += load.records.statuses.filter((x) => x === 429).length;
      errors += load.records.statuses.filter((x) => x !== 200 && x !== 429).length;
      // The next set of calls takes over; this one ends (so retention can prune it once it is old enough).
      const ended = calls;
      const next: string[] = new Array<string>(CALLS);
      await pool(CALLS, 8, async (k) => {
        next[k] = await createGroupCall(target.url, target.token, ctx.bot.url, (s + 1) * CALLS + k);
        await waitEstablished(target.url, target.token, next[k], 10_000);
      });
      await pool(ended.length, 8, async (k) => {
        await fetchRetrying(`${target.url}/v1.0/communications/calls/${ended[k]}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${target.token}` },
        });
      });
      calls = next;
      const rows = Object.fromEntries(
        TABLES.map((t) => [t, (reader.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
      );
      const storeMiB = ((await sizeOf(dbPath)) + (await sizeOf(`${dbPath}-wal`))) / MiB;
      samples.push({ at: (Date.now() - t0) / 1000, invites, rssMiB: process.memoryUsage().rss / MiB, storeMiB, rows });
      ctx.progress(
        `soak ${fmt(samples.at(-1)!.at)} s: ${fmt(invites)} invites, RSS ${fmt(samples.at(-1)!.rssMiB)} MiB, store ${fmt(storeMiB, 1)} MiB, outbox ${fmt(rows.outbox ?? 0)} rows, participants ${fmt(rows.participants ?? 0)}`,
      );
    }
  } finally {
    reader.close();
    await target.close();
  }
  const mid = samples[Math.floor((samples.length - 1) / 2)]!;
  const end = samples.at(-1)!;
  const total = (s: Sample): number => TABLES.reduce((a, t) => a + (s.rows[t] ?? 0), 0);
  const { rowGrowth, rssGrowth, storeGrowth, levels } = soakGrowth(samples, total);
  const table = [['after', 'invites accepted', 'RSS', 'store on disk (db + WAL)', ...TABLES.map((t) => `${t} rows`)]];
  for (const s of samples)
    table.push([
      `${fmt(s.at)} s`,
      fmt(s.invites),
      `${fmt(s.rssMiB)} MiB`,
      `${fmt(s.storeMiB, 1)} MiB`,
      ...TABLES.map((t) => fmt(s.rows[t] ?? 0)),
    ]);
  return {
    id: 'soak',
    title: `11. Soak: ${fmt(rate)} invites/s (half the file peak) for ${fmt(seconds)} s, retention ${retentionMs / 1000} s (SQLite file)`,
    what:
      `One Switchboard on a SQLite file with \`--retention ${retentionMs / 1000}s\`, invites evenly paced at ${fmt(rate)}/s over 64 connections; every ${segment} s ${CALLS} new group calls take the invites ` +
      `and the previous ${CALLS} are hung up. After each segment: RSS of this process (server, bot and load generator threads), the database file and its WAL, and row counts.`,
    table,
    observations: [
      `Soak (${fmt(seconds)} s at ${fmt(rate)} invites/s, retention ${retentionMs / 1000} s), the largest in the second half ÷ the largest in the first: rows ×${fmt(rowGrowth, 2)}, RSS ×${fmt(rssGrowth, 2)}, store on disk ×${fmt(storeGrowth, 2)} (SQLite reuses freed pages; the file does not shrink). ` +
        `Mid-run sample → last: rows ${fmt(total(mid))} at ${fmt(mid.at)} s → ${fmt(total(end))}, RSS ${fmt(mid.rssMiB)} → ${fmt(end.rssMiB)} MiB, store ${fmt(mid.storeMiB, 1)} → ${fmt(end.storeMiB, 1)} MiB. ${levels ? 'Levels off.' : '**Still growing.**'} ${throttled + errors > 0 ? `${fmt(throttled)} refused with 429, ${fmt(errors)} other errors.` : 'No errors.'}`,
    ],
    figures: { rowGrowth, rssGrowth, storeGrowth, levels: levels ? 1 : 0, seconds, rate },
  };
}

/** The bound of "levels off": the second half's peak at most this many times the first half's. */
export const SOAK_GROWTH_BOUND = 1.2;

/**
 * Whether the soak levels off: rows, RSS and the store on disk, each by the largest sample in the second half of the
 * run against the largest in the first. Peaks, not the mid-run and last samples: retention deletes in rounds, so the
 * row count and RSS are a sawtooth, and two single samples measured where each fell on it (the 2026-12-08 run: rows
 * ×1.26 from the sample at 318 s to the last, which came just before a prune round, while the peaks were ×1.11).
 * A store that keeps growing still shows: its second half's peak is past its first half's by as much as it grew.
 */
export function soakGrowth<S extends { rssMiB: number; storeMiB: number }>(
  samples: readonly S[],
  rows: (s: S) => number,
): { rowGrowth: number; rssGrowth: number; storeGrowth: number; levels: boolean } {
  const half = Math.ceil(samples.length / 2);
  const growth = (of: (s: S) => number): number => {
    const peak = (from: number, to: number): number => Math.max(...samples.slice(from, to).map(of));
    return peak(half, samples.length) / Math.max(1e-9, peak(0, half));
  };
  const rowGrowth = growth(rows);
  const rssGrowth = growth((s) => s.rssMiB);
  const storeGrowth = growth((s) => s.storeMiB);
  const levels = [rowGrowth, rssGrowth, storeGrowth].every((g) => g <= SOAK_GROWTH_BOUND);
  return { rowGrowth, rssGrowth, storeGrowth, levels };
}
