/**
 * Scenario 7, peer: the same invite requests against `prism mock` of the Graph calls OpenAPI document
 * (`metadata/graph/calls.openapi3.json`, npm `@stoplight/prism-cli`): the stateless mock a user would
 * otherwise pick. It answers from the schema's examples and keeps no state: no operation, roster or notification.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ExtraContext, ExtraSection } from './extra.js';
import { fmt, fmtLatency, median } from './stats.js';
import { runLoad } from './workers.js';

// This file runs compiled, from dist/bench/: the repository root is two levels up.
const PRISM = fileURLToPath(new URL('../../node_modules/.bin/prism', import.meta.url));
const SPEC = fileURLToPath(new URL('../../metadata/graph/calls.openapi3.json', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const skipped = (why: string): ExtraSection => ({
  id: 'peer',
  title: '7. Peer: prism mock',
  what: `Not measured: ${why}`,
  table: [],
  observations: [`prism mock not measured: ${why}`],
  figures: {},
});

export async function peer(ctx: ExtraContext, tokenLength: number): Promise<ExtraSection> {
  if (!existsSync(PRISM))
    return skipped('`@stoplight/prism-cli` is not installed (a devDependency: run `npm install`).');
  if (!existsSync(SPEC)) return skipped(`the OpenAPI document is not at ${SPEC}.`);
  const port = await freePort();
  const child = spawn(PRISM, ['mock', '-h', '127.0.0.1', '-p', String(port), SPEC], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    let out = '';
    const started = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 120_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Prism is listening')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      void exited.then(() => resolve(false));
    });
    if (!started) return skipped(`prism did not start: ${out.slice(-500)}`);
    // prism logs every request to stdout; drain it so the pipe never blocks the mock.
    child.stdout.resume();
    const runs: { rate: number; p50: number; p99: number; statuses: Record<string, number> }[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      const load = await runLoad({
        url: `http://127.0.0.1:${port}`,
        token: 'x'.repeat(tokenLength),
        callIds: Array.from({ length: 32 }, () => crypto.randomUUID()),
        connections: ctx.connections,
        duration: ctx.duration,
        overallRate: null,
        userPool: ctx.users,
        cyclePool: true,
      });
      const statuses = Object.fromEntries(Object.entries(load.result.statusCodeStats).map(([k, v]) => [k, v.count]));
      runs.push({
        rate: load.result.requestsTotal / load.result.duration,
        p50: load.result.latency.p50,
        p99: load.result.latency.p99,
        statuses,
      });
      ctx.progress(
        `peer (prism mock) run ${run + 1}/${ctx.runs}: ${fmt(runs.at(-1)!.rate)} req/s, p99 ${fmtLatency(runs.at(-1)!.p99)}, statuses ${JSON.stringify(statuses)}`,
      );
    }
    const rate = median(runs.map((r) => r.rate));
    return {
      id: 'peer',
      title: '7. Peer: `prism mock` of calls.openapi3.json',
      what: `\`prism mock\` (@stoplight/prism-cli) serving metadata/graph/calls.openapi3.json, the same invite requests as the baseline, ${runs.length} run(s) of ${ctx.duration} s.`,
      table: [
        ['Server', 'runs', 'req/s', '× baseline', 'p50', 'p99', 'statuses (last run)'],
        [
          'prism mock',
          String(runs.length),
          fmt(rate),
          fmt(rate / ctx.baselineReqPerSec, 3),
          fmtLatency(median(runs.map((r) => r.p50))),
          fmtLatency(median(runs.map((r) => r.p99))),
          JSON.stringify(runs.at(-1)!.statuses),
        ],
      ],
      observations: [
        `prism mock answers ${fmt(rate)} invite req/s (${fmt(rate / ctx.baselineReqPerSec, 3)}× baseline), statelessly: no operation, roster or notification follows.`,
      ],
      figures: { rate },
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
}
