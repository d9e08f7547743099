/**
 * The typed control client (src/client/control.ts) against a real server: each group of methods does what its
 * control route does, and `waitForNotification` waits for delivery, filters, pages and fails with a useful message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectSwitchboard,
  identity,
  SwitchboardControl,
  SwitchboardError,
  WaitForNotificationError,
  type NotificationLogEntry,
} from '../../src/client/index.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
} from '../../src/sim/default-world.js';
import { startFakeBot, type FakeBot } from '../helpers/fake-bot.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

const TENANT = DEFAULT_TENANT_ID;
const adele = DEFAULT_USERS.adele;

async function graphPost(
  server: TestServer,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.httpUrl}/v1.0${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const joinBody = (callbackUri: string, threadId: string) => ({
  '@odata.type': '#microsoft.graph.call',
  callbackUri,
  requestedModalities: ['audio'],
  mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
  chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId, messageId: '0' },
  meetingInfo: {
    '@odata.type': '#microsoft.graph.organizerMeetingInfo',
    organizer: { user: { id: DEFAULT_USERS.bob, tenantId: TENANT } },
  },
  tenantId: TENANT,
});

describe('SwitchboardControl on the real clock', () => {
  let server: TestServer;
  let bot: FakeBot;
  let control: SwitchboardControl;
  beforeAll(async () => {
    bot = await startFakeBot();
    server = await startTestServer(fastWorld(bot.url));
    control = new SwitchboardControl(server.httpUrl);
  });
  afterAll(async () => {
    await server?.close();
    await bot?.close();
  });

  it('takes the server origin or the banner control URL', () => {
    expect(connectSwitchboard(`${server.httpUrl}/_switchboard/`).url).toBe(server.httpUrl);
    expect(new SwitchboardControl(`${server.httpUrl}/`).url).toBe(server.httpUrl);
  });

  it('people: list (all, or one tenant), get, setBehaviour', async () => {
    const people = await control.people.list();
    expect(people.map((p) => p.id)).toContain(adele);
    expect(await control.people.list(TENANT)).toEqual(people);
    expect(await control.people.list('00000000-0000-0000-0000-00000000dead')).toEqual([]);
    expect(await control.people.get(adele)).toMatchObject({
      tenantId: TENANT,
      kind: 'user',
      id: adele,
      displayName: 'Adele Vance',
      answer: { action: 'accept', afterMs: 40 },
      then: [],
    });
    const changed = await control.people.setBehaviour(DEFAULT_USERS.heidi, {
      answer: { action: 'decline' },
      then: [{ action: 'mute', afterMs: 500 }],
    });
    // A partial answer keeps the other field.
    expect(changed).toMatchObject({
      id: DEFAULT_USERS.heidi,
      answer: { action: 'decline', afterMs: 40 },
      then: [{ action: 'mute', afterMs: 500 }],
    });
    expect(await control.people.get(DEFAULT_USERS.heidi)).toEqual(changed);
    const phone = await control.people.setBehaviour('+14255550142', {
      answer: { action: 'busy', afterMs: 5 },
      tenantId: TENANT,
    });
    expect(phone).toMatchObject({ kind: 'phone', id: '+14255550142', tenantId: TENANT });
    await expect(control.people.get('nobody')).rejects.toMatchObject({ status: 404, code: 'itemNotFound' });
    await expect(control.people.get('+14255550142', '00000000-0000-0000-0000-00000000dead')).rejects.toThrow(
      /No person \+14255550142 in tenant/,
    );
  });

  it('incomingCall, calls.list / get / operations / act / pressTones, and waitForNotification on one call', async () => {
    const call = await control.incomingCall({
      tenantId: TENANT,
      source: identity.user(adele, 'Adele Vance'),
      target: identity.application(DEFAULT_APP_ID),
    });
    expect(call).toMatchObject({ '@odata.type': '#microsoft.graph.call', state: 'incoming', direction: 'incoming' });
    const created = await control.waitForNotification((n) => n.changeType === 'created', { callId: call.id });
    expect(created.entry.status).toBe('delivered');
    expect(created.entry.callId).toBe(call.id);
    // Delivered means the bot has it.
    expect(
      bot.notifications.some(
        (n) => n.item.changeType === 'created' && n.item.resourceUrl === `/communications/calls/${call.id}`,
      ),
    ).toBe(true);

    expect((await control.calls.list({ state: 'incoming' })).map((c) => c.id)).toContain(call.id);
    expect(await control.calls.list({ kind: 'meeting', state: 'incoming' })).toEqual([]);
    await expect(control.calls.list({ state: 'ringing' as 'incoming' })).rejects.toMatchObject({
      status: 400,
      target: 'state',
    });

    const answered = await fetch(`${server.httpUrl}/v1.0/communications/calls/${call.id}/answer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        callbackUri: bot.url,
        acceptedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      }),
    });
    expect(answered.status).toBe(202);
    await control.waitForNotification((n) => n.resourceData?.state === 'established', { callId: call.id });

    const detail = await control.calls.get(call.id);
    expect(detail.state).toBe('established');
    expect(detail.conversation?.kind).toBe('peerToPeer');
    expect(detail.roster.some((r) => r.participant.info.identity.user?.id === adele)).toBe(true);
    expect(detail.notifications.map((n) => n.sequence)).toEqual(
      (await control.notifications.list({ callId: call.id })).map((n) => n.sequence),
    );

    const tones = await control.calls.pressTones(call.id, '1#');
    expect(tones).toMatchObject({ callId: call.id, tones: ['tone1', 'pound'] });

    const hold = await control.calls.act(call.id, adele, { action: 'hold' });
    expect(hold).toMatchObject({ action: 'hold', status: 'done' });
    await control.waitForNotification((n) => n.resourceData?.state === 'hold', { callId: call.id });
    const later = await control.calls.act(call.id, adele, { action: 'hangUp', afterMs: 50 });
    expect(later.status).toBe('scheduled');
    const gone = await control.waitForNotification(
      (n) => n.changeType === 'deleted' && n.resourceUrl === `/communications/calls/${call.id}`,
    );
    expect(gone.notification.resourceData.state).toBe('terminated');
    await expect(control.calls.get(call.id)).rejects.toMatchObject({ status: 404, code: 'itemNotFound' });
  });

  it("waitForNotification: a meeting join's invite, the operation's deleted/Completed and the roster, in order", async () => {
    const mark = await control.notifications.latestSequence();
    const join = await graphPost(
      server,
      '/communications/calls',
      joinBody(bot.url, DEFAULT_MEETING_THREADS.weeklySync),
    );
    expect(join.status).toBe(201);
    const callId = String(join.json.id);
    await control.waitForNotification(
      (n) => n.resourceUrl === `/communications/calls/${callId}` && n.resourceData.state === 'established',
      { after: mark },
    );
    const invite = await graphPost(server, `/communications/calls/${callId}/participants/invite`, {
      participants: [{ identity: { user: { id: DEFAULT_USERS.megan } } }],
    });
    expect(invite.status).toBe(200);
    const done = await control.waitForNotification(
      (n) => n.resourceUrl === `/communications/calls/${callId}/operations/${String(invite.json.id)}`,
      5000,
    );
    expect(done.notification).toMatchObject({ changeType: 'deleted', resourceData: { status: 'Completed' } });
    expect(await control.calls.operations(callId)).toMatchObject({
      callId,
      callEnded: false,
      value: [{ id: invite.json.id, type: 'inviteParticipantsOperation', status: 'Completed' }],
    });
    const roster = await control.waitForNotification(
      (n) =>
        n.resourceUrl === `/communications/calls/${callId}/participants` &&
        (n.resourceData as { info: { identity: { user?: { id: string } } } }[]).some(
          (p) => p.info.identity.user?.id === DEFAULT_USERS.megan,
        ),
      { after: mark },
    );
    expect([roster.entry.sequence, roster.index]).toSatisfy(
      ([s, i]: number[]) => s! > done.entry.sequence || (s === done.entry.sequence && i! > done.index),
    );
    // `after` hides everything up to it.
    await expect(
      control.waitForNotification((n) => n.resourceUrl === `/communications/calls/${callId}/participants`, {
        after: roster.entry.sequence,
        timeoutMs: 100,
      }),
    ).rejects.toThrow(WaitForNotificationError);
  });

  it('waitForNotification times out listing every notification that did arrive', async () => {
    const call = await control.incomingCall({
      tenantId: TENANT,
      source: identity.user(DEFAULT_USERS.alex),
      target: identity.application(DEFAULT_APP_ID),
    });
    await control.waitForNotification((n) => n.changeType === 'created', { callId: call.id });
    const err = (await control
      .waitForNotification((n) => n.changeType === 'deleted', { callId: call.id, timeoutMs: 150 })
      .catch((e: unknown) => e)) as WaitForNotificationError;
    expect(err).toBeInstanceOf(WaitForNotificationError);
    expect(err.reason).toBe('timeout');
    expect(err.message).toMatch(
      new RegExp(
        `no matching notification delivered within 150 ms\\. 1 notification\\(s\\) of call ${call.id} arrived:\\n  #\\d+ delivered created /communications/calls/${call.id} \\(incoming\\)`,
      ),
    );
    expect(err.seen.map((e) => e.callId)).toEqual([call.id]);
    const none = (await control
      .waitForNotification(() => true, { callId: 'no-such-call', timeoutMs: 50 })
      .catch((e: unknown) => e)) as Error;
    expect(none.message).toMatch(/No notification of call no-such-call arrived at all\./);
  });

  it('notifications: list pages with limit and after; all pages through; latestSequence', async () => {
    const all = await control.notifications.all();
    expect(all.length).toBeGreaterThan(4);
    const seqs = all.map((e) => e.sequence);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const page1 = await control.notifications.list({ limit: 2 });
    const page2 = await control.notifications.list({ limit: 2, after: page1.at(-1)!.sequence });
    expect([...page1, ...page2].map((e) => e.sequence)).toEqual(seqs.slice(0, 4));
    expect(await control.notifications.latestSequence()).toBe(seqs.at(-1));
    await expect(control.notifications.list({ limit: 0 })).rejects.toMatchObject({ status: 400, target: 'limit' });
  });

  it('faults: set, get, clear; a bad fault is a SwitchboardError naming its path', async () => {
    const fault = { on: 'invite' as const, result: { code: 500, subcode: 9999, message: 'boom' } };
    expect(await control.faults.set([fault])).toEqual([{ ...fault, when: {}, afterMs: 0 }]);
    expect(await control.faults.get()).toEqual([{ ...fault, when: {}, afterMs: 0 }]);
    expect(await control.faults.set([])).toEqual([]);
    const err = await control.faults.set([{ ...fault, result: { ...fault.result, code: 5 } }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchboardError);
    expect(err).toMatchObject({ status: 400, target: 'faults[0].result.code' });
  });

  it('clock: now on the real clock; advance is refused with 409', async () => {
    const now = await control.clock.now();
    expect(now.mode).toBe('real');
    expect(Math.abs(now.epochMs - Date.now())).toBeLessThan(60_000);
    await expect(control.clock.advance(1000)).rejects.toMatchObject({ status: 409, code: 'Conflict' });
  });

  it('sends the control key as a bearer token, and JSON only with a body', async () => {
    const seen: { method: string; headers: Record<string, string> }[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push({ method: init?.method ?? 'GET', headers: { ...(init?.headers as Record<string, string>) } });
      return fetch(input, init);
    };
    const keyed = new SwitchboardControl(server.httpUrl, { key: 's3cret', fetch: recording });
    await keyed.clock.now();
    await keyed.faults.set([]);
    expect(seen).toEqual([
      { method: 'GET', headers: { accept: 'application/json', authorization: 'Bearer s3cret' } },
      {
        method: 'PUT',
        headers: { accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer s3cret' },
      },
    ]);
  });
});

describe('SwitchboardControl: reset, health, ready, world', () => {
  let server: TestServer;
  let bot: FakeBot;
  let control: SwitchboardControl;
  beforeAll(async () => {
    bot = await startFakeBot();
    server = await startTestServer(fastWorld(bot.url));
    control = new SwitchboardControl(server.httpUrl);
  });
  afterAll(async () => {
    await server?.close();
    await bot?.close();
  });

  it('health and ready answer; world() is the world in effect, as a world file', async () => {
    expect(await control.health()).toEqual({ status: 'ok' });
    expect(await control.ready()).toMatchObject({
      status: 'ready',
      store: server.sb.store.kind,
      schemaVersion: expect.any(Number),
    });
    await control.people.setBehaviour(DEFAULT_USERS.diego, { answer: { action: 'busy', afterMs: 3 } });
    const world = await control.world();
    expect(world.tenants[0]!.users.find((u) => u.id === DEFAULT_USERS.diego)!.answer).toEqual({
      action: 'busy',
      afterMs: 3,
    });
    expect(world).toEqual(JSON.parse(JSON.stringify(server.sb.directory.world)));
  });

  it('reset() drops calls, notifications and run-time changes, and says what it dropped', async () => {
    await control.people.setBehaviour(DEFAULT_USERS.megan, { answer: { action: 'decline', afterMs: 1 } });
    await control.faults.set([{ on: 'invite', result: { code: 500, subcode: 1, message: 'x' } }]);
    const call = await control.incomingCall({
      tenantId: TENANT,
      source: identity.user(adele),
      target: identity.application(DEFAULT_APP_ID),
    });
    await control.waitForNotification((n) => n.changeType === 'created', { callId: call.id });

    const r = await control.reset();
    expect(r.reset).toBe(true);
    expect(r.dropped).toMatchObject({ calls: 1, notifications: expect.any(Number), worldChanges: expect.any(Number) });
    expect(r.dropped.notifications).toBeGreaterThan(0);
    expect(r.dropped.worldChanges).toBeGreaterThanOrEqual(2);
    expect(await control.calls.list()).toEqual([]);
    expect(await control.notifications.all()).toEqual([]);
    expect(await control.faults.get()).toEqual([]);
    expect((await control.people.get(DEFAULT_USERS.megan)).answer).toEqual({ action: 'accept', afterMs: 40 });
  });
});

describe('SwitchboardControl on the virtual clock', () => {
  let botStatus = 500;
  let server: TestServer;
  let control: SwitchboardControl;
  let bot: FakeBot;
  beforeAll(async () => {
    bot = await startFakeBot({ respond: () => botStatus });
    server = await startTestServer(fastWorld(bot.url), { virtual: true });
    control = new SwitchboardControl(server.httpUrl);
  });
  afterAll(async () => {
    await server?.close();
    await bot?.close();
  });

  it('clock.advance and clock.set move time and run what is due', async () => {
    const t0 = await control.clock.now();
    expect(t0.mode).toBe('virtual');
    const moved = await control.clock.advance(1500);
    expect(moved).toMatchObject({ mode: 'virtual', epochMs: t0.epochMs + 1500 });
    const at = new Date(t0.epochMs + 3_600_000);
    expect((await control.clock.set(at)).now).toBe(at.toISOString());
    await expect(control.clock.set(t0.epochMs)).rejects.toMatchObject({ status: 400, target: 'time' });
  });

  it('waitForNotification waits for delivery: a bot answering 500 is reported, and a dead letter rejects at once', async () => {
    const call = await control.incomingCall({
      tenantId: TENANT,
      source: identity.user(adele),
      target: identity.application(DEFAULT_APP_ID),
    });
    // Created (and tried) at once, but never delivered: the bot answers 500.
    const created = await control.waitForNotification((n) => n.changeType === 'created', {
      callId: call.id,
      delivered: false,
    });
    expect(created.entry.status).not.toBe('delivered');
    const err = (await control
      .waitForNotification((n) => n.changeType === 'created', { callId: call.id, timeoutMs: 200 })
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/not delivered yet: is the bot's callback answering 2xx\?/);
    // Past the outbox's maximum age (24 h of retries) it is dead-lettered.
    await control.clock.advance(25 * 3_600_000);
    const dead = (await control
      .waitForNotification((n) => n.changeType === 'created', { callId: call.id })
      .catch((e: unknown) => e)) as WaitForNotificationError;
    expect(dead).toBeInstanceOf(WaitForNotificationError);
    expect(dead.reason).toBe('deadLettered');
    expect(dead.message).toMatch(
      new RegExp(
        `the matching notification #\\d+ deadLettered created /communications/calls/${call.id} \\(incoming\\) was dead-lettered, never delivered to ${bot.url}`,
      ),
    );
    const entries: NotificationLogEntry[] = await control.notifications.all({ callId: call.id });
    expect(entries[0]!.status).toBe('deadLettered');
    expect(entries[0]!.attempts.length).toBeGreaterThan(1);

    // The bot is back: redeliver the dead letter (409 for one that is not dead), then the rest of the call's.
    botStatus = 202;
    const again = await control.notifications.redeliver(entries[0]!.messageId);
    expect(again.map((e) => e.messageId)).toEqual([entries[0]!.messageId]);
    const delivered = await control.waitForNotification((n) => n.changeType === 'created', { callId: call.id });
    expect(delivered.entry.messageId).toBe(entries[0]!.messageId);
    await expect(control.notifications.redeliver(entries[0]!.messageId)).rejects.toMatchObject({
      status: 409,
      code: 'Conflict',
    });
    await expect(control.notifications.redeliver('no-such-message')).rejects.toMatchObject({ status: 404 });
    const rest = await control.notifications.redeliverCall(call.id);
    expect(rest.map((e) => e.sequence)).toEqual(
      entries
        .slice(1)
        .filter((e) => e.status === 'deadLettered')
        .map((e) => e.sequence),
    );
    expect(await control.notifications.redeliverCall(call.id)).toEqual([]);
  });
});
