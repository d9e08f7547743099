#!/usr/bin/env node
/**
 * `npm test`: the type check, the lint, the format check and the vitest suite, side by side.
 *
 * Why not `tsc && eslint && vitest` one after the other: on the 2-core machine CI runs on, the suite is mostly
 * waiting (servers on ephemeral ports, virtual-clock timers, child processes), and tsc and ESLint are one core each.
 * Run in sequence they took about 20 s + 45 s before the suite even began; run beside it they fit in its waits.
 *
 * The suite's output streams as usual; the type check's and the lint's are held and printed once each finishes
 * (interleaved lines from four tools would be unreadable). The exit status is non-zero when any of them fails,
 * and the last lines say which.
 *
 * Extra arguments go to vitest (`npm test -- test/api`), and then the type check and lint still run: they are what
 * CI runs, and skipping them silently is how a red main starts. `--no-static` skips them for a quick local loop.
 */
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const noStatic = args.includes('--no-static');
const vitestArgs = args.filter((a) => a !== '--no-static');

/** Runs one npm script or binary; resolves to its exit code and (when held) its output. */
function run(name, command, commandArgs, { hold }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, commandArgs, { stdio: hold ? ['ignore', 'pipe', 'pipe'] : 'inherit', shell: false });
    let output = '';
    if (hold) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('error', (error) =>
      resolve({ name, code: 1, output: `${output}${String(error)}\n`, ms: Date.now() - started }),
    );
    child.on('close', (code, signal) => {
      const result = { name, code: code ?? (signal ? 1 : 0), output, ms: Date.now() - started };
      if (hold) {
        const verdict = result.code === 0 ? 'passed' : `FAILED (exit ${result.code})`;
        process.stdout.write(`\n== ${name} ${verdict} in ${(result.ms / 1000).toFixed(1)} s\n${output}`);
      }
      resolve(result);
    });
  });
}

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

const jobs = [];
if (!noStatic) {
  jobs.push(run('typecheck (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { hold: true }));
  jobs.push(run('lint (eslint .)', bin('eslint'), ['.'], { hold: true }));
  jobs.push(run('format (prettier --check .)', bin('prettier'), ['--check', '.'], { hold: true }));
}
jobs.push(run('vitest', bin('vitest'), ['run', ...vitestArgs], { hold: false }));

const results = await Promise.all(jobs);
const failed = results.filter((r) => r.code !== 0);
process.stdout.write(
  `\n== npm test: ${results.map((r) => `${r.name} ${r.code === 0 ? 'ok' : 'FAILED'} (${(r.ms / 1000).toFixed(0)} s)`).join('; ')}\n`,
);
process.exit(failed.length === 0 ? 0 : 1);
