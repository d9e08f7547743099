/** call: redirect and call: transfer, pure: the rules of call-redirect.md / call-transfer.md and their notifications. */
import { describe, expect, it } from 'vitest';
import { isRejection, type Rejection } from '../../src/domain/rejections.js';
import {
  answerRedirectRing,
  decideRedirect,
  decideRedirectOutcome,
  decideTransfer,
  decideTransferOutcome,
  type RedirectCommand,
  type TransferCommand,
  type TransferState,
} from '../../src/domain/transfer.js';
import { emptyEffects, type Effects } from '../../src/domain/types.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import {
  conversation,
  ctx,
  expectRejection,
  invitee,
  leg,
  NOW,
  only,
  OTHER_TENANT,
  p2pView,
  participant,
  phone,
  principal,
  reactionsTo,
  user,
  USERS,
  view,
  world,
  outcomeOf,
} from './fixtures.js';

const all = principal(ALL_CALLING_ROLES);
const incoming = () => p2pView(user(USERS.alex), { state: 'incoming' });
const established = () => p2pView(user(USERS.alex));
const redirect = (over: Partial<RedirectCommand> = {}): RedirectCommand => ({
  targets: [invitee(user(USERS.heidi))],
  ...over,
});
const transfer = (over: Partial<TransferCommand> = {}): TransferCommand => ({
  transferTarget: invitee(user(USERS.heidi)),
  ...over,
});
/** decideRedirect with the targets' reactions from the default world, as the service asks the simulator for them. */
const redirectWith = (p: typeof all, cmd: RedirectCommand, view: ReturnType<typeof incoming>, at = ctx()) =>
  decideRedirect(p, cmd, { ...view, reactions: reactionsTo(cmd.targets) }, world(), at);
/** decideTransfer with the target's reaction from the default world, as the service asks the simulator for it. */
const transferWith = (p: typeof all, cmd: TransferCommand, state: Omit<TransferState, 'reactions'>) =>
  decideTransfer(p, cmd, { ...state, reactions: reactionsTo(cmd.transferTarget) }, world(), ctx());
const ok = (r: Effects | Rejection): Effects => {
  if (isRejection(r)) throw new Error(`${r.code} ${r.target}: ${r.message}`);
  return r;
};

