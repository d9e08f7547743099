/**
 * participant: invite — the rules of spec §1.4/§1.6/§1.7 and the doc block of src/domain/invite.ts, one table row
 * (at least) per rule. decideInvite is the synchronous verdict; decideInviteeAnswer is what happens when an
 * invitee's answer timer fires.
 */
import { describe, expect, it } from 'vitest';
import {
  decideInvite,
  inviteeIdentityKeys,
  invitingLegOf,
  type InviteState,
  decideInviteeAnswer,
  MAX_INVITEES,
  normalizeCallId,
  REPLACE_DELAY_MS,
  type AnswerState,
  type InviteCommand,
} from '../../src/domain/invite.js';
import type { DomainContext } from '../../src/domain/clock.js';
import type { InviteeOutcome } from '../../src/domain/result-codes.js';
import type {
  CallLeg,
  ConversationView,
  Effects,
  IdentitySet,
  Operation,
  Participant,
} from '../../src/domain/types.js';
import { MAX_CLIENT_CONTEXT } from '../../src/domain/client-context.js';
import { defaultWorld } from '../../src/sim/default-world.js';
import { FAILURE_DELAY_MS, type WorldView } from '../../src/domain/world.js';
import { Directory, parseWorld } from '../../src/sim/directory.js';
import {
  accepted,
  APP,
  conversation,
  ctx,
  expectRejection,
  firstId,
  inviteState,
  invitee,
  leg,
  meetingState,
  type MeetingFixture,
  NOW,
  only,
  OTHER_MEETING_THREAD,
  OTHER_TENANT,
  p2pView,
  participant,
  phone,
  principal,
  summary,
  TENANT,
  UNKNOWN_USER,
  user,
  USERS,
  view,
  world,
  outcomeOf,
  inviteeAnswer,
} from './fixtures.js';

const GROUP_ROLE = 'Calls.InitiateGroupCall.All';
const CLIENT_CONTEXT = 'f2fa86af-3c51-4bc2-8fc0-475452d9764f';
const BOT_CB = 'https://bot.contoso.com/api/calls';

type Planned = { effects: Effects; operation: Operation };

function invite(
  cmd: InviteCommand,
  state: MeetingFixture = meetingState(),
  dir: WorldView = world(),
  roles: string[] = [GROUP_ROLE],
) {
  return decideInvite(principal(roles), cmd, inviteState(state, cmd), dir, ctx());
}
const ok = (cmd: InviteCommand, state?: MeetingFixture, dir?: WorldView): Planned => accepted(invite(cmd, state, dir));
const users = (...ids: string[]): InviteCommand => ({ participants: ids.map((id) => invitee(user(id))) });

/** A directory with a second tenant holding one user, and the default tenant unchanged. */
const FOREIGN_USER = 'cccccccc-0000-4000-8000-0000000000cc';
function twoTenantDirectory(): WorldView {
  const w = defaultWorld();
  w.tenants.push(
    parseWorld({ tenants: [{ id: OTHER_TENANT, users: [{ id: FOREIGN_USER, displayName: 'Fabrikam Fran' }] }] })
      .tenants[0]!,
  );
  return new Directory(w);
}

/** The default world with the app's resource account stripped of its phone number (or of every instance). */
function directoryWithoutPstnNumber(noInstances = false): WorldView {
  const w = defaultWorld();
  const app = w.tenants[0]!.apps[0]!;
  app.instances = noInstances ? [] : app.instances.map((i) => ({ ...i, phoneNumber: null }));
  return new Directory(w);
}

/** The ids of the joined participants, in roster order: who a roster `updated` lists. */
const joined = (roster: Participant[]): string[] => roster.filter((p) => p.status === 'joined').map((p) => p.id);

/** What the answer decision sees, plus the roster the test keeps to follow participants across answers. */
type AnswerFixture = AnswerState & { roster: Participant[] };

/** The state an invitee's answer timer sees right after decideInvite committed `planned`. */
function answerState(
  state: MeetingFixture,
  planned: Planned,
  index = 0,
  source: AnswerState['source'] = null,
): AnswerFixture {
  return {
    conversation: state.conversation,
    legs: state.legs,
    leg: state.leg,
    roster: [...state.roster, ...planned.effects.participants],
    operation: planned.operation,
    invitee: planned.effects.participants[index]!,
    source,
  };
}

