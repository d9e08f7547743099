/** call: redirect and call: transfer, pure: the rules of call-redirect.md / call-transfer.md and their notifications. */
import { describe, expect, it } from 'vitest';
import { isRejection, type Rejection } from '../../src/domain/rejections.js';
import {
  decideRedirect,
  decideTransfer,
  decideTransferOutcome,
  type RedirectCommand,
  type TransferCommand,
  type TransferState,
} from '../../src/domain/transfer.js';
import type { Effects } from '../../src/domain/types.js';
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
/** decideTransfer with the target's reaction from the default world, as the service asks the simulator for it. */
const transferWith = (p: typeof all, cmd: TransferCommand, state: Omit<TransferState, 'reactions'>) =>
  decideTransfer(p, cmd, { ...state, reactions: reactionsTo(cmd.transferTarget) }, world(), ctx());
const ok = (r: Effects | Rejection): Effects => {
  if (isRejection(r)) throw new Error(`${r.code} ${r.target}: ${r.message}`);
  return r;
};

describe('decideRedirect', () => {
  it('ends the incoming call at once: one `deleted` (terminated) to the given callbackUri, caller leaves', () => {
    const e = ok(
      decideRedirect(
        all,
        redirect({ callbackUri: 'https://bot.contoso.com/redirected', timeout: 30 }),
        incoming(),
        world(),
        ctx(),
      ),
    );
    expect(e.legs).toEqual([
      expect.objectContaining({
        id: 'p2p-leg',
        state: 'terminated',
        terminationReason: 'AppRedirected',
        resultInfo: null,
      }),
    ]);
    expect(e.notifications).toHaveLength(1);
    const n = only(e.notifications[0]);
    expect([n.changeType, n.resourceUrl, n.resourceData.state, e.notifications[0]!.callbackUri]).toEqual([
      'deleted',
      '/communications/calls/p2p-leg',
      'terminated',
      'https://bot.contoso.com/redirected',
    ]);
    expect(e.participants.map((p) => [p.id, p.status])).toEqual(expect.arrayContaining([['p2p-caller', 'removed']]));
    expect(e.timers).toEqual([]);
  });

  it('accepts up to 25 targets (simultaneous ring), phones from an application instance, and another bot', () => {
    const many = Array.from({ length: 25 }, (_, i) => invitee(phone(`+1425555${String(1000 + i)}`)));
    ok(
      decideRedirect(
        all,
        redirect({ targets: many }),
        p2pView(user(USERS.alex), { state: 'incoming', applicationInstanceId: 'inst-1' }),
        world(),
        ctx(),
      ),
    );
    ok(
      decideRedirect(
        all,
        redirect({
          targets: [
            invitee({ application: { id: '22bfd41f-550e-477d-8789-f6f7bd2a5e8b', displayName: 'test bot 2' } }),
          ],
        }),
        incoming(),
        world(),
        ctx(),
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
    expectRejection(
      decideRedirect(all, redirect(over as Partial<RedirectCommand>), incoming(), world(), ctx()),
      code,
      target,
    );
  });

  it('refuses a call that is not incoming (409) and an app without Calls.Initiate.All (7504)', () => {
    expectRejection(decideRedirect(all, redirect(), established(), world(), ctx()), 'CallStateConflict', null);
    expectRejection(
      decideRedirect(principal(['Calls.JoinGroupCall.All']), redirect(), incoming(), world(), ctx()),
      'MissingRole',
      null,
    );
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
