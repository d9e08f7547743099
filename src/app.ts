/**
 * buildApp(deps): the Fastify application with every route, never listening (tests use it with inject()).
 * Order: request ids → content-type parsing → auth (per route) → body validation → service → Graph envelope on error.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
} from 'fastify';
import { pino } from 'pino';
import { answerClientError, answerFrameworkError, installGraphErrors, MAX_PARAM_LENGTH } from './api/error-envelope.js';
import { unsupportedMediaType } from './http/errors.js';
import { checkJsonLimits } from './api/json-limits.js';
import { installHostCheck, type HostPolicy } from './http/host-check.js';
import { installControlKey } from './sim/control-key.js';
import { graphRoutes } from './api/graph-routes.js';
import type { GraphDeps } from './api/context.js';
import { authRoutes, type AuthRouteDeps } from './auth/routes.js';
import type { Config } from './config.js';
import type { CallingService } from './service/calling-service.js';
import { controlRoutes } from './sim/control-routes.js';
import { notificationKeyRoutes } from './sim/notification-key-routes.js';
import { uiRoutes } from './sim/ui-routes.js';
import { ChangeFeed } from './sim/feed.js';
import { feedRoutes } from './sim/feed-routes.js';
import type { RequestLog } from './sim/request-log.js';
import type { NotificationKeyRing } from './auth/notification-keys.js';
import type { Store } from './store/store.js';
import type { WorldSync } from './sim/world-sync.js';
import type { RecordingAudio } from './sim/recording-audio.js';
import type { ClockControl } from './sim/virtual-time.js';
import type { Logger } from './log.js';
import { installRequestLog } from './api/request-log.js';

/** One registered route, as Fastify saw it (HEAD routes Fastify adds for GET routes included). */
export interface RouteInfo {
  method: string;
  url: string;
}

