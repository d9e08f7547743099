/**
 * The call-leg state machine (src/domain/call.ts): create (P2P, group, meeting), established, target answer,
 * incoming, answer, reject and hang-up, against spec §2 (notification sequences), §4.1–4.5 and §7 (roles).
 */
import { describe, expect, it } from 'vitest';
import {
  checkCallbackUri,
  decideAnswer,
  decideCreateCall,
  decideEstablished,
  decideHangUp,
  decideIncomingCall,
  decideReject,
  decideTargetAnswer,
  MAX_GROUP_CALL_TARGETS,
  type AnswerCommand,
  type CreateCallCommand,
  type CreateCallState,
} from '../../src/domain/call.js';
import { isRejection } from '../../src/domain/rejections.js';
import type { CallLeg, Participant } from '../../src/domain/types.js';
import { DEFAULT_INSTANCE_ID, defaultWorld } from '../../src/sim/default-world.js';
import { Directory } from '../../src/sim/directory.js';
import type { WorldView } from '../../src/domain/world.js';
import {
  accepted,
  APP,
  conversation,
  ctx,
  reactionsTo,
  expectRejection,
  firstId,
  invitee,
  leg,
  MEETING_THREAD,
  NOW,
  only,
  OTHER_TENANT,
  participant,
  phone,
  principal,
  summary,
  TENANT,
  user,
  USERS,
  view,
  world,
  outcomeOf,
} from './fixtures.js';

