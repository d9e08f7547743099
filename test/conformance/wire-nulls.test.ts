/**
 * The wire as Graph sends it (issue 14), through the official clients: unset properties as explicit nulls per
 * version (the v1.0 sets come from the v1.0 CSDL, src/domain/wire-properties.ts; beta adds BETA_ONLY_PROPERTIES),
 * the invite echo's participantId and identity `@odata.type`s, and no beta-only property in a v1.0 operation.
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { InvitationParticipantInfo, MediaPrompt } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_A, rosterEntry, startConformance, TENANT, USERS, type Conformance } from './fixture.js';

describe('explicit nulls and echoes as Graph sends them', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true });
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  const p2p = (version: 'v1.0' | 'beta') =>
    c.graph
      .api('/communications/calls')
      .version(version)
      .responseType(ResponseType.RAW)
      .post({
        '@odata.type': '#microsoft.graph.call',
        callbackUri: c.bot.url,
        requestedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        targets: [inviteUser(USERS.alex)],
        tenantId: TENANT,
      }) as Promise<Response>;

  it('a created call (Graph JS, v1.0): the source participantInfo and each target carry their unset properties as null', async () => {
    const res = await p2p('v1.0');
    expect(res.status).toBe(201);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
    const call: any = await res.json();
    expect(call.source).toMatchObject({
      countryCode: null,
      endpointType: null,
      region: null,
      languageId: null,
      participantId: null,
    });
    expect(call.targets[0]).toMatchObject({
      replacesCallId: null,
      participantId: null,
      hidden: null,
      removeFromDefaultAudioRoutingGroup: null,
    });
    // endpointType on an invitationParticipantInfo is beta's, not v1.0's.
    expect(call.targets[0]).not.toHaveProperty('endpointType');
    expect(call).toMatchObject({
      incomingContext: null,
      toneInfo: null,
      transcription: null,
      callOptions: null,
      chatInfo: null,
      meetingInfo: null,
    });
    expect(call).not.toHaveProperty('ringingTimeoutInSeconds');
    // GET through Kiota: the same nulls on the wire (Kiota itself reads a null as undefined).
    const read = await c.kiota.calls.byCallId(call.id).get();
    expect(read?.source?.identity?.application?.id).toEqual(expect.any(String));
    const body = JSON.parse(c.kiota.exchanges.at(-1)!.responseBody);
    expect(body.source).toMatchObject({ countryCode: null, endpointType: null, region: null, languageId: null });
    expect(body.targets[0]).toMatchObject({ replacesCallId: null });
  });

  it("the same call on beta also carries beta's properties, null when unset", async () => {
    const res = await p2p('beta');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
    const call: any = await res.json();
    expect(call.targets[0]).toMatchObject({ endpointType: null, replacesCallId: null });
    expect(call).toMatchObject({ ringingTimeoutInSeconds: null, terminationReason: null, activeModalities: [] });
  });

  it('GET of a group call (Kiota) shows transcription as Graph does (inactive since the call began); P2P shows null', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const call = await c.kiota.calls.byCallId(callId).get();
    expect(call?.transcription).toMatchObject({
      odataType: '#microsoft.graph.callTranscriptionInfo',
      state: 'inactive',
    });
    expect(call?.transcription?.lastModifiedDateTime).toBeInstanceOf(Date);
    const body = JSON.parse(c.kiota.exchanges.at(-1)!.responseBody);
    expect(body.transcription.lastModifiedDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
  });

  it('the invite response (Kiota) echoes participantId = the participant created, and the identity types as sent', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const participants: InvitationParticipantInfo[] = [
      {
        odataType: '#microsoft.graph.invitationParticipantInfo',
        identity: {
          odataType: '#microsoft.graph.communicationsIdentitySet',
          user: {
            odataType: '#microsoft.graph.communicationsUserIdentity',
            id: USERS.adele,
            additionalData: { tenantId: TENANT },
          },
        },
      },
    ];
    const op = await c.kiota.calls.byCallId(callId).participants.invite.post({ participants, clientContext: 'echo' });
    const echoed = op?.participants?.[0];
    expect(echoed?.identity?.odataType).toBe('#microsoft.graph.communicationsIdentitySet');
    expect(echoed?.identity?.user?.odataType).toBe('#microsoft.graph.communicationsUserIdentity');
    // A communicationsUserIdentity has tenantId as a property: Kiota reads it as one only because the type came back.
    expect((echoed?.identity?.user as { tenantId?: string } | undefined)?.tenantId).toBe(TENANT);
    await c.advance(2000);
    const roster = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.adele) !== undefined,
      { since },
    );
    expect(echoed?.participantId).toBe(rosterEntry(roster, USERS.adele).id);
    const raw = JSON.parse(c.kiota.exchanges.find((x) => x.url.endsWith('/participants/invite'))!.responseBody);
    expect(raw.participants[0]).toMatchObject({
      replacesCallId: null,
      hidden: null,
      removeFromDefaultAudioRoutingGroup: null,
      participantId: echoed?.participantId,
    });
    expect(raw.participants[0]).not.toHaveProperty('endpointType');
  });

  it('a v1.0 playPrompt operation carries no completionReason (beta-only on playPrompt/record): response, GET and notification', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const op = await c.kiota.calls.byCallId(callId).playPrompt.post({
      prompts: [
        {
          odataType: '#microsoft.graph.mediaPrompt',
          mediaInfo: { odataType: '#microsoft.graph.mediaInfo', uri: 'https://bot.contoso.com/prompts/welcome.wav' },
        } as MediaPrompt,
      ],
    });
    await c.advance(60_000);
    const done = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}/operations/${op!.id}`,
      { since },
    );
    expect(done.item.resourceData.status).toBe('Completed');
    expect(done.item.resourceData).not.toHaveProperty('completionReason');
    const read = await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${op!.id}`);
    expect(read.body).toMatchObject({ status: 'Completed' });
    expect(read.body).not.toHaveProperty('completionReason');
    const beta = await c.raw('GET', `/beta/communications/calls/${callId}/operations/${op!.id}`);
    expect(beta.body).toMatchObject({ status: 'Completed', completionReason: 'completedSuccessfully' });
  });
});
