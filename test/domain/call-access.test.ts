/** What a caller may see (src/domain/call-access.ts): its own legs, the listed roster, participants and operations. */
import { describe, expect, it } from 'vitest';
import {
  isSameAppLeg,
  listedRoster,
  operationOfCall,
  ownLeg,
  participantOfCall,
} from '../../src/domain/call-access.js';
import type { Operation } from '../../src/domain/types.js';
import {
  APP,
  conversation,
  expectRejection,
  leg,
  NOW,
  OTHER_TENANT,
  participant,
  principal,
  TENANT,
  user,
  USERS,
} from './fixtures.js';

const me = principal([]);
const OTHER_APP = '22bfd41f-550e-477d-8789-f6f7bd2a5e8b';

describe('ownLeg (isolation)', () => {
  it('is the leg for its own app and tenant, ids compared case-insensitively', () => {
    const l = leg({ tenantId: TENANT.toUpperCase(), appId: APP.toUpperCase() });
    expect(ownLeg(me, l, 'LEG-1')).toBe(l);
  });

  it('another tenant’s call: 7505 tenant mismatch; another app’s or no call: 404 naming the id as given', () => {
    expectRejection(ownLeg(me, leg({ tenantId: OTHER_TENANT }), 'Leg-1'), 'TenantMismatch', null);
    expectRejection(ownLeg(me, leg({ appId: OTHER_APP }), 'Leg-1'), 'CallNotFound', 'Leg-1');
    expectRejection(ownLeg(me, undefined, 'nope'), 'CallNotFound', 'nope');
  });

  it('isSameAppLeg: a leg a body names is usable only when it is the same app’s in the same tenant', () => {
    const mine = leg();
    expect(isSameAppLeg(me, mine, leg({ id: 'leg-2', appId: APP.toUpperCase() }))).toBe(true);
    expect(isSameAppLeg(me, mine, leg({ id: 'leg-2', appId: OTHER_APP }))).toBe(false);
    expect(isSameAppLeg(me, mine, leg({ id: 'leg-2', tenantId: OTHER_TENANT }))).toBe(false);
    expect(isSameAppLeg(me, mine, undefined)).toBe(false);
  });
});

describe('reads', () => {
  const joined = participant({ id: 'p-1', identity: user(USERS.adele) });
  const hidden = participant({ id: 'p-2', identity: user(USERS.alex), hidden: true });
  const ringing = participant({ id: 'p-3', identity: user(USERS.diego), status: 'inviting' });
  const gone = participant({ id: 'p-4', identity: user(USERS.megan), status: 'removed' });

  it('listedRoster: joined and not hidden; none for a peer-to-peer call (spec 4.17) or a conversation that is gone', () => {
    expect(listedRoster(conversation(), [joined, hidden, ringing, gone])).toEqual([joined]);
    expect(listedRoster(conversation({ kind: 'peerToPeer' }), [joined])).toEqual([]);
    expect(listedRoster(undefined, [joined])).toEqual([]);
  });

  it('participantOfCall: a joined participant of the leg’s conversation, else 404 naming the id as given', () => {
    expect(participantOfCall(leg(), joined, 'P-1')).toBe(joined);
    expectRejection(participantOfCall(leg(), ringing, 'P-3'), 'ParticipantNotFound', 'P-3');
    expectRejection(
      participantOfCall(leg(), { ...joined, conversationId: 'conv-2' }, 'P-1'),
      'ParticipantNotFound',
      'P-1',
    );
    expectRejection(participantOfCall(leg(), undefined, 'x'), 'ParticipantNotFound', 'x');
  });

  it('operationOfCall: an operation of this leg, else 404 naming the id as given', () => {
    const op: Operation = {
      id: 'op-1',
      callId: 'leg-1',
      type: 'muteParticipantOperation',
      status: 'Completed',
      clientContext: null,
      resultInfo: null,
      invitees: [],
      createdAt: NOW,
      updatedAt: NOW,
    };
    expect(operationOfCall(leg(), op, 'OP-1')).toBe(op);
    expectRejection(operationOfCall(leg({ id: 'leg-2' }), op, 'OP-1'), 'OperationNotFound', 'OP-1');
    expectRejection(operationOfCall(leg(), undefined, 'op-9'), 'OperationNotFound', 'op-9');
  });
});
