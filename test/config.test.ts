/** Configuration: flags over environment over defaults, with precise errors. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, resolveConfig } from '../src/config.js';

describe('resolveConfig', () => {
  it('uses the documented defaults', () => {
    const c = resolveConfig([], {});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 4100,
      httpsPort: 4443,
      world: null,
      bodyLimit: DEFAULTS.bodyLimit,
      logLevel: 'info',
      clock: 'real',
    });
    expect(c.data).toBe(resolve('.switchboard'));
    expect(c.tlsDir).toBe(resolve('.switchboard', 'tls'));
  });

  it('reads SWITCHBOARD_* variables, and flags win over them', () => {
    const env = { SWITCHBOARD_PORT: '5000', SWITCHBOARD_HOST: '0.0.0.0', SWITCHBOARD_WORLD: 'w.json' };
    expect(resolveConfig([], env)).toMatchObject({ port: 5000, host: '0.0.0.0', world: 'w.json' });
    expect(resolveConfig(['--port', '6000', '--https-port=6443'], env)).toMatchObject({
      port: 6000,
      httpsPort: 6443,
      host: '0.0.0.0',
    });
  });

  it('reads the JSON body limits (depth, array items), which must be at least 1', () => {
    expect(resolveConfig([], {})).toMatchObject({ maxJsonDepth: 32, maxArrayItems: 1000 });
    expect(resolveConfig(['--max-json-depth', '8'], { SWITCHBOARD_MAX_ARRAY_ITEMS: '50' })).toMatchObject({
      maxJsonDepth: 8,
      maxArrayItems: 50,
    });
    expect(() => resolveConfig(['--max-json-depth', '0'], {})).toThrow(
      /--max-json-depth: expected a whole number from 1/,
    );
    expect(resolveConfig(['--max-array-items', '100000'], {}).maxArrayItems).toBe(100_000);
  });

  it('keeps :memory: as is and puts TLS material in the default directory', () => {
    const c = resolveConfig(['--data', ':memory:'], {});
    expect(c.data).toBe(':memory:');
    expect(c.tlsDir).toBe(resolve('.switchboard', 'tls'));
  });

  it.each([
    [['--port', 'abc'], /--port: expected a whole number/],
    [['--port', '70000'], /from 0 to 65535/],
    [['--nope', '1'], /unknown option '--nope'/],
    [['--data'], /--data needs a value/],
    [['--log-level', 'loud'], /expected one of silent, error, warn, info, debug/],
    [['--clock', 'fast'], /expected one of real, virtual/],
  ])('rejects %j', (argv, message) => {
    expect(() => resolveConfig(argv, {})).toThrow(ConfigError);
    expect(() => resolveConfig(argv, {})).toThrow(message);
  });

  it("takes the default app's callback from --callback or SWITCHBOARD_CALLBACK: https, or http to a loopback host", () => {
    expect(resolveConfig([], {}).callback).toBeNull();
    expect(resolveConfig(['--callback', 'https://bot.example/api/calls']).callback).toBe(
      'https://bot.example/api/calls',
    );
    expect(resolveConfig([], { SWITCHBOARD_CALLBACK: 'http://127.0.0.1:4200/callback' }).callback).toBe(
      'http://127.0.0.1:4200/callback',
    );
    expect(
      resolveConfig(['--callback=http://localhost:3978/api/calls'], { SWITCHBOARD_CALLBACK: 'https://other.example/' })
        .callback,
    ).toBe('http://localhost:3978/api/calls');
    // The error names the option (or the variable) it came from, and nothing starts.
    expect(() => resolveConfig(['--callback', 'bot:4200'], {})).toThrow(ConfigError);
    expect(() => resolveConfig(['--callback', 'not a url'], {})).toThrow(
      /^--callback 'not a url' is not an absolute URL\.$/,
    );
    expect(() => resolveConfig(['--callback', 'http://bot.example/api/calls'], {})).toThrow(
      /^--callback must be an https URL \(plain http is allowed only for loopback hosts\)/,
    );
    expect(() => resolveConfig([], { SWITCHBOARD_CALLBACK: 'ftp://127.0.0.1/x' })).toThrow(
      /^SWITCHBOARD_CALLBACK must be an https URL/,
    );
  });

  it('takes the log format from --log-format or SWITCHBOARD_LOG_FORMAT: auto (pretty on a terminal) by default', () => {
    expect(resolveConfig([], {}).logFormat).toBe('auto');
    expect(resolveConfig(['--log-format', 'json'], {}).logFormat).toBe('json');
    expect(resolveConfig([], { SWITCHBOARD_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(resolveConfig(['--log-format=json'], { SWITCHBOARD_LOG_FORMAT: 'pretty' }).logFormat).toBe('json');
    expect(() => resolveConfig(['--log-format', 'xml'], {})).toThrow(
      /--log-format: expected one of auto, pretty, json, got 'xml'/,
    );
  });

  it('takes the clock from --clock or SWITCHBOARD_CLOCK', () => {
    expect(resolveConfig(['--clock', 'virtual']).clock).toBe('virtual');
    expect(resolveConfig([], { SWITCHBOARD_CLOCK: 'virtual' }).clock).toBe('virtual');
  });

  it('selects PostgreSQL by flag or SWITCHBOARD_POSTGRES_URL, off by default', () => {
    expect(resolveConfig([], {})).toMatchObject({ postgres: null, postgresSchema: null });
    const url = 'postgres://sb@db.example:5432/switchboard';
    expect(resolveConfig([], { SWITCHBOARD_POSTGRES_URL: url, SWITCHBOARD_POSTGRES_SCHEMA: 'sb_one' })).toMatchObject({
      postgres: url,
      postgresSchema: 'sb_one',
    });
    expect(
      resolveConfig(['--postgres', 'postgresql://x@h/db', '--postgres-schema=other'], {
        SWITCHBOARD_POSTGRES_URL: url,
      }),
    ).toMatchObject({
      postgres: 'postgresql://x@h/db',
      postgresSchema: 'other',
    });
  });

  it('rejects a non-postgres URL (without printing its password) and an unsafe schema name', () => {
    expect(() => resolveConfig(['--postgres', 'mysql://u:secret@h/db'], {})).toThrow(
      /expected a postgres:\/\/ or postgresql:\/\/ URL/,
    );
    expect(() => resolveConfig(['--postgres', 'mysql://u:secret@h/db'], {})).not.toThrow(/secret/);
    expect(() => resolveConfig(['--postgres-schema', 'a;drop'], {})).toThrow(
      /--postgres-schema: expected a plain schema name/,
    );
  });

  it('names the variable in an environment error', () => {
    expect(() => resolveConfig([], { SWITCHBOARD_HTTPS_PORT: 'x' })).toThrow(/SWITCHBOARD_HTTPS_PORT/);
  });

  it("reads request limits and notification key rotation, with Graph's limits as defaults", () => {
    expect(resolveConfig([], {})).toMatchObject({
      throttleAppTenant: { requests: 50_000, windowMs: 15_000 },
      throttleApp: { requests: 130_000, windowMs: 10_000 },
      throttleTenant: null,
      tokenRateLimit: { requests: 200, windowMs: 60_000 },
      notificationKeyRotation: null,
      notificationKeyOverlap: 3_600_000,
    });
    const c = resolveConfig(
      [
        '--throttle-app-tenant',
        '10/1s',
        '--throttle-tenant=100/1m',
        '--token-rate-limit',
        'off',
        '--notification-key-rotation',
        '24h',
      ],
      {
        SWITCHBOARD_THROTTLE_APP: 'off',
        SWITCHBOARD_NOTIFICATION_KEY_OVERLAP: '90m',
      },
    );
    expect(c).toMatchObject({
      throttleAppTenant: { requests: 10, windowMs: 1000 },
      throttleApp: null,
      throttleTenant: { requests: 100, windowMs: 60_000 },
      tokenRateLimit: null,
      notificationKeyRotation: 86_400_000,
      notificationKeyOverlap: 5_400_000,
    });
    expect(() => resolveConfig(['--throttle-app', 'lots'], {})).toThrow(
      /--throttle-app: expected <requests>\/<window>/,
    );
    expect(() => resolveConfig(['--notification-key-overlap', 'off'], {})).toThrow(
      /--notification-key-overlap: expected a duration/,
    );
  });
});
