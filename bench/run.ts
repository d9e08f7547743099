/**
 * `npm run bench` — measured, not asserted. One command, one process:
 *
 *   baseline   a bare node:http JSON echo server, same client traffic (paths, headers, bodies) as the invite runs
 *   memory     Switchboard (SQLite in memory): POST …/participants/invite, one distinct invitee per request
 *   file       the same with SQLite in a file (WAL), the `npm start` default
 *   postgres   the same with PostgreSQL (a fresh schema per run)
 *   *-half     the invite scenario again at half the measured peak rate, evenly paced (paced-load.ts)
 *   (each invite run also measures end to end: both notifications at the bot, invite → roster latency)
 *   roster, many-calls, scale-out, peer: scenarios 4–7 (scenario-*.ts)
 *
 * `npm run bench -- --quick`: 1 run of 2 s per scenario, smaller sizes; writes bench/.tmp/RESULTS-quick.md instead.
 *
 * Rounds interleave the scenarios (baseline, memory, file; baseline, memory, file; …) so slow drift of the machine
 * spreads over all of them; every Switchboard run gets a fresh server and fresh calls so rosters start empty.
 * The server runs on this thread; autocannon and the bot each run in their own worker thread.
 * Nothing here asserts a timing; the exit code is non-zero only when something failed to run.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { HeapProfiler } from 'node:inspector';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEchoServer } from './echo-server.js';
import { startFloorServer } from './floor-server.js';
import type { LoadOutcome } from './loadgen-worker.js';
import {
  cpuByThread,
  describeStalls,
  medianCpu,
  medianStalls,
  renderMarkdown,
  renderTable,
  type BenchReport,
  type RunRow,
  type ScenarioSummary,
} from './report.js';
import {
  fmt,
  fmtLatency,
  fmtMs,
  median,
  percentile,
  postgresCpuMs,
  postgresCpuSince,
  threadCpuMs,
  wallNow,
} from './stats.js';
import type { ExtraContext, ExtraSection } from './extra.js';
import { manyCalls } from './scenario-many-calls.js';
import { peer } from './scenario-peer.js';
import { rosterGrowth } from './scenario-roster.js';
import { scaleOut } from './scenario-scale-out.js';
import { overload, sustained } from './scenario-capacity.js';
import { soak } from './scenario-soak.js';
import { watchServerThread } from './server-stalls.js';
import { startToReady } from './scenario-start.js';
import { postgresUnavailable, SERVER_LOG_LEVEL, startTarget, type StoreMode } from './switchboard-target.js';
import { runLoad, startBot, type Bot } from './workers.js';

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}, got '${raw}'`);
  return Math.round(n);
}

const quick = process.argv.includes('--quick');
const settings = {
  duration: envInt('BENCH_DURATION', quick ? 2 : 5),
  connections: envInt('BENCH_CONNECTIONS', 10),
  runs: envInt('BENCH_RUNS', quick ? 1 : 3),
  calls: envInt('BENCH_CALLS', 32),
  users: envInt('BENCH_USERS', 50_000),
  drainMs: envInt('BENCH_DRAIN_MS', quick ? 5_000 : 10_000),
  warmup: envInt('BENCH_WARMUP', quick ? 1 : 2),
  serverLogLevel: SERVER_LOG_LEVEL,
};
const ALL_SCENARIOS = [
  'baseline',
  'floor',
  'memory',
  'memory-unbatched',
  'file',
  'postgres',
  'memory-half',
  'file-half',
  'postgres-half',
  'roster',
  'many-calls',
  'scale-out',
  'peer',
  'overload',
  'sustained',
  'soak',
  'start',
] as const;
const STORE_MODES = ['memory', 'file', 'postgres'] as const;
type ScenarioName = (typeof ALL_SCENARIOS)[number];
// `--only a,b` is BENCH_SCENARIOS=a,b.
const onlyFlag = process.argv.indexOf('--only');
const onlyList = onlyFlag >= 0 ? process.argv[onlyFlag + 1] : process.env.BENCH_SCENARIOS;
const only = onlyList
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const s of only ?? [])
  if (!(ALL_SCENARIOS as readonly string[]).includes(s))
    throw new Error(`BENCH_SCENARIOS / --only: unknown scenario '${s}' (${ALL_SCENARIOS.join(', ')})`);
const enabled = (s: ScenarioName): boolean => !only || only.includes(s);

const progress = (msg: string): void => console.log(`[bench] ${msg}`);

/**
 * BENCH_PROFILE=1: CPU-profile this thread (the server's) during the load phase of every invite run, into
 * bench/.tmp/prof/<scenario>-<run>.cpuprofile; summarize with `node dist/bench/profile-summary.js <file>`.
 * BENCH_HEAP=1: instead, sample the allocations of this thread's heap that live through a young-generation garbage
 * collection (what the collector copies and promotes; those it frees young are dropped), into <scenario>-<run>.heapprofile;
 * summarize with `node dist/bench/heap-summary.js <file>`.
 */
