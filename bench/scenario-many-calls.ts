/**
 * Scenario 5, many calls: one Switchboard process (the built CLI, SQLite :memory:) holding 10,000 live group calls.
 * Its RSS (from /proc) idle, once every call is established, and after the invite runs; and the invite rate and
 * latency with invites spread over all those calls.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pool, waitUntil, type ExtraContext, type ExtraSection } from './extra.js';
import { startInstance } from './instance-process.js';
import { fmt, fmtLatency, median } from './stats.js';
import { createGroupCall, fetchToken } from './switchboard-target.js';
import { benchWorld } from './world.js';
import { runLoad } from './workers.js';

const MiB = 1024 * 1024;

export async function manyCalls(ctx: ExtraContext): Promise<ExtraSection> {
  const calls = ctx.quick ? 1000 : 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-many-'));
  const worldFile = join(dir, 'world.json');
  await writeFile(worldFile, JSON.stringify(benchWorld(ctx.bot.url, ctx.users)));
  const sb = await startInstance('many-calls', ['--data', ':memory:', '--tls-dir', ctx.tlsDir, '--world', worldFile]);
  try {
    await ctx.bot.reset();
    const rssIdle = sb.rss();
    const token = await fetchToken(sb.httpUrl);
    const t0 = Date.now();
    const callIds: string[] = new Array<string>(calls);
    await pool(calls, 16, async (k) => {
      callIds[k] = await createGroupCall(sb.httpUrl, token, ctx.bot.url, k);
    });
    // Each call's first roster notification comes once it is established.
    const established = await waitUntil(
      async () => (await ctx.bot.snapshot()).counts.rosterUpdated >= calls,
      120_000,
      200,
    );
    if (!established) throw new Error(`not all ${calls} calls were established`);
    const createSeconds = (Date.now() - t0) / 1000;
    const rssCalls = sb.rss();
    ctx.progress(
      `many calls: ${fmt(calls)} calls established in ${fmt(createSeconds, 1)} s; RSS ${fmt(rssCalls / MiB)} MiB (idle ${fmt(rssIdle / MiB)} MiB)`,
    );
    const runs: { rate: number; p50: number; p99: number }[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      const load = await runLoad({
        url: sb.httpUrl,
        token,
        callIds,
        connections: ctx.connections,
        duration: ctx.duration,
        overallRate: null,
        userPool: ctx.users,
        cyclePool: false,
        offset: run * 20_000,
      });
      runs.push({
        rate: load.result.requestsTotal / load.result.duration,
        p50: load.result.latency.p50,
        p99: load.result.latency.p99,
      });
      ctx.progress(
        `many calls run ${run + 1}/${ctx.runs}: ${fmt(runs.at(-1)!.rate)} req/s, p99 ${fmtLatency(runs.at(-1)!.p99)}, RSS ${fmt(sb.rss() / MiB)} MiB`,
      );
    }
    const rssAfter = sb.rss();
    const rate = median(runs.map((r) => r.rate));
    return {
      id: 'many-calls',
      title: `5. Many calls (${fmt(calls)} live calls in one process)`,
      what:
        `One Switchboard process (\`node dist/src/cli.js\`, SQLite :memory:), ${fmt(calls)} group calls created through the API (16 at a time) and established, then ` +
        `${runs.length} run(s) of ${ctx.duration} s of invites spread over all of them. RSS is the process's VmRSS.`,
      table: [
        [
          'calls',
          'created + established in',
          'RSS idle',
          `RSS with ${fmt(calls)} calls`,
          'RSS after the invite runs',
          'invites req/s',
          '× baseline',
          'p50',
          'p99',
        ],
        [
          fmt(calls),
          `${fmt(createSeconds, 1)} s`,
          `${fmt(rssIdle / MiB)} MiB`,
          `${fmt(rssCalls / MiB)} MiB`,
          `${fmt(rssAfter / MiB)} MiB`,
          fmt(rate),
          fmt(rate / ctx.baselineReqPerSec, 3),
          fmtLatency(median(runs.map((r) => r.p50))),
          fmtLatency(median(runs.map((r) => r.p99))),
        ],
      ],
      observations: [
        `RSS with ${fmt(calls)} live calls: ${fmt(Math.max(rssCalls, rssAfter) / MiB)} MiB at most (target < 1,024 MiB).`,
      ],
      figures: { rssMiB: Math.max(rssCalls, rssAfter) / MiB, calls },
    };
  } finally {
    await sb.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
