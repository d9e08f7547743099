/**
 * A fake Teams calling bot: an http server on 127.0.0.1 that receives Switchboard's callback POSTs, optionally
 * validates the bearer JWT the way the comms SDK does, and lets tests wait for notifications.
 *
 *   const bot = await startFakeBot({ verify: { openIdConfigUrl, appId } });
 *   // create a call with callbackUri: bot.url …
 *   const n = await bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceUrl.endsWith(`/operations/${opId}`));
 *   expect(n.verified).toBe(true); expect(bot.problems).toEqual([]);
 *   await bot.close();
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { validateNotificationEnvelope } from './graph-schema.js';

export interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  /** The whole commsNotifications envelope of the POST that carried this notification. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON the tests poke into
  body: any;
  /** One entry of body.value. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON the tests poke into
  item: any;
  /** Position of `item` in body.value. */
  index: number;
  /** Sequence number of the POST (delivery) that carried it. */
  delivery: number;
  path: string;
  receivedAt: number;
  /** True when verification is off, or the JWT passed it. */
  verified: boolean;
  verifyError?: string;
  tokenClaims?: JWTPayload;
  messageId: string | undefined;
  /** Same x-microsoft-skype-message-id seen before (a retry). */
  redelivery: boolean;
  /** Status the bot answered. */
  status: number;
}

export interface FakeBotRequest {
  headers: IncomingHttpHeaders;
  body: unknown;
  path: string;
  tokenClaims?: JWTPayload;
}

export interface FakeBotOptions {
  verify?: {
    openIdConfigUrl: string;
    appId: string;
    /** Accepted issuers; default https://api.botframework.com. */
    issuer?: string | string[];
    /** PEM CA to trust when the OpenID config / JWKS are served over https by the local CA. */
    ca?: string;
    /** The time to validate lifetimes against (the server's, when a test moves the server's clock). */
    now?: () => number;
  };
  /** Status to answer a verified delivery (default 202, what the comms SDK answers). May be async to simulate a slow bot. */
  respond?: (req: FakeBotRequest) => number | Promise<number>;
  /** Extra response headers for a delivery answered with `status` (e.g. Retry-After on a 429). */
  headers?: (status: number) => Record<string, string>;
  /** Port to listen on (default: any free one), e.g. one the callback refused connections on until now. */
  port?: number;
  /** Also validate every envelope against the Graph schemas; failures go to `problems`. */
  validateSchema?: boolean;
}

export interface WaitOptions {
  timeoutMs?: number;
  description?: string;
  /** Only consider notifications at or after this position in `notifications`. */
  since?: number;
}

export interface FakeBot {
  url: string;
  notifications: ReceivedNotification[];
  /** Protocol issues seen (missing/duplicate message ids, bad JSON, schema failures); tests should expect []. */
  problems: string[];
  waitFor(predicate: (n: ReceivedNotification) => boolean, opts?: WaitOptions): Promise<ReceivedNotification>;
  waitForCount(
    count: number,
    opts?: WaitOptions & { predicate?: (n: ReceivedNotification) => boolean },
  ): Promise<ReceivedNotification[]>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
// Microsoft.IdentityModel's default ClockSkew, which the comms SDK leaves unchanged.
const CLOCK_SKEW = '5m';

/** GET over https trusting `ca` (global fetch takes no per-request CA on Node 20). */
function caFetch(ca: string) {
  return (url: string): Promise<Response> =>
    new Promise((resolve, reject) => {
      httpsRequest(url, { ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500 })));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
}

function createVerifier(
  verify: NonNullable<FakeBotOptions['verify']>,
): (authorization: string | undefined) => Promise<JWTPayload> {
  const get = verify.ca ? caFetch(verify.ca) : (url: string) => fetch(url);
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const loadKeys = async (): Promise<JWTVerifyGetKey> => {
    const res = await get(verify.openIdConfigUrl);
    if (!res.ok) throw new Error(`OpenID config ${verify.openIdConfigUrl} answered ${res.status}`);
    const { jwks_uri: jwksUri } = (await res.json()) as { jwks_uri?: string };
    if (!jwksUri) throw new Error(`OpenID config ${verify.openIdConfigUrl} has no jwks_uri`);
    // cooldown 0: a new kid (key rotation) is fetched at once instead of after jose's 30 s default.
    return createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 0, ...(verify.ca ? { [customFetch]: get } : {}) });
  };
  return async (authorization) => {
    const m = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!m) throw new Error('no Authorization: Bearer header');
    keys ??= loadKeys().catch((err: unknown) => {
      keys = undefined; // retry discovery on the next delivery
      throw err;
    });
    const { payload } = await jwtVerify(m[1]!, await keys, {
      algorithms: ['RS256'],
      audience: verify.appId,
      issuer: verify.issuer ?? BOT_FRAMEWORK_ISSUER,
      clockTolerance: CLOCK_SKEW,
      requiredClaims: ['exp', 'tid'],
      ...(verify.now ? { currentDate: new Date(verify.now()) } : {}),
    });
    return payload;
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** One line per notification, for timeout messages. */
export function describeNotifications(list: ReceivedNotification[]): string {
  if (list.length === 0) return '  (nothing)';
  return list
    .map((n, i) => {
      const data = n.item?.resourceData;
      const what = Array.isArray(data)
        ? `roster(${data.length})`
        : data?.state !== undefined
          ? `state=${String(data.state)}`
          : data?.status !== undefined
            ? `status=${String(data.status)}`
            : '';
      const flags = `${n.verified ? '' : `UNVERIFIED(${n.verifyError ?? ''}) `}answered ${n.status}`;
      return `  #${i} ${String(n.item?.changeType)} ${String(n.item?.resourceUrl)} ${what} [${flags}]`;
    })
    .join('\n');
}

