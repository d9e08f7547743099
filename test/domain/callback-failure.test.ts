/** Spec 9.10: a callback that cannot be reached while the bot's outgoing call is establishing ends the call, 500/3002. */
import { describe, expect, it } from 'vitest';
import { decideCallbackUnreachable } from '../../src/domain/callback-failure.js';
import { conversation, ctx, leg, only, participant, user, USERS, view } from './fixtures.js';

describe('callback unreachable while establishing', () => {
  it('ends an establishing meeting join at once: deleted, terminated, 500/3002, the bot leaves the roster', () => {
    const conv = conversation();
    const other = leg({ id: 'leg-2', myParticipantId: 'bot-p-2' });
    const effects = decideCallbackUnreachable(view(conv, [leg({ state: 'establishing' }), other]), ctx());
    expect(
      effects.notifications.map((n) => [only(n).changeType, only(n).resourceUrl, only(n).resourceData.state ?? null]),
    ).toEqual([
      ['deleted', '/communications/calls/leg-1', 'terminated'],
      // The other bot in the meeting sees this bot leave.
      ['deleted', '/communications/calls/leg-2/participants', null],
    ]);
    expect(only(effects.notifications[0]).resourceData.resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 500,
      subcode: 3002,
      message: 'Server Internal Error. DiagCode: 500#3002.@',
    });
    expect(effects.legs).toEqual([expect.objectContaining({ id: 'leg-1', state: 'terminated' })]);
    expect(effects.participants).toEqual([expect.objectContaining({ id: 'bot-p-1', status: 'removed' })]);
  });

  it('ends an establishing peer-to-peer call; the ringing target leaves too', () => {
    const conv = conversation({ kind: 'peerToPeer' });
    const target = participant({ id: 'target', status: 'inviting', identity: user(USERS.adele) });
    const effects = decideCallbackUnreachable(view(conv, [leg({ state: 'establishing' })], [target]), ctx());
    expect(effects.notifications).toHaveLength(1);
    expect(effects.participants.map((p) => [p.id, p.status])).toEqual([
      ['bot-p-1', 'removed'],
      ['target', 'removed'],
    ]);
  });

  it('leaves alone an established call, an incoming call the bot answered, and a call already ending', () => {
    for (const l of [
      leg({ state: 'established' }),
      leg({ state: 'establishing', direction: 'incoming' }),
      leg({ state: 'terminating' }),
    ]) {
      const effects = decideCallbackUnreachable(view(conversation(), [l]), ctx());
      expect(effects.notifications).toEqual([]);
      expect(effects.legs).toEqual([]);
    }
  });
});
