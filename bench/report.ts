/**
 * Rendering of the bench results: the console table and bench/RESULTS.md. RESULTS.md is regenerated on every full
 * run, except the block between the `notes` markers, which is hand-written (profiling findings) and kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExtraSection } from './extra.js';
import type { ServerStalls } from './server-stalls.js';
import { fmt, fmtLatency, fmtMs, fmtPct, median } from './stats.js';

export interface RunNotifications {
  /** Invites answered 200: each should bring one operation `deleted` and one roster `updated`. */
  expected: number;
  /** Of those, how many had their roster `updated` / operation `deleted` at the bot within the drain window. */
  roster: number;
  operation: number;
  operationFailed: number;
  /** Every notification item the bot received during the load and drain (including invites cut off at the end). */
  items: number;
  e2eRosterP50: number;
  e2eRosterP99: number;
  e2eOperationP50: number;
  e2eOperationP99: number;
  /** From the end of the load to the last matched notification. */
  drainMs: number;
  drainWindowHit: boolean;
  /** Invites with both notifications at the bot per second, from the first request to the last notification. */
  e2eRate: number;
  /** The process's CPU per invite by thread (cpuByThread); null where /proc is not there. */
  cpuByThread?: CpuByThread | null;
}

/**
 * CPU per end-to-end invite (ms), by thread of the bench process (Linux /proc and process.cpuUsage, user + system),
 * from the start of the load to the end of the drain, per invite with both notifications at the bot: the server's
 * thread (a cost per invite that other processes on a shared machine move much less than they move req/s) (Switchboard, the floor or the echo server all run on the bench's main thread), the bot's,
 * the load generator's, and the rest of the process (the server's delivery and checkpoint threads, V8's garbage
 * collection and compiler threads, libuv's pool). A database in another process (PostgreSQL) is not in it, but
 * counted beside it (`database`) when it runs on this machine. On two
 * cores, 2 s of CPU a second is all there is, so 2,000 ÷ total is the most invites a second this cost allows.
 */
export interface CpuByThread {
  server: number;
  bot: number;
  loadGenerator: number;
  rest: number;
  total: number;
  /**
   * The PostgreSQL server's processes on this machine (its backends, checkpointer, WAL writer…), per invite; null
   * where the run used no PostgreSQL or none runs here. Not in `total` (this process's), but in what the cores allow.
   */
  database: number | null;
}

/** The medians of several runs' CpuByThread, field by field. */
export function medianCpu(runs: readonly CpuByThread[]): CpuByThread {
  const m = (k: Exclude<keyof CpuByThread, 'database'>): number => median(runs.map((c) => c[k]));
  const database = runs.every((c) => c.database !== null) ? median(runs.map((c) => c.database!)) : null;
  return {
    server: m('server'),
    bot: m('bot'),
    loadGenerator: m('loadGenerator'),
    rest: m('rest'),
    total: m('total'),
    database,
  };
}

/** The medians of several runs' ServerStalls, field by field. */
export function medianStalls(runs: readonly ServerStalls[]): ServerStalls {
  const m = (k: keyof ServerStalls): number => median(runs.map((r) => r[k]));
  return {
    loopDelayMaxMs: m('loopDelayMaxMs'),
    gcPauses: m('gcPauses'),
    gcPausesOver5Ms: m('gcPausesOver5Ms'),
    gcLongestMs: m('gcLongestMs'),
    gcTotalMs: m('gcTotalMs'),
  };
}

/** A run's (or the median run's) stalls of the server thread, in a few words. */
export function describeStalls(s: ServerStalls): string {
  return (
    `server thread: event loop late by ${fmtMs(s.loopDelayMaxMs)} at most, ` +
    `${fmt(s.gcPausesOver5Ms)} GC pause${s.gcPausesOver5Ms === 1 ? '' : 's'} of 5 ms or more (longest ${fmtMs(s.gcLongestMs)}), ` +
    `${fmtMs(s.gcTotalMs)} in ${fmt(s.gcPauses)} GC pauses in all`
  );
}

