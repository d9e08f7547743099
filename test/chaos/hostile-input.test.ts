/**
 * Guarantee 3, hostile input: a fast-check property sends 10,000 generated requests (in process, through Fastify's
 * inject) to every route the server registered — Graph under /v1.0 and /beta, the token endpoint and OpenID
 * documents, the control API — each with one flaw that must get it refused (malformed or truncated JSON, wrong
 * types, bodies over the size, depth or array limits, __proto__/constructor keys, wrong content types, bad or
 * missing tokens, hostile ids) plus noise (unicode, huge and duplicated headers, query strings). Every answer must be
 * a 4xx in the Graph envelope (the token endpoint: Entra ID's), within 5 s; a store snapshot and the directory are
 * the same afterwards. Then malformed HTTP over real sockets (duplicate Content-Length, oversized headers, bad
 * chunking, a body cut short) gets the same envelope or a closed connection, never a hang.
 */
import fc from 'fast-check';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startSwitchboard, type Switchboard } from '../../src/main.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_APP_SECRET,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
} from '../../src/sim/default-world.js';
import { tempDataDir } from '../helpers/child-server.js';
import { startFakeBot, type FakeBot } from '../helpers/fake-bot.js';
import { fastWorld, QUIET_TEST_CONFIG } from '../helpers/server.js';
import { rowCounts, storeSnapshot } from '../helpers/store-snapshot.js';
import { hostileRequestFor, type HostileRequest, type Limits, type RealIds } from './hostile-requests.js';

