/**
 * playPrompt, recordResponse, cancelMediaProcessing, updateRecordingStatus, changeScreenSharingRole and hold music,
 * refused: each in Graph's envelope, naming the offending property, and changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_A, startConformance, USERS, type Conformance } from '../fixture.js';
import { callPath, expectGraphError, expectRefused, send, sendPlain } from './helpers.js';

const prompt = (uri = 'https://bot.contoso.com/a.wav') => ({
  '@odata.type': '#microsoft.graph.mediaPrompt',
  mediaInfo: { uri },
});

describe('media action errors', () => {
  let c: Conformance;
  let p2p: string;
  let ringing: string;
  let meeting: string;
  let person: string;
  let botPid: string;
  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true });
    p2p = await c.incomingCall(USERS.alex);
    await c.answer(p2p);
    ringing = await c.incomingCall(USERS.megan);
    meeting = await c.joinMeeting(MEETING_A);
    await c.raw('POST', `${callPath(meeting)}/participants/invite`, { participants: [inviteUser(USERS.heidi)] });
    await c.advance(5000);
    const roster = (await send(c, 'GET', `${callPath(meeting)}/participants`)).body.value as {
      id: string;
      info: { identity: { user?: unknown } };
    }[];
    person = roster.find((p) => p.info.identity.user)!.id;
    botPid = roster.find((p) => !p.info.identity.user)!.id;
  });
  afterAll(async () => {
    await c.close();
  });

  it.each([
    ['no prompts', {}, 'prompts'],
    ['prompts that is not a list', { prompts: prompt() }, 'prompts'],
    ['an empty prompts list', { prompts: [] }, 'prompts'],
    ['21 prompts', { prompts: Array.from({ length: 21 }, () => prompt()) }, 'prompts'],
    [
      'a prompt without mediaInfo.uri',
      { prompts: [prompt(), { '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: {} }] },
      'prompts[1].mediaInfo.uri',
    ],
    ['a clientContext over 256 characters', { prompts: [prompt()], clientContext: 'x'.repeat(257) }, 'clientContext'],
  ])('playPrompt with %s → 400 naming it', async (_label, body, target) => {
    await expectRefused(
      c,
      p2p,
      { path: `${callPath(p2p)}/playPrompt`, body },
      { status: 400, code: 'BadRequest', target },
    );
  });

  it('playPrompt on a call still ringing → 409', async () => {
    await expectRefused(
      c,
      ringing,
      { path: `${callPath(ringing)}/playPrompt`, body: { prompts: [prompt()] } },
      { status: 409, code: 'Conflict' },
    );
  });

  it.each([
    ['maxRecordDurationInSeconds 0', { maxRecordDurationInSeconds: 0 }, 'maxRecordDurationInSeconds'],
    ['maxRecordDurationInSeconds 121', { maxRecordDurationInSeconds: 121 }, 'maxRecordDurationInSeconds'],
    [
      'maxRecordDurationInSeconds that is not an integer',
      { maxRecordDurationInSeconds: 'long' },
      'maxRecordDurationInSeconds',
    ],
    ['initialSilenceTimeoutInSeconds 200', { initialSilenceTimeoutInSeconds: 200 }, 'initialSilenceTimeoutInSeconds'],
    ['maxSilenceTimeoutInSeconds 0', { maxSilenceTimeoutInSeconds: 0 }, 'maxSilenceTimeoutInSeconds'],
    ['two prompts', { prompts: [prompt(), prompt()] }, 'prompts'],
    ['an unknown stop tone', { stopTones: ['#', 'x'] }, 'stopTones[1]'],
    ['bargeInAllowed that is not a boolean', { bargeInAllowed: 'yes' }, 'bargeInAllowed'],
  ])('recordResponse with %s → 400 naming it', async (_label, body, target) => {
    await expectRefused(
      c,
      p2p,
      { path: `${callPath(p2p)}/recordResponse`, body },
      { status: 400, code: 'BadRequest', target },
    );
  });

  it('cancelMediaProcessing with a clientContext over 256 characters → 400', async () => {
    await expectRefused(
      c,
      p2p,
      { path: `${callPath(p2p)}/cancelMediaProcessing`, body: { clientContext: 'x'.repeat(257) } },
      { status: 400, code: 'BadRequest', target: 'clientContext' },
    );
  });

  it.each([
    ['no status', {}, 'status'],
    ['an unknown status', { status: 'paused' }, 'status'],
  ])('updateRecordingStatus with %s → 400 naming it', async (_label, body, target) => {
    await expectRefused(
      c,
      meeting,
      { path: `${callPath(meeting)}/updateRecordingStatus`, body },
      { status: 400, code: 'BadRequest', target },
    );
  });

  it.each([
    ['no role', {}, 'role'],
    ['an unknown role', { role: 'presenter' }, 'role'],
  ])('changeScreenSharingRole with %s → 400 naming it', async (_label, body, target) => {
    await expectRefused(
      c,
      meeting,
      { path: `${callPath(meeting)}/changeScreenSharingRole`, body },
      { status: 400, code: 'BadRequest', target },
    );
  });

  it('changeScreenSharingRole on a call with service-hosted media → 409 naming mediaConfig', async () => {
    await expectRefused(
      c,
      meeting,
      { path: `${callPath(meeting)}/changeScreenSharingRole`, body: { role: 'sharer' } },
      { status: 409, code: 'Conflict', message: /mediaConfig/ },
    );
  });

  it('startHoldMusic for an unknown participant → 404 itemNotFound; for the bot itself → 400', async () => {
    await expectRefused(
      c,
      meeting,
      { path: `${callPath(meeting)}/participants/0b0e0000-0000-4000-8000-00000000beef/startHoldMusic`, body: {} },
      { status: 404, code: 'itemNotFound', target: '0b0e0000-0000-4000-8000-00000000beef' },
    );
    await expectRefused(
      c,
      meeting,
      { path: `${callPath(meeting)}/participants/${botPid}/startHoldMusic`, body: {} },
      { status: 400, code: 'BadRequest', target: botPid },
    );
  });

  it('startHoldMusic with a customPrompt without a uri → 400; stopHoldMusic for someone not on hold → 409', async () => {
    await expectRefused(
      c,
      meeting,
      {
        path: `${callPath(meeting)}/participants/${person}/startHoldMusic`,
        body: { customPrompt: { '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: {} } },
      },
      { status: 400, code: 'BadRequest', target: 'customPrompt.mediaInfo.uri' },
    );
    await expectRefused(
      c,
      meeting,
      { path: `${callPath(meeting)}/participants/${person}/stopHoldMusic`, body: {} },
      { status: 409, code: 'Conflict' },
    );
  });

  it('startHoldMusic in a peer-to-peer call → 409', async () => {
    await expectRefused(
      c,
      p2p,
      { path: `${callPath(p2p)}/participants/${person}/startHoldMusic`, body: {} },
      { status: 409, code: 'Conflict' },
    );
  });

  it('a recording download without its recordingAccessToken → 401 InvalidAuthenticationToken naming Authorization', async () => {
    const op = await c.raw('POST', `${callPath(p2p)}/recordResponse`, { maxRecordDurationInSeconds: 1 });
    expect(op.status).toBe(200);
    await c.advance(1000);
    const done = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${p2p}/operations/${op.body.id}`,
    );
    const url = (done.item.resourceData.recordingLocation as string).replace(c.server.httpsUrl, c.server.httpUrl);
    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${await c.token()}` },
    ];
    for (const headers of wrong) {
      expectGraphError(await sendPlain(url, { method: 'GET', headers }), {
        status: 401,
        code: 'InvalidAuthenticationToken',
        target: 'Authorization',
      });
    }
    // Another operation's id with this token is refused as well.
    const other = url.replace(op.body.id, '0b0e0000-0000-4000-8000-000000000000');
    expectGraphError(
      await sendPlain(other, {
        method: 'GET',
        headers: { authorization: `Bearer ${done.item.resourceData.recordingAccessToken}` },
      }),
      { status: 401, code: 'InvalidAuthenticationToken', target: 'Authorization' },
    );
    const ok = await fetch(url, {
      headers: { authorization: `Bearer ${done.item.resourceData.recordingAccessToken}` },
    });
    expect(ok.status).toBe(200);
  });
});
