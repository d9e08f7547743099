/**
 * Seed example 3 (000, 004): invite into a group call replacing an existing peer-to-peer call. Only the first
 * participant is read; when it completes the P2P call is terminated (`updated`) and deleted (`deleted`).
 */
import type { InvitationParticipantInfo } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureHeaders } from '../../helpers/kiota-calls.js';
import { MEETING_A, rosterUserIds, startConformance, USERS, type Conformance } from '../fixture.js';

const kiotaUser = (id: string, replacesCallId?: string): InvitationParticipantInfo => ({
  odataType: '#microsoft.graph.invitationParticipantInfo',
  ...(replacesCallId ? { replacesCallId } : {}),
  identity: {
    odataType: '#microsoft.graph.identitySet',
    user: { odataType: '#microsoft.graph.identity', id, additionalData: { identityProvider: 'AAD' } },
  },
});

describe('seed example 3: replace a peer-to-peer call', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('pulls the caller into the group call, reads only the first participant, then terminates and deletes the P2P call', async () => {
    const p2p = await c.incomingCall(USERS.alex);
    await c.answer(p2p);
    const group = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const h = captureHeaders();
    const op = await c.kiota.calls.byCallId(group).participants.invite.post(
      {
        participants: [kiotaUser(USERS.alex, p2p), kiotaUser(USERS.diego)],
        clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
      },
      h.config,
    );
    expect(c.kiota.exchanges.at(-1)!.status).toBe(200);
    expect(op?.status).toBe('Running');
    expect(op?.participants).toHaveLength(1);
    expect(op?.participants?.[0]?.replacesCallId).toBe(p2p);

    const done = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === op!.id, {
      since,
    });
    expect(done.item.resourceData.status).toBe('Completed');
    await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${p2p}`,
      { since, description: 'P2P call deleted' },
    );
    // The group call's roster is a separate ordered queue from the P2P call's: wait for it rather than assume it is in.
    const joined = await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${group}/participants`, {
      since,
    });
    expect(rosterUserIds(joined)).toEqual([USERS.alex]);

    expect(c.timeline(p2p)).toEqual([
      'created / incoming',
      'updated / establishing',
      'updated / established',
      'updated / terminated',
      'deleted / terminated',
    ]);
    const ended = c.bot.notifications.find(
      (n) => n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${p2p}`,
    )!;
    expect(ended.item.resource).toBe(`/app/calls/${p2p}`);
    expect(ended.item.resourceData.resultInfo).toMatchObject({ code: 200, subcode: 7015 });
    const gone = await c.raw('GET', `/v1.0/communications/calls/${p2p}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('8522');
    // Diego (the second entry) was never invited.
    const list = await c.kiota.calls.byCallId(group).participants.get();
    expect(list?.value?.some((p) => p.info?.identity?.user?.id === USERS.diego)).toBe(false);
    expect(c.bot.problems).toEqual([]);
  });

  it('has no roster for a peer-to-peer call (spec 4.17)', async () => {
    const p2p = await c.incomingCall(USERS.heidi);
    await c.answer(p2p);
    const list = await c.raw('GET', `/v1.0/communications/calls/${p2p}/participants`);
    expect(list.status).toBe(200);
    expect(list.body.value).toEqual([]);
  });
});