const RUNS = Number(process.env.CHAOS_RUNS ?? 10_000);
const REQUEST_TIMEOUT_MS = 5_000;
// Small enough that generating bodies over it stays cheap; the defaults are tested in test/api/json-limits.test.ts.
const LIMITS: Limits = { bodyLimit: 64 * 1024, maxJsonDepth: 32, maxArrayItems: 1000 };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>(
      (_r, reject) =>
        (timer = setTimeout(
          () => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms: ${what}`)),
          REQUEST_TIMEOUT_MS,
        )),
    ),
  ]).finally(() => clearTimeout(timer));
}

/** The Graph error envelope, or Entra ID's error shape on the identity routes. */
function checkShape(req: HostileRequest, status: number, contentType: string | undefined, text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `body is not JSON: ${text.slice(0, 200)}`;
  }
  if (!/^application\/json/.test(contentType ?? '')) return `content-type ${contentType}`;
  // Identity routes answer in Entra ID's shape; what the router refuses before routing (a 414) is in Graph's.
  if (req.shape === 'aad' && typeof (body as { error?: unknown }).error === 'string') return null;
  const error = (body as { error?: { code?: unknown; message?: unknown; innerError?: Record<string, unknown> } }).error;
  if (
    !error ||
    typeof error.code !== 'string' ||
    error.code === '' ||
    typeof error.message !== 'string' ||
    error.message === ''
  )
    return `not the Graph envelope: ${text.slice(0, 300)}`;
  const inner = error.innerError;
  if (
    !inner ||
    typeof inner.date !== 'string' ||
    !GUID.test(String(inner['request-id'])) ||
    typeof inner['client-request-id'] !== 'string'
  )
    return `no innerError ids: ${text.slice(0, 300)}`;
  return status >= 400 ? null : 'not an error';
}

describe('hostile input (guarantee 3)', () => {
  const data = tempDataDir('sb-chaos-hostile-');
  let sb: Switchboard;
  let bot: FakeBot;
  let ids: RealIds;
  let before: { store: ReturnType<typeof storeSnapshot>; people: string };
  const snapshot = async () => ({
    store: storeSnapshot(data),
    people: await (await fetch(`${sb.httpUrl}/_switchboard/people`)).text(),
  });

  beforeAll(async () => {
    bot = await startFakeBot();
    const config = resolveConfig(
      [],
      {},
      {
        data,
        port: 0,
        httpsPort: 0,
        tlsDir: process.env.SWITCHBOARD_TEST_TLS_DIR!,
        logLevel: 'silent',
        ...LIMITS,
        ...QUIET_TEST_CONFIG,
      },
    );
    sb = await startSwitchboard(config, { world: fastWorld(bot.url) });
    const tokenRes = await fetch(`${sb.httpUrl}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: DEFAULT_APP_ID,
        client_secret: DEFAULT_APP_SECRET,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // Real state for the hostile requests to aim at: a meeting call with a joined participant and a finished invite.
    const call = await fetch(`${sb.httpUrl}/v1.0/communications/calls`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        callbackUri: bot.url,
        requestedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        chatInfo: { threadId: DEFAULT_MEETING_THREADS.weeklySync, messageId: '0' },
        meetingInfo: {
          '@odata.type': '#microsoft.graph.organizerMeetingInfo',
          organizer: { user: { id: DEFAULT_USERS.bob, tenantId: DEFAULT_TENANT_ID } },
        },
        tenantId: DEFAULT_TENANT_ID,
      }),
    });
    const callId = ((await call.json()) as { id: string }).id;
    await bot.waitFor((n) => n.item.resourceData?.state === 'established');
    const invited = await fetch(`${sb.httpUrl}/v1.0/communications/calls/${callId}/participants/invite`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ participants: [{ identity: { user: { id: DEFAULT_USERS.adele } } }] }),
    });
    const operationId = ((await invited.json()) as { id: string }).id;
    await bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === operationId);
    const roster = (await (
      await fetch(`${sb.httpUrl}/v1.0/communications/calls/${callId}/participants`, { headers: auth })
    ).json()) as { value: { id: string; info: { identity: { user?: { id: string } } } }[] };
    const participantId = roster.value.find((p) => p.info.identity.user?.id === DEFAULT_USERS.adele)!.id;
    ids = { callId, participantId, operationId, personId: DEFAULT_USERS.megan, tenantId: DEFAULT_TENANT_ID, token };
    // Quiet: every notification delivered, no timer about to fire.
    for (let i = 0; i < 50 && !(await sb.dispatcher.drain(100)); i++) await sleep(20);
    await sleep(300);
    before = await snapshot();
  });

  afterAll(async () => {
    await sb?.close();
    await bot?.close();
  });

  it(`refuses ${RUNS.toLocaleString('en')} generated hostile requests over every route with a 4xx in the envelope, changing nothing`, async () => {
    const routes = sb.routes.filter((r) => r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(40);
    const byFatal = new Map<string, number>();
    const byStatus = new Map<number, number>();
    let sent = 0;
    const request = fc.constantFrom(...routes).chain((route) => hostileRequestFor(route, ids, LIMITS));
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const what = `${req.method} ${req.url.slice(0, 200)} [${req.fatal}]`;
        const res = await withTimeout(
          sb.app.inject({
            method: req.method as 'GET',
            url: req.url,
            headers: req.headers,
            ...(req.payload !== undefined ? { payload: req.payload } : {}),
          }),
          what,
        );
        sent += 1;
        byFatal.set(req.fatal, (byFatal.get(req.fatal) ?? 0) + 1);
        byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
        const ok = req.expect === '4xx' ? res.statusCode >= 400 && res.statusCode < 500 : res.statusCode < 500;
        if (!ok) throw new Error(`${what} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
        if (res.statusCode >= 400) {
          const problem = checkShape(req, res.statusCode, res.headers['content-type'] as string | undefined, res.body);
          if (problem) throw new Error(`${what} answered ${res.statusCode}, ${problem}`);
        }
      }),
      { numRuns: RUNS },
    );
    await sleep(200);
    const after = await snapshot();
    expect(rowCounts(after.store)).toEqual(rowCounts(before.store));
    expect(after.store).toEqual(before.store);
    expect(after.people).toEqual(before.people);
    console.log(
      `[chaos] hostile input: ${sent} requests over ${routes.length} routes; flaws ${JSON.stringify(Object.fromEntries(byFatal))}; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}; store and directory unchanged`,
    );
  }, 180_000);

  it('answers malformed HTTP on real sockets with the envelope or a closed connection, never a hang', async () => {
    const { port } = new URL(sb.httpUrl);
    const json = JSON.stringify({ participants: [{ identity: { user: { id: DEFAULT_USERS.megan } } }] });
    const invite = `POST /v1.0/communications/calls/${ids.callId}/participants/invite HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ids.token}\r\n`;
    const cases: { name: string; raw: string; endAfter?: boolean }[] = [
      {
        name: 'duplicate Content-Length',
        raw: `${invite}Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
      },
      {
        name: 'Content-Length and chunked',
        raw: `${invite}Content-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`,
      },
      {
        name: 'bad chunk size',
        raw: `${invite}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${json}\r\n0\r\n\r\n`,
      },
      {
        name: 'header over 16 KB',
        raw: `${invite}X-Huge: ${'h'.repeat(20_000)}\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
      },
      {
        name: 'control character in a header',
        raw: `${invite}X-Bad: a\u0001b\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
      },
      {
        name: 'header without a colon',
        raw: `${invite}NoColonHere\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
      },
      { name: 'garbage request line', raw: `\u0016\u0003\u0001 GARBAGE\r\n\r\n` },
      {
        name: 'duplicate Authorization, first one bad',
        raw: `GET /v1.0/communications/calls/${ids.callId} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nope\r\nAuthorization: Bearer ${ids.token}\r\n\r\n`,
      },
      {
        name: 'duplicate Content-Type, first one not JSON',
        raw: `${invite}Content-Type: text/plain\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
      },
      {
        name: 'body shorter than Content-Length, then end',
        raw: `${invite}Content-Type: application/json\r\nContent-Length: ${json.length + 50}\r\n\r\n${json}`,
        endAfter: true,
      },
      {
        name: 'truncated chunked body, then end',
        raw: `${invite}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${json.length.toString(16)}\r\n${json.slice(0, 10)}`,
        endAfter: true,
      },
    ];
    const outcomes: string[] = [];
    for (let round = 0; round < 20; round++) {
      for (const c of cases) {
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1');
          let text = '';
          const timer = setTimeout(() => {
            socket.destroy();
            reject(
              new Error(
                `${c.name}: no answer and no close within ${REQUEST_TIMEOUT_MS} ms (got ${JSON.stringify(text.slice(0, 200))})`,
              ),
            );
          }, REQUEST_TIMEOUT_MS);
          socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
          socket.on('close', () => {
            clearTimeout(timer);
            resolve(text);
          });
          socket.on('error', () => undefined);
          socket.write(c.raw, 'latin1');
          if (c.endAfter) socket.end();
          // Read one answer, then close our side: the server must not hold the connection open waiting.
          socket.on('data', () => {
            if (/\r\n\r\n/.test(text)) {
              const m = /content-length: (\d+)/i.exec(text);
              const head = text.indexOf('\r\n\r\n') + 4;
              if (!m || text.length - head >= Number(m[1])) socket.end();
            }
          });
        });
        const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
        if (status === undefined) {
          // No answer at all: acceptable only when our side ended the request before its body was complete.
          expect(c.endAfter, `${c.name}: closed without an answer`).toBe(true);
          if (round === 0) outcomes.push(`${c.name}: closed`);
          continue;
        }
        expect(Number(status), `${c.name}: ${answer.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(Number(status), `${c.name}: ${answer.slice(0, 300)}`).toBeLessThan(500);
        const head = answer.slice(0, answer.indexOf('\r\n\r\n'));
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        const problem = checkShape(
          { shape: 'graph' } as HostileRequest,
          Number(status),
          /content-type: ([^\r\n]+)/i.exec(head)?.[1],
          body,
        );
        expect(problem, `${c.name}: ${answer.slice(0, 300)}`).toBeNull();
        if (round === 0) outcomes.push(`${c.name}: ${status}`);
      }
    }
    await sleep(200);
    expect((await snapshot()).store).toEqual(before.store);
    console.log(`[chaos] hostile input over real sockets: ${20 * cases.length} requests; ${outcomes.join('; ')}`);
  }, 120_000);
});
