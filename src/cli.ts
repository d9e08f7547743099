/** `switchboard [start] [options]`: starts the server and prints where everything is. */
import { ConfigError, resolveConfig, isEphemeral, type Config } from './config.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID } from './sim/default-world.js';
import { WorldFileError } from './sim/directory.js';
import { startSwitchboard, type Switchboard } from './main.js';

const USAGE = `Usage: switchboard [start] [options]

Options (each also as an environment variable):
  --host <addr>          address to listen on            SWITCHBOARD_HOST        (127.0.0.1)
  --port <n>             plain-http port                 SWITCHBOARD_PORT        (4100)
  --https-port <n>       https port                      SWITCHBOARD_HTTPS_PORT  (4443)
  --data <dir>           data directory, or :memory:     SWITCHBOARD_DATA        (./.switchboard)
  --tls-dir <dir>        local CA and certificate        SWITCHBOARD_TLS_DIR     (<data>/tls)
  --world <file.json>    directory to load               SWITCHBOARD_WORLD       (built-in)
  --notification-issuer  iss of notification JWTs        SWITCHBOARD_NOTIFICATION_ISSUER (https://api.botframework.com)
  --body-limit <bytes>   largest request body            SWITCHBOARD_BODY_LIMIT  (1048576)
  --log-level <level>    silent|error|warn|info|debug    SWITCHBOARD_LOG_LEVEL   (info)`;

export function banner(sb: Switchboard): string {
  const cfg: Config = sb.config;
  const tenants = sb.directory.world.tenants;
  const firstTenant = tenants[0]!;
  const firstApp = firstTenant.apps[0];
  const isDefault = !cfg.world;
  const lines = [
    'Switchboard — Microsoft Graph calling API, locally',
    '',
    `  Graph (https)    ${sb.httpsUrl}/v1.0   and   ${sb.httpsUrl}/beta`,
    `  Graph (http)     ${sb.httpUrl}/v1.0   and   ${sb.httpUrl}/beta`,
    `  Token endpoint   ${sb.httpsUrl}/${firstTenant.id}/oauth2/v2.0/token`,
    `  Tenant id        ${firstTenant.id}${isDefault && firstTenant.id === DEFAULT_TENANT_ID ? ' (default)' : ''}`,
    firstApp ? `  Bot app          client id ${firstApp.id}   secret ${firstApp.secret}${isDefault && firstApp.id === DEFAULT_APP_ID && firstApp.secret === DEFAULT_APP_SECRET ? ' (default)' : ''}` : '  Bot app          (none in the world file)',
    `  Trust the CA     NODE_EXTRA_CA_CERTS=${sb.caCertPath}`,
    `  Notify keys      ${sb.httpsUrl}/.well-known/OpenIdConfiguration`,
    `  Control API      ${sb.httpUrl}/_switchboard/  (incoming-calls, notifications)`,
    `  Directory        ${cfg.world ?? 'built-in default world'}: ${tenants.length} tenant(s), ${tenants.reduce((n, t) => n + t.apps.length, 0)} app(s), ${tenants.reduce((n, t) => n + t.users.length, 0)} user(s), ${tenants.reduce((n, t) => n + t.meetings.length, 0)} meeting(s)`,
    `  Data             ${isEphemeral(cfg) ? ':memory: (nothing is kept)' : cfg.data}`,
    '',
    `  Settings: host=${cfg.host} port=${cfg.port} https-port=${cfg.httpsPort} body-limit=${cfg.bodyLimit} log-level=${cfg.logLevel} notification-issuer=${cfg.notificationIssuer}`,
  ];
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const args = argv[0] === 'start' ? argv.slice(1) : argv;
  if (args.includes('--help') || args.includes('-h') || (argv[0] !== undefined && argv[0] !== 'start' && !argv[0].startsWith('-'))) {
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
    if (err.code === 'EADDRINUSE') {
      console.error(`switchboard: port already in use (${err.message}); pick another with --port / --https-port.`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
  console.log(banner(sb));
  const stop = (signal: string): void => {
    console.log(`\nswitchboard: ${signal} received, shutting down…`);
    sb.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

await main(process.argv.slice(2));
