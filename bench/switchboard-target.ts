/**
 * One Switchboard under test, started in this process with `startSwitchboard` (as `npm start` does, minus the CLI):
 * SQLite in memory or in a file in a fresh temp directory, or PostgreSQL in a fresh schema (dropped afterwards), the
 * bench world, the bench bot as every app's callback.
 * Then a token from its own token endpoint (client credentials, once) and K group calls with chatInfo, created
 * through the Graph API and polled until established.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { resolveConfig, type Config } from '../src/config.js';
import { startSwitchboard, type Switchboard } from '../src/main.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID } from '../src/sim/default-world.js';
import { pool } from './extra.js';
import { benchWorld } from './world.js';

export type StoreMode = 'memory' | 'file' | 'postgres';

/** The PostgreSQL the postgres scenarios use (a fresh schema per run): BENCH_POSTGRES_URL, else the tests' default. */
export const BENCH_POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ||
  process.env.SWITCHBOARD_TEST_POSTGRES_URL ||
  'postgres://postgres@127.0.0.1:5432/test';

/** null when PostgreSQL answers, else why not. */
export async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const freshSchemaName = (): string => `switchboard_bench_${randomBytes(4).toString('hex')}`;

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export interface Target {
  sb: Switchboard;
  url: string;
  token: string;
  callIds: string[];
  close(): Promise<void>;
}

export interface TargetOptions {
  mode: StoreMode;
  tlsDir: string;
  botUrl: string;
  users: number;
  calls: number;
  /** Store mode and world as given, but for one of several processes: the caller's own world (roster, many calls). */
  world?: ReturnType<typeof benchWorld>;
  /** Notification batching per call and command (src/notify/batch.ts); default: Switchboard's default. */
  batchNotifications?: boolean;
  /** Configuration overrides (e.g. retention for the soak). */
  config?: Partial<Config>;
  /** The bot asks for roster deltas on its calls (`callOptions.isDeltaRosterEnabled`); default: whole rosters. */
  deltaRoster?: boolean;
}

/**
 * fetch that honours 429 + Retry-After as the Graph clients' retry handlers do: set-up requests made right after a
 * heavy run may meet Switchboard still refusing work (its overload bounds), which is not a failure of the set-up.
 */
export async function fetchRetrying(url: string, init: RequestInit, attempts = 10): Promise<Response> {
  for (let i = 1; ; i++) {
    const res = await fetch(url, init);
    if (res.status !== 429 || i >= attempts) return res;
    await res.arrayBuffer();
    const wait = Number(res.headers.get('retry-after') ?? '1');
    await new Promise((r) => setTimeout(r, Math.max(100, 1000 * (Number.isFinite(wait) ? wait : 1))));
  }
}

export async function fetchToken(base: string): Promise<string> {
  const res = await fetch(`${base}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`, {
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

export async function createGroupCall(
  base: string,
  token: string,
  botUrl: string,
  k: number,
  deltaRoster = false,
): Promise<string> {
  const res = await fetchRetrying(`${base}/v1.0/communications/calls`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      '@odata.type': '#microsoft.graph.call',
      callbackUri: botUrl,
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      // chatInfo and no targets: a group call (src/domain/call.ts kindOf), which takes more than one invitee later.
      chatInfo: {
        '@odata.type': '#microsoft.graph.chatInfo',
        threadId: `19:bench-call-${k}@thread.v2`,
        messageId: '0',
      },
      targets: [],
      tenantId: DEFAULT_TENANT_ID,
      // Roster notifications then carry only who changed (deltaParticipants), not the whole roster.
      ...(deltaRoster
        ? { callOptions: { '@odata.type': '#microsoft.graph.outgoingCallOptions', isDeltaRosterEnabled: true } }
        : {}),
    }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id)
    throw new Error(`creating group call ${k} failed: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

export async function waitEstablished(base: string, token: string, callId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetchRetrying(`${base}/v1.0/communications/calls/${callId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { state?: string };
    last = `${res.status} ${body.state ?? JSON.stringify(body)}`;
    if (res.ok && body.state === 'established') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`call ${callId} not established after ${timeoutMs} ms (last: ${last})`);
}

/**
 * The server's log level in the bench: `error` unless BENCH_LOG_LEVEL says otherwise. At `info` (Switchboard's
 * default) every request and every delivery writes a line; the bench then writes them, in JSON, to
 * bench/.tmp/server.log (synchronously, as the server writes to stderr), so their cost is measured, not printed.
 */
export const SERVER_LOG_LEVEL = (process.env.BENCH_LOG_LEVEL ?? 'error') as Config['logLevel'];
const LOG_FILE = fileURLToPath(new URL('../../bench/.tmp/server.log', import.meta.url));

export async function startTarget(opts: TargetOptions): Promise<Target> {
  const dataDir = opts.mode === 'file' ? await mkdtemp(join(tmpdir(), 'switchboard-bench-')) : null;
  const schema = opts.mode === 'postgres' ? freshSchemaName() : null;
  const config = resolveConfig(
    [],
    {},
    {
      data: dataDir ?? ':memory:',
      port: 0,
      httpsPort: 0,
      tlsDir: opts.tlsDir,
      logLevel: SERVER_LOG_LEVEL,
      logFormat: 'json',
      ...(schema !== null ? { postgres: BENCH_POSTGRES_URL, postgresSchema: schema } : {}),
      ...opts.config,
    },
  );
  const cleanUp = async (): Promise<void> => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  };
  let sb: Switchboard;
  try {
    sb = await startSwitchboard(config, {
      world: opts.world ?? benchWorld(opts.botUrl, opts.users),
      ...(SERVER_LOG_LEVEL !== 'error' && SERVER_LOG_LEVEL !== 'silent'
        ? { logDestination: pino.destination({ dest: LOG_FILE, sync: true, mkdir: true }) }
        : {}),
      ...(opts.batchNotifications !== undefined ? { batchNotifications: opts.batchNotifications } : {}),
    });
  } catch (err) {
    await cleanUp();
    throw new Error(`Switchboard failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const close = async (): Promise<void> => {
    await sb.close();
    await cleanUp();
  };
  try {
    const token = await fetchToken(sb.httpUrl);
    // 16 at a time: the capacity scenarios create thousands of calls.
    const callIds = new Array<string>(opts.calls);
    await pool(opts.calls, 16, async (k) => {
      callIds[k] = await createGroupCall(sb.httpUrl, token, opts.botUrl, k, opts.deltaRoster);
    });
    await pool(opts.calls, 16, (k) => waitEstablished(sb.httpUrl, token, callIds[k]!, 10_000));
    return { sb, url: sb.httpUrl, token, callIds, close };
  } catch (err) {
    await close();
    throw err;
  }
}
