/**
 * Timer payloads (src/domain/timers.ts): every kind reads back as written, the older shape still reads, and a row that
 * is no timer says why instead of being guessed at.
 */
import { describe, expect, it } from 'vitest';
import { isTimerProblem, readTimer, timerLane } from '../../src/domain/timers.js';
import type { TimerKind, TimerRequest } from '../../src/domain/types.js';

const fault = { code: 410, subcode: 301004, message: 'Client Media Error.' };

/** One timer of every kind (the `satisfies` fails to compile when a kind is added without a sample). */
const SAMPLES = {
  'invitee.answer': {
    id: 'invitee-p1',
    dueAt: 5,
    kind: 'invitee.answer',
    payload: { callId: 'c1', participantId: 'p1', operationId: 'op1', outcome: 'decline', fault },
  },
  'call.established': { id: 'established-c1', dueAt: 5, kind: 'call.established', payload: { callId: 'c1' } },
  'call.targetAnswer': {
    id: 'target-p1',
    dueAt: 5,
    kind: 'call.targetAnswer',
    payload: { callId: 'c1', participantId: 'p1', outcome: 'accept' },
  },
  'call.keepAliveExpired': { id: 'keepalive-c1', dueAt: 5, kind: 'call.keepAliveExpired', payload: { callId: 'c1' } },
  'call.answerWindow': { id: 'answer-window-c1', dueAt: 5, kind: 'call.answerWindow', payload: { callId: 'c1' } },
  'call.transferAnswer': {
    id: 'transfer-c1',
    dueAt: 5,
    kind: 'call.transferAnswer',
    payload: { callId: 'c1', outcome: 'busy', replacesCallId: null, target: 'user:u1' },
  },
  'call.redirectAnswer': {
    id: 'redirect-c1',
    dueAt: 5,
    kind: 'call.redirectAnswer',
    payload: { callId: 'c1', outcome: 'accept', answeredBy: 'user:u1', targets: ['user:u1', 'phone:+14255550100'] },
  },
  'person.action': {
    id: 'person-p1-0',
    dueAt: 5,
    kind: 'person.action',
    payload: { participantId: 'p1', action: 'pressTones', tones: '1#' },
  },
  'media.complete': {
    id: 'media-op1',
    dueAt: 5,
    kind: 'media.complete',
    payload: { callId: 'c1', operationId: 'op1' },
  },
} satisfies { [K in TimerKind]: TimerRequest & { kind: K } };

/** As the store does: the payload serialized once, parsed back. */
const stored = (t: TimerRequest) => readTimer(t.id, t.dueAt, t.kind, JSON.parse(JSON.stringify(t.payload)));

describe('readTimer', () => {
  it.each(Object.values(SAMPLES))('$kind reads back as written', (t) => {
    expect(stored(t)).toEqual(t);
  });

  it('absent parts read back absent: no operation, no consultation, no fault, no tones', () => {
    const invite: TimerRequest = {
      id: 'i',
      dueAt: 1,
      kind: 'invitee.answer',
      payload: { callId: 'c', participantId: 'p', operationId: null, outcome: 'accept' },
    };
    const transfer: TimerRequest = {
      id: 't',
      dueAt: 1,
      kind: 'call.transferAnswer',
      payload: { callId: 'c', outcome: 'accept', replacesCallId: null },
    };
    const person: TimerRequest = {
      id: 'a',
      dueAt: 1,
      kind: 'person.action',
      payload: { participantId: 'p', action: 'leave' },
    };
    for (const t of [invite, transfer, person]) expect(stored(t)).toEqual(t);
  });

  it('reads the older shape: a fault as a JSON string, no operation or consultation as ""', () => {
    expect(
      readTimer('i', 1, 'invitee.answer', {
        callId: 'c',
        participantId: 'p',
        operationId: '',
        outcome: 'accept',
        fault: JSON.stringify(fault),
      }),
    ).toEqual({
      id: 'i',
      dueAt: 1,
      kind: 'invitee.answer',
      payload: { callId: 'c', participantId: 'p', operationId: null, outcome: 'accept', fault },
    });
    expect(
      readTimer('t', 1, 'call.transferAnswer', { callId: 'c', outcome: 'noAnswer', replacesCallId: '' }),
    ).toMatchObject({ payload: { replacesCallId: null } });
  });

  it('keeps only the fields of the kind', () => {
    expect(readTimer('e', 1, 'call.established', { callId: 'c', participantId: 'p', extra: true })).toEqual({
      id: 'e',
      dueAt: 1,
      kind: 'call.established',
      payload: { callId: 'c' },
    });
  });

  it.each([
    ['an unknown kind', 'call.ringing', { callId: 'c' }, 'timer x: no timer kind "call.ringing"'],
    [
      'a payload that is not an object',
      'call.established',
      ['c'],
      'call.established timer x: the payload is not a JSON object',
    ],
    ['no call id', 'call.established', {}, 'call.established timer x: payload.callId is missing'],
    [
      'an empty call id',
      'media.complete',
      { callId: '', operationId: 'o' },
      'media.complete timer x: payload.callId is not a call id',
    ],
    [
      'an unknown outcome',
      'call.targetAnswer',
      { callId: 'c', participantId: 'p', outcome: 'maybe' },
      'call.targetAnswer timer x: payload.outcome is not an invitee outcome',
    ],
    [
      'no operation property (not even null)',
      'invitee.answer',
      { callId: 'c', participantId: 'p', outcome: 'accept' },
      'invitee.answer timer x: payload.operationId is missing',
    ],
    [
      'a fault that is not a result',
      'invitee.answer',
      { callId: 'c', participantId: 'p', operationId: null, outcome: 'accept', fault: '{"code":"410"' },
      'invitee.answer timer x: payload.fault is not a result (code, subcode, message)',
    ],
    [
      'an unknown person action',
      'person.action',
      { participantId: 'p', action: 'dance' },
      'person.action timer x: payload.action is not a person action',
    ],
    [
      'tones that are not a string',
      'person.action',
      { participantId: 'p', action: 'pressTones', tones: 1 },
      'person.action timer x: payload.tones is not a string of DTMF digits',
    ],
  ])('%s is a problem, not a timer', (_label, kind, payload, problem) => {
    const r = readTimer('x', 1, kind, payload);
    expect(isTimerProblem(r)).toBe(true);
    expect(r).toEqual({ problem });
  });

  it('timerLane: the call a timer belongs to (one call’s timers fire in order); a person’s action has none', () => {
    expect(timerLane(SAMPLES['media.complete'])).toBe('c1');
    expect(timerLane(SAMPLES['person.action'])).toBe('');
  });
});
