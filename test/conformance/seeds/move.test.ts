/**
 * Seed example 5 (001): move one participant from one meeting to another created by the same app
 * (participantId + replacesCallId, posted to the destination call). Only the first participant is moved.
 */
import type { InvitationParticipantInfo } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inviteUser,
  MEETING_A,
  MEETING_B,
  rosterEntry,
  rosterUserIds,
  startConformance,
  USERS,
  type Conformance,
} from '../fixture.js';

describe('seed example 5: move a participant between meetings', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('moves Megan from meeting A to meeting B: B gains her, A loses her, the bot stays in A', async () => {
    const legA = await c.joinMeeting(MEETING_A);
    let since = c.bot.notifications.length;
    const first = await c.raw('POST', `/v1.0/communications/calls/${legA}/participants/invite`, {
      participants: [inviteUser(USERS.megan)],
    });
    const inA = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${legA}/participants` &&
        rosterEntry(n, USERS.megan) !== undefined,
      { since },
    );
    await c.bot.waitFor((n) => n.item.resourceData?.id === first.body.id && n.item.changeType === 'deleted', { since });
    const meganInA = rosterEntry(inA, USERS.megan).id as string;

    const legB = await c.joinMeeting(MEETING_B);
    since = c.bot.notifications.length;
    const participants: InvitationParticipantInfo[] = [
      {
        odataType: '#microsoft.graph.invitationParticipantInfo',
        replacesCallId: legA,
        participantId: meganInA,
        identity: {
          odataType: '#microsoft.graph.identitySet',
          user: {
            odataType: '#microsoft.graph.identity',
            id: USERS.megan,
            additionalData: { identityProvider: 'AAD' },
          },
        },
      },
      {
        odataType: '#microsoft.graph.invitationParticipantInfo',
        identity: {
          odataType: '#microsoft.graph.identitySet',
          user: { odataType: '#microsoft.graph.identity', id: USERS.heidi },
        },
      },
    ];
    const op = await c.kiota.calls
      .byCallId(legB)
      .participants.invite.post({ participants, clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f' });
    expect(op?.status).toBe('Running');
    expect(op?.participants).toHaveLength(1);
    expect(op?.participants?.[0]?.participantId).toBe(meganInA);
    expect(op?.participants?.[0]?.identity?.user?.displayName).toBe('Megan Bowen');

    const done = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === op!.id, {
      since,
    });
    expect(done.item.resourceData.status).toBe('Completed');
    const joinedB = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${legB}/participants` && n.item.changeType === 'updated',
      { since },
    );
    expect(rosterUserIds(joinedB)).toEqual([USERS.megan]);
    const leftA = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${legA}/participants` && n.item.changeType === 'deleted',
      { since },
    );
    expect(leftA.item.resourceData.map((p: { id: string }) => p.id)).toEqual([meganInA]);

    const a = await c.kiota.calls.byCallId(legA).get();
    expect(a?.state).toBe('established');
    const rosterA = await c.kiota.calls.byCallId(legA).participants.get();
    expect(rosterA?.value?.some((p) => p.info?.identity?.user?.id === USERS.megan)).toBe(false);
    const rosterB = await c.kiota.calls.byCallId(legB).participants.get();
    expect(rosterB?.value?.map((p) => p.info?.identity?.user?.id).filter(Boolean)).toEqual([USERS.megan]);
    expect(c.bot.problems).toEqual([]);
  });

  it('refuses a move out of a meeting this app did not create (400 naming participantId)', async () => {
    const adHoc = await c.joinMeeting('19:meeting_adhoc-not-in-directory@thread.v2');
    let since = c.bot.notifications.length;
    await c.raw('POST', `/v1.0/communications/calls/${adHoc}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
    });
    const joined = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${adHoc}/participants` &&
        n.item.changeType === 'updated' &&
        rosterEntry(n, USERS.adele) !== undefined,
      { since },
    );
    const target = await c.joinMeeting(MEETING_B);
    since = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${target}/participants/invite`, {
      participants: [
        inviteUser(USERS.adele, { replacesCallId: adHoc, participantId: rosterEntry(joined, USERS.adele).id }),
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.target).toBe('participants[0].participantId');
    expect(res.body.error.message).toContain('same application');
  });
});
