/** DELETE /calls/{id}/participants/{pid}: drop an active participant; the bot legs see a `deleted` roster change. */
import { describe, expect, it } from 'vitest';
import { decideRemoveParticipant } from '../../src/domain/call.js';
import { isRejection } from '../../src/domain/rejections.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import { conversation, ctx, expectRejection, leg, only, participant, principal, user, USERS, view } from './fixtures.js';

const adele = participant({ id: 'p-adele', identity: user(USERS.adele) });

describe('decideRemoveParticipant', () => {
  it('removes a joined participant and tells every bot leg, each on its own call id', () => {
    const conv = conversation({ rosterSequence: 4 });
    const other = leg({ id: 'leg-2', myParticipantId: 'bot-p-2', callbackUri: 'https://other.example/calls' });
    const r = decideRemoveParticipant(principal(ALL_CALLING_ROLES), view(conv, [leg(), other], [adele]), 'P-ADELE', ctx());
    if (isRejection(r)) throw new Error(r.message);
    expect(r.participants).toEqual([expect.objectContaining({ id: 'p-adele', status: 'removed', rosterSequenceNumber: 5 })]);
    expect(r.conversations[0]?.rosterSequence).toBe(5);
    expect(r.notifications.map((n) => [n.callId, only(n).changeType, only(n).resourceUrl])).toEqual([
      ['leg-1', 'deleted', '/communications/calls/leg-1/participants'],
      ['leg-2', 'deleted', '/communications/calls/leg-2/participants'],
    ]);
    expect(only(r.notifications[0]).resourceData.map((p: { id: string }) => p.id)).toEqual(['p-adele']);
  });

  it('needs Calls.JoinGroupCall.All', () => {
    expectRejection(decideRemoveParticipant(principal(['Calls.Initiate.All']), view(conversation(), [leg()], [adele]), 'p-adele', ctx()), 'MissingRole', null);
  });

  it.each([
    ['an unknown id', 'nobody', [adele]],
    ['someone still being invited', 'p-adele', [{ ...adele, status: 'inviting' as const }]],
    ['someone who already left', 'p-adele', [{ ...adele, status: 'removed' as const }]],
  ])('answers not found for %s', (_label, pid, roster) => {
    expectRejection(decideRemoveParticipant(principal(ALL_CALLING_ROLES), view(conversation(), [leg()], roster), pid, ctx()), 'ParticipantNotFound', pid);
  });

  it('finds no roster in a peer-to-peer call', () => {
    const r = decideRemoveParticipant(principal(ALL_CALLING_ROLES), view(conversation({ kind: 'peerToPeer' }), [leg()], [adele]), 'p-adele', ctx());
    expectRejection(r, 'ParticipantNotFound', 'p-adele');
  });

  it("refuses to remove an application's own leg", () => {
    const r = decideRemoveParticipant(principal(ALL_CALLING_ROLES), view(conversation(), [leg()]), 'bot-p-1', ctx());
    expectRejection(r, 'InvalidProperty', 'bot-p-1');
  });
});
