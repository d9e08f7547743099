/**
 * GET /_switchboard/health (liveness) and /_switchboard/ready (store reachable, migrations done): 200 on a running
 * server; ready is 503 in the Graph envelope when the store is closed, does not answer, or is behind on migrations.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installGraphErrors } from '../../src/api/error-envelope.js';
import { defaultWorld } from '../../src/sim/default-world.js';
import { statusRoutes } from '../../src/sim/status-routes.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { SchemaStatus, Store } from '../../src/store/store.js';
import { expectGraphError, sendPlain } from '../conformance/raw/helpers.js';
import { describePostgres, TEST_POSTGRES_URL, testSchemas } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('health and readiness of a running server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(defaultWorld());
  });
  afterAll(async () => {
    await server.close();
  });

  it('health is 200 and ready is 200 naming the store and its schema version', async () => {
    const health = await fetch(`${server.httpUrl}/_switchboard/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.httpUrl}/_switchboard/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; store: string; schemaVersion: number };
    expect(body).toEqual({
      status: 'ready',
      store: server.sb.store.kind,
      schemaVersion: (await server.sb.store.schemaStatus()).latest,
    });
  });
});

/** The status routes alone on an app with the Graph error handling, over a given store. */
async function statusApp(store: Store, timeoutMs?: number): Promise<FastifyInstance> {
  const app = Fastify();
  installGraphErrors(app, 1024);
  statusRoutes(app, { store, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

const urlOf = (app: FastifyInstance): string => {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
};

/** A store whose readiness query answers `status`, or never. */
function fakeStore(schemaStatus: () => Promise<SchemaStatus>): Store {
  return { kind: 'sqlite', schemaStatus } as unknown as Store;
}

describe('readiness when the store is not', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });
  const start = async (store: Store, timeoutMs?: number) => {
    const app = await statusApp(store, timeoutMs);
    apps.push(app);
    return urlOf(app);
  };

  it('a closed SQLite store: ready is 503 serviceNotAvailable with Retry-After, health stays 200', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const url = await start(store);
    expect((await sendPlain(`${url}/_switchboard/ready`, { method: 'GET' })).status).toBe(200);
    await store.close();
    const res = await sendPlain(`${url}/_switchboard/ready`, { method: 'GET' });
    expectGraphError(res, {
      status: 503,
      code: 'serviceNotAvailable',
      message: /not ready: the sqlite store cannot be reached \(store is closed\)/,
    });
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${url}/_switchboard/health`)).status).toBe(200);
  });

  it('a store that does not answer: 503 after the timeout', async () => {
    const url = await start(
      fakeStore(() => new Promise(() => undefined)),
      50,
    );
    expectGraphError(await sendPlain(`${url}/_switchboard/ready`, { method: 'GET' }), {
      status: 503,
      code: 'serviceNotAvailable',
      message: /no answer within 50 ms/,
    });
  });

  it('a schema behind this build: 503 naming the migrations', async () => {
    const url = await start(fakeStore(() => Promise.resolve({ applied: 3, latest: 5 })));
    expectGraphError(await sendPlain(`${url}/_switchboard/ready`, { method: 'GET' }), {
      status: 503,
      code: 'serviceNotAvailable',
      message: /migration 3 of 5/,
    });
  });
});

describePostgres('readiness on PostgreSQL', () => {
  const schema = testSchemas();
  it('ready is 200 while the pool answers and 503 once the store is closed', async () => {
    const store = await openPostgresStore({ connectionString: TEST_POSTGRES_URL, schema: schema() });
    const app = await statusApp(store);
    try {
      const ok = await fetch(`${urlOf(app)}/_switchboard/ready`);
      expect(await ok.json()).toMatchObject({ status: 'ready', store: 'postgres' });
      await store.close();
      expectGraphError(await sendPlain(`${urlOf(app)}/_switchboard/ready`, { method: 'GET' }), {
        status: 503,
        code: 'serviceNotAvailable',
        message: /postgres store cannot be reached/,
      });
    } finally {
      await app.close();
    }
  });
});
