/**
 * Reading a stored timer back. The store keeps a timer's payload as one JSON document (`TimerPayloads` in types.ts,
 * serialized once, as the domain made it); a claimed row goes through `readTimer` before anything decides on it.
 *
 * A row that is not one of these shapes (written by another version, or edited by hand) is reported, never guessed
 * at: the timer loop logs it as an error and drops it, because a timer that cannot be read can never fire, and leaving
 * it would retry it on every lease forever. The one older shape Switchboard wrote is still read, so timers in flight
 * across an upgrade fire: `invitee.answer` with its fault as a JSON string and no operation as `''`, and
 * `call.transferAnswer` with no consultation call as `''`.
 */
import { isRecord } from './identity.js';
import { isPersonActionName } from './person-action-names.js';
import { INVITEE_OUTCOMES, type InviteeOutcome, type ResultCode } from './result-codes.js';
import type { TimerRequest } from './types.js';

/** A stored timer that does not read as any TimerRequest: why. */
export interface TimerProblem {
  problem: string;
}

export const isTimerProblem = (r: object): r is TimerProblem => 'problem' in r;

const isOutcome = (v: unknown): v is InviteeOutcome => INVITEE_OUTCOMES.some((x) => x === v);

const isResultCode = (v: unknown): v is ResultCode =>
  isRecord(v) && typeof v.code === 'number' && typeof v.subcode === 'number' && typeof v.message === 'string';

/** A JSON text's value; text that is not JSON stays the string it is (so it reads as no result). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The timer a stored row holds, or why it holds none. `payload` is the row's JSON document, parsed. */
export function readTimer(id: string, dueAt: number, kind: string, payload: unknown): TimerRequest | TimerProblem {
  if (!isRecord(payload)) return { problem: `${kind} timer ${id}: the payload is not a JSON object` };
  const p = payload;
  const bad = (key: string, what: string): TimerProblem => ({
    problem: `${kind} timer ${id}: payload.${key} ${p[key] === undefined ? 'is missing' : `is not ${what}`}`,
  });
  const text = (key: string): string | undefined => {
    const v = p[key];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  /** An id or none: null, or (older rows) ''. */
  const optionalId = (key: string): string | null | undefined => {
    const v = p[key];
    if (v === null || v === '') return null;
    return typeof v === 'string' ? v : undefined;
  };
  const callId = text('callId');
  switch (kind) {
    case 'call.established':
    case 'call.keepAliveExpired':
    case 'call.answerWindow':
      return callId ? { id, dueAt, kind, payload: { callId } } : bad('callId', 'a call id');
    case 'media.complete': {
      const operationId = text('operationId');
      if (!callId) return bad('callId', 'a call id');
      return operationId
        ? { id, dueAt, kind, payload: { callId, operationId } }
        : bad('operationId', 'an operation id');
    }
    case 'call.targetAnswer': {
      const participantId = text('participantId');
      const outcome = p.outcome;
      if (!callId) return bad('callId', 'a call id');
      if (!participantId) return bad('participantId', 'a participant id');
      return isOutcome(outcome)
        ? { id, dueAt, kind, payload: { callId, participantId, outcome } }
        : bad('outcome', 'an invitee outcome');
    }
    case 'call.transferAnswer': {
      const outcome = p.outcome;
      const replacesCallId = optionalId('replacesCallId');
      if (!callId) return bad('callId', 'a call id');
      if (!isOutcome(outcome)) return bad('outcome', 'an invitee outcome');
      const target = optionalId('target');
      if (replacesCallId === undefined) return bad('replacesCallId', 'a call id or null');
      // A group transfer's participant; rows written before transfers out of group calls have none.
      const transfereeId = p.transfereeId === undefined ? null : optionalId('transfereeId');
      if (transfereeId === undefined) return bad('transfereeId', 'a participant id or null');
      return {
        id,
        dueAt,
        kind,
        payload: {
          callId,
          outcome,
          replacesCallId,
          ...(target ? { target } : {}),
          ...(transfereeId ? { transfereeId } : {}),
        },
      };
    }
    case 'call.redirectAnswer': {
      const outcome = p.outcome;
      const answeredBy = optionalId('answeredBy');
      const targets = p.targets;
      if (!callId) return bad('callId', 'a call id');
      if (!isOutcome(outcome)) return bad('outcome', 'an invitee outcome');
      if (answeredBy === undefined) return bad('answeredBy', 'an identity key or null');
      if (!Array.isArray(targets) || !targets.every((t): t is string => typeof t === 'string'))
        return bad('targets', 'a list of identity keys');
      return { id, dueAt, kind, payload: { callId, outcome, answeredBy, targets } };
    }
    case 'invitee.answer': {
      const participantId = text('participantId');
      const operationId = optionalId('operationId');
      const outcome = p.outcome;
      // Older rows carried the fault as a JSON string inside the JSON payload.
      const fault = typeof p.fault === 'string' ? parseJson(p.fault) : p.fault;
      if (!callId) return bad('callId', 'a call id');
      if (!participantId) return bad('participantId', 'a participant id');
      if (operationId === undefined) return bad('operationId', 'an operation id or null');
      if (!isOutcome(outcome)) return bad('outcome', 'an invitee outcome');
      if (fault !== undefined && !isResultCode(fault)) return bad('fault', 'a result (code, subcode, message)');
      return {
        id,
        dueAt,
        kind,
        payload: {
          callId,
          participantId,
          operationId,
          outcome,
          ...(fault ? { fault: { code: fault.code, subcode: fault.subcode, message: fault.message } } : {}),
        },
      };
    }
    case 'person.action': {
      const participantId = text('participantId');
      const action = p.action;
      const tones = p.tones;
      if (!participantId) return bad('participantId', 'a participant id');
      if (!isPersonActionName(action)) return bad('action', 'a person action');
      if (tones !== undefined && typeof tones !== 'string') return bad('tones', 'a string of DTMF digits');
      return { id, dueAt, kind, payload: { participantId, action, ...(tones !== undefined ? { tones } : {}) } };
    }
    default:
      return { problem: `timer ${id}: no timer kind ${JSON.stringify(kind)}` };
  }
}

/** The call whose timers fire one after another (a person's timers have none: they share one lane). */
export const timerLane = (t: TimerRequest): string => ('callId' in t.payload ? t.payload.callId : '');
