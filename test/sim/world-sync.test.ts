/**
 * Behaviour and fault changes made through the control API are recorded in the store: every instance on one
 * PostgreSQL database applies them (the one that took the change at once, the others within a poll, a new one at
 * start), and a restart on the same SQLite file keeps them. A refused change records nothing; a reset undoes them
 * on every instance and for good.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_USERS } from '../../src/sim/default-world.js';
import { applyWorldChange } from '../../src/sim/world-sync.js';
import { Directory } from '../../src/sim/directory.js';
import { tempDataDir } from '../helpers/child-server.js';
import { describePostgres, TEST_POSTGRES_URL, testSchemas } from '../helpers/postgres.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

const DECLINE = { action: 'decline', afterMs: 0 };
const FAULT = { on: 'invite', result: { code: 500, subcode: 7106, message: 'injected' } };

async function control(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.httpUrl}/_switchboard${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const answerOf = (server: TestServer, userId: string) => server.sb.directory.user(userId)?.user.answer;

describe('applyWorldChange', () => {
  it('applies a recorded behaviour or fault list, and reports (does not throw) one that no longer fits the world', () => {
    const directory = new Directory(fastWorld(null));
    const at = 0;
    expect(
      applyWorldChange(directory, {
        seq: 1,
        kind: 'behaviour',
        body: { ref: DEFAULT_USERS.megan, answer: DECLINE },
        createdAt: at,
      }),
    ).toBeNull();
    expect(directory.user(DEFAULT_USERS.megan)?.user.answer).toEqual(DECLINE);
    expect(
      applyWorldChange(directory, { seq: 2, kind: 'faults', body: { faults: [FAULT] }, createdAt: at }),
    ).toBeNull();
    expect(directory.world.faults).toHaveLength(1);
    expect(
      applyWorldChange(directory, {
        seq: 3,
        kind: 'behaviour',
        body: { ref: 'nobody-here', answer: DECLINE },
        createdAt: at,
      }),
    ).toMatch(/nobody/);
    expect(applyWorldChange(directory, { seq: 4, kind: 'faults', body: { faults: 'none' }, createdAt: at })).toMatch(
      /array/,
    );
    expect(directory.world.faults).toHaveLength(1);
  });

  it('a recorded reset puts the loaded world back: behaviours, phones listed at run time and faults', () => {
    const loaded = fastWorld(null);
    const directory = new Directory(fastWorld(null));
    applyWorldChange(directory, {
      seq: 1,
      kind: 'behaviour',
      body: { ref: DEFAULT_USERS.megan, answer: DECLINE, then: [{ action: 'mute', afterMs: 5 }] },
      createdAt: 0,
    });
    applyWorldChange(directory, {
      seq: 2,
      kind: 'behaviour',
      body: { ref: '+14255550777', answer: DECLINE },
      createdAt: 0,
    });
    applyWorldChange(directory, { seq: 3, kind: 'faults', body: { faults: [FAULT] }, createdAt: 0 });
    expect(directory.hasLaterActions()).toBe(true);
    expect(applyWorldChange(directory, { seq: 4, kind: 'reset', body: {}, createdAt: 0 })).toBeNull();
    expect(directory.world).toEqual(loaded);
    expect(directory.user(DEFAULT_USERS.megan)?.user).toEqual(
      loaded.tenants[0]!.users.find((u) => u.id === DEFAULT_USERS.megan),
    );
    expect(directory.hasLaterActions()).toBe(false);
    // Changes after the reset apply to the loaded world, and a second reset undoes them again.
    applyWorldChange(directory, {
      seq: 5,
      kind: 'behaviour',
      body: { ref: DEFAULT_USERS.alex, answer: DECLINE },
      createdAt: 0,
    });
    expect(directory.user(DEFAULT_USERS.alex)?.user.answer).toEqual(DECLINE);
    applyWorldChange(directory, { seq: 6, kind: 'reset', body: {}, createdAt: 0 });
    expect(directory.world).toEqual(loaded);
  });
});

describe('world changes on SQLite', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a restart on the same file keeps the behaviour and faults the control API set; a refused change records nothing', async () => {
    const data = tempDataDir('sb-world-sync-');
    dirs.push(data);
    const first = await startTestServer(fastWorld(null), { data });
    expect((await control(first, 'PUT', `/people/${DEFAULT_USERS.megan}/behaviour`, { answer: DECLINE })).status).toBe(
      200,
    );
    expect((await control(first, 'PUT', '/faults', { faults: [FAULT] })).status).toBe(200);
    const bad = await control(first, 'PUT', `/people/${DEFAULT_USERS.alex}/behaviour`, { answer: { action: 'dance' } });
    expect(bad.status).toBe(400);
    expect((await control(first, 'PUT', '/people/nobody-here/behaviour', { answer: DECLINE })).status).toBe(404);
    expect((await control(first, 'PUT', '/faults', { faults: [{ on: 'hangUp' }] })).status).toBe(400);
    expect(await first.sb.store.worldChanges.after(0)).toHaveLength(2);
    await first.close();

    const second = await startTestServer(fastWorld(null), { data });
    try {
      expect(answerOf(second, DEFAULT_USERS.megan)).toEqual(DECLINE);
      expect(answerOf(second, DEFAULT_USERS.alex)?.action).toBe('accept');
      expect((await control(second, 'GET', '/faults')).body.faults).toEqual([
        expect.objectContaining({ on: 'invite' }),
      ]);
      expect((await control(second, 'POST', '/reset')).status).toBe(200);
    } finally {
      await second.close();
    }
    // After a reset, a restart starts from the loaded world: the changes before it are gone for good.
    const third = await startTestServer(fastWorld(null), { data });
    try {
      expect(answerOf(third, DEFAULT_USERS.megan)?.action).toBe('accept');
      expect((await control(third, 'GET', '/faults')).body.faults).toEqual([]);
    } finally {
      await third.close();
    }
  });
});

describePostgres('world changes across instances on PostgreSQL', () => {
  const schemaName = testSchemas();
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('a change taken by one instance applies on the others (poll, read, and a new instance at start)', async () => {
    const schema = schemaName();
    const start = async () => {
      const s = await startTestServer(fastWorld(null), {
        config: { postgres: TEST_POSTGRES_URL, postgresSchema: schema },
      });
      servers.push(s);
      return s;
    };
    const [a, b] = [await start(), await start()];

    expect((await control(a, 'PUT', `/people/${DEFAULT_USERS.megan}/behaviour`, { answer: DECLINE })).status).toBe(200);
    expect(answerOf(a, DEFAULT_USERS.megan)).toEqual(DECLINE); // at once where it was taken
    // On the other instance without any request to it: its poll picks the change up.
    await vi.waitFor(() => expect(answerOf(b, DEFAULT_USERS.megan)).toEqual(DECLINE), { timeout: 5000, interval: 50 });

    // A read on another instance catches up first, so it never shows an older world than the one just set.
    expect((await control(b, 'PUT', '/faults', { faults: [FAULT] })).status).toBe(200);
    expect((await control(a, 'GET', '/faults')).body.faults).toEqual([expect.objectContaining({ on: 'invite' })]);
    expect(
      (await control(b, 'PUT', `/people/${DEFAULT_USERS.megan}/behaviour`, { answer: { action: 'busy' } })).status,
    ).toBe(200);
    const megan = await control(a, 'GET', `/people/${DEFAULT_USERS.megan}`);
    // `afterMs` fell back to what B saw as her behaviour (A's change), as it would on one instance.
    expect(megan.body.value).toEqual([expect.objectContaining({ answer: { action: 'busy', afterMs: 0 } })]);

    const c = await start();
    expect(answerOf(c, DEFAULT_USERS.megan)).toEqual({ action: 'busy', afterMs: 0 });
    expect(c.sb.directory.world.faults).toHaveLength(1);

    // A reset on one instance: every other one drops its run-time changes too (within a poll, or at a read).
    const loadedAnswer = fastWorld(null).tenants[0]!.users.find((u) => u.id === DEFAULT_USERS.megan)!.answer;
    expect((await control(c, 'POST', '/reset')).body).toMatchObject({ dropped: { worldChanges: 3 } });
    expect(answerOf(c, DEFAULT_USERS.megan)).toEqual(loadedAnswer);
    await vi.waitFor(() => expect(answerOf(a, DEFAULT_USERS.megan)).toEqual(loadedAnswer), {
      timeout: 5000,
      interval: 50,
    });
    expect((await control(b, 'GET', '/faults')).body.faults).toEqual([]);
    expect(answerOf(b, DEFAULT_USERS.megan)).toEqual(loadedAnswer);
  });
});
