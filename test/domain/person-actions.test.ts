/** Simulated people's actions and who counts as "just connected" (when later-action timers start). */
import { describe, expect, it } from 'vitest';
import {
  decidePersonAction,
  decidePersonActionRequest,
  decideTimedPersonAction,
  findPerson,
  laterActionTimers,
  newlyConnectedPeople,
  type PriorState,
} from '../../src/domain/person-actions.js';
import { emptyEffects } from '../../src/domain/types.js';
import {
  accepted,
  conversation,
  ctx,
  expectRejection,
  leg,
  meetingState,
  NOW,
  only,
  p2pView,
  participant,
  phone,
  user,
  USERS,
} from './fixtures.js';

const megan = participant({ id: 'p-megan', identity: user(USERS.megan) });

describe('person actions', () => {
  it('finds a connected person by participant id or identity id, never a bot leg or someone who left', () => {
    const v = meetingState({
      roster: [megan, participant({ id: 'p-gone', status: 'removed', identity: user(USERS.alex) })],
    });
    expect(findPerson(v, 'P-MEGAN')?.id).toBe('p-megan');
    expect(findPerson(v, USERS.megan)?.id).toBe('p-megan');
    expect(findPerson(v, USERS.alex)).toBeUndefined();
    expect(findPerson(v, 'bot-p-1')).toBeUndefined();
  });

  it('leave and mute in a meeting change the roster for every bot leg', () => {
    const v = meetingState({ roster: [megan], extraLegs: [leg({ id: 'leg-2', myParticipantId: 'bot-p-2' })] });
    const left = accepted(decidePersonAction(v, megan, { action: 'leave' }, ctx()));
    expect(left.participants).toEqual([
      expect.objectContaining({ id: 'p-megan', status: 'removed', rosterSequenceNumber: 4 }),
    ]);
    expect(left.notifications.map((n) => [n.callId, only(n).changeType])).toEqual([
      ['leg-1', 'deleted'],
      ['leg-2', 'deleted'],
    ]);
    const muted = accepted(decidePersonAction(v, megan, { action: 'mute' }, ctx()));
    // A roster `updated` lists everyone in the meeting, Megan muted.
    const listed = only(muted.notifications[0]).resourceData as { id: string; isMuted: boolean }[];
    expect(listed.map((p) => p.id).sort()).toEqual(['bot-p-1', 'bot-p-2', 'p-megan']);
    expect(listed.find((p) => p.id === 'p-megan')).toMatchObject({ isMuted: true });
    // Unmuting someone who is not muted changes nothing and notifies nobody.
    expect(accepted(decidePersonAction(v, megan, { action: 'unmute' }, ctx()))).toEqual(emptyEffects());
    expectRejection(decidePersonAction(v, megan, { action: 'hold' }, ctx()), 'CallStateConflict', 'action');
  });

  it('in a peer-to-peer call: hold → hold state, resume → established, hangUp ends the bot leg with 200/4521', () => {
    const v = p2pView(phone('+14255550100'));
    const caller = v.roster.find((p) => p.id === 'p2p-caller')!;
    const held = accepted(decidePersonAction(v, caller, { action: 'hold' }, ctx()));
    expect(held.legs[0]!.state).toBe('hold');
    expect(only(held.notifications[0]).changeType).toBe('updated');
    expectRejection(decidePersonAction(v, caller, { action: 'resume' }, ctx()), 'CallStateConflict', 'action');
    const resumed = accepted(decidePersonAction({ ...v, legs: held.legs }, caller, { action: 'resume' }, ctx()));
    expect(resumed.legs[0]!.state).toBe('established');
    const gone = accepted(decidePersonAction(v, caller, { action: 'hangUp' }, ctx()));
    expect(only(gone.notifications[0])).toMatchObject({
      changeType: 'deleted',
      resourceData: { state: 'terminated', resultInfo: { code: 200, subcode: 4521 } },
    });
    expectRejection(decidePersonAction(v, caller, { action: 'mute' }, ctx()), 'CallStateConflict', 'action');
  });

  it('timers: one per later action, due afterMs after connecting', () => {
    expect(
      laterActionTimers(
        megan,
        [
          { afterMs: 500, action: 'mute' },
          { afterMs: 9000, action: 'pressTones', tones: '12' },
        ],
        ctx(),
      ),
    ).toEqual([
      {
        id: 'person-p-megan-0',
        dueAt: NOW + 500,
        kind: 'person.action',
        payload: { participantId: 'p-megan', action: 'mute' },
      },
      {
        id: 'person-p-megan-1',
        dueAt: NOW + 9000,
        kind: 'person.action',
        payload: { participantId: 'p-megan', action: 'pressTones', tones: '12' },
      },
    ]);
  });
});

