/**
 * The control API: what only a person or the phone network can do (call the bot), and a read side that shows
 * what was sent. Served on the same ports as Graph under /_switchboard; it needs no Graph token, and beyond
 * loopback (or with --control-key) it needs the control key (src/sim/control-key.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingCallCommand } from '../domain/call.js';
import { toGraphCall } from '../domain/render.js';
import { badRequest, GraphError, orThrow } from '../http/errors.js';
import { incomingCallBodySchema } from './control-schemas.js';
import { bodyValidator } from '../http/validate.js';
import type { CallingService } from '../service/calling-service.js';
import type { OutboxRow, Store } from '../store/store.js';
import { callsViewRoutes, notificationView } from './calls-view.js';
import { clockRoutes } from './clock-routes.js';
import type { Directory } from './directory.js';
import { FaultsError, parseFaults } from './faults.js';
import type { WorldSync } from './world-sync.js';
import { peopleRoutes } from './people-routes.js';
import { mediaControlRoutes } from './media-routes.js';
import { softphoneRoutes, type CommitFeed } from './softphone-routes.js';
import { RecordingAudio } from './recording-audio.js';
import type { ClockControl } from './virtual-time.js';
import type { RouteInfo } from '../app.js';
import { resetRoutes } from './reset-routes.js';
import { statusRoutes } from './status-routes.js';
import { worldRoutes } from './world-routes.js';

const parseIncoming = bodyValidator<IncomingCallCommand>(incomingCallBodySchema);

export interface ControlDeps {
  service: CallingService;
  store: Store;
  clock: ClockControl;
  directory: Directory;
  worldSync: WorldSync;
  /** Every route the app serves, for the index (GET /_switchboard/). */
  routes: () => readonly RouteInfo[];
  /** The change feed: a softphone's stream sends a fresh screen after each change (absent: at each lease renewal). */
  feed?: CommitFeed;
  /** Recordings softphones made (absent: kept in memory). */
  recordings?: RecordingAudio;
  /** Waits for notification deliveries in flight (a reset answers after them). */
  settleDeliveries?: () => Promise<void>;
}

