/**
 * Beta-only properties the seeds show, through the Graph JS client's `.version('beta')` (Kiota's msgraph-sdk is
 * v1.0 only) and raw HTTP: `ringingTimeoutInSeconds` (≤ 115) on an outgoing P2P call, `endpointType` on invitees,
 * `activeModalities` and `terminationReason` on calls — and none of them in a v1.0 body. Virtual clock, so the
 * ring timeout is exact. Refused beta bodies are in raw/errors-beta.test.ts.
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BETA_ONLY_PROPERTIES } from '../../src/domain/wire-properties.js';
import { defaultWorld } from '../../src/sim/default-world.js';
import type { World } from '../../src/sim/directory.js';
import { inviteUser, MEETING_A, rosterEntry, startConformance, USERS, type Conformance } from './fixture.js';

/** Nora rings 30 s before giving up, as in the default world (not the fast test world's 120 ms). */
const realRinging = (w: World): void => {
  const answers = new Map(defaultWorld().tenants[0]!.users.map((u) => [u.id, u.answer]));
  for (const u of w.tenants[0]!.users) u.answer = answers.get(u.id) ?? u.answer;
};

/** What beta's metadata adds to call and v1.0's lacks (derived from the two CSDLs, src/domain/wire-properties.ts). */
const BETA_ONLY = BETA_ONLY_PROPERTIES.call?.all ?? [];

describe('beta-only properties', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(realRinging, { virtual: true });
  });
  afterAll(async () => {
    await c.close();
  });

  const p2pBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    '@odata.type': '#microsoft.graph.call',
    callbackUri: c.bot.url,
    requestedModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    targets: [inviteUser(USERS.nora)],
    ...extra,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
  const json = async (res: Response): Promise<any> => res.json();
  const deleted = (callId: string) =>
    c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}`);

  it('Graph JS beta: ringingTimeoutInSeconds 20 is echoed and stops the ring after 20 s (408), terminationReason on the beta leg', async () => {
    const res = (await c.graph
      .api('/communications/calls')
      .version('beta')
      .responseType(ResponseType.RAW)
      .post(p2pBody({ ringingTimeoutInSeconds: 20 }))) as Response;
    expect(res.status).toBe(201);
    const call = await json(res);
    // Beta's other nullable additions to call are explicit nulls, as in the beta create-call response example.
    expect(call).toMatchObject({
      state: 'establishing',
      ringingTimeoutInSeconds: 20,
      activeModalities: [],
      terminationReason: null,
      answeredBy: null,
      meetingCapability: null,
    });
    expect(BETA_ONLY).toEqual(expect.arrayContaining(['ringingTimeoutInSeconds', 'answeredBy', 'meetingCapability']));
    await c.advance(19_999);
    expect((await c.raw('GET', `/beta/communications/calls/${call.id}`)).body.state).toBe('establishing');
    await c.advance(1);
    const done = await deleted(call.id);
    expect(done.item.resourceData).toMatchObject({
      state: 'terminated',
      resultInfo: { code: 408 },
      terminationReason: 'CallNotAnswered',
      ringingTimeoutInSeconds: 20,
    });
  });

  it('Graph JS v1.0: the same body is accepted (call is an open type) but the timeout is not applied nor echoed', async () => {
    const res = (await c.graph
      .api('/communications/calls')
      .responseType(ResponseType.RAW)
      .post(p2pBody({ ringingTimeoutInSeconds: 20 }))) as Response;
    expect(res.status).toBe(201);
    const call = await json(res);
    for (const key of BETA_ONLY) expect(call).not.toHaveProperty(key);
    await c.advance(20_000);
    expect((await c.raw('GET', `/v1.0/communications/calls/${call.id}`)).body.state).toBe('establishing');
    await c.advance(10_000); // Nora's own 30 s
    const done = await deleted(call.id);
    expect(done.item.resourceData).toMatchObject({ state: 'terminated', resultInfo: { code: 408 } });
    for (const key of BETA_ONLY) expect(done.item.resourceData).not.toHaveProperty(key);
  });

  it('an incoming call answered on beta becomes a beta leg: activeModalities when established, terminationReason when it ends; GET follows the request version', async () => {
    const callId = await c.incomingCall(USERS.alex);
    const since = c.bot.notifications.length;
    const answer = (await c.graph
      .api(`/communications/calls/${callId}/answer`)
      .version('beta')
      .responseType(ResponseType.RAW)
      .post({
        callbackUri: c.bot.url,
        acceptedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      })) as Response;
    expect(answer.status).toBe(202);
    await c.advance(c.server.sb.directory.world.establishMs);
    const established = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established',
      { since },
    );
    expect(established.item.resourceData.activeModalities).toEqual(['audio']);

    const beta = await json(
      (await c.graph
        .api(`/communications/calls/${callId}`)
        .version('beta')
        .responseType(ResponseType.RAW)
        .get()) as Response,
    );
    expect(beta).toMatchObject({ state: 'established', activeModalities: ['audio'], terminationReason: null });
    const v1 = await c.graph.api(`/communications/calls/${callId}`).get();
    for (const key of BETA_ONLY) expect(v1).not.toHaveProperty(key);

    await c.graph.api(`/communications/calls/${callId}`).version('beta').delete();
    const done = await deleted(callId);
    expect(done.item.resourceData).toMatchObject({
      state: 'terminated',
      terminationReason: 'AppInitiated',
      resultInfo: { code: 200, subcode: 5001 },
    });
  });

  it('an incoming call answered on v1.0 stays v1.0: no beta property in any of its notifications', async () => {
    const callId = await c.incomingCall(USERS.heidi);
    await c.answer(callId);
    await c.kiota.calls.byCallId(callId).delete();
    await deleted(callId);
    const mine = c.bot.notifications.filter((n) => n.item.resourceUrl === `/communications/calls/${callId}`);
    expect(mine.length).toBe(5);
    for (const n of mine) for (const key of BETA_ONLY) expect(n.item.resourceData).not.toHaveProperty(key);
  });

  it('invitee endpointType: echoed on beta (and in the roster), absent from the v1.0 echo', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const beta = (await c.graph
      .api(`/communications/calls/${callId}/participants/invite`)
      .version('beta')
      .responseType(ResponseType.RAW)
      .post({ participants: [inviteUser(USERS.adele, { endpointType: 'voicemail' })] })) as Response;
    expect(beta.status).toBe(200);
    const op = await json(beta);
    expect(op.participants[0]).toMatchObject({ endpointType: 'voicemail', id: expect.any(String) });
    await c.advance(1_000);
    const roster = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.adele) !== undefined,
      { since },
    );
    expect(rosterEntry(roster, USERS.adele).info.endpointType).toBe('voicemail');

    const v1 = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.megan, { endpointType: 'voicemail' })],
    });
    expect(v1.status).toBe(200);
    expect(v1.body.participants[0]).not.toHaveProperty('endpointType');
    const read = await c.raw('GET', `/beta/communications/calls/${callId}/operations/${v1.body.id}`);
    expect(read.body.participants[0]).toMatchObject({ endpointType: null });
    await c.advance(1_000);
    const megan = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.megan) !== undefined,
      { since },
    );
    expect(rosterEntry(megan, USERS.megan).info.endpointType).toBe('default');
    expect(c.bot.problems).toEqual([]);
  });
});
