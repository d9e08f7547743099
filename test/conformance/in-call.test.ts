/**
 * updateRecordingStatus, changeScreenSharingRole and participant start/stopHoldMusic through the official clients
 * (spec 4.15, 4.16, 4.21), on the virtual clock: the operation bodies, the status codes (200, 202, 202 + body) and
 * the roster updates that follow.
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP,
  expectGraph,
  inviteUser,
  MEETING_A,
  MEETING_B,
  ORGANIZER,
  rosterEntry,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
} from './fixture.js';

describe('recording status, screen sharing and hold music', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true });
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  const rosterOf = (callId: string, since: number) =>
    c.bot.notifications
      .slice(since)
      .filter((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`);

  it("updateRecordingStatus (Kiota): 200 Completed, then a roster update with the bot's recordingInfo", async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const op = await c.kiota.calls
      .byCallId(callId)
      .updateRecordingStatus.post({ status: 'recording', clientContext: 'rec' });
    expect(c.kiota.exchanges.at(-1)!.status).toBe(200);
    expect(op).toMatchObject({
      odataType: '#microsoft.graph.updateRecordingStatusOperation',
      status: 'Completed',
      clientContext: 'rec',
    });
    expect(c.kiota.exchanges.at(-1)!.headers.get('location')).toBe(
      `${c.server.httpsUrl}/v1.0/communications/calls/${callId}/operations/${op!.id}`,
    );
    const update = await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`, {
      since,
    });
    expect(rosterEntry(update, APP).recordingInfo).toMatchObject({
      '@odata.type': '#microsoft.graph.recordingInfo',
      recordingStatus: 'recording',
      initiator: { application: { id: APP } },
    });
    const me = (await c.graph.api(`/communications/calls/${callId}/participants`).get()).value.find(
      (p: { info: { identity: { application?: unknown } } }) => p.info.identity.application,
    );
    expect(me.recordingInfo.recordingStatus).toBe('recording');
    const off = await c.raw('POST', `/v1.0/communications/calls/${callId}/updateRecordingStatus`, {
      status: 'notRecording',
    });
    expect(off.status).toBe(200);
    expectGraph('updateRecordingStatusOperation', off.body);
  });

  it('updateRecordingStatus in a peer-to-peer call completes with no roster to update', async () => {
    const callId = await c.incomingCall(USERS.alex);
    await c.answer(callId);
    const since = c.bot.notifications.length;
    const op = await c.graph.api(`/communications/calls/${callId}/updateRecordingStatus`).post({ status: 'failed' });
    expect(op).toMatchObject({ '@odata.type': '#microsoft.graph.updateRecordingStatusOperation', status: 'Completed' });
    await c.advance(1000);
    expect(
      c.bot.notifications.slice(since).filter((n) => n.item.resourceUrl.startsWith(`/communications/calls/${callId}`)),
    ).toEqual([]);
  });

  it('changeScreenSharingRole: 202 with no body, then the roster shows a videoBasedScreenSharing stream (sendOnly as sharer)', async () => {
    const created = await c.raw('POST', '/v1.0/communications/calls', {
      '@odata.type': '#microsoft.graph.call',
      callbackUri: c.bot.url,
      requestedModalities: ['audio', 'videoBasedScreenSharing'],
      mediaConfig: { '@odata.type': '#microsoft.graph.appHostedMediaConfig', blob: '<media session configuration>' },
      chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: MEETING_B, messageId: '0' },
      meetingInfo: {
        '@odata.type': '#microsoft.graph.organizerMeetingInfo',
        organizer: {
          '@odata.type': '#microsoft.graph.identitySet',
          user: { '@odata.type': '#microsoft.graph.identity', id: ORGANIZER, tenantId: TENANT },
        },
      },
      tenantId: TENANT,
    });
    expect(created.status).toBe(201);
    const callId: string = created.body.id;
    let since = c.bot.notifications.length;
    await c.advance(c.server.sb.directory.world.establishMs);
    await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`, { since: 0 });
    since = c.bot.notifications.length;
    const res = (await c.graph
      .api(`/communications/calls/${callId}/changeScreenSharingRole`)
      .responseType(ResponseType.RAW)
      .post({ role: 'sharer' })) as Response;
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    const update = await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`, {
      since,
    });
    expect(rosterEntry(update, APP).mediaStreams).toContainEqual(
      expect.objectContaining({ mediaType: 'videoBasedScreenSharing', direction: 'sendOnly' }),
    );
    since = c.bot.notifications.length;
    await c.graph.api(`/communications/calls/${callId}/changeScreenSharingRole`).post({ role: 'viewer' });
    const viewer = await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`, {
      since,
    });
    expect(rosterEntry(viewer, APP).mediaStreams).toContainEqual(
      expect.objectContaining({ mediaType: 'videoBasedScreenSharing', direction: 'receiveOnly' }),
    );
  });

  it('startHoldMusic / stopHoldMusic: 202 with a Running operation; `deleted` Completed and a roster update follow', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    let since = c.bot.notifications.length;
    await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.megan), inviteUser(USERS.adele)],
      clientContext: 'two',
    });
    await c.advance(5000);
    const joined = rosterOf(callId, since).flatMap(
      (n) => n.item.resourceData as { id: string; info: { identity: { user?: { id: string } } } }[],
    );
    const megan = joined.find((p) => p.info.identity.user?.id === USERS.megan)!.id;
    const adele = joined.find((p) => p.info.identity.user?.id === USERS.adele)!.id;

    since = c.bot.notifications.length;
    const res = (await c.graph
      .api(`/communications/calls/${callId}/participants/${megan}/startHoldMusic`)
      .responseType(ResponseType.RAW)
      .post({
        customPrompt: {
          '@odata.type': '#microsoft.graph.mediaPrompt',
          mediaInfo: { '@odata.type': '#microsoft.graph.mediaInfo', uri: 'https://bot.contoso.com/onHold.wav' },
        },
        clientContext: 'hold',
      })) as Response;
    expect(res.status).toBe(202);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
    const op: any = await res.json();
    expectGraph('startHoldMusicOperation', op);
    expect(op).toMatchObject({
      '@odata.type': '#microsoft.graph.startHoldMusicOperation',
      status: 'Running',
      clientContext: 'hold',
    });
    expect(res.headers.get('location')).toBe(
      `${c.server.httpsUrl}/v1.0/communications/calls/${callId}/operations/${op.id}`,
    );
    // Only one participant can be on hold at a time.
    const second = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/${adele}/startHoldMusic`, {});
    expect(second.status).toBe(409);
    await c.advance(500);
    const done = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}/operations/${op.id}`,
      { since },
    );
    expect(done.item).toMatchObject({
      changeType: 'deleted',
      resourceData: { '@odata.type': '#microsoft.graph.startHoldMusicOperation', status: 'Completed' },
    });
    const held = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` && rosterEntry(n, megan) !== undefined,
      { since },
    );
    expect(rosterEntry(held, megan).mediaStreams[0]).toMatchObject({ mediaType: 'audio', direction: 'receiveOnly' });

    since = c.bot.notifications.length;
    const stop = await c.raw(
      'POST',
      `/v1.0/communications/calls/${callId}/participants/${megan}/microsoft.graph.stopHoldMusic`,
      { clientContext: 'back' },
    );
    expect(stop.status).toBe(202);
    expect(stop.body).toMatchObject({
      '@odata.type': '#microsoft.graph.stopHoldMusicOperation',
      status: 'Running',
      clientContext: 'back',
    });
    await c.advance(500);
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/operations/${stop.body.id}` &&
        n.item.resourceData.status === 'Completed',
      { since },
    );
    const back = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` && rosterEntry(n, megan) !== undefined,
      { since },
    );
    expect(rosterEntry(back, megan).mediaStreams[0]).toMatchObject({ direction: 'sendReceive' });
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${op.id}`)).body.status).toBe(
      'Completed',
    );
  });
});
