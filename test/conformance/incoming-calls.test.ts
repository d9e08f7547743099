/**
 * Incoming peer-to-peer calls through the official clients (spec 0, 2, 4.4, 4.5): reject with each `reason`, and
 * the P2P call states a bot sees from `incoming` to `terminated`. The 15-second answer window is in
 * call-timeouts.test.ts; refused requests (unknown reason, rejecting an answered call) in raw/.
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { Call } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformance, USERS, type Conformance } from './fixture.js';

describe('incoming calls: reject and the peer-to-peer call states', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  const ended = (callId: string) =>
    c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}`, {
      description: `call ${callId} deleted`,
    });

  it.each([
    { reason: 'busy', code: 486, message: 'The call was rejected by the application: busy.' },
    { reason: 'none', code: 603, message: 'The call was rejected by the application.' },
    { reason: 'forbidden', code: 403, message: 'The call was rejected by the application: forbidden.' },
  ] as const)(
    'Kiota reject reason $reason: 202, one `deleted` terminated with $code, then the call is gone (404 8522)',
    async ({ reason, code, message }) => {
      const callId = await c.incomingCall(USERS.alex);
      await c.kiota.calls.byCallId(callId).reject.post({ reason: reason });
      expect(c.kiota.exchanges.at(-1)!.status).toBe(202);
      const done = await ended(callId);
      expect(done.item.resourceData).toMatchObject({
        '@odata.type': '#microsoft.graph.call',
        id: callId,
        state: 'terminated',
        direction: 'incoming',
        resultInfo: { code, subcode: 0, message },
      });
      // terminationReason is beta-only: a v1.0 leg never carries it.
      expect(done.item.resourceData).not.toHaveProperty('terminationReason');
      expect(c.timeline(callId)).toEqual(['created / incoming', 'deleted / terminated']);
      const gone = await c.raw('GET', `/v1.0/communications/calls/${callId}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error).toMatchObject({ code: '8522', message: 'Call not found.' });
      const answerLate = await c.raw('POST', `/v1.0/communications/calls/${callId}/answer`, {
        acceptedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      });
      expect(answerLate.status).toBe(404);
      expect(c.bot.problems).toEqual([]);
    },
  );

  it('Graph JS client: reject with the documented capitalised "Busy", a callbackUri override, and no body at all (reason none)', async () => {
    const first = await c.incomingCall(USERS.megan);
    const res = (await c.graph
      .api(`/communications/calls/${first}/microsoft.graph.reject`)
      .responseType(ResponseType.RAW)
      .post({ reason: 'Busy', callbackUri: c.bot.url })) as Response;
    expect(res.status).toBe(202);
    expect((await ended(first)).item.resourceData.resultInfo.code).toBe(486);

    const second = await c.incomingCall(USERS.heidi);
    const bare = await c.raw('POST', `/v1.0/communications/calls/${second}/reject`);
    expect(bare.status).toBe(202);
    expect((await ended(second)).item.resourceData.resultInfo.code).toBe(603);
  });

  it('P2P states: incoming → (answer) establishing → established → (DELETE) terminating → terminated 200/5001; no roster at any point', async () => {
    const callId = await c.incomingCall(USERS.diego);
    const incoming = await c.kiota.calls.byCallId(callId).get();
    expect(incoming).toMatchObject({ state: 'incoming', direction: 'incoming' });
    await c.answer(callId);
    const established = await c.kiota.calls.byCallId(callId).get();
    expect(established?.state).toBe('established');
    expect(established?.mediaState?.audio).toBe('active');
    // Graph keeps no roster for a peer-to-peer call (spec 4.17): an empty list, and no roster notification.
    expect((await c.kiota.calls.byCallId(callId).participants.get())?.value).toEqual([]);

    await c.kiota.calls.byCallId(callId).delete();
    expect(c.kiota.exchanges.at(-1)!.status).toBe(204);
    const done = await ended(callId);
    expect(done.item.resourceData.resultInfo).toMatchObject({ code: 200, subcode: 5001 });
    expect(c.timeline(callId)).toEqual([
      'created / incoming',
      'updated / establishing',
      'updated / established',
      'updated / terminating',
      'deleted / terminated',
    ]);
    expect(c.bot.problems).toEqual([]);
  });

  /** An outgoing peer-to-peer call from the bot to one user, through Kiota. */
  const callUser = (userId: string): Promise<Call | undefined> =>
    c.kiota.calls.post({
      callbackUri: c.bot.url,
      requestedModalities: ['audio'],
      mediaConfig: { odataType: '#microsoft.graph.serviceHostedMediaConfig' },
      targets: [
        {
          odataType: '#microsoft.graph.invitationParticipantInfo',
          identity: {
            odataType: '#microsoft.graph.identitySet',
            user: { odataType: '#microsoft.graph.identity', id: userId },
          },
        },
      ],
    });

  it('outgoing P2P, answered: 201 establishing, then `updated` establishing → `updated` established; call-state notifications only', async () => {
    const call = await callUser(USERS.adele);
    expect(c.kiota.exchanges.at(-1)!.status).toBe(201);
    expect(call).toMatchObject({ state: 'establishing', direction: 'outgoing' });
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${call!.id}` && n.item.resourceData?.state === 'established',
    );
    expect(c.timeline(call!.id!)).toEqual(['updated / establishing', 'updated / established']);
    await c.kiota.calls.byCallId(call!.id!).delete();
    await ended(call!.id!);
  });

  it.each([
    { who: 'dana', userId: USERS.dana, code: 603 },
    { who: 'brian', userId: USERS.brian, code: 486 },
    { who: 'nora', userId: USERS.nora, code: 408 },
  ])(
    'outgoing P2P not answered ($who): `deleted` terminated with $code, and the call is gone',
    async ({ userId, code }) => {
      const call = await callUser(userId);
      const done = await ended(call!.id!);
      expect(done.item.resourceData).toMatchObject({ state: 'terminated', resultInfo: { code } });
      expect(c.timeline(call!.id!)).toEqual(['updated / establishing', 'deleted / terminated']);
      expect((await c.raw('GET', `/v1.0/communications/calls/${call!.id}`)).status).toBe(404);
    },
  );
});
