/**
 * Meetings created by the app (POST /users/{userId}/onlineMeetings through the Graph JS client), joined by their
 * joinWebUrl (parsed as the SDK samples do: thread, message, Tid/Oid) and by joinMeetingId + passcode (Kiota), and
 * a participant moved between two of them (seed 001's move, without any meeting in the world file).
 */
import type { InvitationParticipantInfo } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJoinWebUrl } from '../../src/domain/meeting-url.js';
import { expectGraph, inviteUser, rosterEntry, startConformance, TENANT, USERS, type Conformance } from './fixture.js';

interface GraphOnlineMeeting {
  id: string;
  joinWebUrl: string;
  subject: string | null;
  startDateTime: string;
  endDateTime: string;
  chatInfo: { threadId: string; messageId: string };
  joinMeetingIdSettings: { joinMeetingId: string; passcode: string | null; isPasscodeRequired: boolean };
  lobbyBypassSettings: { scope: string; isDialInBypassEnabled: boolean };
  participants: { organizer: { identity: { user: { id: string; displayName: string; tenantId: string } } } };
}

const serviceHosted = { odataType: '#microsoft.graph.serviceHostedMediaConfig' };

describe('onlineMeetings created by the app', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  const createMeeting = async (
    body: Record<string, unknown>,
    version: 'v1.0' | 'beta' = 'v1.0',
  ): Promise<GraphOnlineMeeting> => {
    const m = (await c.graph
      .api(`/users/${USERS.bob}/onlineMeetings`)
      .version(version)
      .post(body)) as GraphOnlineMeeting;
    expectGraph('onlineMeeting', m);
    return m;
  };

  /**
   * Joins as a bot does from a joinWebUrl: chatInfo and organizerMeetingInfo parsed out of the URL (spec 3.1).
   * Through the Graph JS client: Kiota 1.x never serializes the properties of meetingInfo's derived types
   * (serializeMeetingInfo passes isSerializingDerivedType=true, which returns early), so a Kiota bot's
   * organizer / joinMeetingId only reach the wire through additionalData.
   */
  const joinByUrl = async (joinWebUrl: string): Promise<string> => {
    const parts = parseJoinWebUrl(joinWebUrl);
    if ('error' in parts) throw new Error(parts.error);
    const call = (await c.graph.api('/communications/calls').post({
      '@odata.type': '#microsoft.graph.call',
      callbackUri: c.bot.url,
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: parts.threadId, messageId: parts.messageId },
      meetingInfo: {
        '@odata.type': '#microsoft.graph.organizerMeetingInfo',
        organizer: {
          '@odata.type': '#microsoft.graph.identitySet',
          user: { '@odata.type': '#microsoft.graph.identity', id: parts.organizerId, tenantId: parts.tenantId },
        },
      },
      tenantId: parts.tenantId,
    })) as { id: string };
    expectGraph('call', call);
    return waitEstablished(call.id);
  };

  const waitEstablished = async (callId: string): Promise<string> => {
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established',
      { description: `${callId} established` },
    );
    await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`, {
      description: `${callId} first roster`,
    });
    return callId;
  };

  it('creates a meeting organized by the path user (201, Location, a Teams joinWebUrl) and reads it back', async () => {
    const raw = await c.raw('POST', `/v1.0/users/${USERS.bob}/onlineMeetings`, {
      subject: 'Incident review',
      startDateTime: '2026-03-01T14:30:00-07:00',
      endDateTime: '2026-03-01T15:00:00-07:00',
    });
    expect(raw.status).toBe(201);
    const m = raw.body as GraphOnlineMeeting;
    expectGraph('onlineMeeting', m);
    expect(raw.headers.get('location')).toMatch(new RegExp(`/v1\\.0/users/${USERS.bob}/onlineMeetings/${m.id}$`));
    expect(raw.body['@odata.context']).toContain(`$metadata#users('${USERS.bob}')/onlineMeetings/$entity`);
    expect(m.subject).toBe('Incident review');
    expect(m.startDateTime).toBe('2026-03-01T21:30:00.0000000Z');
    expect(m.endDateTime).toBe('2026-03-01T22:00:00.0000000Z');
    expect(m.chatInfo.threadId).toMatch(/^19:meeting_[A-Za-z0-9_-]+@thread\.v2$/);
    expect(m.joinMeetingIdSettings).toMatchObject({ isPasscodeRequired: false, passcode: null });
    expect(m.joinMeetingIdSettings.joinMeetingId).toMatch(/^[1-9]\d{11}$/);
    expect(m.lobbyBypassSettings).toMatchObject({ scope: 'organization', isDialInBypassEnabled: false });
    expect(m.participants.organizer.identity.user).toMatchObject({
      id: USERS.bob,
      displayName: 'Bob Organizer',
      tenantId: TENANT,
    });
    const encodedThread = encodeURIComponent(m.chatInfo.threadId).replace(/%[0-9A-F]{2}/g, (x) => x.toLowerCase());
    expect(m.joinWebUrl).toBe(
      `https://teams.microsoft.com/l/meetup-join/${encodedThread}/0?context=%7b%22Tid%22%3a%22${TENANT}%22%2c%22Oid%22%3a%22${USERS.bob}%22%7d`,
    );
    expect(Buffer.from(m.id, 'base64').toString()).toBe(`1*${USERS.bob}*0**${m.chatInfo.threadId}`);

    const got = (await c.graph.api(`/users/${USERS.bob}/onlineMeetings/${m.id}`).get()) as GraphOnlineMeeting;
    expectGraph('onlineMeeting', got);
    expect(got).toEqual({ ...m, '@odata.context': got['@odata.context' as keyof GraphOnlineMeeting] });
  });

  it('finds a meeting by its joinWebUrl ($filter=JoinWebUrl eq …), only under its organizer', async () => {
    const m = await createMeeting({ subject: 'Find me' });
    const found = (await c.graph
      .api(`/users/${USERS.bob}/onlineMeetings`)
      .filter(`JoinWebUrl eq '${m.joinWebUrl}'`)
      .get()) as { value: GraphOnlineMeeting[] };
    expect(found.value.map((x) => x.id)).toEqual([m.id]);
    expectGraph('onlineMeeting', found.value[0]);
    const otherUser = (await c.graph
      .api(`/users/${USERS.adele}/onlineMeetings`)
      .filter(`JoinWebUrl eq '${m.joinWebUrl}'`)
      .get()) as { value: unknown[] };
    expect(otherUser.value).toEqual([]);
    const unknown = m.joinWebUrl.replace(/meeting_[^%]+/, 'meeting_bm90LWEtbWVldGluZw');
    expect(
      (
        (await c.graph.api(`/users/${USERS.bob}/onlineMeetings`).filter(`JoinWebUrl eq '${unknown}'`).get()) as {
          value: unknown[];
        }
      ).value,
    ).toEqual([]);
  });

  it('serves /beta too, and generates a passcode when one is required', async () => {
    const m = await createMeeting(
      {
        subject: 'Beta',
        joinMeetingIdSettings: { isPasscodeRequired: true },
        lobbyBypassSettings: { scope: 'everyone' },
      },
      'beta',
    );
    expect(m.joinMeetingIdSettings.isPasscodeRequired).toBe(true);
    expect(m.joinMeetingIdSettings.passcode).toMatch(/^[A-Za-z0-9]{6}$/);
    expect(m.lobbyBypassSettings.scope).toBe('everyone');
    const got = (await c.graph
      .api(`/users/${USERS.bob}/onlineMeetings/${m.id}`)
      .version('beta')
      .get()) as GraphOnlineMeeting;
    expect(got.joinMeetingIdSettings.passcode).toBe(m.joinMeetingIdSettings.passcode);
  });

  it("a bot joins by the parsed joinWebUrl and invites someone; the chatInfo and meetingInfo are the URL's", async () => {
    const m = await createMeeting({ subject: 'URL join' });
    const callId = await joinByUrl(m.joinWebUrl);
    const call = await c.kiota.calls.byCallId(callId).get();
    expect(call?.chatInfo?.threadId).toBe(m.chatInfo.threadId);
    const since = c.bot.notifications.length;
    await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
    });
    const joined = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.adele) !== undefined,
      { since },
    );
    expect(rosterEntry(joined, USERS.adele).isInLobby).toBe(false);
  });

  it('a bot joins by joinMeetingId and passcode (joinMeetingIdMeetingInfo) into the same conversation as a URL join', async () => {
    const m = await createMeeting({ subject: 'Dial by id', joinMeetingIdSettings: { isPasscodeRequired: true } });
    const byUrl = await joinByUrl(m.joinWebUrl);
    // Kiota: the derived type's own properties travel as additionalData (see joinByUrl).
    const call = await c.kiota.calls.post({
      callbackUri: c.bot.url,
      requestedModalities: ['audio'],
      mediaConfig: serviceHosted,
      meetingInfo: {
        odataType: '#microsoft.graph.joinMeetingIdMeetingInfo',
        additionalData: {
          joinMeetingId: m.joinMeetingIdSettings.joinMeetingId,
          passcode: m.joinMeetingIdSettings.passcode,
        },
      },
      tenantId: TENANT,
    });
    const byId = await waitEstablished(call!.id!);
    const got = await c.kiota.calls.byCallId(byId).get();
    expect(got?.chatInfo?.threadId).toBe(m.chatInfo.threadId);
    // One conversation: both bot legs are in one roster.
    const roster = await c.kiota.calls.byCallId(byUrl).participants.get();
    expect(roster?.value?.map((p) => p.info?.identity?.application?.id).filter(Boolean)).toHaveLength(2);
  });

  it('moves a participant between two meetings the app created (participantId + replacesCallId)', async () => {
    const a = await createMeeting({ subject: 'A' });
    const b = await createMeeting({ subject: 'B' });
    const legA = await joinByUrl(a.joinWebUrl);
    const legB = await joinByUrl(b.joinWebUrl);
    let since = c.bot.notifications.length;
    await c.raw('POST', `/v1.0/communications/calls/${legA}/participants/invite`, {
      participants: [inviteUser(USERS.megan)],
    });
    const inA = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${legA}/participants` &&
        rosterEntry(n, USERS.megan) !== undefined,
      { since },
    );
    const meganInA = rosterEntry(inA, USERS.megan).id as string;

    since = c.bot.notifications.length;
    const participants: InvitationParticipantInfo[] = [
      {
        odataType: '#microsoft.graph.invitationParticipantInfo',
        replacesCallId: legA,
        participantId: meganInA,
        identity: {
          odataType: '#microsoft.graph.identitySet',
          user: { odataType: '#microsoft.graph.identity', id: USERS.megan },
        },
      },
    ];
    const op = await c.kiota.calls.byCallId(legB).participants.invite.post({ participants });
    expect(op?.status).toBe('Running');
    const done = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === op!.id, {
      since,
    });
    expect(done.item.resourceData.status).toBe('Completed');
    const leftA = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${legA}/participants` && n.item.changeType === 'deleted',
      { since },
    );
    expect(leftA.item.resourceData.map((p: { id: string }) => p.id)).toEqual([meganInA]);
    const rosterB = await c.kiota.calls.byCallId(legB).participants.get();
    expect(rosterB?.value?.map((p) => p.info?.identity?.user?.id).filter(Boolean)).toEqual([USERS.megan]);
    expect(c.bot.problems).toEqual([]);
  });
});