const CB = 'https://bot.contoso.com/api/calls';
const SERVICE_HOSTED = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };
const APP_HOSTED = { '@odata.type': '#microsoft.graph.appHostedMediaConfig', blob: '<media config>' };
const ID = (n: number): string => `aaaaaaaa-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const ROLE = {
  initiate: 'Calls.Initiate.All',
  group: 'Calls.InitiateGroupCall.All',
  join: 'Calls.JoinGroupCall.All',
  guest: 'Calls.JoinGroupCallAsGuest.All',
  media: 'Calls.AccessMedia.All',
} as const;

const p2pCmd = (over: Partial<CreateCallCommand> = {}): CreateCallCommand => ({
  callbackUri: CB,
  mediaConfig: SERVICE_HOSTED,
  targets: [invitee(user(USERS.adele, { displayName: 'Adele' }))],
  requestedModalities: ['audio'],
  ...over,
});
const groupCmd = (
  ids: string[] = [USERS.adele, USERS.alex],
  over: Partial<CreateCallCommand> = {},
): CreateCallCommand => ({
  callbackUri: CB,
  mediaConfig: SERVICE_HOSTED,
  targets: ids.map((id) => invitee(user(id))),
  ...over,
});
const meetingCmd = (over: Partial<CreateCallCommand> = {}): CreateCallCommand => ({
  callbackUri: CB,
  mediaConfig: SERVICE_HOSTED,
  requestedModalities: ['audio'],
  chatInfo: { threadId: MEETING_THREAD, messageId: '0' },
  meetingInfo: {
    '@odata.type': '#microsoft.graph.organizerMeetingInfo',
    organizer: user(USERS.bob, { tenantId: TENANT }),
    allowConversationWithoutHost: true,
  },
  tenantId: TENANT,
  ...over,
});

const NO_MEETING: Omit<CreateCallState, 'reactions'> = { meeting: null };
/** decideCreateCall with the targets' reactions from the default world, as the service asks the simulator for them. */
function create(
  roles: string[],
  cmd: CreateCallCommand,
  state: Omit<CreateCallState, 'reactions'> = NO_MEETING,
  dir: WorldView = world(),
  apiVersion: 'v1.0' | 'beta' = 'v1.0',
) {
  return decideCreateCall(
    principal(roles),
    cmd,
    { ...state, reactions: reactionsTo(cmd.targets) },
    { world: dir, apiVersion },
    ctx(),
  );
}

/** Default world whose app has a registered calling webhook (needed for incoming calls). */
function directoryWithWebhook(): WorldView {
  const world = defaultWorld();
  world.tenants[0]!.apps[0]!.callbackUri = CB;
  return new Directory(world);
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
describe('decideCreateCall: roles per scenario (spec 4.1, 7)', () => {
  it.each([
    {
      scenario: 'peer-to-peer',
      cmd: p2pCmd(),
      ok: [[ROLE.initiate]],
      denied: [[], [ROLE.group], [ROLE.join, ROLE.guest, ROLE.media]],
    },
    {
      scenario: 'group call',
      cmd: groupCmd(),
      ok: [[ROLE.group], ['Calls.InitiateGroupCalls.All']],
      denied: [[], [ROLE.initiate], [ROLE.join, ROLE.guest]],
    },
    {
      scenario: 'meeting',
      cmd: meetingCmd(),
      ok: [[ROLE.join], [ROLE.guest], ['Calls.JoinGroupCalls.All'], ['Calls.JoinGroupCallsasGuest.All']],
      denied: [[], [ROLE.initiate], [ROLE.group, ROLE.media]],
    },
  ])('$scenario', ({ cmd, ok: good, denied }) => {
    for (const roles of good) expect(isRejection(create(roles, cmd)), `roles ${roles.join(',')}`).toBe(false);
    for (const roles of denied) expectRejection(create(roles, cmd), 'MissingRole', null);
  });

  it('app-hosted media also needs Calls.AccessMedia.All', () => {
    expectRejection(create([ROLE.initiate], p2pCmd({ mediaConfig: APP_HOSTED })), 'MissingRole', null);
    expect(accepted(create([ROLE.initiate, ROLE.media], p2pCmd({ mediaConfig: APP_HOSTED }))).leg.mediaConfig).toEqual(
      APP_HOSTED,
    );
  });
});

describe('decideCreateCall: callbackUri (https, or http to loopback)', () => {
  it.each([
    'https://bot.contoso.com/api/calls',
    'HTTPS://BOT.CONTOSO.COM/api/calls',
    'https://localhost:4443/cb',
    'http://127.0.0.1/cb',
    'http://127.0.0.1:3978/api/calls',
    'http://127.10.20.30:8080/cb',
    'http://localhost:3978/api/calls',
    'http://[::1]:3978/api/calls',
  ])('accepts %s', (uri) => {
    expect(checkCallbackUri(uri, 'callbackUri')).toBeNull();
    expect(accepted(create([ROLE.initiate], p2pCmd({ callbackUri: uri }))).leg.callbackUri).toBe(uri);
  });

  it.each([
    'http://example.com/cb',
    'http://bot.contoso.com/api/calls',
    'http://10.0.0.5:3978/cb',
    'http://0.0.0.0:3978/cb',
    'http://127.0.0.1.example.com/cb',
    'http://localhost.example.com/cb',
    'ftp://127.0.0.1/cb',
    'ws://localhost/cb',
    'garbage',
    'bot.contoso.com/api/calls',
    '/api/calls',
    '',
  ])('rejects %j', (uri) => {
    expectRejection(create([ROLE.initiate], p2pCmd({ callbackUri: uri })), 'InvalidCallbackUri', 'callbackUri');
  });
});

describe('decideCreateCall: request rules', () => {
  it('rejects a tenantId other than the token tenant; accepts the same one in another case', () => {
    expectRejection(create([ROLE.join], meetingCmd({ tenantId: OTHER_TENANT })), 'TenantMismatch', 'tenantId');
    expectRejection(create([ROLE.initiate], p2pCmd({ tenantId: OTHER_TENANT })), 'TenantMismatch', 'tenantId');
    expect(isRejection(create([ROLE.join], meetingCmd({ tenantId: TENANT.toUpperCase() })))).toBe(false);
  });

  it(`creates a group call with ${MAX_GROUP_CALL_TARGETS} targets, not ${MAX_GROUP_CALL_TARGETS + 1}`, () => {
    const six = [USERS.adele, USERS.alex, USERS.diego, USERS.megan, USERS.heidi, USERS.testUser];
    expect(accepted(create([ROLE.group], groupCmd(six.slice(0, 5)))).conversation.kind).toBe('groupCall');
    expectRejection(create([ROLE.group], groupCmd(six)), 'TooManyInvitees', 'targets');
  });

  it.each([
    {
      label: 'a missing identity',
      target: { endpointType: 'default' },
      code: 'InvalidProperty',
      at: 'targets[0].identity',
    },
    {
      label: 'an identity without id',
      target: invitee({ user: { displayName: 'x' } }),
      code: 'InvalidProperty',
      at: 'targets[0].identity',
    },
    {
      label: 'a bot',
      target: invitee({ application: { id: 'other-bot' } }),
      code: 'CannotInviteBot',
      at: 'targets[0].identity.application',
    },
    {
      label: 'a resource account',
      target: invitee({ applicationInstance: { id: 'x' } }),
      code: 'CannotInviteBot',
      at: 'targets[0].identity.applicationInstance',
    },
    {
      label: 'a non-E.164 phone',
      target: invitee(phone('425-555-0100')),
      code: 'InvalidPhoneNumber',
      at: 'targets[0].identity.phone.id',
    },
  ])('rejects a target with $label', ({ target, code, at }) => {
    expectRejection(create([ROLE.initiate, ROLE.group], p2pCmd({ targets: [target] })), code, at);
  });

  it('a PSTN call needs source.identity.applicationInstance of this app', () => {
    expectRejection(
      create([ROLE.initiate], p2pCmd({ targets: [invitee(phone('+12345678901'))] })),
      'InvalidProperty',
      'source.identity.applicationInstance',
    );
    const foreign = { identity: { applicationInstance: { id: 'not-ours' } } };
    expectRejection(
      create([ROLE.initiate], p2pCmd({ targets: [invitee(phone('+12345678901'))], source: foreign })),
      'InvalidProperty',
      'source.identity.applicationInstance.id',
    );
    const source = {
      '@odata.type': '#microsoft.graph.participantInfo',
      identity: { applicationInstance: { id: DEFAULT_INSTANCE_ID.toUpperCase(), displayName: 'Calling Bot' } },
    };
    const r = accepted(create([ROLE.initiate], p2pCmd({ targets: [invitee(phone('+12345678901'))], source })));
    expect(r.leg.applicationInstanceId).toBe(DEFAULT_INSTANCE_ID.toUpperCase());
    expect(r.effects.participants[0]!.identity).toMatchObject({
      applicationInstance: { id: DEFAULT_INSTANCE_ID.toUpperCase(), displayName: 'Calling Bot', tenantId: TENANT },
    });
    expect(r.effects.timers[0]).toMatchObject({
      kind: 'call.targetAnswer',
      dueAt: NOW + 1500,
      payload: { outcome: 'accept' },
    });
  });

  it('a rejection mints no id', () => {
    const c = ctx();
    const cmd = p2pCmd({ callbackUri: 'http://example.com' });
    const r = decideCreateCall(
      principal([ROLE.initiate]),
      cmd,
      { ...NO_MEETING, reactions: reactionsTo(cmd.targets) },
      { world: world(), apiVersion: 'v1.0' },
      c,
    );
    expect(isRejection(r)).toBe(true);
    expect(c.ids.next()).toBe(firstId());
  });
});

describe('decideCreateCall: peer-to-peer (spec 2 "Outgoing create (P2P)")', () => {
  it('an establishing outgoing leg, bot + callee inviting, `updated` establishing, one target-answer timer', () => {
    const r = accepted(create([ROLE.initiate], p2pCmd({ subject: 'Hello' })));
    expect(r.conversation).toMatchObject({
      id: ID(1),
      kind: 'peerToPeer',
      tenantId: TENANT,
      chatInfo: null,
      meetingInfo: null,
      callChainId: ID(2),
      rosterSequence: 0,
    });
    expect(r.leg).toMatchObject({
      id: ID(3),
      conversationId: ID(1),
      tenantId: TENANT,
      appId: APP,
      state: 'establishing',
      direction: 'outgoing',
      callbackUri: CB,
      subject: 'Hello',
      myParticipantId: ID(4),
      requestedModalities: ['audio'],
      applicationInstanceId: null,
      version: 1,
    });
    expect(r.effects.conversations).toEqual([r.conversation]);
    expect(r.effects.legs).toEqual([r.leg]);
    expect(r.effects.participants.map((p) => [p.id, p.kind, p.status, p.callLegId, p.sourceId])).toEqual([
      [ID(4), 'application', 'inviting', ID(3), '1'],
      [ID(5), 'user', 'inviting', null, '2'],
    ]);
    expect(r.effects.timers).toEqual([
      {
        id: `target-${ID(5)}`,
        dueAt: NOW + 1000,
        kind: 'call.targetAnswer',
        payload: { callId: ID(3), participantId: ID(5), outcome: 'accept' },
      },
    ]);
    expect(summary(r.effects.notifications)).toEqual([`updated /communications/calls/${ID(3)} -> ${CB}`]);
    const n = only(r.effects.notifications[0]);
    expect(n.resource).toBe(`/app/calls/${ID(3)}`);
    expect(n.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      id: ID(3),
      state: 'establishing',
      direction: 'outgoing',
      myParticipantId: ID(4),
      callChainId: ID(2),
    });
    expect(n.resourceData.source.identity.application).toMatchObject({ id: APP, displayName: 'Switchboard Test Bot' });
    expect(n.resourceData.targets[0].identity.user).toMatchObject({
      '@odata.type': '#microsoft.graph.identity',
      id: USERS.adele,
    });
  });

  it('the callee’s directory behaviour drives the target-answer timer', () => {
    const r = accepted(create([ROLE.initiate], p2pCmd({ targets: [invitee(user(USERS.dana))] })));
    expect(r.effects.timers[0]).toMatchObject({ dueAt: NOW + 2000, payload: { outcome: 'decline' } });
  });

  it('beta legs remember their API version', () => {
    expect(accepted(create([ROLE.initiate], p2pCmd(), NO_MEETING, world(), 'beta')).leg.apiVersion).toBe('beta');
  });
});

describe('decideCreateCall: group call', () => {
  it('two targets: a group call, each target rung by an invitee timer, the leg established by its own timer', () => {
    const r = accepted(create([ROLE.group], groupCmd([USERS.adele, USERS.brian])));
    expect(r.conversation.kind).toBe('groupCall');
    expect(r.effects.participants.map((p) => [p.kind, p.status])).toEqual([
      ['application', 'inviting'],
      ['user', 'inviting'],
      ['user', 'inviting'],
    ]);
    expect(r.effects.timers.map((t) => [t.kind, t.dueAt - NOW, outcomeOf(t)])).toEqual([
      ['invitee.answer', 1000, 'accept'],
      ['invitee.answer', 500, 'busy'],
      ['call.established', 200, null],
    ]);
    expect(r.effects.timers[2]).toEqual({
      id: `established-${r.leg.id}`,
      dueAt: NOW + 200,
      kind: 'call.established',
      payload: { callId: r.leg.id },
    });
  });

  it('one target with chatInfo is a group call, not peer-to-peer', () => {
    const r = accepted(create([ROLE.group], groupCmd([USERS.adele], { chatInfo: { threadId: '19:abc@thread.v2' } })));
    expect(r.conversation.kind).toBe('groupCall');
    expect(r.conversation.chatInfo).toEqual({
      threadId: '19:abc@thread.v2',
      messageId: '0',
      replyChainMessageId: null,
    });
  });
});

describe('decideCreateCall: joining a meeting', () => {
  it.each([[ROLE.join], [ROLE.guest]])(
    'with %s: a meeting conversation from the directory, established by timer',
    (role) => {
      const r = accepted(create([role], meetingCmd()));
      expect(r.conversation).toMatchObject({
        kind: 'meeting',
        chatInfo: { threadId: MEETING_THREAD, messageId: '0', replyChainMessageId: null },
        meetingId: 'meeting-weekly-sync',
        meetingCreatedByAppId: APP,
        joinedWith: 'organizer',
      });
      expect(r.effects.timers).toEqual([
        { id: `established-${r.leg.id}`, dueAt: NOW + 200, kind: 'call.established', payload: { callId: r.leg.id } },
      ]);
      expect(r.effects.participants).toHaveLength(1);
      const n = only(r.effects.notifications[0]);
      expect(n.resourceData).toMatchObject({
        state: 'establishing',
        chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: MEETING_THREAD },
        meetingInfo: { '@odata.type': '#microsoft.graph.organizerMeetingInfo' },
      });
    },
  );

  it('by joinMeetingId: the thread comes from the directory', () => {
    const r = accepted(
      create(
        [ROLE.join],
        meetingCmd({
          chatInfo: null,
          meetingInfo: {
            '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo',
            joinMeetingId: '7654321',
            passcode: null,
          },
        }),
      ),
    );
    expect(r.conversation).toMatchObject({
      joinedWith: 'joinMeetingId',
      meetingId: 'meeting-incident-bridge',
      chatInfo: { threadId: expect.stringContaining('NjA4ZWRi') },
    });
  });

  it('by an unknown joinMeetingId, or with neither chatInfo nor joinMeetingId, is rejected', () => {
    expectRejection(
      create([ROLE.join], meetingCmd({ chatInfo: null, meetingInfo: { joinMeetingId: '0000000' } })),
      'InvalidProperty',
      'meetingInfo.joinMeetingId',
    );
    expectRejection(
      create(
        [ROLE.join],
        meetingCmd({ chatInfo: null, meetingInfo: { '@odata.type': '#microsoft.graph.tokenMeetingInfo', token: 't' } }),
      ),
      'InvalidProperty',
      'chatInfo.threadId',
    );
  });

  it('by token: remembered (PSTN invites will fail from it)', () => {
    const r = accepted(
      create(
        [ROLE.guest],
        meetingCmd({ meetingInfo: { '@odata.type': '#microsoft.graph.tokenMeetingInfo', token: 'abc' } }),
      ),
    );
    expect(r.conversation.joinedWith).toBe('token');
  });

  it('a thread unknown to the directory is a meeting nobody created', () => {
    const r = accepted(create([ROLE.join], meetingCmd({ chatInfo: { threadId: '19:meeting_unknown@thread.v2' } })));
    expect(r.conversation).toMatchObject({ kind: 'meeting', meetingId: null, meetingCreatedByAppId: null });
  });

  it('joining a meeting another leg is already in reuses its conversation (one shared roster)', () => {
    const conv = conversation({ id: 'conv-live', rosterSequence: 5 });
    const other = leg({
      id: 'leg-other',
      appId: 'other-app',
      conversationId: 'conv-live',
      myParticipantId: 'bot-other',
    });
    const adele = participant({ id: 'adele-p', conversationId: 'conv-live', identity: user(USERS.adele) });
    const existing = view(conv, [other], [adele]);
    const r = accepted(create([ROLE.join], meetingCmd(), { meeting: existing }));
    expect(r.conversation).toBe(conv);
    expect(r.effects.conversations).toEqual([]);
    expect(r.leg).toMatchObject({ id: ID(1), conversationId: 'conv-live', myParticipantId: ID(2) });
    expect(r.effects.participants).toEqual([
      expect.objectContaining({
        id: ID(2),
        conversationId: 'conv-live',
        callLegId: ID(1),
        status: 'inviting',
        sourceId: '3',
      }),
    ]);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
describe('decideEstablished (spec 2 "Join meeting", "Answer")', () => {
  function joining(): { conv: ReturnType<typeof conversation>; me: CallLeg; other: CallLeg; roster: Participant[] } {
    const conv = conversation({ id: 'conv-1', rosterSequence: 5 });
    const me = leg({
      id: 'leg-me',
      state: 'establishing',
      myParticipantId: 'me-p',
      version: 1,
      requestedModalities: ['audio', 'video'],
      activeModalities: [],
    });
    const other = leg({
      id: 'leg-other',
      appId: 'other-app',
      myParticipantId: 'other-p',
      callbackUri: 'https://other.example/cb',
    });
    const roster = [
      participant({
        id: 'me-p',
        status: 'inviting',
        kind: 'application',
        callLegId: 'leg-me',
        identity: { application: { id: APP } },
      }),
      participant({
        id: 'other-p',
        kind: 'application',
        callLegId: 'leg-other',
        identity: { application: { id: 'other-app' } },
      }),
      participant({ id: 'adele-p', identity: user(USERS.adele) }),
      participant({ id: 'gone-p', status: 'removed', identity: user(USERS.alex) }),
      participant({ id: 'ringing-p', status: 'inviting', identity: user(USERS.diego) }),
    ];
    return { conv, me, other, roster };
  }

  it('meeting: `updated` established, then the full roster to this leg and to the other legs', () => {
    const { conv, me, other, roster } = joining();
    const e = decideEstablished(
      { conversation: conv, legs: [me, other], roster, leg: me },
      { ...ctx(), now: NOW + 200 },
    );
    expect(summary(e.notifications)).toEqual([
      `updated /communications/calls/leg-me -> ${CB}`,
      `updated /communications/calls/leg-me/participants -> ${CB}`,
      'updated /communications/calls/leg-other/participants -> https://other.example/cb',
    ]);
    const [call, mine, theirs] = e.notifications.map(only);
    expect(call!.resourceData).toMatchObject({
      state: 'established',
      '@odata.etag': 'W/"2"',
      mediaState: { audio: 'active' },
    });
    expect(mine!.resourceData.map((p: { id: string }) => p.id)).toEqual(['other-p', 'adele-p', 'me-p']);
    // The other bot leg gets the whole roster too (Graph's roster `updated`), in its own call's paths.
    expect(theirs!.resourceData.map((p: { id: string }) => p.id)).toEqual(['me-p', 'other-p', 'adele-p']);
    expect(theirs!.resourceData[0]['@odata.id']).toBe('/app/calls/leg-other/participants/me-p');
    expect(e.legs).toEqual([
      { ...me, state: 'established', activeModalities: ['audio', 'video'], version: 2, updatedAt: NOW + 200 },
    ]);
    expect(e.participants).toEqual([
      { ...roster[0]!, status: 'joined', rosterSequenceNumber: 6, updatedAt: NOW + 200 },
    ]);
    expect(e.conversations).toEqual([{ ...conv, rosterSequence: 6 }]);
  });

  it('peer-to-peer: call-state notifications only', () => {
    const conv = conversation({ kind: 'peerToPeer' });
    const me = leg({ state: 'establishing' });
    const e = decideEstablished(view(conv, [me], [participant({ id: 'caller', identity: user(USERS.adele) })]), ctx());
    expect(summary(e.notifications)).toEqual([`updated /communications/calls/leg-1 -> ${CB}`]);
    expect(only(e.notifications[0]).resourceData.state).toBe('established');
    expect(e.participants.map((p) => [p.id, p.status])).toEqual([['bot-p-1', 'joined']]);
  });

  it.each(['incoming', 'established', 'terminated'] as const)(
    'does nothing for a %s leg (late or duplicate timer)',
    (state) => {
      const e = decideEstablished(view(conversation(), [leg({ state })]), ctx());
      expect(e).toEqual({
        conversations: [],
        legs: [],
        participants: [],
        operations: [],
        notifications: [],
        timers: [],
      });
    },
  );
});

describe('decideTargetAnswer (outgoing P2P callee)', () => {
  function ringing() {
    const conv = conversation({ kind: 'peerToPeer' });
    const me = leg({ state: 'establishing', version: 1 });
    const callee = participant({ id: 'callee', status: 'inviting', identity: user(USERS.dana) });
    return view(conv, [me], [callee]);
  }

  it('accept: the leg is established and the callee joined', () => {
    const v = ringing();
    const e = decideTargetAnswer(v, 'callee', 'accept', ctx());
    expect(summary(e.notifications)).toEqual([`updated /communications/calls/leg-1 -> ${CB}`]);
    expect(e.legs[0]!.state).toBe('established');
    expect(e.participants.find((p) => p.id === 'callee')!.status).toBe('joined');
  });

  it.each([
    { outcome: 'decline', code: 603, subcode: 10020 },
    { outcome: 'busy', code: 486, subcode: 10021 },
    { outcome: 'noAnswer', code: 408, subcode: 10057 },
    { outcome: 'notFound', code: 480, subcode: 10037 },
  ] as const)(
    '$outcome: the leg ends (`deleted`, terminated, $code/$subcode), callee failed',
    ({ outcome, code, subcode }) => {
      const e = decideTargetAnswer(ringing(), 'callee', outcome, ctx());
      expect(summary(e.notifications)).toEqual([`deleted /communications/calls/leg-1 -> ${CB}`]);
      expect(only(e.notifications[0]).resourceData).toMatchObject({
        state: 'terminated',
        resultInfo: { code, subcode },
      });
      expect(e.legs).toEqual([
        expect.objectContaining({
          state: 'terminated',
          terminationReason: 'CallNotAnswered',
          resultInfo: expect.objectContaining({ code, subcode }),
        }),
      ]);
      expect(e.participants).toEqual([expect.objectContaining({ id: 'callee', status: 'failed' })]);
    },
  );

  it('ignores an unknown participant or a leg that is no longer establishing', () => {
    expect(decideTargetAnswer(ringing(), 'nobody', 'accept', ctx()).notifications).toEqual([]);
    const v = ringing();
    expect(
      decideTargetAnswer({ ...v, leg: { ...v.leg, state: 'terminated' } }, 'callee', 'decline', ctx()).notifications,
    ).toEqual([]);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
describe('decideIncomingCall (spec 2 "Incoming call")', () => {
  it('a person calls the app: new P2P leg, `created` with state incoming, direction incoming, to the app webhook', () => {
    const r = accepted(
      decideIncomingCall(
        { tenantId: TENANT, source: user(USERS.adele), target: { application: { id: APP } } },
        directoryWithWebhook(),
        ctx(),
      ),
    );
    expect(r.leg).toMatchObject({
      id: ID(3),
      conversationId: ID(1),
      state: 'incoming',
      direction: 'incoming',
      callbackUri: CB,
      myParticipantId: ID(4),
      applicationInstanceId: null,
    });
    expect(summary(r.effects.notifications)).toEqual([`created /communications/calls/${ID(3)} -> ${CB}`]);
    const n = only(r.effects.notifications[0]);
    expect(n.resource).toBe(`/app/calls/${ID(3)}`);
    expect(n.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      id: ID(3),
      state: 'incoming',
      direction: 'incoming',
      tenantId: TENANT,
      myParticipantId: ID(4),
      source: {
        '@odata.type': '#microsoft.graph.participantInfo',
        identity: { user: { id: USERS.adele, tenantId: TENANT, displayName: 'Adele Vance' } },
      },
      targets: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: { application: { id: APP, displayName: 'Switchboard Test Bot' } },
        },
      ],
    });
    // The caller is in the (P2P) roster; the bot is still ringing.
    expect(r.effects.participants.map((p) => [p.kind, p.status])).toEqual([
      ['user', 'joined'],
      ['application', 'inviting'],
    ]);
  });

  it('to a resource account: targets carry applicationInstance, and the leg can dial PSTN', () => {
    const r = accepted(
      decideIncomingCall(
        {
          tenantId: TENANT,
          source: phone('+12345678901'),
          target: { applicationInstance: { id: DEFAULT_INSTANCE_ID } },
        },
        directoryWithWebhook(),
        ctx(),
      ),
    );
    expect(r.leg.applicationInstanceId).toBe(DEFAULT_INSTANCE_ID);
    expect(only(r.effects.notifications[0]).resourceData.targets[0].identity.applicationInstance).toMatchObject({
      id: DEFAULT_INSTANCE_ID,
      displayName: 'Calling Bot',
      tenantId: TENANT,
    });
  });

  it.each([
    {
      label: 'an unknown tenant',
      cmd: { tenantId: OTHER_TENANT, source: user(USERS.adele), target: { application: { id: APP } } },
      code: 'InvalidProperty',
      target: 'tenantId',
    },
    {
      label: 'an unknown app',
      cmd: { tenantId: TENANT, source: user(USERS.adele), target: { application: { id: 'nope' } } },
      code: 'InvalidProperty',
      target: 'target',
    },
    {
      label: 'a user as target',
      cmd: { tenantId: TENANT, source: user(USERS.adele), target: user(USERS.alex) },
      code: 'InvalidProperty',
      target: 'target',
    },
    {
      label: 'a source without id',
      cmd: { tenantId: TENANT, source: { user: {} }, target: { application: { id: APP } } },
      code: 'InvalidProperty',
      target: 'source',
    },
    {
      label: 'a non-E.164 caller',
      cmd: { tenantId: TENANT, source: phone('5550100'), target: { application: { id: APP } } },
      code: 'InvalidPhoneNumber',
      target: 'source.phone.id',
    },
  ])('rejects $label', ({ cmd, code, target }) => {
    expectRejection(decideIncomingCall(cmd, directoryWithWebhook(), ctx()), code, target);
  });

  it('rejects a call to an app with no registered webhook', () => {
    expectRejection(
      decideIncomingCall(
        { tenantId: TENANT, source: user(USERS.adele), target: { application: { id: APP } } },
        world(),
        ctx(),
      ),
      'InvalidCallbackUri',
      'target',
    );
  });
});

describe('decideAnswer (spec 4.4)', () => {
  const answerCmd = (over: Partial<AnswerCommand> = {}): AnswerCommand => ({
    acceptedModalities: ['audio'],
    mediaConfig: SERVICE_HOSTED,
    ...over,
  });
  const incoming = () =>
    view(conversation({ kind: 'peerToPeer' }), [leg({ state: 'incoming', direction: 'incoming', version: 1 })]);

  it.each([[ROLE.join], [ROLE.guest], ['Calls.JoinGroupCalls.All']])(
    'with %s: establishing (`updated`), then an established timer',
    (role) => {
      const e = accepted(decideAnswer(principal([role]), answerCmd(), incoming(), 250, ctx()));
      expect(summary(e.notifications)).toEqual([`updated /communications/calls/leg-1 -> ${CB}`]);
      expect(only(e.notifications[0]).resourceData.state).toBe('establishing');
      expect(e.legs[0]).toMatchObject({
        state: 'establishing',
        requestedModalities: ['audio'],
        mediaConfig: SERVICE_HOSTED,
        version: 2,
      });
      expect(e.timers).toEqual([
        { id: 'established-leg-1', dueAt: NOW + 250, kind: 'call.established', payload: { callId: 'leg-1' } },
      ]);
    },
  );

  it.each([[[]], [[ROLE.initiate]], [[ROLE.group, ROLE.media]]])(
    'without JoinGroupCall(AsGuest) (%j): MissingRole',
    (roles) => {
      expectRejection(decideAnswer(principal(roles), answerCmd(), incoming(), 250, ctx()), 'MissingRole', null);
    },
  );

  it('a callbackUri in the answer replaces the leg’s, and the notification already goes there', () => {
    const e = accepted(
      decideAnswer(
        principal([ROLE.join]),
        answerCmd({ callbackUri: 'https://bot.contoso.com/api/calls/answered' }),
        incoming(),
        250,
        ctx(),
      ),
    );
    expect(e.legs[0]!.callbackUri).toBe('https://bot.contoso.com/api/calls/answered');
    expect(e.notifications[0]!.callbackUri).toBe('https://bot.contoso.com/api/calls/answered');
    expectRejection(
      decideAnswer(principal([ROLE.join]), answerCmd({ callbackUri: 'http://example.com/cb' }), incoming(), 250, ctx()),
      'InvalidCallbackUri',
      'callbackUri',
    );
  });

  it.each(['establishing', 'established', 'terminating', 'terminated'] as const)(
    'only an incoming call can be answered: %s is CallStateConflict',
    (state) => {
      const v = incoming();
      expectRejection(
        decideAnswer(principal([ROLE.join]), answerCmd(), { ...v, leg: { ...v.leg, state } }, 250, ctx()),
        'CallStateConflict',
        null,
      );
    },
  );

  it('answer then established: the P2P call sends `updated` established', () => {
    const v = incoming();
    const e = accepted(decideAnswer(principal([ROLE.join]), answerCmd(), v, 250, ctx()));
    const est = decideEstablished({ ...v, leg: e.legs[0]! }, ctx());
    expect(only(est.notifications[0]).resourceData).toMatchObject({ state: 'established' });
  });
});

describe('decideReject (spec 4.5)', () => {
  const incoming = () =>
    view(
      conversation({ kind: 'peerToPeer' }),
      [leg({ state: 'incoming', direction: 'incoming' })],
      [participant({ id: 'caller', identity: user(USERS.adele) })],
    );

  it.each([
    { reason: 'busy', code: 486 },
    { reason: 'Busy', code: 486 },
    { reason: 'BUSY', code: 486 },
    { reason: 'none', code: 603 },
    { reason: 'None', code: 603 },
    { reason: null, code: 603 },
    { reason: undefined, code: 603 },
    { reason: 'forbidden', code: 403 },
    { reason: 'Forbidden', code: 403 },
  ])('reason $reason: `deleted`, terminated with code $code', ({ reason, code }) => {
    const e = accepted(decideReject({ reason }, incoming(), ctx()));
    expect(summary(e.notifications)).toEqual([`deleted /communications/calls/leg-1 -> ${CB}`]);
    expect(only(e.notifications[0]).resourceData).toMatchObject({ state: 'terminated', resultInfo: { code } });
    expect(e.legs).toEqual([expect.objectContaining({ state: 'terminated', terminationReason: 'AppRejected' })]);
    expect(e.participants.map((p) => [p.id, p.status])).toEqual([
      ['bot-p-1', 'removed'],
      ['caller', 'removed'],
    ]);
  });

  it.each(['maybe', 'declined', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'rejects the unknown reason %j',
    (reason) => {
      expectRejection(decideReject({ reason }, incoming(), ctx()), 'InvalidProperty', 'reason');
    },
  );

  it('a callbackUri in the reject is used for the `deleted` notification', () => {
    const e = accepted(decideReject({ reason: 'busy', callbackUri: 'http://localhost:3978/cb' }, incoming(), ctx()));
    expect(e.notifications[0]!.callbackUri).toBe('http://localhost:3978/cb');
    expectRejection(
      decideReject({ callbackUri: 'http://example.com/cb' }, incoming(), ctx()),
      'InvalidCallbackUri',
      'callbackUri',
    );
  });

  it.each(['establishing', 'established'] as const)(
    'an %s call cannot be rejected (hang up instead): CallStateConflict',
    (state) => {
      const v = incoming();
      expectRejection(
        decideReject({ reason: 'busy' }, { ...v, leg: { ...v.leg, state } }, ctx()),
        'CallStateConflict',
        null,
      );
    },
  );
});

describe('decideHangUp (spec 2 "Hang up", 4.3)', () => {
  const HUNG_UP = {
    '@odata.type': '#microsoft.graph.resultInfo',
    code: 200,
    subcode: 5001,
    message: 'The conversation has ended.',
  };

  it('peer-to-peer: `updated` terminating, then `deleted` terminated with 200/5001; everyone leaves', () => {
    const v = view(
      conversation({ kind: 'peerToPeer' }),
      [leg({ version: 3 })],
      [participant({ id: 'callee', identity: user(USERS.adele) })],
    );
    const e = decideHangUp(v, ctx());
    expect(summary(e.notifications)).toEqual([
      `updated /communications/calls/leg-1 -> ${CB}`,
      `deleted /communications/calls/leg-1 -> ${CB}`,
    ]);
    const [terminating, terminated] = e.notifications.map(only);
    expect(terminating!.resourceData).toMatchObject({ state: 'terminating', resultInfo: null, '@odata.etag': 'W/"4"' });
    expect(terminated!.resourceData).toMatchObject({
      state: 'terminated',
      resultInfo: HUNG_UP,
      '@odata.etag': 'W/"5"',
    });
    expect(e.legs).toEqual([
      expect.objectContaining({
        id: 'leg-1',
        state: 'terminated',
        resultInfo: HUNG_UP,
        terminationReason: 'AppInitiated',
        version: 5,
      }),
    ]);
    expect(e.participants.map((p) => [p.id, p.status])).toEqual([
      ['bot-p-1', 'removed'],
      ['callee', 'removed'],
    ]);
  });

  it('meeting: only the bot’s leg ends; the other bots are told it left (roster `deleted`), the others stay', () => {
    const other = leg({
      id: 'leg-2',
      appId: 'other-app',
      myParticipantId: 'bot-p-2',
      callbackUri: 'https://other.example/cb',
    });
    const v = view(
      conversation({ rosterSequence: 9 }),
      [leg(), other],
      [participant({ id: 'adele-p', identity: user(USERS.adele) })],
    );
    const e = decideHangUp(v, ctx());
    expect(summary(e.notifications)).toEqual([
      `updated /communications/calls/leg-1 -> ${CB}`,
      `deleted /communications/calls/leg-1 -> ${CB}`,
      'deleted /communications/calls/leg-2/participants -> https://other.example/cb',
    ]);
    expect(only(e.notifications[1]).resourceData.resultInfo).toEqual(HUNG_UP);
    expect(only(e.notifications[2]).resourceData).toEqual([
      expect.objectContaining({ id: 'bot-p-1', rosterSequenceNumber: 10 }),
    ]);
    expect(e.participants.map((p) => [p.id, p.status])).toEqual([['bot-p-1', 'removed']]);
    expect(e.legs.map((l) => l.id)).toEqual(['leg-1']);
  });
});
