#!/usr/bin/env node
/**
 * `npm run test:dotnet`: runs the C# suite (Microsoft's calling SDK against Switchboard) after `npm run build`.
 *
 * The tests start Switchboard themselves (dist/src/cli.js, ephemeral ports). Before that, this script creates the
 * local CA they all share (--tls-dir) and hands .NET its trust through SSL_CERT_FILE, which .NET on Linux reads at
 * start: the SDK's Graph requests, MSAL's token requests and the SDK's OpenID metadata fetch all go through .NET's
 * default certificate validation. The PostgreSQL run (scenario 7) gets a schema prefix; its schemas are dropped here
 * afterwards. Prints one `dotnet: N passed, N failed` line and writes it to .dotnet-results.json for .ci/run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadOrCreateTls } from '../../dist/src/auth/tls.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const postgresUrl = process.env.SWITCHBOARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemaPrefix = `switchboard_dotnet_${process.pid}_`;

function run(cmd, args, env) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: here, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropSchemas() {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [
      schemaPrefix,
    ]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Counts from the TRX report `dotnet test` writes (the last line of its console output is not a stable format). */
function countsFrom(trxPath) {
  if (!existsSync(trxPath)) return null;
  const counters = /<Counters\s[^>]*>/.exec(readFileSync(trxPath, 'utf8'))?.[0] ?? '';
  const n = (name) => Number(new RegExp(`\\s${name}="(\\d+)"`).exec(counters)?.[1] ?? 0);
  return {
    passed: n('passed'),
    failed: n('failed') + n('error') + n('timeout') + n('aborted'),
    skipped: n('notExecuted'),
  };
}

const work = mkdtempSync(join(tmpdir(), 'sb-dotnet-run-'));
const tlsDir = join(work, 'tls');
const { caCertPath } = await loadOrCreateTls(tlsDir, []);

let filter = [];
const withPostgres = await postgresReachable();
if (!withPostgres) {
  if (process.env.CI) {
    console.error(`dotnet: PostgreSQL is not reachable at ${postgresUrl}; CI needs it for scenario 7`);
    process.exit(1);
  }
  console.warn(
    `\n!! PostgreSQL is not reachable at ${postgresUrl}: the PostgreSQL scenarios are NOT run (they are in CI)\n`,
  );
  filter = ['--filter', 'FullyQualifiedName!~OnPostgres'];
}

// Restore and build first, with the machine's own trust (SSL_CERT_FILE below replaces the default CA file).
let status = await run('dotnet', ['build', '--nologo', '-v', 'quiet'], {});
const trx = join(work, 'results.trx');
if (status === 0) {
  status = await run(
    'dotnet',
    [
      'test',
      '--no-build',
      '--nologo',
      '--logger',
      'console;verbosity=normal',
      '--logger',
      `trx;LogFileName=${trx}`,
      ...filter,
      ...process.argv.slice(2),
    ],
    {
      SWITCHBOARD_CLI: join(root, 'dist/src/cli.js'),
      SWITCHBOARD_TLS_DIR: tlsDir,
      SSL_CERT_FILE: caCertPath,
      SWITCHBOARD_DOTNET_POSTGRES_URL: postgresUrl,
      SWITCHBOARD_DOTNET_SCHEMA_PREFIX: schemaPrefix,
    },
  );
}
if (withPostgres) await dropSchemas();
const counts = countsFrom(trx) ?? { passed: 0, failed: status === 0 ? 0 : 1, skipped: 0 };
rmSync(work, { recursive: true, force: true });

if (status !== 0 && counts.failed === 0) counts.failed = 1; // a build or runner failure counts as a failure
writeFileSync(join(root, '.dotnet-results.json'), JSON.stringify(counts));
console.log(
  `dotnet: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`,
);
process.exit(status === 0 && counts.failed === 0 && counts.passed > 0 ? 0 : 1);
