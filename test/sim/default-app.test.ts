/**
 * `--callback <url>`: the default app (first app of the first tenant) gets that calling webhook, so an incoming call
 * reaches a bot without a world file; a world file's callback for that app is replaced, other apps keep theirs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config.js';
import { startSwitchboard } from '../../src/main.js';
import { DEFAULT_APP_ID, DEFAULT_TENANT_ID, DEFAULT_USERS, defaultWorld } from '../../src/sim/default-world.js';
import { applyDefaultCallback, defaultApp } from '../../src/sim/default-app.js';
import { parseWorld } from '../../src/sim/directory.js';
import { startFakeBot, type FakeBot } from '../helpers/fake-bot.js';
import { startTestServer, type TestServer, QUIET_TEST_CONFIG } from '../helpers/server.js';

describe('--callback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-callback-'));
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets a person call the bot of the built-in world, with no world file', async () => {
    const bot: FakeBot = await startFakeBot();
    cleanups.push(() => bot.close());
    const server: TestServer = await startTestServer(defaultWorld(), { config: { callback: bot.url } });
    cleanups.push(() => server.close());
    expect(server.sb.directory.app(DEFAULT_APP_ID)?.app.callbackUri).toBe(bot.url);
    const res = await fetch(`${server.httpUrl}/_switchboard/incoming-calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tenantId: DEFAULT_TENANT_ID,
        source: { user: { id: DEFAULT_USERS.adele } },
        target: { application: { id: DEFAULT_APP_ID } },
        requestedModalities: ['audio'],
      }),
    });
    expect(res.status).toBe(201);
    const call = (await res.json()) as { id: string };
    const created = await bot.waitFor((n) => n.item.changeType === 'created');
    expect(created.item.resourceUrl).toBe(`/communications/calls/${call.id}`);
    // The listing and a reset keep it: it is part of the loaded world.
    const listing = (await (await fetch(`${server.httpUrl}/_switchboard/`)).json()) as {
      tenants: { apps: { callbackUri: string }[] }[];
    };
    expect(listing.tenants[0]!.apps[0]!.callbackUri).toBe(bot.url);
    expect((await fetch(`${server.httpUrl}/_switchboard/reset`, { method: 'POST' })).status).toBe(200);
    expect(server.sb.directory.app(DEFAULT_APP_ID)?.app.callbackUri).toBe(bot.url);
  });

  it("replaces the callback of the world file's first app only", async () => {
    const file = join(dir, 'two-apps.json');
    writeFileSync(
      file,
      JSON.stringify({
        tenants: [
          {
            id: 't1',
            apps: [
              { id: 'first', secret: 's', callbackUri: 'https://old.example/cb' },
              { id: 'second', secret: 's', callbackUri: 'https://second.example/cb' },
            ],
          },
          { id: 't2', apps: [{ id: 'third', secret: 's' }] },
        ],
      }),
    );
    const config = resolveConfig(
      [
        '--world',
        file,
        '--callback',
        'https://new.example/cb',
        '--data',
        ':memory:',
        '--port',
        '0',
        '--https-port',
        '0',
        '--log-level',
        'silent',
      ],
      {},
      { tlsDir: process.env.SWITCHBOARD_TEST_TLS_DIR!, ...QUIET_TEST_CONFIG },
    );
    const sb = await startSwitchboard(config);
    cleanups.push(() => sb.close());
    expect(sb.directory.app('first')?.app.callbackUri).toBe('https://new.example/cb');
    expect(sb.directory.app('second')?.app.callbackUri).toBe('https://second.example/cb');
    expect(sb.directory.app('third')?.app.callbackUri).toBeNull();
  });

  it('is a configuration error naming the option for a world whose first tenant has no app', () => {
    const world = parseWorld({
      tenants: [
        { id: 't1', users: [{ id: 'u1' }] },
        { id: 't2', apps: [{ id: 'a', secret: 's' }] },
      ],
    });
    expect(defaultApp(world)).toBeUndefined();
    expect(() => applyDefaultCallback(world, 'https://bot.example/cb')).toThrow(ConfigError);
    expect(() => applyDefaultCallback(world, 'https://bot.example/cb')).toThrow(/^--callback: /);
    applyDefaultCallback(world, null); // nothing to do without the option
    expect(world.tenants[1]!.apps[0]!.callbackUri).toBeNull();
  });
});
