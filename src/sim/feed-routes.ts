/**
 * The change feed over HTTP, for the dashboard: `GET /_switchboard/events` streams it as server-sent events (from
 * `?after=` or `Last-Event-ID`: the backlog first, then live; without `Accept: text/event-stream`, one JSON page); `GET /_switchboard/calls/{id}/timeline` is one
 * conversation's events (its commands, and its legs' Graph requests and delivery attempts) with its notifications;
 * `POST /_switchboard/notification-tokens/verify` decodes a notification JWT and checks it against the published
 * notification keys. Read side only: nothing here changes state.
 */
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import type { FastifyInstance } from 'fastify';
import { badRequest, GraphError } from '../http/errors.js';
import type { FeedEvent, Store } from '../store/store.js';
import { notificationView } from './calls-view.js';
import type { ChangeFeed } from './feed.js';

export interface FeedRouteDeps {
  store: Store;
  feed: ChangeFeed;
  /** The notification keys bots may see now (the JWKS behind /.well-known/OpenIdConfiguration). */
  publishedKeys: () => Promise<JWK[]>;
  notificationIssuer: string;
}

const KEEP_ALIVE_MS = 15_000;
const TIMELINE_LIMIT = 5_000;
const JSON_PAGE = 500;

const sse = (e: FeedEvent): string => `id: ${e.seq}\nevent: feed\ndata: ${JSON.stringify(e)}\n\n`;

function afterOf(query: string | undefined, lastEventId: string | string[] | undefined): number {
  const raw = query ?? (typeof lastEventId === 'string' ? lastEventId : undefined);
  if (raw === undefined || raw === '') return -1;
  // Digits only: Number() would also take '0x10', '1e3' or ' 5'.
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n))
    throw badRequest(`after must be a sequence number (a whole number, 0 or more); got '${raw}'.`, 'after');
  return n;
}

/** The call ids a conversation's command events name (legs and notification targets). */
function callIdsOf(events: readonly FeedEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'command') continue;
    for (const l of (e.body.legs as { id: string }[] | undefined) ?? []) ids.add(l.id);
    for (const n of (e.body.notifications as { callId: string }[] | undefined) ?? []) ids.add(n.callId);
    for (const o of (e.body.operations as { callId: string }[] | undefined) ?? []) ids.add(o.callId);
  }
  return ids;
}