describe('decideRedirect', () => {
  it('rings the targets: the call waits in `redirecting`, no notification, one timer with the first to pick up', () => {
    const e = ok(
      redirectWith(
        all,
        redirect({
          targets: [invitee(user(USERS.dana)), invitee(user(USERS.diego)), invitee(user(USERS.heidi))],
          callbackUri: 'https://bot.contoso.com/redirected',
          timeout: 30,
        }),
        incoming(),
      ),
    );
    expect(e.legs).toEqual([
      expect.objectContaining({
        id: 'p2p-leg',
        state: 'redirecting',
        callbackUri: 'https://bot.contoso.com/redirected',
      }),
    ]);
    // call-redirect.md: nothing between the 202 and the `deleted`.
    expect(e.notifications).toEqual([]);
    expect(e.participants).toEqual([]);
    // Heidi accepts after 1 s, Diego after 1.5 s, Dana declines after 2 s: Heidi picks up first.
    expect(e.timers).toEqual([
      {
        id: 'redirect-p2p-leg',
        dueAt: NOW + 1_000,
        kind: 'call.redirectAnswer',
        payload: {
          callId: 'p2p-leg',
          outcome: 'accept',
          answeredBy: `user:${USERS.heidi}`,
          targets: [`user:${USERS.dana}`, `user:${USERS.diego}`, `user:${USERS.heidi}`],
        },
      },
    ]);
  });

  it.each([
    ['declines', [USERS.dana], undefined, 'decline', 2_000],
    ['is busy', [USERS.brian], undefined, 'busy', 500],
    ['does not answer within the timeout', [USERS.nora], 15, 'noAnswer', 15_000],
    ['gives up ringing before the default 55 s', [USERS.nora], undefined, 'noAnswer', 30_000],
    ['all refuse: the last one to give up says how it ends', [USERS.brian, USERS.dana], undefined, 'decline', 2_000],
  ] as const)('nobody picks up when the target %s', (_label, users, timeout, outcome, afterMs) => {
    const e = ok(redirectWith(all, redirect({ targets: users.map((u) => invitee(user(u))), timeout }), incoming()));
    expect(e.timers).toEqual([
      expect.objectContaining({
        dueAt: NOW + afterMs,
        payload: expect.objectContaining({ outcome, answeredBy: null }),
      }),
    ]);
  });

  it('one that picks up after the timeout counts as no answer (default timeout: 60 s for several targets)', () => {
    const slow = new Map([[`user:${USERS.heidi}`, { action: 'accept' as const, afterMs: 70_000 }]]);
    const cmd = redirect({ targets: [invitee(user(USERS.heidi)), invitee(user(USERS.nora))] });
    const e = ok(decideRedirect(all, cmd, { ...incoming(), reactions: slow }, world(), ctx()));
    // Nora is not in these reactions: nobody is there (notFound after a moment); Heidi is too slow.
    expect(e.timers[0]).toMatchObject({ dueAt: NOW + 60_000, payload: { outcome: 'noAnswer', answeredBy: null } });
  });

  it('to bots only: nothing Switchboard simulates rings, the call leaves the bot at once (`deleted`, no resultInfo)', () => {
    const e = ok(
      redirectWith(
        all,
        redirect({ targets: [invitee({ application: { id: '22bfd41f-550e-477d-8789-f6f7bd2a5e8b' } })] }),
        incoming(),
      ),
    );
    expect(e.legs).toEqual([
      expect.objectContaining({ state: 'terminated', terminationReason: 'AppRedirected', resultInfo: null }),
    ]);
    expect(only(e.notifications[0]).changeType).toBe('deleted');
    expect(e.participants.map((p) => [p.id, p.status])).toEqual(expect.arrayContaining([['p2p-caller', 'removed']]));
    expect(e.timers).toEqual([]);
  });

  it('the ring ends: picked up, one `deleted` without resultInfo; nobody, one `deleted` saying why; the caller leaves', () => {
    const redirecting = p2pView(user(USERS.alex), { state: 'redirecting' });
    const picked = decideRedirectOutcome(redirecting, 'accept', ctx());
    expect(picked.legs).toEqual([
      expect.objectContaining({ state: 'terminated', terminationReason: 'AppRedirected', resultInfo: null }),
    ]);
    const n = only(picked.notifications[0]);
    expect([n.changeType, n.resourceUrl, n.resourceData.state]).toEqual([
      'deleted',
      '/communications/calls/p2p-leg',
      'terminated',
    ]);
    expect(picked.participants.map((p) => [p.id, p.status])).toEqual(
      expect.arrayContaining([['p2p-caller', 'removed']]),
    );
    const missed = decideRedirectOutcome(redirecting, 'noAnswer', ctx());
    expect(only(missed.notifications[0]).resourceData.resultInfo).toMatchObject({ code: 408, subcode: 10057 });
    expect(decideRedirectOutcome(redirecting, 'decline', ctx()).legs[0]?.resultInfo).toMatchObject({
      code: 603,
      subcode: 10020,
    });
    // The bot hung up meanwhile: nothing more happens.
    expect(decideRedirectOutcome(established(), 'accept', ctx())).toEqual(emptyEffects());
  });

  it('a softphone answers: picking up wins; declining ends a lone ring, or leaves the others ringing', () => {
    const ring = { callId: 'c', outcome: 'noAnswer' as const, answeredBy: null, targets: ['user:a', 'user:b'] };
    expect(answerRedirectRing(ring, 'user:b', 'accept')).toEqual({
      fire: { ...ring, outcome: 'accept', answeredBy: 'user:b' },
    });
    expect(answerRedirectRing(ring, 'user:a', 'decline')).toEqual({ ringOn: { ...ring, targets: ['user:b'] } });
    expect(answerRedirectRing({ ...ring, targets: ['user:b'] }, 'user:b', 'busy')).toEqual({
      fire: { ...ring, targets: ['user:b'], outcome: 'busy', answeredBy: null },
    });
  });

  it('accepts up to 25 targets (simultaneous ring), phones from an application instance, and another bot', () => {
    const many = Array.from({ length: 25 }, (_, i) => invitee(phone(`+1425555${String(1000 + i)}`)));
    ok(
      redirectWith(
        all,
        redirect({ targets: many }),
        p2pView(user(USERS.alex), { state: 'incoming', applicationInstanceId: 'inst-1' }),
      ),
    );
    ok(
      redirectWith(
        all,
        redirect({
          targets: [
            invitee({ application: { id: '22bfd41f-550e-477d-8789-f6f7bd2a5e8b', displayName: 'test bot 2' } }),
          ],
        }),
        incoming(),
      ),
    );
  });

  it.each([
    ['no targets', { targets: [] }, 'NoInvitees', 'targets'],
    [
      '26 targets',
      { targets: Array.from({ length: 26 }, (_, i) => invitee(phone(`+1425555${String(1000 + i)}`))) },
      'TooManyInvitees',
      'targets',
    ],
    ['a timeout under 15 s', { timeout: 14 }, 'InvalidProperty', 'timeout'],
    ['a timeout over 90 s', { timeout: 91 }, 'InvalidProperty', 'timeout'],
    ['an http callbackUri', { callbackUri: 'http://bot.contoso.com/x' }, 'InvalidCallbackUri', 'callbackUri'],
    [
      'a phone that is not E.164',
      { targets: [invitee(phone('4255550100'))] },
      'InvalidPhoneNumber',
      'targets[0].identity.phone.id',
    ],
    [
      'a phone from a call to the app itself (no instance)',
      { targets: [invitee(phone('+14255550100'))] },
      'InvalidProperty',
      'targets[0].identity.phone',
    ],
    [
      'the same target twice',
      { targets: [invitee(user(USERS.heidi)), invitee(user(USERS.heidi))] },
      'DuplicateIdentity',
      'targets[1].identity',
    ],
    [
      'a user of another tenant',
      { targets: [invitee(user(USERS.heidi, { tenantId: OTHER_TENANT }))] },
      'TenantMismatch',
      'targets[0].identity.user.tenantId',
    ],
  ] as const)('refuses %s', (_label, over, code, target) => {
    expectRejection(redirectWith(all, redirect(over as Partial<RedirectCommand>), incoming()), code, target);
  });

  it('refuses a call that is not incoming (409) and an app without Calls.Initiate.All (7504)', () => {
    expectRejection(redirectWith(all, redirect(), established()), 'CallStateConflict', null);
    expectRejection(redirectWith(principal(['Calls.JoinGroupCall.All']), redirect(), incoming()), 'MissingRole', null);
  });
});

