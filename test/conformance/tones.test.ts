/**
 * DTMF through the official clients: subscribeToTone (Kiota and the Graph JS client), keys pressed by the person
 * through the control API arriving as call `updated` notifications with `toneInfo`, and sendDtmfTones completing
 * after the tones' time on the virtual clock (spec 2 "Tone", 4.13, 4.14).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureHeaders } from '../helpers/kiota-calls.js';
import { expectGraph, MEETING_A, startConformance, USERS, type Conformance } from './fixture.js';

describe('DTMF tones', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true });
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
  const press = async (callId: string, tones: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${c.server.httpUrl}/_switchboard/calls/${callId}/tones`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tones }),
    });
    return { status: res.status, body: await res.json() };
  };
  const toneUpdates = (callId: string, since: number) =>
    c.bot.notifications
      .slice(since)
      .filter((n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.toneInfo);

  it('keys pressed before subscribeToTone reach nobody; after it each key is one `updated` with toneInfo, in order', async () => {
    const callId = await c.incomingCall(USERS.alex);
    await c.answer(callId);
    let since = c.bot.notifications.length;
    const early = await press(callId, ['1']);
    expect(early).toEqual({ status: 200, body: { callId, tones: ['tone1'], toneInfo: [], stoppedRecordingId: null } });

    const h = captureHeaders();
    const op = await c.kiota.calls.byCallId(callId).subscribeToTone.post({ clientContext: 'ivr-1' }, h.config);
    expect(op).toMatchObject({
      odataType: '#microsoft.graph.subscribeToToneOperation',
      status: 'Completed',
      clientContext: 'ivr-1',
    });
    expect(c.kiota.exchanges.at(-1)!.status).toBe(200);
    expect(h.get('location')).toBe(`${c.server.httpsUrl}/v1.0/communications/calls/${callId}/operations/${op!.id}`);
    const raw = JSON.parse(c.kiota.exchanges.at(-1)!.responseBody);
    expectGraph('subscribeToToneOperation', raw);
    expect(raw.status).toBe('Completed');

    since = c.bot.notifications.length;
    const pressed = await press(callId, ['1', '#', '*', 'tone9', 'A']);
    expect(pressed.status).toBe(200);
    expect(pressed.body.toneInfo).toEqual([
      { sequenceId: 1, tone: 'tone1' },
      { sequenceId: 2, tone: 'pound' },
      { sequenceId: 3, tone: 'star' },
      { sequenceId: 4, tone: 'tone9' },
      { sequenceId: 5, tone: 'a' },
    ]);
    await c.bot.waitForCount(since + 5);
    const updates = toneUpdates(callId, since);
    expect(updates.map((n) => n.item.changeType)).toEqual(['updated', 'updated', 'updated', 'updated', 'updated']);
    expect(updates.map((n) => n.item.resourceData.toneInfo)).toEqual([
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 1, tone: 'tone1' },
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 2, tone: 'pound' },
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 3, tone: 'star' },
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 4, tone: 'tone9' },
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 5, tone: 'a' },
    ]);
    expect(updates[0]!.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      state: 'established',
    });
    // The sequence goes on across presses; the call resource itself carries no toneInfo.
    const more = await press(callId, ['0']);
    expect(more.body.toneInfo).toEqual([{ sequenceId: 6, tone: 'tone0' }]);
    expect((await c.graph.api(`/communications/calls/${callId}`).get()).toneInfo).toBeNull();
  });

  it('subscribeToTone through the Graph JS client in a meeting; the control route answers 404 for an unknown call', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const op = await c.graph.api(`/communications/calls/${callId}/microsoft.graph.subscribeToTone`).post({});
    expect(op).toMatchObject({
      '@odata.type': '#microsoft.graph.subscribeToToneOperation',
      status: 'Completed',
      clientContext: null,
    });
    const since = c.bot.notifications.length;
    await press(callId, ['5']);
    const n = await c.bot.waitFor(
      (x) => x.item.resourceUrl === `/communications/calls/${callId}` && x.item.resourceData?.toneInfo,
      { since },
    );
    expect(n.item.resourceData.toneInfo).toMatchObject({ sequenceId: 1, tone: 'tone5' });
    const unknown = await press('0b0e0000-0000-4000-8000-000000000000', ['1']);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('8522');
  });

  it('sendDtmfTones: Running, then `deleted` Completed (completedSuccessfully) once the tones have played on the clock', async () => {
    const callId = await c.incomingCall(USERS.megan);
    await c.answer(callId);
    const op = await c.kiota.calls
      .byCallId(callId)
      .sendDtmfTones.post({ tones: ['tone1', 'tone2', 'pound'], delayBetweenTonesMs: 200, clientContext: 'dial' });
    expect(op).toMatchObject({
      odataType: '#microsoft.graph.sendDtmfTonesOperation',
      status: 'Running',
      clientContext: 'dial',
    });
    const since = c.bot.notifications.length;
    // 3 tones of 100 ms and 2 gaps of 200 ms: 700 ms. Not done at 699 ms.
    await c.advance(699);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${op!.id}`)).body.status).toBe(
      'Running',
    );
    await c.advance(1);
    const done = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}/operations/${op!.id}`,
      { since },
    );
    expect(done.item.changeType).toBe('deleted');
    expect(done.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.sendDtmfTonesOperation',
      status: 'Completed',
      completionReason: 'completedSuccessfully',
      clientContext: 'dial',
      resultInfo: { code: 200, subcode: 0 },
    });
    const read = await c.kiota.calls.byCallId(callId).operations.byCommsOperationId(op!.id!).get();
    expect(read).toMatchObject({ odataType: '#microsoft.graph.sendDtmfTonesOperation', status: 'Completed' });
  });
});
