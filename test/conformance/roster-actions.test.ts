/**
 * Beta actions on a call's whole roster, through the Graph JS client on beta (`.version('beta')`; Kiota's
 * @microsoft/msgraph-sdk is v1.0 only): participants/muteAll and participants/admitAllFromLobby. Both answer 200 with
 * an already Completed operation (no completion notification follows) and one roster `updated`. Neither exists in
 * v1.0's metadata: there the segment is unknown (400). Refusals change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP,
  inviteUser,
  MEETING_A,
  MEETING_B,
  rosterEntry,
  startConformance,
  USERS,
  type Conformance,
} from './fixture.js';
import { expectRefused } from './raw/helpers.js';

describe('beta roster actions: muteAll, admitAllFromLobby', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  const rosterUrl = (callId: string): string => `/communications/calls/${callId}/participants`;
  const betaPath = (callId: string, rest: string): string => `/beta/communications/calls/${callId}/${rest}`;

  /** Invites `userId` into `callId` and returns their participant id once they are in the roster. */
  const invite = async (callId: string, userId: string): Promise<string> => {
    const since = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(userId)],
    });
    expect(res.status, res.text).toBe(200);
    await c.bot.waitFor(
      (n) =>
        n.item.changeType === 'deleted' &&
        n.item.resourceData?.id === res.body.id &&
        n.item.resourceData?.status === 'Completed',
      { since },
    );
    const joined = await c.bot.waitFor(
      (n) => n.item.resourceUrl === rosterUrl(callId) && rosterEntry(n, userId) !== undefined,
      { since },
    );
    return rosterEntry(joined, userId).id as string;
  };

  describe('participants/muteAll', () => {
    it('mutes everyone but the bot: Completed muteParticipantsOperation naming them, one roster update', async () => {
      const callId = await c.joinMeeting(MEETING_B);
      const megan = await invite(callId, USERS.megan);
      const alex = await invite(callId, USERS.alex);
      const since = c.bot.notifications.length;
      const op = (await c.graph
        .api(`/communications/calls/${callId}/participants/muteAll`)
        .version('beta')
        .post({ clientContext: 'quiet-all' })) as Record<string, unknown>;
      expect(op).toMatchObject({
        '@odata.type': '#microsoft.graph.muteParticipantsOperation',
        status: 'Completed',
        clientContext: 'quiet-all',
        resultInfo: null,
      });
      expect([...(op.participants as string[])].sort()).toEqual([megan, alex].sort());

      const update = await c.bot.waitFor(
        (n) =>
          n.item.resourceUrl === rosterUrl(callId) &&
          n.item.changeType === 'updated' &&
          rosterEntry(n, megan)?.isMuted === true,
        { since },
      );
      expect(rosterEntry(update, alex).isMuted).toBe(true);
      expect(rosterEntry(update, APP).isMuted).toBe(false);
      for (const pid of [megan, alex])
        expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/participants/${pid}`)).body.isMuted).toBe(
          true,
        );
      const read = (await c.graph
        .api(`/communications/calls/${callId}/operations/${String(op.id)}`)
        .version('beta')
        .get()) as Record<string, unknown>;
      expect(read).toMatchObject({
        '@odata.type': '#microsoft.graph.muteParticipantsOperation',
        status: 'Completed',
        participants: op.participants,
      });
      // Completed in the response: no completion (`deleted`) notification follows.
      expect(c.bot.notifications.some((n) => n.item.resourceUrl.endsWith(`/operations/${String(op.id)}`))).toBe(false);
      expect(c.bot.problems).toEqual([]);
    });

    it('mutes only the participants listed (any case), and names an unknown one (404, nothing changes)', async () => {
      const callId = await c.joinMeeting(MEETING_A);
      const megan = await invite(callId, USERS.megan);
      const alex = await invite(callId, USERS.alex);
      await expectRefused(
        c,
        callId,
        { path: betaPath(callId, 'participants/muteAll'), body: { participants: [megan, 'no-such-participant'] } },
        {
          status: 404,
          code: 'itemNotFound',
          target: 'participants[1]',
          message: /participants\[1\]: participant no-such-participant was not found/,
        },
      );
      const since = c.bot.notifications.length;
      const res = await c.raw('POST', betaPath(callId, 'participants/microsoft.graph.muteAll'), {
        participants: [alex.toUpperCase()],
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.participants).toEqual([alex]);
      expect(res.headers.get('location')).toBe(
        `${c.server.httpUrl}/beta/communications/calls/${callId}/operations/${res.body.id}`,
      );
      const update = await c.bot.waitFor(
        (n) => n.item.resourceUrl === rosterUrl(callId) && rosterEntry(n, alex)?.isMuted === true,
        { since },
      );
      expect(rosterEntry(update, megan).isMuted).toBe(false);
    });

    it('is beta only (v1.0: unknown segment), for group calls (409 peer-to-peer), with a list of ids (400)', async () => {
      const callId = await c.joinMeeting(MEETING_B);
      await expectRefused(
        c,
        callId,
        { path: `/v1.0/communications/calls/${callId}/participants/muteAll`, body: {} },
        {
          status: 400,
          code: 'BadRequest',
          message: "Resource not found for the segment 'muteAll'.",
        },
      );
      await expectRefused(
        c,
        callId,
        { path: betaPath(callId, 'participants/muteAll'), body: { participants: 'everyone' } },
        { status: 400, code: 'BadRequest', target: 'participants' },
      );
      await expectRefused(
        c,
        callId,
        { path: betaPath(callId, 'participants/muteAll'), body: { clientContext: 'x'.repeat(257) } },
        { status: 400, code: 'BadRequest', target: 'clientContext' },
      );
      const p2p = await c.incomingCall(USERS.alex);
      await c.answer(p2p);
      await expectRefused(
        c,
        p2p,
        { path: betaPath(p2p, 'participants/muteAll'), body: {} },
        { status: 409, code: 'Conflict', message: /peer-to-peer/ },
      );
    });
  });

  describe('participants/admitAllFromLobby', () => {
    /** Joins a meeting created through the API whose lobby only its organizer skips. */
    const joinLobbyMeeting = (): Promise<string> => c.joinCreatedMeeting({ scope: 'organizer' });

    it('admits everyone waiting in one roster update; with nobody waiting it completes and changes nothing', async () => {
      const callId = await joinLobbyMeeting();
      const adele = await invite(callId, USERS.adele);
      const alex = await invite(callId, USERS.alex);
      for (const pid of [adele, alex])
        expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/participants/${pid}`)).body.isInLobby).toBe(
          true,
        );

      const since = c.bot.notifications.length;
      const op = (await c.graph
        .api(`/communications/calls/${callId}/participants/admitAllFromLobby`)
        .version('beta')
        .post({ clientContext: 'admit-all' })) as Record<string, unknown>;
      expect(op).toMatchObject({
        '@odata.type': '#microsoft.graph.admitAllFromLobbyOperation',
        status: 'Completed',
        clientContext: 'admit-all',
      });
      const update = await c.bot.waitFor(
        (n) =>
          n.item.resourceUrl === rosterUrl(callId) &&
          n.item.changeType === 'updated' &&
          rosterEntry(n, adele)?.isInLobby === false,
        { since },
      );
      expect(rosterEntry(update, alex).isInLobby).toBe(false);
      for (const pid of [adele, alex])
        expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/participants/${pid}`)).body.isInLobby).toBe(
          false,
        );

      const again = await c.raw('POST', betaPath(callId, 'participants/admitAllFromLobby'), {});
      expect(again.status, again.text).toBe(200);
      expect(again.body.status).toBe('Completed');
      expect(c.bot.problems).toEqual([]);
    });

    it('is beta only (v1.0: unknown segment) and for meetings (409 in a peer-to-peer call)', async () => {
      const callId = await joinLobbyMeeting();
      await expectRefused(
        c,
        callId,
        { path: `/v1.0/communications/calls/${callId}/participants/admitAllFromLobby`, body: {} },
        {
          status: 400,
          code: 'BadRequest',
          message: "Resource not found for the segment 'admitAllFromLobby'.",
        },
      );
      const p2p = await c.incomingCall(USERS.megan);
      await c.answer(p2p);
      await expectRefused(
        c,
        p2p,
        { path: betaPath(p2p, 'participants/admitAllFromLobby'), body: {} },
        { status: 409, code: 'Conflict', message: /only meetings have a lobby/ },
      );
    });
  });
});
