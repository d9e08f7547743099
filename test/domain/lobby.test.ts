/**
 * The meeting lobby (src/domain/lobby.ts): who skips it per lobbyBypassSettings, invitees joining into it
 * (decideInviteeAnswer), and admitFromLobby / removeFromLobby.
 */
import { describe, expect, it } from 'vitest';
import { decideInviteeAnswer } from '../../src/domain/invite.js';
import { bypassesLobby, decideAdmitAllFromLobby, decideLobby } from '../../src/domain/lobby.js';
import type { LobbyBypassScope, MeetingLobby } from '../../src/domain/types.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import {
  accepted,
  conversation,
  ctx,
  expectRejection,
  leg,
  participant,
  phone,
  principal,
  summary,
  TENANT,
  user,
  USERS,
  view,
} from './fixtures.js';

const lobby = (scope: LobbyBypassScope, over: Partial<MeetingLobby> = {}): MeetingLobby => ({
  scope,
  isDialInBypassEnabled: false,
  organizerId: USERS.bob,
  tenantId: TENANT,
  ...over,
});
const guest = { guest: { id: 'g-1', displayName: 'Visitor' } };
const bot = { application: { id: 'other-bot' } };

describe('bypassesLobby', () => {
  it.each([
    ['everyone', user(USERS.adele), true],
    ['everyone', phone('+12345678901'), true],
    ['organizer', user(USERS.bob), true],
    ['organizer', user(USERS.adele), false],
    ['organizer', guest, false],
    ['organization', user(USERS.adele), true],
    ['organization', guest, false],
    ['organization', phone('+12345678901'), false],
    ['organizationExcludingGuests', guest, false],
    ['organizationAndFederated', user(USERS.adele), true],
    ['invited', guest, true],
    ['organizer', bot, true],
  ] as const)('%s: %j → %s', (scope, identity, expected) => {
    expect(bypassesLobby(conversation({ lobby: lobby(scope) }), identity)).toBe(expected);
  });

  it('dial-in bypass lets phones in; group calls, and meetings without a lobby rule, have no lobby', () => {
    expect(
      bypassesLobby(
        conversation({ lobby: lobby('organization', { isDialInBypassEnabled: true }) }),
        phone('+12345678901'),
      ),
    ).toBe(true);
    expect(bypassesLobby(conversation({ kind: 'groupCall', lobby: lobby('organizer') }), user(USERS.adele))).toBe(true);
    expect(bypassesLobby(conversation({ lobby: null }), guest)).toBe(true);
    expect(bypassesLobby(conversation(), guest)).toBe(true);
  });
});

describe('an invitee joining a meeting with a lobby', () => {
  const ringing = participant({ id: 'p-adele', status: 'inviting', identity: user(USERS.adele) });

  it('joins with isInLobby true when the scope does not let them in, and the roster says so', () => {
    const v = view(conversation({ lobby: lobby('organizer') }), [leg()], [ringing]);
    const effects = decideInviteeAnswer(
      { ...v, operation: undefined, invitee: ringing, source: null },
      'accept',
      ctx(),
    );
    expect(effects.participants[0]).toMatchObject({ id: 'p-adele', status: 'joined', isInLobby: true });
    expect(summary(effects.notifications)).toEqual([
      'updated /communications/calls/leg-1/participants -> https://bot.contoso.com/api/calls',
    ]);
    const listed = (
      effects.notifications[0]!.body as { value: { resourceData: { id: string; isInLobby: boolean }[] }[] }
    ).value[0]!.resourceData;
    expect(listed.find((p) => p.id === 'p-adele')!.isInLobby).toBe(true);
  });

  it('joins straight in when the scope lets them in', () => {
    const v = view(conversation({ lobby: lobby('organization') }), [leg()], [ringing]);
    const effects = decideInviteeAnswer(
      { ...v, operation: undefined, invitee: ringing, source: null },
      'accept',
      ctx(),
    );
    expect(effects.participants[0]).toMatchObject({ status: 'joined', isInLobby: false });
  });
});

