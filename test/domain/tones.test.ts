/** DTMF: subscribeToTone, a person's key presses (toneInfo, sequence ids, stop tones) and sendDtmfTones timing. */
import { describe, expect, it } from 'vitest';
import { decideMediaTimer } from '../../src/domain/media-timer.js';
import { decidePressTones, decideSendDtmfTones, decideSubscribeToTone, parseTone } from '../../src/domain/tones.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import {
  accepted,
  conversation,
  ctx,
  expectRejection,
  leg,
  NOW,
  only,
  p2pView,
  principal,
  user,
  USERS,
  view,
} from './fixtures.js';

const bot = principal(ALL_CALLING_ROLES);
const nothingQueued = { head: null, waiting: [] };

describe('parseTone', () => {
  it.each([
    ['1', 'tone1'],
    ['0', 'tone0'],
    ['#', 'pound'],
    ['*', 'star'],
    ['A', 'a'],
    ['d', 'd'],
    ['tone7', 'tone7'],
    ['pound', 'pound'],
    ['flash', 'flash'],
  ])('%s → %s', (key, tone) => expect(parseTone(key)).toBe(tone));
  it.each(['', '12', 'e', 'tone10', '+'])('refuses %j', (key) => expect(parseTone(key)).toBeNull());
});

describe('call: subscribeToTone', () => {
  it('completes at once and marks the leg subscribed (no notification)', () => {
    const r = accepted(decideSubscribeToTone(bot, p2pView(user(USERS.alex)), { clientContext: 'c' }, ctx()));
    expect(r.operation).toMatchObject({
      type: 'subscribeToToneOperation',
      status: 'Completed',
      clientContext: 'c',
      callId: 'p2p-leg',
    });
    expect(r.effects.legs[0]!.media).toMatchObject({ toneSubscribed: true, toneSequence: 0 });
    expect(r.effects.notifications).toEqual([]);
  });

  it('needs Calls.AccessMedia.All, an established call and service-hosted media', () => {
    expectRejection(
      decideSubscribeToTone(principal(['Calls.Initiate.All']), p2pView(user(USERS.alex)), {}, ctx()),
      'MissingRole',
      null,
    );
    expectRejection(
      decideSubscribeToTone(bot, p2pView(user(USERS.alex), { state: 'incoming' }), {}, ctx()),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideSubscribeToTone(
        bot,
        p2pView(user(USERS.alex), {
          mediaConfig: { '@odata.type': '#microsoft.graph.appHostedMediaConfig', blob: 'x' },
        }),
        {},
        ctx(),
      ),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideSubscribeToTone(bot, p2pView(user(USERS.alex)), { clientContext: 'x'.repeat(257) }, ctx()),
      'ClientContextTooLong',
      'clientContext',
    );
  });
});

describe('a person presses keys', () => {
  const subscribed = () => p2pView(user(USERS.alex), { media: { toneSubscribed: true, toneSequence: 4, queue: [] } });

  it('sends one call `updated` with toneInfo per key, continuing the sequence', () => {
    const r = accepted(decidePressTones(subscribed(), { tones: ['1', '#'] }, nothingQueued, ctx()));
    expect(r.pressed).toEqual({
      callId: 'p2p-leg',
      tones: ['tone1', 'pound'],
      toneInfo: [
        { sequenceId: 5, tone: 'tone1' },
        { sequenceId: 6, tone: 'pound' },
      ],
      stoppedRecordingId: null,
    });
    expect(
      r.effects.notifications.map((n) => only(n)).map((n) => [n.changeType, n.resourceUrl, n.resourceData.toneInfo]),
    ).toEqual([
      [
        'updated',
        '/communications/calls/p2p-leg',
        { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 5, tone: 'tone1' },
      ],
      [
        'updated',
        '/communications/calls/p2p-leg',
        { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 6, tone: 'pound' },
      ],
    ]);
    expect(r.effects.legs[0]!.media!.toneSequence).toBe(6);
  });

  it('without a subscription nothing is notified and nothing changes', () => {
    const r = accepted(decidePressTones(p2pView(user(USERS.alex)), { tones: ['1'] }, nothingQueued, ctx()));
    expect(r.pressed.toneInfo).toEqual([]);
    expect(r.effects.notifications).toEqual([]);
    expect(r.effects.legs).toEqual([]);
  });

  it('refuses a bad key (naming it), no keys, and a call that is not established', () => {
    expectRejection(
      decidePressTones(subscribed(), { tones: ['1', 'x'] }, nothingQueued, ctx()),
      'InvalidProperty',
      'tones[1]',
    );
    expectRejection(decidePressTones(subscribed(), { tones: [] }, nothingQueued, ctx()), 'InvalidProperty', 'tones');
    expectRejection(
      decidePressTones(p2pView(user(USERS.alex), { state: 'incoming' }), { tones: ['1'] }, nothingQueued, ctx()),
      'CallStateConflict',
      null,
    );
  });
});

describe('call: sendDtmfTones', () => {
  it('runs for tones × 100 ms plus the gaps, then completes with completionReason completedSuccessfully', () => {
    const v = view(conversation(), [leg()]);
    const r = accepted(decideSendDtmfTones(bot, v, { tones: ['tone1', 'tone2'], delayBetweenTonesMs: 50 }, ctx()));
    expect(r.operation).toMatchObject({ type: 'sendDtmfTonesOperation', status: 'Running' });
    expect(r.effects.timers).toEqual([
      {
        id: `media-${r.operation.id}`,
        dueAt: NOW + 250,
        kind: 'media.complete',
        payload: { callId: 'leg-1', operationId: r.operation.id },
      },
    ]);
    const done = decideMediaTimer(v, r.operation, [], { ...ctx('bbbbbbbb'), now: NOW + 250 });
    expect(done.operations[0]).toMatchObject({
      status: 'Completed',
      media: { completionReason: 'completedSuccessfully' },
      resultInfo: { code: 200, subcode: 0 },
    });
    const n = only(done.notifications[0]);
    expect(n).toMatchObject({
      changeType: 'deleted',
      resourceUrl: `/communications/calls/leg-1/operations/${r.operation.id}`,
    });
    expect(n.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.sendDtmfTonesOperation',
      status: 'Completed',
      completionReason: 'completedSuccessfully',
    });
    expect(n.resourceData).not.toHaveProperty('participants');
    // A second firing of the same timer finds it completed: nothing happens.
    expect(decideMediaTimer(v, done.operations[0]!, [], ctx()).notifications).toEqual([]);
  });

  it('refuses no tones and a negative delay, naming them', () => {
    const v = view(conversation(), [leg()]);
    expectRejection(decideSendDtmfTones(bot, v, { tones: [] }, ctx()), 'InvalidProperty', 'tones');
    expectRejection(
      decideSendDtmfTones(bot, v, { tones: ['tone1'], delayBetweenTonesMs: -1 }, ctx()),
      'InvalidProperty',
      'delayBetweenTonesMs',
    );
  });
});
