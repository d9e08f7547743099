/** The banner tells a user everything step 1 of the README needs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner, describeStore } from '../src/banner.js';
import { resolveConfig } from '../src/config.js';
import { DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_TENANT_ID, defaultWorld } from '../src/sim/default-world.js';
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
    expect(text).toContain('built-in default world: 1 tenant(s), 1 app(s), 10 user(s), 2 meeting(s)');
    expect(text).toContain(':memory: (nothing is kept)');
  });

  it('says which store is in use, without the PostgreSQL password', () => {
    expect(banner(server.sb)).toContain('Store            SQLite in memory');
    expect(describeStore(resolveConfig(['--data', '/srv/sb'], {}))).toBe('SQLite /srv/sb/switchboard.db (one instance)');
    const pg = describeStore(resolveConfig(['--data', '/srv/sb', '--postgres', 'postgres://sb:hunter2@db:5432/calls', '--postgres-schema', 'sb1'], {}));
    expect(pg).toContain('PostgreSQL postgres://sb:***@db:5432/calls, schema sb1; several instances may share it');
    expect(pg).not.toContain('hunter2');
    expect(pg).toContain('/srv/sb');
  });
});