export function controlRoutes(app: FastifyInstance, deps: ControlDeps): void {
  worldRoutes(app, deps);
  resetRoutes(app, {
    store: deps.store,
    worldSync: deps.worldSync,
    now: () => deps.worldSync.now(),
    ...(deps.settleDeliveries ? { settleDeliveries: deps.settleDeliveries } : {}),
  });
  statusRoutes(app, { store: deps.store });
  clockRoutes(app, deps.clock, deps.store.events);
  peopleRoutes(app, deps);
  callsViewRoutes(app, deps.store);
  const recordings = deps.recordings ?? new RecordingAudio(null);
  mediaControlRoutes(app, { service: deps.service, recordings });
  softphoneRoutes(app, {
    service: deps.service,
    store: deps.store,
    directory: deps.directory,
    worldSync: deps.worldSync,
    now: () => deps.clock.now(),
    recordings,
    ...(deps.feed ? { feed: deps.feed } : {}),
  });

  app.post('/_switchboard/incoming-calls', async (req, reply) => {
    const leg = orThrow(await deps.service.incomingCall(parseIncoming(req.body)));
    return reply.code(201).send(toGraphCall(leg, undefined));
  });

  // The world's injected faults (spec 9.3, 9.7), replaced as a whole; they apply to requests made from then on.
  // Recorded in the store, so every instance applies them (src/sim/world-sync.ts); a read catches up first.
  app.get('/_switchboard/faults', async () => {
    await deps.worldSync.catchUp();
    return { faults: deps.directory.world.faults ?? [] };
  });
  app.put('/_switchboard/faults', async (req) => {
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('The body must be an object {"faults": [...]}.', 'faults');
    const extra = Object.keys(body).find((k) => k !== 'faults');
    if (extra !== undefined) throw badRequest(`${extra} is not a property of the faults body (faults).`, extra);
    const raw = (body as { faults?: unknown }).faults;
    if (raw === undefined) throw badRequest('faults is required (an empty list clears every fault).', 'faults');
    try {
      parseFaults(raw, 'faults'); // checked before it is recorded: a bad list changes nothing
    } catch (err) {
      if (err instanceof FaultsError) throw badRequest(`${err.message}.`, err.message.split(' ')[0]);
      throw err;
    }
    await deps.worldSync.setFaults(raw);
    return { faults: deps.directory.world.faults ?? [] };
  });

  app.get<{ Querystring: { callId?: string; limit?: string; after?: string; newest?: string } }>(
    '/_switchboard/notifications',
    async (req) => {
      const limit = req.query.limit === undefined ? 1000 : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw badRequest('limit must be a whole number from 1 to 10000.', 'limit');
      const after = req.query.after === undefined ? 0 : Number(req.query.after);
      if (!Number.isInteger(after) || after < 0)
        throw badRequest('after must be a sequence number (a whole number, 0 or more).', 'after');
      const newest = req.query.newest;
      if (newest !== undefined && newest !== 'true' && newest !== 'false')
        throw badRequest(`newest must be true or false; got '${newest}'.`, 'newest');
      const rows = await deps.store.outbox.list({
        ...(req.query.callId ? { callId: req.query.callId.toLowerCase() } : {}),
        limit,
        afterSeq: after,
        newest: newest === 'true',
      });
      const attempts = await deps.store.outbox.attempts(rows.map((r) => r.seq));
      return { value: rows.map((r) => notificationView(r, attempts)) };
    },
  );

  // Dead letters are kept, never sent again on their own: these send them again, unchanged (the same
  // X-Microsoft-Skype-Message-ID and body; a fresh JWT), in the call's order, with a fresh dead-letter horizon.
  const redelivered = async (rows: OutboxRow[]): Promise<Record<string, unknown>[]> => {
    const attempts = await deps.store.outbox.attempts(rows.map((r) => r.seq));
    return rows.map((r) => notificationView(r, attempts));
  };
  app.post<{ Params: { messageId: string } }>('/_switchboard/notifications/:messageId/redeliver', async (req) => {
    const { messageId } = req.params;
    const { matched, requeued } = await deps.service.redeliverDeadLetters({ messageId });
    if (matched === 0)
      throw new GraphError(404, 'itemNotFound', `No notification has the message id '${messageId}'.`, 'messageId');
    if (requeued.length === 0)
      throw new GraphError(
        409,
        'Conflict',
        `The notification '${messageId}' is not dead-lettered: only dead letters are sent again (it is pending, retrying or delivered).`,
        'messageId',
      );
    return { value: await redelivered(requeued) };
  });
  app.post<{ Params: { callId: string } }>('/_switchboard/calls/:callId/notifications/redeliver', async (req) => {
    const callId = req.params.callId.toLowerCase();
    const { matched, requeued } = await deps.service.redeliverDeadLetters({ callId });
    if (matched === 0)
      throw new GraphError(
        404,
        'itemNotFound',
        `No notification was ever written for the call '${req.params.callId}'.`,
        'callId',
      );
    // Nothing dead-lettered is not an error: "send again whatever is dead" has nothing to do.
    return { value: await redelivered(requeued) };
  });

  // Dead letters are kept by retention until redelivered or purged here (deleted for good, with their attempts).
  app.post<{ Params: { messageId: string } }>('/_switchboard/notifications/:messageId/purge', async (req) => {
    const { messageId } = req.params;
    const { matched, purged } = await deps.service.purgeDeadLetters({ messageId });
    if (matched === 0)
      throw new GraphError(404, 'itemNotFound', `No notification has the message id '${messageId}'.`, 'messageId');
    if (purged === 0)
      throw new GraphError(
        409,
        'Conflict',
        `The notification '${messageId}' is not dead-lettered: only dead letters are purged (it is pending, retrying or delivered).`,
        'messageId',
      );
    return { purged };
  });
  app.post<{ Params: { callId: string } }>('/_switchboard/calls/:callId/notifications/purge', async (req) => {
    const { matched, purged } = await deps.service.purgeDeadLetters({ callId: req.params.callId.toLowerCase() });
    if (matched === 0)
      throw new GraphError(
        404,
        'itemNotFound',
        `No notification was ever written for the call '${req.params.callId}'.`,
        'callId',
      );
    return { purged };
  });
  app.post('/_switchboard/notifications/purge', async () => ({
    purged: (await deps.service.purgeDeadLetters('all')).purged,
  }));
}