export function feedRoutes(app: FastifyInstance, deps: FeedRouteDeps): void {
  const open = new Set<() => void>();
  // Streams never end by themselves: close them when the server closes, so shutdown does not wait for them.
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    done();
  });

  app.get<{ Querystring: { after?: string; epoch?: string } }>('/_switchboard/events', async (req, reply) => {
    // A seq from another epoch (this server restarted with a feed of its own) names nothing here: start from now.
    const after =
      req.query.epoch !== undefined && req.query.epoch !== deps.feed.epoch
        ? -1
        : afterOf(req.query.after, req.headers['last-event-id']);
    // A client that does not ask for a stream (no `Accept: text/event-stream`, as EventSource and the dashboard send)
    // gets one page of the feed as JSON instead: scripts can read it, and nothing waits on an endless answer.
    if (!/text\/event-stream/i.test(req.headers.accept ?? '')) {
      const value = await deps.store.events.after(Math.max(after, 0), JSON_PAGE);
      return reply.send({ value, next: value.length > 0 ? value[value.length - 1]!.seq : Math.max(after, 0) });
    }
    // HEAD (Fastify answers it with the GET route): the headers only, not an endless stream.
    if (req.method === 'HEAD')
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .send();
    const queued: FeedEvent[] = [];
    let ready = false;
    let lastSent = 0;
    const raw = reply.raw;
    const send = (events: readonly FeedEvent[]): void => {
      const text = events
        .filter((e) => e.seq > lastSent)
        .map(sse)
        .join('');
      if (text === '') return;
      lastSent = events[events.length - 1]!.seq;
      raw.write(text);
    };
    const { head, unsubscribe } = await deps.feed.subscribe((events) => {
      if (ready) send(events);
      else queued.push(...events);
    });
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    // `ready` tells the page where the feed stands (and that it is connected); without ?after it starts from now.
    raw.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ head, epoch: deps.feed.epoch })}\n\n`);
    lastSent = after < 0 ? head : after;
    if (after >= 0 && after < head) send(await deps.feed.backlog(after, head));
    lastSent = Math.max(lastSent, head);
    ready = true;
    send(queued);
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const end = (): void => {
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(end);
      raw.end();
    };
    open.add(end);
    raw.on('close', end);
  });

  // Ended legs are deleted from the store (Graph answers 404); the feed remembers them while it holds their end.
  app.get<{ Querystring: { limit?: string } }>('/_switchboard/ended-calls', async (req) => {
    const limit =
      req.query.limit === undefined ? 50 : /^\d{1,4}$/.test(req.query.limit) ? Number(req.query.limit) : NaN;
    if (!(limit >= 1 && limit <= 1000))
      throw badRequest(`limit must be a whole number from 1 to 1000; got '${req.query.limit}'.`, 'limit');
    const value: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    for (const e of await deps.store.events.commandsMentioning('"state":"terminated"', limit)) {
      for (const l of (e.body.legs as { id: string; state: string; appId: string; direction: string }[] | undefined) ??
        []) {
        if (l.state !== 'terminated' || seen.has(l.id)) continue;
        seen.add(l.id);
        value.push({
          id: l.id,
          appId: l.appId,
          direction: l.direction,
          conversationId: e.conversationId,
          endedDateTime: new Date(e.at).toISOString(),
        });
      }
    }
    return { value: value.slice(0, limit) };
  });

  app.get<{ Params: { id: string } }>('/_switchboard/calls/:id/timeline', async (req) => {
    const id = req.params.id.toLowerCase();
    const live = await deps.store.transact(async (tx) => {
      const leg = await tx.getLeg(id);
      return leg
        ? {
            conversationId: leg.conversationId,
            legs: (await tx.legsInConversation(leg.conversationId)).map((l) => l.id),
          }
        : null;
    });
    // An ended leg is gone from the store; the feed still knows its conversation (until pruned).
    const conversationId =
      live?.conversationId ?? (await deps.store.events.commandsMentioning(id, 1))[0]?.conversationId ?? null;
    if (conversationId === null)
      throw new GraphError(
        404,
        'itemNotFound',
        `No call ${req.params.id} in the change feed (never seen, or pruned since).`,
      );
    const first = await deps.store.events.ofConversation(conversationId, [id, ...(live?.legs ?? [])], TIMELINE_LIMIT);
    const callIds = new Set([id, ...(live?.legs ?? []), ...callIdsOf(first)]);
    // With the legs' own events: requests, deliveries, and timers that fired and changed nothing (no conversation).
    const events = await deps.store.events.ofConversation(conversationId, [...callIds], TIMELINE_LIMIT);
    const notifications = [];
    for (const callId of callIds) {
      const rows = await deps.store.outbox.list({ callId, limit: 10_000 });
      const attempts = await deps.store.outbox.attempts(rows.map((r) => r.seq));
      notifications.push(...rows.map((r) => notificationView(r, attempts)));
    }
    notifications.sort((a, b) => (a.sequence as number) - (b.sequence as number));
    return { callId: id, conversationId, callIds: [...callIds], live: live !== null, events, notifications };
  });

  app.post('/_switchboard/notification-tokens/verify', async (req) => {
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '')
      throw badRequest('token is required: the notification JWT to check.', 'token');
    let header: unknown;
    let claims: unknown;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch (err) {
      throw badRequest(`token is not a JWT: ${(err as Error).message}`, 'token');
    }
    try {
      await jwtVerify(token, createLocalJWKSet({ keys: await deps.publishedKeys() }), {
        algorithms: ['RS256'],
        issuer: deps.notificationIssuer,
      });
      return { header, claims, verified: true, error: null };
    } catch (err) {
      return { header, claims, verified: false, error: (err as Error).message };
    }
  });
}
