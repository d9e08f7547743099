/**
 * startSwitchboard: load config and world → open store → keys and TLS → build app → start the dispatcher and
 * timer loop → listen on http and https. Returns a handle with the URLs and close().
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { answerClientError } from './api/error-envelope.js';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp, registeredRoutes, type RouteInfo } from './app.js';
import { withOverloadDoor } from './api/overload-door.js';
import { loadOrCreateSigningKeys } from './auth/keys.js';
import { NotificationKeyRing } from './auth/notification-keys.js';
import { NotificationSigner } from './auth/notification-signer.js';
import { loadOrCreateTls } from './auth/tls.js';
import { RateLimiter } from './auth/rate-limit.js';
import { DEFAULT_LOCKOUT, SecretLockout } from './auth/lockout.js';
import { GraphThrottle } from './auth/throttle.js';
import { TokenService } from './auth/tokens.js';
import { isEphemeral, type Config } from './config.js';
import { hostPolicy, type HostPolicy } from './http/host-check.js';
import { resolveControlKey, type ControlKey } from './sim/control-key.js';
import { manualClock, randomIds, systemClock, type Clock, type IdSource } from './domain/clock.js';
import { NotificationDispatcher } from './notify/dispatcher.js';
import { DeliveryThread } from './notify/delivery-thread.js';
import { CallingService } from './service/calling-service.js';
import { TimerLoop } from './service/timer-loop.js';
import { RetentionLoop } from './service/retention.js';
import { Admission, EventLoopLag } from './service/admission.js';
import { TurnPacer } from './api/turn-pacer.js';
import { WorldSync } from './sim/world-sync.js';
import { RecordingAudio } from './sim/recording-audio.js';
import { defaultWorld } from './sim/default-world.js';
import { applyDefaultCallback } from './sim/default-app.js';
import { Directory, loadWorldFile, type World } from './sim/directory.js';
import { ClockControl } from './sim/virtual-time.js';
import { ChangeFeed, EventRetention } from './sim/feed.js';
import { RequestLog } from './sim/request-log.js';
import { openSqliteStore } from './store/sqlite/store.js';
import { claimDataFile } from './store/sqlite/file-owner.js';
import type { Store } from './store/store.js';
import { createLogger, logFunction, type LogFunction } from './log.js';
import type { DestinationStream } from 'pino';

export interface Switchboard {
  config: Config;
  httpUrl: string;
  httpsUrl: string;
  caCertPath: string;
  directory: Directory;
  store: Store;
  service: CallingService;
  dispatcher: NotificationDispatcher;
  /** Prunes old rows (--retention); null when retention is off. */
  retention: RetentionLoop | null;
  /** The world's clock: read it, and (virtual clock) move it. */
  clock: ClockControl;
  /** Every route served (Graph, token endpoint, control API). */
  routes: readonly RouteInfo[];
  /** The Fastify application behind both listeners (tests send requests in process with `app.inject`). */
  app: FastifyInstance;
  /** The Host names accepted (src/http/host-check.ts). */
  hosts: HostPolicy;
  /** The control API key in force, and where it came from (src/sim/control-key.ts). */
  controlKey: ControlKey;
  /** The change feed this instance serves to the dashboard. */
  feed: ChangeFeed;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Use this world instead of the config's world file or the built-in one (tests). */
  world?: World;
  /** The world's clock (tests); otherwise the config's `clock` decides (real, or a virtual one starting now). */
  clock?: Clock;
  ids?: IdSource;
  /** Batch one command's notifications per call into one POST (default true; the bench measures both). */
  batchNotifications?: boolean;
  /**
   * How long close() keeps idle keep-alive connections open, answering what arrives on them with a Graph 503
   * (default DRAIN_MS). Ends as soon as no connection is left. Test helpers shorten it.
   */
  drainMs?: number;
  /** Where log lines go instead of stderr (tests read them), in the config's log format. */
  logDestination?: DestinationStream;
}

/**
 * Pending connections the kernel may queue for accept (capped by net.core.somaxconn). Node's default, 511, overflows
 * when a load test's client opens hundreds of connections at once: the dropped SYNs are retried after 1 s, 3 s, 7 s…,
 * so requests waited seconds before Switchboard ever saw them (measured: 5,268 listen overflows, p99 27 s, in a run
 * offered twice the sustainable rate over 1,024 connections while the event loop never ran more than 130 ms late).
 */
const LISTEN_BACKLOG = 4096;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

// Shutdown budget, within the 10 s a container runtime waits between SIGTERM and SIGKILL.
const IN_FLIGHT_GRACE_MS = 5_000;
/**
 * An idle keep-alive connection stays open this long after shutdown begins: a request a client wrote on it just
 * before (it cannot know the server is stopping) gets a complete 503 with Retry-After instead of a reset, which
 * would leave the bot unable to tell whether its request was committed.
 */
