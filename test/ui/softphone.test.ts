/**
 * The softphone in headless Chromium against a real Switchboard (virtual clock) and a fake bot: the tab is a
 * person's phone. It sees the ring, answers it (Accept, Decline), acts in the call (keypad, Hang up) and speaks into
 * a recordResponse through Chromium's fake microphone; the bot sees exactly what the control API's person gives it,
 * and the dashboard's call page shows it. One browser for the file; controls are found by accessible role and name.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkWav } from '../../src/sim/recording-audio.js';
import { recordingWav } from '../../src/sim/recording-wav.js';
import { SOFTPHONE_RING_MS } from '../../src/sim/softphone-leases.js';
import { describeBrowser, launchBrowser, type Browser } from '../helpers/browser.js';
import {
  APP,
  inviteUser,
  MEETING_A,
  MEETING_B,
  rosterEntry,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
} from '../conformance/fixture.js';

const prompt = (uri: string) => ({
  '@odata.type': '#microsoft.graph.mediaPrompt',
  mediaInfo: { '@odata.type': '#microsoft.graph.mediaInfo', uri },
});

async function servePrompts(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/welcome.wav')
      res
        .writeHead(200, { 'content-type': 'audio/wav', 'access-control-allow-origin': '*' })
        .end(recordingWav(3_000, 'welcome'));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describeBrowser('softphone', () => {
  let c: Conformance;
  let browser: Browser;
  let phone: Page;
  let callOfTheBot = '';
  /** The bot's leg in MEETING_B (the Decline test), invited from again later. */
  let meetingCall = '';
  /** Serves the bot's prompt files (only /welcome.wav exists), and remembers what the browser asked for. */
  let promptServer: { url: string; requests: string[]; close: () => Promise<void> };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true });
    // A fake microphone (a beeping tone) that needs no permission prompt; audio may start without a gesture.
    browser = await launchBrowser([
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ]);
    phone = await browser.page();
    phone.setDefaultTimeout(10_000);
    phone.on('pageerror', (e) => pageErrors.push(e.message));
    promptServer = await servePrompts();
  });
  afterAll(async () => {
    await browser?.close();
    await c?.close();
    await promptServer?.close();
  });

  const invite = async (callId: string, user: string): Promise<string> => {
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(user)],
    });
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  };
  const operationEnd = (callId: string, opId: string) =>
    c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/operations/${opId}` &&
        n.item.resourceData?.status !== 'Running',
      { description: `operation ${opId} ended` },
    );
  const ringing = () => phone.getByRole('region', { name: 'Ringing' });

  it('Accept: the bot gets the invite Completed and the roster update; the dashboard shows the person and the notification', async () => {
    // Chosen from the people of the world (the header's Softphone link).
    await phone.goto(`${c.server.httpUrl}/_switchboard/ui/`);
    await phone.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Softphone' }).click();
    await phone.getByRole('list', { name: 'People' }).getByRole('link', { name: 'Megan Bowen' }).click();
    await phone.getByRole('heading', { name: 'Softphone: Megan Bowen' }).waitFor();
    await phone.getByRole('status').filter({ hasText: "This tab is Megan Bowen's phone" }).waitFor();
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const opId = await invite(callId, USERS.megan);
    await ringing()
      .getByRole('listitem', { name: /invites you to a meeting/ })
      .waitFor();
    await c.advance(2_000); // her configured behaviour (accept after 40 ms) is set aside: still ringing
    await browser.screenshot(phone, 'softphone-ringing');
    await ringing().getByRole('button', { name: 'Accept' }).click();

    expect((await operationEnd(callId, opId)).item.resourceData).toMatchObject({ status: 'Completed' });
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.megan) !== undefined,
      { since },
    );
    await phone.getByRole('region', { name: /Call with/ }).waitFor();
    await ringing().getByText('Nothing rings.').waitFor();

    const dash = await browser.page();
    await dash.goto(`${c.server.httpUrl}/_switchboard/ui/calls/${callId}`);
    dash.setDefaultTimeout(10_000);
    await dash
      .getByRole('region', { name: 'Roster' })
      .getByRole('cell', { name: /Megan Bowen/ })
      .waitFor();
    // The invite's result and the roster update went to the bot in one POST: one timeline entry (+1).
    await dash
      .getByRole('list', { name: /Timeline/ })
      .getByRole('button', {
        name: new RegExp(`notification: deleted /communications/calls/${callId}/operations/${opId}`),
      })
      .waitFor();
    await dash
      .getByRole('list', { name: /Timeline/ })
      .getByRole('button', { name: /softphoneAnswer/ })
      .waitFor();
    await dash.close();
  });

  it('keypad 1 during subscribeToTone reaches the bot as a tone; Hang up gives the roster deleted', async () => {
    const call = phone.getByRole('region', { name: /Call with/ });
    const callId = (
      (await c.bot.notifications.find(
        (n) => n.item.resourceUrl?.endsWith('/participants') && rosterEntry(n, USERS.megan),
      )!.item.resourceUrl) as string
    ).split('/')[3]!;
    expect((await c.raw('POST', `/v1.0/communications/calls/${callId}/subscribeToTone`, {})).status).toBe(200);
    await call.getByText('the bot listens for keys', { exact: false }).waitFor();
    const since = c.bot.notifications.length;
    await call.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: '1', exact: true }).click();
    const tone = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.toneInfo !== undefined,
      { since, description: 'tone 1' },
    );
    expect(tone.item.resourceData.toneInfo).toMatchObject({ tone: 'tone1' });

    await call.getByRole('button', { name: 'Hang up' }).click();
    const left = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        n.item.changeType === 'deleted' &&
        rosterEntry(n, USERS.megan) !== undefined,
      { since },
    );
    expect(rosterEntry(left, USERS.megan).info.identity.user.id).toBe(USERS.megan);
    await phone.getByText('Not in a call.').waitFor();
  });

  it('Decline gives the bot the real decline resultInfo (603/10020)', async () => {
    const callId = await c.joinMeeting(MEETING_B);
    meetingCall = callId;
    const opId = await invite(callId, USERS.megan);
    await ringing().getByRole('button', { name: 'Decline' }).click();
    const ended = (await operationEnd(callId, opId)).item.resourceData;
    expect(ended).toMatchObject({ status: 'Failed', resultInfo: { code: 603, subcode: 10020 } });
  });

  it('Call the bot, then hear it: a prompt the browser can fetch plays, one it cannot is a tone with its URI; a cancel shows', async () => {
    await phone.getByRole('button', { name: 'Call the bot' }).click();
    const created = await c.bot.waitFor(
      (n) => n.item.changeType === 'created' && n.item.resourceData?.state === 'incoming',
      { description: 'incoming call' },
    );
    const callId = created.item.resourceData.id as string;
    await c.answer(callId);
    await phone.getByRole('region', { name: /Call with/ }).waitFor();
    const heard = phone.getByRole('status', { name: 'What you hear' });

    const fetchable = `${promptServer.url}/welcome.wav`;
    expect(
      (await c.raw('POST', `/v1.0/communications/calls/${callId}/playPrompt`, { prompts: [prompt(fetchable)] })).status,
    ).toBe(200);
    await heard.filter({ hasText: `Playing ${fetchable}` }).waitFor();
    await expect.poll(() => promptServer.requests).toContain('/welcome.wav');
    await c.advance(3_000); // the default prompt time: it completes, and the page says so
    await phone
      .getByRole('list', { name: 'Prompts and recordings that ended' })
      .getByText('Prompt ended (200/0)')
      .waitFor();

    const unreachable = `${promptServer.url}/missing.wav`;
    expect(
      (await c.raw('POST', `/v1.0/communications/calls/${callId}/playPrompt`, { prompts: [prompt(unreachable)] }))
        .status,
    ).toBe(200);
    await heard.filter({ hasText: `the prompt ${unreachable} could not be fetched` }).waitFor();
    expect((await c.raw('POST', `/v1.0/communications/calls/${callId}/cancelMediaProcessing`, {})).status).toBe(200);
    await phone
      .getByRole('list', { name: 'Prompts and recordings that ended' })
      .getByText('Prompt cancelled (400/8508)')
      .waitFor();
    await heard.waitFor({ state: 'detached' });
    callOfTheBot = callId;
  });

  it('Speak into its recordResponse: the bot downloads a valid WAV of the fake microphone', async () => {
    const callId = callOfTheBot;
    const rec = await c.raw('POST', `/v1.0/communications/calls/${callId}/recordResponse`, {
      maxRecordDurationInSeconds: 2,
    });
    expect(rec.status).toBe(200);
    await phone.getByText('Recording: speak now').waitFor();
    await browser.screenshot(phone, 'softphone-recording');
    // Real time for the microphone to be heard, then the recording's time on the virtual clock.
    await phone.waitForTimeout(1_500);
    await c.advance(2_000);
    const done = (await operationEnd(callId, rec.body.id as string)).item.resourceData as {
      status: string;
      recordingLocation: string;
      recordingAccessToken: string;
    };
    expect(done.status).toBe('Completed');
    const res = await fetch(done.recordingLocation.replace(c.server.httpsUrl, c.server.httpUrl), {
      headers: { authorization: `Bearer ${done.recordingAccessToken}` },
    });
    const body = Buffer.from(await res.arrayBuffer());
    const wav = checkWav(body);
    if (typeof wav === 'string') throw new Error(wav);
    expect(wav.samples.length).toBeGreaterThan(0);
    // The microphone's audio, not the voice Switchboard generates when nobody spoke.
    expect(body.equals(recordingWav(2_000, rec.body.id as string))).toBe(false);
    expect(wav.samples.some((b) => b !== 0)).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('Hold, then Resume: the bot sees its call on hold and back; the button toggles (aria-pressed)', async () => {
    const callId = callOfTheBot;
    const call = phone.getByRole('region', { name: /Call with/ });
    const since = c.bot.notifications.length;
    await call.getByRole('button', { name: 'Hold', pressed: false }).click();
    const held = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'hold',
      { since, description: 'call on hold' },
    );
    expect(held.item.changeType).toBe('updated');
    await call.getByRole('button', { name: 'Resume', pressed: true }).waitFor();
    await call.getByText('on hold', { exact: false }).waitFor();

    const back = c.bot.notifications.length;
    await call.getByRole('button', { name: 'Resume', pressed: true }).click();
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established',
      { since: back, description: 'call resumed' },
    );
    await call.getByRole('button', { name: 'Hold', pressed: false }).waitFor();
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('established');
  });

  it('no answer within the ring timeout: the invite fails 408/10057 and the softphone stops ringing', async () => {
    const opId = await invite(meetingCall, USERS.megan);
    const ring = ringing().getByRole('listitem', { name: /invites you to a meeting/ });
    await ring.waitFor();
    // The softphone's ring timeout (SOFTPHONE_RING_MS, a minute) on the virtual clock, with nobody clicking.
    await c.advance(SOFTPHONE_RING_MS);
    const ended = (await operationEnd(meetingCall, opId)).item.resourceData;
    expect(ended).toMatchObject({ status: 'Failed', resultInfo: { code: 408, subcode: 10057 } });
    await ring.waitFor({ state: 'detached' });
    await ringing().getByText('Nothing rings.').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it("a redirect to the person rings the tab: Accept ends the bot's call as redirected (one `deleted`, no resultInfo)", async () => {
    const callId = await c.incomingCall(USERS.alex);
    const since = c.bot.notifications.length;
    const redirected = await c.raw('POST', `/v1.0/communications/calls/${callId}/redirect`, {
      targets: [inviteUser(USERS.megan)],
    });
    expect(redirected.status).toBe(202);
    const ring = ringing().getByRole('listitem', { name: /forwards a call to you/ });
    await ring.waitFor();
    await c.advance(5_000); // her configured answer (accept after 1 s) is set aside while the tab holds her
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('redirecting');
    await ring.getByRole('button', { name: 'Accept' }).click();
    const gone = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.changeType === 'deleted',
      { since, description: 'redirected call deleted' },
    );
    expect(gone.item.resourceData).toMatchObject({ state: 'terminated' });
    expect(gone.item.resourceData.resultInfo ?? null).toBeNull();
    expect(c.timeline(callId)).toEqual(['created / incoming', 'deleted / terminated']);
    await ring.waitFor({ state: 'detached' });
  });

  it('a transfer to the person rings the tab: Decline sends the call back to the bot (500/7000)', async () => {
    const callId = await c.incomingCall(USERS.alex);
    await c.answer(callId);
    const since = c.bot.notifications.length;
    const transferred = await c.raw('POST', `/v1.0/communications/calls/${callId}/transfer`, {
      transferTarget: inviteUser(USERS.megan),
    });
    expect(transferred.status).toBe(202);
    const ring = ringing().getByRole('listitem', { name: /transfers a call to you/ });
    await ring.getByRole('button', { name: 'Decline' }).click();
    const back = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established',
      { since, description: 'transfer failed' },
    );
    expect(back.item.resourceData.resultInfo).toMatchObject({ code: 500, subcode: 7000 });
    await ring.waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
  });

  it('Mute, then Unmute in a meeting: the bot sees her roster entry muted and back; the button toggles', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const opId = await invite(callId, USERS.megan);
    await ringing()
      .getByRole('listitem', { name: /invites you to a meeting/ })
      .getByRole('button', { name: 'Accept' })
      .click();
    expect((await operationEnd(callId, opId)).item.resourceData).toMatchObject({ status: 'Completed' });
    // The peer-to-peer call of the Hold test is still on this phone: this meeting's call is the one in a meeting.
    const call = phone.getByRole('region', { name: /Call with/ }).filter({ hasText: /In a meeting/ });
    const mutedAs = (muted: boolean, since: number) =>
      c.bot.waitFor(
        (n) =>
          n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
          (rosterEntry(n, USERS.megan) as { isMuted?: boolean } | undefined)?.isMuted === muted,
        { since, description: `Megan ${muted ? 'muted' : 'unmuted'} in the roster` },
      );

    let since = c.bot.notifications.length;
    await call.getByRole('button', { name: 'Mute', pressed: false }).click();
    await mutedAs(true, since);
    await call.getByRole('button', { name: 'Unmute', pressed: true }).waitFor();
    await call.getByText('muted', { exact: false }).waitFor();

    since = c.bot.notifications.length;
    await call.getByRole('button', { name: 'Unmute', pressed: true }).click();
    await mutedAs(false, since);
    await call.getByRole('button', { name: 'Mute', pressed: false }).waitFor();

    await call.getByRole('button', { name: 'Hang up' }).click();
    await call.waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
  });

  it("a bot's peer-to-peer call rings the tab: Busy ends it with the busy resultInfo (486/10021)", async () => {
    const since = c.bot.notifications.length;
    const created = await c.raw('POST', '/v1.0/communications/calls', {
      callbackUri: c.bot.url,
      source: { identity: { application: { id: APP } } },
      targets: [inviteUser(USERS.megan)],
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      tenantId: TENANT,
    });
    expect(created.status, created.text).toBe(201);
    const callId = created.body.id as string;
    const ring = ringing().getByRole('listitem', { name: /is calling you/ });
    await ring.getByRole('button', { name: 'Busy' }).click();
    const ended = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'terminated',
      { since, description: 'the call ended busy' },
    );
    expect(ended.item.resourceData.resultInfo).toMatchObject({ code: 486, subcode: 10021 });
    await ring.waitFor({ state: 'detached' });
    await ringing().getByText('Nothing rings.').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it("closing a person's tab gives them their configured behaviour back: the next invite is answered as the world says", async () => {
    const tab = await browser.page();
    tab.setDefaultTimeout(10_000);
    await tab.goto(`${c.server.httpUrl}/_switchboard/ui/people/${USERS.alex}`);
    await tab.getByRole('status').filter({ hasText: "This tab is Alex Wilber's phone" }).waitFor();
    const held = async (): Promise<boolean> =>
      ((await (await fetch(`${c.server.httpUrl}/_switchboard/people/${USERS.alex}/phone`)).json()) as { held: boolean })
        .held;
    expect(await held()).toBe(true);
    await tab.close();
    await expect.poll(held, { timeout: 10_000 }).toBe(false);
    const callId = await c.joinMeeting(MEETING_B);
    const opId = await invite(callId, USERS.alex);
    await c.advance(100); // he accepts after 40 ms, as the world file says; no tab rings
    expect((await operationEnd(callId, opId)).item.resourceData).toMatchObject({ status: 'Completed' });
  });
});
