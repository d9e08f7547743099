/** DELETE …/participants/{pid} through Kiota: 204, the person leaves the roster, every bot leg hears it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_A, rosterEntry, startConformance, USERS, type Conformance } from './fixture.js';

describe('participant: delete', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('removes a joined participant: 204, roster `deleted` to both bot legs, then 404 for that participant', async () => {
    const first = await c.joinMeeting(MEETING_A);
    const second = await c.joinMeeting(MEETING_A);
    let since = c.bot.notifications.length;
    const invite = await c.raw('POST', `/v1.0/communications/calls/${first}/participants/invite`, {
      participants: [inviteUser(USERS.diego)],
    });
    expect(invite.status).toBe(200);
    const joined = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${second}/participants` &&
        rosterEntry(n, USERS.diego) !== undefined,
      { since },
    );
    const pid = rosterEntry(joined, USERS.diego).id as string;

    since = c.bot.notifications.length;
    await c.kiota.calls.byCallId(first).participants.byParticipantId(pid).delete();
    expect(c.kiota.exchanges.at(-1)!.status).toBe(204);
    for (const legId of [first, second]) {
      const left = await c.bot.waitFor(
        (n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${legId}/participants`,
        { since },
      );
      expect(left.item.resourceData.map((p: { id: string }) => p.id)).toEqual([pid]);
    }
    const after = await c.raw('GET', `/v1.0/communications/calls/${first}/participants/${pid}`);
    expect(after.status).toBe(404);
    const list = await c.kiota.calls.byCallId(second).participants.get();
    expect(list?.value?.some((p) => p.id === pid)).toBe(false);
    const again = await c.raw('DELETE', `/v1.0/communications/calls/${first}/participants/${pid}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('itemNotFound');
    expect(c.bot.problems).toEqual([]);
  });
});