describe('decideLobby', () => {
  const waiting = participant({ id: 'p-wait', isInLobby: true, identity: user(USERS.adele) });
  const inside = participant({ id: 'p-in', identity: user(USERS.alex) });
  const meeting = () =>
    view(
      conversation({ lobby: lobby('organizer') }),
      [leg(), leg({ id: 'leg-2', myParticipantId: 'bot-p-2', callbackUri: 'https://other.bot/cb' })],
      [waiting, inside],
    );

  it('admit: a Completed admitFromLobbyOperation and a roster update (isInLobby false) to every bot leg', () => {
    const r = accepted(
      decideLobby(principal(ALL_CALLING_ROLES), meeting(), 'P-WAIT', 'admit', { clientContext: 'c1' }, ctx()),
    );
    expect(r.operation).toMatchObject({
      type: 'admitFromLobbyOperation',
      status: 'Completed',
      clientContext: 'c1',
      callId: 'leg-1',
    });
    expect(r.effects.participants).toEqual([
      expect.objectContaining({ id: 'p-wait', isInLobby: false, status: 'joined', rosterSequenceNumber: 4 }),
    ]);
    expect(summary(r.effects.notifications)).toEqual([
      'updated /communications/calls/leg-1/participants -> https://bot.contoso.com/api/calls',
      'updated /communications/calls/leg-2/participants -> https://other.bot/cb',
    ]);
  });

  it('remove: a Completed removeFromLobbyOperation and a roster deleted', () => {
    const r = accepted(decideLobby(principal(ALL_CALLING_ROLES), meeting(), 'p-wait', 'remove', {}, ctx()));
    expect(r.operation.type).toBe('removeFromLobbyOperation');
    expect(r.effects.participants).toEqual([expect.objectContaining({ id: 'p-wait', status: 'removed' })]);
    expect(summary(r.effects.notifications)).toEqual([
      'deleted /communications/calls/leg-1/participants -> https://bot.contoso.com/api/calls',
      'deleted /communications/calls/leg-2/participants -> https://other.bot/cb',
    ]);
  });

  it.each([
    [
      'someone not in the lobby',
      () => decideLobby(principal(ALL_CALLING_ROLES), meeting(), 'p-in', 'admit', {}, ctx()),
      'CallStateConflict',
      null,
    ],
    [
      'an unknown participant',
      () => decideLobby(principal(ALL_CALLING_ROLES), meeting(), 'nobody', 'remove', {}, ctx()),
      'ParticipantNotFound',
      'nobody',
    ],
    [
      'without a join role',
      () => decideLobby(principal(['Calls.Initiate.All']), meeting(), 'p-wait', 'admit', {}, ctx()),
      'MissingRole',
      null,
    ],
    [
      'a group call',
      () =>
        decideLobby(
          principal(ALL_CALLING_ROLES),
          view(conversation({ kind: 'groupCall' }), [leg()], [waiting]),
          'p-wait',
          'admit',
          {},
          ctx(),
        ),
      'CallStateConflict',
      null,
    ],
    [
      'a call still establishing',
      () =>
        decideLobby(
          principal(ALL_CALLING_ROLES),
          view(conversation(), [leg({ state: 'establishing' })], [waiting]),
          'p-wait',
          'admit',
          {},
          ctx(),
        ),
      'CallStateConflict',
      null,
    ],
    [
      'a clientContext over 256 characters',
      () =>
        decideLobby(
          principal(ALL_CALLING_ROLES),
          meeting(),
          'p-wait',
          'admit',
          { clientContext: 'x'.repeat(257) },
          ctx(),
        ),
      'ClientContextTooLong',
      'clientContext',
    ],
  ])('refuses %s', (_name, run, code, target) => {
    expectRejection(run(), code, target);
  });
});

describe('decideAdmitAllFromLobby', () => {
  const waiting = (id: string, who: string): ReturnType<typeof participant> =>
    participant({ id, isInLobby: true, identity: user(who) });
  const inside = participant({ id: 'p-in', identity: user(USERS.alex) });
  const meeting = (roster = [waiting('p-w1', USERS.adele), waiting('p-w2', USERS.megan), inside]) =>
    view(
      conversation({ lobby: lobby('organizer') }),
      [leg(), leg({ id: 'leg-2', myParticipantId: 'bot-p-2', callbackUri: 'https://other.bot/cb' })],
      roster,
    );

  it('admits everyone waiting: a Completed admitAllFromLobbyOperation and one roster update to every bot leg', () => {
    const r = accepted(
      decideAdmitAllFromLobby(principal(ALL_CALLING_ROLES), meeting(), { clientContext: 'all' }, ctx()),
    );
    expect(r.operation).toMatchObject({
      type: 'admitAllFromLobbyOperation',
      status: 'Completed',
      clientContext: 'all',
      callId: 'leg-1',
    });
    expect(r.effects.participants.map((p) => [p.id, p.isInLobby, p.rosterSequenceNumber])).toEqual([
      ['p-w1', false, 4],
      ['p-w2', false, 4],
    ]);
    expect(summary(r.effects.notifications)).toEqual([
      'updated /communications/calls/leg-1/participants -> https://bot.contoso.com/api/calls',
      'updated /communications/calls/leg-2/participants -> https://other.bot/cb',
    ]);
  });

  it('with nobody waiting: the operation completes, the roster does not change', () => {
    const r = accepted(decideAdmitAllFromLobby(principal(ALL_CALLING_ROLES), meeting([inside]), {}, ctx()));
    expect(r.operation.status).toBe('Completed');
    expect(r.effects.participants).toEqual([]);
    expect(r.effects.conversations).toEqual([]);
    expect(r.effects.notifications).toEqual([]);
  });

  it.each([
    [
      'without a join role',
      () => decideAdmitAllFromLobby(principal(['Calls.Initiate.All']), meeting(), {}, ctx()),
      'MissingRole',
      null,
    ],
    [
      'a group call',
      () =>
        decideAdmitAllFromLobby(
          principal(ALL_CALLING_ROLES),
          view(conversation({ kind: 'groupCall' }), [leg()], [inside]),
          {},
          ctx(),
        ),
      'CallStateConflict',
      null,
    ],
    [
      'a call still establishing',
      () =>
        decideAdmitAllFromLobby(
          principal(ALL_CALLING_ROLES),
          view(conversation(), [leg({ state: 'establishing' })], [inside]),
          {},
          ctx(),
        ),
      'CallStateConflict',
      null,
    ],
    [
      'a clientContext over 256 characters',
      () => decideAdmitAllFromLobby(principal(ALL_CALLING_ROLES), meeting(), { clientContext: 'x'.repeat(257) }, ctx()),
      'ClientContextTooLong',
      'clientContext',
    ],
  ])('refuses %s', (_name, run, code, target) => {
    expectRejection(run(), code, target);
  });
});
