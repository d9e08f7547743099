/**
 * Guarantee 4 (auth): every Graph route the server registers × every way a token can be wrong is refused with
 * Graph's 401/403 shape, and changes nothing in the store. Routes come from the server's own route table, so a new
 * route is in the matrix the day it is added. Forged tokens are signed with the server's real token key (read from
 * keys.json in a data directory on disk) wherever the claims, not the signature, are what is wrong.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCounts, storeSnapshot } from '../helpers/store-snapshot.js';
import { startConformance, USERS, type Conformance } from './fixture.js';
import { expectGraphError, settle, QUIET_MS, type ExpectedError, type SentResponse } from './raw/helpers.js';
import {
  fillRoute,
  fillRoutes,
  graphRoutes,
  meetingCallWithJoinedInvitee,
  routeKind,
  type FilledRequest,
} from './route-matrix.js';
import { ACTIONS } from '../../src/api/actions/registry.js';
import { ROUTES, routeEntryOf, urlsOf } from '../../src/api/routes/table.js';

const OTHER_TENANT = '3c2b1a09-8f7e-4d6c-a5b4-93827160fed0';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const unauthenticated = (message: RegExp): ExpectedError => ({
  status: 401,
  code: 'InvalidAuthenticationToken',
  message,
  target: null,
});
const forbidden7504: ExpectedError = {
  status: 403,
  code: '7504',
  message: /^Insufficient enterprise tenant permissions, cannot access this API\./,
  target: null,
};

interface BadCredential {
  name: string;
  /** The Authorization header, or undefined for none. */
  authorization: string | undefined;
  expected: ExpectedError;
}

