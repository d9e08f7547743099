/**
 * Seed 002's end-to-end flow: a person calls the bot (incoming P2P notification), the bot answers, joins a
 * meeting without media, invites the caller with replacesCallId (given as a path, as the seed sends it), and
 * the original P2P call is terminated and deleted.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectGraph, MEETING_B, rosterEntry, startConformance, USERS, type Conformance } from '../fixture.js';

describe('seed 002: incoming call → answer → join meeting → invite caller with replacesCallId', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('runs the whole flow with the notifications the seed shows', async () => {
    const p2p = await c.incomingCall(USERS.testUser);
    const incoming = c.bot.notifications.find(
      (n) => n.item.changeType === 'created' && n.item.resourceUrl === `/communications/calls/${p2p}`,
    )!;
    expect(incoming.item.resource).toBe(`/app/calls/${p2p}`);
    expect(incoming.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      state: 'incoming',
      direction: 'incoming',
      requestedModalities: ['audio'],
    });
    expect(incoming.item.resourceData.source.identity.user.id).toBe(USERS.testUser);
    expect(incoming.item.resourceData.targets[0].identity.application.id).toBe(
      c.server.sb.directory.world.tenants[0]!.apps[0]!.id,
    );

    const answer = await c.raw('POST', `/beta/app/calls/${p2p}/answer`, {
      callbackUri: c.bot.url,
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    });
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${p2p}` && n.item.resourceData?.state === 'established',
    );

    // Join a channel meeting without media, on the deprecated /app path of beta, as the seed does.
    const join = await c.raw('POST', '/beta/app/calls', {
      subject: 'Test Call',
      callbackUri: c.bot.url,
      requestedModalities: [],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      chatInfo: { threadId: MEETING_B, messageId: '1507228578052', replyChainMessageId: '1507228578052' },
      meetingInfo: {
        '@odata.type': '#microsoft.graph.organizerMeetingInfo',
        organizer: { user: { id: '5810cede-f3cc-42eb-b2c1-e9bd5d53ec96' } },
      },
    });
    expect(join.status).toBe(201);
    const meeting = join.body.id as string;
    expect(join.headers.get('location')).toBe(`${c.server.httpUrl}/beta/app/calls/${meeting}`);
    expectGraph('call', join.body);
    expect(join.body.state).toBe('establishing');
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${meeting}` && n.item.resourceData?.state === 'established',
    );

    const since = c.bot.notifications.length;
    const invite = await c.raw('POST', `/beta/app/calls/${meeting}/participants/invite`, {
      participants: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: { user: { id: USERS.testUser } },
          replacesCallId: `/app/calls/${p2p}`,
        },
      ],
    });
    expect(invite.status).toBe(200);
    expect(invite.headers.get('location')).toBe(
      `${c.server.httpUrl}/beta/app/calls/${meeting}/operations/${invite.body.id}`,
    );

    await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${p2p}`,
      { since },
    );
    // The meeting leg's notifications are a separate ordered queue: wait for its roster update too.
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${meeting}/participants` &&
        rosterEntry(n, USERS.testUser) !== undefined,
      { since },
    );
    expect(c.timeline(meeting).slice(-2)).toEqual(['deleted /operations/{id} Completed', 'updated /participants [2]']);
    expect(c.timeline(p2p)).toEqual([
      'created / incoming',
      'updated / establishing',
      'updated / established',
      'updated / terminated',
      'deleted / terminated',
    ]);
    // Beta legs carry the beta-only terminationReason the seed shows.
    const terminated = c.bot.notifications.find(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${p2p}` &&
        n.item.changeType === 'updated' &&
        n.item.resourceData.state === 'terminated',
    )!;
    expect(terminated.item.resourceData['@odata.etag']).toMatch(/^W\/"\d+"$/);
    // Answered on /beta, the P2P leg is a beta leg: the seed's terminationReason and activeModalities.
    expect(terminated.item.resourceData.terminationReason).toBe('AppInitiated');
    const p2pEstablished = c.bot.notifications.find(
      (n) => n.item.resourceUrl === `/communications/calls/${p2p}` && n.item.resourceData?.state === 'established',
    )!;
    expect(p2pEstablished.item.resourceData.activeModalities).toEqual(['audio']);
    expect((await c.raw('GET', `/beta/app/calls/${p2p}`)).status).toBe(404);

    type DeliveryLog = { value: { status: string; attempts: unknown[]; body: { value: unknown[] } }[] };
    // The bot has the POST before the dispatcher commits `delivered` (on PostgreSQL a round trip later), so wait for
    // the store's record of the last delivery rather than reading it once.
    const log = await vi.waitFor(
      async () => {
        const read = await fetch(`${c.server.httpUrl}/_switchboard/notifications?callId=${p2p}`);
        const body = (await read.json()) as DeliveryLog;
        if (!body.value.every((n) => n.status === 'delivered')) throw new Error('deliveries not yet recorded');
        return body;
      },
      { timeout: 10_000, interval: 50 },
    );
    // Five notifications; those one command produced for the call share a POST (updated + deleted terminated).
    expect(log.value.flatMap((n) => n.body.value)).toHaveLength(5);
    expect(log.value.every((n) => n.attempts.length === 1)).toBe(true);
    expect(c.bot.problems).toEqual([]);
  });
});
