/**
 * Guarantee 6 (isolation), over every call-scoped Graph route the server registers: a call created by one app does
 * not exist for another app of the same tenant (404 8522, the same answer as for an id that was never used), and
 * another tenant's app is refused with 403 7505 — reading, acting, inviting alike. Nothing changes in the store.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeSnapshot } from '../helpers/store-snapshot.js';
import { startConformance, TENANT, type Conformance } from './fixture.js';
import { expectGraphError, QUIET_MS, settle, type ExpectedError, type SentResponse } from './raw/helpers.js';
import { fillRoutes, graphRoutes, meetingCallWithJoinedInvitee, type FilledRequest } from './route-matrix.js';
import { ACTIONS } from '../../src/api/actions/registry.js';

const SIBLING_APP = { id: '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c01', secret: 'sibling-secret' };
const OTHER_TENANT = '3c2b1a09-8f7e-4d6c-a5b4-93827160fed0';
const OTHER_TENANT_APP = { id: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7002', secret: 'fabrikam-secret' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const callNotFound: ExpectedError = { status: 404, code: '8522', message: 'Call not found.', target: null };
const tenantMismatch: ExpectedError = {
  status: 403,
  code: '7505',
  message: 'Request authorization tenant mismatch.',
  target: null,
};
const notImplemented = (req: FilledRequest): ExpectedError => ({
  status: 501,
  code: 'NotImplemented',
  message: `Switchboard does not implement POST ${req.path} yet. See the README's supported-surface table.`,
  target: null,
});

describe('guarantee 6: isolation between apps and tenants on every call-scoped route', () => {
  let c: Conformance;
  let data: string;
  let callId: string;
  let participantId: string;
  let operationId: string;
  let groupId: string;
  let sibling: string;
  let foreigner: string;

  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'switchboard-isolation-'));
    c = await startConformance(
      (w) => {
        const contoso = w.tenants[0]!;
        const roles = [...contoso.apps[0]!.roles];
        contoso.apps.push({
          id: SIBLING_APP.id,
          displayName: 'Sibling bot',
          secret: SIBLING_APP.secret,
          roles,
          callbackUri: null,
          instances: [],
        });
        w.tenants.push({
          id: OTHER_TENANT,
          displayName: 'Fabrikam',
          defaultPhoneAnswer: { action: 'accept', afterMs: 40 },
          apps: [
            {
              id: OTHER_TENANT_APP.id,
              displayName: 'Fabrikam bot',
              secret: OTHER_TENANT_APP.secret,
              roles,
              callbackUri: null,
              instances: [],
            },
          ],
          users: [],
          phones: [],
          meetings: [],
        });
      },
      { data },
    );
    ({ callId, operationId, participantId, groupId } = await meetingCallWithJoinedInvitee(c));
    sibling = await c.server.token({ appId: SIBLING_APP.id, secret: SIBLING_APP.secret });
    foreigner = await c.server.token({
      tenantId: OTHER_TENANT,
      appId: OTHER_TENANT_APP.id,
      secret: OTHER_TENANT_APP.secret,
    });
    await settle(c);
  });
  afterAll(async () => {
    await c.close();
    rmSync(data, { recursive: true, force: true });
  });

  async function send(req: FilledRequest, token: string): Promise<SentResponse> {
    const clientRequestId = randomUUID();
    const headers: Record<string, string> = { 'client-request-id': clientRequestId, authorization: `Bearer ${token}` };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${c.server.httpUrl}${req.path}`, {
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? JSON.parse(text) : undefined,
      text,
      clientRequestId,
    };
  }

  function expectRefusal(res: SentResponse, req: FilledRequest, expected: ExpectedError, who: string): void {
    const where = `${who} → ${req.method} ${req.path}`;
    if (req.method === 'HEAD') {
      expect(res.status, where).toBe(expected.status);
      return;
    }
    try {
      expectGraphError(res, expected);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
  }

  const callScoped = (): ReturnType<typeof graphRoutes> =>
    graphRoutes(c.server.sb.routes).filter((r) => r.url.includes(':callId'));

  it('covers every call-scoped route: call, actions, participants, participant actions, operations', () => {
    const urls = callScoped().map((r) => `${r.method} ${r.url}`);
    for (const wanted of [
      /^GET .*\/calls\/:callId$/,
      /^DELETE .*\/calls\/:callId$/,
      /^POST .*\/calls\/:callId\/:action$/,
      /^GET .*\/participants$/,
      /^GET .*\/participants\/:participantId$/,
      /^DELETE .*\/participants\/:participantId$/,
      /^POST .*\/participants\/:action$/,
      /^POST .*\/participants\/:participantId\/:action$/,
      /^GET .*\/operations\/:operationId$/,
    ]) {
      expect(
        urls.some((u) => wanted.test(u)),
        String(wanted),
      ).toBe(true);
    }
  });

  it('another app of the tenant gets 404 8522 everywhere, exactly as for a call that never existed; nothing changes', async () => {
    const ids = { callId, participantId, operationId, callbackUri: c.bot.url, groupId };
    const never = { ...ids, callId: randomUUID() };
    const start = storeSnapshot(data);
    const actionsSent = new Set<string>();
    for (const route of callScoped()) {
      const unknowns = fillRoutes(route, never);
      for (const [i, req] of fillRoutes(route, ids).entries()) {
        const before = storeSnapshot(data);
        const res = await send(req, sibling);
        // An action Graph has and Switchboard does not serve yet is 501 for every caller: it reads no call.
        expectRefusal(res, req, req.action && !req.action.served ? notImplemented(req) : callNotFound, 'another app');
        if (req.action) actionsSent.add(`${req.action.on} ${req.action.name}`);
        const unknown = await send(unknowns[i]!, sibling);
        expect(unknown.status, `${req.method} ${req.path}`).toBe(res.status);
        if (req.method !== 'HEAD') expect(unknown.body.error.code).toBe(res.body.error.code);
        // Every state change commits before its response, so a refused request's change would show at once.
        expect(storeSnapshot(data), `${req.method} ${req.path}`).toEqual(before);
      }
    }
    expect([...actionsSent].sort()).toEqual(ACTIONS.map((a) => `${a.on} ${a.name}`).sort());
    // And nothing started later (a timer, a delivery).
    await sleep(QUIET_MS);
    expect(storeSnapshot(data)).toEqual(start);
  });

  it("another tenant's app gets 403 7505 everywhere (it cannot read, act on or invite into the call); nothing changes", async () => {
    const ids = { callId, participantId, operationId, callbackUri: c.bot.url, groupId };
    const start = storeSnapshot(data);
    for (const route of callScoped()) {
      for (const req of fillRoutes(route, ids)) {
        const before = storeSnapshot(data);
        expectRefusal(
          await send(req, foreigner),
          req,
          req.action && !req.action.served ? notImplemented(req) : tenantMismatch,
          'another tenant',
        );
        expect(storeSnapshot(data), `${req.method} ${req.path}`).toEqual(before);
      }
    }
    await sleep(QUIET_MS);
    expect(storeSnapshot(data)).toEqual(start);
  });

  it('the owning app still sees its call', async () => {
    const own = await c.raw('GET', `/v1.0/communications/calls/${callId}`);
    expect(own.status).toBe(200);
    expect(own.body.tenantId).toBe(TENANT);
  });
});