/** Splits measured CPU (ms over one run) into CpuByThread per invite; null if a thread's figure is missing. */
export function cpuByThread(
  used: {
    server: number | null;
    bot: number | null;
    loadGenerator: number | null;
    process: number;
    database?: number | null;
  },
  invites: number,
): CpuByThread | null {
  const { server, bot, loadGenerator } = used;
  if (server === null || bot === null || loadGenerator === null || invites <= 0) return null;
  // /proc counts in 10 ms ticks and cpuUsage in µs, so the rest can come out a tick below zero on a short run.
  const rest = Math.max(0, used.process - server - bot - loadGenerator);
  const per = (ms: number): number => ms / invites;
  return {
    server: per(server),
    bot: per(bot),
    loadGenerator: per(loadGenerator),
    rest: per(rest),
    total: per(server + bot + loadGenerator + rest),
    database: used.database == null ? null : per(used.database),
  };
}

export interface RunRow {
  scenario: string;
  run: number;
  reqPerSec: number;
  /** Responses completed in the run's first and last second. */
  firstSecond: number;
  lastSecond: number;
  okPerSec: number;
  ok: number;
  non200: number;
  socketErrors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  p50: number;
  p99: number;
  /** autocannon overallRate, or null for closed-loop peak. */
  rate: number | null;
  notifications: RunNotifications | null;
  phonesUsed: number;
  sampleErrors: Record<string, string>;
  /** What held up the server thread during the load (server-stalls.ts); absent where not measured. */
  serverStalls?: ServerStalls;
}

export interface ScenarioSummary {
  scenario: string;
  runs: number;
  reqPerSec: number;
  okPerSec: number;
  p50: number;
  p99: number;
  ratio: number;
  rate: number | null;
  errors: number;
  /** Medians over the runs of what held up the server thread (server-stalls.ts); null where not measured. */
  stalls?: ServerStalls | null;
  notified: {
    expected: number;
    roster: number;
    operation: number;
    e2eRosterP50: number;
    e2eRosterP99: number;
    drainMs: number;
    e2eRate: number;
    /** Medians of each thread's CPU per invite over the runs (null where not measured). */
    cpu: CpuByThread | null;
  } | null;
}

export interface BenchReport {
  date: string;
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  commit: string;
  settings: {
    duration: number;
    connections: number;
    runs: number;
    calls: number;
    users: number;
    drainMs: number;
    warmup: number;
    /** Switchboard's log level in the runs (BENCH_LOG_LEVEL): `error`, or `info` for a line per request and delivery. */
    serverLogLevel: string;
  };
  summaries: ScenarioSummary[];
  rows: RunRow[];
  /** Scenarios 4–7. */
  extras: ExtraSection[];
  /** Scenarios that could not run, and why. */
  skipped: string[];
  quick: boolean;
  wallSeconds: number;
}

const DESCRIPTIONS: Record<string, string> = {
  baseline: 'node:http JSON echo (same requests)',
  floor: 'plain Node floor: validate, one SQLite file write, one signed POST',
  memory: 'invite, SQLite :memory:',
  'memory-unbatched': 'invite, :memory:, one POST per notification',
  file: 'invite, SQLite file (WAL)',
  postgres: 'invite, PostgreSQL',
  'memory-half': 'invite, :memory:, half peak rate',
  'file-half': 'invite, file, half peak rate',
  'postgres-half': 'invite, PostgreSQL, half peak rate',
};

/** 0: every notification was in by the time the load generator had reported the end of the run. */
const fmtDrain = (ms: number): string => (ms === 0 ? 'none after' : `${fmtMs(ms)} after`);

function summaryTable(r: BenchReport): string[][] {
  const head = [
    'Scenario',
    'req/s',
    '× baseline',
    'p50',
    'p99',
    'non-200 / errors',
    'op `deleted` / roster `updated` received',
    'end-to-end invites/s',
    'e2e × baseline',
    'invite → roster p50',
    'invite → roster p99',
    'last notification vs end of load',
  ];
  const body = r.summaries.map((s) => {
    const n = s.notified;
    return [
      `${s.scenario} — ${DESCRIPTIONS[s.scenario] ?? ''}${s.rate !== null ? ` (${fmt(s.rate)} req/s offered)` : ''}`,
      fmt(s.reqPerSec),
      s.scenario === 'baseline' ? '1' : s.rate !== null ? '— (paced)' : fmt(s.ratio, 3),
      fmtLatency(s.p50),
      fmtLatency(s.p99),
      s.errors === 0 ? '0' : `**${fmt(s.errors)}**`,
      n ? `${fmtPct(n.operation, n.expected)} / ${fmtPct(n.roster, n.expected)} of ${fmt(n.expected)}` : '—',
      n ? fmt(n.e2eRate) : '—',
      n && s.rate === null ? fmt(n.e2eRate / (s.reqPerSec / s.ratio), 3) : '—',
      n ? fmtMs(n.e2eRosterP50) : '—',
      n ? fmtMs(n.e2eRosterP99) : '—',
      n ? fmtDrain(n.drainMs) : '—',
    ];
  });
  return [head, ...body];
}

