/**
 * The package's programmatic API (src/embed.ts through src/index.ts, as `import … from 'switchboard'` gives it):
 * defaults for a test suite, the URLs and credentials it hands back, the world and callback options, and the ways
 * this document's README gives to reach the https port from the same process.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtInWorld,
  defaultWorld,
  startSwitchboard,
  SwitchboardError,
  type RunningSwitchboard,
} from '../../src/index.js';
import { startBusyLoop } from '../helpers/busy-loop.js';
import { startFakeBot, type FakeBot } from '../helpers/fake-bot.js';

const UNKNOWN_CALL = '00000000-0000-0000-0000-000000000000';

const tlsDir = (): string => {
  const dir = process.env.SWITCHBOARD_TEST_TLS_DIR;
  if (!dir) throw new Error('SWITCHBOARD_TEST_TLS_DIR is not set: the vitest globalSetup did not run');
  return dir;
};

/** GET over https trusting exactly `ca` (or nothing beyond Node's own roots when `ca` is undefined). */
function httpsGet(url: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpsRequest(url, { ...(ca !== undefined ? { ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

async function token(tokenUrl: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('startSwitchboard with the defaults for a test suite', () => {
  let a: RunningSwitchboard;
  let b: RunningSwitchboard;
  beforeAll(async () => {
    // Two at once: free ports, so test files running side by side never collide.
    [a, b] = await Promise.all([startSwitchboard({ tlsDir: tlsDir() }), startSwitchboard({ tlsDir: tlsDir() })]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('listens on free loopback ports and names every endpoint a bot needs', () => {
    expect(a.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(a.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set([a.httpUrl, a.httpsUrl, b.httpUrl, b.httpsUrl]).size).toBe(4);
    expect(a.graphUrl).toBe(`${a.httpsUrl}/v1.0`);
    expect(a.graphBetaUrl).toBe(`${a.httpsUrl}/beta`);
    expect(a.tenantId).toBe(builtInWorld.tenantId);
    expect(a.authority).toBe(`${a.httpsUrl}/${builtInWorld.tenantId}`);
    expect(a.tokenUrl).toBe(`${a.authority}/oauth2/v2.0/token`);
    expect(a.http).toEqual({
      graphUrl: `${a.httpUrl}/v1.0`,
      graphBetaUrl: `${a.httpUrl}/beta`,
      tokenUrl: `${a.httpUrl}/${builtInWorld.tenantId}/oauth2/v2.0/token`,
      notificationJwksUrl: `${a.httpUrl}/.well-known/notification-keys`,
    });
    expect(a.app).toEqual({ clientId: builtInWorld.app.clientId, secret: builtInWorld.app.secret });
    expect(a.caCert).toBe(readFileSync(a.caCertPath, 'utf8'));
    expect(a.caCert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(a.control.url).toBe(a.httpUrl);
  });

  it('builtInWorld names the ids of the built-in world', () => {
    const [tenant] = defaultWorld().tenants;
    expect(builtInWorld.tenantId).toBe(tenant!.id);
    expect(tenant!.apps[0]).toMatchObject({
      id: builtInWorld.app.clientId,
      secret: builtInWorld.app.secret,
      instances: [{ id: builtInWorld.app.instanceId, phoneNumber: builtInWorld.app.phoneNumber }],
    });
    expect(tenant!.users.map((u) => u.id).sort()).toEqual(Object.values(builtInWorld.users).sort());
    expect(tenant!.meetings.map((m) => [m.threadId, m.organizerId])).toEqual(
      Object.values(builtInWorld.meetings).map((t) => [t, builtInWorld.organizerId]),
    );
  });

  it('serves the built-in world on the real clock, from an empty in-memory store', async () => {
    expect(a.world).toEqual(defaultWorld());
    expect((await a.control.clock.now()).mode).toBe('real');
    expect(await a.control.calls.list()).toEqual([]);
    expect(await a.control.notifications.list()).toEqual([]);
  });

  it('answers Graph with a token from its token endpoint, on both ports', async () => {
    const t = await token(a.http.tokenUrl, a.app.clientId, a.app.secret);
    const res = await fetch(`${a.http.graphUrl}/communications/calls/00000000-0000-0000-0000-000000000000`, {
      headers: { authorization: `Bearer ${t}` },
    });
    expect(res.status).toBe(404);
    // The https port, trusting the CA by its PEM in this process (what README "Use Switchboard from your bot's tests" shows).
    const viaHttps = await httpsGet(`${a.graphUrl}/communications/calls`, a.caCert);
    expect(viaHttps.status).toBe(401);
  });

  it('each server is its own world: a behaviour change on one leaves the other alone', async () => {
    await a.control.people.setBehaviour(builtInWorld.users.megan, { answer: { action: 'busy', afterMs: 10 } });
    expect((await a.control.people.get(builtInWorld.users.megan)).answer).toEqual({ action: 'busy', afterMs: 10 });
    expect((await b.control.people.get(builtInWorld.users.megan)).answer).toEqual({ action: 'accept', afterMs: 1000 });
  });
});

describe('startSwitchboard options', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sb-embed-'));
    dirs.push(d);
    return d;
  };
  let bot: FakeBot;
  beforeAll(async () => {
    bot = await startFakeBot();
  });
  afterAll(async () => {
    await bot.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("callbackUrl is the bot app's calling webhook, as --callback: an incoming call reaches the bot", async () => {
    const world = defaultWorld();
    world.tenants[0]!.apps[0]!.callbackUri = 'https://replaced.example/calls';
    world.tenants[0]!.apps.push({
      id: 'b0b0b0b0-0000-4000-8000-000000000001',
      displayName: 'Second bot',
      secret: 's',
      roles: [],
      callbackUri: 'https://elsewhere.example/calls',
      instances: [],
    });
    const sb = await startSwitchboard({ tlsDir: tlsDir(), world, callbackUrl: bot.url });
    try {
      expect(sb.world.tenants[0]!.apps.map((x) => x.callbackUri)).toEqual([bot.url, 'https://elsewhere.example/calls']);
      expect(world.tenants[0]!.apps[0]!.callbackUri).toBe('https://replaced.example/calls'); // the caller's object is copied, not changed
      const call = await sb.control.incomingCall({
        tenantId: sb.tenantId,
        source: { user: { id: builtInWorld.users.adele } },
        target: { application: { id: sb.app.clientId } },
      });
      expect(call.state).toBe('incoming');
      const got = await bot.waitFor(
        (n) => n.item.changeType === 'created' && n.item.resourceUrl === `/communications/calls/${call.id}`,
      );
      expect(got.item.resourceData.state).toBe('incoming');
    } finally {
      await sb.close();
    }
  });

  it('world as a file path; a bad world is refused naming the offending path', async () => {
    const file = join(tmp(), 'world.json');
    const world = defaultWorld();
    world.tenants[0]!.users = [{ id: 'u-1', displayName: 'Only One', answer: { action: 'decline', afterMs: 5 } }];
    writeFileSync(file, JSON.stringify(world));
    const sb = await startSwitchboard({ tlsDir: tlsDir(), world: file });
    try {
      expect(
        (await sb.control.people.list()).filter((p) => p.kind === 'user').map((p) => [p.id, p.answer.action]),
      ).toEqual([['u-1', 'decline']]);
    } finally {
      await sb.close();
    }
    await expect(
      startSwitchboard({
        tlsDir: tlsDir(),
        world: { tenants: [{ id: 't', users: [{ id: 'u', answer: { action: 'shrug' as 'accept', afterMs: 1 } }] }] },
      }),
    ).rejects.toThrow(/world\.tenants\[0\]\.users\[0\]\.answer\.action/);
  });

  it("clock 'virtual': time moves only when the control client moves it", async () => {
    const sb = await startSwitchboard({ tlsDir: tlsDir(), clock: 'virtual' });
    try {
      const before = await sb.control.clock.now();
      expect(before.mode).toBe('virtual');
      const moved = await sb.control.clock.advance(60_000);
      expect(moved.epochMs).toBe(before.epochMs + 60_000);
    } finally {
      await sb.close();
    }
  });

  it('args take any other option as the CLI does, and are checked the same way', async () => {
    const sb = await startSwitchboard({ tlsDir: tlsDir(), args: ['--body-limit', '64'] });
    try {
      const res = await fetch(`${sb.httpUrl}/_switchboard/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ faults: [], pad: 'x'.repeat(100) }),
      });
      expect(res.status).toBe(413);
    } finally {
      await sb.close();
    }
    await expect(startSwitchboard({ tlsDir: tlsDir(), args: ['--body-limit', 'lots'] })).rejects.toThrow(
      /--body-limit: expected a whole number/,
    );
    await expect(startSwitchboard({ tlsDir: tlsDir(), port: -1 })).rejects.toThrow(
      /--port: expected a whole number from 0 to 65535/,
    );
    await expect(startSwitchboard({ tlsDir: tlsDir(), callbackUrl: 'http://bot.example/calls' })).rejects.toThrow(
      /--callback/,
    );
  });

  it('no overload bounds by default: a busy event loop (the test runner’s own) is not refused; args turn them on', async () => {
    /** Graph GETs of an unknown call on `sb` while this process's loop is kept busy; their statuses. */
    const getWhileBusy = async (sb: RunningSwitchboard, times: number): Promise<number[]> => {
      const t = await token(sb.http.tokenUrl, sb.app.clientId, sb.app.secret);
      const busy = await startBusyLoop();
      try {
        const statuses: number[] = [];
        for (let i = 0; i < times && !statuses.includes(429); i++) {
          const res = await fetch(`${sb.http.graphUrl}/communications/calls/${UNKNOWN_CALL}`, {
            headers: { authorization: `Bearer ${t}` },
          });
          statuses.push(res.status);
        }
        return statuses;
      } finally {
        busy.stop();
      }
    };
    const quiet = await startSwitchboard({ tlsDir: tlsDir() });
    try {
      expect(new Set(await getWhileBusy(quiet, 8))).toEqual(new Set([404]));
    } finally {
      await quiet.close();
    }
    // The same busy loop with the CLI's lag bound: the door closes (what makes the first check mean something).
    const bounded = await startSwitchboard({ tlsDir: tlsDir(), args: ['--overload-lag', '100ms'] });
    try {
      expect(await getWhileBusy(bounded, 40)).toContain(429);
    } finally {
      await bounded.close();
    }
  });

  it('with a control key (--control-key, or generated beyond loopback) its control client sends it', async () => {
    const key = 'embed-control-key-0123456789';
    const sb = await startSwitchboard({ tlsDir: tlsDir(), args: ['--control-key', key] });
    try {
      expect((await fetch(`${sb.httpUrl}/_switchboard/clock`)).status).toBe(401);
      expect((await sb.control.clock.now()).mode).toBe('real');
    } finally {
      await sb.close();
    }
  });

  it('data on disk keeps what a restart on the same directory finds; close() frees the ports', async () => {
    const data = tmp();
    const first = await startSwitchboard({ tlsDir: tlsDir(), data });
    await first.control.people.setBehaviour('+14255550123', { answer: { action: 'busy', afterMs: 7 } });
    await first.close();
    await expect(fetch(`${first.httpUrl}/_switchboard/clock`)).rejects.toThrow();
    const second = await startSwitchboard({ tlsDir: tlsDir(), data });
    try {
      expect((await second.control.people.get('+14255550123')).answer).toEqual({ action: 'busy', afterMs: 7 });
    } finally {
      await second.close();
    }
  });

  it('a fresh tlsDir gets its own CA, which https clients in this process trust by its PEM (not by default)', async () => {
    const sb = await startSwitchboard({ tlsDir: tmp() });
    try {
      expect(sb.caCertPath.startsWith(dirs.at(-1)!)).toBe(true);
      // NODE_EXTRA_CA_CERTS of this process names the test CA, not this one.
      await expect(httpsGet(`${sb.graphUrl}/communications/calls`, undefined)).rejects.toThrow(
        /self[- ]signed|unable to (get|verify)/i,
      );
      expect((await httpsGet(`${sb.graphUrl}/communications/calls`, sb.caCert)).status).toBe(401);
    } finally {
      await sb.close();
    }
  });

  it("a bot verifies a notification's JWT with jose against http.notificationJwksUrl", async () => {
    const sb = await startSwitchboard({ tlsDir: tlsDir(), callbackUrl: bot.url });
    try {
      const call = await sb.control.incomingCall({
        tenantId: sb.tenantId,
        source: { user: { id: builtInWorld.users.alex } },
        target: { application: { id: sb.app.clientId } },
      });
      const n = await bot.waitFor((x) => x.item.resourceUrl === `/communications/calls/${call.id}`);
      const jwt = /^Bearer (.+)$/.exec(String(n.headers.authorization))![1]!;
      const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(sb.http.notificationJwksUrl)), {
        issuer: 'https://api.botframework.com',
        audience: sb.app.clientId,
      });
      expect(payload).toMatchObject({ tid: sb.tenantId, aud: sb.app.clientId });
    } finally {
      await sb.close();
    }
  });

  it('control errors arrive as SwitchboardError with the status, Graph code and offending property', async () => {
    const sb = await startSwitchboard({ tlsDir: tlsDir() });
    try {
      const err = await sb.control.people
        .setBehaviour(builtInWorld.users.adele, { answer: { action: 'maybe' as 'accept' } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SwitchboardError);
      expect(err).toMatchObject({ status: 400, code: 'BadRequest', target: 'answer.action' });
      expect((err as Error).message).toMatch(
        /PUT http:\/\/127\.0\.0\.1:\d+\/_switchboard\/people\/.+\/behaviour answered 400 BadRequest: answer\.action must be one of/,
      );
    } finally {
      await sb.close();
    }
  });
});
