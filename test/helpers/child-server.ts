/**
 * Switchboard as a child process, started exactly as `switchboard start` starts it (src/cli.ts, run from source by
 * test/helpers/ts-register.mjs), for tests that must kill it (`kill -9`, SIGTERM) and start it again.
 *
 *   const child = await startChildServer({ data, world });
 *   await fetch(`${child.httpUrl}/…`);
 *   child.kill('SIGKILL'); await child.exited;
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID } from '../../src/sim/default-world.js';
import type { World } from '../../src/sim/directory.js';

const REGISTER = fileURLToPath(new URL('./ts-register.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface ChildServer {
  process: ChildProcess;
  httpUrl: string;
  /** Everything the process wrote so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

export interface ChildServerOptions {
  /** Data directory (SQLite file and signing keys); reuse it to restart on the same state. */
  data: string;
  world: World;
  /** Extra CLI options, e.g. ['--clock', 'virtual']. */
  args?: string[];
  startTimeoutMs?: number;
}

/** Writes the world to a file in `data` (the CLI reads worlds from files) and starts the server on free ports. */
export async function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  // The overload bounds measure time; on a test machine shared by parallel test files a stalled process would look
  // like overload (as in test/helpers/server.ts).
  // Retention is off too: a test that moves a virtual clock by hours reads notifications written before the move.
  const OVERLOAD_OFF = [
    '--overload-lag',
    'off',
    '--overload-backlog',
    'off',
    '--overload-wait',
    'off',
    '--retention',
    'off',
  ];
  const tlsDir = process.env.SWITCHBOARD_TEST_TLS_DIR;
  if (!tlsDir) throw new Error('SWITCHBOARD_TEST_TLS_DIR is not set: the vitest globalSetup did not run');
  const worldFile = join(mkdtempSync(join(tmpdir(), 'sb-world-')), 'world.json');
  writeFileSync(worldFile, JSON.stringify(opts.world));
  const args = [
    '--import',
    REGISTER,
    CLI,
    'start',
    '--port',
    '0',
    '--https-port',
    '0',
    '--data',
    opts.data,
    '--tls-dir',
    tlsDir,
    '--world',
    worldFile,
    '--log-level',
    'error',
    ...OVERLOAD_OFF,
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child server did not start within ${opts.startTimeoutMs ?? 30_000} ms:\n${out}`));
    }, opts.startTimeoutMs ?? 30_000);
    const check = (): void => {
      const m = /Graph \(http\)\s+(http:\/\/\S+?)\/v1\.0/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`child server exited (${code ?? signal}) before it started:\n${out}`));
    });
  });
  return { process: child, httpUrl, output: () => out, exited, kill: (signal) => void child.kill(signal) };
}

/** A client-credentials token from the server's token endpoint. */
export async function childToken(httpUrl: string): Promise<string> {
  const res = await fetch(`${httpUrl}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEFAULT_APP_ID,
      client_secret: DEFAULT_APP_SECRET,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

export const tempDataDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

/** The first value `probe` returns (polling every `everyMs`), or an error naming `what` after `timeoutMs`. */
export async function pollFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
