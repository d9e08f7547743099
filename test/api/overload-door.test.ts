/**
 * The overload door (src/api/overload-door.ts) with the pacer in front of the app: a Graph request refused at once
 * while overloaded, or refused unread after waiting past the bound for its turn; the control API always served.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { queuedMsOf, withOverloadDoor } from '../../src/api/overload-door.js';
import { Admission } from '../../src/service/admission.js';

let server: http.Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A server behind the door whose pacer reports `waitedMs` for every request; returns its URL and what was served. */
async function doorServer(opts: { waitedMs: number; lag?: number }) {
  const admission = new Admission(
    { lagMs: 200, backlogMs: null, waitMs: 500 },
    { lagMs: () => opts.lag ?? 0, backlogMs: () => 0 },
  );
  const served: string[] = [];
  const queued: number[] = [];
  const handle = withOverloadDoor(
    (req, res) => {
      served.push(req.url ?? '');
      queued.push(queuedMsOf(req));
      res.end('served');
    },
    { refuse: () => admission.check() !== null, refuseWaited: (ms) => admission.refuseWaited(ms) },
    { run: (start) => start(opts.waitedMs) },
  );
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, served, queued, admission };
}

const post = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });

describe('overload door and pacer', () => {
  it('serves a Graph request that waited within the bound for its turn, and tells the app how long it waited', async () => {
    const { url, served, queued } = await doorServer({ waitedMs: 499 });
    const res = await post(`${url}/v1.0/communications/calls/c1/participants/invite`);
    expect(res.status).toBe(200);
    expect(served).toEqual(['/v1.0/communications/calls/c1/participants/invite']);
    // The routes hand it to the service: its command may wait only the 1 ms left of the bound for its turn.
    expect(queued).toEqual([499]);
  });

  it('a Graph request that did not wait for its turn has waited 0 ms', async () => {
    const { url, queued } = await doorServer({ waitedMs: 0 });
    expect((await post(`${url}/v1.0/communications/calls`)).status).toBe(200);
    expect(queued).toEqual([0]);
  });

  it('refuses unread, in Graph throttling shape, a Graph request that waited past the bound', async () => {
    const { url, served, admission } = await doorServer({ waitedMs: 501 });
    const res = await post(`${url}/v1.0/communications/calls/c1/participants/invite`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as { error: { code: string; innerError: { 'request-id': string } } };
    expect(body.error.code).toBe('TooManyRequests');
    expect(body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
    expect(served).toEqual([]);
    expect(admission.refused).toBe(1);
  });

  it('never refuses the control API, however long it waited or however late the loop runs', async () => {
    const { url, served, queued } = await doorServer({ waitedMs: 10_000, lag: 10_000 });
    const res = await fetch(`${url}/_switchboard/health`);
    expect(res.status).toBe(200);
    expect(served).toEqual(['/_switchboard/health']);
    // Not bounded, so its wait is not carried on either.
    expect(queued).toEqual([0]);
  });

  it('refuses a Graph request at once while the loop runs late, before the pacer', async () => {
    const { url, served } = await doorServer({ waitedMs: 0, lag: 201 });
    const res = await post(`${url}/beta/communications/calls`);
    expect(res.status).toBe(429);
    expect(served).toEqual([]);
  });
});
