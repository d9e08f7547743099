/**
 * participant: delete on an invitee who is still ringing cancels the invite (spec 4.19, docs example 2 "Delete
 * invited participant before participant is added to the roster"): 204, the person stops ringing, the operation
 * ends `deleted` Failed with 487, and the roster never changes. On the virtual clock, so "still ringing" is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorld } from '../../src/sim/default-world.js';
import type { World } from '../../src/sim/directory.js';
import {
  inviteUser,
  MEETING_A,
  rosterEntry,
  rosterUserIds,
  startConformance,
  USERS,
  type Conformance,
} from './fixture.js';

/** People ring as long as in the default world (Adele 1 s, Diego 1.5 s, Dana declines after 2 s), not the fast test world's 40 ms. */
const realRinging = (w: World): void => {
  const answers = new Map(defaultWorld().tenants[0]!.users.map((u) => [u.id, u.answer]));
  for (const u of w.tenants[0]!.users) u.answer = answers.get(u.id) ?? u.answer;
};

describe('participant: delete on a ringing invitee (cancel the invite)', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(realRinging, { virtual: true });
  });
  afterAll(async () => {
    await c.close();
  });

  it('Kiota: 204, the operation fails with 487 naming the person, no roster notification, and the late answer changes nothing', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const invite = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
      clientContext: 'cancel-me',
    });
    expect(invite.status).toBe(200);
    // The echoed invitee carries its participant id: what the DELETE takes.
    const pid = invite.body.participants[0].id as string;
    expect(pid).toEqual(expect.any(String));
    await c.advance(500); // Adele's phone rings for 1 s in the default world

    await c.kiota.calls.byCallId(callId).participants.byParticipantId(pid).delete();
    expect(c.kiota.exchanges.at(-1)!.status).toBe(204);
    const failed = await c.bot.waitFor(
      (n) =>
        n.item.changeType === 'deleted' &&
        n.item.resourceUrl === `/communications/calls/${callId}/operations/${invite.body.id}`,
      { since },
    );
    expect(failed.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      status: 'Failed',
      clientContext: 'cancel-me',
      resultInfo: {
        code: 487,
        subcode: 0,
        message: `addParticipants failed for participant 8:orgid:${USERS.adele}. Underlying reason: The invitation was cancelled by the application. DiagCode: 487#0.@`,
      },
    });
    const op = await c.kiota.calls.byCallId(callId).operations.byCommsOperationId(invite.body.id).get();
    expect(op?.status).toBe('Failed');
    expect(op?.resultInfo?.code).toBe(487);

    // Past the moment Adele would have picked up: nothing happens, she is not in the call.
    await c.advance(5_000);
    expect(c.timeline(callId).slice(-1)).toEqual(['deleted /operations/{id} Failed']);
    expect(
      c.bot.notifications.slice(since).filter((n) => (n.item.resourceUrl as string).endsWith('/participants')),
    ).toEqual([]);
    const roster = await c.kiota.calls.byCallId(callId).participants.get();
    expect(roster?.value?.some((p) => p.info?.identity?.user?.id === USERS.adele)).toBe(false);
    // She can be invited again: her cancelled invite no longer counts as "already being invited".
    const again = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
    });
    expect(again.status).toBe(200);
    await c.advance(1_000);
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.adele) !== undefined,
      { since },
    );
    expect(c.bot.problems).toEqual([]);
  });

  it('Graph JS client, multi-invite: cancelling one keeps the operation running; it fails naming only her once the other joins', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const invite = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.megan), inviteUser(USERS.diego)],
    });
    expect(invite.status).toBe(200);
    const megan = invite.body.participants[0].id as string;
    await c.graph.api(`/communications/calls/${callId}/participants/${megan}`).delete();
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${invite.body.id}`)).body.status).toBe(
      'Running',
    );

    await c.advance(1_500); // Diego answers after 1.5 s
    const done = await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === invite.body.id,
      { since },
    );
    expect(done.item.resourceData).toMatchObject({ status: 'Failed', resultInfo: { code: 487 } });
    expect(done.item.resourceData.resultInfo.message).toContain(`8:orgid:${USERS.megan}`);
    expect(done.item.resourceData.resultInfo.message).not.toContain(USERS.diego);
    const joined = await c.bot.waitFor(
      (n) => n.item.changeType === 'updated' && n.item.resourceUrl === `/communications/calls/${callId}/participants`,
      { since },
    );
    // The whole roster (the meeting's earlier guests included): Diego, never Megan.
    expect(rosterUserIds(joined)).toContain(USERS.diego);
    expect(rosterUserIds(joined)).not.toContain(USERS.megan);
  });

  it('a settled invitee is no longer pending: deleting her after she declined is 404 itemNotFound, and nothing changes', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const invite = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.dana)],
    });
    await c.advance(2_000); // Dana declines after 2 s
    const before = c.bot.notifications.length;
    const res = await c.raw(
      'DELETE',
      `/v1.0/communications/calls/${callId}/participants/${invite.body.participants[0].id}`,
    );
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('itemNotFound');
    const op = await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${invite.body.id}`);
    expect(op.body).toMatchObject({ status: 'Failed', resultInfo: { code: 603 } });
    await c.advance(1_000);
    expect(c.bot.notifications.length).toBe(before);
  });

  it("another bot leg in the same meeting cannot cancel this leg's invite: 404, and the invitee still joins", async () => {
    const first = await c.joinMeeting(MEETING_A);
    const second = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const invite = await c.raw('POST', `/v1.0/communications/calls/${first}/participants/invite`, {
      participants: [inviteUser(USERS.heidi)],
    });
    const res = await c.raw(
      'DELETE',
      `/v1.0/communications/calls/${second}/participants/${invite.body.participants[0].id}`,
    );
    expect(res.status).toBe(404);
    await c.advance(1_000);
    const done = await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === invite.body.id,
      { since },
    );
    expect(done.item.resourceData.status).toBe('Completed');
  });
});
