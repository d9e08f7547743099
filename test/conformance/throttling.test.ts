/**
 * Guarantee 5 (throttling): per-app-in-tenant, per-app and per-tenant request limits answer 429 in Graph's
 * throttling shape with Retry-After, change nothing, and the official clients' retry handlers (Graph JS client
 * RetryHandler, Kiota's RetryHandler) wait and succeed without the bot noticing. Limits are set small here.
 */
import { randomUUID } from 'node:crypto';
import { Client, MiddlewareFactory, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { GUID, GRAPH_DATE } from './raw/helpers.js';
import { inviteUser, MEETING_A, startConformance, USERS, type Conformance, type RawResponse } from './fixture.js';

const LIMIT = 3;
const SIBLING_APP = { id: '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c01', secret: 'sibling-secret' };

/** Records the status of every exchange the Graph JS client's chain sends (after its RetryHandler). */
class StatusRecorder implements Middleware {
  readonly statuses: number[] = [];
  private next: Middleware | undefined;
  async execute(context: Context): Promise<void> {
    await this.next!.execute(context);
    this.statuses.push(context.response!.status);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

describe('guarantee 5: throttling', () => {
  let c: Conformance;
  let callId: string;

  beforeAll(async () => {
    c = await startConformance((w) => {
      const contoso = w.tenants[0]!;
      contoso.apps.push({ id: SIBLING_APP.id, displayName: 'Sibling bot', secret: SIBLING_APP.secret, roles: [...contoso.apps[0]!.roles], callbackUri: null, instances: [] });
    }, { config: { throttleAppTenant: { requests: LIMIT, windowMs: 1000 } } });
    callId = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
  });

  /** Raw requests (no retry) until one is throttled; the window is at most LIMIT requests old by then. */
  async function untilThrottled(token?: string): Promise<RawResponse[]> {
    const sent: RawResponse[] = [];
    for (let i = 0; i <= 2 * LIMIT; i++) {
      const res = await c.raw('GET', `/v1.0/communications/calls/${callId}`, undefined, { 'client-request-id': randomUUID(), ...(token ? { authorization: `Bearer ${token}` } : {}) });
      sent.push(res);
      if (res.status === 429) return sent;
    }
    throw new Error(`never throttled: ${sent.map((r) => r.status).join(',')}`);
  }

  it('defaults to Graph’s published limits: 50,000 per 15 s per app per tenant, 130,000 per 10 s per app', () => {
    expect(DEFAULTS.throttleAppTenant).toEqual({ requests: 50_000, windowMs: 15_000 });
    expect(DEFAULTS.throttleApp).toEqual({ requests: 130_000, windowMs: 10_000 });
  });

  it('answers 429 TooManyRequests in Graph’s shape, with Retry-After and the exhausted scope', async () => {
    const sent = await untilThrottled();
    expect(sent.length).toBeLessThanOrEqual(LIMIT + 1);
    const res = sent.at(-1)!;
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(1);
    expect(res.headers.get('x-ms-throttle-scope')).toBe(`Tenant_Application/ReadWrite/${c.server.sb.directory.world.tenants[0]!.apps[0]!.id}/${c.server.sb.directory.world.tenants[0]!.id}`);
    expect(res.body).toEqual({
      error: {
        code: 'TooManyRequests',
        message: 'Please retry again later.',
        innerError: { code: '429', message: 'Please retry after', status: '429', date: expect.stringMatching(GRAPH_DATE), 'request-id': expect.stringMatching(GUID), 'client-request-id': expect.any(String) },
      },
    });
  });

  it('a throttled invite changes nothing', async () => {
    await untilThrottled();
    const before = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, { participants: [inviteUser(USERS.megan)] });
    expect(res.status).toBe(429);
    await new Promise((r) => setTimeout(r, 1100));
    const roster = await c.raw('GET', `/v1.0/communications/calls/${callId}/participants`);
    expect(roster.status).toBe(200);
    expect(roster.body.value.some((p: { info: { identity: { user?: { id: string } } } }) => p.info.identity.user?.id === USERS.megan)).toBe(false);
    expect(c.bot.notifications.length).toBe(before);
  });

  it('limits each app in the tenant on its own: another app is still served', async () => {
    await untilThrottled();
    const sibling = await c.server.token({ appId: SIBLING_APP.id, secret: SIBLING_APP.secret });
    // Served (404: the call is not the sibling's), not throttled. Per-tenant and per-app windows: test/auth/throttle.test.ts.
    const res = await c.raw('GET', `/v1.0/communications/calls/${callId}`, undefined, { authorization: `Bearer ${sibling}` });
    expect(res.status, res.text).toBe(404);
  });

  it('the Graph JS client’s RetryHandler waits Retry-After and succeeds transparently', async () => {
    const recorder = new StatusRecorder();
    const chain = MiddlewareFactory.getDefaultMiddlewareChain({ getAccessToken: () => c.token() });
    chain.splice(-1, 0, recorder);
    const graph = Client.initWithMiddleware({ baseUrl: c.server.httpsUrl, customHosts: new Set(['127.0.0.1']), defaultVersion: 'v1.0', middleware: chain });
    for (let i = 0; i < 2 * LIMIT; i++) {
      const call = (await graph.api(`/communications/calls/${callId}`).get()) as { id: string };
      expect(call.id).toBe(callId);
    }
    expect(recorder.statuses).toContain(429);
    expect(recorder.statuses.at(-1)).toBe(200);
    expect(recorder.statuses.filter((s) => s === 200)).toHaveLength(2 * LIMIT);
  });

  it('Kiota’s RetryHandler waits Retry-After and succeeds transparently', async () => {
    const from = c.kiota.exchanges.length;
    for (let i = 0; i < 2 * LIMIT; i++) {
      const call = await c.kiota.calls.byCallId(callId).get();
      expect(call?.id).toBe(callId);
    }
    const statuses = c.kiota.exchanges.slice(from).map((x) => x.status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2 * LIMIT);
  });
});