/** CPU per end-to-end invite by thread (medians), for every scenario that measured it; [] when none did. */
function cpuTable(r: BenchReport): string[][] {
  const measured = r.summaries.filter((s) => s.notified?.cpu);
  if (measured.length === 0) return [];
  const floorTotal = r.summaries.find((s) => s.scenario === 'floor')?.notified?.cpu?.total;
  const us = (ms: number): string => fmt(ms * 1000);
  const head = [
    'Scenario',
    'server thread',
    'bot',
    'load generator',
    'rest of the process',
    'total',
    '× the floor',
    'PostgreSQL processes',
    `invites/s ${r.cores} cores allow at this cost`,
  ];
  const body = measured.map((s) => {
    const c = s.notified!.cpu!;
    return [
      s.scenario,
      us(c.server),
      us(c.bot),
      us(c.loadGenerator),
      us(c.rest),
      us(c.total),
      floorTotal ? fmt(c.total / floorTotal, 2) : '—',
      c.database === null ? '—' : us(c.database),
      fmt((r.cores * 1000) / (c.total + (c.database ?? 0))),
    ];
  });
  return [head, ...body];
}

function runTable(r: BenchReport): string[][] {
  const head = [
    'Scenario',
    'Run',
    'req/s',
    'first s → last s',
    '200s',
    'p50',
    'p99',
    'non-200',
    'socket errors',
    'op / roster notified',
    'failed ops',
    'invite → roster p50 / p99',
    'invite → op p50 / p99',
    'last notification vs end of load',
  ];
  const body = r.rows.map((row) => {
    const n = row.notifications;
    return [
      row.scenario,
      String(row.run),
      fmt(row.reqPerSec),
      `${fmt(row.firstSecond)} → ${fmt(row.lastSecond)}`,
      fmt(row.ok),
      fmtLatency(row.p50),
      fmtLatency(row.p99),
      row.non200 === 0 ? '0' : `**${fmt(row.non200)}** ${JSON.stringify(row.statusCodes)}`,
      row.socketErrors === 0 ? '0' : `**${fmt(row.socketErrors)}** (${row.timeouts} timeouts)`,
      n ? `${fmt(n.operation)} / ${fmt(n.roster)} of ${fmt(n.expected)}` : '—',
      n ? fmt(n.operationFailed) : '—',
      n ? `${fmtMs(n.e2eRosterP50)} / ${fmtMs(n.e2eRosterP99)}` : '—',
      n ? `${fmtMs(n.e2eOperationP50)} / ${fmtMs(n.e2eOperationP99)}` : '—',
      n ? `${fmtDrain(n.drainMs)}${n.drainWindowHit ? ' (window closed)' : ''}` : '—',
    ];
  });
  return [head, ...body];
}

function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  return [
    `| ${head!.join(' | ')} |`,
    `|${head!.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function textTable(rows: string[][]): string {
  const plain = rows.map((r) => r.map((c) => c.replace(/\*\*/g, '').replace(/`/g, '')));
  const widths = plain[0]!.map((_, i) => Math.max(...plain.map((r) => r[i]!.length)));
  return plain
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

function settingsLine(r: BenchReport): string {
  const s = r.settings;
  return `${s.connections} connections, ${s.duration} s per run, ${s.runs} runs per scenario (medians shown), ${s.calls} pre-created group calls, ${fmt(s.users)} users in the world, drain window ${fmt(s.drainMs)} ms, ${s.warmup} s warm-up, server log level ${s.serverLogLevel}`;
}