describe('a person action asked for (control API) or come due (timer)', () => {
  const v = meetingState({ roster: [megan] });

  it('now: the person acts at once; later: one durable timer, the action checked against the call as it is now', () => {
    const now = accepted(decidePersonActionRequest(v, USERS.megan, { action: 'mute', afterMs: 0 }, ctx()));
    expect(now.value).toEqual({ participantId: 'p-megan', action: { action: 'mute', afterMs: 0 }, dueAt: NOW });
    expect(now.result).toMatchObject({ participants: [{ id: 'p-megan', isMuted: true }] });
    const later = accepted(decidePersonActionRequest(v, 'p-megan', { action: 'leave', afterMs: 5000 }, ctx()));
    expect(later.value.dueAt).toBe(NOW + 5000);
    expect(later.result).toMatchObject({
      timers: [{ kind: 'person.action', dueAt: NOW + 5000, payload: { participantId: 'p-megan', action: 'leave' } }],
      participants: [],
    });
    expectRejection(
      decidePersonActionRequest(v, USERS.megan, { action: 'hold', afterMs: 5000 }, ctx()),
      'CallStateConflict',
      'action',
    );
    expectRejection(
      decidePersonActionRequest(v, USERS.alex, { action: 'mute', afterMs: 0 }, ctx()),
      'ParticipantNotFound',
      'participantId',
    );
  });

  it('key presses come back as a request for the media simulation, which the service runs', () => {
    expect(
      accepted(decidePersonActionRequest(v, USERS.megan, { action: 'pressTones', tones: '1#', afterMs: 0 }, ctx()))
        .result,
    ).toEqual({ pressTones: '1#' });
    expect(decideTimedPersonAction(v, megan, { action: 'pressTones', tones: '5' }, ctx())).toEqual({ pressTones: '5' });
    expectRejection(
      decideTimedPersonAction(
        meetingState({ roster: [megan], leg: { state: 'establishing' } }),
        megan,
        { action: 'pressTones', tones: '5' },
        ctx(),
      ),
      'CallStateConflict',
      'action',
    );
  });

  it('a timer acts on the person as the roster has them now', () => {
    const mutedNow = { ...megan, isMuted: true };
    // The timer's participant row says unmuted; the roster says muted: muting again changes nothing.
    expect(
      accepted(decideTimedPersonAction(meetingState({ roster: [mutedNow] }), megan, { action: 'mute' }, ctx())),
    ).toEqual(emptyEffects());
    expect(accepted(decideTimedPersonAction(v, megan, { action: 'mute' }, ctx()))).toMatchObject({
      participants: [{ id: 'p-megan', isMuted: true }],
    });
  });
});

describe('newlyConnectedPeople', () => {
  const meeting = conversation();
  const p2p = conversation({ id: 'p2p-conv', kind: 'peerToPeer' });
  const prior = (over: Partial<PriorState>): PriorState => ({
    legs: new Map(),
    participants: new Map(),
    conversations: new Map(),
    ...over,
  });

  it('an invitee who joins a meeting, not one who was already in it or a bot', () => {
    const effects = emptyEffects();
    effects.participants.push(
      megan,
      participant({ id: 'p-old', identity: user(USERS.alex) }),
      participant({ id: 'bot', kind: 'application', callLegId: 'leg-1', identity: user(USERS.bob) }),
    );
    const before = prior({
      participants: new Map([
        ['p-megan', { ...megan, status: 'inviting' as const }],
        ['p-old', participant({ id: 'p-old', identity: user(USERS.alex) })],
      ]),
      conversations: new Map([[meeting.id, { kind: meeting.kind, tenantId: meeting.tenantId, roster: [] }]]),
    });
    expect(newlyConnectedPeople(effects, before).map((p) => p.id)).toEqual(['p-megan']);
  });

  it('the other party of a peer-to-peer call whose leg becomes established, not on resume from hold', () => {
    const caller = participant({ id: 'caller', conversationId: p2p.id, identity: user(USERS.alex) });
    const effects = emptyEffects();
    const l = leg({ id: 'p2p-leg', conversationId: p2p.id, state: 'established' });
    effects.legs.push(l);
    const convs = new Map([[p2p.id, { kind: p2p.kind, tenantId: p2p.tenantId, roster: [caller] }]]);
    expect(
      newlyConnectedPeople(
        effects,
        prior({ legs: new Map([['p2p-leg', { ...l, state: 'establishing' as const }]]), conversations: convs }),
      ).map((p) => p.id),
    ).toEqual(['caller']);
    expect(
      newlyConnectedPeople(
        effects,
        prior({ legs: new Map([['p2p-leg', { ...l, state: 'hold' as const }]]), conversations: convs }),
      ),
    ).toEqual([]);
  });
});
