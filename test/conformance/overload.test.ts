/**
 * Overload honesty (issue 17, src/service/admission.ts): a command that waited past `--overload-wait` for its
 * transaction turn is answered as a throttling limit answers (429 TooManyRequests, Retry-After, Graph's shape) and
 * changes nothing; the official clients' retry handlers wait Retry-After and succeed. The backlog is made real and
 * deterministic by holding the store's one transaction turn, as a long transaction or a slow disk would; the
 * requests queued behind it wait at least 200 ms more, four times the 50 ms bound. The door check (event-loop lag)
 * is made real by keeping this process's event loop busy: the server shares it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config.js';
import { RejectionCode } from '../../src/domain/rejections.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import {
  APP,
  inviteUser,
  MEETING_A,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
  type RawResponse,
} from './fixture.js';
import { GRAPH_DATE, GUID, QUIET_MS } from './raw/helpers.js';
import { recordingGraphClient } from './recording-graph-client.js';
import { startBusyLoop, type BusyLoop } from '../helpers/busy-loop.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** How long the queued commands wait at least: four times the 50 ms bound below. */
const HOLD_MS = 200;

it('bounds overload by default: event-loop lag 200 ms, notification backlog 500 ms, a command’s wait for its turn 500 ms', () => {
  expect(DEFAULTS).toMatchObject({ overloadLag: 200, overloadBacklog: 500, overloadWait: 500 });
});

// The test takes every transaction turn the store has, so that commands queue for one: SQLite has one (its single
// writer), PostgreSQL as many as its pool runs side by side (poolSize − 2). Holders are added until one of them has
// to queue, which counts the turns without knowing the store's settings.
/** Holds every transaction turn while `during` sends requests, until `waiters` queue behind them and HOLD_MS more. */
async function holdingTurns<T>(c: Conformance, waiters: number, during: () => Promise<T>): Promise<T> {
  // The request log writes earlier requests to the change feed 50 ms after them, through the same turns: let that
  // happen first, and count waiters beyond any already queued, so only the requests sent here are counted.
  await sleep(QUIET_MS);
  const store = c.server.sb.store;
  const releases: (() => void)[] = [];
  let released = false;
  const hold = (): Promise<void> =>
    store.transact(() => (released ? Promise.resolve() : new Promise<void>((resolve) => releases.push(resolve))));
  const before = store.waiting;
  const held: Promise<void>[] = [];
  // Until a holder queues: every turn is then taken, and that holder is queued too.
  while (store.waiting === before) {
    held.push(hold());
    await sleep(5);
  }
  const already = store.waiting;
  const result = during();
  while (store.waiting < already + waiters) await sleep(5);
  // Every waiter counted now waits at least HOLD_MS.
  await sleep(HOLD_MS);
  released = true;
  for (const release of releases) release();
  await Promise.all(held);
  return result;
}

describe('overload: a command that waited past --overload-wait (50 ms) for its turn', () => {
  let c: Conformance;
  let callId: string;

  beforeAll(async () => {
    c = await startConformance(undefined, { config: { overloadWait: 50 } });
    callId = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
  });

  it('is answered 429 TooManyRequests in Graph’s throttling shape with Retry-After, and changes nothing', async () => {
    const view = async (): Promise<unknown> => (await fetch(`${c.server.httpUrl}/_switchboard/calls/${callId}`)).json();
    // The call's earlier notifications delivered first: the view below must change only if the refused invite did.
    expect(await c.server.sb.dispatcher.drain()).toBe(true);
    const before = await view();
    const notified = c.bot.notifications.length;
    const res: RawResponse = await holdingTurns(c, 1, () =>
      c.raw(
        'POST',
        `/v1.0/communications/calls/${callId}/participants/invite`,
        { participants: [inviteUser(USERS.megan)] },
        { 'client-request-id': randomUUID() },
      ),
    );
    expect(res.status, res.text).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    // No Graph limit was exhausted, so no scope is named.
    expect(res.headers.get('x-ms-throttle-scope')).toBeNull();
    expect(res.body).toEqual({
      error: {
        code: 'TooManyRequests',
        message: 'Please retry again later.',
        innerError: {
          code: '429',
          message: 'Please retry after',
          status: '429',
          date: expect.stringMatching(GRAPH_DATE),
          'request-id': expect.stringMatching(GUID),
          'client-request-id': expect.stringMatching(GUID),
        },
      },
    });
    await sleep(QUIET_MS);
    expect(await view()).toEqual(before);
    expect(c.bot.notifications.length).toBe(notified);
  });

  it('a read that waited too long is refused the same way; once the turn is free, requests are served again', async () => {
    const res = await holdingTurns(c, 1, () => c.raw('GET', `/v1.0/communications/calls/${callId}`));
    expect(res.status, res.text).toBe(429);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).status).toBe(200);
  });

  it('the Graph JS client’s RetryHandler waits Retry-After and returns every result', async () => {
    const { graph, statuses } = recordingGraphClient(c);
    const calls = (await holdingTurns(c, 3, () =>
      Promise.all([1, 2, 3].map(() => graph.api(`/communications/calls/${callId}`).get())),
    )) as { id: string }[];
    expect(calls.map((x) => x.id)).toEqual([callId, callId, callId]);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
  });

  it('Kiota’s RetryHandler waits Retry-After and returns every result', async () => {
    const from = c.kiota.exchanges.length;
    const calls = await holdingTurns(c, 3, () =>
      Promise.all([1, 2, 3].map(() => c.kiota.calls.byCallId(callId).get())),
    );
    expect(calls.map((x) => x?.id)).toEqual([callId, callId, callId]);
    const statuses = c.kiota.exchanges.slice(from).map((x) => x.status);
    // At least one waited past the bound (the store's turn may also be taken by a delivery while they queue).
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
  });

  it('an invite retried by the Graph JS client after 429 is served once: one participant, one operation', async () => {
    const { graph, statuses } = recordingGraphClient(c);
    const op = (await holdingTurns(c, 1, () =>
      graph
        .api(`/communications/calls/${callId}/participants/invite`)
        .post({ participants: [inviteUser(USERS.adele)] }),
    )) as { id: string; status: string };
    expect(statuses).toEqual([429, 200]);
    expect(op.id).toMatch(GUID);
    const view = (await (await fetch(`${c.server.httpUrl}/_switchboard/calls/${callId}`)).json()) as {
      roster: unknown[];
      operations: { id: string }[];
    };
    expect(view.roster.filter((p) => JSON.stringify(p).includes(USERS.adele))).toHaveLength(1);
    expect(view.operations.filter((o) => o.id === op.id)).toHaveLength(1);
  });
});

