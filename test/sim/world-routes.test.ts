/**
 * GET /_switchboard/ lists the world and the control routes (JSON; a browser goes to the dashboard); GET /_switchboard/world
 * exports the world in effect as a world file that the world-file loader reads back to an equal directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../../src/app.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_INSTANCE_ID,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
} from '../../src/sim/default-world.js';
import { Directory, loadWorldFile, parseWorld, type World } from '../../src/sim/directory.js';
import { acceptQuality } from '../../src/sim/world-routes.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const HOSTILE = `<script>alert("x")</script> & 'Co'`;

/** A world using every optional part of the world-file format, with markup in its names. */
function customWorld(): World {
  return parseWorld({
    establishMs: 75,
    endCallOnCallbackFailure: false,
    prompts: { defaultMs: 1200, durations: { 'https://bot.example/hello.wav': 2500 } },
    faults: [
      {
        on: 'invite',
        when: { mediaConfig: 'appHosted' },
        result: { code: 500, subcode: 7106, message: 'injected' },
        afterMs: 10,
      },
    ],
    tenants: [
      {
        id: 'aaaaaaaa-0000-4000-8000-000000000001',
        displayName: HOSTILE,
        defaultPhoneAnswer: { action: 'busy', afterMs: 300 },
        apps: [
          {
            id: 'app-one',
            displayName: 'One <b>bot</b>',
            secret: 's1',
            roles: ['Calls.Initiate.All'],
            callbackUri: 'https://bot.example/cb?a=1&b=2',
            instances: [
              { id: 'inst-1', displayName: 'Line', phoneNumber: '+14255550111' },
              { id: 'inst-2', phoneNumber: null },
            ],
          },
          { id: 'app-two', secret: 's2', roles: [], callingRegistered: false },
        ],
        users: [
          { id: 'user-a', displayName: HOSTILE, answer: { action: 'decline', afterMs: 5 } },
          { id: 'user-b', answer: { action: 'accept', afterMs: 10 }, then: [{ action: 'hangUp', afterMs: 2000 }] },
        ],
        phones: [{ number: '+14255550123', answer: { action: 'noAnswer', afterMs: 9000 } }],
        meetings: [
          {
            id: 'm-1',
            threadId: '19:meeting_custom@thread.v2',
            joinMeetingId: '999',
            organizerId: 'user-a',
            createdByAppId: 'app-one',
            passcode: 'pw',
            lobbyBypassScope: 'organizer',
            isDialInBypassEnabled: true,
          },
        ],
      },
      { id: 'aaaaaaaa-0000-4000-8000-000000000002', apps: [{ id: 'app-three', secret: 's3' }] },
    ],
  });
}

