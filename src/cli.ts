/** `switchboard [start] [options]`: starts the server and prints where everything is. */
import { banner } from './banner.js';
import { ConfigError, resolveConfig } from './config.js';
import { WorldFileError } from './sim/directory.js';
import { loadScenarioFile, runScenario, ScenarioError } from './sim/scenario.js';
import { startSwitchboard, type Switchboard } from './main.js';
import { DataFileInUseError } from './store/sqlite/file-owner.js';

const USAGE = `Usage: switchboard [start] [options]
       switchboard run-scenario <file.json> [--server <url>] [--control-key <key>]   plays a scenario against a running server

Options (each also as an environment variable):
  --host <addr>          address to listen on            SWITCHBOARD_HOST        (127.0.0.1)
  --port <n>             plain-http port                 SWITCHBOARD_PORT        (4100)
  --https-port <n>       https port                      SWITCHBOARD_HTTPS_PORT  (4443)
  --data <dir>           data directory, or :memory:     SWITCHBOARD_DATA        (./.switchboard)
  --tls-dir <dir>        local CA and certificate        SWITCHBOARD_TLS_DIR     (<data>/tls)
  --world <file.json>    directory to load               SWITCHBOARD_WORLD       (built-in)
  --callback <url>       the default app's callback URL  SWITCHBOARD_CALLBACK    (the world's)
                         (first app of the first tenant; https, or http to a loopback host)
  --notification-issuer  iss of notification JWTs        SWITCHBOARD_NOTIFICATION_ISSUER (https://api.botframework.com)
  --body-limit <bytes>   largest request body            SWITCHBOARD_BODY_LIMIT  (1048576)
  --max-json-depth <n>   deepest JSON nesting in a body  SWITCHBOARD_MAX_JSON_DEPTH (32)
  --max-array-items <n>  most items in one JSON array    SWITCHBOARD_MAX_ARRAY_ITEMS (1000)
  --log-level <level>    silent|error|warn|info|debug    SWITCHBOARD_LOG_LEVEL   (info)
  --log-format <format>  json|pretty|auto (auto: pretty  SWITCHBOARD_LOG_FORMAT  (auto)
                         on a terminal, JSON otherwise)
  --clock <real|virtual> virtual: time moves only by      SWITCHBOARD_CLOCK       (real)
                         POST /_switchboard/clock/advance
  --postgres <url>       PostgreSQL instead of SQLite    SWITCHBOARD_POSTGRES_URL (off)
  --postgres-schema <s>  schema for the tables           SWITCHBOARD_POSTGRES_SCHEMA (search_path)
  --throttle-app-tenant  Graph requests per app per tenant SWITCHBOARD_THROTTLE_APP_TENANT (50000/15s)
  --throttle-app         Graph requests per app           SWITCHBOARD_THROTTLE_APP (130000/10s)
  --throttle-tenant      Graph requests per tenant        SWITCHBOARD_THROTTLE_TENANT (off)
  --token-rate-limit     tokens issued per client         SWITCHBOARD_TOKEN_RATE_LIMIT (200/1m)
  --notification-key-rotation <age|off>  replace the notification key SWITCHBOARD_NOTIFICATION_KEY_ROTATION (off)
  --notification-key-overlap <duration>  replaced key stays published  SWITCHBOARD_NOTIFICATION_KEY_OVERLAP (1h)
  --allowed-hosts <list> Host names accepted besides    SWITCHBOARD_ALLOWED_HOSTS (own names only)
                         the server's own (.domain, *)
  --control-key <key>    key the control API requires    SWITCHBOARD_CONTROL_KEY (loopback: none;
                         (generated beyond loopback)       beyond: generated, kept in <data>/control-key)`;

/** `switchboard run-scenario <file> [--server URL]`: exit 0 when every step passed, 1 when one failed, 2 on bad input. */
async function runScenarioCommand(args: string[]): Promise<void> {
  const at = args.indexOf('--server');
  const server = at >= 0 ? args[at + 1] : (process.env.SWITCHBOARD_SERVER ?? 'http://127.0.0.1:4100');
  const keyAt = args.indexOf('--control-key');
  const controlKey = keyAt >= 0 ? args[keyAt + 1] : process.env.SWITCHBOARD_CONTROL_KEY;
  const files = args.filter(
    (a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1) && (keyAt < 0 || i !== keyAt + 1),
  );
  if (files.length !== 1 || !server) {
    console.error(
      `switchboard run-scenario: name one scenario file${server ? '' : ' and a --server URL'}.\n\n${USAGE}`,
    );
    process.exitCode = 2;
    return;
  }
  try {
    const result = await runScenario(loadScenarioFile(files[0]!), { server, ...(controlKey ? { controlKey } : {}) });
    process.exitCode = result.ok ? 0 : 1;
  } catch (e) {
    if (!(e instanceof ScenarioError) && !(e instanceof TypeError)) throw e;
    // TypeError: fetch could not reach the server.
    console.error(
      `switchboard run-scenario: ${e instanceof TypeError ? `cannot reach ${server} (${e.message})` : e.message}`,
    );
    process.exitCode = 2;
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'run-scenario') {
    await runScenarioCommand(argv.slice(1));
    return;
  }
  const args = argv[0] === 'start' ? argv.slice(1) : argv;
  if (
    args.includes('--help') ||
    args.includes('-h') ||
    (argv[0] !== undefined && argv[0] !== 'start' && !argv[0].startsWith('-'))
  ) {
    console.log(USAGE);
    process.exitCode = args.includes('--help') || args.includes('-h') ? 0 : 2;
    return;
  }
  let sb: Switchboard;
  try {
    sb = await startSwitchboard(resolveConfig(args));
  } catch (e) {
    if (e instanceof ConfigError || e instanceof WorldFileError) {
      console.error(`switchboard: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    const err = e as NodeJS.ErrnoException;
    if (e instanceof DataFileInUseError) {
      console.error(`switchboard: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    if (err.code === 'EADDRINUSE') {
      console.error(`switchboard: port already in use (${err.message}); pick another with --port / --https-port.`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
  console.log(banner(sb));
  let stoppingSince: number | null = null;
  const stop = (signal: string): void => {
    // Ctrl-C under `npm start` arrives twice (from the terminal, and forwarded by npm): only a repeat a moment later is
    // the user insisting, and stops at once instead of after the drain.
    if (stoppingSince !== null) {
      if (performance.now() - stoppingSince < 1000) return;
      console.log(`switchboard: ${signal} again, exiting without waiting for the drain`);
      process.exit(1);
    }
    stoppingSince = performance.now();
    console.log(`\nswitchboard: ${signal} received, shutting down…`);
    sb.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main(process.argv.slice(2));