export async function startFakeBot(opts: FakeBotOptions = {}): Promise<FakeBot> {
  const notifications: ReceivedNotification[] = [];
  const problems: string[] = [];
  const answeredById = new Map<string, number>();
  const waiters = new Set<{ check: () => boolean; fail: (err: Error) => void }>();
  const verifier = opts.verify ? createVerifier(opts.verify) : undefined;
  let deliveries = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? '/';
    if (req.method !== 'POST' || !path.startsWith('/api/calls')) return void res.writeHead(405).end();
    const raw = await readBody(req);
    const delivery = deliveries++;
    let body: { value?: unknown } | undefined;
    try {
      body = JSON.parse(raw) as { value?: unknown };
    } catch {
      problems.push(`delivery ${delivery}: body is not JSON: ${raw.slice(0, 200)}`);
    }
    if (body !== undefined && !Array.isArray(body.value))
      problems.push(`delivery ${delivery}: body has no value array`);
    if (body === undefined || !Array.isArray(body.value)) return void res.writeHead(400).end();
    if (opts.validateSchema) {
      try {
        validateNotificationEnvelope(body);
      } catch (err) {
        problems.push(`delivery ${delivery}: ${(err as Error).message}`);
      }
    }

    let verified = true;
    let verifyError: string | undefined;
    let tokenClaims: JWTPayload | undefined;
    if (verifier) {
      try {
        tokenClaims = await verifier(req.headers.authorization);
      } catch (err) {
        verified = false;
        verifyError = (err as Error).message;
      }
    }
    // The comms SDK's HTTP layer answers 403 when inbound validation fails.
    const status = verified ? await (opts.respond?.({ headers: req.headers, body, path, tokenClaims }) ?? 202) : 403;

    const header = req.headers['x-microsoft-skype-message-id'];
    const messageId = Array.isArray(header) ? header[0] : header;
    const previous = messageId === undefined ? undefined : answeredById.get(messageId);
    if (messageId === undefined) problems.push(`delivery ${delivery}: no x-microsoft-skype-message-id header`);
    else if (previous !== undefined && previous >= 200 && previous < 300) {
      problems.push(`delivery ${delivery}: message id ${messageId} was already delivered and accepted (${previous})`);
    }
    if (messageId !== undefined) answeredById.set(messageId, status);

    const receivedAt = Date.now();
    body.value.forEach((item, index) => {
      notifications.push({
        headers: req.headers,
        body,
        item,
        index,
        delivery,
        path,
        receivedAt,
        verified,
        verifyError,
        tokenClaims,
        messageId,
        redelivery: previous !== undefined,
        status,
      });
    });
    res.writeHead(status, opts.headers?.(status) ?? {}).end();
    for (const w of waiters) w.check();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      problems.push(`bot error: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/calls`;

  const wait = <T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const waiter = {
        check: () => {
          const found = find();
          if (found === undefined) return false;
          cleanup();
          resolve(found);
          return true;
        },
        fail: (err: Error) => {
          cleanup();
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        const extra = problems.length > 0 ? `\nproblems:\n  ${problems.join('\n  ')}` : '';
        waiter.fail(
          new Error(
            `fake bot: timed out after ${timeoutMs} ms waiting for ${what}; received ${notifications.length}:\n${describeNotifications(notifications)}${extra}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
      waiter.check();
    });

  return {
    url,
    notifications,
    problems,
    waitFor: (predicate, o = {}) =>
      wait(
        () => notifications.slice(o.since ?? 0).find(predicate),
        o.description ?? 'a matching notification',
        o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ),
    waitForCount: (count, o = {}) =>
      wait(
        () => {
          const hits = notifications.slice(o.since ?? 0).filter(o.predicate ?? (() => true));
          return hits.length >= count ? hits.slice(0, count) : undefined;
        },
        o.description ?? `${count} notification(s)`,
        o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ),
    close: async () => {
      for (const w of waiters) w.fail(new Error('fake bot closed while waiting'));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A participant as a roster notification lists it (JSON, read loosely). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RosterEntry = any;

/**
 * The entry of one participant in a roster notification: by participant id, or by the user id, phone number or
 * application id of its identity. A roster `updated` lists the whole roster (as Graph does), a `deleted` those who left.
 */
export function rosterEntry(n: ReceivedNotification, who: string): RosterEntry {
  const list: RosterEntry[] = Array.isArray(n.item.resourceData) ? n.item.resourceData : [];
  return list.find(
    (p) =>
      p.id === who ||
      p.info?.identity?.user?.id === who ||
      p.info?.identity?.phone?.id === who ||
      p.info?.identity?.application?.id === who,
  );
}

/** The user ids a roster notification lists (bots and phones have none), in its order. */
export function rosterUserIds(n: ReceivedNotification): string[] {
  const list: RosterEntry[] = Array.isArray(n.item.resourceData) ? n.item.resourceData : [];
  return list
    .map((p) => p.info?.identity?.user?.id as string | undefined)
    .filter((id): id is string => id !== undefined);
}
