/**
 * All configuration in one place: CLI flags, `SWITCHBOARD_*` environment variables and defaults, in that order
 * of precedence. The resolved values are printed at start.
 */
import { resolve } from 'node:path';
import { formatRateLimit, parseRateLimit, type RateLimit } from './auth/rate-limit.js';
import { checkCallbackUri } from './domain/call.js';
import { DEFAULT_OVERLOAD_LIMITS } from './service/admission.js';

export interface Config {
  host: string;
  /** Plain-http port; 0 picks a free one. */
  port: number;
  /** HTTPS port (MSAL, @azure/identity and the Graph JS client need https); 0 picks a free one. */
  httpsPort: number;
  /** Data directory for the SQLite file and signing keys, or ':memory:' for an ephemeral run. */
  data: string;
  /** Directory of the local CA and server certificate (kept even for ':memory:' runs, so trust is set up once). */
  tlsDir: string;
  /** World file replacing the built-in directory, or null. */
  world: string | null;
  /**
   * Calling webhook of the default app (the first app of the first tenant: the built-in world's bot), replacing the
   * world's; null keeps the world's. Lets incoming calls and scenarios reach a bot without a world file.
   */
  callback: string | null;
  /** `iss` of the JWTs on notifications (the comms SDK accepts https://api.botframework.com). */
  notificationIssuer: string;
  /** Largest request body accepted, in bytes (413 beyond). */
  bodyLimit: number;
  /** Deepest nesting of objects and arrays in a JSON body (400 beyond). */
  maxJsonDepth: number;
  /** Most items in any one array of a JSON body (400 beyond). */
  maxArrayItems: number;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Log lines on stderr: 'json' lines, 'pretty' (one readable line each), or 'auto': pretty on a terminal, else JSON. */
  logFormat: 'auto' | 'pretty' | 'json';
  /** 'real', or 'virtual': the calling world's time stands still until POST /_switchboard/clock/advance. */
  clock: 'real' | 'virtual';
  /** PostgreSQL connection URL: use PostgreSQL instead of SQLite (several instances may share it), or null. */
  postgres: string | null;
  /** PostgreSQL schema for the tables (created if missing), or null for the connection's search_path. */
  postgresSchema: string | null;
  /** Graph requests of one app in one tenant per window (429 TooManyRequests beyond), or null for none. */
  throttleAppTenant: RateLimit | null;
  /** Graph requests of one app across all tenants per window, or null. */
  throttleApp: RateLimit | null;
  /** Graph requests of all apps of one tenant per window, or null. */
  throttleTenant: RateLimit | null;
  /**
   * Overload bounds (src/service/admission.ts), in ms, or null for none: event-loop lag and notification backlog
   * beyond which new Graph requests are answered 429 with Retry-After (a growing share of them from a quarter of the
   * backlog bound), and the longest a Graph request queues (for its turn in the pacer, then for its command's
   * transaction turn) before it is answered 429 unrun.
   */
  overloadLag: number | null;
  overloadBacklog: number | null;
  overloadWait: number | null;
  /**
   * How long (ms, world clock) delivered notifications and ended calls' operations and conversations are kept before
   * they are pruned (src/service/retention.ts), or null: kept for good. Dead letters are kept until redelivered or purged.
   */
  retention: number | null;
  /** Tokens issued per client (app) per window at the token endpoint (429 in the AAD shape beyond), or null. */
  tokenRateLimit: RateLimit | null;
  /** Age (ms) at which the notification signing key is replaced, or null: only on POST /_switchboard/notification-keys/rotate. */
  notificationKeyRotation: number | null;
  /** How long (ms) a replaced notification key stays published in the JWKS. */
  notificationKeyOverlap: number;
  /**
   * Host header values accepted besides the server's own names (src/http/host-check.ts): host names or addresses,
   * `.example.com` for a domain and its subdomains, or `*` for any. Empty: own names only.
   */
  allowedHosts: string[];
  /** Key the control API requires (header or bearer); null: none on loopback, generated beyond it (src/sim/control-key.ts). */
  controlKey: string | null;
}

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 4100,
  httpsPort: 4443,
  data: '.switchboard',
  tlsDir: '',
  world: null,
  callback: null,
  notificationIssuer: 'https://api.botframework.com',
  bodyLimit: 1024 * 1024,
  maxJsonDepth: 32,
  maxArrayItems: 1000,
  logLevel: 'info',
  logFormat: 'auto',
  clock: 'real',
  postgres: null,
  postgresSchema: null,
  // Graph's published limits: calls 50,000 requests per 15 s per app per tenant; any API 130,000 per 10 s per app.
  throttleAppTenant: { requests: 50_000, windowMs: 15_000 },
  throttleApp: { requests: 130_000, windowMs: 10_000 },
  throttleTenant: null,
  tokenRateLimit: { requests: 200, windowMs: 60_000 },
  overloadLag: DEFAULT_OVERLOAD_LIMITS.lagMs,
  overloadBacklog: DEFAULT_OVERLOAD_LIMITS.backlogMs,
  overloadWait: DEFAULT_OVERLOAD_LIMITS.waitMs,
  // Long enough to inspect a test run's notifications afterwards; short enough that a load test's store levels off.
  retention: 3_600_000,
  notificationKeyRotation: null,
  // A notification JWT lives an hour: every one signed with a replaced key still verifies until it expires.
  notificationKeyOverlap: 3_600_000,
  allowedHosts: [],
  controlKey: null,
};

