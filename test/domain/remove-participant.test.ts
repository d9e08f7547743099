/** DELETE /calls/{id}/participants/{pid}: drop an active participant; the bot legs see a `deleted` roster change. */
import { describe, expect, it } from 'vitest';
import { decideInvite, decideInviteeAnswer } from '../../src/domain/invite.js';
import { decideRemoveParticipant } from '../../src/domain/remove-participant.js';
import type { Effects, Operation, Participant } from '../../src/domain/types.js';
import { isRejection } from '../../src/domain/rejections.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import {
  accepted,
  conversation,
  ctx,
  expectRejection,
  invitee,
  inviteState,
  leg,
  meetingState,
  only,
  participant,
  principal,
  user,
  USERS,
  view,
  world,
} from './fixtures.js';

const adele = participant({ id: 'p-adele', identity: user(USERS.adele) });

describe('decideRemoveParticipant', () => {
  it('removes a joined participant and tells every bot leg, each on its own call id', () => {
    const conv = conversation({ rosterSequence: 4 });
    const other = leg({ id: 'leg-2', myParticipantId: 'bot-p-2', callbackUri: 'https://other.example/calls' });
    const r = decideRemoveParticipant(
      principal(ALL_CALLING_ROLES),
      view(conv, [leg(), other], [adele]),
      'P-ADELE',
      ctx(),
    );
    if (isRejection(r)) throw new Error(r.message);
    expect(r.participants).toEqual([
      expect.objectContaining({ id: 'p-adele', status: 'removed', rosterSequenceNumber: 5 }),
    ]);
    expect(r.conversations[0]?.rosterSequence).toBe(5);
    expect(r.notifications.map((n) => [n.callId, only(n).changeType, only(n).resourceUrl])).toEqual([
      ['leg-1', 'deleted', '/communications/calls/leg-1/participants'],
      ['leg-2', 'deleted', '/communications/calls/leg-2/participants'],
    ]);
    expect(only(r.notifications[0]).resourceData.map((p: { id: string }) => p.id)).toEqual(['p-adele']);
  });

  it('needs Calls.JoinGroupCall.All', () => {
    expectRejection(
      decideRemoveParticipant(
        principal(['Calls.Initiate.All']),
        view(conversation(), [leg()], [adele]),
        'p-adele',
        ctx(),
      ),
      'MissingRole',
      null,
    );
  });

  it.each([
    ['an unknown id', 'nobody', [adele]],
    ['someone whose invite already failed', 'p-adele', [{ ...adele, status: 'failed' as const }]],
    ['someone who already left', 'p-adele', [{ ...adele, status: 'removed' as const }]],
  ])('answers not found for %s', (_label, pid, roster) => {
    expectRejection(
      decideRemoveParticipant(principal(ALL_CALLING_ROLES), view(conversation(), [leg()], roster), pid, ctx()),
      'ParticipantNotFound',
      pid,
    );
  });

  it('finds no roster in a peer-to-peer call', () => {
    const r = decideRemoveParticipant(
      principal(ALL_CALLING_ROLES),
      view(conversation({ kind: 'peerToPeer' }), [leg()], [adele]),
      'p-adele',
      ctx(),
    );
    expectRejection(r, 'ParticipantNotFound', 'p-adele');
  });

  it("refuses to remove an application's own leg", () => {
    const r = decideRemoveParticipant(principal(ALL_CALLING_ROLES), view(conversation(), [leg()]), 'bot-p-1', ctx());
    expectRejection(r, 'InvalidProperty', 'bot-p-1');
  });

  describe('a participant still ringing (cancelling the invite)', () => {
    const roles = principal(ALL_CALLING_ROLES);
    /** Invites the given users from leg-1 of a meeting; returns the pending state the service would load. */
    function ringing(...ids: string[]): {
      operation: Operation;
      pending: Participant[];
      state: ReturnType<typeof meetingState>;
    } {
      const state = meetingState();
      const cmd = { participants: ids.map((id) => invitee(user(id))), clientContext: 'ctx-1' };
      const r = accepted(decideInvite(roles, cmd, inviteState(state, cmd), world(), ctx('bbbbbbbb')));
      return {
        operation: r.operation,
        pending: r.effects.participants,
        state: { ...state, roster: [...state.roster, ...r.effects.participants] },
      };
    }
    const cancel = (
      s: ReturnType<typeof ringing>,
      pid: string,
      over: { operation?: Operation; leg?: typeof s.state.leg } = {},
    ): Effects =>
      accepted(
        decideRemoveParticipant(
          roles,
          { ...s.state, leg: over.leg ?? s.state.leg, pendingOperation: over.operation ?? s.operation },
          pid,
          ctx('cccccccc'),
        ),
      );

    it('cancels the only invitee: it fails with 487, the operation is `deleted` Failed, no roster notification', () => {
      const s = ringing(USERS.adele);
      const pid = s.pending[0]!.id;
      const r = cancel(s, pid.toUpperCase());
      expect(r.participants).toEqual([expect.objectContaining({ id: pid, status: 'failed' })]);
      expect(r.operations).toHaveLength(1);
      const op = r.operations[0]!;
      expect(op.status).toBe('Failed');
      expect(op.resultInfo).toEqual({
        '@odata.type': '#microsoft.graph.resultInfo',
        code: 487,
        subcode: 0,
        message: `addParticipants failed for participant 8:orgid:${USERS.adele}. Underlying reason: The invitation was cancelled by the application. DiagCode: 487#0.@`,
      });
      expect(r.notifications).toHaveLength(1);
      const n = only(r.notifications[0]);
      expect([n.changeType, n.resourceUrl]).toEqual([
        'deleted',
        `/communications/calls/leg-1/operations/${s.operation.id}`,
      ]);
      expect(n.resourceData).toMatchObject({
        status: 'Failed',
        clientContext: 'ctx-1',
        resultInfo: { code: 487, subcode: 0 },
      });
      expect(r.conversations).toEqual([]);
    });

    it('the cancelled invitee no longer answers: its ring timer then changes nothing', () => {
      const s = ringing(USERS.adele);
      const cancelled = cancel(s, s.pending[0]!.id).participants[0]!;
      const later = decideInviteeAnswer(
        { ...s.state, operation: s.operation, invitee: cancelled, source: null },
        'accept',
        ctx('dddddddd'),
      );
      expect(later).toEqual({
        conversations: [],
        legs: [],
        participants: [],
        operations: [],
        notifications: [],
        timers: [],
      });
    });

    it('in a multi-invite the operation keeps running until the others answer, then fails naming the cancelled one', () => {
      const s = ringing(USERS.adele, USERS.alex);
      const [adeleP, alexP] = s.pending as [Participant, Participant];
      const r = cancel(s, adeleP.id);
      expect(r.operations[0]).toMatchObject({ status: 'Running' });
      expect(r.notifications).toEqual([]);
      const last = decideInviteeAnswer(
        { ...s.state, operation: r.operations[0], invitee: alexP, source: null },
        'accept',
        ctx('eeeeeeee'),
      );
      expect(last.operations[0]).toMatchObject({ status: 'Failed', resultInfo: { code: 487 } });
      expect(last.operations[0]!.resultInfo!.message).toContain(`8:orgid:${USERS.adele}`);
      expect(last.participants).toEqual([expect.objectContaining({ id: alexP.id, status: 'joined' })]);
    });

    it('only the call that sent the invite can cancel it', () => {
      const s = ringing(USERS.adele);
      const other = leg({ id: 'leg-2', myParticipantId: 'bot-p-2' });
      const pid = s.pending[0]!.id;
      expectRejection(
        decideRemoveParticipant(roles, { ...s.state, leg: other, pendingOperation: s.operation }, pid, ctx()),
        'ParticipantNotFound',
        pid,
      );
    });

    it('needs Calls.JoinGroupCall.All like any participant delete', () => {
      const s = ringing(USERS.adele);
      expectRejection(
        decideRemoveParticipant(
          principal(['Calls.InitiateGroupCall.All']),
          { ...s.state, pendingOperation: s.operation },
          s.pending[0]!.id,
          ctx(),
        ),
        'MissingRole',
        null,
      );
    });
  });
});
