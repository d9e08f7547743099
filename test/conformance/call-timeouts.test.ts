/**
 * keepAlive and the answer window against a real server on the virtual clock, moved through the control API
 * (POST /_switchboard/clock/advance runs everything due before it answers): 45 minutes without keepAlive ends a
 * call with 408/8537; an incoming call not answered within 15 seconds ends with 408/1106, and answering it
 * afterwards is 404 8522 (spec 4.4, 4.8, 9.8).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEETING_A, startConformance, USERS, type Conformance } from './fixture.js';

const MINUTE = 60_000;

describe('keepAlive and the answer window', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true });
  });
  afterAll(async () => {
    await c.close();
  });

  it('keepAlive answers 200 with no body (Kiota, raw, microsoft.graph. prefix); an unknown call is 404 8522', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    await c.kiota.calls.byCallId(callId).keepAlive.post();
    expect(c.kiota.exchanges.at(-1)!.status).toBe(200);
    const raw = await c.raw('POST', `/v1.0/communications/calls/${callId}/microsoft.graph.keepAlive`);
    expect(raw.status).toBe(200);
    expect(raw.text).toBe('');
    const unknown = await c.raw('POST', '/v1.0/communications/calls/0b0e0000-0000-4000-8000-000000000000/keepAlive');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: '8522', message: 'Call not found.' });
  });

  it('keeps a call that sends keepAlive, and ends one that stops with 408/8537', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    await c.advance(44 * MINUTE);
    expect((await c.raw('POST', `/v1.0/communications/calls/${callId}/keepAlive`)).status).toBe(200);
    await c.advance(44 * MINUTE); // 88 minutes after joining, 44 after the keepAlive: every timer due by now has run
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).status).toBe(200);

    const since = c.bot.notifications.length;
    await c.advance(2 * MINUTE);
    // The advance answered only after the expiry ran and its notifications were delivered.
    const ended = c.bot.notifications
      .slice(since)
      .find((n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}`);
    expect(ended?.item.resourceData).toMatchObject({ state: 'terminated', resultInfo: { code: 408, subcode: 8537 } });
    expect(c.timeline(callId).slice(-2)).toEqual(['updated / terminating', 'deleted / terminated']);
    const gone = await c.raw('POST', `/v1.0/communications/calls/${callId}/keepAlive`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('8522');
  });

  it('ends an incoming call nobody answered within 15 seconds; answering it later is 404 8522', async () => {
    const callId = await c.incomingCall(USERS.alex);
    const since = c.bot.notifications.length;
    await c.advance(14_999);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('incoming');
    await c.advance(1_001);
    const ended = c.bot.notifications
      .slice(since)
      .find((n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}`);
    expect(ended?.item.resourceData).toMatchObject({ state: 'terminated', resultInfo: { code: 408, subcode: 1106 } });
    const late = await c.raw('POST', `/v1.0/communications/calls/${callId}/answer`, {
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    });
    expect(late.status).toBe(404);
    expect(late.body.error).toMatchObject({ code: '8522', message: 'Call not found.' });
    expect(c.bot.problems).toEqual([]);
  });

  it('does not end an incoming call the bot answered in time', async () => {
    const callId = await c.incomingCall(USERS.heidi);
    await c.answer(callId);
    await c.advance(16_000);
    const call = await c.raw('GET', `/v1.0/communications/calls/${callId}`);
    expect(call.status).toBe(200);
    expect(call.body.state).toBe('established');
  });

  it('the 45-minute expiry is notified at its due time: 45 minutes after the keepAlive, not when the clock stopped', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    expect((await c.raw('POST', `/v1.0/communications/calls/${callId}/keepAlive`)).status).toBe(200);
    const keptAt = (await (await fetch(`${c.server.httpUrl}/_switchboard/clock`)).json()) as { epochMs: number };
    await c.advance(3 * 60 * MINUTE);
    const log = (await (await fetch(`${c.server.httpUrl}/_switchboard/notifications?callId=${callId}`)).json()) as {
      value: { createdDateTime: string; body: { value: { changeType: string; resourceData: { state?: string } }[] } }[];
    };
    // A batch may carry `updated` terminating and `deleted` terminated together: look at every item.
    const terminated = log.value.find((r) =>
      r.body.value.some((v) => v.changeType === 'deleted' && v.resourceData.state === 'terminated'),
    );
    expect(Date.parse(terminated!.createdDateTime)).toBe(keptAt.epochMs + 45 * MINUTE);
  });
});
