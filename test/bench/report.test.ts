/** Smoke test of the bench harness's arithmetic and report (not of any timing): medians, percentiles, the
 *  fixed-amount rate, and that RESULTS.md carries the targets, scenarios 4–8 and the kept notes. */
import { describe, expect, it } from 'vitest';
import { measuredRate } from '../../bench/extra.js';
import { bySecond, describeSeconds } from '../../bench/scenario-capacity.js';
import type { LoadOutcome } from '../../bench/loadgen-worker.js';
import { cpuByThread, renderMarkdown, renderTable, type BenchReport, type RunRow } from '../../bench/report.js';
import { summarizeStalls, watchServerThread } from '../../bench/server-stalls.js';
import { median, percentile, postgresCpuSince } from '../../bench/stats.js';

const row = (scenario: string, reqPerSec: number, p99: number): RunRow => ({
  scenario,
  run: 1,
  reqPerSec,
  firstSecond: reqPerSec,
  lastSecond: reqPerSec,
  okPerSec: reqPerSec,
  ok: reqPerSec,
  non200: 0,
  socketErrors: 0,
  timeouts: 0,
  statusCodes: { 200: reqPerSec },
  p50: 1,
  p99,
  rate: null,
  notifications: null,
  phonesUsed: 0,
  sampleErrors: {},
});

