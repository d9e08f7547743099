/**
 * playPrompt, recordResponse and cancelMediaProcessing through Kiota and the Graph JS client on the virtual clock
 * (spec 4.10–4.12): prompts play for their declared (world `prompts`) or default duration, one after another;
 * a recording ends at maxRecordDurationInSeconds or at a stop tone pressed through the control API, and its WAV
 * is served at recordingLocation to the holder of recordingAccessToken; cancelling fails every queued one.
 */
import type { MediaPrompt } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureHeaders } from '../helpers/kiota-calls.js';
import { expectGraph, startConformance, USERS, type Conformance } from './fixture.js';

const WELCOME = 'https://bot.contoso.com/prompts/welcome.wav';
const MENU = 'https://bot.contoso.com/prompts/menu.wav';
const kiotaPrompt = (uri: string): MediaPrompt => ({
  odataType: '#microsoft.graph.mediaPrompt',
  mediaInfo: { odataType: '#microsoft.graph.mediaInfo', uri, resourceId: null },
});
const prompt = (uri: string) => ({
  '@odata.type': '#microsoft.graph.mediaPrompt',
  mediaInfo: { '@odata.type': '#microsoft.graph.mediaInfo', uri },
});

describe('prompts and recordings', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(
      (w) => {
        w.prompts = { defaultMs: 2000, durations: { [WELCOME]: 1200 } };
      },
      { virtual: true },
    );
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  const answered = async (who: string): Promise<string> => {
    const callId = await c.incomingCall(who);
    await c.answer(callId);
    return callId;
  };
  /** Answered under /beta: the leg's notifications carry beta's properties (completionReason on record). */
  const answeredOnBeta = async (who: string): Promise<string> => {
    const callId = await c.incomingCall(who);
    const res = await c.raw('POST', `/beta/communications/calls/${callId}/answer`, {
      callbackUri: c.bot.url,
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    });
    expect(res.status).toBe(202);
    await c.advance(c.server.sb.directory.world.establishMs);
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established',
    );
    return callId;
  };
  const opPath = (callId: string, opId: string) => `/communications/calls/${callId}/operations/${opId}`;
  const completions = (callId: string, since: number) =>
    c.bot.notifications
      .slice(since)
      .filter((n) => n.item.resourceUrl.startsWith(`/communications/calls/${callId}/operations/`))
      .map((n) => [n.item.changeType, n.item.resourceData.id, n.item.resourceData.status]);

  it('playPrompt (Kiota): 200 Running with a Location; `deleted` Completed 200/0 once both prompts have played', async () => {
    const callId = await answered(USERS.alex);
    const h = captureHeaders();
    const op = await c.kiota.calls
      .byCallId(callId)
      .playPrompt.post({ prompts: [kiotaPrompt(WELCOME), kiotaPrompt(MENU)], clientContext: 'greeting' }, h.config);
    expect(c.kiota.exchanges.at(-1)!.status).toBe(200);
    expect(op).toMatchObject({
      odataType: '#microsoft.graph.playPromptOperation',
      status: 'Running',
      clientContext: 'greeting',
    });
    expect(h.get('location')).toBe(`${c.server.httpsUrl}/v1.0/communications/calls/${callId}/operations/${op!.id}`);
    const since = c.bot.notifications.length;
    await c.advance(3199); // 1200 declared + 2000 default
    expect(completions(callId, since)).toEqual([]);
    await c.advance(1);
    const done = await c.bot.waitFor((n) => n.item.resourceUrl === opPath(callId, op!.id!), { since });
    expect(done.item.changeType).toBe('deleted');
    expect(done.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.playPromptOperation',
      status: 'Completed',
      clientContext: 'greeting',
      resultInfo: {
        '@odata.type': '#microsoft.graph.resultInfo',
        code: 200,
        subcode: 0,
        message: 'Action completed successfully.',
      },
    });
  });

  it('queued prompts play one after another; cancelMediaProcessing fails the playing and the waiting ones (400/8508)', async () => {
    const callId = await answered(USERS.megan);
    const first = await c.graph.api(`/communications/calls/${callId}/playPrompt`).post({ prompts: [prompt(MENU)] });
    const second = await c.graph.api(`/communications/calls/${callId}/playPrompt`).post({ prompts: [prompt(MENU)] });
    expectGraph('playPromptOperation', first);
    expect([first.status, second.status]).toEqual(['Running', 'Running']);
    let since = c.bot.notifications.length;
    await c.advance(2000);
    await c.bot.waitFor((n) => n.item.resourceUrl === opPath(callId, first.id), { since });
    expect(completions(callId, since)).toEqual([['deleted', first.id, 'Completed']]);
    since = c.bot.notifications.length;
    await c.advance(1000); // the second started when the first ended: half played
    const third = await c.graph
      .api(`/communications/calls/${callId}/recordResponse`)
      .post({ maxRecordDurationInSeconds: 10 });
    expectGraph('recordOperation', third);
    expect(third).toMatchObject({ status: 'Running', recordingLocation: null, recordingAccessToken: null });

    const cancel = await c.kiota.calls.byCallId(callId).cancelMediaProcessing.post({ clientContext: 'stop' });
    expect(cancel).toMatchObject({
      odataType: '#microsoft.graph.cancelMediaProcessingOperation',
      status: 'Completed',
      clientContext: 'stop',
    });
    await c.bot.waitFor((n) => n.item.resourceUrl === opPath(callId, third.id), { since });
    expect(completions(callId, since)).toEqual([
      ['deleted', second.id, 'Failed'],
      ['deleted', third.id, 'Failed'],
    ]);
    const failed = c.bot.notifications.slice(since).find((n) => n.item.resourceData?.id === third.id)!;
    expect(failed.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.recordOperation',
      status: 'Failed',
      resultInfo: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
      recordingLocation: null,
    });
    // completionReason is beta's on recordOperation, and this leg is v1.0.
    expect(failed.item.resourceData).not.toHaveProperty('completionReason');
    // Their timers come due later and find nothing to do; the cancel operation itself sends no notification.
    await c.advance(20_000);
    expect(completions(callId, since)).toHaveLength(2);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${second.id}`)).body.status).toBe(
      'Failed',
    );
  });

  it('recordResponse: `deleted` Completed 200/8515 after maxRecordDurationInSeconds; the WAV needs recordingAccessToken', async () => {
    const callId = await answeredOnBeta(USERS.heidi);
    const op = await c.kiota.calls.byCallId(callId).recordResponse.post({
      maxRecordDurationInSeconds: 3,
      playBeep: true,
      stopTones: ['#'],
      clientContext: 'voicemail',
    });
    expect(op).toMatchObject({ odataType: '#microsoft.graph.recordOperation', status: 'Running' });
    expect(JSON.parse(c.kiota.exchanges.at(-1)!.responseBody)).toMatchObject({
      recordingLocation: null,
      recordingAccessToken: null,
    });
    const since = c.bot.notifications.length;
    await c.advance(3000);
    const done = await c.bot.waitFor((n) => n.item.resourceUrl === opPath(callId, op!.id!), { since });
    const data = done.item.resourceData;
    expect(data).toMatchObject({
      status: 'Completed',
      completionReason: 'maxRecordDurationReached',
      resultInfo: { code: 200, subcode: 8515, message: 'Action completed, max record duration reached.' },
    });
    expect(data.recordingLocation).toBe(`${c.server.httpsUrl}/_switchboard/recordings/${op!.id}`);
    expect(data.recordingAccessToken).toEqual(expect.any(String));

    const read = await c.kiota.calls.byCallId(callId).operations.byCommsOperationId(op!.id!).get();
    expect(read).toMatchObject({
      odataType: '#microsoft.graph.recordOperation',
      status: 'Completed',
      recordingLocation: data.recordingLocation,
      recordingAccessToken: data.recordingAccessToken,
    });

    const url = data.recordingLocation.replace(c.server.httpsUrl, c.server.httpUrl);
    const wav = await fetch(url, { headers: { authorization: `Bearer ${data.recordingAccessToken}` } });
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect(bytes.toString('ascii', 8, 12)).toBe('WAVE');
    expect(bytes.readUInt32LE(24)).toBe(8000);
    expect(bytes.readUInt32LE(40)).toBe(3 * 8000 * 2); // 3 s of 16-bit mono
    expect(bytes.length).toBe(44 + 3 * 8000 * 2);
    expect(bytes.subarray(44).some((b) => b !== 0)).toBe(true);

    for (const auth of [undefined, 'Bearer not-the-token', `Bearer ${await c.token()}`]) {
      const refused = await fetch(url, { headers: auth ? { authorization: auth } : {} });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
    }
  });

  it('recordResponse ends early when the person presses a stop tone (after the prompt): 200/8514, the recording that long', async () => {
    const callId = await answeredOnBeta(USERS.diego);
    const op = await c.graph
      .api(`/communications/calls/${callId}/microsoft.graph.recordResponse`)
      .post({ prompts: [prompt(WELCOME)], maxRecordDurationInSeconds: 10, stopTones: ['#', '*'] });
    const since = c.bot.notifications.length;
    await c.advance(1200 + 2500); // the prompt, then 2.5 s of recording
    const pressed = await fetch(`${c.server.httpUrl}/_switchboard/calls/${callId}/tones`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tones: ['1', '#'] }),
    });
    expect(await pressed.json()).toMatchObject({ tones: ['tone1', 'pound'], toneInfo: [], stoppedRecordingId: op.id });
    const done = await c.bot.waitFor((n) => n.item.resourceUrl === opPath(callId, op.id), { since });
    expect(done.item.resourceData).toMatchObject({
      status: 'Completed',
      completionReason: 'stopToneDetected',
      resultInfo: { code: 200, subcode: 8514 },
    });
    const wav = await fetch(done.item.resourceData.recordingLocation, {
      headers: { authorization: `Bearer ${done.item.resourceData.recordingAccessToken}` },
    });
    expect(Buffer.from(await wav.arrayBuffer()).readUInt32LE(40)).toBe(2.5 * 8000 * 2);
    await c.advance(20_000);
    expect(completions(callId, since)).toEqual([['deleted', op.id, 'Completed']]);
  });
});