const DRAIN_MS = 1_000;
/** While someone watches the dashboard: how often an instance looks for events other instances committed. */
const FEED_POLL_MS = { postgres: 250, sqlite: 1000 };
/** How long a gap in the events' seq may hold the feed back (PostgreSQL commits seqs out of order). */
const FEED_GAP_WAIT_MS = 3_000;
/** The change feed keeps about this many events (a timeline reaches back this far), pruned every PRUNE_EVERY writes. */
const FEED_KEEP = 20_000;
const FEED_PRUNE_EVERY = 2_000;
/** How often an instance on PostgreSQL looks for behaviour and fault changes another instance recorded. */
const WORLD_CHANGE_POLL_MS = 500;
const FLUSH_GRACE_MS = 3_000;

/** Resolves true when `p` settles within `ms`, false otherwise; calls `tick` every 20 ms meanwhile. */
async function settlesWithin(p: Promise<unknown>, ms: number, tick: () => void): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const interval = setInterval(tick, 20);
  try {
    return await Promise.race([
      p.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } finally {
    clearInterval(interval);
    clearTimeout(timer);
  }
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** PostgreSQL when a URL is configured (shared by every instance on it), else SQLite in the data directory. */
async function openStore(config: Config, clock: Clock, log: LogFunction): Promise<Store> {
  if (config.postgres !== null) {
    // Loaded only here: a SQLite start does not pay for loading pg.
    const { openPostgresStore } = await import('./store/postgres/store.js');
    return openPostgresStore({
      connectionString: config.postgres,
      ...(config.postgresSchema !== null ? { schema: config.postgresSchema } : {}),
      now: () => clock.now(),
      log: (msg) => log('warn', msg),
    });
  }
  if (isEphemeral(config)) return openSqliteStore({ path: ':memory:' });
  const path = join(config.data, 'switchboard.db');
  const release = claimDataFile(path);
  try {
    const store = await openSqliteStore({
      path,
      onCheckpointFallback: (reason) => log('warn', `${reason}; WAL checkpoints run on the server's thread again`),
    });
    const close = store.close.bind(store);
    store.close = async () => {
      try {
        await close();
      } finally {
        release();
      }
    };
    return store;
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * The timeouts Fastify gives a server it creates itself, which it leaves alone for one from a serverFactory: above all
 * keep-alive 72 s, not Node's 5 s. With 5 s, a client that reuses a pooled connection idle for longer (.NET's
 * HttpClient keeps them a minute) can send a POST just as the server closes it and get a reset instead of an answer.
 */
function keepAliveAsFastify<S extends Server>(server: S, options: FastifyServerOptions): S {
  server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
  server.requestTimeout = options.requestTimeout ?? 0;
  server.setTimeout(options.connectionTimeout ?? 0);
  return server;
}

export async function startSwitchboard(config: Config, opts: StartOptions = {}): Promise<Switchboard> {
  const manual = !opts.clock && config.clock === 'virtual' ? manualClock(Date.now()) : null;
  const clock = opts.clock ?? manual ?? systemClock;
  // Tokens and notification JWTs stay on real time under a virtual clock: bots validate lifetimes with their own
  // clocks and cache tokens by real time, so moving the world's time must not expire them.
  const authClock = manual ? systemClock : clock;
  const ids = opts.ids ?? randomIds;
  const world = opts.world ?? (config.world ? loadWorldFile(config.world) : defaultWorld());
  applyDefaultCallback(world, config.callback);
  const directory = new Directory(world);
  if (!isEphemeral(config)) mkdirSync(config.data, { recursive: true });
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    ...(opts.logDestination ? { destination: opts.logDestination } : {}),
  });
  const log = logFunction(logger);
  const store = await openStore(config, clock, log);
  // Behaviour and fault changes the control API recorded (by any instance, before this start) apply before serving.
  const worldSync = new WorldSync({ changes: store.worldChanges, directory, now: () => authClock.now(), log });
  await worldSync.catchUp();
  const keys = await loadOrCreateSigningKeys(isEphemeral(config) ? null : config.data, authClock.now());
  const tls = await loadOrCreateTls(config.tlsDir, [config.host]);
  const tokens = new TokenService({ keys, directory, clock: authClock });
  // Request limits count real time, like token lifetimes: a bot's retry handler waits in real time.
  const throttle = new GraphThrottle(
    { appTenant: config.throttleAppTenant, app: config.throttleApp, tenant: config.throttleTenant },
    authClock,
  );
  const tokenLimiter = config.tokenRateLimit ? new RateLimiter(config.tokenRateLimit, authClock) : null;
  const lockout = new SecretLockout(DEFAULT_LOCKOUT, authClock);
  const notificationKeys = new NotificationKeyRing({
    ring: keys.notificationRing,
    clock: authClock,
    rotateEveryMs: config.notificationKeyRotation,
    overlapMs: config.notificationKeyOverlap,
    dataDir: isEphemeral(config) ? null : config.data,
  });
  const signer = new NotificationSigner({ key: notificationKeys, issuer: config.notificationIssuer, clock: authClock });

  const feed = new ChangeFeed({
    events: store.events,
    pollMs: FEED_POLL_MS[store.kind],
    gapWaitMs: store.kind === 'postgres' ? FEED_GAP_WAIT_MS : 0,
    log,
    // PostgreSQL's events table is shared and kept; SQLite's is this process's own, in memory (src/store/sqlite/store.ts).
    epoch: store.kind === 'postgres' ? 'postgres' : randomUUID(),
  });
  const retention = new EventRetention(store.events, FEED_KEEP, FEED_PRUNE_EVERY, log);
  const requestLog = new RequestLog({
    events: store.events,
    now: () => clock.now(),
    log,
    afterFlush: (rows) => {
      retention.note(rows);
      feed.wake();
    },
  });

  // Overload honesty (src/service/admission.ts). The backlog is measured on the world's clock, so only on real time:
  // moving a virtual clock would look like notifications waiting for hours.
  const lag = new EventLoopLag();
  // Short turns while connections wait to be accepted (src/api/turn-pacer.ts): one accept per turn in libuv.
  const pacer = new TurnPacer();
  const backlogOnRealTime = clock === systemClock;
  const overload = new Admission(
    {
      lagMs: config.overloadLag,
      backlogMs: backlogOnRealTime ? config.overloadBacklog : null,
      waitMs: config.overloadWait,
    },
    // The backlog of accepted work: notifications waiting to be sent, and timers (an invitee's answer) firing late.
    // Lag: how late the loop runs, or how long a request has waited for its turn in the pacer, whichever is longer.
    {
      lagMs: () => Math.max(lag.sustainedMs, pacer.oldestWaitMs()),
      backlogMs: () => Math.max(dispatcher.backlogMs(), timerLoop?.lateMs() ?? 0),
    },
  );

  let service: CallingService | null = null;
  // The POSTs run on a thread of their own; the dispatcher's bookkeeping stays here (src/notify/delivery-thread.ts).
  const deliveryThread = new DeliveryThread();
  const dispatcher = new NotificationDispatcher({
    post: deliveryThread.post,
    store,
    clock,
    sign: (appId, tenantId) => signer.sign(appId, tenantId),
    log,
    logs: (level) => logger.isLevelEnabled(level),
    onDeliveryFailed: (row) => service?.callbackFailed(row.callId) ?? Promise.resolve(),
    afterRecord: () => {
      retention.note(1);
      feed.wake();
    },
    loopLagMs: () => lag.sustainedMs,
  });
  let timerLoop: TimerLoop | null = null;
  service = new CallingService({
    store,
    directory,
    clock,
    ids,
    ...(opts.batchNotifications !== undefined ? { batchNotifications: opts.batchNotifications } : {}),
    overloadWaitMs: config.overloadWait,
    afterCommit: (written) => {
      if (written.notifications > 0) dispatcher.wake();
      if (written.timers > 0) timerLoop?.wake();
      if (written.events) {
        retention.note(written.events);
        feed.wake();
      }
    },
  });
  timerLoop = new TimerLoop({
    timers: store.timers,
    clock,
    // An invitee's answer is a command like a request's: paced with them while connections wait to be accepted.
    fire: (t) => pacer.runAsync(() => service.fireTimer(t)),
    log,
  });
  const storeRetention =
    config.retention === null ? null : new RetentionLoop({ store, clock, retentionMs: config.retention, log });
  const loop = timerLoop;
  const clockControl = new ClockControl({
    clock,
    manual,
    nextTimerDueAt: () => store.timers.nextDueAt(),
    nextNotificationDueAt: () => store.outbox.nextDueAt(),
    fireDueTimers: () => loop.fireDue(),
    deliverDue: (timeoutMs) => dispatcher.drain(timeoutMs),
  });

  const hosts = hostPolicy(config.host, config.allowedHosts);
  const controlKey = resolveControlKey({
    configured: config.controlKey,
    host: config.host,
    dataDir: isEphemeral(config) ? null : config.data,
  });
  let httpsServer: Server | null = null;
  const app = buildApp(
    {
      config,
      service,
      store,
      tokens,
      throttle,
      notificationKeys,
      clock: clockControl,
      worldSync,
      settleDeliveries: () => dispatcher.settle(),
      hostPolicy: hosts,
      controlKey: controlKey.key,
      logger,
      recordings: new RecordingAudio(isEphemeral(config) ? null : config.data),
      feed,
      requestLog,
      notificationIssuer: config.notificationIssuer,
      auth: {
        tokens,
        directory,
        keys,
        notificationIssuer: config.notificationIssuer,
        tokenLimiter,
        lockout,
        notificationKeys,
      },
    },
    (handler, fastifyOptions) => {
      // The overload door in front of the app (src/api/overload-door.ts): a refusal costs a third of a served echo.
      const handle = withOverloadDoor(
        (req: IncomingMessage, res: ServerResponse): void => handler(req, res),
        { refuse: () => overload.check() !== null, refuseWaited: (ms) => overload.refuseWaited(ms) },
        pacer,
        logger,
      );
      httpsServer = keepAliveAsFastify(
        createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handle),
        fastifyOptions,
      );
      // Fastify installs its clientErrorHandler on the http server only.
      httpsServer.on('clientError', answerClientError);
      const httpServer = keepAliveAsFastify(createHttpServer(handle), fastifyOptions);
      for (const server of [httpServer, httpsServer]) server.on('connection', () => pacer.noteConnection());
      return httpServer;
    },
  );
  let httpPort: number;
  let httpsPort: number;
  try {
    await app.ready();
    httpPort = await listen(app.server, config.port, config.host);
    httpsPort = await listen(httpsServer!, config.httpsPort, config.host);
  } catch (e) {
    // A port in use: close what was opened (the store first of all, so its data directory is free for the next try).
    for (const srv of [app.server, httpsServer!]) if (srv.listening) srv.close();
    await app.close().catch(() => undefined);
    await store.close();
    throw e;
  }
  deliveryThread.start();
  dispatcher.start();
  timerLoop.start();
  if (config.overloadLag !== null) lag.start();
  storeRetention?.start();
  // Only PostgreSQL is shared by several instances; a SQLite store has one, which applies its own changes at once.
  if (store.kind === 'postgres') worldSync.start(WORLD_CHANGE_POLL_MS);

  let closed = false;
  return {
    config,
    httpUrl: `http://${urlHost(config.host)}:${httpPort}`,
    httpsUrl: `https://${urlHost(config.host)}:${httpsPort}`,
    caCertPath: tls.caCertPath,
    directory,
    store,
    service,
    dispatcher,
    retention: storeRetention,
    clock: clockControl,
    routes: registeredRoutes(app),
    app,
    hosts,
    controlKey,
    feed,
    async close() {
      if (closed) return;
      closed = true;
      // From now on every request is refused with a Graph 503 and every response closes its connection
      // (error-envelope.ts); set before anything else, so a request already on its way meets it.
      app.beginDrain();
      // Both listeners were started here (not by fastify), so both are closed here. Stop accepting connections, but
      // keep idle keep-alive ones (http.Server.close would drop them at once, racing a request the client is writing).
      const servers = [app.server, httpsServer!];
      const stopped = Promise.all(
        servers.map((srv) => new Promise<void>((resolve) => NetServer.prototype.close.call(srv, () => resolve()))),
      );
      await app.close();
      // Drain: for up to drainMs a request on an open connection gets its 503 (and the connection closes after it);
      // done early once no connection is left.
      const drainMs = opts.drainMs ?? DRAIN_MS;
      if (drainMs > 0) await settlesWithin(stopped, drainMs, () => undefined);
      // Requests in flight finish (for up to IN_FLIGHT_GRACE_MS); each connection is dropped once it is idle.
      const drained = await settlesWithin(stopped, IN_FLIGHT_GRACE_MS, () =>
        servers.forEach((srv) => srv.closeIdleConnections()),
      );
      if (!drained) log('warn', `shutdown: requests still running after ${IN_FLIGHT_GRACE_MS} ms were cut off`);
      for (const srv of servers) srv.closeAllConnections();
      await stopped;
      // http.Server.close, now that nothing is left to drop: it also stops the server's request-timeout interval.
      for (const srv of servers) srv.close();
      feed.stop();
      await requestLog.close();
      lag.stop();
      await storeRetention?.stop();
      await timerLoop.stop();
      await worldSync.stop();
      // Deliver what can be delivered now; anything failing or backing off stays in the outbox for the next start.
      if (!(await dispatcher.drain(FLUSH_GRACE_MS)))
        log('warn', `shutdown: notifications still due after ${FLUSH_GRACE_MS} ms are delivered after the next start`);
      await dispatcher.stop();
      await deliveryThread.close();
      await store.close();
    },
  };
}
