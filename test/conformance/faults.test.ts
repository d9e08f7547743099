/**
 * Injected faults (world `faults`, PUT /_switchboard/faults) through the official clients on the virtual clock:
 * spec 9.7, an invite from an app-hosted-media call fails after 30 s with 410/301004 while the same invite from a
 * service-hosted call works; spec 9.3, a replacesCallId invite fails 500 and the replaced call is NOT terminated.
 */
import type { InvitationParticipantInfo } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEETING_A, MEETING_B, ORGANIZER, startConformance, TENANT, USERS, type Conformance } from './fixture.js';

const CLIENT_MEDIA_ERROR = {
  code: 410,
  subcode: 301004,
  message: 'addParticipants failed. Underlying reason: Client Media Error. DiagCode: 410#301004.@',
};
const REPLACE_FAILED = { code: 500, subcode: 9999, message: 'Server Internal Error. DiagCode: 500#9999.@' };

const kiotaUser = (id: string, replacesCallId?: string): InvitationParticipantInfo => ({
  odataType: '#microsoft.graph.invitationParticipantInfo',
  ...(replacesCallId ? { replacesCallId } : {}),
  identity: {
    odataType: '#microsoft.graph.identitySet',
    user: { odataType: '#microsoft.graph.identity', id, additionalData: { identityProvider: 'AAD' } },
  },
});

describe('injected faults', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(
      (w) =>
        void (w.faults = [
          { on: 'invite', when: { mediaConfig: 'appHosted' }, result: CLIENT_MEDIA_ERROR, afterMs: 30_000 },
        ]),
      { virtual: true },
    );
  });
  afterAll(async () => {
    await c.close();
  });

  /** Joins MEETING_B with app-hosted media (raw: Kiota needs no help, but the blob is the point). */
  async function joinAppHosted(): Promise<string> {
    const created = await c.raw('POST', '/v1.0/communications/calls', {
      '@odata.type': '#microsoft.graph.call',
      callbackUri: c.bot.url,
      requestedModalities: ['audio'],
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
    await c.advance(c.server.sb.directory.world.establishMs);
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${created.body.id}` &&
        n.item.resourceData?.state === 'established',
    );
    return created.body.id as string;
  }

  it('spec 9.7: an invite from an app-hosted-media call runs, then fails after 30 s with 410/301004; nobody joins', async () => {
    const callId = await joinAppHosted();
    const since = c.bot.notifications.length;
    const op = await c.kiota.calls
      .byCallId(callId)
      .participants.invite.post({ participants: [kiotaUser(USERS.adele)] });
    expect(op?.status).toBe('Running');
    await c.advance(29_999);
    expect(c.bot.notifications.slice(since).some((n) => n.item.resourceData?.id === op!.id)).toBe(false);
    await c.advance(1);
    const done = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === op!.id, {
      since,
    });
    expect(done.item.resourceData).toMatchObject({ status: 'Failed', resultInfo: CLIENT_MEDIA_ERROR });
    const read = await c.kiota.calls.byCallId(callId).operations.byCommsOperationId(op!.id!).get();
    expect(read?.status).toBe('Failed');
    expect(read?.resultInfo).toMatchObject(CLIENT_MEDIA_ERROR);
    const list = await c.kiota.calls.byCallId(callId).participants.get();
    expect(list?.value?.some((p) => p.info?.identity?.user?.id === USERS.adele)).toBe(false);
  });

  it('the same invite from a service-hosted call is not affected', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const op = await c.kiota.calls
      .byCallId(callId)
      .participants.invite.post({ participants: [kiotaUser(USERS.adele)] });
    await c.advance(1_000);
    const done = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === op!.id, {
      since,
    });
    expect(done.item.resourceData.status).toBe('Completed');
  });

  it('spec 9.3 set at run time: a replacesCallId invite fails 500 and the replaced call stays established', async () => {
    const put = await fetch(`${c.server.httpUrl}/_switchboard/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [{ on: 'invite', when: { replacesCallId: true }, result: REPLACE_FAILED }] }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({
      faults: [{ on: 'invite', when: { replacesCallId: true }, result: REPLACE_FAILED, afterMs: 0 }],
    });

    const p2p = await c.incomingCall(USERS.alex);
    await c.answer(p2p);
    const group = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const op = await c.kiota.calls
      .byCallId(group)
      .participants.invite.post({ participants: [kiotaUser(USERS.alex, p2p)] });
    expect(op?.status).toBe('Running');
    await c.advance(1_000);
    const done = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === op!.id, {
      since,
    });
    expect(done.item.resourceData).toMatchObject({ status: 'Failed', resultInfo: REPLACE_FAILED });
    expect(c.bot.notifications.slice(since).some((n) => n.item.resourceUrl === `/communications/calls/${p2p}`)).toBe(
      false,
    );
    const still = await c.kiota.calls.byCallId(p2p).get();
    expect(still?.state).toBe('established');

    // An empty list clears the fault: the same replacement now completes and ends the P2P call.
    await fetch(`${c.server.httpUrl}/_switchboard/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [] }),
    });
    const again = await c.kiota.calls
      .byCallId(group)
      .participants.invite.post({ participants: [kiotaUser(USERS.alex, p2p)] });
    await c.advance(1_000);
    const ok = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === again!.id, {
      since,
    });
    expect(ok.item.resourceData.status).toBe('Completed');
    expect(c.bot.problems).toEqual([]);
  });

  it('PUT /_switchboard/faults rejects a bad fault naming its path and changes nothing', async () => {
    const before = await (await fetch(`${c.server.httpUrl}/_switchboard/faults`)).json();
    for (const [body, target] of [
      [
        { faults: [{ on: 'invite', result: { code: 410, subcode: 1, message: 'x' }, afterMs: -1 }] },
        'faults[0].afterMs',
      ],
      [{ faults: [{ on: 'transfer', result: REPLACE_FAILED }] }, 'faults[0].on'],
      [
        { faults: [{ on: 'invite', when: { mediaConfig: 'hosted' }, result: REPLACE_FAILED }] },
        'faults[0].when.mediaConfig',
      ],
      [{ faults: [{ on: 'invite', result: { code: 5000, subcode: 1, message: 'x' } }] }, 'faults[0].result.code'],
      [{ faults: {} }, 'faults'],
      [{ fault: [] }, 'fault'],
    ] as const) {
      const res = await fetch(`${c.server.httpUrl}/_switchboard/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      const err = (await res.json()) as {
        error: { code: string; message: string; target?: string; innerError: { 'request-id': string } };
      };
      expect(err.error.code).toBe('BadRequest');
      expect(err.error.message).toContain(target);
      expect(err.error.innerError['request-id']).toBeTruthy();
    }
    expect(await (await fetch(`${c.server.httpUrl}/_switchboard/faults`)).json()).toEqual(before);
  });
});