const profiling = process.env.BENCH_PROFILE === '1';
const heapProfiling = process.env.BENCH_HEAP === '1';
const profileDir = fileURLToPath(new URL('../../bench/.tmp/prof/', import.meta.url));

async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!profiling && !heapProfiling) return fn();
  const session = new Session();
  session.connect();
  if (heapProfiling) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 8192,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
      // Both flags are V8's (Node 20 has them); @types/node lists only samplingInterval.
    } as HeapProfiler.StartSamplingParameterType);
  } else {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  try {
    return await fn();
  } finally {
    const { profile } = heapProfiling
      ? await session.post('HeapProfiler.stopSampling')
      : await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(profileDir, { recursive: true });
    const file = join(profileDir, `${name}.${heapProfiling ? 'heapprofile' : 'cpuprofile'}`);
    await writeFile(file, JSON.stringify(profile));
    progress(`${heapProfiling ? 'heap' : 'CPU'} profile of the server thread during the load: ${file}`);
  }
}

/** What one run measured, before medians. */
function summarizeLoad(load: LoadOutcome): Omit<RunRow, 'scenario' | 'run'> {
  const { result, records } = load;
  let ok = 0;
  let answeredOther = 0;
  for (const s of records.statuses) {
    if (s === 200) ok++;
    else if (s !== 0) answeredOther++;
  }
  // Responses completed in the first and in the last second of the run: a drop shows per-request cost growing
  // with state (rosters fill up over a run).
  let first = Infinity;
  let last = 0;
  for (const e of records.ends) {
    if (e === 0) continue;
    first = Math.min(first, e);
    last = Math.max(last, e);
  }
  let firstSecond = 0;
  let lastSecond = 0;
  for (const e of records.ends) {
    if (e === 0) continue;
    if (e < first + 1000) firstSecond++;
    if (e > last - 1000) lastSecond++;
  }
  return {
    firstSecond,
    lastSecond,
    reqPerSec: result.requestsTotal / result.duration,
    okPerSec: ok / result.duration,
    ok,
    non200: answeredOther,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
    p50: result.latency.p50,
    p99: result.latency.p99,
    rate: null,
    notifications: null,
    phonesUsed: load.phonesUsed,
    sampleErrors: load.sampleErrors,
  };
}

async function baselineRun(round: number, tokenLength: number): Promise<RunRow> {
  const echo = await startEchoServer();
  try {
    // The same requests as the invite runs: same paths (call ids of the same length), same bearer length, same bodies.
    const load = await runLoad({
      url: echo.url,
      token: 'x'.repeat(tokenLength),
      callIds: Array.from({ length: settings.calls }, () => randomUUID()),
      connections: settings.connections,
      duration: settings.duration,
      overallRate: null,
      userPool: settings.users,
      cyclePool: true,
    });
    return { scenario: 'baseline', run: round, ...summarizeLoad(load) };
  } finally {
    await echo.close();
  }
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return cond();
}

/** Length of the bearer token the invite runs send; the baseline sends a dummy of the same length. */
let lastTokenLength = 0;

