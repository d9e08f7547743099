/**
 * The clock the calling world runs on, and the control API's way to move it. With `--clock virtual` time stands
 * still until `advance`: then every timer (ringing, answer windows, keepAlive expiry, establishment) and every
 * notification retry due by the new time runs, each at its own due time, in due order, before `advance` returns.
 * On the real clock `advance` is refused (the caller answers 409).
 */
import type { Clock, manualClock } from '../domain/clock.js';

export type ManualClock = ReturnType<typeof manualClock>;

export interface ClockControlDeps {
  /** The world's clock; a manual one makes the clock virtual. */
  clock: Clock;
  manual: ManualClock | null;
  /** Earliest due time of a timer and of a notification (delivery or retry). */
  nextTimerDueAt(): Promise<number | null>;
  nextNotificationDueAt(): Promise<number | null>;
  /** Fires the timers due now; returns how many were claimed. */
  fireDueTimers(): Promise<number>;
  /** Delivers what is due now and waits (at most `timeoutMs`) until nothing due is in flight. */
  deliverDue(timeoutMs: number): Promise<unknown>;
}

export class ClockNotVirtualError extends Error {}

export interface AdvanceResult {
  /** Virtual time after the advance. */
  now: number;
  /** Distinct instants the clock stopped at on the way (timer or retry due times). */
  steps: number;
  timersFired: number;
}

// A safety bound: a timer that keeps rescheduling itself "now" must not hang the request.
const MAX_STEPS = 20_000;
const SETTLE_ROUNDS = 50;
const DRAIN_MS = 5_000;

export class ClockControl {
  readonly #deps: ClockControlDeps;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: ClockControlDeps) {
    this.#deps = deps;
  }

  get virtual(): boolean {
    return this.#deps.manual !== null;
  }

  now(): number {
    return this.#deps.clock.now();
  }

  /** Moves virtual time forward by `ms`; everything due by then has run when the promise resolves. */
  advance(ms: number): Promise<AdvanceResult> {
    return this.#exclusive(() => this.#advanceTo(this.now() + ms));
  }

  /** Moves virtual time forward to `at` (epoch ms); time never goes back. */
  setTo(at: number): Promise<AdvanceResult> {
    return this.#exclusive(() => this.#advanceTo(at));
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #advanceTo(target: number): Promise<AdvanceResult> {
    const manual = this.#deps.manual;
    if (!manual)
      throw new ClockNotVirtualError('The server runs on the real clock; start it with --clock virtual to move time.');
    if (target < manual.now()) throw new RangeError('Virtual time only moves forward.');
    let timersFired = await this.#settle();
    let steps = 0;
    let stuck = 0;
    while (steps < MAX_STEPS) {
      const next = minOf(await this.#deps.nextTimerDueAt(), await this.#deps.nextNotificationDueAt());
      if (next === null || next > target) break;
      if (next > manual.now()) {
        manual.set(next);
        stuck = 0;
      } else if (++stuck > 2) {
        // Something due now will not run (e.g. a delivery still in flight after the drain timeout): move on.
        break;
      }
      steps += 1;
      timersFired += await this.#settle();
    }
    if (manual.now() < target) manual.set(target);
    timersFired += await this.#settle();
    return { now: manual.now(), steps, timersFired };
  }

  /** Runs what is due at the current instant: timers (and the timers they schedule for now), then deliveries. */
  async #settle(): Promise<number> {
    let fired = 0;
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      const n = await this.#deps.fireDueTimers();
      fired += n;
      await this.#deps.deliverDue(DRAIN_MS);
      if (n === 0) break;
    }
    return fired;
  }
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
