/**
 * The change feed end to end: a bot's call shows up on GET /_switchboard/events as it happens (its command, its
 * Graph requests with bodies, each delivery attempt with the JWT it carried), a late watcher catches up from a
 * sequence number, a call's timeline gathers it all (also after the call ended), and a notification's JWT checks
 * out against the published keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_A, USERS, startConformance, type Conformance } from '../conformance/fixture.js';
import { readFeed, type FeedReader } from '../helpers/sse.js';

describe('change feed over HTTP', () => {
  let c: Conformance;
  let feed: FeedReader;

  beforeAll(async () => {
    c = await startConformance();
    feed = await readFeed(`${c.server.httpUrl}/_switchboard/events`);
    await feed.ready;
  });
  afterAll(async () => {
    feed?.close();
    await c?.close();
  });

  it('streams a call as it happens: the command, the Graph request with both bodies, each delivery with its JWT', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const command = await feed.waitFor(
      (e) => e.kind === 'command' && JSON.stringify(e.body).includes(callId),
      'the join',
    );
    expect(command.conversationId).toBeTruthy();
    expect(command.body.cause).toEqual({ kind: 'request' });
    const request = await feed.waitFor(
      (e) => e.kind === 'request' && e.callId === callId && e.body.method === 'POST',
      'the POST /calls',
    );
    expect(request.body.path).toBe('/v1.0/communications/calls');
    expect(request.body.status).toBe(201);
    expect(JSON.parse(request.body.request as string).chatInfo.threadId).toBe(MEETING_A);
    expect(JSON.parse(request.body.response as string).id).toBe(callId);
    // The request arrived before the command it caused committed: the timeline puts it first.
    expect(request.rt).toBeLessThan(command.rt);
    const established = await feed.waitFor(
      (e) => e.kind === 'command' && (e.body.cause as { timer?: string }).timer === 'call.established',
      'the establishment timer',
    );
    expect(established.conversationId).toBe(command.conversationId);
    const delivery = await feed.waitFor(
      (e) => e.kind === 'delivery' && e.callId === callId && e.body.outcome === 'delivered',
      'a delivery',
    );
    expect(delivery.body).toMatchObject({ statusCode: 202, attempt: 1 });
    expect(typeof delivery.body.token).toBe('string');
    const seqs = feed.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('a watcher that comes later catches up from a sequence number (?after= or Last-Event-ID)', async () => {
    const first = feed.events[0]!;
    const late = await readFeed(`${c.server.httpUrl}/_switchboard/events?after=${first.seq - 1}`);
    try {
      const last = feed.events[feed.events.length - 1]!;
      await late.waitFor((e) => e.seq === last.seq, 'the backlog up to now');
      expect(late.events.slice(0, feed.events.length).map((e) => e.seq)).toEqual(feed.events.map((e) => e.seq));
    } finally {
      late.close();
    }
    const resumed = await readFeed(`${c.server.httpUrl}/_switchboard/events`, { 'last-event-id': String(first.seq) });
    try {
      await resumed.waitFor((e) => e.seq === feed.events[1]!.seq, 'the event after Last-Event-ID');
      expect(resumed.events[0]!.seq).toBe(feed.events[1]!.seq);
    } finally {
      resumed.close();
    }
    // Without Accept: text/event-stream, one JSON page of the feed (scripts; nothing waits on an endless answer).
    const page = (await (await fetch(`${c.server.httpUrl}/_switchboard/events?after=${first.seq - 1}`)).json()) as {
      value: { seq: number }[];
      next: number;
    };
    expect(page.value.map((e) => e.seq).slice(0, 3)).toEqual(feed.events.slice(0, 3).map((e) => e.seq));
    expect(page.next).toBe(page.value[page.value.length - 1]!.seq);
    const head = await fetch(`${c.server.httpUrl}/_switchboard/events`, {
      method: 'HEAD',
      headers: { accept: 'text/event-stream' },
    });
    expect([head.status, head.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    // A seq from another epoch (the server restarted, its SQLite feed is new) replays nothing: it starts from now.
    const ready = await feed.ready;
    expect(ready.epoch).toBe(c.server.sb.feed.epoch);
    const otherEpoch = await readFeed(`${c.server.httpUrl}/_switchboard/events?epoch=before-a-restart`, {
      'last-event-id': String(first.seq - 1),
    });
    try {
      const { head } = await otherEpoch.ready;
      expect(head).toBeGreaterThanOrEqual(feed.events[feed.events.length - 1]!.seq);
      await new Promise((r) => setTimeout(r, 100));
      expect(otherEpoch.events).toEqual([]);
    } finally {
      otherEpoch.close();
    }
    const bad = await fetch(`${c.server.httpUrl}/_switchboard/events?after=-1`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { innerError?: unknown } }).error.innerError).toBeDefined();
  });

  it('a call’s timeline gathers its commands, requests, notifications and deliveries, and outlives the call', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const invite = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
    });
    expect(invite.status, invite.text).toBe(200);
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/operations/${invite.body.id}` &&
        n.item.resourceData?.status === 'Completed',
      { description: 'invite completed' },
    );
    const timeline = async () => (await c.raw('GET', `/_switchboard/calls/${callId}/timeline`)).body;
    await expect
      .poll(async () =>
        (await timeline()).events.some(
          (e: { kind: string; body: { path?: string } }) =>
            e.kind === 'request' && e.body.path?.endsWith('/participants/invite'),
        ),
      )
      .toBe(true);
    let t = await timeline();
    expect(t.live).toBe(true);
    expect(
      t.events.some(
        (e: { kind: string; body: { path?: string } }) =>
          e.kind === 'request' && e.body.path?.endsWith('/participants/invite'),
      ),
    ).toBe(true);
    expect(
      t.events.some(
        (e: { kind: string; body: { cause?: { timer?: string } } }) =>
          e.kind === 'command' && e.body.cause?.timer === 'invitee.answer',
      ),
    ).toBe(true);
    expect(t.notifications.length).toBeGreaterThan(2);
    expect(t.notifications.every((n: { callId: string }) => t.callIds.includes(n.callId))).toBe(true);

    const hangUp = await c.raw('DELETE', `/v1.0/communications/calls/${callId}`);
    expect(hangUp.status).toBe(204);
    await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}`,
      { description: 'call deleted' },
    );
    // The request log is written in batches, off the request path: the DELETE shows up within a moment.
    await expect
      .poll(async () =>
        (await timeline()).events.some(
          (e: { kind: string; body: { method?: string } }) => e.kind === 'request' && e.body.method === 'DELETE',
        ),
      )
      .toBe(true);
    t = await timeline();
    expect(t.live).toBe(false);
    const ended = (await c.raw('GET', '/_switchboard/ended-calls')).body as {
      value: { id: string; conversationId: string }[];
    };
    expect(ended.value[0]).toMatchObject({ id: callId, conversationId: t.conversationId });
    expect((await c.raw('GET', '/_switchboard/ended-calls?limit=0')).status).toBe(400);
    expect((await c.raw('GET', '/_switchboard/calls/no-such-call/timeline')).status).toBe(404);
  });

  it('decodes a notification JWT and checks it against the published keys', async () => {
    const delivery = feed.events.find((e) => e.kind === 'delivery' && typeof e.body.token === 'string')!;
    const token = delivery.body.token as string;
    const ok = await c.raw('POST', '/_switchboard/notification-tokens/verify', { token });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      verified: true,
      error: null,
      header: { alg: 'RS256' },
      claims: { iss: 'https://api.botframework.com' },
    });
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
    const bad = await c.raw('POST', '/_switchboard/notification-tokens/verify', { token: tampered });
    expect(bad.body.verified).toBe(false);
    expect(bad.body.error).toMatch(/signature/i);
    expect((await c.raw('POST', '/_switchboard/notification-tokens/verify', { token: 'nope' })).status).toBe(400);
  });
});