// A request that waited for its turn in the pacer (src/api/turn-pacer.ts) carries that wait into the service
// (src/api/overload-door.ts `queuedMsOf`, CallingService.forRequest): its command may wait only what is left of the
// bound for its transaction turn. The pacer's wait is given here, as the route would hand it on.
describe('overload: one bound (--overload-wait 1000 ms) for a request’s wait in the pacer and its command’s turn', () => {
  let c: Conformance;
  let callId: string;
  const principal = { tenantId: TENANT, appId: APP, roles: [...ALL_CALLING_ROLES] };

  beforeAll(async () => {
    c = await startConformance(undefined, { config: { overloadWait: 1000 } });
    callId = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    await c.close();
  });

  it('a request that queued 950 ms is refused once its command waits 200 ms more; one that did not queue is served', async () => {
    const service = c.server.sb.service;
    const late = await holdingTurns(c, 2, () =>
      Promise.all([
        service.forRequest(950).getCall(principal, callId),
        service.forRequest(950).keepAlive(principal, callId),
      ]),
    );
    for (const r of late) expect(r).toMatchObject({ code: RejectionCode.overloaded });
    expect((late[1] as { message: string }).message).toMatch(/after its request waited 950 ms/);

    const served = await holdingTurns(c, 2, () =>
      Promise.all([
        service.forRequest(0).getCall(principal, callId),
        service.forRequest(0).keepAlive(principal, callId),
      ]),
    );
    expect(served[0]).toMatchObject({ leg: { id: callId } });
    expect(served[1]).toBeNull();
  });

  it('a service for a request that did not queue is the service itself', () => {
    const service = c.server.sb.service;
    expect(service.forRequest(0)).toBe(service);
    expect(service.forRequest(950)).not.toBe(service);
  });
});

describe('overload: while the event loop runs late (--overload-lag 100 ms), Graph requests are refused at the door', () => {
  let c: Conformance;
  let callId: string;
  let busy: BusyLoop | null = null;

  beforeAll(async () => {
    c = await startConformance(undefined, { config: { overloadLag: 100 } });
    callId = await c.joinMeeting(MEETING_A);
  });
  afterAll(async () => {
    stopBusy();
    await c.close();
  });

  async function startBusy(): Promise<void> {
    busy = await startBusyLoop();
  }
  function stopBusy(): void {
    busy?.stop();
    busy = null;
  }

  it('answers 429 with Retry-After before reading the request, and the control API still answers', async () => {
    await c.token(); // fetched before the loop is slowed
    await startBusy();
    try {
      // The probe needs two late runs in a row: a cheap read shows when the door has closed.
      let refused = false;
      for (let i = 0; i < 40 && !refused; i++)
        refused = (await c.raw('GET', `/v1.0/communications/calls/${callId}`)).status === 429;
      expect(refused).toBe(true);
      const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
        participants: [inviteUser(USERS.megan)],
      });
      expect(res.status, res.text).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body.error.code).toBe('TooManyRequests');
      // Refused in front of the app (src/api/overload-door.ts), still in Graph's envelope with its ids.
      expect(res.body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
      expect(res.body.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      const traced = await c.raw('GET', `/beta/communications/calls/${callId}`, undefined, {
        'client-request-id': 'my-trace-1',
      });
      expect(traced.status).toBe(429);
      expect(traced.headers.get('client-request-id')).toBe('my-trace-1');
      expect(traced.body.error.innerError['client-request-id']).toBe('my-trace-1');
      expect((await fetch(`${c.server.httpUrl}/_switchboard/health`)).status).toBe(200);
    } finally {
      stopBusy();
    }
  });

  it('the Graph JS client’s RetryHandler waits Retry-After and succeeds once the loop is on time again', async () => {
    const { graph, statuses } = recordingGraphClient(c);
    await c.token(); // fetched before the loop is slowed, so only the Graph request meets the overload
    await startBusy();
    const stopAfterRefusal = setInterval(() => {
      if (statuses.includes(429)) stopBusy();
    }, 0);
    try {
      const call = (await graph.api(`/communications/calls/${callId}`).get()) as { id: string };
      expect(call.id).toBe(callId);
      expect(statuses[0]).toBe(429);
      expect(statuses.at(-1)).toBe(200);
    } finally {
      clearInterval(stopAfterRefusal);
      stopBusy();
    }
  });
});
