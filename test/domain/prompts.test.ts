/** playPrompt, recordResponse and cancelMediaProcessing: the leg's queue, the timers, the completions and their results. */
import { describe, expect, it } from 'vitest';
import { decideMediaTimer } from '../../src/domain/media-timer.js';
import { decideCancelMediaProcessing, decidePlayPrompt, decideRecordResponse } from '../../src/domain/prompts.js';
import { decidePressTones } from '../../src/domain/tones.js';
import type { CallLeg, Effects, Operation } from '../../src/domain/types.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import { accepted, ctx, expectRejection, NOW, only, p2pView, principal, user, USERS } from './fixtures.js';

const bot = principal(ALL_CALLING_ROLES);
const duration = (uri: string): number => (uri.endsWith('long.wav') ? 5000 : 1000);
const prompt = (uri: string) => ({ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: { uri } });
const at = (ms: number, prefix = 'cccccccc') => ({ ...ctx(prefix), now: NOW + ms });
const legOf = (e: Effects): CallLeg => e.legs.at(-1)!;

/** A beta leg: its operation notifications carry beta's completionReason (v1.0's playPrompt/record have none). */
const betaLeg = <V extends { leg: { apiVersion: string } }>(v: V): V => ({
  ...v,
  leg: { ...v.leg, apiVersion: 'beta' },
});

describe('call: playPrompt', () => {
  it("Running; plays for the prompts' durations (queue head gets the timer), then `deleted` Completed 200/0", () => {
    const v = p2pView(user(USERS.alex));
    const r = accepted(
      decidePlayPrompt(
        bot,
        v,
        { prompts: [prompt('a/long.wav'), prompt('b.wav')], clientContext: 'hi' },
        duration,
        ctx(),
      ),
    );
    expect(r.operation).toMatchObject({
      type: 'playPromptOperation',
      status: 'Running',
      clientContext: 'hi',
      media: { durationMs: 6000, startedAt: NOW },
    });
    expect(r.effects.timers).toEqual([
      {
        id: `media-${r.operation.id}`,
        dueAt: NOW + 6000,
        kind: 'media.complete',
        payload: { callId: 'p2p-leg', operationId: r.operation.id },
      },
    ]);
    expect(legOf(r.effects).media!.queue).toEqual([r.operation.id]);
    const done = decideMediaTimer({ ...v, leg: legOf(r.effects) }, r.operation, [], at(6000));
    expect(done.operations[0]).toMatchObject({
      status: 'Completed',
      resultInfo: { code: 200, subcode: 0, message: 'Action completed successfully.' },
    });
    expect(only(done.notifications[0])).toMatchObject({
      changeType: 'deleted',
      resourceUrl: `/communications/calls/p2p-leg/operations/${r.operation.id}`,
    });
    expect(legOf(done).media!.queue).toEqual([]);
  });

  it('a second prompt waits (no timer) and starts when the first ends', () => {
    const v = p2pView(user(USERS.alex));
    const first = accepted(decidePlayPrompt(bot, v, { prompts: [prompt('a.wav')] }, duration, ctx('aaaaaaaa')));
    const second = accepted(
      decidePlayPrompt(
        bot,
        { ...v, leg: legOf(first.effects) },
        { prompts: [prompt('a.wav')] },
        duration,
        at(200, 'bbbbbbbb'),
      ),
    );
    expect(second.effects.timers).toEqual([]);
    expect(second.operation.media!.startedAt).toBeNull();
    const leg = legOf(second.effects);
    expect(leg.media!.queue).toEqual([first.operation.id, second.operation.id]);
    const done = decideMediaTimer({ ...v, leg }, first.operation, [second.operation], at(1000));
    expect(done.timers).toEqual([
      expect.objectContaining({ dueAt: NOW + 2000, payload: { callId: 'p2p-leg', operationId: second.operation.id } }),
    ]);
    expect(done.operations.map((o) => [o.id, o.status])).toEqual([
      [first.operation.id, 'Completed'],
      [second.operation.id, 'Running'],
    ]);
    // The waiting one's stale firing (not the head) does nothing.
    expect(decideMediaTimer({ ...v, leg }, second.operation, [], at(1000)).notifications).toEqual([]);
  });

  it('refuses no prompts, more than 20, a prompt without a uri, a ringing call', () => {
    const v = p2pView(user(USERS.alex));
    expectRejection(decidePlayPrompt(bot, v, { prompts: [] }, duration, ctx()), 'InvalidProperty', 'prompts');
    expectRejection(
      decidePlayPrompt(bot, v, { prompts: Array.from({ length: 21 }, () => prompt('a.wav')) }, duration, ctx()),
      'InvalidProperty',
      'prompts',
    );
    expectRejection(
      decidePlayPrompt(bot, v, { prompts: [prompt('a.wav'), { mediaInfo: {} }] }, duration, ctx()),
      'InvalidProperty',
      'prompts[1].mediaInfo.uri',
    );
    expectRejection(
      decidePlayPrompt(
        bot,
        p2pView(user(USERS.alex), { state: 'incoming' }),
        { prompts: [prompt('a.wav')] },
        duration,
        ctx(),
      ),
      'CallStateConflict',
      null,
    );
  });
});