export interface AppDeps {
  config: Pick<Config, 'bodyLimit' | 'maxJsonDepth' | 'maxArrayItems'>;
  service: CallingService;
  store: Store;
  auth: AuthRouteDeps;
  tokens: GraphDeps['tokens'];
  throttle?: GraphDeps['throttle'];
  /** The rotating notification keys, for the control API; absent: no rotation routes. */
  notificationKeys?: NotificationKeyRing;
  clock: ClockControl;
  /** Records the control API's behaviour and fault changes in the store, for every instance. */
  worldSync: WorldSync;
  /** Waits for notification deliveries in flight (the dispatcher's; POST /_switchboard/reset answers after them). */
  settleDeliveries?: () => Promise<void>;
  /** Host header check (DNS rebinding); absent: any Host (tests building an app by hand). */
  hostPolicy?: HostPolicy;
  /** Recordings softphones made (src/sim/recording-audio.ts); absent: in memory. */
  recordings?: RecordingAudio;
  /** Key the control API requires; null or absent: none. */
  controlKey?: string | null;
  /** The process's logger: one line per request (src/api/request-log.ts); absent, nothing is logged. */
  logger?: Logger;
  /** The built dashboard (default: the package's dist/ui). */
  uiDir?: string;
  /** The change feed watchers are served from (default: one polling the store every second). */
  feed?: ChangeFeed;
  /** Keeps each Graph calls request in the change feed; absent: requests are not logged. */
  requestLog?: RequestLog;
  /** The notification JWT issuer (the token check of the dashboard). */
  notificationIssuer?: string;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const AUDIO_TYPE = /^audio\/wav\s*(;|$)/i;

/** Every route the app registered: tests enumerate it so a new route is covered without being listed by hand. */
export function registeredRoutes(app: FastifyInstance): readonly RouteInfo[] {
  return (app as FastifyInstance & { [ROUTES]?: RouteInfo[] })[ROUTES] ?? [];
}

const ROUTES = Symbol('switchboard.routes');

let silent: Logger | undefined;
const silentLogger = (): Logger => (silent ??= pino({ level: 'silent' }));

export function buildApp(deps: AppDeps, serverFactory?: FastifyServerFactory): FastifyInstance {
  // Typed as Fastify's logger interface, so the instance keeps its default logger type.
  const loggerInstance: FastifyBaseLogger = deps.logger ?? silentLogger();
  const app = Fastify({
    bodyLimit: deps.config.bodyLimit,
    // onlineMeeting ids (base64 of organizer + thread) are longer than Fastify's default 100-character parameter limit.
    routerOptions: { caseSensitive: false, maxParamLength: MAX_PARAM_LENGTH },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // While closing, error-envelope.ts answers new requests with a Graph 503 (fastify's own 503 is not in the envelope).
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    // Our own one line per request (request-log.ts) replaces Fastify's two; no child logger per request either.
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
    ...(serverFactory ? { serverFactory } : {}),
  });
  const routes: RouteInfo[] = [];
  (app as FastifyInstance & { [ROUTES]?: RouteInfo[] })[ROUTES] = routes;
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url ?? route.path });
  });
  if (deps.logger) installRequestLog(app, deps.logger);
  installGraphErrors(app, deps.config.bodyLimit);
  // After the request ids (the refusals are in the envelope), before anything else runs.
  if (deps.hostPolicy) installHostCheck(app, deps.hostPolicy);
  installControlKey(app, deps.controlKey ?? null);
  // Graph accepts a bodiless request (DELETE, keepAlive) that still says Content-Type: application/json.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const limits = { maxDepth: deps.config.maxJsonDepth, maxArrayItems: deps.config.maxArrayItems };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    // Depth and array limits on the raw text, so a hostile body never reaches the recursive parser and validators.
    const tooBig = checkJsonLimits(text, limits);
    if (tooBig) {
      done(tooBig, undefined);
      return;
    }
    void parseJson(req, text, done);
  });
  // A softphone's recording upload is a WAV (src/sim/softphone-routes.ts): up to 2 minutes of 8 kHz audio.
  app.addContentTypeParser(
    'audio/wav',
    { parseAs: 'buffer', bodyLimit: Math.max(deps.config.bodyLimit, 4 * 1024 * 1024) },
    (_req, body, done) => done(null, body),
  );
  // Graph and control bodies are JSON only (but a route that says `audioBody`); the token endpoint (form-encoded) is outside these paths.
  app.addHook('preValidation', (req, _reply, done) => {
    const url = req.url.toLowerCase();
    if (
      req.body !== undefined &&
      (url.startsWith('/v1.0/') || url.startsWith('/beta/') || url.startsWith('/_switchboard/'))
    ) {
      const type = req.headers['content-type'];
      const audio = req.routeOptions.config?.audioBody === true && type !== undefined && AUDIO_TYPE.test(type);
      if (!audio && (!type || !JSON_TYPE.test(type))) {
        done(unsupportedMediaType(type));
        return;
      }
    }
    done();
  });
  authRoutes(app, deps.auth);
  graphRoutes(app, {
    service: deps.service,
    tokens: deps.tokens,
    ...(deps.throttle ? { throttle: deps.throttle } : {}),
  });
  // One feed for the dashboard's stream and the softphones' (each refreshes a screen when something committed).
  const feed =
    deps.feed ?? new ChangeFeed({ events: deps.store.events, pollMs: 1000, gapWaitMs: 0, epoch: deps.store.kind });
  controlRoutes(app, {
    service: deps.service,
    store: deps.store,
    clock: deps.clock,
    directory: deps.auth.directory,
    worldSync: deps.worldSync,
    routes: () => routes,
    feed,
    ...(deps.recordings ? { recordings: deps.recordings } : {}),
    ...(deps.settleDeliveries ? { settleDeliveries: deps.settleDeliveries } : {}),
  });
  if (deps.notificationKeys) notificationKeyRoutes(app, deps.notificationKeys);
  deps.requestLog?.install(app);
  const notificationKeys = deps.notificationKeys;
  feedRoutes(app, {
    store: deps.store,
    feed,
    publishedKeys: notificationKeys
      ? () => notificationKeys.published()
      : () => Promise.resolve([deps.auth.keys.notification.publicJwk]),
    notificationIssuer: deps.notificationIssuer ?? deps.auth.notificationIssuer,
  });
  uiRoutes(app, deps.uiDir !== undefined ? { dir: deps.uiDir } : {});
  return app;
}
