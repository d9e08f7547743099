/**
 * Switchboard as its own OS process, through the built CLI (`dist/src/cli.js`, which `npm run bench` has just built):
 * for the scenarios that measure one process's memory (many calls) or several processes on one database (scale-out).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

export interface InstanceProcess {
  httpUrl: string;
  child: ChildProcess;
  /** Resident set size of the process now, in bytes (Linux /proc), or NaN elsewhere. */
  rss(): number;
  stop(): Promise<void>;
}

export function startInstance(name: string, args: string[], timeoutMs = 60_000): Promise<InstanceProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'start', ...args, '--port', '0', '--https-port', '0', '--log-level', 'error'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => void (err += c.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it started\n${out}\n${err}`));
    });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Graph \(http\)\s+(http:\/\/\S+)\/v1\.0/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        httpUrl: m[1]!,
        child,
        rss: () => {
          try {
            const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            return kb ? Number(kb[1]) * 1024 : Number.NaN;
          } catch {
            return Number.NaN;
          }
        },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            await exited;
          }
        },
      });
    });
  });
}
