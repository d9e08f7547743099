/**
 * All configuration in one place: CLI flags, `SWITCHBOARD_*` environment variables and defaults, in that order
 * of precedence. The resolved values are printed at start.
 */
import { resolve } from 'node:path';

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
  /** `iss` of the JWTs on notifications (the comms SDK accepts https://api.botframework.com). */
  notificationIssuer: string;
  /** Largest request body accepted, in bytes (413 beyond). */
  bodyLimit: number;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** 'real', or 'virtual': the calling world's time stands still until POST /_switchboard/clock/advance. */
  clock: 'real' | 'virtual';
  /** PostgreSQL connection URL: use PostgreSQL instead of SQLite (several instances may share it), or null. */
  postgres: string | null;
  /** PostgreSQL schema for the tables (created if missing), or null for the connection's search_path. */
  postgresSchema: string | null;
}

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 4100,
  httpsPort: 4443,
  data: '.switchboard',
  tlsDir: '',
  world: null,
  notificationIssuer: 'https://api.botframework.com',
  bodyLimit: 1024 * 1024,
  logLevel: 'info',
  clock: 'real',
  postgres: null,
  postgresSchema: null,
};

export class ConfigError extends Error {}

const FLAGS: Record<string, keyof Config> = {
  '--host': 'host',
  '--port': 'port',
  '--https-port': 'httpsPort',
  '--data': 'data',
  '--tls-dir': 'tlsDir',
  '--world': 'world',
  '--notification-issuer': 'notificationIssuer',
  '--body-limit': 'bodyLimit',
  '--log-level': 'logLevel',
  '--clock': 'clock',
  '--postgres': 'postgres',
  '--postgres-schema': 'postgresSchema',
};

const ENV: Record<string, keyof Config> = {
  SWITCHBOARD_HOST: 'host',
  SWITCHBOARD_PORT: 'port',
  SWITCHBOARD_HTTPS_PORT: 'httpsPort',
  SWITCHBOARD_DATA: 'data',
  SWITCHBOARD_TLS_DIR: 'tlsDir',
  SWITCHBOARD_WORLD: 'world',
  SWITCHBOARD_NOTIFICATION_ISSUER: 'notificationIssuer',
  SWITCHBOARD_BODY_LIMIT: 'bodyLimit',
  SWITCHBOARD_LOG_LEVEL: 'logLevel',
  SWITCHBOARD_CLOCK: 'clock',
  SWITCHBOARD_POSTGRES_URL: 'postgres',
  SWITCHBOARD_POSTGRES_SCHEMA: 'postgresSchema',
};

const NUMERIC = new Set<keyof Config>(['port', 'httpsPort', 'bodyLimit']);
const LOG_LEVELS = new Set(['silent', 'error', 'warn', 'info', 'debug']);
const CLOCKS = new Set(['real', 'virtual']);

function assign(cfg: Config, key: keyof Config, raw: string, source: string): void {
  if (NUMERIC.has(key)) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || (key !== 'bodyLimit' && n > 65535)) {
      throw new ConfigError(`${source}: expected a whole number${key === 'bodyLimit' ? '' : ' from 0 to 65535'}, got '${raw}'`);
    }
    (cfg as unknown as Record<string, unknown>)[key] = n;
    return;
  }
  if (key === 'logLevel' && !LOG_LEVELS.has(raw)) throw new ConfigError(`${source}: expected one of ${[...LOG_LEVELS].join(', ')}, got '${raw}'`);
  if (key === 'clock' && !CLOCKS.has(raw)) throw new ConfigError(`${source}: expected one of ${[...CLOCKS].join(', ')}, got '${raw}'`);
  if (key === 'postgresSchema' && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(raw)) throw new ConfigError(`${source}: expected a plain schema name (letters, digits, _), got '${raw}'`);
  if (key === 'postgres' && !/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError(`${source}: expected a postgres:// or postgresql:// URL, got '${redactUrl(raw)}'`);
  (cfg as unknown as Record<string, unknown>)[key] = raw;
}

/** Resolves configuration from argv (without the command word) and the environment. */
export function resolveConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const cfg: Config = { ...DEFAULTS };
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') assign(cfg, key, v, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = FLAGS[flag];
    if (!key) throw new ConfigError(`unknown option '${flag}' (options: ${Object.keys(FLAGS).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    assign(cfg, key, value, flag);
  }
  Object.assign(cfg, overrides);
  if (cfg.tlsDir === '') cfg.tlsDir = cfg.data === ':memory:' ? resolve(DEFAULTS.data, 'tls') : resolve(cfg.data, 'tls');
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