describe('bench harness', () => {
  it('takes medians and nearest-rank percentiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99);
  });

  it('rates a fixed-amount run from its own records', () => {
    const records = {
      keys: ['a', 'b', 'c'],
      starts: [1000, 1100, 1200],
      statuses: [200, 200, 0],
      ends: [1500, 2000, 0],
    };
    expect(measuredRate({ records } as unknown as LoadOutcome)).toBe(2); // 2 responses in 1 s
  });

  it('renders the targets, every scenario section and the hand-written notes', () => {
    const report: BenchReport = {
      date: '2026-01-01T00:00:00.000Z',
      cores: 2,
      cpuModel: 'cpu',
      node: 'v20',
      platform: 'linux',
      commit: 'abc',
      settings: {
        duration: 1,
        connections: 1,
        runs: 1,
        calls: 1,
        users: 1,
        drainMs: 1,
        warmup: 1,
        serverLogLevel: 'error',
      },
      summaries: [
        {
          scenario: 'baseline',
          runs: 1,
          reqPerSec: 1000,
          okPerSec: 1000,
          p50: 0,
          p99: 1,
          ratio: 1,
          rate: null,
          errors: 0,
          notified: null,
        },
        {
          scenario: 'floor',
          runs: 1,
          reqPerSec: 800,
          okPerSec: 800,
          p50: 1,
          p99: 2,
          ratio: 0.8,
          rate: null,
          errors: 0,
          notified: {
            expected: 800,
            roster: 800,
            operation: 800,
            e2eRosterP50: 1,
            e2eRosterP99: 2,
            drainMs: 0,
            e2eRate: 800,
            cpu: { server: 0.2, bot: 0.05, loadGenerator: 0.1, rest: 0.05, total: 0.4, database: null },
          },
        },
        {
          scenario: 'memory',
          runs: 1,
          reqPerSec: 600,
          okPerSec: 600,
          p50: 1,
          p99: 4,
          ratio: 0.6,
          rate: null,
          errors: 0,
          stalls: { loopDelayMaxMs: 31.5, gcPauses: 40, gcPausesOver5Ms: 2, gcLongestMs: 28.5, gcTotalMs: 115 },
          notified: {
            expected: 600,
            roster: 600,
            operation: 600,
            e2eRosterP50: 2,
            e2eRosterP99: 5,
            drainMs: 0,
            e2eRate: 600,
            cpu: { server: 1, bot: 0.3, loadGenerator: 0.2, rest: 0.5, total: 2, database: null },
          },
        },
        {
          scenario: 'file',
          runs: 1,
          reqPerSec: 300,
          okPerSec: 300,
          p50: 1,
          p99: 4,
          ratio: 0.3,
          rate: null,
          errors: 0,
          notified: {
            expected: 300,
            roster: 300,
            operation: 300,
            e2eRosterP50: 2,
            e2eRosterP99: 5,
            drainMs: 0,
            e2eRate: 300,
            cpu: null,
          },
        },
        {
          scenario: 'postgres',
          runs: 1,
          reqPerSec: 200,
          okPerSec: 200,
          p50: 2,
          p99: 8,
          ratio: 0.2,
          rate: null,
          errors: 0,
          notified: {
            expected: 200,
            roster: 200,
            operation: 200,
            e2eRosterP50: 4,
            e2eRosterP99: 9,
            drainMs: 0,
            e2eRate: 200,
            cpu: { server: 1, bot: 0.3, loadGenerator: 0.2, rest: 0.5, total: 2, database: 2 },
          },
        },
      ],
      rows: [row('baseline', 1000, 1), row('memory', 600, 4)],
      extras: [
        {
          id: 'roster',
          title: '4. Roster growth',
          what: 'sizes',
          table: [
            ['size', 'req/s'],
            ['10', '600'],
          ],
          observations: ['flat'],
          figures: { ratio: 1.1, wholeRatio: 3.4 },
        },
        {
          id: 'overload',
          title: '10. Beyond capacity',
          what: '2×',
          table: [],
          observations: [],
          figures: {
            withinShare: 1,
            unanswered: 0,
            other: 0,
            notifiedShare: 1,
            lateMax: 900,
            notificationBoundMs: 2000,
          },
        },
        {
          id: 'start',
          title: '8. Start to ready',
          what: 'starts',
          table: [
            ['Command', 'median ms'],
            ['npm start', '900'],
          ],
          observations: [],
          figures: { npmMedianMs: 1600, cliMedianMs: 700, loadAverage: 3.2 },
        },
      ],
      skipped: [],
      quick: true,
      wallSeconds: 1,
    };
    const md = renderMarkdown(report);
    expect(md).toContain('## Targets');
    expect(md).toMatch(
      /end to end ≥ 0\.35× the node:http echo \(file and `:memory:`\) \| 0\.300× \(file\), 0\.600× \(memory\) \| \*\*missed\*\*/,
    );
    expect(md).toMatch(
      /≥ 0\.7× the plain-Node floor[^|]*\| 0\.375× \(file\), 0\.750× \(memory\)[^|]*\| \*\*missed\*\*/,
    );
    expect(md).toMatch(/every request answered within 1 s[^|]*\| 100\.0 % within 1 s[^|]*\| met/);
    // A notification later than the bound misses the target even when every request was answered in time.
    const overload = report.extras.find((e) => e.id === 'overload')!;
    overload.figures.lateMax = 2500;
    expect(renderMarkdown(report)).toMatch(
      /every request answered within 1 s[^|]*\| 100\.0 % within 1 s[^|]*slowest 2,500 ms, bound 2,000 ms\) \| \*\*missed\*\*/,
    );
    overload.figures.lateMax = 900;
    expect(md).toMatch(/Graph's limit[^|]*\| — \| not measured/);
    expect(md).toMatch(
      /roster 1,000 ≤ 1\.2× roster 10 \(delta rosters; whole rosters grow with the call\) \| 1\.10 delta roster; 3\.40 whole roster \| met/,
    );
    expect(md).toContain('### 4. Roster growth');
    expect(md).toContain('### 8. Start to ready');
    expect(md).toMatch(
      /`npm start` ready \(built, unchanged tree\) ≤ 1\.5 s \| 1,600 ms \(`node dist\/src\/cli\.js`: 700 ms\), load average 3\.2 \| \*\*missed\*\*/,
    );
    expect(md).toContain('<!-- notes:start');
    expect(renderTable(report)).toContain('QUICK MODE');
    // CPU per invite by thread: against the floor's total, and the rate two cores allow at that cost.
    expect(md).toContain('### CPU per end-to-end invite, by thread');
    expect(md).toContain('| floor | 200 | 50 | 100 | 50 | 400 | 1.00 | — | 5,000 |');
    expect(md).toContain('| memory | 1,000 | 300 | 200 | 500 | 2,000 | 5.00 | — | 1,000 |');
    // PostgreSQL's processes are beside the total, and what the cores allow counts them too.
    expect(md).toContain('| postgres | 1,000 | 300 | 200 | 500 | 2,000 | 5.00 | 2,000 | 500 |');
    expect(md).not.toMatch(/\| file \| [0-9,]+ \| [0-9,]+ \| [0-9,]+ \|/);
    // What held up the server thread, where it was measured.
    expect(md).toMatch(
      /- memory: every invite[^\n]*; median run's server thread: event loop late by 31\.5 ms at most, 2 GC pauses of 5 ms or more \(longest 28\.5 ms\), 115 ms in 40 GC pauses in all\./,
    );
    expect(md).toMatch(/- file: every invite[^\n]*the end of the run\./);
  });

  it("sums up the server thread's garbage-collection pauses", () => {
    expect(summarizeStalls(12, [1, 5, 2, 30.5])).toEqual({
      loopDelayMaxMs: 12,
      gcPauses: 4,
      gcPausesOver5Ms: 2,
      gcLongestMs: 30.5,
      gcTotalMs: 38.5,
    });
    expect(summarizeStalls(0, [])).toEqual({
      loopDelayMaxMs: 0,
      gcPauses: 0,
      gcPausesOver5Ms: 0,
      gcLongestMs: 0,
      gcTotalMs: 0,
    });
  });

  it('watches the server thread: a busy turn shows as event-loop delay', async () => {
    const w = watchServerThread();
    // The probe runs every 10 ms; a turn that holds the thread 60 ms makes the next one that late.
    await new Promise((r) => setTimeout(r, 25));
    const until = performance.now() + 60;
    while (performance.now() < until) {
      /* hold the thread */
    }
    await new Promise((r) => setTimeout(r, 25));
    const s = w.stop();
    expect(s.loopDelayMaxMs).toBeGreaterThanOrEqual(40);
  });

  it('splits the process CPU of a run by thread, per invite', () => {
    expect(cpuByThread({ server: 500, bot: 100, loadGenerator: 100, process: 1000 }, 500)).toEqual({
      server: 1,
      bot: 0.2,
      loadGenerator: 0.2,
      rest: 0.6,
      total: 2,
      database: null,
    });
    expect(
      cpuByThread({ server: 500, bot: 100, loadGenerator: 100, process: 1000, database: 1500 }, 500)?.database,
    ).toBe(3);
    // Ticks and microseconds disagree by a tick on a short run: the rest is never negative.
    expect(cpuByThread({ server: 510, bot: 100, loadGenerator: 100, process: 700 }, 10)?.rest).toBe(0);
    expect(cpuByThread({ server: null, bot: 100, loadGenerator: 100, process: 700 }, 10)).toBeNull();
    expect(cpuByThread({ server: 1, bot: 1, loadGenerator: 1, process: 3 }, 0)).toBeNull();
  });

  it("counts PostgreSQL's CPU over a run by process: a new one from 0, one gone since missing, none seen: null", () => {
    const before = new Map([
      [101, 1_000],
      [102, 500],
    ]);
    const now = new Map([
      [101, 1_250],
      [103, 40],
    ]);
    expect(postgresCpuSince(before, now)).toBe(290);
    expect(postgresCpuSince(new Map(), new Map())).toBeNull();
  });

  it('tells a paced run second by second: what the door let in, and where answers came later than 1 s', () => {
    // Due at 0, 0.5, 1.2, 1.9, 2.1 and 2.4 s after the first; answered after 50 ms, 30 ms, 1,200 ms, 10 ms, 1,001 ms
    // and never (status 0).
    const records = {
      starts: [100, 600, 1300, 2000, 2200, 2500],
      statuses: [200, 429, 200, 200, 429, 0],
      ends: [150, 630, 2500, 2010, 3201, 0],
    };
    const seconds = bySecond(records);
    expect(seconds).toEqual([
      { second: 0, sent: 2, ok: 1, throttled: 1, late: 0 },
      { second: 1, sent: 2, ok: 2, throttled: 0, late: 1 },
      { second: 2, sent: 2, ok: 0, throttled: 1, late: 2 },
    ]);
    // The last second may be partial, so its accepted count is left out of the range.
    expect(describeSeconds(seconds)).toBe(
      'Accepted per second, by when requests were due: 1 to 2 (median 1); requests answered later than 1 s (or not at all) were due in seconds 1 (1), 2 (2).',
    );
    expect(describeSeconds(seconds, 1)).toMatch(/were due in seconds 1 \(1\) and 1 more\.$/);
    expect(describeSeconds(bySecond({ starts: [0, 10], statuses: [200, 200], ends: [5, 20] }))).toBe(
      'Accepted per second, by when requests were due: 2 to 2 (median 2); no request answered later than 1 s.',
    );
  });
});
