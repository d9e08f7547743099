/**
 * Feeds due timers (ring answers, establishment) back into the service. Timers are durable rows: a crash
 * between "due" and "fired" only delays them, because an unfired timer's lease expires and it is claimed again.
 * The loop sleeps until the earliest due timer (at most `pollMs`); `wake()` cuts the sleep short.
 */
import type { Clock } from '../domain/clock.js';
import { timerLane } from '../domain/timers.js';
import { isUnreadableTimer, type DueTimer, type TimerStore } from '../store/store.js';

export interface TimerLoopDeps {
  timers: TimerStore;
  clock: Clock;
  fire: (timer: DueTimer) => Promise<void>;
  log?: (level: 'error' | 'warn' | 'info' | 'debug', msg: string, data?: unknown) => void;
  pollMs?: number;
  leaseMs?: number;
  /** Timers fired at once (default 16); timers of one call never overlap. */
  concurrency?: number;
}

/** Timers claimed per round. */
const CLAIM_BATCH = 100;

/**
 * Longest the loop goes on firing timers before it lets the event loop turn (ms). A fired timer's command resumes the
 * loop from a promise, and the promise settles when the command's group commits, which a queue claim does at once
 * when the group queued notifications (src/store/sqlite/store.ts QueueGates): so claim, fire, commit and the next
 * claim could follow one another in microtasks for as long as timers were due, and the event loop never reached its
 * timers or its sockets. Measured in the bench's beyond-capacity run (SQLite file, 2x the sustainable rate): turns of
 * 330-1,010 ms with no request read, each firing 680-1,350 timers (the invitees' answers); requests that arrived
 * meanwhile were answered more than 1 s after they were sent, and the door, blind during the turn, then saw a lag
 * far past its bound and refused the next second's requests.
 */
export const FIRING_SLICE_MS = 20;

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/**
 * Resumes in a later turn of the event loop, after its timers and sockets had their phases: an immediate queued
 * outside the check phase runs in this turn's check phase, so the second one is queued from there and runs a turn on.
 */
const nextTurn = async (): Promise<void> => {
  await immediate();
  await immediate();
};

export class TimerLoop {
  private readonly deps: TimerLoopDeps;
  private running = false;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private loop: Promise<void> | null = null;
  /** One firing round at a time: the loop and a virtual-clock advance never fire timers concurrently. */
  private round: Promise<unknown> = Promise.resolve();
  // Lateness measurement (lateMs): at the latest claim, the oldest claimed timer's lateness, and whether the batch
  // was full (more timers were due than it took).
  private lastClaim = { lateMs: 0, at: -Infinity, full: false };
  /** When the loop last let the event loop turn (performance.now()), for FIRING_SLICE_MS. */
  private sliceStart = performance.now();

  constructor(deps: TimerLoopDeps) {
    this.deps = deps;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * How late due timers are firing now (ms), an overload signal (src/service/admission.ts): the oldest timer's
   * lateness at the latest claim (for 500 ms after it), or, when that claim left timers due behind it, the longer
   * of that and the time since (they have waited at least that long). An accepted invite is answered by a timer
   * (the invitee picking up), so timers running late are accepted commands whose notifications do not exist yet:
   * work the notification backlog cannot see, and which grows when every answer writes a large roster.
   */
  lateMs(): number {
    const { lateMs, at, full } = this.lastClaim;
    const since = this.deps.clock.now() - at;
    if (full) return Math.max(lateMs, since);
    return since <= 500 ? lateMs : 0;
  }

  wake(): void {
    if (!this.sleeper) return;
    clearTimeout(this.sleeper.timer);
    this.sleeper.resolve();
    this.sleeper = null;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /**
   * Claims and fires the timers due by the clock now (up to CLAIM_BATCH), in due order; returns how many it claimed.
   * Serialized with the loop's own rounds, so a caller that moves the clock sees timers fire in order.
   */
  fireDue(leaseMs = this.deps.leaseMs ?? 30_000): Promise<number> {
    const next = this.round.then(async () => {
      const now = this.deps.clock.now();
      const due = await this.deps.timers.claimDue(now, now + leaseMs, CLAIM_BATCH);
      const oldest = due.reduce((t, timer) => Math.min(t, timer.dueAt), now);
      this.lastClaim = { lateMs: now - oldest, at: now, full: due.length === CLAIM_BATCH };
      await this.fireAll(due);
      return due.length;
    });
    this.round = next.catch(() => undefined);
    return next;
  }

  /**
   * Fires `due` (in due order) with up to `concurrency` in flight; timers of one call (payload.callId) run one
   * after another, so a call's commits keep due order. Different calls' timers overlap: their wait at the store's
   * transaction gate (at high priority) and, on PostgreSQL, their transactions.
   */
  private async fireAll(due: DueTimer[]): Promise<void> {
    const limit = Math.max(1, this.deps.concurrency ?? 16);
    const lanes = new Map<string, Promise<void>>();
    const inFlight = new Set<Promise<void>>();
    for (const timer of due) {
      while (inFlight.size >= limit) await Promise.race(inFlight);
      await this.yieldIfSliceUsed();
      const lane = isUnreadableTimer(timer) ? '' : timerLane(timer);
      const fired = (lanes.get(lane) ?? Promise.resolve()).then(() => this.fireOne(timer));
      lanes.set(lane, fired);
      inFlight.add(fired);
      void fired.then(() => inFlight.delete(fired));
    }
    await Promise.all(inFlight);
  }

  /** Lets the event loop turn once this slice of firing has run FIRING_SLICE_MS. */
  private async yieldIfSliceUsed(): Promise<void> {
    if (performance.now() - this.sliceStart < FIRING_SLICE_MS) return;
    await nextTurn();
    this.sliceStart = performance.now();
  }

  /** Never rejects: the lease lapses and the timer is retried; a broken timer must not stop the others. */
  private async fireOne(timer: DueTimer): Promise<void> {
    // A row that does not read as a timer can never fire: said loudly once, then dropped (`fire` deletes it).
    if (isUnreadableTimer(timer))
      this.deps.log?.('error', `timer ${timer.id} dropped: it does not read as a timer (${timer.problem})`, {
        kind: timer.kind,
      });
    try {
      await this.deps.fire(timer);
    } catch (e) {
      this.deps.log?.('error', `timer ${timer.kind} ${timer.id} failed`, { error: (e as Error).stack });
    }
  }

  private async run(): Promise<void> {
    const pollMs = this.deps.pollMs ?? 1000;
    const leaseMs = this.deps.leaseMs ?? 30_000;
    while (this.running) {
      let sleepMs = pollMs;
      try {
        const fired = await this.fireDue(leaseMs);
        if (fired > 0) {
          await this.yieldIfSliceUsed();
          continue;
        }
        const next = await this.deps.timers.nextDueAt();
        if (next !== null) sleepMs = Math.max(0, Math.min(pollMs, next - this.deps.clock.now()));
      } catch (e) {
        this.deps.log?.('error', 'timer loop failed; retrying', { error: (e as Error).stack });
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.sleeper = {
          timer: setTimeout(() => {
            this.sleeper = null;
            resolve();
          }, sleepMs),
          resolve,
        };
      });
    }
  }
}
