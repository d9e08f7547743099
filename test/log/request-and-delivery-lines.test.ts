/**
 * The log a user reads: one line per request (method, path, status, ms, app, call, request id) and one per
 * notification delivery attempt (call, change types, resources, HTTP status or error, attempt n), captured from the
 * server's own pino logger in the JSON format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_ID, DEFAULT_TENANT_ID } from '../../src/sim/default-world.js';
import { startFakeBot, type FakeBot } from '../helpers/fake-bot.js';
import { pollFor } from '../helpers/child-server.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';
import type { Config } from '../../src/config.js';

type Line = Record<string, unknown> & { level: string; msg: string };

/** A pino destination that keeps every line, parsed (each write is one JSON line). */
function capture(): { lines: Line[]; write(s: string): void } {
  const lines: Line[] = [];
  return {
    lines,
    write: (s) =>
      void lines.push(
        ...s
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Line),
      ),
  };
}

async function start(bot: FakeBot, config: Partial<Config>): Promise<{ server: TestServer; lines: Line[] }> {
  const out = capture();
  // No call ends because its callback failed: the failed delivery is simply retried (attempt 2).
  const world = fastWorld(bot.url, (w) => void (w.endCallOnCallbackFailure = false));
  const server = await startTestServer(world, { config: { logFormat: 'json', ...config }, logDestination: out });
  return { server, lines: out.lines };
}

const groupCall = (bot: FakeBot, thread: string): string =>
  JSON.stringify({
    callbackUri: bot.url,
    requestedModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    chatInfo: { threadId: `19:${thread}@thread.v2`, messageId: '0' },
    targets: [],
    tenantId: DEFAULT_TENANT_ID,
  });

describe('log lines at --log-level info', () => {
  let bot: FakeBot;
  let server: TestServer;
  let lines: Line[];
  let deliveries = 0;

  beforeAll(async () => {
    // The first notification POST fails with 500, every later one is accepted.
    bot = await startFakeBot({ respond: () => (++deliveries === 1 ? 500 : 202) });
    ({ server, lines } = await start(bot, { logLevel: 'info' }));
  });
  afterAll(async () => {
    await server?.close();
    await bot?.close();
  });

  /** The lines of the request that answered with this `request-id` header. */
  const linesOf = (res: Response): Line[] => lines.filter((l) => l.requestId === res.headers.get('request-id'));

  it('writes exactly one line per request, with method, path, status, ms, app id and call id', async () => {
    const token = await server.token();
    const tokenLines = lines.filter((l) => l.path === `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`);
    expect(tokenLines).toHaveLength(1);
    expect(tokenLines[0]).toMatchObject({
      level: 'info',
      method: 'POST',
      status: 200,
      appId: DEFAULT_APP_ID,
      callId: null,
    });

    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${server.httpUrl}/v1.0/communications/calls`, {
      method: 'POST',
      headers,
      body: groupCall(bot, 'log-1'),
    });
    expect(created.status).toBe(201);
    const callId = ((await created.json()) as { id: string }).id;
    const [createLine, ...more] = linesOf(created);
    expect(more).toEqual([]);
    expect(createLine).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/v1.0/communications/calls',
      status: 201,
      appId: DEFAULT_APP_ID,
      callId,
    });
    expect(createLine!.msg).toMatch(/^POST \/v1\.0\/communications\/calls 201 \d+(\.\d)? ms$/);
    expect(typeof createLine!.ms).toBe('number');
    expect(typeof createLine!.time).toBe('string');

    const got = await fetch(`${server.httpUrl}/v1.0/communications/calls/${callId}?$select=state`, { headers });
    expect(linesOf(got)).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: `/v1.0/communications/calls/${callId}`,
        status: 200,
        appId: DEFAULT_APP_ID,
        callId,
      }),
    ]);

    // A refused request is a line too: 401 without a token (no app known), 404 for an unknown call.
    const unauthorized = await fetch(`${server.httpUrl}/v1.0/communications/calls/${callId}`);
    expect(linesOf(unauthorized)).toEqual([
      expect.objectContaining({ method: 'GET', status: 401, appId: null, callId }),
    ]);
    const missing = await fetch(`${server.httpUrl}/v1.0/communications/calls/no-such-call`, { headers });
    expect(linesOf(missing)).toEqual([
      expect.objectContaining({ status: 404, appId: DEFAULT_APP_ID, callId: 'no-such-call' }),
    ]);
  });

  it('logs control API changes at info and its reads (polled by test suites) only at debug', async () => {
    const read = await fetch(`${server.httpUrl}/_switchboard/notifications`);
    expect(read.status).toBe(200);
    expect(linesOf(read)).toEqual([]);
    const advance = await fetch(`${server.httpUrl}/_switchboard/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ms":1}',
    });
    expect(linesOf(advance)).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'POST',
        path: '/_switchboard/clock/advance',
        status: advance.status,
      }),
    ]);
  });

  it('writes one line per delivery attempt, the failed attempt 1 (warn) and its retry, attempt 2', async () => {
    const attempts = (): Line[] => lines.filter((l) => l.messageId !== undefined && typeof l.attempt === 'number');
    // The first POST failed; wait for its retry, and for the bot's count to settle with the log's.
    const first = await pollFor('the retried first notification', 15_000, () =>
      Promise.resolve(attempts().find((l) => l.attempt === 2)),
    );
    await pollFor('one line per delivery the bot answered', 10_000, () =>
      Promise.resolve(attempts().length === deliveries ? true : undefined),
    );
    const sameMessage = attempts().filter((l) => l.messageId === first.messageId);
    expect(sameMessage.map((l) => [l.level, l.attempt, l.status])).toEqual([
      ['warn', 1, 500],
      ['info', 2, 202],
    ]);
    const [failed, retried] = sameMessage as [Line, Line];
    expect(failed).toMatchObject({ error: 'HTTP 500', callbackUri: bot.url });
    expect(failed.msg).toMatch(
      /^notification updated \/communications\/calls\/\S+ → HTTP 500 \(attempt 1, \d+ ms\), retry in \d+ (ms|s)$/,
    );
    expect(retried.changeTypes).toEqual(failed.changeTypes);
    expect(retried.resources).toEqual([`/communications/calls/${String(retried.callId)}`]);
    expect(retried.changeTypes).toEqual(['updated']);
    expect(retried.msg).toBe(
      `notification updated /communications/calls/${String(retried.callId)} → 202 (attempt 2, ${String(retried.ms)} ms)`,
    );
    // Every attempt is a line of its own: as many as the bot answered POSTs.
    expect(attempts()).toHaveLength(deliveries);
  });
});

describe('log lines at --log-level warn', () => {
  it('has no request or delivery lines, only failures', async () => {
    let n = 0;
    const bot = await startFakeBot({ respond: () => (++n === 1 ? 503 : 202) });
    const { server, lines } = await start(bot, { logLevel: 'warn' });
    try {
      const token = await server.token();
      const created = await fetch(`${server.httpUrl}/v1.0/communications/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: groupCall(bot, 'log-2'),
      });
      expect(created.status).toBe(201);
      await pollFor('the failed delivery line', 10_000, () => Promise.resolve(lines.find((l) => l.status === 503)));
      expect(lines.filter((l) => l.method !== undefined)).toEqual([]);
      expect(lines.every((l) => l.level === 'warn' || l.level === 'error')).toBe(true);
    } finally {
      await server.close();
      await bot.close();
    }
  });
});