describe('decideTransfer', () => {
  it('blind: `updated` transferring, and a timer when the target answers per the directory', () => {
    const e = ok(transferWith(all, transfer(), { ...established(), replaced: null }));
    expect(e.legs).toEqual([expect.objectContaining({ state: 'transferring' })]);
    expect(e.notifications.map((n) => [only(n).changeType, only(n).resourceData.state])).toEqual([
      ['updated', 'transferring'],
    ]);
    // Heidi answers after 1000 ms in the default world.
    expect(e.timers).toEqual([
      {
        id: 'transfer-p2p-leg',
        dueAt: NOW + 1000,
        kind: 'call.transferAnswer',
        payload: { callId: 'p2p-leg', outcome: 'accept', replacesCallId: null, target: `user:${USERS.heidi}` },
      },
    ]);
  });

  it.each([
    [USERS.dana, 'decline'],
    [USERS.brian, 'busy'],
    [USERS.nora, 'noAnswer'],
    ['ffffffff-0000-4000-8000-00000000f00d', 'notFound'],
  ])('takes the target %s answer from the directory: %s', (id, outcome) => {
    const e = ok(
      transferWith(all, transfer({ transferTarget: invitee(user(id)) }), { ...established(), replaced: null }),
    );
    expect(outcomeOf(e.timers[0])).toBe(outcome);
  });

  it("consultative: replacesCallId names the bot's established P2P call with the target; it answers at once", () => {
    const consult = p2pView(user(USERS.heidi), { id: 'consult-leg', conversationId: 'consult-conv' });
    consult.conversation = { ...consult.conversation, id: 'consult-conv' };
    const e = ok(
      transferWith(all, transfer({ transferTarget: invitee(user(USERS.heidi), { replacesCallId: 'consult-leg' }) }), {
        ...established(),
        replaced: consult,
      }),
    );
    expect(e.timers[0]).toMatchObject({
      dueAt: NOW + 200,
      payload: { outcome: 'accept', replacesCallId: 'consult-leg' },
    });
  });

  it.each([
    [
      'a bot target',
      transfer({ transferTarget: invitee({ application: { id: 'x' } }) }),
      'CannotInviteBot',
      'transferTarget.identity.application',
    ],
    [
      'a phone from a call without an application instance',
      transfer({ transferTarget: invitee(phone('+12345678901')) }),
      'InvalidProperty',
      'transferTarget.identity.phone',
    ],
    [
      'a target of another tenant',
      transfer({ transferTarget: invitee(user(USERS.heidi, { tenantId: OTHER_TENANT })) }),
      'TenantMismatch',
      'transferTarget.identity.user.tenantId',
    ],
    [
      'the transferee as target',
      transfer({ transferTarget: invitee(user(USERS.alex)) }),
      'InvalidProperty',
      'transferTarget.identity',
    ],
    [
      'an unknown replacesCallId',
      transfer({ transferTarget: invitee(user(USERS.heidi), { replacesCallId: 'nope' }) }),
      'ReplacedCallNotFound',
      'transferTarget.replacesCallId',
    ],
    ['a clientContext over 256', transfer({ clientContext: 'x'.repeat(257) }), 'ClientContextTooLong', 'clientContext'],
  ] as const)('refuses %s', (_label, cmd, code, target) => {
    expectRejection(transferWith(all, cmd, { ...established(), replaced: null }), code, target);
  });

  it('refuses a consultation call whose other party is not the target', () => {
    const consult = p2pView(user(USERS.megan), { id: 'consult-leg' });
    const r = transferWith(
      all,
      transfer({ transferTarget: invitee(user(USERS.heidi), { replacesCallId: 'consult-leg' }) }),
      { ...established(), replaced: consult },
    );
    expectRejection(r, 'InvalidProperty', 'transferTarget.identity');
  });

  it('refuses a call that is not established (409) and an app without Calls.Initiate.All', () => {
    expectRejection(
      transferWith(all, transfer(), { ...p2pView(user(USERS.alex), { state: 'transferring' }), replaced: null }),
      'CallStateConflict',
      null,
    );
    expectRejection(
      transferWith(principal(['Calls.JoinGroupCall.All']), transfer(), { ...established(), replaced: null }),
      'MissingRole',
      null,
    );
  });
});

