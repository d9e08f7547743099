/** A leg that ends takes its unfinished operations with it: Running → Failed, timers named for removal, no notification. */
import { describe, expect, it } from 'vitest';
import { endOperationsOfEndedLeg, timersOfEndedLeg } from '../../src/domain/call-ended.js';
import { TimerId } from '../../src/domain/timer-ids.js';
import type { Invitee, Operation, OperationType } from '../../src/domain/types.js';
import { NOW, participant, user, USERS } from './fixtures.js';

const op = (id: string, type: OperationType, over: Partial<Operation> = {}): Operation => ({
  id,
  callId: 'leg-1',
  type,
  status: 'Running',
  clientContext: null,
  resultInfo: null,
  invitees: [],
  createdAt: NOW - 5000,
  updatedAt: NOW - 5000,
  ...over,
});
const entry = (participantId: string, over: Partial<Invitee> = {}): Invitee => ({
  participantId,
  echo: {
    identity: user(USERS.nora),
    replacesCallId: null,
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
  ...over,
});

describe('endOperationsOfEndedLeg', () => {
  it('fails running media operations with 400/8508 and names their timers; finished ones are untouched', () => {
    const prompt = op('op-prompt', 'playPromptOperation', { media: { durationMs: 5000, startedAt: NOW - 1000 } });
    const tones = op('op-dtmf', 'sendDtmfTonesOperation', { media: { durationMs: 900, startedAt: NOW - 100 } });
    const hold = op('op-hold', 'startHoldMusicOperation', {
      media: { durationMs: 500, startedAt: NOW, participantId: 'p-9' },
    });
    const done = op('op-done', 'playPromptOperation', { status: 'Completed' });
    const out = endOperationsOfEndedLeg([prompt, tones, hold, done], new Map(), NOW);
    expect(out.operations.map((o) => [o.id, o.status, o.resultInfo?.code, o.resultInfo?.subcode, o.updatedAt])).toEqual(
      [
        ['op-prompt', 'Failed', 400, 8508, NOW],
        ['op-dtmf', 'Failed', 400, 8508, NOW],
        ['op-hold', 'Failed', 400, 8508, NOW],
      ],
    );
    expect(out.operations[0]!.resultInfo?.message).toBe(
      'Action failed, the operation was cancelled: the call has ended.',
    );
    expect(out.operations[0]!.media?.completionReason).toBe('operationCanceled');
    expect(out.timerIds).toEqual(['media-op-prompt', 'media-op-dtmf', 'media-op-hold']);
    expect(out.participants).toEqual([]);
  });

  it('an invite still ringing fails 487 for the ringing invitee only; her answer timer is named, a joined one kept', () => {
    const ringing = participant({ id: 'p-nora', status: 'inviting', identity: user(USERS.nora) });
    const invite = op('op-invite', 'inviteParticipantsOperation', {
      invitees: [entry('p-adele', { settled: true, joined: true }), entry('p-nora')],
    });
    const out = endOperationsOfEndedLeg([invite], new Map([[ringing.id, ringing]]), NOW);
    const failed = out.operations[0]!;
    expect(failed.status).toBe('Failed');
    expect(failed.resultInfo).toMatchObject({ code: 487, subcode: 0 });
    expect(failed.resultInfo?.message).toBe(
      `addParticipants failed for participant 8:orgid:${USERS.nora}. Underlying reason: The call ended before the invitee answered. DiagCode: 487#0.@`,
    );
    expect(failed.invitees.map((i) => [i.participantId, i.settled, i.joined])).toEqual([
      ['p-adele', true, true],
      ['p-nora', true, false],
    ]);
    expect(out.participants).toEqual([{ ...ringing, status: 'failed', outcome: failed.resultInfo, updatedAt: NOW }]);
    expect(out.timerIds).toEqual(['invitee-p-nora']);
  });

  it('nothing running: nothing changes', () => {
    expect(
      endOperationsOfEndedLeg([op('op-1', 'muteParticipantOperation', { status: 'Completed' })], new Map(), NOW),
    ).toEqual({ operations: [], participants: [], timerIds: [] });
  });
});

describe('timersOfEndedLeg', () => {
  const own = ['keepalive-leg-1', 'established-leg-1', 'answer-window-leg-1', 'transfer-leg-1'];
  const megan = participant({ id: 'p-megan', identity: user(USERS.megan) });
  const nora = participant({ id: 'p-nora', status: 'inviting', identity: user(USERS.nora) });
  const bot = participant({ id: 'p-bot', kind: 'application', callLegId: 'leg-1', identity: user(USERS.adele) });

  it("names the leg's own timers (keepAlive, established, answer window, transfer) by their ids", () => {
    expect(timersOfEndedLeg('leg-1', [])).toEqual(own);
    expect(own).toEqual([
      TimerId.keepAlive('leg-1'),
      TimerId.established('leg-1'),
      TimerId.answerWindow('leg-1'),
      TimerId.transfer('leg-1'),
    ]);
  });

  it("while another bot leg stays live (null roster), the people's timers stay: they still matter to it", () => {
    expect(timersOfEndedLeg('leg-1', null)).toEqual(own);
  });

  it("the last leg: each person's later actions and a ringing target's answer (P2P or group call) go; a bot's own participant has none", () => {
    const out = timersOfEndedLeg('leg-1', [
      { participant: bot, laterActions: 0 },
      { participant: megan, laterActions: 2 },
      { participant: nora, laterActions: 1 },
    ]);
    expect(out).toEqual([
      ...own,
      'person-p-megan-0',
      'person-p-megan-1',
      'target-p-nora',
      'invitee-p-nora',
      'person-p-nora-0',
    ]);
    expect(out).toContain(TimerId.laterAction('p-megan', 1));
  });
});
