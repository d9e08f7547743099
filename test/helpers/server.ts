/**
 * Starts a real Switchboard (http + https, SQLite in memory) for a test file, with a world whose people answer fast.
 * SWITCHBOARD_TEST_STORE=postgres runs it on PostgreSQL instead (SWITCHBOARD_TEST_POSTGRES_URL, a fresh schema per
 * server, dropped when it closes), so the same tests drive the PostgreSQL store.
 */
import { resolveConfig, type Config } from '../../src/config.js';
import { startSwitchboard, type StartOptions, type Switchboard } from '../../src/main.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID, defaultWorld } from '../../src/sim/default-world.js';
import type { World } from '../../src/sim/directory.js';
import type { Clock } from '../../src/domain/clock.js';
import { randomBytes } from 'node:crypto';
import { dropSchemas, TEST_POSTGRES_URL } from './postgres.js';

/** The default world with every delay cut to tens of milliseconds, and the bot app's calling webhook set. */
export function fastWorld(callbackUri: string | null, tweak?: (w: World) => void): World {
  const w = defaultWorld();
  w.establishMs = 20;
  for (const t of w.tenants) {
    t.defaultPhoneAnswer = { ...t.defaultPhoneAnswer, afterMs: 40 };
    for (const a of t.apps) a.callbackUri = callbackUri;
    for (const u of t.users) u.answer = { ...u.answer, afterMs: u.answer.action === 'noAnswer' ? 120 : 40 };
    for (const p of t.phones) p.answer = { ...p.answer, afterMs: 40 };
  }
  tweak?.(w);
  return w;
}

export interface TestServer {
  sb: Switchboard;
  httpsUrl: string;
  httpUrl: string;
  /** A client-credentials token from the server's own token endpoint. */
  token(opts?: { appId?: string; secret?: string; tenantId?: string }): Promise<string>;
  close(): Promise<void>;
}

/** Real time plus an offset a test can add to: every timer keeps running, and a test can jump ahead. */
export function offsetClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

export interface TestServerOptions {
  clock?: Clock;
  /** Run on the virtual clock (`--clock virtual`): time moves only through POST /_switchboard/clock/advance. */
  virtual?: boolean;
  /** A data directory (SQLite file and keys.json on disk) instead of ':memory:', so a test can read them. */
  data?: string;
  /** Configuration overrides (limits, key rotation). */
  config?: Partial<Config>;
  /**
   * The shutdown drain for idle keep-alive connections (StartOptions.drainMs). Default 0 here: test files close
   * their server with fetch's pooled connections idle, and none writes on them after close (test/chaos/drain.test.ts
   * tests the drain itself).
   */
  drainMs?: number;
  /** Where log lines go (set `config.logLevel` to see any). */
  logDestination?: StartOptions['logDestination'];
}

/**
 * For every test server (startTestServer, and tests that build their own config): the overload bounds measure time
 * (event-loop lag, waits), and on a test machine shared by parallel test files a stalled process would look like
 * overload, so they are off unless a test is about them (test/conformance/overload.test.ts); and rows are kept for
 * good unless a test is about retention (test/chaos/delivery.test.ts), since tests that move a virtual clock by
 * hours read notifications written before the move.
 */
export const QUIET_TEST_CONFIG = {
  overloadLag: null,
  overloadBacklog: null,
  overloadWait: null,
  retention: null,
} as const;

export async function startTestServer(world: World, serverOpts: TestServerOptions = {}): Promise<TestServer> {
  const tlsDir = process.env.SWITCHBOARD_TEST_TLS_DIR;
  if (!tlsDir)
    throw new Error(
      'SWITCHBOARD_TEST_TLS_DIR is not set: the vitest globalSetup (test/helpers/tls-global-setup.ts) did not run',
    );
  const onPostgres = process.env.SWITCHBOARD_TEST_STORE === 'postgres' && serverOpts.data === undefined;
  const schema = onPostgres ? `switchboard_test_${randomBytes(6).toString('hex')}` : null;
  const config = resolveConfig(
    [],
    {},
    {
      data: serverOpts.data ?? ':memory:',
      port: 0,
      httpsPort: 0,
      tlsDir,
      logLevel: 'silent',
      clock: serverOpts.virtual ? 'virtual' : 'real',
      ...QUIET_TEST_CONFIG,
      ...(schema !== null ? { postgres: TEST_POSTGRES_URL, postgresSchema: schema } : {}),
      ...serverOpts.config,
    },
  );
  const sb = await startSwitchboard(config, {
    world,
    drainMs: serverOpts.drainMs ?? 0,
    ...(serverOpts.clock ? { clock: serverOpts.clock } : {}),
    ...(serverOpts.logDestination ? { logDestination: serverOpts.logDestination } : {}),
  });
  const cache = new Map<string, string>();
  return {
    sb,
    httpsUrl: sb.httpsUrl,
    httpUrl: sb.httpUrl,
    async token(opts = {}) {
      const tenantId = opts.tenantId ?? DEFAULT_TENANT_ID;
      const appId = opts.appId ?? DEFAULT_APP_ID;
      const secret = opts.secret ?? DEFAULT_APP_SECRET;
      const key = `${tenantId}|${appId}|${secret}`;
      // With a movable clock a cached token may have expired in server time: always fetch a fresh one.
      const cached = serverOpts.clock ? undefined : cache.get(key);
      if (cached) return cached;
      const res = await fetch(`${sb.httpUrl}/${tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: appId,
          client_secret: secret,
          scope: 'https://graph.microsoft.com/.default',
        }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
      cache.set(key, body.access_token);
      return body.access_token;
    },
    async close() {
      await sb.close();
      if (schema !== null) await dropSchemas([schema]);
    },
  };
}