async function inviteRun(
  scenario: ScenarioName,
  round: number,
  mode: StoreMode | 'floor',
  bot: Bot,
  tlsDir: string,
  overallRate: number | null,
  duration = settings.duration,
): Promise<RunRow> {
  await bot.reset();
  const target =
    mode === 'floor'
      ? {
          ...(await startFloorServer({ botUrl: bot.url, calls: settings.calls })),
          token: 'x'.repeat(Math.max(1, lastTokenLength)),
        }
      : await startTarget({
          mode,
          tlsDir,
          botUrl: bot.url,
          users: settings.users,
          calls: settings.calls,
          // The backlog bound off: one POST per notification cannot keep a call's queue under it at this rate, and
          // the door's 429s would then cut the closed loop short; this scenario compares delivery, not overload.
          ...(scenario === 'memory-unbatched' ? { batchNotifications: false, config: { overloadBacklog: null } } : {}),
        });
  if (mode !== 'floor') lastTokenLength = target.token.length;
  try {
    // Let the set-up notifications (establishing, established, first roster of each call) land, then count afresh.
    if (mode !== 'floor')
      await waitFor(async () => (await bot.snapshot()).counts.rosterUpdated >= settings.calls, 10_000);
    await bot.reset();

    // The server runs on this thread, the bot and the load generator in worker threads: CPU per invite by thread.
    const cpuBefore = threadCpuMs();
    const processBefore = process.cpuUsage();
    const databaseBefore = mode === 'postgres' ? postgresCpuMs() : null;
    const botBefore = (await bot.snapshot()).cpuMs;
    const stalls = watchServerThread();
    const load = await profiled(`${scenario}-${round}`, () =>
      runLoad({
        url: target.url,
        token: target.token,
        callIds: target.callIds,
        connections: settings.connections,
        duration,
        overallRate,
        userPool: settings.users,
        cyclePool: false,
      }),
    );
    const loadEnd = wallNow();
    const row: RunRow = {
      scenario,
      run: round,
      ...summarizeLoad(load),
      rate: overallRate,
      serverStalls: stalls.stop(),
    };

    // Drain: wait until every invite answered 200 has both its notifications (operation `deleted`, roster
    // `updated`), or the drain window closes. Invites whose response autocannon dropped at the end of the run
    // may notify too; they are not counted (no request start to measure from).
    const okKeys = new Set<string>();
    load.records.statuses.forEach((s, i) => {
      if (s === 200) okKeys.add(load.records.keys[i]!);
    });
    await waitFor(
      async () => {
        const snap = await bot.snapshot();
        return snap.rosterKeys >= okKeys.size && snap.operationKeys >= okKeys.size;
      },
      settings.drainMs,
      100,
    );
    const cpuAfter = threadCpuMs();
    const processUsed = process.cpuUsage(processBefore);
    const databaseUsed = databaseBefore === null ? null : postgresCpuSince(databaseBefore);
    const snap = await bot.snapshot(true);
    const drainedAt = wallNow();

    const rosterAt = new Map<string, number>();
    snap.roster![0].forEach((k, i) => rosterAt.set(k, snap.roster![1][i]!));
    const opAt = new Map<string, number>();
    snap.operations![0].forEach((k, i) => opAt.set(k, snap.operations![1][i]!));
    const e2eRoster: number[] = [];
    const e2eOp: number[] = [];
    let lastArrival = loadEnd;
    const loadStart = load.records.starts[0] ?? loadEnd;
    load.records.keys.forEach((key, i) => {
      if (load.records.statuses[i] !== 200) return;
      const start = load.records.starts[i]!;
      const r = rosterAt.get(key);
      if (r !== undefined) {
        e2eRoster.push(r - start);
        lastArrival = Math.max(lastArrival, r);
      }
      const o = opAt.get(key);
      if (o !== undefined) {
        e2eOp.push(o - start);
        lastArrival = Math.max(lastArrival, o);
      }
    });
    row.notifications = {
      expected: okKeys.size,
      roster: e2eRoster.length,
      operation: e2eOp.length,
      operationFailed: snap.counts.operationFailed,
      items: snap.counts.items,
      e2eRosterP50: percentile(e2eRoster, 50),
      e2eRosterP99: percentile(e2eRoster, 99),
      e2eOperationP50: percentile(e2eOp, 50),
      e2eOperationP99: percentile(e2eOp, 99),
      drainMs: Math.max(0, lastArrival - loadEnd),
      drainWindowHit: drainedAt - loadEnd >= settings.drainMs,
      // Sustained end-to-end rate: invites with both notifications at the bot ÷ first request to last notification.
      e2eRate: Math.min(e2eRoster.length, e2eOp.length) / Math.max(0.001, (lastArrival - loadStart) / 1000),
      cpuByThread: cpuByThread(
        {
          server: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
          bot: botBefore === null || snap.cpuMs === null ? null : snap.cpuMs - botBefore,
          loadGenerator: load.cpuMs ?? null,
          process: (processUsed.user + processUsed.system) / 1000,
          database: databaseUsed,
        },
        Math.min(e2eRoster.length, e2eOp.length),
      ),
    };
    return row;
  } finally {
    await target.close();
  }
}

