/**
 * Guarantee 5 (throttling): request limits answer 429 in Graph's throttling shape with Retry-After, change nothing,
 * and the official clients' retry handlers (Graph JS client RetryHandler, Kiota's RetryHandler) wait and succeed
 * without the bot noticing. Two servers with small limits: a long window (nothing resets during a test, so every
 * expectation is exact) and a one-second window for the retry handlers, which do wait in real time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import {
  APP,
  inviteUser,
  MEETING_A,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
  type RawResponse,
} from './fixture.js';
import { GRAPH_DATE, GUID, QUIET_MS } from './raw/helpers.js';
import { recordingGraphClient } from './recording-graph-client.js';

const SIBLING_APP = { id: '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c01', secret: 'sibling-secret' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

it('defaults to Graph’s published limits: 50,000 per 15 s per app per tenant, 130,000 per 10 s per app', () => {
  expect(DEFAULTS.throttleAppTenant).toEqual({ requests: 50_000, windowMs: 15_000 });
  expect(DEFAULTS.throttleApp).toEqual({ requests: 130_000, windowMs: 10_000 });
});

describe('guarantee 5: a limit of 10 requests per 10 minutes per app in the tenant', () => {
  const LIMIT = 10;
  let c: Conformance;
  let callId: string;

  beforeAll(async () => {
    c = await startConformance(
      (w) => {
        const contoso = w.tenants[0]!;
        contoso.apps.push({
          id: SIBLING_APP.id,
          displayName: 'Sibling bot',
          secret: SIBLING_APP.secret,
          roles: [...contoso.apps[0]!.roles],
          callbackUri: null,
          instances: [],
        });
      },
      { config: { throttleAppTenant: { requests: LIMIT, windowMs: 600_000 } } },
    );
    callId = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
  });

  const get = (token?: string): Promise<RawResponse> =>
    c.raw('GET', `/v1.0/communications/calls/${callId}`, undefined, {
      'client-request-id': randomUUID(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });

  it('serves the app up to its limit, then answers 429 TooManyRequests in Graph’s shape with Retry-After and the scope', async () => {
    // joinMeeting already spent part of the window; nothing resets it during this file.
    const sent: RawResponse[] = [];
    while (sent.length <= LIMIT && sent.at(-1)?.status !== 429) sent.push(await get());
    const res = sent.pop()!;
    expect(res.status).toBe(429);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(LIMIT);
    expect(sent.map((r) => r.status)).toEqual(sent.map(() => 200));
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(res.headers.get('x-ms-throttle-scope')).toBe(`Tenant_Application/ReadWrite/${APP}/${TENANT}`);
    expect(res.body).toEqual({
      error: {
        code: 'TooManyRequests',
        message: 'Please retry again later.',
        innerError: {
          code: '429',
          message: 'Please retry after',
          status: '429',
          date: expect.stringMatching(GRAPH_DATE),
          'request-id': expect.stringMatching(GUID),
          'client-request-id': expect.stringMatching(GUID),
        },
      },
    });
  });

  it('a throttled invite changes nothing', async () => {
    const view = async (): Promise<unknown> => (await fetch(`${c.server.httpUrl}/_switchboard/calls/${callId}`)).json();
    const before = await view();
    const notified = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.megan)],
    });
    expect(res.status, res.text).toBe(429);
    await sleep(QUIET_MS);
    expect(await view()).toEqual(before);
    expect(c.bot.notifications.length).toBe(notified);
  });

  it('another app of the tenant has its own window and is still served', async () => {
    const sibling = await c.server.token({ appId: SIBLING_APP.id, secret: SIBLING_APP.secret });
    // 404, not 429: served (the call is not the sibling's). Per-app and per-tenant windows: test/auth/throttle.test.ts.
    const res = await get(sibling);
    expect(res.status, res.text).toBe(404);
    expect((await get()).status).toBe(429);
  });
});

describe('guarantee 5: the official clients’ retry handlers recover (3 requests per second)', () => {
  const LIMIT = 3;
  let c: Conformance;
  let callId: string;

  beforeAll(async () => {
    c = await startConformance(undefined, { config: { throttleAppTenant: { requests: LIMIT, windowMs: 1000 } } });
    callId = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
  });

  it('the Graph JS client’s RetryHandler waits Retry-After and returns every result', async () => {
    const { graph, statuses } = recordingGraphClient(c);
    // Twice the limit at once: the first window cannot serve them all.
    const calls = (await Promise.all(
      Array.from({ length: 2 * LIMIT }, () => graph.api(`/communications/calls/${callId}`).get()),
    )) as { id: string }[];
    expect(calls.map((x) => x.id)).toEqual(calls.map(() => callId));
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2 * LIMIT);
  });

  it('Kiota’s RetryHandler waits Retry-After and returns every result', async () => {
    const from = c.kiota.exchanges.length;
    const calls = await Promise.all(Array.from({ length: 2 * LIMIT }, () => c.kiota.calls.byCallId(callId).get()));
    expect(calls.map((x) => x?.id)).toEqual(calls.map(() => callId));
    const statuses = c.kiota.exchanges.slice(from).map((x) => x.status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2 * LIMIT);
  });
});
