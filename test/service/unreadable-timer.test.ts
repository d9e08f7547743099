/**
 * A stored timer row that does not read as a timer (an older version's, a hand edit) is logged as an error once and
 * dropped, never guessed at and never retried forever; the timers around it fire as usual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, sequentialIds } from '../../src/domain/clock.js';
import type { TimerRequest } from '../../src/domain/types.js';
import { CallingService } from '../../src/service/calling-service.js';
import { TimerLoop } from '../../src/service/timer-loop.js';
import { defaultWorld } from '../../src/sim/default-world.js';
import { Directory } from '../../src/sim/directory.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 0, 1);

describe('an unreadable timer row', () => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  it('is logged as an error and deleted; a readable timer next to it fires', async () => {
    store = await openSqliteStore({ path: ':memory:' });
    const clock = manualClock(T0);
    const service = new CallingService({
      store,
      directory: new Directory(defaultWorld()),
      clock,
      ids: sequentialIds(),
    });
    const logged: { level: string; msg: string }[] = [];
    const loop = new TimerLoop({
      timers: store.timers,
      clock,
      fire: (t) => service.fireTimer(t),
      log: (level, msg) => logged.push({ level, msg }),
    });
    // No such call: the readable timer fires and decides nothing, but is consumed.
    const readable: TimerRequest = {
      id: 'keepalive-gone',
      dueAt: T0,
      kind: 'call.keepAliveExpired',
      payload: { callId: 'gone' },
    };
    const unreadable = {
      id: 'invitee-old',
      dueAt: T0,
      kind: 'invitee.answer',
      payload: { callId: 'c', participantId: 'p', operationId: '', outcome: 'maybe' },
    } as unknown as TimerRequest;
    await store.transact((tx) => tx.putTimers([readable, unreadable]));

    expect(await loop.fireDue()).toBe(2);
    expect(logged).toEqual([
      {
        level: 'error',
        msg: 'timer invitee-old dropped: it does not read as a timer (invitee.answer timer invitee-old: payload.outcome is not an invitee outcome)',
      },
    ]);
    // Both rows are gone: nothing is left to claim, now or after any lease.
    expect(await store.timers.nextDueAt()).toBeNull();
    expect(await store.timers.claimDue(T0 + 3_600_000, T0 + 3_700_000, 10)).toEqual([]);
  });
});