describe('decideTransfer out of a group call or meeting (transferee)', () => {
  const adele = participant({ id: 'p-adele', identity: user(USERS.adele) });
  const group = () => ({ ...view(conversation(), [leg()], [adele]), replaced: null });
  const from = (participantId: unknown, identity?: unknown) =>
    transfer({ transferee: { participantId, ...(identity !== undefined ? { identity } : {}) } });

  it('moves the named participant: transferring, and a timer that carries who moves', () => {
    const e = ok(transferWith(all, from('P-ADELE', user(USERS.adele)), group()));
    expect(e.legs).toEqual([expect.objectContaining({ id: 'leg-1', state: 'transferring' })]);
    expect(e.timers).toEqual([
      expect.objectContaining({
        kind: 'call.transferAnswer',
        payload: expect.objectContaining({ callId: 'leg-1', outcome: 'accept', transfereeId: 'p-adele' }),
      }),
    ]);
  });

  it.each([
    ['no transferee', transfer(), 'InvalidProperty', 'transferee.participantId'],
    [
      'a transferee without participantId',
      from(undefined, user(USERS.adele)),
      'InvalidProperty',
      'transferee.participantId',
    ],
    ['a participant not in the call', from('nobody'), 'ParticipantNotFound', 'transferee.participantId'],
    ['the bot itself', from('bot-p-1'), 'InvalidProperty', 'transferee.participantId'],
    ["someone else's identity", from('p-adele', user(USERS.megan)), 'InvalidProperty', 'transferee.identity'],
    [
      'the transferee as target',
      { ...from('p-adele'), transferTarget: invitee(user(USERS.adele)) },
      'InvalidProperty',
      'transferTarget.identity',
    ],
  ] as const)('refuses %s', (_name, cmd, code, target) => {
    expectRejection(transferWith(all, cmd, group()), code, target);
  });

  it('accepted: the bot leg ends 0/7015; the bot and the transferee leave, everyone else stays; other bots get a roster deleted', () => {
    const other = leg({ id: 'leg-2', myParticipantId: 'bot-p-2', callbackUri: 'https://other.bot/cb' });
    const megan = participant({ id: 'p-megan', identity: user(USERS.megan) });
    const v = view(conversation(), [leg({ state: 'transferring' }), other], [adele, megan]);
    const e = decideTransferOutcome(v, null, 'accept', ctx(), 'p-adele');
    expect(e.notifications.map((n) => `${only(n).changeType} ${only(n).resourceUrl} -> ${n.callbackUri}`)).toEqual([
      'updated /communications/calls/leg-1 -> https://bot.contoso.com/api/calls',
      'deleted /communications/calls/leg-1 -> https://bot.contoso.com/api/calls',
      'deleted /communications/calls/leg-2/participants -> https://other.bot/cb',
    ]);
    expect(only(e.notifications[1]).resourceData.resultInfo).toMatchObject({ code: 0, subcode: 7015 });
    expect(e.participants.map((p) => [p.id, p.status]).sort()).toEqual([
      ['bot-p-1', 'removed'],
      ['p-adele', 'removed'],
    ]);
  });
});

