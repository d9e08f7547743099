/** The clock's control API: read it on either clock; moving a real clock is 409 in the Graph error envelope. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorld } from '../../src/sim/default-world.js';
import { expectGraphError, sendPlain } from '../conformance/raw/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const json = { 'content-type': 'application/json' };

describe('clock control API', () => {
  let real: TestServer;
  let virtual: TestServer;
  beforeAll(async () => {
    real = await startTestServer(defaultWorld());
    virtual = await startTestServer(defaultWorld(), { virtual: true });
  });
  afterAll(async () => {
    await real.close();
    await virtual.close();
  });

  it('GET /_switchboard/clock names the mode and the time', async () => {
    const r = (await (await fetch(`${real.httpUrl}/_switchboard/clock`)).json()) as {
      mode: string;
      now: string;
      epochMs: number;
    };
    expect(r.mode).toBe('real');
    expect(Date.parse(r.now)).toBe(r.epochMs);
    const v = (await (await fetch(`${virtual.httpUrl}/_switchboard/clock`)).json()) as { mode: string };
    expect(v.mode).toBe('virtual');
  });

  it('advance on the real clock is 409 Conflict in the Graph envelope', async () => {
    const res = await sendPlain(`${real.httpUrl}/_switchboard/clock/advance`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ms: 1000 }),
    });
    expectGraphError(res, { status: 409, code: 'Conflict', message: /--clock virtual/ });
  });

  it('advance and set move the virtual clock forward only; bad bodies are 400 naming the property', async () => {
    const before = (await (await fetch(`${virtual.httpUrl}/_switchboard/clock`)).json()) as { epochMs: number };
    const a = await sendPlain(`${virtual.httpUrl}/_switchboard/clock/advance`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ms: 2_700_000 }),
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ mode: 'virtual', epochMs: before.epochMs + 2_700_000 });
    const at = new Date(before.epochMs + 3_600_000).toISOString();
    const s = await sendPlain(`${virtual.httpUrl}/_switchboard/clock/set`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ time: at }),
    });
    expect(s.body).toMatchObject({ now: at });
    const back = await sendPlain(`${virtual.httpUrl}/_switchboard/clock/set`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ time: new Date(before.epochMs).toISOString() }),
    });
    expectGraphError(back, { status: 400, code: 'BadRequest', target: 'time', named: null });
    const neg = await sendPlain(`${virtual.httpUrl}/_switchboard/clock/advance`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ms: -5 }),
    });
    expectGraphError(neg, { status: 400, code: 'BadRequest', target: 'ms' });
    const after = (await (await fetch(`${virtual.httpUrl}/_switchboard/clock`)).json()) as { now: string };
    expect(after.now).toBe(at);
  });

  it('each move of the virtual clock is a `clock` event on the change feed, also when it fired nothing', async () => {
    const head = await virtual.sb.store.events.latestSeq();
    const a = await sendPlain(`${virtual.httpUrl}/_switchboard/clock/advance`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ms: 60_000 }),
    });
    expect(a.body).toMatchObject({ timersFired: 0 });
    const told = (await virtual.sb.store.events.after(head, 100)).filter((e) => e.kind === 'clock');
    expect(told).toEqual([
      expect.objectContaining({
        kind: 'clock',
        at: a.body.epochMs,
        conversationId: null,
        callId: null,
        body: { now: a.body.now, steps: 0, timersFired: 0 },
      }),
    ]);
    // A refused move tells nothing.
    await sendPlain(`${virtual.httpUrl}/_switchboard/clock/advance`, { method: 'POST', headers: json, body: '{}' });
    expect((await virtual.sb.store.events.after(head, 100)).filter((e) => e.kind === 'clock')).toHaveLength(1);
  });
});
