/** The banner tells a user everything step 1 of the README needs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner, describeStore } from '../src/banner.js';
import { resolveConfig } from '../src/config.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_APP_SECRET,
  DEFAULT_INSTANCE_ID,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
  defaultWorld,
} from '../src/sim/default-world.js';
import { worldBannerLines } from '../src/sim/world-view.js';
import { parseWorld } from '../src/sim/directory.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('start-up banner', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultWorld());
  });
  afterAll(async () => {
    await server.close();
  });

  it('prints the Graph URLs, token endpoint, tenant, bot credentials, CA path and directory', () => {
    const text = banner(server.sb);
    expect(text).toContain(`${server.httpsUrl}/v1.0`);
    expect(text).toContain(`${server.httpUrl}/v1.0`);
    expect(text).toContain(`${server.httpsUrl}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`);
    expect(text).toContain(`Tenant id        ${DEFAULT_TENANT_ID} (default)`);
    expect(text).toContain(`client id ${DEFAULT_APP_ID}   secret ${DEFAULT_APP_SECRET} (default)`);
    expect(text).toContain(`NODE_EXTRA_CA_CERTS=${server.sb.caCertPath}`);
    expect(text).toContain('built-in default world: 3 tenant(s), 1 app(s), 13 user(s), 4 meeting(s)');
    expect(text).toContain(':memory: (nothing is kept)');
  });

  it('lists the world: tenant, app with its callback, numbers, every user and how they answer, phones, meetings with join URLs', () => {
    const text = banner(server.sb);
    expect(text).toContain(`Control API      ${server.httpUrl}/_switchboard/`);
    expect(text).toContain(`Dashboard        ${server.httpUrl}/_switchboard/ui/`);
    const rows = text.split('\n');
    const row = (start: string) => rows.find((l) => l.trimStart().startsWith(start));
    expect(row(`tenant   ${DEFAULT_TENANT_ID}`)).toContain('Contoso');
    expect(row(`app      ${DEFAULT_APP_ID}`)).toContain('callback (none: incoming calls need --callback <url>)');
    expect(row('number   +14255550100')).toContain(DEFAULT_INSTANCE_ID);
    expect(row(`user     ${DEFAULT_USERS.dana}`)).toMatch(/Dana Declines +decline after 2000 ms$/);
    expect(row(`user     ${DEFAULT_USERS.nora}`)).toMatch(/noAnswer after 30000 ms$/);
    expect(row('phone    +14255550199')).toContain('busy after 1000 ms');
    expect(row('phone    any other number')).toContain('accept after 1500 ms');
    const meeting = rows.findIndex((l) => l.includes(`meeting  ${DEFAULT_MEETING_THREADS.weeklySync}`));
    expect(rows[meeting]).toContain('join id 1234567  organizer Bob Organizer');
    expect(rows[meeting + 1]!.trim()).toMatch(
      /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_Win6Ydo4/,
    );
    expect(rows.filter((l) => l.trimStart().startsWith('user     '))).toHaveLength(13);
  });

  it("caps a large world's listing and points at the control API for the rest", () => {
    const world = parseWorld({
      tenants: [
        {
          id: 't1',
          apps: [{ id: 'a1', secret: 's', callbackUri: 'https://bot.example/cb' }],
          users: Array.from({ length: 200 }, (_, i) => ({ id: `user-${i}` })),
        },
      ],
    });
    const lines = worldBannerLines(world, 'http://127.0.0.1:4100/_switchboard/', 30);
    expect(lines).toHaveLength(30);
    expect(lines[1]).toContain('callback https://bot.example/cb');
    // tenant + app + 200 users + the any-other-number row = 203 rows, 29 shown.
    expect(lines[29]).toBe('… 174 more row(s): http://127.0.0.1:4100/_switchboard/');
    expect(worldBannerLines(world, 'x', 1000)).toHaveLength(203);
  });

  it('says which store is in use, without the PostgreSQL password', () => {
    expect(banner(server.sb)).toContain('Store            SQLite in memory');
    expect(describeStore(resolveConfig(['--data', '/srv/sb'], {}))).toBe(
      'SQLite /srv/sb/switchboard.db (one instance)',
    );
    const pg = describeStore(
      resolveConfig(
        ['--data', '/srv/sb', '--postgres', 'postgres://sb:hunter2@db:5432/calls', '--postgres-schema', 'sb1'],
        {},
      ),
    );
    expect(pg).toContain('PostgreSQL postgres://sb:***@db:5432/calls, schema sb1; several instances may share it');
    expect(pg).not.toContain('hunter2');
    expect(pg).toContain('/srv/sb');
  });
});
