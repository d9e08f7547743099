/**
 * TimerLoop.lateMs, the overload door's view of accepted work that has not been done yet (src/service/admission.ts):
 * an accepted invite is answered by a timer, so timers firing late mean invites the bot has not heard the end of.
 */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/domain/clock.js';
import type { TimerRequest } from '../../src/domain/types.js';
import { FIRING_SLICE_MS, TimerLoop } from '../../src/service/timer-loop.js';
import type { DueTimer, TimerStore } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 0, 1);

/** An in-memory timer table: claimDue hands out the due ones, oldest first, up to the limit. */
function timerTable(): TimerStore & { add(dueAt: number, n?: number): void } {
  let pending: TimerRequest[] = [];
  let next = 0;
  return {
    add(dueAt, n = 1) {
      for (let i = 0; i < n; i++)
        pending.push({ id: `t${next++}`, dueAt, kind: 'call.keepAliveExpired', payload: { callId: `c${next}` } });
      pending.sort((a, b) => a.dueAt - b.dueAt);
    },
    claimDue(now, _leaseUntil, limit) {
      const due = pending.filter((t) => t.dueAt <= now).slice(0, limit);
      pending = pending.filter((t) => !due.includes(t));
      return Promise.resolve(due as DueTimer[]);
    },
    nextDueAt: () => Promise.resolve(pending[0]?.dueAt ?? null),
  };
}

describe('TimerLoop.lateMs', () => {
  it('is how late the oldest claimed timer was, for 500 ms after the claim', async () => {
    const clock = manualClock(T0);
    const timers = timerTable();
    const loop = new TimerLoop({ timers, clock, fire: () => Promise.resolve() });
    expect(loop.lateMs()).toBe(0);

    timers.add(T0 - 2_000);
    timers.add(T0 - 50);
    expect(await loop.fireDue()).toBe(2);
    expect(loop.lateMs()).toBe(2_000);
    clock.advance(500);
    expect(loop.lateMs()).toBe(2_000);
    clock.advance(1);
    expect(loop.lateMs()).toBe(0);

    // Timers claimed on time are not late.
    timers.add(clock.now());
    await loop.fireDue();
    expect(loop.lateMs()).toBe(0);
  });

  it('while a claim left due timers behind it, grows with the time since that claim', async () => {
    const clock = manualClock(T0);
    const timers = timerTable();
    // Firing takes time: each timer moves the clock by 10 ms, as a timer writing a large roster would.
    const loop = new TimerLoop({
      timers,
      clock,
      fire: () => {
        clock.advance(10);
        return Promise.resolve();
      },
    });
    timers.add(T0 - 300, 250);
    expect(await loop.fireDue()).toBe(100);
    // 100 timers fired at 10 ms each since the claim, and 150 were due then and are still waiting.
    expect(loop.lateMs()).toBe(1_000);
    expect(await loop.fireDue()).toBe(100);
    // This claim found them 1,300 ms late; 1,000 ms more passed firing it, and 50 are left.
    expect(loop.lateMs()).toBe(1_300);
    expect(await loop.fireDue()).toBe(50);
    // The last claim took everything due: only its own lateness counts, for 500 ms (500 of them spent firing).
    expect(loop.lateMs()).toBe(2_300);
    clock.advance(1);
    expect(loop.lateMs()).toBe(0);
  });
});

describe('TimerLoop firing a long run of due timers', () => {
  it('lets the event loop turn every FIRING_SLICE_MS instead of firing them all in one turn', async () => {
    const clock = manualClock(T0);
    const timers = timerTable();
    timers.add(T0 - 1_000, 100);
    let fired = 0;
    // Each timer's command keeps the thread 1 ms and settles at once, as one whose group a queue claim commits.
    const loop = new TimerLoop({
      timers,
      clock,
      fire: () => {
        const until = performance.now() + 1;
        while (performance.now() < until) {
          /* a command's work */
        }
        fired++;
        return Promise.resolve();
      },
    });
    const firedAtEachTurn: number[] = [];
    const turns = setInterval(() => firedAtEachTurn.push(fired), 0);
    try {
      expect(await loop.fireDue()).toBe(100);
    } finally {
      clearInterval(turns);
    }
    // The event loop's timers ran while the 100 timers fired (~100 ms), not only after them all.
    const during = firedAtEachTurn.filter((n) => n > 0 && n < 100);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...during)).toBeLessThanOrEqual(Math.ceil(FIRING_SLICE_MS * 1.5));
  });
});
