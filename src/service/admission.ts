/**
 * Overload honesty (issue 17): beyond capacity every Graph request is answered promptly, either accepted (and then
 * notified) or refused with Graph's throttling answer, `429 TooManyRequests` with `Retry-After`, before anything
 * is written. Without it a saturated server queues requests until clients time out, commits some of them after
 * the client gave up, and lets notifications fall seconds behind.
 *
 * Three signals, each with its own bound (`--overload-lag`, `--overload-backlog`, `--overload-wait`; `off` for none):
 * - **event-loop lag** (checked at the door, before the body is read): the main thread runs the HTTP server, the
 *   commands and the deliveries; when its loop runs late in two probes in a row, or the current turn has already
 *   run longer than the bound, requests are waiting unread in socket buffers, so new ones are refused cheaply until
 *   it catches up. Two probes, so that one GC pause that has ended does not refuse anything. While connections
 *   wait to be accepted, requests wait for a turn in the pacer (src/api/turn-pacer.ts) instead, with short turns:
 *   how long the oldest has waited counts as lag then.
 * - **backlog of accepted work** (at the door): how long committed notifications wait to be sent, measured by the
 *   dispatcher (NotificationDispatcher.backlogMs), and how late due timers fire (TimerLoop.lateMs: an accepted
 *   invite is answered by a timer, and only then notified). Bounding it bounds how late a bot hears of an accepted
 *   command; without the timers, a server whose answers cost more than its invites kept accepting invites it could
 *   not answer for minutes. From a quarter of the bound a growing share is refused (backlogAdmitShare), all past it.
 * - **queue wait** (at the store): a command that waited longer than the bound for its transaction turn is not run
 *   (QueueWaitExceeded) and answered 429: a backlog never turns into commits the client stopped waiting for. The
 *   same bound holds for a request's wait for its turn in the pacer (src/api/turn-pacer.ts): past it the request is
 *   refused unread (src/api/overload-door.ts). The two waits share the bound: a request let through after waiting
 *   in the pacer may wait only what is left of it for its transaction turn (CallingService.forRequest).
 */
export interface OverloadLimits {
  /** Event-loop lag (ms) in two probes in a row beyond which new Graph requests are refused; null: never. */
  lagMs: number | null;
  /** Notification backlog (ms) beyond which new Graph requests are refused; null: never. */
  backlogMs: number | null;
  /**
   * Longest a Graph request queues (ms): in the pacer, then for its command's transaction turn; beyond it the request
   * is refused unrun; null: no bound.
   */
  waitMs: number | null;
}

export const DEFAULT_OVERLOAD_LIMITS: OverloadLimits = { lagMs: 200, backlogMs: 500, waitMs: 500 };

/** How long to wait before retrying after an overload refusal (Retry-After), in ms. */
export const OVERLOAD_RETRY_AFTER_MS = 1000;

export type OverloadReason = 'lag' | 'backlog';

/**
 * The event loop's lateness, sampled by a repeating timer: how much later than scheduled each probe ran. Cheap (one
 * timer every `intervalMs`), unref'd so it never keeps the process alive.
 */
export class EventLoopLag {
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #expected = 0;
  #last = 0;
  #previous = 0;

