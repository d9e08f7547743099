/**
 * Seed example 2 (000, 004): invite several participants (at most 5) into a group call that has chatInfo.
 * The seed body carries a replacesCallId naming no call of this app on both entries: everyone is invited and
 * the echo says replacesCallId null, as the seed's response does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectGraph,
  inviteUser,
  MEETING_A,
  MEETING_B,
  rosterUserIds,
  startConformance,
  USERS,
  type Conformance,
} from '../fixture.js';

/** Waits until each of `users` has appeared in a roster notification of `legId` since `since`. */
async function waitForRoster(c: Conformance, legId: string, users: string[], since: number): Promise<void> {
  for (const id of users) {
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${legId}/participants` &&
        n.item.resourceData.some(
          (p: { info: { identity: { user?: { id: string } } } }) => p.info.identity.user?.id === id,
        ),
      { since, description: `${id} in the roster of ${legId}` },
    );
  }
}

describe('seed example 2: invite several participants into a group call', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('replays the seed body: both invited, echoed with replacesCallId null, operation Completed, both in the roster', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const seedBody = {
      participants: [
        inviteUser(USERS.alex, { replacesCallId: 'a7ebfb2d-871e-419c-87af-27290b22e8db' }),
        inviteUser(USERS.diego, { replacesCallId: 'a7ebfb2d-871e-419c-87af-27290b22e8db' }),
      ],
      clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
    };
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, seedBody);
    expect(res.status).toBe(200);
    expectGraph('inviteParticipantsOperation', res.body);
    expect(res.body.participants).toHaveLength(2);
    expect(res.body.participants.map((p: { replacesCallId: unknown }) => p.replacesCallId)).toEqual([null, null]);

    const done = await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === res.body.id,
      { since },
    );
    expect(done.item.resourceData.status).toBe('Completed');
    expect(
      done.item.resourceData.participants.map((p: { identity: { user: { id: string } } }) => p.identity.user.id),
    ).toEqual([USERS.alex, USERS.diego]);
    await waitForRoster(c, callId, [USERS.alex, USERS.diego], since);
    // Each roster `updated` lists the whole roster (as Graph does): the last one has both of them.
    const rosters = c.bot.notifications
      .slice(since)
      .filter((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`);
    expect(rosterUserIds(rosters.at(-1)!).sort()).toEqual([USERS.alex, USERS.diego].sort());
    const list = await c.raw('GET', `/v1.0/communications/calls/${callId}/participants`);
    expect(list.status).toBe(200);
    for (const p of list.body.value) expectGraph('participant', p);
    expect(list.body.value).toHaveLength(3);
    expect(c.bot.problems).toEqual([]);
  });

  it('sends the roster update to every bot leg in the call, each with its own call id', async () => {
    const first = await c.joinMeeting(MEETING_B);
    const second = await c.joinMeeting(MEETING_B);
    // The first leg hears of the second bot joining on its own delivery queue: wait for it before marking `since`.
    const secondBot = (await c.raw('GET', `/v1.0/communications/calls/${second}`)).body.myParticipantId as string;
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${first}/participants` &&
        n.item.resourceData.some((p: { id: string }) => p.id === secondBot),
    );
    const since = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${first}/participants/invite`, {
      participants: [inviteUser(USERS.heidi), inviteUser(USERS.megan)],
    });
    expect(res.status).toBe(200);
    await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === res.body.id, { since });
    for (const legId of [first, second]) await waitForRoster(c, legId, [USERS.heidi, USERS.megan], since);
    for (const legId of [first, second]) {
      const rosters = c.bot.notifications
        .slice(since)
        .filter((n) => n.item.resourceUrl === `/communications/calls/${legId}/participants`);
      for (const n of rosters) expect(n.item.resource).toBe(`/app/calls/${legId}/participants`);
      // Each roster `updated` lists the whole roster: the last one has both invitees and both bots.
      const last = rosters.at(-1)!;
      expect(rosterUserIds(last)).toEqual(expect.arrayContaining([USERS.heidi, USERS.megan]));
      expect(
        last.item.resourceData.filter(
          (p: { info: { identity: { application?: unknown } } }) => p.info.identity.application,
        ),
      ).toHaveLength(2);
    }
    // Only the inviting leg hears about the operation.
    expect(
      c.bot.notifications
        .slice(since)
        .filter((n) => n.item.resourceUrl.includes('/operations/'))
        .map((n) => n.item.resourceUrl),
    ).toEqual([`/communications/calls/${first}/operations/${res.body.id}`]);
  });

  it('reports partial success as Failed naming who failed, and keeps those who joined', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.adele), inviteUser(USERS.dana), inviteUser(USERS.brian), inviteUser(USERS.nora)],
      clientContext: 'on-call list',
    });
    expect(res.status).toBe(200);
    const done = await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === res.body.id,
      { since },
    );
    const op = done.item.resourceData;
    expect(op.status).toBe('Failed');
    expect(op.resultInfo).toMatchObject({ code: 603, subcode: 10020 });
    expect(op.resultInfo.message).toContain(`8:orgid:${USERS.dana}`);
    expect(op.resultInfo.message).toContain(`8:orgid:${USERS.brian}`);
    expect(op.resultInfo.message).toContain(`8:orgid:${USERS.nora}`);
    expect(op.resultInfo.message).toMatch(/DiagCode: 603#10020\.@/);
    expect(op.resultInfo.message).toMatch(/DiagCode: 486#10021\.@/);
    expect(op.resultInfo.message).toMatch(/DiagCode: 408#10057\.@/);
    const list = await c.raw('GET', `/v1.0/communications/calls/${callId}/participants`);
    const users = list.body.value
      .map((p: { info: { identity: { user?: { id: string } } } }) => p.info.identity.user?.id)
      .filter(Boolean);
    expect(users).toContain(USERS.adele);
    expect(users).not.toContain(USERS.dana);
    const read = await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${res.body.id}`);
    expect(read.body.status).toBe('Failed');
    expectGraph('inviteParticipantsOperation', read.body);
  });

  it('fails a single declined invite with the real resultInfo and no roster change', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.dana)],
    });
    const done = await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === res.body.id,
      { since },
    );
    expect(done.item.resourceData).toMatchObject({
      status: 'Failed',
      resultInfo: {
        code: 603,
        subcode: 10020,
        message: `addParticipants failed for participant 8:orgid:${USERS.dana}. Underlying reason: The callee declined the call. DiagCode: 603#10020.@`,
      },
    });
    expect(
      c.bot.notifications
        .slice(since)
        .filter((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`),
    ).toEqual([]);
  });
});
