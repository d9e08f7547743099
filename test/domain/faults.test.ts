/** Injected invite faults (spec 9.3, 9.7): which invite a fault meets, and how the invite and its answer apply it. */
import { describe, expect, it } from 'vitest';
import { faultResultInfo, inviteFaultFor, type InviteFault } from '../../src/domain/faults.js';
import { decideInvite, decideInviteeAnswer, type InviteState } from '../../src/domain/invite.js';
import {
  accepted,
  ctx,
  invitee,
  inviteState,
  leg,
  meetingState,
  NOW,
  only,
  p2pView,
  principal,
  user,
  USERS,
  world,
} from './fixtures.js';

const GROUP_ROLE = 'Calls.InitiateGroupCall.All';
const mediaError: InviteFault = {
  on: 'invite',
  when: { mediaConfig: 'appHosted' },
  result: { code: 410, subcode: 301004, message: 'Client Media Error. DiagCode: 410#301004.@' },
  afterMs: 30_000,
};
const replaceError: InviteFault = {
  on: 'invite',
  when: { replacesCallId: true },
  result: { code: 500, subcode: 0, message: 'Server Internal Error.' },
  afterMs: 0,
};
const appHosted = leg({ mediaConfig: { '@odata.type': '#microsoft.graph.appHostedMediaConfig', blob: 'x' } });

describe('inviteFaultFor', () => {
  it('matches on the leg media config and on replacing a call; every condition must hold; the first match wins', () => {
    expect(inviteFaultFor([mediaError], appHosted, false)).toBe(mediaError);
    expect(inviteFaultFor([mediaError], leg(), false)).toBeNull(); // the fixture leg is service-hosted
    expect(inviteFaultFor([replaceError], leg(), true)).toBe(replaceError);
    expect(inviteFaultFor([replaceError], leg(), false)).toBeNull();
    const both: InviteFault = { ...replaceError, when: { mediaConfig: 'appHosted', replacesCallId: true } };
    expect(inviteFaultFor([both], leg(), true)).toBeNull();
    expect(inviteFaultFor([both, mediaError], appHosted, true)).toBe(both);
    const any: InviteFault = { ...replaceError, when: {} };
    expect(inviteFaultFor([any], leg({ mediaConfig: null }), false)).toBe(any);
    expect(inviteFaultFor([], appHosted, true)).toBeNull();
  });
});

describe('an invite meeting a fault', () => {
  it('is accepted Running; each invitee is answered after the fault delay, carrying its result', () => {
    const cmd = { participants: [invitee(user(USERS.adele))] };
    const state: InviteState = { ...inviteState(meetingState({ leg: appHosted }), cmd), fault: mediaError };
    const r = accepted(decideInvite(principal([GROUP_ROLE]), cmd, state, world(), ctx()));
    expect(r.operation.status).toBe('Running');
    expect(r.effects.timers).toEqual([
      expect.objectContaining({ dueAt: NOW + 30_000, payload: expect.objectContaining({ fault: mediaError.result }) }),
    ]);
  });

  it('fails the invitee and the operation with the fault result, whatever the person would do', () => {
    const cmd = { participants: [invitee(user(USERS.adele))] };
    const state: InviteState = { ...inviteState(meetingState(), cmd), fault: mediaError };
    const planned = accepted(decideInvite(principal([GROUP_ROLE]), cmd, state, world(), ctx()));
    const answer = {
      conversation: state.conversation,
      legs: state.legs,
      roster: state.roster.withInviteeIdentity,
      leg: state.leg,
      operation: planned.operation,
      invitee: planned.effects.participants[0]!,
      source: null,
    };
    const e = decideInviteeAnswer(answer, 'accept', ctx(), faultResultInfo(mediaError));
    const expected = { '@odata.type': '#microsoft.graph.resultInfo', ...mediaError.result };
    expect(e.participants).toEqual([expect.objectContaining({ status: 'failed', outcome: expected })]);
    expect(e.operations[0]).toMatchObject({ status: 'Failed', resultInfo: expected });
    expect(only(e.notifications[0]).resourceData).toMatchObject({ status: 'Failed', resultInfo: expected });
  });

  it('spec 9.3: a failing replacement leaves the replaced peer-to-peer call alone', () => {
    const p2p = p2pView(user(USERS.dana));
    const cmd = { participants: [invitee(user(USERS.dana), { replacesCallId: 'p2p-leg' })] };
    const state: InviteState = { ...inviteState(meetingState(), cmd), replaced: p2p, fault: replaceError };
    const planned = accepted(decideInvite(principal([GROUP_ROLE]), cmd, state, world(), ctx()));
    const answer = {
      conversation: state.conversation,
      legs: state.legs,
      roster: state.roster.withInviteeIdentity,
      leg: state.leg,
      operation: planned.operation,
      invitee: planned.effects.participants[0]!,
      source: p2p,
    };
    const e = decideInviteeAnswer(answer, 'accept', ctx(), faultResultInfo(replaceError));
    expect(e.operations[0]).toMatchObject({ status: 'Failed', resultInfo: { code: 500 } });
    expect(e.legs).toEqual([]);
    expect(e.notifications.map((n) => only(n).resourceUrl)).toEqual([
      `/communications/calls/leg-1/operations/${planned.operation.id}`,
    ]);
  });
});