function generatedObservations(r: BenchReport): string[] {
  const out: string[] = [];
  const by = (name: string): ScenarioSummary | undefined => r.summaries.find((s) => s.scenario === name);
  const base = by('baseline');
  const mem = by('memory');
  const file = by('file');
  if (base && mem)
    out.push(
      `Switchboard (memory) serves ${fmt(100 * mem.ratio, 1)} % of the bare node:http request rate on this machine (${fmt(mem.reqPerSec)} vs ${fmt(base.reqPerSec)} req/s).`,
    );
  if (mem && file)
    out.push(
      `The SQLite file costs ${fmt(100 * (1 - file.reqPerSec / mem.reqPerSec), 1)} % of the in-memory rate (${fmt(file.reqPerSec)} vs ${fmt(mem.reqPerSec)} req/s).`,
    );
  for (const s of [mem, file, by('postgres'), by('memory-half'), by('file-half'), by('postgres-half')]) {
    const n = s?.notified;
    if (!s || !n) continue;
    const complete = n.roster >= n.expected && n.operation >= n.expected;
    out.push(
      `${s.scenario}: ${complete ? 'every' : `NOT every (${fmtPct(n.roster, n.expected)} roster, ${fmtPct(n.operation, n.expected)} operation)`} invite answered 200 was notified within the drain window; ` +
        `invite → roster p99 ${fmtMs(n.e2eRosterP99)} against a request p99 of ${fmtLatency(s.p99)}; ${n.drainMs === 0 ? 'all were in by the time the load generator reported the end of the run' : `the last came ${fmtMs(n.drainMs)} after the load stopped`}` +
        (s.stalls ? `; median run's ${describeStalls(s.stalls)}.` : '.'),
    );
  }
  for (const x of r.extras) out.push(...x.observations);
  out.push(...r.skipped.map((s) => `**${s}**`));
  const errors = r.summaries.reduce((a, s) => a + s.errors, 0);
  out.push(
    errors === 0
      ? 'No non-200 responses and no socket errors in any run.'
      : `**This run had ${fmt(errors)} non-200 responses or socket errors** — see the per-run table.`,
  );
  const phones = r.rows.reduce((a, row) => a + row.phonesUsed, 0);
  if (phones > 0)
    out.push(`${fmt(phones)} invites went beyond the user pool and invited phone numbers instead (raise BENCH_USERS).`);
  return out;
}