  constructor(intervalMs = 25) {
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#expected = performance.now() + this.#intervalMs;
    this.#timer = setInterval(() => this.#sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /**
   * The smaller of the last two probes' lateness (sustained lag, not one pause), or, when larger, how overdue the
   * next probe is right now: in the middle of a long turn (hundreds of requests read at once) the turn itself is the
   * lag, and the requests at its end have waited all of it.
   */
  get sustainedMs(): number {
    return Math.max(Math.min(this.#last, this.#previous), this.#timer ? performance.now() - this.#expected : 0);
  }

  #sample(): void {
    const now = performance.now();
    this.#previous = this.#last;
    this.#last = Math.max(0, now - this.#expected);
    this.#expected = now + this.#intervalMs;
  }
}

export interface OverloadSignals {
  /** Sustained event-loop lag now (ms). */
  lagMs(): number;
  /** Notification backlog now (ms). */
  backlogMs(): number;
}

/**
 * Where shedding for the backlog starts, as a share of its bound: from here an ever larger share of requests is
 * refused, all of them past the bound. Why not only past the bound: the backlog measures work admitted a while ago
 * (accepted requests still queue for their transaction turn, then the invitee answers by timer), so while it climbed
 * toward the bound the door let in everything offered, and once past it refused everything; the backlog bounced off
 * the bound and the bot heard of accepted invites up to 2.4 s after they were due. Measured at 2× the sustainable
 * rate (2,000 invites/s offered for 30 s, SQLite file; bench scenario 10 at a fixed rate, 2026-12-07):
 * - refused only past the bound: slowest notification 2,146 / 2,439 / 2,017 / 1,953 ms after the request was due,
 *   34,872–36,734 accepted;
 * - shedding from half the bound: 2,166 / 1,742 / 957 / 1,511 / 1,979 ms, 34,591–37,572 accepted;
 * - from a quarter (this): 1,069 / 928 / 914 ms, 37,341–39,273 accepted;
 * - from 0: 894 / 1,062 / 1,036 ms, 34,172–38,122 accepted, but it refuses a request now and then at any backlog,
 *   a few milliseconds under ordinary load included.
 * Refusing in proportion settles the backlog inside the bound instead of bouncing off it, and lets in more: less
 * work waits in queues.
 */
export const BACKLOG_SHEDDING_FROM = 0.25;

/**
 * The share of requests to admit at `backlogMs` for a bound of `boundMs`: all below BACKLOG_SHEDDING_FROM of it,
 * none past it, falling linearly between.
 */
export function backlogAdmitShare(backlogMs: number, boundMs: number): number {
  const from = boundMs * BACKLOG_SHEDDING_FROM;
  if (backlogMs <= from) return 1;
  if (backlogMs > boundMs) return 0;
  return (boundMs - backlogMs) / (boundMs - from);
}

/** The door check: refuses a request while a signal is past its bound, and a share of them as the backlog nears its. */
export class Admission {
  readonly limits: OverloadLimits;
  readonly #signals: OverloadSignals;
  #refused = 0;
  /**
   * Admissions owed while the backlog nears its bound: each request adds the share to admit, and is admitted when
   * that makes a whole one. Error diffusion, not Math.random: the same sequence of signals refuses the same requests
   * (a test, or a replayed run, sees the same answers), and no run of bad luck refuses ten in a row at a 90 % share.
   */
  #credit = 0;

  constructor(limits: OverloadLimits, signals: OverloadSignals) {
    this.limits = limits;
    this.#signals = signals;
  }

  /** Requests refused at the door so far (the status route and the bench read it). */
  get refused(): number {
    return this.#refused;
  }

  /**
   * A request that waited `waitedMs` for its turn (src/api/turn-pacer.ts): refused past the wait bound (`waitMs`, as
   * a command's wait for its transaction turn is), and counted with the door's refusals.
   */
  refuseWaited(waitedMs: number): boolean {
    const { waitMs } = this.limits;
    if (waitMs === null || waitedMs <= waitMs) return false;
    this.#refused++;
    return true;
  }

  /** Null to admit; else why the request is refused. */
  check(): OverloadReason | null {
    const { lagMs, backlogMs } = this.limits;
    let reason: OverloadReason | null = null;
    if (lagMs !== null && this.#signals.lagMs() > lagMs) reason = 'lag';
    else if (backlogMs !== null && !this.#admitForBacklog(backlogAdmitShare(this.#signals.backlogMs(), backlogMs)))
      reason = 'backlog';
    if (reason) this.#refused++;
    return reason;
  }

  #admitForBacklog(share: number): boolean {
    if (share >= 1) {
      this.#credit = 0;
      return true;
    }
    this.#credit += share;
    if (this.#credit < 1) return false;
    this.#credit -= 1;
    return true;
  }
}
