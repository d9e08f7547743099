/** The start-up banner: where Graph, the token endpoint, the CA and the control API are, and the settings in force. */
import { formatDuration, formatRateLimit, isEphemeral, redactUrl, type Config } from './config.js';
import type { Switchboard } from './main.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID } from './sim/default-world.js';
import { worldBannerLines } from './sim/world-view.js';
import { isLoopbackHost } from './http/host-check.js';
import { CONTROL_KEY_FILE } from './sim/control-key.js';

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
    firstApp
      ? `  Bot app          client id ${firstApp.id}   secret ${firstApp.secret}${isDefault && firstApp.id === DEFAULT_APP_ID && firstApp.secret === DEFAULT_APP_SECRET ? ' (default)' : ''}`
      : '  Bot app          (none in the world file)',
    `  Trust the CA     NODE_EXTRA_CA_CERTS=${sb.caCertPath}`,
    `  Notify keys      ${sb.httpsUrl}/.well-known/OpenIdConfiguration`,
    // With a control key, the link carries it in the fragment (never sent to the server; the page keeps it in sessionStorage).
    `  Dashboard        ${sb.httpUrl}/_switchboard/ui/${sb.controlKey.key !== null ? `#key=${encodeURIComponent(sb.controlKey.key)}` : ''}  (calls, timelines, notifications, world and controls, live)`,
    `  Control API      ${sb.httpUrl}/_switchboard/  (lists the world and every control route; reset, health, ready, incoming-calls, …)`,
    `  Directory        ${cfg.world ?? 'built-in default world'}: ${tenants.length} tenant(s), ${tenants.reduce((n, t) => n + t.apps.length, 0)} app(s), ${tenants.reduce((n, t) => n + t.users.length, 0)} user(s), ${tenants.reduce((n, t) => n + t.meetings.length, 0)} meeting(s)`,
    ...worldBannerLines(sb.directory.world, `${sb.httpUrl}/_switchboard/`).map((row) => `    ${row}`),
    `  Data             ${isEphemeral(cfg) ? ':memory: (nothing is kept)' : cfg.data}`,
    ...(cfg.clock === 'virtual'
      ? [`  Clock            virtual: stands still until POST ${sb.httpUrl}/_switchboard/clock/advance {"ms":…}`]
      : []),
    `  Store            ${describeStore(cfg)}`,
    ...exposure(sb),
    '',
    `  Settings: host=${cfg.host} port=${cfg.port} https-port=${cfg.httpsPort} body-limit=${cfg.bodyLimit} max-json-depth=${cfg.maxJsonDepth} max-array-items=${cfg.maxArrayItems} log-level=${cfg.logLevel} log-format=${cfg.logFormat} notification-issuer=${cfg.notificationIssuer} clock=${cfg.clock} postgres=${cfg.postgres === null ? 'off' : 'on'} postgres-schema=${cfg.postgresSchema ?? '(search_path)'}`,
    `            throttle-app-tenant=${formatRateLimit(cfg.throttleAppTenant)} throttle-app=${formatRateLimit(cfg.throttleApp)} throttle-tenant=${formatRateLimit(cfg.throttleTenant)} token-rate-limit=${formatRateLimit(cfg.tokenRateLimit)} overload-lag=${formatDuration(cfg.overloadLag)} overload-backlog=${formatDuration(cfg.overloadBacklog)} overload-wait=${formatDuration(cfg.overloadWait)} retention=${formatDuration(cfg.retention)} notification-key-rotation=${formatDuration(cfg.notificationKeyRotation)} notification-key-overlap=${formatDuration(cfg.notificationKeyOverlap)}`,
  ];
  return lines.join('\n');
}

/** The control key and, bound beyond loopback, the warning that others can reach the server. */
export function exposure(sb: Pick<Switchboard, 'config' | 'controlKey' | 'hosts'>): string[] {
  const lines: string[] = [];
  const { key, source } = sb.controlKey;
  if (key !== null) {
    const from =
      source === 'configured'
        ? '--control-key'
        : source === 'data'
          ? `kept in ${sb.config.data}/${CONTROL_KEY_FILE}`
          : `generated${isEphemeral(sb.config) ? ' for this run' : `, kept in ${sb.config.data}/${CONTROL_KEY_FILE}`}`;
    lines.push(
      `  Control key      ${key}   (${from}; send 'Authorization: Bearer <key>' or 'X-Switchboard-Control-Key: <key>')`,
    );
  }
  if (!isLoopbackHost(sb.config.host)) {
    lines.push(
      `  WARNING          bound to ${sb.config.host}: reachable beyond this machine. The control API requires the key above;`,
      `                   Graph needs tokens, but anyone reaching the port gets one with the world's client secrets.`,
    );
  }
  lines.push(
    `  Allowed hosts    ${sb.hosts.names.join(', ')}${sb.config.allowedHosts.length === 0 ? '   (others: --allowed-hosts)' : ''}`,
  );
  return lines;
}

/** Where state lives; for PostgreSQL also what every instance sharing it needs. */
export function describeStore(cfg: Config): string {
  if (cfg.postgres === null)
    return isEphemeral(cfg) ? 'SQLite in memory' : `SQLite ${cfg.data}/switchboard.db (one instance)`;
  const schema = cfg.postgresSchema === null ? "the connection's search_path" : `schema ${cfg.postgresSchema}`;
  const keys = isEphemeral(cfg)
    ? 'signing keys are per process with --data :memory:, so give every instance the same --data directory'
    : `every instance must share the signing keys in ${cfg.data}`;
  return `PostgreSQL ${redactUrl(cfg.postgres)}, ${schema}; several instances may share it (${keys})`;
}
