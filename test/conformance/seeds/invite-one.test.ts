/**
 * Seed example 1 (000, 004): invite one participant into an existing call.
 * 200 + Location + inviteParticipantsOperation (Running); then `deleted` on the operation (Completed) and a roster
 * `updated` carrying only the added participant.
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { InvitationParticipantInfo } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureHeaders } from '../../helpers/kiota-calls.js';
import {
  APP,
  expectGraph,
  inviteUser,
  MEETING_A,
  rosterEntry,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
} from '../fixture.js';

describe('seed example 1: invite one participant', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('through the Kiota SDK: 200, Location, Running, then operation Completed and the roster update', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const h = captureHeaders();
    const participants: InvitationParticipantInfo[] = [
      {
        odataType: '#microsoft.graph.invitationParticipantInfo',
        identity: {
          odataType: '#microsoft.graph.identitySet',
          user: {
            odataType: '#microsoft.graph.identity',
            id: USERS.adele,
            additionalData: { identityProvider: 'AAD' },
          },
        },
      },
    ];
    const op = await c.kiota.calls
      .byCallId(callId)
      .participants.invite.post({ participants, clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f' }, h.config);

    expect(c.kiota.exchanges.at(-1)!.status).toBe(200);
    expect(op?.status).toBe('Running');
    expect(op?.clientContext).toBe('f2fa86af-3c51-4bc2-8fc0-475452d9764f');
    expect(h.get('Location')).toBe(`${c.server.httpsUrl}/v1.0/communications/calls/${callId}/operations/${op!.id}`);
    expect(op?.participants?.[0]?.identity?.user?.id).toBe(USERS.adele);
    expect(op?.participants?.[0]?.identity?.user?.additionalData?.tenantId).toBe(TENANT);

    const done = await c.bot.waitFor(
      (n) =>
        n.item.changeType === 'deleted' &&
        n.item.resourceUrl === `/communications/calls/${callId}/operations/${op!.id}`,
      { since },
    );
    expect(done.item.resource).toBe(`/app/calls/${callId}/operations/${op!.id}`);
    expect(done.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      id: op!.id,
      status: 'Completed',
      clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
    });
    const roster = await c.bot.waitFor(
      (n) => n.item.changeType === 'updated' && n.item.resourceUrl === `/communications/calls/${callId}/participants`,
      { since },
    );
    // After the operation's notification: a later POST, or later in the same batched POST.
    expect([roster.delivery, roster.index]).toSatisfy(
      ([d, i]: number[]) => d! > done.delivery || (d === done.delivery && i! > done.index),
    );
    // The whole roster (Graph's roster `updated`): the bot and Adele.
    expect(roster.item.resourceData).toHaveLength(2);
    expect(rosterEntry(roster, APP)).toBeDefined();
    expect(rosterEntry(roster, USERS.adele).info.identity.user).toMatchObject({ id: USERS.adele, tenantId: TENANT });
    expect(rosterEntry(roster, USERS.adele).id).toEqual(expect.any(String));
    expect(roster.verified).toBe(true);

    // The operation stays readable after it completes; the roster now holds the bot and Adele.
    const read = await c.kiota.calls.byCallId(callId).operations.byCommsOperationId(op!.id!).get();
    expect(read?.status).toBe('Completed');
    const list = await c.kiota.calls.byCallId(callId).participants.get();
    expect(list?.value?.map((p) => p.info?.identity?.user?.id ?? p.info?.identity?.application?.id).sort()).toEqual(
      [USERS.adele, c.server.sb.directory.world.tenants[0]!.apps[0]!.id].sort(),
    );
    const one = await c.kiota.calls
      .byCallId(callId)
      .participants.byParticipantId(rosterEntry(roster, USERS.adele).id)
      .get();
    expect(one?.info?.identity?.user?.id).toBe(USERS.adele);

    expect(c.timeline(callId)).toEqual([
      'updated / establishing',
      'updated / established',
      'updated /participants [1]',
      'deleted /operations/{id} Completed',
      'updated /participants [2]',
    ]);
    expect(c.bot.problems).toEqual([]);
  });

  it('through the Graph JS client, with the seed body verbatim and the response body valid against the metadata', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const res = (await c.graph
      .api(`/communications/calls/${callId}/participants/microsoft.graph.invite`)
      .responseType(ResponseType.RAW)
      .post({ participants: [inviteUser(USERS.alex, { hidden: false })], clientContext: 'graph-js' })) as Response;
    expect(res.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
    const body: any = await res.json();
    expectGraph('inviteParticipantsOperation', body);
    expect(body).toMatchObject({
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      status: 'Running',
      resultInfo: null,
      clientContext: 'graph-js',
    });
    expect(body.participants[0]).toMatchObject({
      id: expect.any(String),
      replacesCallId: null,
      identity: {
        user: { id: USERS.alex, identityProvider: 'AAD', tenantId: TENANT, displayName: 'Alex Wilber' },
        application: null,
        device: null,
        phone: null,
      },
    });
    // endpointType on an invitee is beta-only in the metadata: not in a v1.0 body (the /beta test below has it).
    expect(body.participants[0]).not.toHaveProperty('endpointType');
    expect(res.headers.get('location')).toBe(
      `${c.server.httpsUrl}/v1.0/communications/calls/${callId}/operations/${body.id}`,
    );
    expect(res.headers.get('request-id')).toEqual(expect.any(String));

    await c.bot.waitFor(
      (n) =>
        n.item.changeType === 'deleted' &&
        n.item.resourceData?.id === body.id &&
        n.item.resourceData?.status === 'Completed',
      { since },
    );
    const raw = await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${body.id}`);
    expect(raw.status).toBe(200);
    expectGraph('inviteParticipantsOperation', raw.body);
    const call = await c.raw('GET', `/v1.0/communications/calls/${callId}`);
    expectGraph('call', call.body);
    expect(call.body).toMatchObject({ id: callId, state: 'established', direction: 'outgoing', tenantId: TENANT });
    expect(c.bot.problems).toEqual([]);
  });

  it('is served on /beta and on the deprecated /app/calls path, with Location mirroring the path used', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const res = await c.raw('POST', `/beta/app/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.diego)],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBe(`${c.server.httpUrl}/beta/app/calls/${callId}/operations/${res.body.id}`);
    expect(res.body.participants[0]).toMatchObject({ endpointType: null, id: expect.any(String) });
    expectGraph('inviteParticipantsOperation', res.body);
  });

  it('validated every Kiota and raw response body of this file against the metadata', () => {
    // Kiota: create, invite, GET operation, GET participants, GET participant (×3 calls); raw: invite, GET op, GET call.
    expect(c.validateResponses()).toBeGreaterThanOrEqual(10);
  });
});
