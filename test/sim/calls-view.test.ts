/** Control API read side: GET /_switchboard/calls (filters) and GET /_switchboard/calls/{id} (roster, operations, notification log). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_B, startConformance, USERS, type Conformance } from '../conformance/fixture.js';
import { expectGraphError, sendPlain } from '../conformance/raw/helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
const get = async (c: Conformance, path: string): Promise<any> => (await fetch(`${c.server.httpUrl}${path}`)).json();

describe('control API: calls read side', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('lists every live call with state, app, tenant and conversation, filtered by state and kind', async () => {
    const meeting = await c.joinMeeting(MEETING_B);
    const incoming = await c.incomingCall(USERS.alex);
    const all = await get(c, '/_switchboard/calls');
    const ids = all.value.map((v: { id: string }) => v.id);
    expect(ids).toEqual(expect.arrayContaining([meeting, incoming]));
    const m = all.value.find((v: { id: string }) => v.id === meeting);
    expect(m).toMatchObject({
      state: 'established',
      direction: 'outgoing',
      appId: c.server.sb.directory.world.tenants[0]!.apps[0]!.id,
      conversation: { kind: 'meeting', threadId: MEETING_B },
    });
    expect(m.call).toMatchObject({ '@odata.type': '#microsoft.graph.call', id: meeting, state: 'established' });

    const ringing = await get(c, '/_switchboard/calls?state=incoming');
    expect(ringing.value.map((v: { id: string }) => v.id)).toEqual([incoming]);
    expect(ringing.value[0].conversation.kind).toBe('peerToPeer');
    const meetings = await get(c, '/_switchboard/calls?kind=meeting');
    expect(meetings.value.map((v: { id: string }) => v.id)).toEqual([meeting]);
    const otherApp = await get(c, '/_switchboard/calls?appId=00000000-0000-0000-0000-000000000000');
    expect(otherApp.value).toEqual([]);
  });

  it('shows one call with its whole roster (failed invitees included), its operations and its notification log', async () => {
    const meeting = (await get(c, '/_switchboard/calls?kind=meeting')).value[0].id as string;
    const since = c.bot.notifications.length;
    const inv = await c.raw('POST', `/v1.0/communications/calls/${meeting}/participants/invite`, {
      participants: [inviteUser(USERS.megan), inviteUser(USERS.dana)],
      clientContext: 'view-test',
    });
    expect(inv.status).toBe(200);
    await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${meeting}/operations/${inv.body.id}`, {
      since,
    });

    const view = await get(c, `/_switchboard/calls/${meeting}`);
    expect(view).toMatchObject({ id: meeting, state: 'established', conversation: { kind: 'meeting' } });
    const byUser = (id: string) =>
      view.roster.find(
        (r: { participant: { info: { identity: { user?: { id: string } } } } }) =>
          r.participant.info.identity.user?.id === id,
      );
    expect(byUser(USERS.megan)).toMatchObject({
      status: 'joined',
      kind: 'user',
      participant: { '@odata.type': '#microsoft.graph.participant' },
    });
    expect(byUser(USERS.dana)).toMatchObject({ status: 'failed', outcome: { code: 603 } });
    expect(view.roster.find((r: { callId: string | null }) => r.callId === meeting)).toMatchObject({
      status: 'joined',
      kind: 'application',
    });
    expect(view.operations).toEqual([
      expect.objectContaining({
        id: inv.body.id,
        type: 'inviteParticipantsOperation',
        status: 'Failed',
        clientContext: 'view-test',
      }),
    ]);
    // The log is the outbox of this call, in order, the same rows GET /_switchboard/notifications?callId= shows.
    const log = await get(c, `/_switchboard/notifications?callId=${meeting}`);
    expect(view.notifications.map((n: { sequence: number }) => n.sequence)).toEqual(
      log.value.map((n: { sequence: number }) => n.sequence),
    );
    expect(
      view.notifications.some((n: { body: { value: { resourceUrl: string }[] } }) =>
        n.body.value[0]!.resourceUrl.endsWith(`/operations/${inv.body.id}`),
      ),
    ).toBe(true);
  });

  it('answers 404 for an ended or unknown call and 400 naming a bad filter, in the Graph envelope', async () => {
    const p2p = (await get(c, '/_switchboard/calls?state=incoming')).value[0].id as string;
    expect((await c.raw('DELETE', `/v1.0/communications/calls/${p2p}`)).status).toBe(204);
    const gone = await sendPlain(`${c.server.httpUrl}/_switchboard/calls/${p2p}`, { method: 'GET' });
    expectGraphError(gone, { status: 404, code: 'itemNotFound', target: null, message: /notifications\?callId=/ });
    const bad = await sendPlain(`${c.server.httpUrl}/_switchboard/calls?state=ringing`, { method: 'GET' });
    expectGraphError(bad, { status: 400, code: 'BadRequest', target: 'state' });
    const badKind = await sendPlain(`${c.server.httpUrl}/_switchboard/calls?kind=p2p`, { method: 'GET' });
    expectGraphError(badKind, { status: 400, code: 'BadRequest', target: 'kind' });
  });
});
