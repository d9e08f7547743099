#!/usr/bin/env node
/**
 * `npm run test:package`: the package as a user gets it. Packs the repository (prepack builds), checks what the
 * tarball holds, installs it into a fresh temporary folder with `npm install <tgz>` (no clone, no TypeScript, no
 * devDependencies), then there: `npx switchboard --help`, a real `npx switchboard start` answering on both ports,
 * the README's bot test (examples/embed/bot.test.mjs, importing `switchboard` by name) under `node --test`, a start
 * whose CA the process trusts through NODE_EXTRA_CA_CERTS, and the package's types compiled with skipLibCheck off.
 * Ends with one line: `test:package: PASS …` or `test:package: FAIL …`. The temporary folder is always removed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'switchboard-package-'));
const app = join(work, 'app');
const started = Date.now();
const notes = [];
let step = 'start';

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`test:package: ${msg}`);

class StepFailed extends Error {}
function check(ok, message) {
  if (!ok) throw new StepFailed(message);
}

/** Runs a command to completion; throws with its output when it fails. */
function run(cmd, args, opts = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: app,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0)
    throw new StepFailed(
      `${cmd} ${args.join(' ')} exited ${r.status ?? r.signal ?? r.error?.message}:\n${out.slice(-4000)}`,
    );
  return { stdout: r.stdout, out, ms: Date.now() - t0 };
}

