/**
 * Scenario 4, roster growth: the invite's cost when the call already has 10, 100 or 1,000 participants. Per size and
 * roster mode, a fresh Switchboard (SQLite :memory:) with 4 group calls prefilled through the API (5 invitees per
 * request) until every invitee has joined, then runs of a fixed number of single invites spread over those calls.
 * The ratio printed is median req/s at 10 over median req/s at 1,000 (a cost ratio; 1.0 = flat), for both modes:
 *
 * - **whole roster** (Graph's default): every roster `updated` lists everyone in the call, as every documented
 *   example and the C# SDK's roster handling expect, so its size, and the invite's cost, grow with the roster.
 * - **delta roster** (`callOptions.isDeltaRosterEnabled`, what a bot in large meetings asks for): the notification
 *   carries only who changed, so the cost should stay flat. Issue 17's "≤ 1.2×" is judged on this mode.
 */
import { inviteUsers, measuredRate, pool, waitUntil, type ExtraContext, type ExtraSection } from './extra.js';
import { fmt, fmtLatency, median } from './stats.js';
import { startTarget } from './switchboard-target.js';
import { userId } from './world.js';
import { runLoad } from './workers.js';

const CALLS = 4;

const MODES = [
  { delta: false, name: 'whole roster' },
  { delta: true, name: 'delta roster' },
] as const;

export async function rosterGrowth(ctx: ExtraContext): Promise<ExtraSection> {
  const sizes = ctx.quick ? [10, 100] : [10, 100, 1000];
  const amount = ctx.quick ? 200 : 400;
  const table: string[][] = [
    [
      'Roster notifications',
      'Participants per call',
      'runs',
      'invites per run',
      'req/s',
      'p50',
      'p99',
      'largest roster notification (participants)',
      'cost vs 10',
    ],
  ];
  const ratios = { whole: Number.NaN, delta: Number.NaN };
  for (const { delta, name } of MODES) {
    const rates = new Map<number, number>();
    for (const size of sizes) {
      await ctx.bot.reset();
      const target = await startTarget({
        mode: 'memory',
        tlsDir: ctx.tlsDir,
        botUrl: ctx.bot.url,
        users: ctx.users,
        calls: CALLS,
        deltaRoster: delta,
      });
      try {
        const t0 = Date.now();
        const batches = Array.from({ length: (CALLS * size) / 5 }, (_, b) => b);
        await pool(batches.length, 8, async (b) => {
          const call = target.callIds[b % CALLS]!;
          await inviteUsers(
            target.url,
            target.token,
            call,
            [0, 1, 2, 3, 4].map((j) => userId(b * 5 + j)),
          );
        });
        const joined = await waitUntil(async () => (await ctx.bot.snapshot()).rosterKeys >= CALLS * size, 120_000, 100);
        if (!joined) throw new Error(`roster prefill of ${size} did not complete`);
        ctx.progress(
          `roster ${size} (${name}): ${CALLS} calls prefilled to ${size} participants in ${fmt((Date.now() - t0) / 1000, 1)} s`,
        );
        const rows: { rate: number; p50: number; p99: number; maxItems: number }[] = [];
        for (let run = 0; run < ctx.runs; run++) {
          await ctx.bot.reset();
          const load = await runLoad({
            url: target.url,
            token: target.token,
            callIds: target.callIds,
            connections: ctx.connections,
            duration: ctx.duration,
            overallRate: null,
            userPool: ctx.users,
            cyclePool: false,
            offset: CALLS * size + run * amount,
            amount,
          });
          await waitUntil(async () => (await ctx.bot.snapshot()).rosterKeys >= amount, 10_000, 50);
          const snap = await ctx.bot.snapshot();
          rows.push({
            rate: measuredRate(load),
            p50: load.result.latency.p50,
            p99: load.result.latency.p99,
            maxItems: snap.counts.maxRosterItems,
          });
          ctx.progress(
            `roster ${size} (${name}) run ${run + 1}/${ctx.runs}: ${fmt(rows.at(-1)!.rate)} req/s, p99 ${fmtLatency(rows.at(-1)!.p99)}, largest roster notification ${snap.counts.maxRosterItems}`,
          );
        }
        const rate = median(rows.map((r) => r.rate));
        rates.set(size, rate);
        table.push([
          name,
          fmt(size),
          String(rows.length),
          fmt(amount),
          fmt(rate),
          fmtLatency(median(rows.map((r) => r.p50))),
          fmtLatency(median(rows.map((r) => r.p99))),
          fmt(Math.max(...rows.map((r) => r.maxItems))),
          fmt(rates.get(sizes[0]!)! / rate, 2),
        ]);
      } finally {
        await target.close();
      }
    }
    const largest = sizes.at(-1)!;
    ratios[delta ? 'delta' : 'whole'] = rates.get(sizes[0]!)! / rates.get(largest)!;
  }
  const largest = sizes.at(-1)!;
  return {
    id: 'roster',
    title: `4. Roster growth (${sizes.join(' / ')} participants; whole roster and delta roster)`,
    what:
      `Per size and roster mode a fresh Switchboard (SQLite :memory:), ${CALLS} group calls prefilled through the API until everyone joined, then ${ctx.runs} run(s) of ${amount} single ` +
      `invites over those calls (${ctx.connections} connections; each run adds ${amount / CALLS} participants per call). "cost vs 10" is req/s at 10 ÷ req/s at that size. ` +
      "Whole roster: every roster `updated` lists everyone in the call (Graph's default), so its size grows with the call; delta roster: the bot created its calls with `callOptions.isDeltaRosterEnabled`, and each notification carries only who changed.",
    table,
    observations: [
      `Per-invite cost ratio ${fmt(largest)}/${fmt(sizes[0]!)} participants: ${fmt(ratios.delta, 2)} with delta rosters (target ≤ 1.2), ${fmt(ratios.whole, 2)} with whole rosters (each notification lists the whole call, so it grows with it by Graph's design).`,
    ],
    figures: { ratio: ratios.delta, wholeRatio: ratios.whole },
  };
}
