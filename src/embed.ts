/**
 * The package's programmatic API: `startSwitchboard(options)` starts a real Switchboard inside a test suite's own
 * process, with defaults chosen for tests (free ports, an in-memory store, quiet logs), and hands back everything a
 * bot needs to point at it plus a control client. It builds the internal Config and calls the internal
 * startSwitchboard (src/main.ts), which the CLI uses too: one server, two ways to start it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfig } from './config.js';
import { startSwitchboard as startInternal } from './main.js';
import { SwitchboardControl } from './client/control.js';
import type { World, WorldFile } from './client/types.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_APP_SECRET,
  DEFAULT_INSTANCE_ID,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
  defaultWorld as internalDefaultWorld,
} from './sim/default-world.js';
import { loadWorldFile, parseWorld, type World as InternalWorld } from './sim/directory.js';

export interface SwitchboardOptions {
  /**
   * The simulated world: an object shaped like a world file (checked the same way; README "The simulated world"),
   * or the path of a world file. Default: the built-in world (`defaultWorld()`, ids in `builtInWorld`).
   */
  world?: WorldFile | World | string;
  /**
   * The calling webhook of the bot app (`app`: the first app of the first tenant), replacing the world's: where
   * incoming calls are notified. `--callback` of the CLI: https, or http to a loopback host.
   */
  callbackUrl?: string;
  /** `'real'` (default) or `'virtual'`: the world's time moves only through `control.clock.advance` / `set`. */
  clock?: 'real' | 'virtual';
  /** Default `'warn'`: a test run stays quiet unless something goes wrong. */
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Plain-http port; default 0 (a free one: test files may run at the same time). */
  port?: number;
  /** HTTPS port; default 0 (a free one). */
  httpsPort?: number;
  /** Data directory (SQLite file and signing keys); default `':memory:'`: every start begins empty. */
  data?: string;
  /**
   * Where the local CA and server certificate live; default `.switchboard/tls` in the working directory, the same
   * one `npx switchboard start` uses, so the CA is created once and `NODE_EXTRA_CA_CERTS` can name it up front.
   */
  tlsDir?: string;
  /** PostgreSQL connection URL instead of SQLite. */
  postgres?: string;
  /** PostgreSQL schema for the tables (created if missing). */
  postgresSchema?: string;
  /**
   * Any other option exactly as `switchboard start` takes it, e.g. `['--token-rate-limit', 'off']`, or
   * `['--overload-lag', '200ms']` for a test of throttling (README "Configuration"). `SWITCHBOARD_*` environment
   * variables are not read: a test's server is what its code says.
   */
  args?: string[];
}

/** A running Switchboard. Every URL is on `host`; `http` holds the same endpoints on the plain-http port. */
export interface RunningSwitchboard {
  /** Graph v1.0 base URL on https, e.g. `https://127.0.0.1:53123/v1.0`. */
  graphUrl: string;
  /** Graph beta base URL on https. */
  graphBetaUrl: string;
  /** The tenant's token endpoint on https (client credentials, scope `https://graph.microsoft.com/.default`). */
  tokenUrl: string;
  /** The authority for MSAL / @azure/identity: `https://host:port/{tenantId}`. */
  authority: string;
  /** The OpenID configuration a bot validates notification JWTs with (in place of Skype's). */
  notificationOpenIdUrl: string;
  /** The JWKS that signs notification JWTs (for jose's `createRemoteJWKSet`). */
  notificationJwksUrl: string;
  httpsUrl: string;
  httpUrl: string;
  /**
   * The same endpoints on plain http, for clients in this process that do not trust the CA (fetch, Kiota, jose):
   * Node reads NODE_EXTRA_CA_CERTS only at process start.
   */
  http: { graphUrl: string; graphBetaUrl: string; tokenUrl: string; notificationJwksUrl: string };
  /** The first tenant of the world. */
  tenantId: string;
  /** The first app of that tenant: the bot under test. */
  app: { clientId: string; secret: string };
  /** The local CA's certificate file (for NODE_EXTRA_CA_CERTS) and its PEM (for `https.Agent({ ca })`). */
  caCertPath: string;
  caCert: string;
  /** The loaded world (behaviour and fault changes made through `control` show here). */
  world: World;
  /** The control API (`/_switchboard/…`) of this server. */
  control: SwitchboardControl;
  /** Stops the server: requests in flight finish, due notifications are delivered (a few seconds at most). */
  close(): Promise<void>;
}