// ---- 1. pack ---------------------------------------------------------------------------------------------------
function pack() {
  step = 'npm pack';
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  check(r.status === 0, `npm pack exited ${r.status}:\n${(r.stdout ?? '') + (r.stderr ?? '')}`);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  const files = info.files.map((f) => f.path);

  step = 'tarball contents';
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const allowed = [
    /^package\.json$/,
    /^README\.md$/,
    /^LICEN[CS]E(\.\w+)?$/i,
    /^bin\/[\w.-]+\.js$/,
    /^dist\/src\/.+\.js$/,
    /^dist\/src\/.+\.d\.ts$/,
    /^dist\/ui\//,
  ];
  const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
  check(stray.length === 0, `files that should not ship: ${stray.join(', ')}`);
  // Every compiled module comes from a source file that exists now (a stale build would ship deleted code).
  const orphans = files.filter(
    (f) =>
      f.endsWith('.js') &&
      f.startsWith('dist/src/') &&
      !existsSync(join(ROOT, f.replace(/^dist\//, '').replace(/\.js$/, '.ts'))),
  );
  check(orphans.length === 0, `compiled files without a source: ${orphans.join(', ')}`);
  const targets = [
    pkg.bin.switchboard,
    ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))),
  ].map((p) => p.replace(/^\.\//, ''));
  const missing = targets.filter((t) => !files.includes(t));
  check(missing.length === 0, `package.json names files the tarball lacks: ${missing.join(', ')}`);
  // The dashboard the server serves under /_switchboard/ui/ (built by npm run build).
  check(
    files.includes('dist/ui/index.html') && files.some((f) => /^dist\/ui\/assets\/.+\.js$/.test(f)),
    'the built dashboard (dist/ui) is missing',
  );
  log(
    `packed ${info.filename}: ${(info.size / 1024).toFixed(0)} KB (${(info.unpackedSize / 1024).toFixed(0)} KB unpacked, ${files.length} files)`,
  );
  notes.push(`tarball ${(info.size / 1024).toFixed(0)} KB`);
  return { tarball: join(work, info.filename), files };
}

// ---- 2. install into an empty folder ---------------------------------------------------------------------------
function install(tarball) {
  step = 'npm install <tarball>';
  spawnSync('mkdir', ['-p', app]);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'bot-under-test', version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  const r = run('npm', ['install', tarball, '--no-audit', '--no-fund'], { timeoutMs: 900_000 });
  const installed = JSON.parse(readFileSync(join(app, 'node_modules/switchboard/package.json'), 'utf8'));
  check(installed.version !== undefined, 'switchboard is not in node_modules');
  for (const dev of ['typescript', 'vitest', '@types/node'])
    check(!existsSync(join(app, 'node_modules', dev)), `a devDependency was installed: ${dev}`);
  log(`installed in ${secs(r.ms)}`);
  notes.push(`install ${secs(r.ms)}`);
}

// ---- 3. npx switchboard --help, and a real start ---------------------------------------------------------------
function httpsGet(url, ca) {
  return new Promise((resolve, reject) => {
    httpsRequest(url, { ca }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    })
      .on('error', reject)
      .end();
  });
}

async function cli(files) {
  step = 'npx switchboard --help';
  const help = run('npx', ['--no-install', 'switchboard', '--help']);
  check(help.stdout.includes('Usage: switchboard [start] [options]'), `--help printed:\n${help.out}`);

  step = 'npx switchboard start';
  // Its own process group, so the whole tree (npx → npm exec → node) is stopped together.
  const child = spawn(
    'npx',
    [
      '--no-install',
      'switchboard',
      'start',
      '--port',
      '0',
      '--https-port',
      '0',
      '--data',
      ':memory:',
      '--tls-dir',
      join(work, 'tls'),
    ],
    {
      cwd: app,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const t0 = Date.now();
    let http;
    let https;
    let ca;
    while (!(http && https && ca)) {
      check(Date.now() - t0 < 60_000, `no banner within 60 s:\n${out}`);
      check(child.exitCode === null, `exited ${child.exitCode} before it was ready:\n${out}`);
      http = /Graph \(http\)\s+(http:\/\/\S+?)\/v1\.0/.exec(out)?.[1];
      https = /Graph \(https\)\s+(https:\/\/\S+?)\/v1\.0/.exec(out)?.[1];
      ca = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(out)?.[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    const clock = await fetch(`${http}/_switchboard/clock`);
    check(clock.status === 200, `GET ${http}/_switchboard/clock answered ${clock.status}`);
    const graph = await fetch(`${http}/v1.0/communications/calls`);
    check(
      graph.status === 401,
      `GET ${http}/v1.0/communications/calls without a token answered ${graph.status}, not 401`,
    );
    const secure = await httpsGet(`${https}/v1.0/communications/calls`, readFileSync(ca, 'utf8'));
    check(secure === 401, `the https port answered ${secure}, not 401`);
    // The dashboard's built files, when the package ships them, are served from the installed package.
    if (files.includes('dist/ui/index.html')) {
      const ui = await fetch(`${http}/_switchboard/ui/`);
      check(ui.status === 200, `GET ${http}/_switchboard/ui/ answered ${ui.status}, not 200`);
    }
    log(`npx switchboard start: ready in ${secs(Date.now() - t0)}, Graph answers on ${http} and ${https}`);
  } finally {
    await stop();
  }
}

// ---- 4. the README's bot test, importing the installed package ---------------------------------------------------
function example() {
  step = 'README example (node --test bot.test.mjs)';
  copyFileSync(join(ROOT, 'examples/embed/bot.test.mjs'), join(app, 'bot.test.mjs'));
  const r = run(process.execPath, ['--test', '--test-reporter=spec', 'bot.test.mjs'], { timeoutMs: 180_000 });
  const pass = /ℹ pass (\d+)/.exec(r.out)?.[1];
  const fail = /ℹ fail (\d+)/.exec(r.out)?.[1];
  check(
    pass !== undefined && Number(pass) > 0 && fail === '0',
    `node --test reported pass ${pass}, fail ${fail}:\n${r.out}`,
  );
  log(`README example: ${pass} tests passed in ${secs(r.ms)}`);
  notes.push(`example ${pass} passed`);
}

// ---- 5. trusting the kept CA through NODE_EXTRA_CA_CERTS (README "Trusting the CA") ------------------------------
function trustedCa() {
  step = 'NODE_EXTRA_CA_CERTS with the kept CA';
  const ca = join(app, '.switchboard/tls/ca.pem');
  check(existsSync(ca) && statSync(ca).size > 0, `the example's start left no CA at ${ca}`);
  writeFileSync(
    join(app, 'trust.mjs'),
    `import { startSwitchboard } from 'switchboard';
     const sb = await startSwitchboard();
     try {
       const res = await fetch(sb.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sb.app.clientId, client_secret: sb.app.secret, scope: 'https://graph.microsoft.com/.default' }) });
       if (res.status !== 200) throw new Error('token endpoint over https answered ' + res.status);
       console.log('https token ok');
     } finally { await sb.close(); }`,
  );
  const r = run(process.execPath, ['trust.mjs'], { env: { NODE_EXTRA_CA_CERTS: ca } });
  check(r.stdout.includes('https token ok'), `trust.mjs printed:\n${r.out}`);
}

// ---- 6. the types, as a TypeScript user compiles against them ----------------------------------------------------
function types() {
  step = 'TypeScript consumer (skipLibCheck off)';
  writeFileSync(
    join(app, 'consumer.ts'),
    `import { builtInWorld, startSwitchboard, type RunningSwitchboard, type SwitchboardOptions, type NotificationMatch } from 'switchboard';
     import { connectSwitchboard, SwitchboardError, type Person } from 'switchboard/client';
     const options: SwitchboardOptions = { clock: 'virtual', world: { tenants: [{ id: builtInWorld.tenantId, users: [{ id: 'u' }] }] } };
     export async function check(): Promise<void> {
       const sb: RunningSwitchboard = await startSwitchboard(options);
       const people: Person[] = await sb.control.people.list();
       const m: NotificationMatch = await sb.control.waitForNotification((n) => n.changeType === 'deleted', { timeoutMs: 10 });
       const moved: number = (await connectSwitchboard(sb.httpUrl).clock.advance(1)).epochMs;
       // @ts-expect-error -- not a clock mode
       await startSwitchboard({ clock: 'fast' });
       console.log(people.length, m.entry.sequence, moved, SwitchboardError.name);
       await sb.close();
     }`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      files: ['consumer.ts'],
    }),
  );
  const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  run(process.execPath, [tsc, '-p', 'tsconfig.json']);
  log('types: a strict consumer compiles against switchboard and switchboard/client');
}

let exitCode = 0;
const cleanup = () => rmSync(work, { recursive: true, force: true });
process.once('SIGINT', () => {
  cleanup();
  process.exit(130);
});
try {
  const { tarball, files } = pack();
  install(tarball);
  await cli(files);
  example();
  trustedCa();
  types();
  console.log(`test:package: PASS (${notes.join(', ')}; ${secs(Date.now() - started)})`);
} catch (e) {
  exitCode = 1;
  console.error(e instanceof StepFailed ? e.message : e);
  console.log(`test:package: FAIL at ${step}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
} finally {
  cleanup();
}
process.exit(exitCode);