/** Commits `effects` into `s` (as the store would) and points it at the next invitee. */
function commit(s: AnswerFixture, effects: Effects, next: string): AnswerFixture {
  const roster = s.roster.map((p) => effects.participants.find((q) => q.id === p.id) ?? p);
  const conv = effects.conversations.find((c) => c.id === s.conversation.id) ?? s.conversation;
  const op = effects.operations.find((o) => o.id === s.operation?.id) ?? s.operation;
  return { ...s, conversation: conv, roster, operation: op, invitee: roster.find((p) => p.id === next)! };
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
describe('decideInvite: permission (spec 1.4 item 9, 7)', () => {
  it.each([
    { roles: [] as string[] },
    { roles: ['Calls.Initiate.All'] },
    { roles: ['Calls.JoinGroupCall.All', 'Calls.JoinGroupCallAsGuest.All', 'Calls.AccessMedia.All'] },
    { roles: ['calls.initiategroupcall.all.extra'] },
  ])('rejects a token without Calls.InitiateGroupCall.All: $roles', ({ roles }) => {
    expectRejection(invite(users(USERS.adele), meetingState(), world(), roles), 'MissingRole', null);
  });

  it('checks the role before anything else (an empty request from an unauthorised app is MissingRole)', () => {
    expectRejection(
      invite({ participants: [] }, meetingState({ leg: { state: 'establishing' } }), world(), []),
      'MissingRole',
      null,
    );
  });

  it.each([[GROUP_ROLE], ['Calls.InitiateGroupCalls.All'], ['Calls.Initiate.All', 'Calls.InitiateGroupCalls.All']])(
    'accepts the role or its old doc alias: %s',
    (...roles) => {
      const r = accepted(invite(users(USERS.adele), meetingState(), world(), roles));
      expect(r.operation.status).toBe('Running');
    },
  );
});

describe('decideInvite: request shape (spec 1.2, 1.4 items 1 and 3, 1.7)', () => {
  it('rejects an empty participants list', () => {
    expectRejection(invite({ participants: [] }), 'NoInvitees', 'participants');
  });

  it('rejects a missing participants list (JSON without the property)', () => {
    expectRejection(invite({} as InviteCommand), 'NoInvitees', 'participants');
  });

  it(`accepts exactly ${MAX_INVITEES} participants into a meeting with chatInfo`, () => {
    const r = ok(users(USERS.adele, USERS.alex, USERS.diego, USERS.megan, USERS.heidi));
    expect(r.operation.invitees).toHaveLength(5);
    expect(r.effects.participants.map((p) => p.status)).toEqual([
      'inviting',
      'inviting',
      'inviting',
      'inviting',
      'inviting',
    ]);
    expect(r.effects.timers).toHaveLength(5);
  });

  it(`rejects ${MAX_INVITEES + 1} participants`, () => {
    expectRejection(
      invite(users(USERS.adele, USERS.alex, USERS.diego, USERS.megan, USERS.heidi, USERS.testUser)),
      'TooManyInvitees',
      'participants',
    );
  });

  it('rejects more than one participant into a peer-to-peer call', () => {
    const state = meetingState({
      conversation: {
        kind: 'peerToPeer',
        chatInfo: null,
        meetingInfo: null,
        meetingCreatedByAppId: null,
        joinedWith: null,
      },
    });
    expectRejection(invite(users(USERS.adele, USERS.alex), state), 'MultipleInviteesNeedGroupCall', 'participants');
  });

  it('accepts one participant into a peer-to-peer call', () => {
    const state = meetingState({
      conversation: {
        kind: 'peerToPeer',
        chatInfo: null,
        meetingInfo: null,
        meetingCreatedByAppId: null,
        joinedWith: null,
      },
    });
    expect(ok(users(USERS.adele), state).operation.invitees).toHaveLength(1);
  });

  it.each([
    { chatInfo: null, label: 'no chatInfo' },
    { chatInfo: { threadId: null, messageId: '0', replyChainMessageId: null }, label: 'chatInfo without threadId' },
    { chatInfo: { threadId: '', messageId: '0', replyChainMessageId: null }, label: 'chatInfo with an empty threadId' },
  ])('rejects more than one participant into a group call with $label', ({ chatInfo }) => {
    const state = meetingState({
      conversation: { kind: 'groupCall', chatInfo, meetingInfo: null, meetingCreatedByAppId: null, joinedWith: null },
    });
    expectRejection(invite(users(USERS.adele, USERS.alex), state), 'MultipleInviteesNeedChatInfo', 'participants');
  });

  it('accepts one participant into a group call without chatInfo, and several into one with chatInfo', () => {
    const bare = meetingState({ conversation: { kind: 'groupCall', chatInfo: null, meetingInfo: null } });
    expect(ok(users(USERS.adele), bare).operation.invitees).toHaveLength(1);
    const chat = meetingState({ conversation: { kind: 'groupCall', meetingInfo: null } });
    expect(ok(users(USERS.adele, USERS.alex), chat).operation.invitees).toHaveLength(2);
  });

  it.each([
    { length: 0, ok: true },
    { length: 1, ok: true },
    { length: MAX_CLIENT_CONTEXT, ok: true },
    { length: MAX_CLIENT_CONTEXT + 1, ok: false },
    { length: 1000, ok: false },
  ])('clientContext of $length characters: ok=$ok', ({ length, ok: good }) => {
    const clientContext = 'x'.repeat(length);
    const r = invite({ ...users(USERS.adele), clientContext });
    if (good) expect(accepted(r).operation.clientContext).toBe(clientContext);
    else expectRejection(r, 'ClientContextTooLong', 'clientContext');
  });

  it('a null or absent clientContext is stored as null', () => {
    expect(ok({ ...users(USERS.adele), clientContext: null }).operation.clientContext).toBeNull();
    expect(ok(users(USERS.adele)).operation.clientContext).toBeNull();
  });
});

describe('decideInvite: identities (spec 1.2, 1.4 items 2, 5, 7; 3.4)', () => {
  it.each([
    ['12345678901', 'no leading +'],
    ['+0123456789', 'country code starting with 0'],
    ['+1 234 567 8901', 'spaces'],
    ['+1-234-567-8901', 'dashes'],
    ['+1(234)5678901', 'parentheses'],
    ['+123456', 'too short (6 digits)'],
    ['+1234567890123456', 'too long (16 digits)'],
    ['tel:+12345678901', 'tel: URI'],
    ['++12345678901', 'double +'],
    ['+1234567890a', 'a letter'],
    [' +12345678901', 'leading space'],
  ])('rejects the non-E.164 phone %j (%s)', (number) => {
    expectRejection(
      invite({ participants: [invitee(phone(number))] }),
      'InvalidPhoneNumber',
      'participants[0].identity.phone.id',
    );
  });

  it.each(['+12345678901', '+14255550100', '+1234567', '+123456789012345', '+61450078883'])(
    'accepts the E.164 phone %s',
    (number) => {
      const r = ok({ participants: [invitee(phone(number))] });
      expect(r.operation.invitees[0]!.echo.identity).toEqual({ phone: { id: number } });
    },
  );

  it('names the offending index for a bad phone further down the list', () => {
    const r = invite({ participants: [invitee(user(USERS.adele)), invitee(phone('5550100'))] });
    expectRejection(r, 'InvalidPhoneNumber', 'participants[1].identity.phone.id');
  });

  it.each([
    { label: 'an empty phone id', identity: phone(''), target: 'participants[0].identity.phone.id' },
    {
      label: 'a user without id',
      identity: { user: { displayName: 'Nobody' } },
      target: 'participants[0].identity.user.id',
    },
    { label: 'a user with an empty id', identity: { user: { id: '' } }, target: 'participants[0].identity.user.id' },
    { label: 'a user with a numeric id', identity: { user: { id: 42 } }, target: 'participants[0].identity.user.id' },
    { label: 'an empty identity set', identity: {}, target: 'participants[0].identity' },
    {
      label: 'an identity set with only nulls',
      identity: { user: null, phone: null, application: null },
      target: 'participants[0].identity',
    },
    {
      label: 'an identity set with only @odata.type',
      identity: { '@odata.type': '#microsoft.graph.identitySet' },
      target: 'participants[0].identity',
    },
  ])('rejects $label', ({ identity, target }) => {
    expectRejection(invite({ participants: [invitee(identity)] }), 'InvalidProperty', target);
  });

  it.each([
    { label: 'no identity', entry: { '@odata.type': '#microsoft.graph.invitationParticipantInfo' } },
    { label: 'identity null', entry: { identity: null } },
    { label: 'identity a string', entry: { identity: 'user:278405a3' } },
    { label: 'the entry null', entry: null },
  ])('rejects a participant with $label', ({ entry }) => {
    expectRejection(invite({ participants: [entry as never] }), 'InvalidProperty', 'participants[0].identity');
  });

  it('names the index of a missing identity further down the list', () => {
    expectRejection(
      invite({ participants: [invitee(user(USERS.adele)), {}] }),
      'InvalidProperty',
      'participants[1].identity',
    );
  });

  it.each([
    {
      label: 'an application',
      identity: { application: { id: '11111111-2222-4333-8444-555555555555', displayName: 'Other Bot' } },
      key: 'application',
    },
    { label: 'our own application', identity: { application: { id: APP } }, key: 'application' },
    {
      label: 'an applicationInstance',
      identity: { applicationInstance: { id: '7629bdce-0000-4000-8000-000000000001' } },
      key: 'applicationInstance',
    },
    {
      label: 'an applicationInstance without id',
      identity: { applicationInstance: { displayName: 'x' } },
      key: 'applicationInstance',
    },
  ])('refuses to invite a bot: $label', ({ identity, key }) => {
    expectRejection(
      invite({ participants: [invitee(identity)] }),
      'CannotInviteBot',
      `participants[0].identity.${key}`,
    );
    expectRejection(
      invite({ participants: [invitee(user(USERS.adele)), invitee(identity)] }),
      'CannotInviteBot',
      `participants[1].identity.${key}`,
    );
  });

  it('tolerates the null siblings and @odata.type annotations clients send', () => {
    const identity = {
      '@odata.type': '#microsoft.graph.identitySet',
      user: { '@odata.type': '#microsoft.graph.identity', id: USERS.adele },
      application: null,
      device: null,
      phone: null,
    };
    const r = ok({ participants: [invitee(identity)] });
    expect(r.operation.invitees[0]!.echo.identity).toEqual({
      user: { id: USERS.adele, identityProvider: 'AAD', tenantId: TENANT, displayName: 'Adele Vance' },
    });
  });

  it.each([
    { label: 'the same user id', ids: [USERS.adele, USERS.adele] },
    { label: 'the same user id in another case', ids: [USERS.adele, USERS.adele.toUpperCase()] },
    { label: 'the same unknown user id in another case', ids: [UNKNOWN_USER.toUpperCase(), UNKNOWN_USER] },
  ])('rejects $label twice in one request', ({ ids }) => {
    expectRejection(invite(users(...ids)), 'DuplicateIdentity', 'participants[1].identity');
  });

  it('rejects the same phone number twice, naming the later entry', () => {
    const r = invite({
      participants: [invitee(phone('+12345678901')), invitee(user(USERS.adele)), invitee(phone('+12345678901'))],
    });
    expectRejection(r, 'DuplicateIdentity', 'participants[2].identity');
  });

  it('a user and a phone with the same digits are not duplicates', () => {
    expect(
      ok({ participants: [invitee(user('+12345678901')), invitee(phone('+12345678901'))] }).operation.invitees,
    ).toHaveLength(2);
  });

  it.each(['joined', 'inviting'] as const)(
    'rejects a user already %s in the roster (ids compared case-insensitively)',
    (status) => {
      const roster = [participant({ id: 'adele-p', status, identity: { user: { id: USERS.adele.toUpperCase() } } })];
      expectRejection(
        invite(users(USERS.adele), meetingState({ roster })),
        'DuplicateIdentity',
        'participants[0].identity',
      );
      expectRejection(
        invite(users(USERS.alex, USERS.adele), meetingState({ roster })),
        'DuplicateIdentity',
        'participants[1].identity',
      );
    },
  );

  it('rejects a phone already in the roster', () => {
    const roster = [participant({ id: 'pstn-p', kind: 'phone', identity: { phone: { id: '+12345678901' } } })];
    expectRejection(
      invite({ participants: [invitee(phone('+12345678901'))] }, meetingState({ roster })),
      'DuplicateIdentity',
      'participants[0].identity',
    );
  });

  it('reads only the roster subset it is given: a duplicate from it, media source ids after its size', () => {
    const adele = participant({ id: 'adele-p', identity: { user: { id: USERS.adele } } });
    // A 1,000-participant call of which the store returned only the rows with an invitee's identity.
    const big = (cmd: InviteCommand, withInviteeIdentity: Participant[]): InviteState => ({
      ...inviteState(meetingState(), cmd),
      roster: { size: 1000, withInviteeIdentity },
    });
    expectRejection(
      decideInvite(principal([GROUP_ROLE]), users(USERS.adele), big(users(USERS.adele), [adele]), world(), ctx()),
      'DuplicateIdentity',
      'participants[0].identity',
    );
    const r = accepted(
      decideInvite(principal([GROUP_ROLE]), users(USERS.alex), big(users(USERS.alex), []), world(), ctx()),
    );
    expect(r.effects.participants.map((p) => p.sourceId)).toEqual(['1001']);
  });

  it('inviteeIdentityKeys names the keys the duplicate check compares (user ids lower-cased, phones as given, invalid entries skipped)', () => {
    const cmd = {
      participants: [
        invitee(user(USERS.adele.toUpperCase())),
        invitee(phone('+12345678901')),
        invitee(user(USERS.adele)),
        { identity: null },
        null as never,
      ],
    };
    expect(inviteeIdentityKeys(cmd)).toEqual([`user:${USERS.adele.toLowerCase()}`, 'phone:+12345678901']);
    expect(inviteeIdentityKeys({ participants: 'nope' as never })).toEqual([]);
  });

  it.each(['removed', 'failed'] as const)('invites again someone whose earlier participant is %s', (status) => {
    const roster = [participant({ id: 'adele-old', status, identity: { user: { id: USERS.adele } } })];
    expect(ok(users(USERS.adele), meetingState({ roster })).operation.invitees).toHaveLength(1);
  });

  it.each([
    {
      label: 'a tenantId claim of another tenant',
      identity: user(USERS.adele, { tenantId: OTHER_TENANT }),
      dir: world,
      target: 'tenantId',
    },
    {
      label: 'an unknown user claiming another tenant',
      identity: user(UNKNOWN_USER, { tenantId: OTHER_TENANT }),
      dir: world,
      target: 'tenantId',
    },
    {
      label: 'a directory user of another tenant',
      identity: user(FOREIGN_USER),
      dir: twoTenantDirectory,
      target: 'id',
    },
    {
      label: 'a directory user of another tenant claiming ours',
      identity: user(FOREIGN_USER, { tenantId: TENANT }),
      dir: twoTenantDirectory,
      target: 'id',
    },
  ])('rejects $label with TenantMismatch naming user.$target', ({ identity, dir, target }) => {
    expectRejection(
      invite({ participants: [invitee(identity)] }, meetingState(), dir()),
      'TenantMismatch',
      `participants[0].identity.user.${target}`,
    );
  });

  it('names the index of the foreign user', () => {
    const r = invite(
      { participants: [invitee(user(USERS.adele)), invitee(user(FOREIGN_USER))] },
      meetingState(),
      twoTenantDirectory(),
    );
    expectRejection(r, 'TenantMismatch', 'participants[1].identity.user.id');
  });

  it('accepts a tenantId claim of the call tenant in another case', () => {
    expect(
      ok({ participants: [invitee(user(USERS.adele, { tenantId: TENANT.toUpperCase() }))] }).operation.invitees,
    ).toHaveLength(1);
  });
});

describe('decideInvite: call state', () => {
  it.each(['incoming', 'establishing', 'hold', 'transferring', 'terminating', 'terminated'] as const)(
    'rejects an invite into a %s call with CallStateConflict',
    (state) => {
      expectRejection(invite(users(USERS.adele), meetingState({ leg: { state } })), 'CallStateConflict', null);
    },
  );
});

describe('decideInvite: a rejection leaves nothing behind', () => {
  const inviteWith = (c: DomainContext, p: ReturnType<typeof principal>, cmd: InviteCommand, f: MeetingFixture) =>
    decideInvite(p, cmd, inviteState(f, cmd), world(), c);
  const cases: { label: string; run: (c: DomainContext, state: MeetingFixture) => unknown }[] = [
    { label: 'MissingRole', run: (c, s) => inviteWith(c, principal([]), users(USERS.adele), s) },
    {
      label: 'TooManyInvitees',
      run: (c, s) => inviteWith(c, principal([GROUP_ROLE]), users(...Object.values(USERS).slice(0, 6)), s),
    },
    {
      label: 'DuplicateIdentity (after the first invitee was checked)',
      run: (c, s) => inviteWith(c, principal([GROUP_ROLE]), users(USERS.adele, USERS.alex, USERS.adele), s),
    },
    {
      label: 'CallStateConflict (every invitee valid)',
      run: (c, s) =>
        inviteWith(c, principal([GROUP_ROLE]), users(USERS.adele), { ...s, leg: { ...s.leg, state: 'establishing' } }),
    },
    {
      label: 'InvalidProperty: the moved participant is not in the source call (move checked last)',
      run: (c, s) =>
        inviteWith(
          c,
          principal([GROUP_ROLE]),
          { participants: [invitee(user(USERS.megan), { replacesCallId: 'p2p-leg', participantId: 'nobody' })] },
          { ...s, replaced: p2pView(user(USERS.megan)) },
        ),
    },
  ];
  it.each(cases)('$label: a bare rejection, no id minted, input state untouched', ({ run }) => {
    const c = ctx();
    const state = meetingState();
    const before = structuredClone(state);
    const r = run(c, state);
    expect(r).toMatchObject({ rejected: true });
    expect(r).not.toHaveProperty('effects');
    expect(r).not.toHaveProperty('operation');
    // No id was consumed: nothing was created, not even an operation id.
    expect(c.ids.next()).toBe(firstId());
    expect(state).toEqual(before);
  });
});

describe('decideInvite: success shapes (spec 1.3, seed 004)', () => {
  it('plans one invitee: operation Running, enriched echo, participant inviting, one answer timer', () => {
    const state = meetingState();
    const r = ok({ participants: [invitee(user(USERS.adele))], clientContext: CLIENT_CONTEXT }, state);
    const opId = 'aaaaaaaa-0000-4000-8000-000000000001';
    const pid = 'aaaaaaaa-0000-4000-8000-000000000002';
    expect(r.operation).toEqual({
      id: opId,
      callId: 'leg-1',
      type: 'inviteParticipantsOperation',
      status: 'Running',
      clientContext: CLIENT_CONTEXT,
      resultInfo: null,
      invitees: [
        {
          participantId: pid,
          echo: {
            identity: {
              user: { id: USERS.adele, identityProvider: 'AAD', tenantId: TENANT, displayName: 'Adele Vance' },
            },
            replacesCallId: null,
            identityTypes: { '': '#microsoft.graph.identitySet', user: '#microsoft.graph.identity' },
            participantId: null,
            hidden: null,
            removeFromDefaultAudioRoutingGroup: null,
            endpointType: null,
          },
          replacesCallId: null,
          movedFromParticipantId: null,
          settled: false,
          joined: false,
          resultInfo: null,
        },
      ],
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(r.effects.operations).toEqual([r.operation]);
    expect(r.effects.participants).toHaveLength(1);
    expect(r.effects.participants[0]).toMatchObject({
      id: pid,
      conversationId: 'conv-1',
      status: 'inviting',
      kind: 'user',
      callLegId: null,
      invitedByOperationId: opId,
      identity: { user: { id: USERS.adele, identityProvider: 'AAD', tenantId: TENANT, displayName: 'Adele Vance' } },
      outcome: null,
      hidden: false,
      isMuted: false,
      isInLobby: false,
    });
    expect(r.effects.timers).toEqual([
      {
        id: `invitee-${pid}`,
        dueAt: NOW + 1000,
        kind: 'invitee.answer',
        payload: { callId: 'leg-1', participantId: pid, operationId: opId, outcome: 'accept' },
      },
    ]);
    // Nothing is notified synchronously, and no leg or conversation changes.
    expect(r.effects.notifications).toEqual([]);
    expect(r.effects.legs).toEqual([]);
    expect(r.effects.conversations).toEqual([]);
  });

  it('keeps a displayName and identityProvider the request gave, and the echo flags', () => {
    const r = ok({
      participants: [
        invitee(user(USERS.megan, { displayName: 'string', identityProvider: 'AAD' }), {
          hidden: true,
          removeFromDefaultAudioRoutingGroup: false,
          endpointType: 'default',
        }),
      ],
    });
    const echo = r.operation.invitees[0]!.echo;
    expect(echo.identity).toEqual({
      user: { id: USERS.megan, displayName: 'string', identityProvider: 'AAD', tenantId: TENANT },
    });
    // endpointType on an invitee is beta-only: a v1.0 request's is ignored (test/domain/beta.test.ts has /beta).
    expect(echo).toMatchObject({ hidden: true, removeFromDefaultAudioRoutingGroup: false, endpointType: null });
    expect(r.effects.participants[0]!.hidden).toBe(true);
  });

  it('an unknown user is echoed without displayName and will fail as notFound', () => {
    const r = ok(users(UNKNOWN_USER));
    expect(r.operation.invitees[0]!.echo.identity).toEqual({
      user: { id: UNKNOWN_USER, identityProvider: 'AAD', tenantId: TENANT },
    });
    expect(r.effects.timers[0]).toMatchObject({ dueAt: NOW + FAILURE_DELAY_MS, payload: { outcome: 'notFound' } });
  });

  it.each([
    { who: USERS.adele, outcome: 'accept', afterMs: 1000 },
    { who: USERS.diego, outcome: 'accept', afterMs: 1500 },
    { who: USERS.dana, outcome: 'decline', afterMs: 2000 },
    { who: USERS.brian, outcome: 'busy', afterMs: 500 },
    { who: USERS.nora, outcome: 'noAnswer', afterMs: 30000 },
    { who: USERS.adele.toUpperCase(), outcome: 'accept', afterMs: 1000 },
  ])("user $who answers with the directory's behaviour: $outcome after $afterMs ms", ({ who, outcome, afterMs }) => {
    const r = ok(users(who));
    expect(r.effects.timers[0]).toMatchObject({ kind: 'invitee.answer', dueAt: NOW + afterMs, payload: { outcome } });
  });

  it('plans several invitees in order, each with its own participant, echo and timer', () => {
    const r = ok({
      participants: [invitee(user(USERS.adele)), invitee(user(USERS.dana)), invitee(phone('+12345678901'))],
      clientContext: CLIENT_CONTEXT,
    });
    const pids = r.effects.participants.map((p) => p.id);
    expect(new Set(pids).size).toBe(3);
    expect(r.operation.invitees.map((i) => i.participantId)).toEqual(pids);
    expect(r.effects.participants.map((p) => [p.kind, p.status, p.invitedByOperationId])).toEqual([
      ['user', 'inviting', r.operation.id],
      ['user', 'inviting', r.operation.id],
      ['phone', 'inviting', r.operation.id],
    ]);
    expect(
      r.effects.timers.map((t) => [
        inviteeAnswer(t).participantId,
        inviteeAnswer(t).operationId,
        outcomeOf(t),
        t.dueAt - NOW,
      ]),
    ).toEqual([
      [pids[0], r.operation.id, 'accept', 1000],
      [pids[1], r.operation.id, 'decline', 2000],
      [pids[2], r.operation.id, 'accept', 1500],
    ]);
    // Media source ids continue after the existing roster.
    const existing = meetingState().roster.length;
    expect(r.effects.participants.map((p) => p.sourceId)).toEqual(
      [existing + 1, existing + 2, existing + 3].map(String),
    );
  });

  describe('PSTN (spec 1.4 items 5 and 8, 9.1)', () => {
    it.each([
      { number: '+12345678901', outcome: 'accept', afterMs: 1500 },
      { number: '+14255550199', outcome: 'busy', afterMs: 1000 },
      { number: '+15555550123', outcome: 'accept', afterMs: 1500, label: 'unlisted number: tenant default' },
    ])(
      '$number answers $outcome after $afterMs ms (app has a resource account with a number)',
      ({ number, outcome, afterMs }) => {
        const r = ok({ participants: [invitee(phone(number))] });
        expect(r.effects.participants[0]!.kind).toBe('phone');
        expect(r.effects.timers[0]).toMatchObject({ dueAt: NOW + afterMs, payload: { outcome } });
      },
    );

    it.each([false, true])(
      'without an app instance number the PSTN invite is planned but fails as pstnNoSponsor (no instances at all: %s)',
      (noInstances) => {
        const r = ok(
          { participants: [invitee(phone('+12345678901'))] },
          meetingState(),
          directoryWithoutPstnNumber(noInstances),
        );
        expect(r.operation.status).toBe('Running');
        expect(r.effects.timers[0]).toMatchObject({
          dueAt: NOW + FAILURE_DELAY_MS,
          payload: { outcome: 'pstnNoSponsor' },
        });
      },
    );

    it('a user invite does not need a PSTN number', () => {
      const r = ok(users(USERS.adele), meetingState(), directoryWithoutPstnNumber(true));
      expect(outcomeOf(r.effects.timers[0])).toBe('accept');
    });

    it('from a meeting joined by token, a PSTN invite fails as pstnJoinToken', () => {
      const r = ok(
        { participants: [invitee(phone('+12345678901'))] },
        meetingState({ conversation: { joinedWith: 'token' } }),
      );
      expect(r.effects.timers[0]).toMatchObject({
        dueAt: NOW + FAILURE_DELAY_MS,
        payload: { outcome: 'pstnJoinToken' },
      });
    });

    it.each(['organizer', 'joinMeetingId'] as const)(
      'from a meeting joined by %s, a PSTN invite rings',
      (joinedWith) => {
        const r = ok(
          { participants: [invitee(phone('+12345678901'))] },
          meetingState({ conversation: { joinedWith } }),
        );
        expect(outcomeOf(r.effects.timers[0])).toBe('accept');
      },
    );
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
describe('decideInvite: replacesCallId (spec 1.4 item 4, seeds 002 and 004)', () => {
  /** Meeting leg-1 inviting, with the P2P call of this app that `who` is in as the replaced call. */
  const withReplaced = (who: IdentitySet, over: Partial<CallLeg> = {}, p2p = p2pView(who, over)): MeetingFixture => ({
    ...meetingState(),
    replaced: p2p,
  });

  it('reads only the first participant: one invitee is planned though 3 were sent', () => {
    const cmd: InviteCommand = {
      participants: [
        invitee(user(USERS.testUser), { replacesCallId: 'p2p-leg' }),
        invitee(user(USERS.adele), { replacesCallId: 'p2p-leg' }),
        invitee(phone('not-a-number')),
      ],
    };
    const r = ok(cmd, withReplaced(user(USERS.testUser)));
    expect(r.operation.invitees).toHaveLength(1);
    expect(r.effects.participants).toHaveLength(1);
    expect(r.effects.timers).toHaveLength(1);
    expect(r.operation.invitees[0]).toMatchObject({
      replacesCallId: 'p2p-leg',
      echo: { replacesCallId: 'p2p-leg', identity: { user: { id: USERS.testUser } } },
    });
  });

  it('reads only the first participant even when more than 5 were sent, or into a P2P call', () => {
    const many = [USERS.testUser, USERS.adele, USERS.alex, USERS.diego, USERS.megan, USERS.heidi].map((id) =>
      invitee(user(id), { replacesCallId: 'p2p-leg' }),
    );
    expect(ok({ participants: many }, withReplaced(user(USERS.testUser))).operation.invitees).toHaveLength(1);
    const intoP2p: MeetingFixture = {
      ...meetingState({ conversation: { kind: 'peerToPeer', chatInfo: null } }),
      replaced: p2pView(user(USERS.testUser)),
    };
    expect(ok({ participants: many.slice(0, 2) }, intoP2p).operation.invitees).toHaveLength(1);
  });

  it('the person is already connected: accepted without ringing after REPLACE_DELAY_MS, whatever their device would do', () => {
    const r = ok(
      { participants: [invitee(user(USERS.dana), { replacesCallId: 'p2p-leg' })] },
      withReplaced(user(USERS.dana)),
    );
    expect(r.effects.timers[0]).toMatchObject({ dueAt: NOW + REPLACE_DELAY_MS, payload: { outcome: 'accept' } });
  });

  it('accepts the seed 002 shape: upper-case user id and replacesCallId as an /app/calls path', () => {
    const cmd: InviteCommand = {
      participants: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: { user: { id: '8A34A46B-3D17-4ADC-8DCE-DC4E7D572698' } },
          replacesCallId: '/app/calls/P2P-LEG',
        },
      ],
    };
    const r = ok(cmd, withReplaced(user(USERS.testUser)));
    const inv = r.operation.invitees[0]!;
    expect(inv.replacesCallId).toBe('p2p-leg');
    expect(inv.echo.replacesCallId).toBe('/app/calls/P2P-LEG');
    expect(inv.echo.identity).toEqual({
      user: {
        id: '8A34A46B-3D17-4ADC-8DCE-DC4E7D572698',
        identityProvider: 'AAD',
        tenantId: TENANT,
        displayName: 'Test User',
      },
    });
  });

  it.each([
    ['a7ebfb2d-871e-419c-87af-27290b22e8db', 'a7ebfb2d-871e-419c-87af-27290b22e8db'],
    ['/app/calls/57DAB8B1894C409AB240BD8BEAE78896', '57dab8b1894c409ab240bd8beae78896'],
    ['/communications/calls/ABC/participants', 'abc'],
    ['https://graph.microsoft.com/v1.0/communications/calls/Abc-1?x=1', 'abc-1'],
    ['  Abc  ', 'abc'],
  ])('normalizeCallId(%j) = %j', (raw, id) => {
    expect(normalizeCallId(raw)).toBe(id);
  });

  it('an unknown replacesCallId with one participant is ReplacedCallNotFound', () => {
    expectRejection(
      invite({
        participants: [invitee(user(USERS.adele), { replacesCallId: 'a7ebfb2d-871e-419c-87af-27290b22e8db' })],
      }),
      'ReplacedCallNotFound',
      'participants[0].replacesCallId',
    );
  });

  it('seed 004 example 2: an unknown replacesCallId with several participants is ignored and echoed null', () => {
    const cmd: InviteCommand = {
      participants: [
        invitee(user(USERS.alex, { identityProvider: 'AAD' }), {
          replacesCallId: 'a7ebfb2d-871e-419c-87af-27290b22e8db',
        }),
        invitee(user(USERS.diego, { identityProvider: 'AAD' }), {
          replacesCallId: 'a7ebfb2d-871e-419c-87af-27290b22e8db',
        }),
      ],
      clientContext: CLIENT_CONTEXT,
    };
    const r = ok(cmd, meetingState({ conversation: { kind: 'groupCall', meetingInfo: null } }));
    expect(r.operation.invitees.map((i) => [i.echo.identity.user, i.echo.replacesCallId, i.replacesCallId])).toEqual([
      [{ id: USERS.alex, identityProvider: 'AAD', tenantId: TENANT, displayName: 'Alex Wilber' }, null, null],
      [{ id: USERS.diego, identityProvider: 'AAD', tenantId: TENANT, displayName: 'Diego Siciliani' }, null, null],
    ]);
    // Both ring normally (no replacement shortcut).
    expect(r.effects.timers.map((t) => t.dueAt - NOW)).toEqual([1000, 1500]);
  });

  it('the multi-invite that ignores replacesCallId still obeys the group-call rules', () => {
    const cmd: InviteCommand = {
      participants: [invitee(user(USERS.alex), { replacesCallId: 'nope' }), invitee(user(USERS.diego))],
    };
    expectRejection(
      invite(cmd, meetingState({ conversation: { kind: 'groupCall', chatInfo: null } })),
      'MultipleInviteesNeedChatInfo',
      'participants',
    );
  });

  it('the replaced call must be peer-to-peer', () => {
    const groupConv = conversation({ id: 'g-conv', kind: 'groupCall', meetingInfo: null });
    const groupLeg = leg({ id: 'g-leg', conversationId: 'g-conv', myParticipantId: 'g-bot' });
    const replaced = view(
      groupConv,
      [groupLeg],
      [participant({ id: 'g-adele', conversationId: 'g-conv', identity: user(USERS.adele) })],
    );
    const r = invite(
      { participants: [invitee(user(USERS.adele), { replacesCallId: 'g-leg' })] },
      { ...meetingState(), replaced },
    );
    expectRejection(r, 'InvalidProperty', 'participants[0].replacesCallId');
  });

  it('the invitee must be in the replaced call', () => {
    const r = invite(
      { participants: [invitee(user(USERS.adele), { replacesCallId: 'p2p-leg' })] },
      withReplaced(user(USERS.testUser)),
    );
    expectRejection(r, 'InvalidProperty', 'participants[0].identity');
  });

  it('the invitee must still be joined in the replaced call', () => {
    const p2p = p2pView(user(USERS.testUser));
    p2p.roster = p2p.roster.map((p) => (p.id === 'p2p-caller' ? { ...p, status: 'removed' } : p));
    const r = invite(
      { participants: [invitee(user(USERS.testUser), { replacesCallId: 'p2p-leg' })] },
      { ...meetingState(), replaced: p2p },
    );
    expectRejection(r, 'InvalidProperty', 'participants[0].identity');
  });

  it.each(['incoming', 'establishing', 'terminating'] as const)(
    'the replaced call must be established, not %s',
    (state) => {
      const r = invite(
        { participants: [invitee(user(USERS.testUser), { replacesCallId: 'p2p-leg' })] },
        withReplaced(user(USERS.testUser), { state }),
      );
      expectRejection(r, 'CallStateConflict', 'participants[0].replacesCallId');
    },
  );

  it('replacesCallId cannot name the call being invited into', () => {
    const state = meetingState();
    const r = invite(
      { participants: [invitee(user(USERS.adele), { replacesCallId: 'leg-1' })] },
      { ...state, replaced: { ...state, leg: state.leg } },
    );
    expectRejection(r, 'InvalidProperty', 'participants[0].replacesCallId');
  });

  it('the first participant is still validated like any other', () => {
    const r = invite(
      { participants: [invitee(phone('0800'), { replacesCallId: 'p2p-leg' })] },
      withReplaced(user(USERS.testUser)),
    );
    expectRejection(r, 'InvalidPhoneNumber', 'participants[0].identity.phone.id');
  });
});

describe('decideInvite: moving a participant between meetings (spec 1.4 item 6, seed 001 example 5)', () => {
  const MOVER = 'mover-participant-1';
  /** Source meeting (`src-leg` in `src-conv`, created by this app) with Megan joined as `mover-participant-1`. */
  function source(
    over: { conversation?: Parameters<typeof conversation>[0]; moverStatus?: Participant['status'] } = {},
  ): ConversationView & { leg: CallLeg } {
    const conv = conversation({
      id: 'src-conv',
      chatInfo: { threadId: OTHER_MEETING_THREAD, messageId: '0', replyChainMessageId: null },
      meetingId: 'meeting-incident-bridge',
      ...over.conversation,
    });
    const l = leg({
      id: 'src-leg',
      conversationId: conv.id,
      myParticipantId: 'src-bot',
      callbackUri: 'https://bot.contoso.com/api/calls/src',
    });
    return view(
      conv,
      [l],
      [
        participant({
          id: MOVER,
          conversationId: conv.id,
          status: over.moverStatus ?? 'joined',
          identity: { user: { id: USERS.megan, displayName: 'Megan Bowen', tenantId: TENANT } },
        }),
      ],
    );
  }
  const moveCmd = (extra: Record<string, unknown> = {}, who: string = USERS.megan): InviteCommand => ({
    participants: [
      invitee(user(who, { identityProvider: 'AAD' }), { replacesCallId: 'src-leg', participantId: MOVER, ...extra }),
    ],
    clientContext: CLIENT_CONTEXT,
  });

  it('plans the move: one invitee, participantId and replacesCallId echoed, no ringing', () => {
    const r = ok(
      { ...moveCmd(), participants: [...moveCmd().participants, invitee(user(USERS.adele))] },
      { ...meetingState(), replaced: source() },
    );
    expect(r.operation.invitees).toHaveLength(1);
    expect(r.operation.invitees[0]).toMatchObject({
      replacesCallId: 'src-leg',
      movedFromParticipantId: MOVER,
      echo: {
        replacesCallId: 'src-leg',
        participantId: MOVER,
        identity: { user: { id: USERS.megan, identityProvider: 'AAD', tenantId: TENANT, displayName: 'Megan Bowen' } },
      },
    });
    expect(r.effects.timers).toEqual([
      expect.objectContaining({
        dueAt: NOW + REPLACE_DELAY_MS,
        payload: expect.objectContaining({ outcome: 'accept' }),
      }),
    ]);
  });

  it('matches participantId case-insensitively and echoes it as sent', () => {
    const r = ok(moveCmd({ participantId: MOVER.toUpperCase() }), { ...meetingState(), replaced: source() });
    expect(r.operation.invitees[0]).toMatchObject({
      movedFromParticipantId: MOVER,
      echo: { participantId: MOVER.toUpperCase() },
    });
  });

  it.each([
    { label: 'the source meeting was created by another app', src: { meetingCreatedByAppId: 'another-app' }, dst: {} },
    { label: 'the source meeting has no known creator', src: { meetingCreatedByAppId: null }, dst: {} },
    {
      label: 'the destination meeting was created by another app',
      src: {},
      dst: { meetingCreatedByAppId: 'another-app' },
    },
    { label: 'the source is a group call', src: { kind: 'groupCall' as const, meetingCreatedByAppId: null }, dst: {} },
    { label: 'the source is a peer-to-peer call', src: { kind: 'peerToPeer' as const, chatInfo: null }, dst: {} },
    { label: 'the destination is a group call', src: {}, dst: { kind: 'groupCall' as const } },
  ])('MoveNotAllowed when $label', ({ src, dst }) => {
    const r = invite(moveCmd(), { ...meetingState({ conversation: dst }), replaced: source({ conversation: src }) });
    expectRejection(r, 'MoveNotAllowed', 'participants[0].participantId');
  });

  it('InvalidProperty (400, not 404: the call in the URL exists) when participantId is not in the source meeting', () => {
    expectRejection(
      invite(moveCmd({ participantId: 'someone-else' }), { ...meetingState(), replaced: source() }),
      'InvalidProperty',
      'participants[0].participantId',
    );
  });

  it.each(['inviting', 'removed', 'failed'] as const)(
    'InvalidProperty when the participant is %s, not joined, in the source',
    (moverStatus) => {
      expectRejection(
        invite(moveCmd(), { ...meetingState(), replaced: source({ moverStatus }) }),
        'InvalidProperty',
        'participants[0].participantId',
      );
    },
  );

  it('the identity must be the moved participant', () => {
    expectRejection(
      invite(moveCmd({}, USERS.adele), { ...meetingState(), replaced: source() }),
      'InvalidProperty',
      'participants[0].identity',
    );
  });

  it('participantId without a known replacesCallId is ReplacedCallNotFound', () => {
    const noReplaces: InviteCommand = { participants: [invitee(user(USERS.megan), { participantId: MOVER })] };
    expectRejection(invite(noReplaces), 'ReplacedCallNotFound', 'participants[0].replacesCallId');
    expectRejection(invite(moveCmd()), 'ReplacedCallNotFound', 'participants[0].replacesCallId');
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
describe('invitingLegOf', () => {
  it('the leg whose invite operation rang the invitee; without one (a group call’s first targets), the live leg', () => {
    const l1 = leg({ id: 'leg-1', state: 'terminated' });
    const l2 = leg({ id: 'leg-2' });
    const op = { callId: 'leg-2' } as Operation;
    expect(invitingLegOf(op, [l1, l2])).toBe(l2);
    expect(invitingLegOf({ callId: 'leg-9' } as Operation, [l1, l2])).toBeUndefined();
    expect(invitingLegOf(undefined, [l1, l2])).toBe(l2);
    expect(invitingLegOf(undefined, [l1])).toBeUndefined();
  });
});

describe('decideInviteeAnswer: accept (spec 1.6 a, b)', () => {
  /** leg-1 (ours), leg-2 (another app's bot in the same meeting), and legs that must not get roster updates. */
  const otherBot = leg({
    id: 'leg-2',
    appId: 'other-app',
    myParticipantId: 'bot-p-2',
    callbackUri: 'https://other.example/notify',
  });
  const ringing = leg({
    id: 'leg-3',
    appId: 'third-app',
    myParticipantId: 'bot-p-3',
    state: 'incoming',
    callbackUri: 'https://third.example/cb',
  });
  const ended = leg({
    id: 'leg-4',
    appId: 'fourth-app',
    myParticipantId: 'bot-p-4',
    state: 'terminated',
    callbackUri: 'https://fourth.example/cb',
  });

  it('joins the invitee, completes the operation (deleted, first) and updates every bot leg’s roster', () => {
    const state = meetingState({ extraLegs: [otherBot, ringing, ended] });
    const planned = ok({ participants: [invitee(user(USERS.adele))], clientContext: CLIENT_CONTEXT }, state);
    const s = answerState(state, planned);
    const e = decideInviteeAnswer(s, 'accept', { ...ctx('bbbbbbbb'), now: NOW + 1000 });
    const pid = s.invitee.id;
    const opId = planned.operation.id;
    const joinedBefore = s.roster.filter((p) => p.status === 'joined').map((p) => p.id);

    expect(e.participants).toEqual([
      { ...s.invitee, status: 'joined', rosterSequenceNumber: 4, updatedAt: NOW + 1000 },
    ]);
    expect(e.conversations).toEqual([{ ...state.conversation, rosterSequence: 4 }]);
    expect(e.operations).toHaveLength(1);
    expect(e.operations[0]).toMatchObject({
      id: opId,
      status: 'Completed',
      resultInfo: null,
      invitees: [{ participantId: pid, settled: true, joined: true, resultInfo: null }],
    });
    expect(e.legs).toEqual([]);
    expect(e.timers).toEqual([]);

    expect(summary(e.notifications)).toEqual([
      `deleted /communications/calls/leg-1/operations/${opId} -> ${BOT_CB}`,
      `updated /communications/calls/leg-1/participants -> ${BOT_CB}`,
      'updated /communications/calls/leg-2/participants -> https://other.example/notify',
    ]);

    const op = only(e.notifications[0]);
    expect(op.resource).toBe(`/app/calls/leg-1/operations/${opId}`);
    expect(op.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      id: opId,
      status: 'Completed',
      clientContext: CLIENT_CONTEXT,
      resultInfo: null,
      participants: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: {
            '@odata.type': '#microsoft.graph.identitySet',
            user: {
              '@odata.type': '#microsoft.graph.identity',
              id: USERS.adele,
              identityProvider: 'AAD',
              tenantId: TENANT,
            },
          },
        },
      ],
    });

    for (const [i, legId] of [
      [1, 'leg-1'],
      [2, 'leg-2'],
    ] as const) {
      const n = only(e.notifications[i]);
      expect(n.changeType).toBe('updated');
      expect(n.resource).toBe(`/app/calls/${legId}/participants`);
      expect(n.resourceUrl).toBe(`/communications/calls/${legId}/participants`);
      expect(Array.isArray(n.resourceData)).toBe(true);
      // The whole roster after the join (Graph's roster `updated`), Adele last.
      expect(n.resourceData.map((p: { id: string }) => p.id)).toEqual([...joinedBefore, pid]);
      expect(n.resourceData.at(-1)).toMatchObject({
        '@odata.type': '#microsoft.graph.participant',
        '@odata.id': `/app/calls/${legId}/participants/${pid}`,
        id: pid,
        info: {
          '@odata.type': '#microsoft.graph.participantInfo',
          identity: { user: { id: USERS.adele, displayName: 'Adele Vance' } },
          endpointType: 'default',
        },
        isMuted: false,
        isInLobby: false,
        rosterSequenceNumber: 4,
      });
    }
    // Each leg's notification goes to that leg's app.
    expect(e.notifications.map((n) => [n.callId, n.appId])).toEqual([
      ['leg-1', APP],
      ['leg-1', APP],
      ['leg-2', 'other-app'],
    ]);
  });

  it('a participant that is no longer inviting (timer fired twice) changes nothing', () => {
    const state = meetingState();
    const planned = ok(users(USERS.adele), state);
    const s = answerState(state, planned);
    const first = decideInviteeAnswer(s, 'accept', ctx());
    const again = commit(s, first, s.invitee.id);
    expect(again.invitee.status).toBe('joined');
    expect(decideInviteeAnswer(again, 'accept', ctx())).toEqual({
      conversations: [],
      legs: [],
      participants: [],
      operations: [],
      notifications: [],
      timers: [],
    });
    expect(decideInviteeAnswer(again, 'decline', ctx()).notifications).toEqual([]);
  });

  it('a group-call target (no operation) that accepts gets a roster update only', () => {
    const state = meetingState({ conversation: { kind: 'groupCall', meetingInfo: null } });
    const target = participant({ id: 'target-1', status: 'inviting', identity: { user: { id: USERS.adele } } });
    const s: AnswerFixture = {
      ...state,
      roster: [...state.roster, target],
      operation: undefined,
      invitee: target,
      source: null,
    };
    const e = decideInviteeAnswer(s, 'accept', ctx());
    expect(summary(e.notifications)).toEqual([`updated /communications/calls/leg-1/participants -> ${BOT_CB}`]);
    expect(e.operations).toEqual([]);
  });
});

describe('decideInviteeAnswer: failures (spec 1.6 c, 6.4)', () => {
  const failures: { outcome: InviteeOutcome; who: IdentitySet; code: number; subcode: number; message: string }[] = [
    {
      outcome: 'decline',
      who: user(USERS.dana),
      code: 603,
      subcode: 10020,
      message: `addParticipants failed for participant 8:orgid:${USERS.dana}. Underlying reason: The callee declined the call. DiagCode: 603#10020.@`,
    },
    {
      outcome: 'busy',
      who: user(USERS.brian),
      code: 486,
      subcode: 10021,
      message: `addParticipants failed for participant 8:orgid:${USERS.brian}. Underlying reason: The callee is busy. DiagCode: 486#10021.@`,
    },
    {
      outcome: 'noAnswer',
      who: user(USERS.nora),
      code: 408,
      subcode: 10057,
      message: `addParticipants failed for participant 8:orgid:${USERS.nora}. Underlying reason: The callee did not answer. DiagCode: 408#10057.@`,
    },
    {
      outcome: 'notFound',
      who: user(UNKNOWN_USER),
      code: 480,
      subcode: 10037,
      message: `addParticipants failed for participant 8:orgid:${UNKNOWN_USER}. Underlying reason: No callee endpoints found. DiagCode: 480#10037.@`,
    },
    {
      outcome: 'pstnNoSponsor',
      who: phone('+61450078883'),
      code: 412,
      subcode: 9999,
      message:
        'addParticipants failed for participant 4:+61450078883. Underlying reason: Could not find the PSTN content for the sponsor of this PSTN leg.. DiagCode: 412#10073.@',
    },
    {
      outcome: 'pstnJoinToken',
      who: phone('+12345678901'),
      code: 403,
      subcode: 10151,
      message:
        'addParticipants failed for participant 4:+12345678901. Underlying reason: Call does not contain the metadata required for making this PSTN dial out.. DiagCode: 403#10151.@',
    },
  ];

  it.each(failures)(
    '$outcome: operation Failed with resultInfo $code/$subcode, participant failed, roster unchanged',
    ({ outcome, who, code, subcode, message }) => {
      const state = meetingState({
        extraLegs: [
          leg({
            id: 'leg-2',
            appId: 'other-app',
            myParticipantId: 'bot-p-2',
            callbackUri: 'https://other.example/notify',
          }),
        ],
      });
      const planned = ok({ participants: [invitee(who)], clientContext: CLIENT_CONTEXT }, state);
      const s = answerState(state, planned);
      const e = decideInviteeAnswer(s, outcome, ctx());
      const expected = { '@odata.type': '#microsoft.graph.resultInfo', code, subcode, message };

      expect(e.participants).toEqual([{ ...s.invitee, status: 'failed', outcome: expected, updatedAt: NOW }]);
      expect(e.operations[0]).toMatchObject({
        status: 'Failed',
        resultInfo: expected,
        invitees: [{ settled: true, joined: false, resultInfo: expected }],
      });
      // No roster change: no conversation sequence bump and no roster notification, to anyone.
      expect(e.conversations).toEqual([]);
      expect(summary(e.notifications)).toEqual([
        `deleted /communications/calls/leg-1/operations/${planned.operation.id} -> ${BOT_CB}`,
      ]);
      const n = only(e.notifications[0]);
      expect(n.resourceData).toMatchObject({ status: 'Failed', clientContext: CLIENT_CONTEXT, resultInfo: expected });
    },
  );

  it('an accept for a leg that has ended fails the invitee silently: no notifications', () => {
    for (const gone of [undefined, leg({ state: 'terminated' })]) {
      const state = meetingState();
      const planned = ok(users(USERS.adele), state);
      const s: AnswerState = { ...answerState(state, planned), leg: gone };
      const e = decideInviteeAnswer(s, 'accept', ctx());
      expect(e.notifications).toEqual([]);
      expect(e.participants).toEqual([expect.objectContaining({ id: s.invitee.id, status: 'failed' })]);
      expect(e.conversations).toEqual([]);
    }
  });
});

describe('decideInviteeAnswer: multi-invite partial success (invite.ts doc block)', () => {
  it('one accepts, one declines: Failed after the last settles, the accepted one stays joined, message names the failed one', () => {
    const state = meetingState();
    const planned = ok(
      { participants: [invitee(user(USERS.adele)), invitee(user(USERS.dana))], clientContext: CLIENT_CONTEXT },
      state,
    );
    const [adele, dana] = planned.effects.participants.map((p) => p.id) as [string, string];
    let s = answerState(state, planned, 0);

    const first = decideInviteeAnswer(s, 'accept', ctx());
    expect(first.operations[0]).toMatchObject({ status: 'Running', resultInfo: null });
    // Not settled yet: no operation notification, only the roster update with Adele in it (Dana still rings).
    expect(summary(first.notifications)).toEqual([`updated /communications/calls/leg-1/participants -> ${BOT_CB}`]);
    expect(only(first.notifications[0]).resourceData.map((p: { id: string }) => p.id)).toEqual([
      ...joined(s.roster),
      adele,
    ]);

    s = commit(s, first, dana);
    const second = decideInviteeAnswer(s, 'decline', ctx());
    expect(second.operations[0]).toMatchObject({ status: 'Failed', resultInfo: { code: 603, subcode: 10020 } });
    expect(second.operations[0]!.resultInfo!.message).toContain(`8:orgid:${USERS.dana}`);
    expect(second.operations[0]!.resultInfo!.message).not.toContain(USERS.adele);
    expect(summary(second.notifications)).toEqual([
      `deleted /communications/calls/leg-1/operations/${planned.operation.id} -> ${BOT_CB}`,
    ]);
    // Adele is not touched by Dana's failure.
    expect(second.participants.map((p) => [p.id, p.status])).toEqual([[dana, 'failed']]);
    const after = commit(s, second, dana);
    expect(after.roster.find((p) => p.id === adele)!.status).toBe('joined');
    expect(after.operation!.invitees.map((i) => [i.participantId, i.joined])).toEqual([
      [adele, true],
      [dana, false],
    ]);
  });

  it('the decline settling first keeps the operation Running until the accept; then Failed, Adele joined', () => {
    const state = meetingState();
    const planned = ok(users(USERS.adele, USERS.dana), state);
    const [adele] = planned.effects.participants.map((p) => p.id) as [string, string];
    let s = answerState(state, planned, 1);
    const first = decideInviteeAnswer(s, 'decline', ctx());
    expect(first.operations[0]!.status).toBe('Running');
    expect(first.notifications).toEqual([]);
    s = commit(s, first, adele);
    const second = decideInviteeAnswer(s, 'accept', ctx());
    expect(second.operations[0]).toMatchObject({ status: 'Failed', resultInfo: { code: 603 } });
    expect(second.operations[0]!.resultInfo!.message).toContain(`8:orgid:${USERS.dana}`);
    expect(summary(second.notifications)).toEqual([
      `deleted /communications/calls/leg-1/operations/${planned.operation.id} -> ${BOT_CB}`,
      `updated /communications/calls/leg-1/participants -> ${BOT_CB}`,
    ]);
    expect(second.participants.map((p) => [p.id, p.status])).toEqual([[adele, 'joined']]);
  });

  it('two failures: resultInfo of the first, message naming both', () => {
    const state = meetingState();
    const planned = ok(users(USERS.dana, USERS.brian, USERS.adele), state);
    const ids = planned.effects.participants.map((p) => p.id);
    let s = answerState(state, planned, 0);
    const outcomes: InviteeOutcome[] = ['decline', 'busy', 'accept'];
    let last: Effects | undefined;
    for (const [i, outcome] of outcomes.entries()) {
      last = decideInviteeAnswer(s, outcome, ctx());
      if (i < 2) s = commit(s, last, ids[i + 1]!);
    }
    const op = last!.operations[0]!;
    expect(op).toMatchObject({ status: 'Failed', resultInfo: { code: 603, subcode: 10020 } });
    expect(op.resultInfo!.message).toContain(`8:orgid:${USERS.dana}`);
    expect(op.resultInfo!.message).toContain(`8:orgid:${USERS.brian}`);
    expect(op.resultInfo!.message).not.toContain(`8:orgid:${USERS.adele}`);
  });

  it('all accept: Completed only after the last, each roster update carrying the whole roster so far', () => {
    const state = meetingState();
    const planned = ok(users(USERS.adele, USERS.alex), state);
    const [adele, alex] = planned.effects.participants.map((p) => p.id) as [string, string];
    let s = answerState(state, planned, 0);
    const first = decideInviteeAnswer(s, 'accept', ctx());
    expect(first.operations[0]!.status).toBe('Running');
    const before = joined(s.roster);
    expect(only(first.notifications[0]).resourceData.map((p: { id: string }) => p.id)).toEqual([...before, adele]);
    s = commit(s, first, alex);
    const second = decideInviteeAnswer(s, 'accept', ctx());
    expect(second.operations[0]).toMatchObject({ status: 'Completed', resultInfo: null });
    expect(summary(second.notifications)[0]).toMatch(/^deleted \/communications\/calls\/leg-1\/operations\//);
    expect(only(second.notifications[1]).resourceData.map((p: { id: string }) => p.id)).toEqual([
      ...before,
      adele,
      alex,
    ]);
    // Roster sequence keeps counting up.
    expect(first.participants[0]!.rosterSequenceNumber).toBe(4);
    expect(second.participants[0]!.rosterSequenceNumber).toBe(5);
  });
});

describe('decideInviteeAnswer: replacement and move (spec 1.6 d, seed 002)', () => {
  it('replacement: the replaced P2P leg gets updated (terminated) then deleted, to its own callback, after the operation and roster', () => {
    const p2p = p2pView(user(USERS.testUser));
    const state: MeetingFixture = { ...meetingState(), replaced: p2p };
    const planned = ok(
      { participants: [invitee(user(USERS.testUser), { replacesCallId: '/app/calls/p2p-leg' })] },
      state,
    );
    const s = answerState(state, planned, 0, p2p);
    const e = decideInviteeAnswer(s, 'accept', { ...ctx(), now: NOW + REPLACE_DELAY_MS });

    expect(summary(e.notifications)).toEqual([
      `deleted /communications/calls/leg-1/operations/${planned.operation.id} -> ${BOT_CB}`,
      `updated /communications/calls/leg-1/participants -> ${BOT_CB}`,
      'updated /communications/calls/p2p-leg -> https://bot.contoso.com/api/calls/p2p',
      'deleted /communications/calls/p2p-leg -> https://bot.contoso.com/api/calls/p2p',
    ]);
    const [, , updated, deleted] = e.notifications.map(only);
    expect(updated!.resource).toBe('/app/calls/p2p-leg');
    expect(updated!.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      id: 'p2p-leg',
      state: 'terminated',
    });
    expect(deleted!.resourceData).toMatchObject({
      id: 'p2p-leg',
      state: 'terminated',
      resultInfo: { code: 200, subcode: 7015 },
    });
    expect(e.notifications.slice(2).every((n) => n.callId === 'p2p-leg')).toBe(true);

    expect(e.legs).toEqual([
      expect.objectContaining({
        id: 'p2p-leg',
        state: 'terminated',
        terminationReason: 'AppInitiated',
        resultInfo: expect.objectContaining({ code: 200, subcode: 7015 }),
        version: p2p.leg.version + 1,
      }),
    ]);
    // Everyone leaves the P2P conversation; the invitee joins the meeting.
    expect(e.participants.map((p) => [p.id, p.status])).toEqual([
      [s.invitee.id, 'joined'],
      ['p2p-bot', 'removed'],
      ['p2p-caller', 'removed'],
    ]);
    expect(e.operations[0]).toMatchObject({ status: 'Completed' });
  });

  it('a failed replacement leaves the P2P call alone (spec 9.3)', () => {
    const p2p = p2pView(user(USERS.testUser));
    const state: MeetingFixture = { ...meetingState(), replaced: p2p };
    const planned = ok({ participants: [invitee(user(USERS.testUser), { replacesCallId: 'p2p-leg' })] }, state);
    const e = decideInviteeAnswer(answerState(state, planned, 0, p2p), 'notFound', ctx());
    expect(e.legs).toEqual([]);
    expect(summary(e.notifications)).toEqual([
      `deleted /communications/calls/leg-1/operations/${planned.operation.id} -> ${BOT_CB}`,
    ]);
  });

  it('a replaced leg that already ended is not terminated again', () => {
    const p2p = p2pView(user(USERS.testUser));
    const state: MeetingFixture = { ...meetingState(), replaced: p2p };
    const planned = ok({ participants: [invitee(user(USERS.testUser), { replacesCallId: 'p2p-leg' })] }, state);
    for (const src of [
      { ...p2p, leg: undefined },
      { ...p2p, leg: { ...p2p.leg, state: 'terminated' as const } },
    ]) {
      const e = decideInviteeAnswer(answerState(state, planned, 0, src), 'accept', ctx());
      expect(e.legs).toEqual([]);
      expect(summary(e.notifications)).toHaveLength(2);
    }
  });

  it('move: the source roster gets a deleted roster notification with the moved participant; the source leg stays', () => {
    const srcConv = conversation({
      id: 'src-conv',
      rosterSequence: 7,
      chatInfo: { threadId: OTHER_MEETING_THREAD, messageId: '0', replyChainMessageId: null },
    });
    const srcLeg = leg({
      id: 'src-leg',
      conversationId: 'src-conv',
      myParticipantId: 'src-bot',
      callbackUri: 'https://bot.contoso.com/api/calls/src',
    });
    const otherInSrc = leg({
      id: 'src-leg-2',
      appId: 'other-app',
      conversationId: 'src-conv',
      myParticipantId: 'src-bot-2',
      callbackUri: 'https://other.example/src',
    });
    const mover = participant({
      id: 'mover-1',
      conversationId: 'src-conv',
      identity: { user: { id: USERS.megan, tenantId: TENANT } },
    });
    const src = view(srcConv, [srcLeg, otherInSrc], [mover]);
    const state: MeetingFixture = { ...meetingState(), replaced: src };
    const planned = ok(
      {
        participants: [
          invitee(user(USERS.megan, { identityProvider: 'AAD' }), {
            replacesCallId: 'src-leg',
            participantId: 'mover-1',
          }),
        ],
      },
      state,
    );
    const s = answerState(state, planned, 0, src);
    const e = decideInviteeAnswer(s, 'accept', ctx());

    expect(summary(e.notifications)).toEqual([
      `deleted /communications/calls/leg-1/operations/${planned.operation.id} -> ${BOT_CB}`,
      `updated /communications/calls/leg-1/participants -> ${BOT_CB}`,
      'deleted /communications/calls/src-leg/participants -> https://bot.contoso.com/api/calls/src',
      'deleted /communications/calls/src-leg-2/participants -> https://other.example/src',
    ]);
    const removed = only(e.notifications[2]).resourceData;
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({
      id: 'mover-1',
      '@odata.id': '/app/calls/src-leg/participants/mover-1',
      rosterSequenceNumber: 8,
    });
    expect(only(e.notifications[3]).resourceData[0]).toMatchObject({
      id: 'mover-1',
      '@odata.id': '/app/calls/src-leg-2/participants/mover-1',
    });

    // The source leg is not ended; only the roster of the source conversation changes.
    expect(e.legs).toEqual([]);
    expect(e.participants.map((p) => [p.id, p.status])).toEqual([
      [s.invitee.id, 'joined'],
      ['mover-1', 'removed'],
    ]);
    expect(e.conversations.map((c) => [c.id, c.rosterSequence])).toEqual([
      ['conv-1', 4],
      ['src-conv', 8],
    ]);
    const op = only(e.notifications[0]).resourceData;
    expect(op.participants[0]).toMatchObject({ replacesCallId: 'src-leg', participantId: 'mover-1' });
  });

  it('move: a mover who already left the source produces no source notification', () => {
    const srcConv = conversation({ id: 'src-conv' });
    const srcLeg = leg({ id: 'src-leg', conversationId: 'src-conv', myParticipantId: 'src-bot' });
    const mover = participant({ id: 'mover-1', conversationId: 'src-conv', identity: { user: { id: USERS.megan } } });
    const src = view(srcConv, [srcLeg], [mover]);
    const state: MeetingFixture = { ...meetingState(), replaced: src };
    const planned = ok(
      { participants: [invitee(user(USERS.megan), { replacesCallId: 'src-leg', participantId: 'mover-1' })] },
      state,
    );
    const gone = view(srcConv, [srcLeg], [{ ...mover, status: 'removed' }]);
    const e = decideInviteeAnswer(answerState(state, planned, 0, gone), 'accept', ctx());
    expect(summary(e.notifications)).toHaveLength(2);
    expect(e.participants.map((p) => p.id)).toEqual([planned.effects.participants[0]!.id]);
  });
});