describe('world listing and export', () => {
  let server: TestServer;
  let custom: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-world-export-'));
  beforeAll(async () => {
    server = await startTestServer(fastWorld('https://bot.example/callback'));
    custom = await startTestServer(customWorld());
  });
  afterAll(async () => {
    await server.close();
    await custom.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (s: TestServer, path: string, accept?: string) =>
    fetch(`${s.httpUrl}${path}`, accept === undefined ? {} : { headers: { accept } });

  it('GET /_switchboard/ answers JSON by default: tenants, apps, users, phones, meetings and the control routes', async () => {
    for (const path of ['/_switchboard/', '/_switchboard']) {
      const res = await get(server, path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
      const tenant = body.tenants[0];
      expect(tenant).toMatchObject({
        id: DEFAULT_TENANT_ID,
        displayName: 'Contoso',
        tokenEndpoint: `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`,
      });
      expect(tenant.apps).toEqual([
        expect.objectContaining({
          clientId: DEFAULT_APP_ID,
          callbackUri: 'https://bot.example/callback',
          roles: expect.arrayContaining(['Calls.JoinGroupCall.All', 'Calls.InitiateGroupCall.All']),
          instances: [{ id: DEFAULT_INSTANCE_ID, displayName: 'Calling Bot', phoneNumber: '+14255550100' }],
        }),
      ]);
      expect(tenant.users).toHaveLength(13);
      expect(tenant.users).toContainEqual({
        id: DEFAULT_USERS.dana,
        displayName: 'Dana Declines',
        answer: { action: 'decline', afterMs: 40 },
        then: [],
      });
      expect(tenant.phones).toContainEqual({
        number: '+14255550199',
        answer: { action: 'busy', afterMs: 40 },
        then: [],
      });
      const weekly = tenant.meetings.find(
        (m: { threadId: string }) => m.threadId === DEFAULT_MEETING_THREADS.weeklySync,
      );
      expect(weekly).toMatchObject({
        joinMeetingId: '1234567',
        organizer: { id: DEFAULT_USERS.bob, displayName: 'Bob Organizer' },
      });
      expect(weekly.joinWebUrl).toBe(
        `https://teams.microsoft.com/l/meetup-join/19%3ameeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm%40thread.v2/0?context=%7b%22Tid%22%3a%22${DEFAULT_TENANT_ID}%22%2c%22Oid%22%3a%22${DEFAULT_USERS.bob}%22%7d`,
      );
      // Every control route the server serves is listed (once), these with what they do.
      const listed = (body.controlApi as { method: string; path: string; what: string }[]).map(
        (r) => `${r.method} ${r.path}`,
      );
      const served = new Set(
        registeredRoutes(server.sb.app)
          .filter((r) => r.method !== 'HEAD' && r.url.startsWith('/_switchboard/'))
          .map((r) => `${r.method} ${r.url}`),
      );
      expect(new Set(listed)).toEqual(served);
      expect(listed).toHaveLength(served.size);
      for (const key of [
        'POST /_switchboard/reset',
        'GET /_switchboard/world',
        'GET /_switchboard/ready',
        'POST /_switchboard/incoming-calls',
      ]) {
        expect(
          (body.controlApi as { method: string; path: string; what: string }[]).find(
            (r) => `${r.method} ${r.path}` === key,
          )?.what,
        ).toBeTruthy();
      }
    }
    expect((await (await get(server, '/_switchboard/', 'application/json')).json()) as object).toHaveProperty(
      'tenants',
    );
    expect(
      (await get(server, '/_switchboard/', 'text/html;q=0.5, application/json')).headers.get('content-type'),
    ).toMatch(/^application\/json/);
  });

  it('GET /_switchboard/ sends a browser to the dashboard (303 to /_switchboard/ui/), which answers its page', async () => {
    for (const path of ['/_switchboard/', '/_switchboard']) {
      const res = await fetch(`${custom.httpUrl}${path}`, { headers: { accept: BROWSER_ACCEPT }, redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/_switchboard/ui/');
      expect(res.headers.get('vary')).toMatch(/accept/i);
    }
    const page = await get(custom, '/_switchboard/', BROWSER_ACCEPT); // fetch follows the redirect
    expect(page.url).toBe(`${custom.httpUrl}/_switchboard/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toMatch(/<script type="module"[^>]* src="\/_switchboard\/ui\/assets\//);
    // JSON stays JSON: no Accept, */*, JSON preferred, or a tie.
    for (const accept of [
      undefined,
      '*/*',
      'application/json',
      'text/html;q=0.5, application/json',
      'text/html, application/json',
    ]) {
      const res = await get(custom, '/_switchboard/', accept);
      expect([accept, res.status, res.headers.get('content-type')]).toEqual([
        accept,
        200,
        expect.stringMatching(/^application\/json/),
      ]);
    }
    expect(acceptQuality(BROWSER_ACCEPT, 'application/json')).toBe(0.8);
    expect(acceptQuality(undefined, 'text/html')).toBe(1);
    expect(acceptQuality('application/json', 'text/html')).toBe(0);
  });

  /** Exports the world, writes it to a file and loads that through the world-file loader. */
  async function exportAndLoad(s: TestServer, name: string): Promise<World> {
    const res = await get(s, '/_switchboard/world');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, await res.text());
    return loadWorldFile(file);
  }

  it('GET /_switchboard/world exports the default world as a world file that loads back equal', async () => {
    const loaded = await exportAndLoad(server, 'default');
    expect(loaded).toEqual(server.sb.directory.world);
    expect(loaded).toEqual(fastWorld('https://bot.example/callback'));
  });

  it('exports a custom world using every part of the format, and the behaviour and fault changes in effect', async () => {
    expect(await exportAndLoad(custom, 'custom')).toEqual(customWorld());
    const put = (path: string, body: unknown) =>
      fetch(`${custom.httpUrl}/_switchboard${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (
        await put('/people/user-a/behaviour', {
          answer: { action: 'accept', afterMs: 1 },
          then: [{ action: 'mute', afterMs: 50 }],
        })
      ).status,
    ).toBe(200);
    expect((await put('/people/+14255550777/behaviour', { answer: { action: 'busy', afterMs: 2 } })).status).toBe(200);
    expect((await put('/faults', { faults: [] })).status).toBe(200);
    const loaded = await exportAndLoad(custom, 'custom-changed');
    const now = new Directory(loaded);
    expect(now.user('user-a')?.user).toEqual({
      id: 'user-a',
      displayName: HOSTILE,
      answer: { action: 'accept', afterMs: 1 },
      then: [{ action: 'mute', afterMs: 50 }],
    });
    expect(now.phoneAnswer('aaaaaaaa-0000-4000-8000-000000000001', '+14255550777')).toEqual({
      action: 'busy',
      afterMs: 2,
    });
    expect(loaded.faults).toBeUndefined();
    expect(now.people()).toEqual(custom.sb.directory.people());
    const { faults: _none, ...inEffect } = custom.sb.directory.world;
    expect(loaded).toEqual(inEffect);
  });
});
