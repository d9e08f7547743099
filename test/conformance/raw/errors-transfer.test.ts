/** redirect and transfer refused: each in Graph's envelope, naming the property, and changing nothing. */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { inviteUser, MEETING_A, startConformance, USERS, type Conformance } from '../fixture.js';
import { callPath, expectRefused } from './helpers.js';

const OTHER_TENANT = 'bbbbbbbb-0000-4000-8000-0000000000bb';
const phone = (id: string) => ({ identity: { phone: { id } } });

describe('redirect and transfer errors', () => {
  let c: Conformance;
  let incoming = '';
  let p2p: string;
  let meeting: string;

  beforeAll(async () => {
    c = await startConformance();
    meeting = await c.joinMeeting(MEETING_A);
    p2p = await c.incomingCall(USERS.alex);
    await c.answer(p2p);
  });

  /** A call left ringing; the real clock gives it 15 s, so a fresh one is rung when this one is getting old. */
  let rungAt = 0;
  async function ringing(): Promise<string> {
    if (Date.now() - rungAt > 8_000) {
      incoming = await c.incomingCall(USERS.megan);
      rungAt = Date.now();
    }
    return incoming;
  }
  afterAll(async () => {
    await c.close();
  });

  const redirect = (callId: string) => `${callPath(callId)}/redirect`;
  const transfer = (callId: string) => `${callPath(callId)}/transfer`;

  it.each([
    ['no targets property', {}, 'targets'],
    ['an empty targets list', { targets: [] }, 'targets'],
    ['26 targets', { targets: Array.from({ length: 26 }, (_, i) => phone(`+1425555${1000 + i}`)) }, 'targets'],
    ['a timeout of 14 s', { targets: [inviteUser(USERS.heidi)], timeout: 14 }, 'timeout'],
    ['a timeout of 91 s', { targets: [inviteUser(USERS.heidi)], timeout: 91 }, 'timeout'],
    ['a timeout that is not an integer', { targets: [inviteUser(USERS.heidi)], timeout: 'soon' }, 'timeout'],
    [
      'a phone target on a call to the app (no resource account)',
      { targets: [phone('+12345678901')] },
      'targets[0].identity.phone',
    ],
    ['a phone target that is not E.164', { targets: [phone('12345')] }, 'targets[0].identity.phone.id'],
  ])('redirect with %s → 400 naming it', async (_label, body, target) => {
    const call = await ringing();
    await expectRefused(c, call, { path: redirect(call), body }, { status: 400, code: 'BadRequest', target });
  });

  it('redirect to a user of another tenant → 403 7505', async () => {
    const call = await ringing();
    await expectRefused(
      c,
      call,
      {
        path: redirect(call),
        body: { targets: [{ identity: { user: { id: USERS.heidi, tenantId: OTHER_TENANT } } }] },
      },
      { status: 403, code: '7505', target: 'targets[0].identity.user.tenantId' },
    );
  });

  it('redirect of an answered call → 409', async () => {
    await expectRefused(
      c,
      p2p,
      { path: redirect(p2p), body: { targets: [inviteUser(USERS.heidi)] } },
      { status: 409, code: 'Conflict' },
    );
  });

  it.each([
    ['no transferTarget', {}, 400, 'BadRequest', 'transferTarget'],
    [
      'a bot as target',
      { transferTarget: { identity: { application: { id: '22bfd41f-550e-477d-8789-f6f7bd2a5e8b' } } } },
      400,
      'BadRequest',
      'transferTarget.identity.application',
    ],
    [
      'a phone target on a call to the app (no resource account)',
      { transferTarget: phone('+12345678901') },
      400,
      'BadRequest',
      'transferTarget.identity.phone',
    ],
    [
      'the transferee as target',
      { transferTarget: inviteUser(USERS.alex) },
      400,
      'BadRequest',
      'transferTarget.identity',
    ],
    [
      'a replacesCallId naming no call of this app',
      { transferTarget: inviteUser(USERS.heidi, { replacesCallId: '4f1c8a2e-0000-4000-8000-0000000c0de5' }) },
      400,
      'BadRequest',
      'transferTarget.replacesCallId',
    ],
    [
      'a target of another tenant',
      { transferTarget: { identity: { user: { id: USERS.heidi, tenantId: OTHER_TENANT } } } },
      403,
      '7505',
      'transferTarget.identity.user.tenantId',
    ],
  ])('transfer with %s → %s', async (_label, body, status, code, target) => {
    await expectRefused(c, p2p, { path: transfer(p2p), body }, { status, code, target });
  });

  it('transfer of a call still ringing → 409', async () => {
    const call = await ringing();
    await expectRefused(
      c,
      call,
      { path: transfer(call), body: { transferTarget: inviteUser(USERS.heidi) } },
      { status: 409, code: 'Conflict' },
    );
  });

  it.each([
    [
      'without transferee.participantId → 400 naming it',
      { transferTarget: inviteUser(USERS.heidi) },
      400,
      'BadRequest',
      'transferee.participantId',
    ],
    [
      'naming a participant not in the call → 404',
      {
        transferTarget: inviteUser(USERS.heidi),
        transferee: { identity: { user: { id: USERS.bob } }, participantId: 'x' },
      },
      404,
      'itemNotFound',
      'transferee.participantId',
    ],
    [
      'with a transferee that is not an object → 400',
      { transferTarget: inviteUser(USERS.heidi), transferee: 'megan' },
      400,
      'BadRequest',
      'transferee',
    ],
  ])('transfer out of a meeting %s; nothing changes', async (_name, body, status, code, target) => {
    await expectRefused(c, meeting, { path: transfer(meeting), body }, { status, code, target });
  });
});