describe('call: recordResponse', () => {
  const record = (over: Record<string, unknown> = {}) => {
    const v = betaLeg(p2pView(user(USERS.alex), { media: { toneSubscribed: false, toneSequence: 0, queue: [] } }));
    const r = accepted(
      decideRecordResponse(
        bot,
        v,
        { prompts: [prompt('a.wav')], maxRecordDurationInSeconds: 4, stopTones: ['#'], ...over },
        duration,
        'https://sb.test',
        ctx(),
      ),
    );
    return { v: { ...v, leg: legOf(r.effects) }, op: r.operation, effects: r.effects };
  };

  it('runs prompt + maxRecordDurationInSeconds, then Completed 200/8515 with recordingLocation and a token', () => {
    const { v, op, effects } = record();
    expect(op).toMatchObject({
      type: 'recordOperation',
      status: 'Running',
      media: { durationMs: 5000, promptMs: 1000, stopTones: ['pound'], recordingLocation: null },
    });
    expect(effects.timers[0]!.dueAt).toBe(NOW + 5000);
    const done = decideMediaTimer(v, op, [], at(5000));
    const n = only(done.notifications[0]);
    expect(n.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.recordOperation',
      status: 'Completed',
      resultInfo: { code: 200, subcode: 8515 },
      recordingLocation: `https://sb.test/_switchboard/recordings/${op.id}`,
      recordingAccessToken: expect.any(String),
      completionReason: 'maxRecordDurationReached',
    });
    expect(done.operations[0]!.media!.recordedMs).toBe(4000);
  });

  it('a stop tone after the prompt ends it early (200/8514); one during the prompt does not', () => {
    const { v, op } = record();
    const during = accepted(decidePressTones(v, { tones: ['#'] }, { head: op, waiting: [] }, at(500)));
    expect(during.pressed.stoppedRecordingId).toBeNull();
    const after = accepted(decidePressTones(v, { tones: ['1', '#'] }, { head: op, waiting: [] }, at(3000)));
    expect(after.pressed.stoppedRecordingId).toBe(op.id);
    expect(after.effects.operations[0]).toMatchObject({
      status: 'Completed',
      resultInfo: { subcode: 8514 },
      media: { recordedMs: 2000, completionReason: 'stopToneDetected' },
    });
    expect(legOf(after.effects).media!.queue).toEqual([]);
  });

  it.each([
    [{ maxRecordDurationInSeconds: 0 }, 'maxRecordDurationInSeconds'],
    [{ maxRecordDurationInSeconds: 121 }, 'maxRecordDurationInSeconds'],
    [{ initialSilenceTimeoutInSeconds: 121 }, 'initialSilenceTimeoutInSeconds'],
    [{ prompts: [prompt('a.wav'), prompt('b.wav')] }, 'prompts'],
    [{ stopTones: ['#', '?'] }, 'stopTones[1]'],
  ])('refuses %j', (cmd, target) => {
    expectRejection(
      decideRecordResponse(bot, p2pView(user(USERS.alex)), cmd, duration, 'https://sb.test', ctx()),
      'InvalidProperty',
      target,
    );
  });

  it('needs Calls.AccessMedia.All', () => {
    expectRejection(
      decideRecordResponse(
        principal(['Calls.Initiate.All']),
        p2pView(user(USERS.alex)),
        {},
        duration,
        'https://sb.test',
        ctx(),
      ),
      'MissingRole',
      null,
    );
  });
});

describe('call: cancelMediaProcessing', () => {
  it('Completed at once; every running or waiting prompt/recording ends Failed 400/8508 operationCanceled', () => {
    const v = betaLeg(p2pView(user(USERS.alex)));
    const first = accepted(decidePlayPrompt(bot, v, { prompts: [prompt('a.wav')] }, duration, ctx('aaaaaaaa')));
    const second = accepted(
      decideRecordResponse(bot, { ...v, leg: legOf(first.effects) }, {}, duration, 'https://sb.test', ctx('bbbbbbbb')),
    );
    const leg = legOf(second.effects);
    const queued: Operation[] = [first.operation, second.operation];
    const r = accepted(
      decideCancelMediaProcessing(bot, { ...v, leg }, { clientContext: 'stop' }, queued, at(100, 'dddddddd')),
    );
    expect(r.operation).toMatchObject({
      type: 'cancelMediaProcessingOperation',
      status: 'Completed',
      clientContext: 'stop',
    });
    expect(r.effects.notifications.map((n) => only(n).resourceData)).toEqual([
      expect.objectContaining({
        id: first.operation.id,
        status: 'Failed',
        completionReason: 'operationCanceled',
        resultInfo: expect.objectContaining({ code: 400, subcode: 8508 }),
      }),
      expect.objectContaining({ id: second.operation.id, status: 'Failed', recordingLocation: null }),
    ]);
    expect(legOf(r.effects).media!.queue).toEqual([]);
    // The cancelled head's timer finds it Failed: nothing more.
    expect(
      decideMediaTimer({ ...v, leg: legOf(r.effects) }, r.effects.operations[0]!, [], at(1000)).notifications,
    ).toEqual([]);
  });
});