describe('decideTransferOutcome', () => {
  const transferring = () => p2pView(user(USERS.alex), { state: 'transferring' });
  const states = (e: Effects) =>
    e.notifications.map((n) => `${only(n).changeType} ${only(n).resourceUrl} ${only(n).resourceData.state}`);

  it('accepted: transferAccepted, then deleted terminated with 0/7015 GracefulTransferCompleted', () => {
    const e = decideTransferOutcome(transferring(), null, 'accept', ctx());
    expect(states(e)).toEqual([
      'updated /communications/calls/p2p-leg transferAccepted',
      'deleted /communications/calls/p2p-leg terminated',
    ]);
    expect(only(e.notifications[1]).resourceData.resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 0,
      subcode: 7015,
      message: 'GracefulTransferCompleted',
    });
    expect(e.legs).toEqual([expect.objectContaining({ state: 'terminated', terminationReason: 'AppTransferred' })]);
  });

  it.each([['decline'], ['busy'], ['noAnswer']] as const)('target %s: back to established with 500/7000', (outcome) => {
    const e = decideTransferOutcome(transferring(), null, outcome, ctx());
    expect(states(e)).toEqual(['updated /communications/calls/p2p-leg established']);
    expect(e.legs[0]?.resultInfo).toMatchObject({ code: 500, subcode: 7000 });
  });

  it("consultative: both of the bot's calls end; if the consultation call is gone, it fails with 500/7700", () => {
    const consult = p2pView(user(USERS.heidi), { id: 'consult-leg' });
    const e = decideTransferOutcome(transferring(), { replaced: consult }, 'accept', ctx());
    expect(states(e)).toEqual([
      'updated /communications/calls/p2p-leg transferAccepted',
      'deleted /communications/calls/p2p-leg terminated',
      'deleted /communications/calls/consult-leg terminated',
    ]);
    const failed = decideTransferOutcome(transferring(), { replaced: null }, 'accept', ctx());
    expect(failed.legs[0]?.resultInfo).toMatchObject({ code: 500, subcode: 7700 });
  });

  it('does nothing once the call is no longer transferring (hung up meanwhile)', () => {
    expect(decideTransferOutcome(established(), null, 'accept', ctx()).notifications).toEqual([]);
  });
});
