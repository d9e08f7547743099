/**
 * Every path that ends a leg (hang-up, the other party leaving, keepAlive expiry, transfer, redirect, answer
 * window, callback failure) ends its unfinished operations here, once: Running → Failed, and their timers go.
 * No notification: the leg is `deleted` and Graph sends nothing about a call after that. The leg's other timers
 * (keepAlive, establishing, answer window, transfer) go too, and, when it was the conversation's last live leg,
 * the timers of the people in it that no bot can hear any more.
 */
import { MEDIA_RESULT } from './media-operations.js';
import { resultInfo } from './result-codes.js';
import { mri } from './identity.js';
import { TimerId } from './timer-ids.js';
import type { ResultInfo } from '@microsoft/microsoft-graph-types';
import type { Operation, Participant } from './types.js';

/** Media operations cut short: Graph's "cancelled" code (400/8508), saying the call ended. */
export const CALL_ENDED_MEDIA = {
  ...MEDIA_RESULT.cancelled,
  message: 'Action failed, the operation was cancelled: the call has ended.',
} as const;

/** An invitee still ringing stops ringing: SIP 487 Request Terminated (as for a cancelled invite). */
export function inviteEndedWithCall(participantMri: string): ResultInfo {
  return resultInfo({
    code: 487,
    subcode: 0,
    message: `addParticipants failed for participant ${participantMri}. Underlying reason: The call ended before the invitee answered. DiagCode: 487#0.@`,
  });
}

export interface EndedOperations {
  operations: Operation[];
  /** Invitees who were still ringing: now failed. */
  participants: Participant[];
  /** Timers of the ended operations that must never fire. */
  timerIds: string[];
}

/** `ops`: the ended leg's operations; `ringing`: its invitees still `inviting`, by id. */
export function endOperationsOfEndedLeg(
  ops: Operation[],
  ringing: Map<string, Participant>,
  now: number,
): EndedOperations {
  const out: EndedOperations = { operations: [], participants: [], timerIds: [] };
  for (const op of ops) {
    if (op.status !== 'Running' && op.status !== 'NotStarted') continue;
    if (op.type === 'inviteParticipantsOperation') {
      const invitees = op.invitees.map((i) => {
        if (i.settled) return i;
        out.timerIds.push(TimerId.inviteeAnswer(i.participantId));
        const p = ringing.get(i.participantId);
        const failure = inviteEndedWithCall(p ? mri(p.identity) : i.participantId);
        if (p && p.status === 'inviting')
          out.participants.push({ ...p, status: 'failed', outcome: failure, updatedAt: now });
        return { ...i, settled: true, joined: false, resultInfo: failure };
      });
      const first = invitees.find((i) => !i.joined)?.resultInfo ?? inviteEndedWithCall('unknown');
      out.operations.push({ ...op, status: 'Failed', resultInfo: first, invitees, updatedAt: now });
      continue;
    }
    out.timerIds.push(TimerId.media(op.id));
    const media =
      op.media && (op.type === 'playPromptOperation' || op.type === 'recordOperation')
        ? { ...op.media, completionReason: 'operationCanceled' }
        : op.media;
    out.operations.push({
      ...op,
      status: 'Failed',
      resultInfo: resultInfo(CALL_ENDED_MEDIA),
      ...(media ? { media } : {}),
      updatedAt: now,
    });
  }
  return out;
}

/** A person of the ended leg's conversation, with how many later actions their world-file behaviour schedules. */
export interface RosterEntry {
  participant: Participant;
  laterActions: number;
}

/**
 * The timers, besides its operations' (see endOperationsOfEndedLeg), that can only ever act on an ended leg, by id.
 * Its own timers (keepAlive expiry, becoming established, the answer window, a transfer's answer) always go.
 * `lastLeg`: the conversation's roster when no other bot leg in it is still live, else null. Then nobody can hear
 * the people in it any more: a ringing target's answer (peer-to-peer or a group call's first targets) and each
 * person's later actions go too. While other legs stay (a meeting other bots are in), the people's timers stay:
 * they still matter to those legs.
 * Actions the control API scheduled have ids of their own that cannot be derived here; they stay and, when due,
 * change nothing anyone can see.
 */
export function timersOfEndedLeg(legId: string, lastLeg: RosterEntry[] | null): string[] {
  const ids = [
    TimerId.keepAlive(legId),
    TimerId.established(legId),
    TimerId.answerWindow(legId),
    TimerId.transfer(legId),
  ];
  for (const { participant: p, laterActions } of lastLeg ?? []) {
    if (p.callLegId !== null) continue; // a bot's own participant: its leg has timers of its own
    // Still ringing: a peer-to-peer target's answer or a group call's first target's (an invitee answer timer).
    if (p.status === 'inviting') ids.push(TimerId.targetAnswer(p.id), TimerId.inviteeAnswer(p.id));
    for (let i = 0; i < laterActions; i++) ids.push(TimerId.laterAction(p.id, i));
  }
  return ids;
}
