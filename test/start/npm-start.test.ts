/**
 * `npm start` for real: npm runs package.json's start script, which runs scripts/start.mjs, which runs the CLI.
 * Stopping it — SIGTERM to the npm process alone (what a process manager or `kill <npm pid>` does), or SIGINT to the
 * whole process group (Ctrl-C) — must stop the server: no orphan process, the port closed. And it builds only when
 * src/ changed.
 *
 * Runs in a temporary tree (this repository's package.json and scripts/, src/ copied, dist/ transpiled from src/ by
 * the scale tests' buildCli) whose `build` script is a stand-in that records each run and marks dist/ fresh, so the
 * test neither needs nor disturbs this repository's own dist/ and never waits for tsc. Linux: it reads /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollFor } from '../helpers/child-server.js';
import { buildCli } from '../scale/instance-process.js';

const ROOT = resolve(import.meta.dirname, '../..');

// The stand-in for `npm run build`: counts its runs, and stamps every output now (as tsc's full rewrite does).
const STUB_BUILD = `
import { appendFileSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
const touch = (dir) => { for (const e of readdirSync(dir, { withFileTypes: true })) { const p = join(dir, e.name); if (e.isDirectory()) touch(p); else utimesSync(p, new Date(), new Date()); } };
touch('dist/src');
appendFileSync('builds.log', 'built\\n');
`;

interface NpmStart {
  npm: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Pids of every live descendant of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0) until its parent reaps it; it is no longer running.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe.runIf(process.platform === 'linux')('npm start', () => {
  let tree = '';
  let build: ReturnType<typeof buildCli> | undefined;
  const leftovers: number[] = [];

  beforeAll(() => {
    tree = mkdtempSync(join(tmpdir(), 'sb-npm-start-'));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBeDefined();
    pkg.scripts.build = 'node stub-build.mjs';
    delete pkg.scripts.prestart;
    writeFileSync(join(tree, 'package.json'), JSON.stringify(pkg, null, 2));
    writeFileSync(join(tree, 'stub-build.mjs'), STUB_BUILD);
    cpSync(join(ROOT, 'scripts'), join(tree, 'scripts'), { recursive: true });
    for (const f of ['tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, f), join(tree, f));
    cpSync(join(ROOT, 'src'), join(tree, 'src'), { recursive: true });
    // Outputs written after the sources: an up-to-date build.
    build = buildCli();
    symlinkSync(resolve(build.cli, '../..'), join(tree, 'dist'), 'dir');
  }, 60_000);
  afterEach(() => {
    for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  afterAll(() => {
    build?.dispose();
    rmSync(tree, { recursive: true, force: true });
  });

  const builds = (): number => {
    try {
      return readFileSync(join(tree, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };

  /** `npm start -- …` in its own process group; resolves once the Graph port answered a request. */
  async function npmStart(): Promise<NpmStart & { httpUrl: string; server: number }> {
    const args = [
      'start',
      '--',
      '--data',
      ':memory:',
      '--port',
      '0',
      '--https-port',
      '0',
      '--tls-dir',
      process.env.SWITCHBOARD_TEST_TLS_DIR!,
      '--log-level',
      'warn',
    ];
    const npm = spawn('npm', args, { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    npm.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    npm.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      npm.once('exit', (code, signal) => r({ code, signal })),
    );
    let gone = false;
    void exited.then(() => (gone = true));
    const httpUrl = await pollFor(`the banner of npm start\n${out}`, 45_000, () => {
      if (gone) throw new Error(`npm start exited before it was ready:\n${out}`);
      return Promise.resolve(/Graph \(http\)\s+(http:\/\/\S+?)\/v1\.0/.exec(out)?.[1]);
    });
    const res = await fetch(`${httpUrl}/v1.0/communications/calls`);
    expect(res.status).toBe(401);
    const pids = descendants(npm.pid!);
    leftovers.push(...pids);
    // The server: the descendant listening (the only node process under npm once the script exec'd).
    const server = pids.find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('scripts/start.mjs'));
    expect(server, `processes under npm: ${pids.join(', ')}`).toBeDefined();
    return { npm, output: () => out, exited, httpUrl, server: server! };
  }

  async function expectStopped(s: { httpUrl: string; server: number }, pids: number[]): Promise<void> {
    await pollFor(
      `the server process ${s.server} to exit`,
      20_000,
      () => Promise.resolve(pids.every((p) => !alive(p)) ? true : undefined),
      100,
    );
    await expect(fetch(`${s.httpUrl}/v1.0/communications/calls`)).rejects.toThrow();
  }

  it('starts an unchanged tree without building; SIGTERM to npm alone stops the server', async () => {
    const s = await npmStart();
    expect(s.output()).not.toContain('building');
    expect(builds()).toBe(0);
    const pids = [s.npm.pid!, ...descendants(s.npm.pid!)];
    process.kill(s.npm.pid!, 'SIGTERM');
    const exit = await s.exited;
    await expectStopped(s, pids);
    expect(s.output()).toContain('SIGTERM received, shutting down');
    expect(exit.code).toBe(0);
  }, 90_000);

  it('Ctrl-C (SIGINT to the process group) shuts the server down gracefully', async () => {
    const s = await npmStart();
    const pids = [s.npm.pid!, ...descendants(s.npm.pid!)];
    process.kill(-s.npm.pid!, 'SIGINT');
    const exit = await s.exited;
    await expectStopped(s, pids);
    expect(s.output()).toContain('SIGINT received, shutting down');
    // 0: the server finished its own shutdown (a second, forwarded SIGINT did not kill it midway).
    expect(exit).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('builds once when a source under src/ is newer than its output, then not again', async () => {
    // An edit: the output is now older than its source (the stand-in build stamps it fresh again).
    const output = join(tree, 'dist', 'src', 'config.js');
    const past = new Date(statSync(join(tree, 'src', 'config.ts')).mtimeMs - 60_000);
    utimesSync(output, past, past);
    const first = await npmStart();
    expect(first.output()).toContain('building… (src changed)');
    expect(builds()).toBe(1);
    process.kill(first.npm.pid!, 'SIGTERM');
    await first.exited;
    const second = await npmStart();
    expect(second.output()).not.toContain('building');
    expect(builds()).toBe(1);
    process.kill(second.npm.pid!, 'SIGTERM');
    await second.exited;
  }, 120_000);
});
