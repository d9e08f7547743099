/**
 * Scenario 8, start to ready: how long from spawning Switchboard to its Graph port answering a request, for
 *
 *   cli        `node dist/src/cli.js start` (the built CLI, what `npx switchboard` runs)
 *   npm start  `npm start` in this repository (npm, then scripts/start.mjs finding dist/ up to date, then the CLI)
 *
 * Each start gets a fresh `--data` directory (so it also creates its signing keys, as a first start does) and the
 * bench's TLS directory (the local CA is made once per machine, not per start: one unreported start makes it).
 * "Ready" is the first answer on the Graph port (`GET /v1.0/communications/calls`, a 401 without a token), timed from
 * the spawn. Median of 5 per command, alternating, each process stopped with SIGTERM before the next.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExtraContext, ExtraSection } from './extra.js';
import { fmt, median } from './stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const STARTS = 5;

type Command = 'cli' | 'npm start';

/** One start: ms from spawn to the Graph port's first answer; the process is stopped again before this resolves. */
async function timeOneStart(command: Command, tlsDir: string): Promise<number> {
  const data = await mkdtemp(join(os.tmpdir(), 'switchboard-bench-start-'));
  const options = ['--data', data, '--tls-dir', tlsDir, '--port', '0', '--https-port', '0', '--log-level', 'warn'];
  const t0 = performance.now();
  const child =
    command === 'cli'
      ? spawn(process.execPath, [CLI, 'start', ...options], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('npm', ['start', '--', ...options], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${command} did not print its banner within 60 s:\n${out}`)),
        60_000,
      );
      const read = (c: Buffer): void => {
        out += c.toString();
        const m = /Graph \(http\)\s+(http:\/\/\S+?)\/v1\.0/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${command} exited before it was ready:\n${out}`));
      });
    });
    const res = await fetch(`${url}/v1.0/communications/calls`);
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    // A start that compiled is not the case measured (dist/ is fresh: `npm run bench` has just built it).
    if (out.includes('building…'))
      throw new Error(`npm start rebuilt dist/ (${/building… \(([^)]*)\)/.exec(out)?.[1]}); not measured`);
    return ms;
  } finally {
    child.kill('SIGTERM');
    await exited;
    await rm(data, { recursive: true, force: true });
  }
}

export async function startToReady(ctx: ExtraContext): Promise<ExtraSection> {
  await timeOneStart('cli', ctx.tlsDir);
  const times: Record<Command, number[]> = { cli: [], 'npm start': [] };
  for (let i = 0; i < STARTS; i++) {
    for (const command of ['cli', 'npm start'] as const) {
      const ms = await timeOneStart(command, ctx.tlsDir);
      times[command].push(ms);
      ctx.progress(`start ${i + 1}/${STARTS}, ${command}: ready after ${fmt(ms)} ms`);
    }
  }
  const row = (command: Command, what: string): string[] => {
    const t = times[command];
    return [what, String(t.length), fmt(median(t)), fmt(Math.min(...t)), fmt(Math.max(...t))];
  };
  const load = os.loadavg()[0] ?? Number.NaN;
  return {
    id: 'start',
    title: '8. Start to ready',
    what:
      `From spawning Switchboard to its Graph port answering a request (\`GET /v1.0/communications/calls\`, 401), ${STARTS} starts per command, ` +
      "alternating, each with a fresh `--data` directory (new signing keys, as on a first start) and the bench's TLS directory; " +
      `\`npm start\` with dist/ up to date (it did not build). Load average when it ended: ${fmt(load, 1)}.`,
    table: [
      ['Command', 'starts', 'median ms', 'min ms', 'max ms'],
      row('cli', '`node dist/src/cli.js start`'),
      row('npm start', '`npm start` (npm → scripts/start.mjs → CLI)'),
    ],
    observations: [],
    figures: { cliMedianMs: median(times.cli), npmMedianMs: median(times['npm start']), loadAverage: load },
  };
}
