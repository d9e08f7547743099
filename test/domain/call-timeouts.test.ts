/** keepAlive (45-minute inactivity, 408/8537) and the 15-second answer window of incoming calls (408/1106). */
import { describe, expect, it } from 'vitest';
import {
  ANSWER_WINDOW_MS,
  decideAnswerWindowExpired,
  decideEstablished,
  decideIncomingCall,
  decideKeepAlive,
  decideKeepAliveExpired,
  KEEPALIVE_TIMEOUT_MS,
} from '../../src/domain/call.js';
import { isRejection } from '../../src/domain/rejections.js';
import type { WorldView } from '../../src/domain/world.js';
import { defaultWorld } from '../../src/sim/default-world.js';
import { Directory } from '../../src/sim/directory.js';
import { APP, conversation, ctx, leg, NOW, only, participant, TENANT, user, USERS, view } from './fixtures.js';

describe('keepAlive', () => {
  it('(re)schedules the one keepAlive timer of the leg 45 minutes out', () => {
    const effects = decideKeepAlive(leg(), ctx());
    expect(effects.timers).toEqual([
      {
        id: 'keepalive-leg-1',
        dueAt: NOW + KEEPALIVE_TIMEOUT_MS,
        kind: 'call.keepAliveExpired',
        payload: { callId: 'leg-1' },
      },
    ]);
    expect(effects.notifications).toEqual([]);
    expect(effects.legs).toEqual([]);
  });

  it('is armed when a leg becomes established', () => {
    const conv = conversation();
    const effects = decideEstablished(view(conv, [leg({ state: 'establishing' })]), ctx());
    expect(effects.timers).toContainEqual(
      expect.objectContaining({
        id: 'keepalive-leg-1',
        kind: 'call.keepAliveExpired',
        dueAt: NOW + KEEPALIVE_TIMEOUT_MS,
      }),
    );
  });

  it('ends an inactive leg: updated terminating, then deleted terminated with 408/8537', () => {
    const conv = conversation();
    const effects = decideKeepAliveExpired(view(conv, [leg()]), ctx());
    expect(effects.notifications.map((n) => [only(n).changeType, only(n).resourceData.state])).toEqual([
      ['updated', 'terminating'],
      ['deleted', 'terminated'],
    ]);
    expect(only(effects.notifications[1]).resourceData.resultInfo).toMatchObject({ code: 408, subcode: 8537 });
    expect(effects.legs[0]).toMatchObject({ state: 'terminated', terminationReason: 'KeepAliveTimeout' });
  });

  it('does nothing to a leg that is already ending', () => {
    const effects = decideKeepAliveExpired(view(conversation(), [leg({ state: 'terminating' })]), ctx());
    expect(effects.notifications).toEqual([]);
    expect(effects.legs).toEqual([]);
  });
});

describe('answer window', () => {
  it('opens with the incoming call: a timer 15 seconds out', () => {
    const r = decideIncomingCall(
      { tenantId: TENANT, source: { user: { id: USERS.adele } }, target: { application: { id: APP } } },
      withCallback(),
      ctx(),
    );
    if (isRejection(r)) throw new Error(r.message);
    expect(r.effects.timers).toEqual([
      {
        id: `answer-window-${r.leg.id}`,
        dueAt: NOW + ANSWER_WINDOW_MS,
        kind: 'call.answerWindow',
        payload: { callId: r.leg.id },
      },
    ]);
  });

  it('ends a call still incoming: deleted, terminated, 408/1106; the caller leaves', () => {
    const conv = conversation({ kind: 'peerToPeer' });
    const caller = participant({ id: 'caller', identity: user(USERS.adele) });
    const effects = decideAnswerWindowExpired(
      view(conv, [leg({ state: 'incoming', direction: 'incoming' })], [caller]),
      ctx(),
    );
    const n = only(effects.notifications[0]);
    expect(effects.notifications).toHaveLength(1);
    expect(n.changeType).toBe('deleted');
    expect(n.resourceData).toMatchObject({ state: 'terminated', resultInfo: { code: 408, subcode: 1106 } });
    expect(effects.legs[0]?.state).toBe('terminated');
    expect(effects.participants.find((p) => p.id === 'caller')?.status).toBe('removed');
  });

  it.each(['establishing', 'established'] as const)('leaves a call the bot already answered (%s) alone', (state) => {
    const effects = decideAnswerWindowExpired(
      view(conversation({ kind: 'peerToPeer' }), [leg({ state, direction: 'incoming' })]),
      ctx(),
    );
    expect(effects.notifications).toEqual([]);
    expect(effects.legs).toEqual([]);
  });
});

function withCallback(): WorldView {
  const w = defaultWorld();
  w.tenants[0]!.apps[0]!.callbackUri = 'https://bot.contoso.com/api/calls';
  return new Directory(w);
}