/** Issue 17's targets (ratios, 2 cores), met or missed in this run. */
function targetsTable(r: BenchReport): string[][] {
  const by = (name: string): ScenarioSummary | undefined => r.summaries.find((s) => s.scenario === name);
  const extra = (id: string): ExtraSection | undefined => r.extras.find((x) => x.id === id);
  const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'met' : '**missed**');
  const base = by('baseline');
  const e2eRatio = (s: ScenarioSummary | undefined): number =>
    s?.notified && base ? s.notified.e2eRate / base.reqPerSec : Number.NaN;
  const floor = by('floor');
  const floorRate = floor?.notified?.e2eRate ?? Number.NaN;
  const rows: string[][] = [['Target (issue 17)', 'Measured', 'Verdict']];

  const sus = extra('sustained')?.figures;
  rows.push([
    "Graph's limit: ≥ 3,333 invites/s for 60 s on a SQLite file, every one notified, 0 errors",
    sus
      ? `${fmt(sus.accepted ?? Number.NaN)} accepted/s, ${fmt(sus.e2eRate ?? Number.NaN)} accepted-and-notified/s, ${fmt(sus.throttled ?? 0)} refused (429), ${fmt(sus.unanswered ?? 0)} unanswered`
      : '—',
    verdict(sus ? sus.met === 1 : null),
  ]);
  const mem = by('memory');
  const file = by('file');
  const rm = e2eRatio(mem);
  const rf = e2eRatio(file);
  rows.push([
    'Ratio: end to end ≥ 0.35× the node:http echo (file and `:memory:`)',
    base ? `${fmt(rf, 3)}× (file), ${fmt(rm, 3)}× (memory)` : '—',
    verdict(Number.isNaN(rf) || Number.isNaN(rm) ? null : rf >= 0.35 && rm >= 0.35),
  ]);
  const ff = (file?.notified?.e2eRate ?? Number.NaN) / floorRate;
  const fm = (mem?.notified?.e2eRate ?? Number.NaN) / floorRate;
  rows.push([
    'Floor: end to end ≥ 0.7× the plain-Node floor (parse, validate, one durable write, one signed POST)',
    floor
      ? `${fmt(ff, 3)}× (file), ${fmt(fm, 3)}× (memory); floor ${fmt(floorRate)} e2e/s = ${fmt(e2eRatio(floor), 3)}× echo`
      : '—',
    verdict(Number.isNaN(ff) ? null : ff >= 0.7),
  ]);
  const halves = [by('file-half'), by('memory-half')].filter((s): s is ScenarioSummary => s !== undefined);
  rows.push([
    'Latency at half the peak rate: request p99 ≤ 10 ms, invite → roster p99 ≤ 25 ms',
    halves.length
      ? halves
          .map((h) => `${h.scenario}: ${fmtLatency(h.p99)} / ${h.notified ? fmtMs(h.notified.e2eRosterP99) : '—'}`)
          .join('; ')
      : '—',
    verdict(halves.length ? halves.every((h) => h.p99 <= 10 && (h.notified?.e2eRosterP99 ?? Infinity) <= 25) : null),
  ]);
  const pgs = by('postgres');
  const scale = extra('scale-out')?.figures;
  rows.push([
    'PostgreSQL: ≥ 1,000 invites/s end to end, one instance; one vs two instances',
    pgs?.notified
      ? `${fmt(pgs.notified.e2eRate)} e2e/s (request side ${fmt(pgs.reqPerSec)}/s)${scale ? `; scale-out ${fmt(scale.one ?? Number.NaN)} vs ${fmt(scale.two ?? Number.NaN)} req/s` : ''}`
      : '—',
    verdict(pgs?.notified ? pgs.notified.e2eRate >= 1000 : null),
  ]);
  const over = extra('overload')?.figures;
  rows.push([
    'Beyond capacity (2× sustainable, 30 s): every request answered within 1 s (200 then notified, or 429 with Retry-After), no timeout, every accepted invite notified within 2 s of its request',
    over
      ? `${fmt(100 * (over.withinShare ?? 0), 1)} % within 1 s, ${fmt(over.unanswered ?? 0)} unanswered, ${fmt(over.other ?? 0)} other statuses, ${fmt(100 * (over.notifiedShare ?? 0), 1)} % of accepted notified (slowest ${fmtMs(over.lateMax ?? Number.NaN)}, bound ${fmtMs(over.notificationBoundMs ?? Number.NaN)})`
      : '—',
    verdict(
      over
        ? over.withinShare === 1 &&
            over.unanswered === 0 &&
            over.other === 0 &&
            over.notifiedShare === 1 &&
            (over.lateMax ?? Infinity) <= (over.notificationBoundMs ?? 0)
        : null,
    ),
  ]);
  const ratio = extra('roster')?.figures.ratio;
  const wholeRatio = extra('roster')?.figures.wholeRatio;
  rows.push([
    'Cost growth: per-invite cost at roster 1,000 ≤ 1.2× roster 10 (delta rosters; whole rosters grow with the call)',
    ratio !== undefined
      ? `${fmt(ratio, 2)} delta roster${wholeRatio !== undefined ? `; ${fmt(wholeRatio, 2)} whole roster` : ''}`
      : '—',
    verdict(ratio !== undefined ? ratio <= 1.2 : null),
  ]);
  const rss = extra('many-calls')?.figures;
  rows.push([
    'Cost growth: 10,000 live calls < 1 GiB RSS',
    rss?.rssMiB !== undefined ? `${fmt(rss.rssMiB)} MiB with ${fmt(rss.calls ?? Number.NaN)} calls` : '—',
    verdict(rss?.rssMiB !== undefined ? rss.rssMiB < 1024 : null),
  ]);
  const soak = extra('soak')?.figures;
  rows.push([
    'Soak and retention: at half the peak, flat RSS and bounded store growth (second half ≤ 1.2× the first)',
    soak
      ? `${fmt(soak.seconds ?? Number.NaN)} s at ${fmt(soak.rate ?? Number.NaN)}/s: rows ×${fmt(soak.rowGrowth ?? Number.NaN, 2)}, RSS ×${fmt(soak.rssGrowth ?? Number.NaN, 2)}, store on disk ×${fmt(soak.storeGrowth ?? Number.NaN, 2)} (largest, second half ÷ first)`
      : '—',
    verdict(soak ? soak.levels === 1 : null),
  ]);
  const start = extra('start')?.figures;
  rows.push([
    'issue 13: `npm start` ready (built, unchanged tree) ≤ 1.5 s',
    start?.npmMedianMs !== undefined
      ? `${fmt(start.npmMedianMs)} ms (\`node dist/src/cli.js\`: ${fmt(start.cliMedianMs ?? Number.NaN)} ms), load average ${fmt(start.loadAverage ?? Number.NaN, 1)}`
      : '—',
    verdict(start?.npmMedianMs !== undefined ? start.npmMedianMs <= 1500 : null),
  ]);
  return rows;
}

function extraMarkdown(x: ExtraSection): string[] {
  return [`### ${x.title}`, '', x.what, '', ...(x.table.length > 0 ? [markdownTable(x.table), ''] : [])];
}

const NOTES_START = '<!-- notes:start (hand-written, kept when the bench rewrites this file) -->';
const NOTES_END = '<!-- notes:end -->';

