/**
 * Switchboard as a separate OS process (so a test can `kill -9` it): `src/` is transpiled once per test file into a
 * temp directory (type-stripping only, ~1 s; tsc already type-checks in `npm test`) and started through the real CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');

/** Transpiles src/**\/*.ts to `<dir>/src/**\/*.js` (ESM) with node_modules linked; returns the CLI entry. */
export function buildCli(): { cli: string; dispose(): void } {
  const out = mkdtempSync(join(tmpdir(), 'sb-scale-build-'));
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  for (const file of walk(join(ROOT, 'src'))) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  return { cli: join(out, 'src', 'cli.js'), dispose: () => rmSync(out, { recursive: true, force: true }) };
}

export interface InstanceProcess {
  name: string;
  httpUrl: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr (warnings and errors at --log-level warn). */
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `node <cli> start …args` and resolves once its banner names the http URL. */
export function startInstance(name: string, cli: string, args: string[], timeoutMs = 20_000): Promise<InstanceProcess> {
  const child = spawn(
    process.execPath,
    [
      cli,
      'start',
      ...args,
      '--port',
      '0',
      '--https-port',
      '0',
      '--log-level',
      'warn',
      '--log-format',
      'json',
      // Timing-based overload bounds are off on a shared test machine (as in test/helpers/server.ts).
      '--overload-lag',
      'off',
      '--overload-backlog',
      'off',
      '--overload-wait',
      'off',
      '--retention',
      'off',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  child.stderr.on('data', (c: Buffer) => void (err += c.toString()));
  return new Promise<InstanceProcess>((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStart(
        new Error(`${name} did not print its banner within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`),
      );
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      rejectStart(new Error(`${name} exited with ${code} before its banner\nstdout:\n${out}\nstderr:\n${err}`));
    });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Graph \(http\)\s+(http:\/\/\S+)\/v1\.0/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveStart({ name, httpUrl: m[1]!, child, stderr: () => err, exited });
      }
    });
  });
}