function describeRun(r: RunRow): string {
  const parts = [
    `${fmt(r.reqPerSec)} req/s (first s ${fmt(r.firstSecond)}, last s ${fmt(r.lastSecond)})`,
    `p50 ${fmtLatency(r.p50)}`,
    `p99 ${fmtLatency(r.p99)}`,
  ];
  const bad = r.non200 + r.socketErrors;
  parts.push(
    bad === 0 ? 'no errors' : `${bad} ERRORS (${JSON.stringify(r.statusCodes)}, ${r.socketErrors} socket errors)`,
  );
  const n = r.notifications;
  if (n) {
    parts.push(`roster ${n.roster}/${n.expected}, op ${n.operation}/${n.expected} notified`);
    parts.push(`e2e roster p50 ${fmtMs(n.e2eRosterP50)} p99 ${fmtMs(n.e2eRosterP99)}`);
    parts.push(n.drainMs === 0 ? 'none after the load' : `last one ${fmtMs(n.drainMs)} after the load`);
    const c = n.cpuByThread;
    if (c)
      parts.push(
        `server thread CPU ${fmt(c.server * 1000)} µs per invite`,
        `whole process ${fmt(c.total * 1000)} µs (bot ${fmt(c.bot * 1000)}, load generator ${fmt(c.loadGenerator * 1000)}, rest ${fmt(c.rest * 1000)})`,
      );
    if (c?.database != null) parts.push(`PostgreSQL processes ${fmt(c.database * 1000)} µs per invite`);
  }
  if (r.serverStalls) parts.push(describeStalls(r.serverStalls));
  return parts.join(', ');
}

function summarize(name: string, rows: RunRow[], baselineReqPerSec: number): ScenarioSummary {
  const m = (f: (r: RunRow) => number | undefined): number => median(rows.map((r) => f(r) ?? Number.NaN));
  const reqPerSec = m((r) => r.reqPerSec);
  return {
    scenario: name,
    runs: rows.length,
    reqPerSec,
    okPerSec: m((r) => r.okPerSec),
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    ratio: name === 'baseline' ? 1 : reqPerSec / baselineReqPerSec,
    rate: rows[0]?.rate ?? null,
    errors: rows.reduce((a, r) => a + r.non200 + r.socketErrors, 0),
    stalls: rows.every((r) => r.serverStalls) ? medianStalls(rows.map((r) => r.serverStalls!)) : null,
    notified: rows[0]?.notifications
      ? {
          expected: m((r) => r.notifications?.expected),
          roster: m((r) => r.notifications?.roster),
          operation: m((r) => r.notifications?.operation),
          e2eRosterP50: m((r) => r.notifications?.e2eRosterP50),
          e2eRosterP99: m((r) => r.notifications?.e2eRosterP99),
          drainMs: m((r) => r.notifications?.drainMs),
          e2eRate: m((r) => r.notifications?.e2eRate),
          cpu: rows.every((r) => r.notifications?.cpuByThread)
            ? medianCpu(rows.map((r) => r.notifications!.cpuByThread!))
            : null,
        }
      : null,
  };
}