export class ConfigError extends Error {}

const FLAGS: Record<string, keyof Config> = {
  '--host': 'host',
  '--port': 'port',
  '--https-port': 'httpsPort',
  '--data': 'data',
  '--tls-dir': 'tlsDir',
  '--world': 'world',
  '--callback': 'callback',
  '--notification-issuer': 'notificationIssuer',
  '--body-limit': 'bodyLimit',
  '--max-json-depth': 'maxJsonDepth',
  '--max-array-items': 'maxArrayItems',
  '--log-level': 'logLevel',
  '--log-format': 'logFormat',
  '--clock': 'clock',
  '--postgres': 'postgres',
  '--postgres-schema': 'postgresSchema',
  '--throttle-app-tenant': 'throttleAppTenant',
  '--throttle-app': 'throttleApp',
  '--throttle-tenant': 'throttleTenant',
  '--token-rate-limit': 'tokenRateLimit',
  '--overload-lag': 'overloadLag',
  '--overload-backlog': 'overloadBacklog',
  '--overload-wait': 'overloadWait',
  '--retention': 'retention',
  '--notification-key-rotation': 'notificationKeyRotation',
  '--notification-key-overlap': 'notificationKeyOverlap',
  '--allowed-hosts': 'allowedHosts',
  '--control-key': 'controlKey',
};

const ENV: Record<string, keyof Config> = {
  SWITCHBOARD_HOST: 'host',
  SWITCHBOARD_PORT: 'port',
  SWITCHBOARD_HTTPS_PORT: 'httpsPort',
  SWITCHBOARD_DATA: 'data',
  SWITCHBOARD_TLS_DIR: 'tlsDir',
  SWITCHBOARD_WORLD: 'world',
  SWITCHBOARD_CALLBACK: 'callback',
  SWITCHBOARD_NOTIFICATION_ISSUER: 'notificationIssuer',
  SWITCHBOARD_BODY_LIMIT: 'bodyLimit',
  SWITCHBOARD_MAX_JSON_DEPTH: 'maxJsonDepth',
  SWITCHBOARD_MAX_ARRAY_ITEMS: 'maxArrayItems',
  SWITCHBOARD_LOG_LEVEL: 'logLevel',
  SWITCHBOARD_LOG_FORMAT: 'logFormat',
  SWITCHBOARD_CLOCK: 'clock',
  SWITCHBOARD_POSTGRES_URL: 'postgres',
  SWITCHBOARD_POSTGRES_SCHEMA: 'postgresSchema',
  SWITCHBOARD_THROTTLE_APP_TENANT: 'throttleAppTenant',
  SWITCHBOARD_THROTTLE_APP: 'throttleApp',
  SWITCHBOARD_THROTTLE_TENANT: 'throttleTenant',
  SWITCHBOARD_TOKEN_RATE_LIMIT: 'tokenRateLimit',
  SWITCHBOARD_OVERLOAD_LAG: 'overloadLag',
  SWITCHBOARD_OVERLOAD_BACKLOG: 'overloadBacklog',
  SWITCHBOARD_OVERLOAD_WAIT: 'overloadWait',
  SWITCHBOARD_RETENTION: 'retention',
  SWITCHBOARD_NOTIFICATION_KEY_ROTATION: 'notificationKeyRotation',
  SWITCHBOARD_NOTIFICATION_KEY_OVERLAP: 'notificationKeyOverlap',
  SWITCHBOARD_ALLOWED_HOSTS: 'allowedHosts',
  SWITCHBOARD_CONTROL_KEY: 'controlKey',
};