function keptNotes(): string {
  const path = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));
  if (!existsSync(path)) return '_No notes yet._';
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(NOTES_START);
  const b = text.indexOf(NOTES_END);
  if (a < 0 || b < a) return '_No notes yet._';
  return text.slice(a + NOTES_START.length, b).trim();
}

export function renderTable(r: BenchReport): string {
  const lines = [
    `Switchboard bench — ${r.date} — ${r.cores} cores, ${r.cpuModel}, Node ${r.node}${r.quick ? ' — QUICK MODE' : ''}`,
    settingsLine(r),
    '',
    textTable(summaryTable(r)),
    '',
  ];
  const cpu = cpuTable(r);
  if (cpu.length > 0) lines.push('CPU per end-to-end invite, by thread (µs, medians)', textTable(cpu), '');
  for (const x of r.extras) if (x.table.length > 0) lines.push(x.title, textTable(x.table), '');
  lines.push('Targets', textTable(targetsTable(r)), '');
  for (const o of generatedObservations(r)) lines.push(`- ${o.replace(/\*\*/g, '')}`);
  return lines.join('\n');
}

function cpuMarkdown(r: BenchReport): string[] {
  const table = cpuTable(r);
  if (table.length === 0) return [];
  return [
    '### CPU per end-to-end invite, by thread (µs, medians)',
    '',
    'Everything runs in the bench process on this machine: the server on its main thread (Switchboard, or the floor),',
    'the bot and the load generator in worker threads. "Rest of the process" is Switchboard\'s delivery and checkpoint',
    "threads, V8's garbage-collection and compiler threads and libuv's pool. PostgreSQL's own processes are not in the",
    'total; where they run on this machine, "PostgreSQL processes" is their CPU over the same span (backends,',
    'checkpointer, WAL writer; a process that exited during the run is missing, so it is a lower bound).',
    `With ${r.cores} cores, ${fmt(r.cores * 1000)} ms of CPU a second is all there is: the last column is the most`,
    "invites a second that cost (the total and PostgreSQL's) allows, before any waiting.",
    '',
    markdownTable(table),
    '',
  ];
}

export function renderMarkdown(r: BenchReport): string {
  const errorSamples = r.rows.flatMap((row) =>
    Object.entries(row.sampleErrors).map(
      ([status, body]) => `- ${row.scenario} run ${row.run}, HTTP ${status}: \`${body.replace(/`/g, "'")}\``,
    ),
  );
  return [
    '# Switchboard bench results',
    '',
    'Measured, not asserted. Generated by `npm run bench` (see [README.md](README.md) for what each scenario measures and how to read',
    'the ratios); the "Notes" section is hand-written and kept when the file is regenerated.',
    '',
    `- **Date:** ${r.date}`,
    `- **Machine:** ${r.cores} cores (\`os.cpus().length\`), ${r.cpuModel}, ${r.platform}`,
    `- **Node:** ${r.node}`,
    `- **Commit:** ${r.commit}`,
    `- **Settings:** ${settingsLine(r)}`,
    `- **Wall time of the bench:** ${fmt(r.wallSeconds)} s${r.quick ? ' (**quick mode**: not for comparison)' : ''}`,
    '',
    '## Targets',
    '',
    markdownTable(targetsTable(r)),
    '',
    '## Medians: 1. baseline, 2. invite request side, 3. invite end to end',
    '',
    markdownTable(summaryTable(r)),
    '',
    "`× baseline` is Switchboard req/s ÷ the echo server's req/s, both medians of this same invocation. Latencies are of the",
    'HTTP request (autocannon); "invite → roster" is from the moment the invite request was written to the moment the bot',
    'had read the roster `updated` notification naming that invitee. "end-to-end invites/s" counts invites whose operation',
    '`deleted` and roster `updated` both reached the bot, from the first request to the last notification.',
    '',
    ...cpuMarkdown(r),
    ...(r.extras.length > 0 ? ['## Scenarios 4–11', '', ...r.extras.flatMap(extraMarkdown)] : []),
    '## Generated observations',
    '',
    ...generatedObservations(r).map((o) => `- ${o}`),
    '',
    '## Notes',
    '',
    NOTES_START,
    keptNotes(),
    NOTES_END,
    '',
    '## Every run',
    '',
    markdownTable(runTable(r)),
    '',
    ...(errorSamples.length > 0 ? ['## Error samples', '', ...errorSamples, ''] : []),
  ].join('\n');
}