describe('guarantee 4: the auth matrix over every Graph route', () => {
  let c: Conformance;
  let data: string;
  let callId: string;
  let participantId: string;
  let operationId: string;
  let groupId: string;
  let meetingId: string;
  let credentials: BadCredential[];

  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'switchboard-auth-matrix-'));
    c = await startConformance(
      (w) => {
        w.tenants.push({
          id: OTHER_TENANT,
          displayName: 'Fabrikam',
          defaultPhoneAnswer: { action: 'accept', afterMs: 40 },
          apps: [],
          users: [],
          phones: [],
          meetings: [],
        });
      },
      { data },
    );
    ({ callId, operationId, participantId, groupId } = await meetingCallWithJoinedInvitee(c));
    const meeting = await c.raw('POST', `/v1.0/users/${USERS.bob}/onlineMeetings`, { subject: 'auth matrix' });
    expect(meeting.status, meeting.text).toBe(201);
    meetingId = meeting.body.id;

    const real = await c.token();
    const claims = decodeJwt(real);
    const keysFile = JSON.parse(readFileSync(join(data, 'keys.json'), 'utf8')) as { token: JWK };
    const serverKey = (await importJWK(keysFile.token, 'RS256')) as CryptoKey;
    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const kid = decodeProtectedHeader(real).kid as string;
    const now = Math.floor(Date.now() / 1000);
    const sign = (payload: JWTPayload, key: CryptoKey = serverKey): Promise<string> =>
      new SignJWT(payload).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid }).sign(key);
    credentials = [
      { name: 'no token', authorization: undefined, expected: unauthenticated(/^Access token is empty\.$/) },
      {
        name: 'a malformed token',
        authorization: 'Bearer not-a-jwt',
        expected: unauthenticated(/^CompactToken parsing failed/),
      },
      {
        name: 'a token signed by another key',
        authorization: `Bearer ${await sign(claims, strangerKey)}`,
        expected: unauthenticated(/Invalid signature/),
      },
      {
        name: 'alg none',
        authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
        expected: unauthenticated(/Signing algorithm 'none' is not accepted/),
      },
      {
        name: 'an expired token',
        authorization: `Bearer ${await sign({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 })}`,
        expected: unauthenticated(/expired/),
      },
      {
        name: 'a not-yet-valid token',
        authorization: `Bearer ${await sign({ ...claims, iat: now, nbf: now + 3600, exp: now + 7200 })}`,
        expected: unauthenticated(/not yet valid/),
      },
      {
        name: 'the wrong audience',
        authorization: `Bearer ${await sign({ ...claims, aud: 'https://outlook.office.com' })}`,
        expected: unauthenticated(/Invalid audience/),
      },
      {
        name: 'the wrong tenant',
        authorization: `Bearer ${await sign({ ...claims, tid: OTHER_TENANT, iss: `https://sts.windows.net/${OTHER_TENANT}/`, idp: `https://sts.windows.net/${OTHER_TENANT}/` })}`,
        expected: unauthenticated(/is not registered in tenant/),
      },
      {
        name: 'a delegated (scp) token',
        authorization: `Bearer ${await sign({ ...claims, scp: 'Calls.Initiate.All', idtyp: 'user' })}`,
        expected: forbidden7504,
      },
      {
        name: 'a valid token without a calling role',
        authorization: `Bearer ${await sign({ ...claims, roles: ['User.Read.All'] })}`,
        expected: forbidden7504,
      },
    ];
    await settle(c);
  });
  afterAll(async () => {
    await c.close();
    rmSync(data, { recursive: true, force: true });
  });

  async function send(req: FilledRequest, authorization: string | undefined): Promise<SentResponse> {
    const clientRequestId = randomUUID();
    const headers: Record<string, string> = { 'client-request-id': clientRequestId };
    if (authorization !== undefined) headers.authorization = authorization;
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

  it('every route the server registers is a Graph route, an identity route or a control route', () => {
    const unknown = c.server.sb.routes.filter((r) => routeKind(r) === null);
    expect(unknown).toEqual([]);
    const graph = graphRoutes(c.server.sb.routes);
    const calls = graph.filter((r) => /\/calls(\/|$)/.test(r.url));
    // All four prefixes (v1.0, beta × communications, app) carry the same calling routes.
    for (const prefix of [
      '/v1.0/communications/calls',
      '/v1.0/app/calls',
      '/beta/communications/calls',
      '/beta/app/calls',
    ]) {
      expect(graph.filter((r) => r.url.startsWith(prefix)).length, prefix).toBe(calls.length / 4);
    }
    // The rest are the route table's entries mounted under a version (users' onlineMeetings, the delegated-only /me,
    // the tenant-wide VTC lookup), each on the versions its entry names (test/api/route-table.test.ts checks all).
    expect(
      graph
        .filter((r) => !calls.includes(r))
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    ).toEqual(
      ROUTES.filter((r) => r.mount === 'version')
        .flatMap((r) =>
          urlsOf(r).flatMap((u) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method]).map((m) => `${m} ${u.url}`)),
        )
        .sort(),
    );
    expect(graph.length).toBeGreaterThanOrEqual(4 * 11);
  });

  it('refuses every bad credential on every Graph route and every registry action, and the store is unchanged after each', async () => {
    const ids = { callId, participantId, operationId, callbackUri: c.bot.url, meetingId, groupId };
    let refused = 0;
    let requests = 0;
    const actionsSent = new Set<string>();
    const start = storeSnapshot(data);
    for (const route of graphRoutes(c.server.sb.routes)) {
      const before = storeSnapshot(data);
      for (const req of fillRoutes(route, ids)) {
        requests += 1;
        if (req.action) actionsSent.add(`${req.action.on} ${req.action.name}`);
        for (const cred of credentials) {
          const res = await send(req, cred.authorization);
          const where = `${cred.name} → ${req.method} ${req.path}`;
          if (req.method === 'HEAD') {
            expect(res.status, where).toBe(cred.expected.status);
            expect(res.text, where).toBe('');
          } else {
            try {
              expectGraphError(res, cred.expected);
            } catch (e) {
              throw new Error(`${where}: ${(e as Error).message}`);
            }
          }
          refused += 1;
        }
      }
      // Every state change commits before its response, so a refused request's change would show at once.
      const after = storeSnapshot(data);
      expect(rowCounts(after), `${route.method} ${route.url}`).toEqual(rowCounts(before));
      expect(after, `${route.method} ${route.url}`).toEqual(before);
    }
    // And nothing a request could have started (a ringing invitee, an establishing call) shows later.
    await sleep(QUIET_MS);
    expect(storeSnapshot(data)).toEqual(start);
    // Every action of the registry, served or not yet, was among them (on each version that has it).
    expect([...actionsSent].sort()).toEqual(ACTIONS.map((a) => `${a.on} ${a.name}`).sort());
    expect(refused).toBe(requests * credentials.length);
    console.log(
      `auth matrix: ${refused} refused requests (${requests} requests over ${graphRoutes(c.server.sb.routes).length} Graph routes, ${actionsSent.size} actions) × ${credentials.length} bad credentials`,
    );
  }, 180_000); // about 1,700 requests: 11 s on an idle 2-core machine, several times that beside other test files

  it('the same requests with the real token are accepted (the matrix is not refusing for another reason)', async () => {
    const token = await c.token();
    const ids = { callId, participantId, operationId, callbackUri: c.bot.url, meetingId, groupId };
    let served = 0;
    for (const route of graphRoutes(c.server.sb.routes).filter((r) => r.method === 'GET' || r.method === 'HEAD')) {
      const req = fillRoute(route, ids);
      const res = await send(req, `Bearer ${token}`);
      // Paths Switchboard does not serve (the catch-all, a table entry not served yet) say so (501) once the token is
      // accepted; every other GET answers 200.
      const unserved = route.url.endsWith('/*') || routeEntryOf(route.method, route.url)?.served === null;
      expect(res.status, `${req.method} ${req.path}: ${res.text}`).toBe(unserved ? 501 : 200);
      if (!unserved) served += 1;
    }
    expect(served).toBeGreaterThanOrEqual(4 * 4 * 2);
    // And the snapshot sees what an accepted request changes: a keepAlive moves the call's inactivity timer.
    await settle(c);
    const before = storeSnapshot(data);
    const keepAlive = await send(
      { route: { method: 'POST', url: '' }, method: 'POST', path: `/v1.0/communications/calls/${callId}/keepAlive` },
      `Bearer ${token}`,
    );
    expect(keepAlive.status, keepAlive.text).toBe(200);
    expect(storeSnapshot(data)).not.toEqual(before);
  });
});
