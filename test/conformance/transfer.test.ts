/**
 * call: redirect and call: transfer through the Graph JS client (@microsoft/microsoft-graph-client), with the
 * notification sequences of call-redirect.md / call-transfer.md checked by the fake bot (JWT + metadata).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_B, rosterEntry, startConformance, TENANT, USERS, type Conformance } from './fixture.js';

const user = (id: string, extra: Record<string, unknown> = {}) => ({
  '@odata.type': '#microsoft.graph.invitationParticipantInfo',
  identity: { '@odata.type': '#microsoft.graph.identitySet', user: { '@odata.type': '#microsoft.graph.identity', id } },
  ...extra,
});

describe('redirect and transfer', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  const ended = (callId: string, since: number) =>
    c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}`, {
      since,
      description: `call ${callId} deleted`,
    });

  it('redirect nobody picks up (the target declines): one `deleted` terminated with 603/10020', async () => {
    const callId = await c.incomingCall(USERS.alex);
    const since = c.bot.notifications.length;
    await c.graph.api(`/communications/calls/${callId}/redirect`).post({ targets: [user(USERS.dana)] });
    const n = await ended(callId, since);
    expect(n.item.resourceData).toMatchObject({
      state: 'terminated',
      resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', code: 603, subcode: 10020 },
    });
    expect(c.timeline(callId)).toEqual(['created / incoming', 'deleted / terminated']);
  });

  it('redirect: 202, then one `deleted` terminated once a target picks up; the call is gone', async () => {
    const callId = await c.incomingCall(USERS.alex);
    const since = c.bot.notifications.length;
    await c.graph
      .api(`/communications/calls/${callId}/redirect`)
      .post({ targets: [user(USERS.heidi), user(USERS.megan)], timeout: 30, callbackUri: c.bot.url });
    const n = await ended(callId, since);
    expect(n.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      state: 'terminated',
      direction: 'incoming',
    });
    // Picked up: as call-redirect.md shows it, no resultInfo.
    expect(n.item.resourceData.resultInfo ?? null).toBeNull();
    expect(c.timeline(callId)).toEqual(['created / incoming', 'deleted / terminated']);
    const gone = await c.raw('GET', `/v1.0/communications/calls/${callId}`);
    expect(gone.status).toBe(404);
  });

  it('blind transfer accepted: transferring → transferAccepted → deleted terminated 0/7015', async () => {
    const callId = await c.incomingCall(USERS.alex);
    await c.answer(callId);
    const since = c.bot.notifications.length;
    await c.graph
      .api(`/communications/calls/${callId}/transfer`)
      .post({ transferTarget: { endpointType: 'default', ...user(USERS.heidi) }, clientContext: 'blind' });
    const n = await ended(callId, since);
    expect(n.item.resourceData.resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 0,
      subcode: 7015,
      message: 'GracefulTransferCompleted',
    });
    expect(c.timeline(callId).slice(-3)).toEqual([
      'updated / transferring',
      'updated / transferAccepted',
      'deleted / terminated',
    ]);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).status).toBe(404);
  });

  it.each([
    ['declines', USERS.dana],
    ['is busy', USERS.brian],
    ['does not answer', USERS.nora],
  ])('transfer target %s: back to established with 500/7000; the call goes on', async (_label, target) => {
    const callId = await c.incomingCall(USERS.megan);
    await c.answer(callId);
    const since = c.bot.notifications.length;
    await c.graph.api(`/communications/calls/${callId}/transfer`).post({ transferTarget: user(target) });
    const back = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established',
      { since },
    );
    expect(back.item.changeType).toBe('updated');
    expect(back.item.resourceData.resultInfo).toMatchObject({ code: 500, subcode: 7000 });
    expect(c.timeline(callId).slice(-2)).toEqual(['updated / transferring', 'updated / established']);
    const call = await c.graph.api(`/communications/calls/${callId}`).get();
    expect(call).toMatchObject({ state: 'established', resultInfo: { code: 500, subcode: 7000 } });
    await c.graph.api(`/communications/calls/${callId}`).delete();
  });

  it("consultative transfer (replacesCallId = the bot's call with the target): both calls end as transferred", async () => {
    const callA = await c.incomingCall(USERS.alex);
    await c.answer(callA);
    // The bot consults Heidi on a second, outgoing peer-to-peer call (Kiota).
    const consult = await c.kiota.calls.post({
      callbackUri: c.bot.url,
      requestedModalities: ['audio'],
      mediaConfig: { odataType: '#microsoft.graph.serviceHostedMediaConfig' },
      targets: [
        {
          odataType: '#microsoft.graph.invitationParticipantInfo',
          identity: {
            odataType: '#microsoft.graph.identitySet',
            user: { odataType: '#microsoft.graph.identity', id: USERS.heidi },
          },
        },
      ],
      tenantId: TENANT,
    });
    const callB = consult!.id!;
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callB}` && n.item.resourceData?.state === 'established',
    );
    const since = c.bot.notifications.length;
    await c.graph
      .api(`/communications/calls/${callA}/transfer`)
      .post({ transferTarget: user(USERS.heidi, { replacesCallId: callB }) });
    await ended(callA, since);
    await ended(callB, since);
    expect(c.timeline(callA).slice(-3)).toEqual([
      'updated / transferring',
      'updated / transferAccepted',
      'deleted / terminated',
    ]);
    expect(c.timeline(callB).slice(-1)).toEqual(['deleted / terminated']);
    for (const id of [callA, callB]) expect((await c.raw('GET', `/v1.0/communications/calls/${id}`)).status).toBe(404);
  });

  it('transfer out of a meeting (transferee.participantId): the bot call ends 0/7015, the transferee leaves, the rest stay', async () => {
    const callId = await c.joinMeeting(MEETING_B);
    const roster = `/communications/calls/${callId}/participants`;
    let since = c.bot.notifications.length;
    for (const who of [USERS.megan, USERS.alex]) {
      const invited = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
        participants: [inviteUser(who)],
      });
      expect(invited.status, invited.text).toBe(200);
    }
    const joined = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === roster &&
        rosterEntry(n, USERS.megan) !== undefined &&
        rosterEntry(n, USERS.alex) !== undefined,
      { since },
    );
    const megan = rosterEntry(joined, USERS.megan).id as string;
    // A second bot leg in the same meeting sees the roster change (another app's view of the call).
    const watcher = await c.joinMeeting(MEETING_B);

    since = c.bot.notifications.length;
    // call-transfer.md example 5's body: the target, and the transferee by identity and participantId.
    await c.graph.api(`/communications/calls/${callId}/transfer`).post({
      transferTarget: { endpointType: 'default', ...user(USERS.heidi) },
      transferee: {
        '@odata.type': '#microsoft.graph.participantInfo',
        identity: { user: { id: USERS.megan, tenantId: TENANT } },
        participantId: megan,
      },
    });
    const n = await ended(callId, since);
    expect(n.item.resourceData.resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 0,
      subcode: 7015,
      message: 'GracefulTransferCompleted',
    });
    expect(c.timeline(callId).slice(-3)).toEqual([
      'updated / transferring',
      'updated / transferAccepted',
      'deleted / terminated',
    ]);
    // The other bot leg: Megan left with the transferring bot; Alex is still in the meeting.
    const left = await c.bot.waitFor(
      (x) =>
        x.item.resourceUrl === `/communications/calls/${watcher}/participants` &&
        x.item.changeType === 'deleted' &&
        rosterEntry(x, megan) !== undefined,
      { since },
    );
    expect(rosterEntry(left, USERS.alex)).toBeUndefined();
    const rest = await c.raw('GET', `/v1.0/communications/calls/${watcher}/participants`);
    const ids = (rest.body.value as { id: string; info: { identity: { user?: { id: string } } } }[]).map(
      (p) => p.info.identity.user?.id,
    );
    expect(ids).toContain(USERS.alex);
    expect(ids).not.toContain(USERS.megan);
  });
});
