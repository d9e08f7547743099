/** ClockControl against a real SQLite timer store: due timers fire in due order, each at its own due time. */
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/domain/clock.js';
import type { TimerRequest } from '../../src/domain/types.js';
import { TimerLoop } from '../../src/service/timer-loop.js';
import { ClockControl } from '../../src/sim/virtual-time.js';
import { openSqliteStore } from '../../src/store/sqlite/store.js';
import type { DueTimer, Store } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 0, 1);
const timer = (id: string, dueAt: number): TimerRequest => ({
  id,
  dueAt,
  kind: 'call.established',
  payload: { callId: id },
});

describe('virtual clock', () => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  async function setUp(opts: { virtual: boolean; onFire?: (t: DueTimer, now: number) => TimerRequest[] }) {
    store = await openSqliteStore({ path: ':memory:' });
    const manual = manualClock(T0);
    const fired: { id: string; at: number }[] = [];
    const loop = new TimerLoop({
      timers: store.timers,
      clock: manual,
      fire: async (t) => {
        fired.push({ id: t.id, at: manual.now() });
        const next = opts.onFire?.(t, manual.now()) ?? [];
        await store.transact(async (tx) => {
          await tx.deleteTimer(t.id);
          await tx.putTimers(next);
        });
      },
    });
    let drains = 0;
    const control = new ClockControl({
      clock: manual,
      manual: opts.virtual ? manual : null,
      nextTimerDueAt: () => store.timers.nextDueAt(),
      nextNotificationDueAt: () => store.outbox.nextDueAt(),
      fireDueTimers: () => loop.fireDue(),
      deliverDue: () => {
        drains += 1;
        return Promise.resolve(true);
      },
    });
    return { manual, fired, control, drains: () => drains };
  }

  it('fires every timer due by the new time in due order, each at its own due time, and delivers after each', async () => {
    const { fired, control, drains } = await setUp({ virtual: true });
    await store.transact((tx) =>
      tx.putTimers([
        timer('c', T0 + 30_000),
        timer('a', T0 + 10_000),
        timer('b', T0 + 20_000),
        timer('late', T0 + 60_000),
      ]),
    );
    const r = await control.advance(45_000);
    expect(fired).toEqual([
      { id: 'a', at: T0 + 10_000 },
      { id: 'b', at: T0 + 20_000 },
      { id: 'c', at: T0 + 30_000 },
    ]);
    expect(r).toEqual({ now: T0 + 45_000, steps: 3, timersFired: 3 });
    expect(drains()).toBeGreaterThanOrEqual(4);
    expect(await store.timers.nextDueAt()).toBe(T0 + 60_000);
  });

  it('runs timers that a fired timer schedules within the same advance (a ring that leads to establishment)', async () => {
    const { fired, control } = await setUp({
      virtual: true,
      onFire: (t, now) => (t.id === 'ring' ? [timer('establish', now + 200)] : []),
    });
    await store.transact((tx) => tx.putTimers([timer('ring', T0 + 1_000)]));
    await control.advance(1_500);
    expect(fired).toEqual([
      { id: 'ring', at: T0 + 1_000 },
      { id: 'establish', at: T0 + 1_200 },
    ]);
  });

  it('never moves back, and refuses to move a real clock', async () => {
    const { control, manual } = await setUp({ virtual: true });
    await expect(control.setTo(T0 - 1)).rejects.toThrow(RangeError);
    await control.setTo(T0 + 5);
    expect(manual.now()).toBe(T0 + 5);
    await store.close();
    const real = await setUp({ virtual: false });
    expect(real.control.virtual).toBe(false);
    await expect(real.control.advance(1)).rejects.toThrow(/real clock/);
  });
});
