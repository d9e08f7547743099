/**
 * Scenario 6, scale-out: one vs two Switchboard processes (the built CLI) on one PostgreSQL schema, same load. The
 * load is two load generators of half the connections each, on disjoint calls and invitees: both at instance 1, or
 * one at each instance. Fresh group calls per run, so rosters start empty every time. On a 2-core machine the two
 * instances, PostgreSQL, both load generators and the bot share the cores: expect little, and read the ratio.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pool, type ExtraContext, type ExtraSection } from './extra.js';
import { startInstance, type InstanceProcess } from './instance-process.js';
import { fmt, fmtLatency, median } from './stats.js';
import {
  BENCH_POSTGRES_URL,
  createGroupCall,
  dropSchema,
  fetchToken,
  freshSchemaName,
  waitEstablished,
} from './switchboard-target.js';
import { benchWorld } from './world.js';
import { runLoad } from './workers.js';

const CALLS = 32;

export async function scaleOut(ctx: ExtraContext): Promise<ExtraSection> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bench-scale-'));
  const worldFile = join(dir, 'world.json');
  await writeFile(worldFile, JSON.stringify(benchWorld(ctx.bot.url, ctx.users)));
  const schema = freshSchemaName();
  const args = [
    '--postgres',
    BENCH_POSTGRES_URL,
    '--postgres-schema',
    schema,
    '--data',
    join(dir, 'data'),
    '--tls-dir',
    ctx.tlsDir,
    '--world',
    worldFile,
  ];
  const instances: InstanceProcess[] = [];
  try {
    instances.push(await startInstance('instance 1', args));
    instances.push(await startInstance('instance 2', args));
    const [one, two] = instances as [InstanceProcess, InstanceProcess];
    const token = await fetchToken(one.httpUrl);
    const results = {
      one: [] as { rate: number; p99: number; p50: number }[],
      two: [] as { rate: number; p99: number; p50: number }[],
    };
    const perRunUsers = Math.floor(ctx.users / (2 * ctx.runs));
    let callSeq = 0;
    let runIndex = 0;
    for (let run = 0; run < ctx.runs; run++) {
      for (const mode of ['one', 'two'] as const) {
        const callIds: string[] = [];
        await pool(CALLS, 8, async () => {
          callIds.push(await createGroupCall(one.httpUrl, token, ctx.bot.url, 100_000 + callSeq++));
        });
        for (const id of callIds) await waitEstablished(one.httpUrl, token, id, 20_000);
        const half = Math.max(1, Math.floor(ctx.connections / 2));
        const base = runIndex++ * perRunUsers;
        const loads = await Promise.all(
          [0, 1].map((g) =>
            runLoad({
              url: mode === 'two' && g === 1 ? two.httpUrl : one.httpUrl,
              token,
              callIds: callIds.filter((_, i) => i % 2 === g),
              connections: half,
              duration: ctx.duration,
              overallRate: null,
              userPool: ctx.users,
              cyclePool: false,
              offset: base + g * Math.floor(perRunUsers / 2),
            }),
          ),
        );
        const rate = loads.reduce((a, l) => a + l.result.requestsTotal / l.result.duration, 0);
        const p99 = Math.max(...loads.map((l) => l.result.latency.p99));
        const p50 = Math.max(...loads.map((l) => l.result.latency.p50));
        results[mode].push({ rate, p99, p50 });
        ctx.progress(
          `scale-out ${mode === 'one' ? 'one instance' : 'two instances'} run ${run + 1}/${ctx.runs}: ${fmt(rate)} req/s, p99 ${fmtLatency(p99)}`,
        );
      }
    }
    const row = (label: string, rs: { rate: number; p50: number; p99: number }[]): string[] => {
      const rate = median(rs.map((r) => r.rate));
      return [
        label,
        String(rs.length),
        fmt(rate),
        fmt(rate / ctx.baselineReqPerSec, 3),
        fmtLatency(median(rs.map((r) => r.p50))),
        fmtLatency(median(rs.map((r) => r.p99))),
      ];
    };
    const rOne = median(results.one.map((r) => r.rate));
    const rTwo = median(results.two.map((r) => r.rate));
    return {
      id: 'scale-out',
      title: '6. Scale-out on PostgreSQL (one vs two instances, same load)',
      what:
        `Two Switchboard processes on one fresh PostgreSQL schema; ${ctx.connections} connections in two load generators (${CALLS} fresh group calls per run, split between them), ` +
        `${ctx.duration} s per run, runs alternating one/two. "one": both load generators at instance 1; "two": one each. p50/p99: the worse of the two load generators.`,
      table: [
        ['Instances serving', 'runs', 'invites req/s (sum)', '× baseline', 'p50', 'p99'],
        row('one', results.one),
        row('two', results.two),
      ],
      observations: [
        `Two instances serve ${fmt(rTwo / rOne, 2)}× the invite rate of one on this machine (${fmt(rTwo)} vs ${fmt(rOne)} req/s).`,
      ],
      figures: { one: rOne, two: rTwo },
    };
  } finally {
    for (const i of instances) await i.stop();
    await dropSchema(schema).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