function gitDescribe(): string {
  try {
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} (src/ has uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = Date.now();
  progress(
    `settings: ${settings.connections} connections, ${settings.duration} s per run, ${settings.runs} runs per scenario, ${settings.calls} group calls, ` +
      `${fmt(settings.users)} users, drain window ${settings.drainMs} ms; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`,
  );
  if (settings.runs < 3) progress(`WARNING: BENCH_RUNS=${settings.runs}; medians of fewer than 3 runs are not robust`);
  const tlsDir = await mkdtemp(join(os.tmpdir(), 'switchboard-bench-tls-'));
  const bot = await startBot();
  const rows: RunRow[] = [];
  const extras: ExtraSection[] = [];
  const skippedNotes: string[] = [];
  const pgDown = await postgresUnavailable();
  if (pgDown !== null) {
    const why = `PostgreSQL is not reachable (${pgDown}; set BENCH_POSTGRES_URL): the postgres and scale-out scenarios are SKIPPED`;
    progress(`WARNING: ${why}`);
    skippedNotes.push(why);
  }
  const canRun = (s: ScenarioName): boolean =>
    enabled(s) && !(pgDown !== null && (s === 'postgres' || s === 'postgres-half' || s === 'scale-out'));
  try {
    // Warm-up (not reported): creates the TLS material once, proves the server starts, and warms the JIT. Starting
    // processes (scenario `start`) needs none of it.
    if (!only || only.some((s) => s !== 'start')) {
      progress(`warm-up: Switchboard (memory) for ${settings.warmup} s`);
      const warm = await inviteRun('memory', 0, 'memory', bot, tlsDir, null, settings.warmup);
      progress(`warm-up done: ${describeRun(warm)}`);
    }

    for (let round = 1; round <= settings.runs; round++) {
      if (enabled('baseline')) {
        const r = await baselineRun(round, lastTokenLength);
        rows.push(r);
        progress(`baseline run ${round}/${settings.runs}: ${describeRun(r)}`);
      }
      if (enabled('floor')) {
        const r = await inviteRun('floor', round, 'floor', bot, tlsDir, null);
        rows.push(r);
        progress(`floor run ${round}/${settings.runs}: ${describeRun(r)}`);
      }
      for (const mode of STORE_MODES) {
        if (!canRun(mode)) continue;
        const r = await inviteRun(mode, round, mode, bot, tlsDir, null);
        rows.push(r);
        progress(`${mode} run ${round}/${settings.runs}: ${describeRun(r)}`);
        if (mode === 'memory' && canRun('memory-unbatched')) {
          // The same without notification batching: one POST per notification (what batching saves).
          const u = await inviteRun('memory-unbatched', round, 'memory', bot, tlsDir, null);
          rows.push(u);
          progress(`memory-unbatched run ${round}/${settings.runs}: ${describeRun(u)}`);
        }
      }
    }
    for (const mode of STORE_MODES) {
      const half = `${mode}-half` as const;
      if (!canRun(half)) continue;
      const peakRuns = rows.filter((r) => r.scenario === mode);
      if (peakRuns.length === 0) {
        progress(`${half}: skipped (needs the ${mode} peak runs)`);
        continue;
      }
      const rate = Math.max(1, Math.round(median(peakRuns.map((r) => r.reqPerSec)) / 2));
      for (let round = 1; round <= settings.runs; round++) {
        const r = await inviteRun(half, round, mode, bot, tlsDir, rate);
        rows.push(r);
        progress(`${half} run ${round}/${settings.runs} at ${fmt(rate)} req/s offered: ${describeRun(r)}`);
      }
    }
    const ctx: ExtraContext = {
      bot,
      tlsDir,
      connections: settings.connections,
      duration: settings.duration,
      runs: settings.runs,
      users: settings.users,
      quick,
      baselineReqPerSec: median(rows.filter((r) => r.scenario === 'baseline').map((r) => r.reqPerSec)),
      progress,
      peaks: Object.fromEntries(
        STORE_MODES.map((m) => [m, median(rows.filter((r) => r.scenario === m).map((r) => r.reqPerSec))]).filter(
          ([, v]) => !Number.isNaN(v),
        ),
      ),
    };
    const extraScenarios: [ScenarioName, () => Promise<ExtraSection>][] = [
      ['roster', () => rosterGrowth(ctx)],
      ['many-calls', () => manyCalls(ctx)],
      ['scale-out', () => scaleOut(ctx)],
      ['peer', () => peer(ctx, lastTokenLength)],
      ['sustained', () => sustained(ctx)],
      ['overload', () => overload(ctx)],
      ['soak', () => soak(ctx)],
      ['start', () => startToReady(ctx)],
    ];
    for (const [name, run] of extraScenarios) {
      if (!canRun(name)) continue;
      progress(`${name}: starting`);
      try {
        extras.push(await run());
      } catch (err) {
        // One scenario that could not run must not throw away the others' half hour of measurements: it is
        // reported as failed (in the table, RESULTS.md and the exit code) and the rest is written as usual.
        const why = err instanceof Error ? err.message : String(err);
        console.error(`[bench] ${name} FAILED: ${err instanceof Error ? (err.stack ?? why) : why}`);
        process.exitCode = 1;
        extras.push({
          id: name,
          title: `${name}: FAILED`,
          what: `The scenario could not run: ${why}`,
          table: [
            ['scenario', 'outcome'],
            [name, `FAILED: ${why}`],
          ],
          observations: [`${name}: FAILED (${why}); not measured in this run.`],
          figures: {},
        });
      }
    }
  } finally {
    await bot.close();
    await rm(tlsDir, { recursive: true, force: true });
  }

  const baselineRows = rows.filter((r) => r.scenario === 'baseline');
  const baselineReqPerSec = median(baselineRows.map((r) => r.reqPerSec));
  const summaries = ALL_SCENARIOS.map((s) => ({ s, rs: rows.filter((r) => r.scenario === s) }))
    .filter(({ rs }) => rs.length > 0)
    .map(({ s, rs }) => summarize(s, rs, baselineReqPerSec));
  const cpus = os.cpus();
  const report: BenchReport = {
    date: startedAt.toISOString(),
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    commit: gitDescribe(),
    settings,
    summaries,
    rows,
    extras,
    skipped: skippedNotes,
    quick,
    wallSeconds: (Date.now() - t0) / 1000,
  };
  console.log('');
  console.log(renderTable(report));
  const errors = rows.reduce((a, r) => a + r.non200 + r.socketErrors, 0);
  if (errors > 0)
    console.log(
      `\n[bench] THIS BENCHMARK HAD ERRORS: ${errors} non-200 responses or socket errors (see the per-run table).`,
    );
  if (quick) {
    const out = fileURLToPath(new URL('../../bench/.tmp/RESULTS-quick.md', import.meta.url));
    await mkdir(fileURLToPath(new URL('../../bench/.tmp/', import.meta.url)), { recursive: true });
    await writeFile(out, renderMarkdown(report));
    progress(`quick mode: wrote ${out} (bench/RESULTS.md is only rewritten by a full run)`);
  } else if (!only) {
    const out = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));
    await writeFile(out, renderMarkdown(report));
    progress(`wrote ${out}`);
  } else {
    progress('BENCH_SCENARIOS / --only is set: bench/RESULTS.md left as it was');
  }
  progress(`done in ${fmt(report.wallSeconds, 0)} s`);
}

main().then(
  () => {
    // Every server has closed its listeners, stores and threads by now; what is left is at most a file-system
    // request still finishing (FSReqCallback or CloseReq in the runs of 2026-12-07). Name it, then exit rather
    // than wait for it, so the bench's end is its own.
    const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    if (left.length > 0) {
      progress(`still open after every server was closed: ${left.join(', ')} — exiting explicitly`);
      process.exit(process.exitCode ?? 0);
    }
  },
  (err: unknown) => {
    console.error(`[bench] FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