const NUMERIC = new Set<keyof Config>(['port', 'httpsPort', 'bodyLimit', 'maxJsonDepth', 'maxArrayItems']);
// Sizes rather than ports: any whole number (limits of 0 would refuse every body, so they start at 1).
const SIZES = new Set<keyof Config>(['bodyLimit', 'maxJsonDepth', 'maxArrayItems']);
const LOG_LEVELS = new Set(['silent', 'error', 'warn', 'info', 'debug']);
const LOG_FORMATS = new Set(['auto', 'pretty', 'json']);
const CLOCKS = new Set(['real', 'virtual']);
const RATE_LIMITS = new Set<keyof Config>(['throttleAppTenant', 'throttleApp', 'throttleTenant', 'tokenRateLimit']);
// Durations that may be `off` (null).
const OFF_DURATIONS = new Set<keyof Config>(['overloadLag', 'overloadBacklog', 'overloadWait', 'retention']);
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `24h`, `7d`, `500ms`; `off` is null where allowed. */
export function parseDuration(raw: string, allowOff: boolean): number | null {
  if (allowOff && raw.trim().toLowerCase() === 'off') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(raw);
  const ms = m ? Math.round(Number(m[1]) * DURATION_MS[m[2]!.toLowerCase()]!) : NaN;
  if (!(ms >= 1))
    throw new Error(`expected a duration such as 90s, 15m, 24h or 7d${allowOff ? ', or off' : ''}, got '${raw}'`);
  return ms;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return 'off';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export { formatRateLimit };

function assign(cfg: Config, key: keyof Config, raw: string, source: string): void {
  const record = cfg as unknown as Record<string, unknown>;
  try {
    if (RATE_LIMITS.has(key)) {
      record[key] = parseRateLimit(raw);
      return;
    }
    if (key === 'notificationKeyRotation' || key === 'notificationKeyOverlap' || OFF_DURATIONS.has(key)) {
      record[key] = parseDuration(raw, key !== 'notificationKeyOverlap');
      return;
    }
  } catch (e) {
    throw new ConfigError(`${source}: ${(e as Error).message}`);
  }
  if (key === 'allowedHosts') {
    const hosts = raw
      .split(/[\s,]+/)
      .filter((h) => h !== '')
      .map((h) => h.toLowerCase());
    const bad = hosts.find((h) => h !== '*' && !/^\.?(\[[0-9a-f:.]+\]|[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?)$/.test(h));
    if (hosts.length === 0 || bad !== undefined)
      throw new ConfigError(
        `${source}: expected host names or addresses separated by commas (a leading dot for a domain and its subdomains, [::1] for IPv6, * for any), without ports${bad !== undefined ? `; got '${bad}'` : ''}`,
      );
    cfg.allowedHosts = hosts;
    return;
  }
  if (key === 'controlKey' && raw.trim().length < 16)
    throw new ConfigError(`${source}: a control key needs at least 16 characters`);
  if (NUMERIC.has(key)) {
    const n = Number(raw);
    const size = SIZES.has(key);
    if (!Number.isInteger(n) || n < (size ? 1 : 0) || (!size && n > 65535)) {
      throw new ConfigError(`${source}: expected a whole number${size ? ' from 1' : ' from 0 to 65535'}, got '${raw}'`);
    }
    (cfg as unknown as Record<string, unknown>)[key] = n;
    return;
  }
  if (key === 'logLevel' && !LOG_LEVELS.has(raw))
    throw new ConfigError(`${source}: expected one of ${[...LOG_LEVELS].join(', ')}, got '${raw}'`);
  if (key === 'logFormat' && !LOG_FORMATS.has(raw))
    throw new ConfigError(`${source}: expected one of ${[...LOG_FORMATS].join(', ')}, got '${raw}'`);
  if (key === 'clock' && !CLOCKS.has(raw))
    throw new ConfigError(`${source}: expected one of ${[...CLOCKS].join(', ')}, got '${raw}'`);
  if (key === 'postgresSchema' && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(raw))
    throw new ConfigError(`${source}: expected a plain schema name (letters, digits, _), got '${raw}'`);
  if (key === 'callback') {
    // The rule Graph applies to a bot's callbackUri: https, or plain http to a bot on this machine.
    const bad = checkCallbackUri(raw, source);
    if (bad) throw new ConfigError(bad.message);
  }
  if (key === 'postgres' && !/^postgres(ql)?:\/\//.test(raw))
    throw new ConfigError(`${source}: expected a postgres:// or postgresql:// URL, got '${redactUrl(raw)}'`);
  (cfg as unknown as Record<string, unknown>)[key] = raw;
}

/** Resolves configuration from argv (without the command word) and the environment. */
export function resolveConfig(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
): Config {
  const cfg: Config = { ...DEFAULTS };
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') assign(cfg, key, v, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const key = FLAGS[flag];
    if (!key) throw new ConfigError(`unknown option '${flag}' (options: ${Object.keys(FLAGS).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    assign(cfg, key, value, flag);
  }
  Object.assign(cfg, overrides);
  if (cfg.tlsDir === '')
    cfg.tlsDir = cfg.data === ':memory:' ? resolve(DEFAULTS.data, 'tls') : resolve(cfg.data, 'tls');
  if (cfg.data !== ':memory:') cfg.data = resolve(cfg.data);
  return cfg;
}

export const isEphemeral = (cfg: Config): boolean => cfg.data === ':memory:';

/** A connection URL fit to print: the password replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
