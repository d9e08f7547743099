/**
 * The meeting lobby: invitees who do not skip it (the meeting's lobbyBypassSettings, from the onlineMeetings API or
 * the world file) join with `isInLobby: true` and wait until a bot admits or removes them (beta participant
 * actions admitFromLobby / removeFromLobby, through the Graph JS client). Raw error cases are at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectGraph,
  inviteUser,
  MEETING_A,
  rosterEntry,
  startConformance,
  USERS,
  type Conformance,
} from './fixture.js';
import { expectRefused } from './raw/helpers.js';

interface RosterEntry {
  id: string;
  isInLobby: boolean;
  info: { identity: { user?: { id: string } } };
}

describe('meeting lobby', () => {
  let c: Conformance;
  beforeAll(async () => {
    // A world-file meeting whose lobby only the organizer skips.
    c = await startConformance((w) => {
      w.tenants[0]!.meetings[0]!.lobbyBypassScope = 'organizer';
    });
  });
  afterAll(async () => {
    await c.close();
  });

  const rosterUrl = (callId: string): string => `/communications/calls/${callId}/participants`;

  /** Invites a user and returns their roster entry as the bot's roster notification first shows it. */
  const invite = async (callId: string, userId: string): Promise<RosterEntry> => {
    const since = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(userId)],
    });
    expect(res.status, res.text).toBe(200);
    const op = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === res.body.id, {
      since,
    });
    expect(op.item.resourceData.status).toBe('Completed');
    const n = await c.bot.waitFor(
      (x) =>
        x.item.resourceUrl === rosterUrl(callId) &&
        x.item.changeType === 'updated' &&
        rosterEntry(x, userId) !== undefined,
      { since },
    );
    return rosterEntry(n, userId) as RosterEntry;
  };

  it('scope organizer (API meeting): an invitee waits with isInLobby true; admitFromLobby lets her in', async () => {
    const callId = await c.joinCreatedMeeting({ scope: 'organizer' });
    const adele = await invite(callId, USERS.adele);
    expect(adele.isInLobby).toBe(true);
    const listed = (await c.kiota.calls.byCallId(callId).participants.get())?.value?.find((p) => p.id === adele.id);
    expect(listed?.isInLobby).toBe(true);

    const since = c.bot.notifications.length;
    const op = (await c.graph
      .api(`/communications/calls/${callId}/participants/${adele.id}/admitFromLobby`)
      .version('beta')
      .post({ clientContext: 'admit-1' })) as Record<string, unknown>;
    expect(op).toMatchObject({
      '@odata.type': '#microsoft.graph.admitFromLobbyOperation',
      status: 'Completed',
      clientContext: 'admit-1',
    });
    // A beta-only subtype: the v1.0 metadata checks the commsOperation shape it extends.
    const { '@odata.type': subtype, ...shape } = op;
    expect(subtype).toBe('#microsoft.graph.admitFromLobbyOperation');
    expectGraph('commsOperation', shape);
    const admitted = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === rosterUrl(callId) &&
        n.item.changeType === 'updated' &&
        rosterEntry(n, adele.id) !== undefined,
      { since },
    );
    expect(rosterEntry(admitted, adele.id).isInLobby).toBe(false);
    expect((await c.kiota.calls.byCallId(callId).participants.byParticipantId(adele.id).get())?.isInLobby).toBe(false);
  });

  it('removeFromLobby takes the waiting person out of the roster (roster deleted)', async () => {
    const callId = await c.joinCreatedMeeting({ scope: 'organizer' });
    const alex = await invite(callId, USERS.alex);
    expect(alex.isInLobby).toBe(true);
    const since = c.bot.notifications.length;
    const res = await c.raw('POST', `/beta/communications/calls/${callId}/participants/${alex.id}/removeFromLobby`, {});
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('location')).toMatch(
      new RegExp(`/beta/communications/calls/${callId}/operations/${res.body.id}$`),
    );
    expect(res.body).toMatchObject({ '@odata.type': '#microsoft.graph.removeFromLobbyOperation', status: 'Completed' });
    const removed = await c.bot.waitFor(
      (n) => n.item.resourceUrl === rosterUrl(callId) && n.item.changeType === 'deleted',
      { since },
    );
    expect(removed.item.resourceData.map((p: RosterEntry) => p.id)).toEqual([alex.id]);
    const roster = await c.kiota.calls.byCallId(callId).participants.get();
    expect(roster?.value?.some((p) => p.id === alex.id)).toBe(false);
  });

  it('the organizer skips an organizer-only lobby; the default scope (organization) lets tenant users in', async () => {
    const organizerOnly = await c.joinCreatedMeeting({ scope: 'organizer' });
    expect((await invite(organizerOnly, USERS.bob)).isInLobby).toBe(false);
    const organization = await c.joinCreatedMeeting({});
    expect((await invite(organization, USERS.megan)).isInLobby).toBe(false);
  });

  it('a world-file meeting with lobbyBypassScope organizer holds invitees too', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    expect((await invite(callId, USERS.diego)).isInLobby).toBe(true);
  });

  describe('errors (raw): nothing changes', () => {
    let callId: string;
    let waiting: RosterEntry;
    let inside: RosterEntry;
    beforeAll(async () => {
      callId = await c.joinCreatedMeeting({ scope: 'organizer' });
      waiting = await invite(callId, USERS.heidi);
      inside = await invite(callId, USERS.bob);
    });

    it('admitting someone who is not in the lobby: 409', async () => {
      await expectRefused(
        c,
        callId,
        { path: `/beta/communications/calls/${callId}/participants/${inside.id}/admitFromLobby`, body: {} },
        { status: 409, code: 'Conflict', message: /is not in the lobby/ },
      );
    });

    it('an unknown participant: 404 naming it', async () => {
      await expectRefused(
        c,
        callId,
        { path: `/beta/communications/calls/${callId}/participants/nobody-here/removeFromLobby`, body: {} },
        { status: 404, code: 'itemNotFound', target: 'nobody-here' },
      );
    });

    it('v1.0 has no lobby actions: 400 for the unknown segment, and she is still waiting', async () => {
      await expectRefused(
        c,
        callId,
        { path: `/v1.0/communications/calls/${callId}/participants/${waiting.id}/admitFromLobby`, body: {} },
        { status: 400, code: 'BadRequest', message: "Resource not found for the segment 'admitFromLobby'." },
      );
      const still = await c.kiota.calls.byCallId(callId).participants.byParticipantId(waiting.id).get();
      expect(still?.isInLobby).toBe(true);
    });

    it('clientContext over 256 characters: 400 naming it', async () => {
      await expectRefused(
        c,
        callId,
        {
          path: `/beta/communications/calls/${callId}/participants/${waiting.id}/admitFromLobby`,
          body: { clientContext: 'x'.repeat(257) },
        },
        { status: 400, code: 'BadRequest', target: 'clientContext' },
      );
    });
  });
});