/** The ids of the built-in world, to write tests against it. */
export const builtInWorld = {
  tenantId: DEFAULT_TENANT_ID,
  app: {
    clientId: DEFAULT_APP_ID,
    secret: DEFAULT_APP_SECRET,
    instanceId: DEFAULT_INSTANCE_ID,
    phoneNumber: '+14255550100',
  },
  /** Users by first name: adele, alex, … accept after 1 s; dana declines, brian is busy, nora does not answer. */
  users: DEFAULT_USERS,
  /** The two meetings (thread ids), both created by the app and organized by `organizerId`. */
  meetings: DEFAULT_MEETING_THREADS,
  organizerId: DEFAULT_USERS.bob,
} as const;

/** A fresh copy of the built-in world, to change before `startSwitchboard({ world })` (faster answers, a callback). */
export function defaultWorld(): World {
  return internalDefaultWorld();
}

function loadWorld(world: SwitchboardOptions['world']): InternalWorld {
  if (world === undefined) return internalDefaultWorld();
  if (typeof world === 'string') return loadWorldFile(resolve(world));
  // Checked like a file (the error names the offending path), and copied: the caller's object stays theirs.
  return parseWorld(structuredClone(world));
}

/** The options that are CLI options of one value each. */
const OPTION_FLAGS = {
  callbackUrl: '--callback',
  clock: '--clock',
  logLevel: '--log-level',
  host: '--host',
  port: '--port',
  httpsPort: '--https-port',
  data: '--data',
  tlsDir: '--tls-dir',
  postgres: '--postgres',
  postgresSchema: '--postgres-schema',
} as const satisfies Partial<Record<keyof SwitchboardOptions, string>>;

/**
 * The overload bounds (`--overload-lag`, `--overload-backlog`, `--overload-wait`; src/service/admission.ts) are off
 * for a server started here: they measure time, this process's event-loop lag and waits, and this process is the
 * test runner's, which runs its own code on the same loop, beside other test files on a shared machine. A test run's
 * stall is not Switchboard being over capacity, and a bot's test should not meet a 429 for it (a server of this
 * repository's own suite started with the CLI's defaults was refused so once under a full `npm test`). A test about
 * throttling passes the options it wants in `args`; `npx switchboard start` keeps the CLI's defaults.
 */
const TEST_SUITE_ARGS = ['--overload-lag', 'off', '--overload-backlog', 'off', '--overload-wait', 'off'];

/**
 * Starts Switchboard in this process. Defaults for a test suite: free ports, an in-memory store, the real clock,
 * the built-in world, log level warn, no overload bounds (TEST_SUITE_ARGS). Call `close()` when done (an `after`
 * hook).
 */
export async function startSwitchboard(options: SwitchboardOptions = {}): Promise<RunningSwitchboard> {
  const world = loadWorld(options.world);
  const defaults: SwitchboardOptions = { port: 0, httpsPort: 0, data: ':memory:', logLevel: 'warn', clock: 'real' };
  const merged = { ...defaults, ...options };
  // Through the CLI's own parser, so each value is checked exactly as `switchboard start` checks it.
  const args: string[] = [];
  for (const [key, flag] of Object.entries(OPTION_FLAGS) as [keyof typeof OPTION_FLAGS, string][]) {
    const value = merged[key];
    if (value !== undefined) args.push(flag, String(value));
  }
  const config = resolveConfig([...args, ...TEST_SUITE_ARGS, ...(options.args ?? [])], {});
  const sb = await startInternal(config, { world });

  const tenant = world.tenants[0]!;
  const app = tenant.apps[0];
  const endpoints = (origin: string) => ({
    graphUrl: `${origin}/v1.0`,
    graphBetaUrl: `${origin}/beta`,
    tokenUrl: `${origin}/${tenant.id}/oauth2/v2.0/token`,
    notificationJwksUrl: `${origin}/.well-known/notification-keys`,
  });
  return {
    ...endpoints(sb.httpsUrl),
    authority: `${sb.httpsUrl}/${tenant.id}`,
    notificationOpenIdUrl: `${sb.httpsUrl}/.well-known/OpenIdConfiguration`,
    httpsUrl: sb.httpsUrl,
    httpUrl: sb.httpUrl,
    http: endpoints(sb.httpUrl),
    tenantId: tenant.id,
    app: { clientId: app?.id ?? '', secret: app?.secret ?? '' },
    caCertPath: sb.caCertPath,
    caCert: readFileSync(sb.caCertPath, 'utf8'),
    world: sb.directory.world,
    // With the server's control key when it has one (bound beyond loopback, or --control-key in args).
    control: new SwitchboardControl(sb.httpUrl, sb.controlKey.key !== null ? { key: sb.controlKey.key } : {}),
    close: () => sb.close(),
  };
}
