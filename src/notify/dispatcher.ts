/**
 * NotificationDispatcher: delivers outbox rows to bot callbacks, in order within a call, in parallel across calls.
 *
 * The loop (one pump at a time; `#kick` starts it or asks the running one to go round again):
 *   1. Claim up to `concurrency − in flight` due rows. The store hands out at most one row per call, the call's
 *      oldest pending one, leased for `leaseMs`; so a call never has two notifications in flight, and rows a
 *      crashed dispatcher held come back when their lease lapses.
 *   2. Each claimed row is POSTed on its own (delivery.ts) and its result written back: 2xx → markDelivered;
 *      otherwise markFailed with the next attempt time (exponential backoff by attempt count, or a longer
 *      Retry-After on 429/503), or null, dead-lettering it, once the row is older than `maxAgeMs`.
 *   3. A finished delivery kicks the loop at once: the next row of that call has just become claimable.
 *   4. When nothing more can be claimed, sleep until the next row is due, at most `pollIntervalMs`. `wake()`
 *      (the service calls it after a commit that appended rows) cuts the sleep short; it is a hint only.
 * Times come from `clock` (virtual in tests: advance it and wake()), sleeps are real timers. A store error is
 * logged and retried on the next tick; no promise here can reject unhandled.
 */
import { notificationSummaryOf } from '../store/outbox-rows.js';
import type { OutboxRow, Store } from '../store/store.js';
import { postInProcess, postRequestOf, type DeliveryResult, type Post } from './delivery.js';
import {
  nextAttemptAt,
  resolveDispatchOptions,
  type DispatchOptions,
  type DispatchOptionsInput,
} from './retry-policy.js';
import type { WakeSource } from './wake.js';

export type { DispatchOptions, DispatchOptionsInput } from './retry-policy.js';

export type DispatchLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface DispatcherDeps {
  store: Store;
  clock: { now(): number };
  /** A bearer token for notifications of this app in this tenant (the Skype-signed JWT bots validate). */
  sign: (appId: string, tenantId: string) => Promise<string>;
  log?: (level: DispatchLogLevel, msg: string, data?: Record<string, unknown>) => void;
  /**
   * Whether `log` writes lines of this level; default: every level. The delivery line needs the notification's change
   * types and resources: known to the store for a row it appended (SQLite), else read from the body, which a delivery
   * otherwise sends as stored without parsing it (src/store/outbox-rows.ts notificationSummaryOf, storedBodyOf).
   */
  logs?: (level: DispatchLogLevel) => boolean;
  options?: DispatchOptionsInput;
  /** Told after a failed attempt is recorded (the service ends a call still establishing, spec 9.10). */
  onDeliveryFailed?: (row: OutboxRow) => Promise<void>;
  /** Extra wake-ups besides wake(), e.g. PostgreSQL NOTIFY from other instances. */
  wakeSource?: WakeSource;
  /** Told after each attempt's result is recorded (the change feed looks at once). */
  afterRecord?: () => void;
  /**
   * How late this process's event loop runs now (ms; src/service/admission.ts EventLoopLag): a bot's answer that
   * arrives while the loop is busy waits that long to be read, which backlogMs counts as the server's, not the bot's.
   */
  loopLagMs?: () => number;
  /** Sends one POST; default: on this thread (the server hands it a DeliveryThread, delivery-thread.ts). */
  post?: Post;
}

export class NotificationDispatcher {
  readonly options: DispatchOptions;
  #deps: DispatcherDeps;
  #running = false;
  #inFlight = new Map<number, Promise<void>>();
  #pump: Promise<void> | null = null;
  #again = false;
  #sleep: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #idleWaiters = new Set<() => void>();
  // Backlog measurement (backlogMs): when each call's last delivery attempt here finished, each call's recent claim
  // waits, the latest claim's wait, and since when every delivery slot has been taken.
  #callFinishedAt = new Map<string, { at: number; lagMs: number }>();
  #callWaits = new Map<string, ClaimWaits>();
  #claimWait = { ms: 0, at: -Infinity };
  #fullSince: number | null = null;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    this.options = resolveDispatchOptions(deps.options);
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * How long notifications have waited on this dispatcher (ms), an overload signal (src/service/admission.ts): among
   * the first attempts of the latest claim (in the last 500 ms), the longest time the server kept one waiting, or,
   * while every delivery slot is taken, how long they have all been.
   *
   * The time the server kept a notification waiting is its own wait between becoming sendable and being claimed,
   * plus the same waits of the earlier notifications of its call that were claimed while it was queued behind them:
   * per-call order makes it wait for those too. Sendable means committed and, for a row behind an earlier one of its
   * call, that one finished. Not counted: the time the call's earlier notifications spent at the bot. A slow or
   * failing callback delays its own call's later rows by design (per-call order), and real Graph does not throttle
   * an app for that: counting it refused a C# SDK bot's invites while the SDK warmed up. Counting only a row's own
   * claim wait missed the other side: at twice the sustainable rate 300 calls queued ~20 notifications each behind
   * 16 delivery slots, each claim waited under the 1 s bound, and notifications reached the bot 20 s late.
   */
  backlogMs(): number {
    const now = this.#deps.clock.now();
    const claim = now - this.#claimWait.at <= 500 ? this.#claimWait.ms : 0;
    return Math.max(claim, this.#fullSince === null ? 0 : now - this.#fullSince);
  }

  /** Deliveries in progress now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#deps.wakeSource?.subscribe(() => this.wake()) ?? null;
    this.#kick();
  }

  /** Deliver promptly: something was just committed to the outbox. */
  wake(): void {
    this.#kick();
  }

  /** Stops claiming and waits for deliveries in flight to finish and be recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#clearSleep();
    await this.#pump;
    await Promise.all(this.#inFlight.values());
    this.#notifyIdle();
  }

  /** Resolves once every delivery in flight now has finished and been recorded (POST /_switchboard/reset waits so). */
  async settle(): Promise<void> {
    await Promise.all(this.#inFlight.values());
  }

  /**
   * Resolves true once nothing is in flight and nothing is due by the clock now (rows backing off do not count),
   * or false after `timeoutMs`. For tests and graceful shutdown; the dispatcher must be running.
   */
  async drain(timeoutMs = 5_000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.#inFlight.size === 0 && this.#pump === null) {
        const next = await this.#deps.store.outbox.nextDueAt().catch(() => 0);
        if (next === null || next > this.#deps.clock.now()) return true;
        this.wake();
      }
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.#idle(Math.min(left, this.options.pollIntervalMs));
    }
  }

  #kick(): void {
    if (!this.#running) return;
    this.#clearSleep();
    if (this.#pump !== null) {
      this.#again = true;
      return;
    }
    this.#pump = this.#runPump();
  }

  async #runPump(): Promise<void> {
    let delay: number;
    do {
      this.#again = false;
      delay = await this.#pumpOnce();
    } while (this.#again && this.#running);
    this.#pump = null;
    if (this.#running) {
      this.#sleep = setTimeout(() => {
        this.#sleep = null;
        this.#kick();
      }, delay);
      // The dispatcher alone must not keep a process alive (the HTTP server does that).
      this.#sleep.unref();
    }
    this.#notifyIdle();
  }

  /** Claims and launches what it can; returns how long to sleep. Never throws. */
  async #pumpOnce(): Promise<number> {
    const { store, clock } = this.#deps;
    const { concurrency, leaseMs, pollIntervalMs } = this.options;
    try {
      for (;;) {
        const free = concurrency - this.#inFlight.size;
        // Full: a finishing delivery kicks the loop; the poll is only a safety net.
        if (free <= 0) {
          this.#fullSince ??= clock.now();
          return pollIntervalMs;
        }
        this.#fullSince = null;
        const now = clock.now();
        const rows = await store.outbox.claimDue(now, now + leaseMs, free);
        this.#recordClaimWait(rows, clock.now());
        // A row still being delivered here can come back when its lease lapsed early (the clock jumped forward, as a
        // test or virtual clock does): never send it twice at once; the running attempt will record the outcome.
        for (const row of rows) if (!this.#inFlight.has(row.seq)) this.#launch(row);
        if (rows.length < free || !this.#running) break;
      }
      const next = await store.outbox.nextDueAt();
      if (next === null) return pollIntervalMs;
      // At least 1 ms: a row due "now" that could not be claimed must not turn this into a busy loop.
      return Math.max(1, Math.min(pollIntervalMs, next - clock.now()));
    } catch (err) {
      this.#log('error', 'notification dispatcher: outbox scan failed, retrying', { error: message(err) });
      return pollIntervalMs;
    }
  }

  #recordClaimWait(rows: OutboxRow[], now: number): void {
    let longest = -1;
    for (const row of rows) {
      if (row.attempts !== 0) continue;
      const finished = this.#callFinishedAt.get(row.callId);
      const sendable = Math.max(row.createdAt, finished?.at ?? -Infinity);
      // Behind the call's previous delivery: the end of that one's answer may have waited for this loop.
      const own =
        Math.max(0, now - sendable) + (finished !== undefined && finished.at > row.createdAt ? finished.lagMs : 0);
      let waits = this.#callWaits.get(row.callId);
      if (waits === undefined) {
        if (this.#callWaits.size >= MAX_TRACKED_CALLS) this.#forgetIdleCalls(now);
        waits = new ClaimWaits();
        this.#callWaits.set(row.callId, waits);
      }
      const behind = waits.since(row.createdAt);
      waits.add(now, own);
      longest = Math.max(longest, own + behind);
    }
    if (longest >= 0) this.#claimWait = { ms: longest, at: now };
  }

  #forgetIdleCalls(now: number): void {
    for (const [callId, waits] of this.#callWaits)
      if (now - waits.lastAt > CLAIM_WAITS_KEPT_MS) this.#callWaits.delete(callId);
    if (this.#callWaits.size >= MAX_TRACKED_CALLS) this.#callWaits.clear();
  }

  #launch(row: OutboxRow): void {
    const launchedAt = this.#deps.clock.now();
    const delivery = this.#deliver(row).finally(() => {
      const finishedAt = this.#deps.clock.now();
      // Only recent finishes matter (a later row of the call is claimed right after); bounded whatever the call count.
      if (this.#callFinishedAt.size >= 10_000) {
        for (const [callId, { at }] of this.#callFinishedAt)
          if (finishedAt - at > 10_000) this.#callFinishedAt.delete(callId);
        if (this.#callFinishedAt.size >= 10_000) this.#callFinishedAt.clear();
      }
      const lagMs = Math.min(Math.max(0, finishedAt - launchedAt), this.#deps.loopLagMs?.() ?? 0);
      this.#callFinishedAt.set(row.callId, { at: finishedAt, lagMs });
      this.#inFlight.delete(row.seq);
      this.#kick();
      this.#notifyIdle();
    });
    this.#inFlight.set(row.seq, delivery);
  }

  /** One attempt, recorded. Never throws: an unrecorded result is retried when the lease lapses. */
  async #deliver(row: OutboxRow): Promise<void> {
    const { store, clock, sign } = this.#deps;
    const attempt = row.attempts + 1;
    const startedAt = clock.now();
    const t0 = performance.now();
    let result: DeliveryResult;
    let token: string | undefined;
    try {
      token = await sign(row.appId, row.tenantId);
      result = await (this.#deps.post ?? postInProcess)(postRequestOf(row, token, this.options.requestTimeoutMs));
    } catch (err) {
      result = { statusCode: null, error: `could not sign the notification: ${message(err)}`, retryAfterMs: null };
    }
    const ms = Math.round(performance.now() - t0);
    const record = {
      outboxSeq: row.seq,
      attempt,
      startedAt,
      durationMs: ms,
      statusCode: result.statusCode,
      error: result.error,
      ...(token !== undefined ? { token } : {}),
    };
    const at = clock.now();
    const where = { seq: row.seq, callId: row.callId, messageId: row.messageId, attempt, callbackUri: row.callbackUri };
    try {
      if (result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) {
        await store.outbox.markDelivered(row.seq, at, record);
        this.#logAttempt('info', row, attempt, result, ms, '');
        return;
      }
      const error = result.error ?? `HTTP ${result.statusCode}`;
      const next = nextAttemptAt(this.options, row, attempt, at, result.retryAfterMs);
      await store.outbox.markFailed(row.seq, next, at, error, record);
      if (next === null)
        this.#logAttempt('error', row, attempt, result, ms, ', dead-lettered: the callback kept failing past maxAgeMs');
      else
        this.#logAttempt('warn', row, attempt, result, ms, `, retry in ${formatWait(next - at)}`, {
          retryInMs: next - at,
        });
    } catch (err) {
      this.#log('error', 'notification dispatcher: could not record a delivery result', {
        ...where,
        error: message(err),
      });
      return;
    } finally {
      this.#deps.afterRecord?.();
    }
    try {
      await this.#deps.onDeliveryFailed?.(row);
    } catch (err) {
      this.#log('error', 'notification dispatcher: the delivery-failure handler failed', {
        ...where,
        error: message(err),
      });
    }
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#idleWaiters.add(done);
    });
  }

  #notifyIdle(): void {
    for (const waiter of [...this.#idleWaiters]) waiter();
  }

  #clearSleep(): void {
    if (this.#sleep !== null) clearTimeout(this.#sleep);
    this.#sleep = null;
  }

  /**
   * The one line per delivery attempt: `notification updated /communications/calls/… → 202 (attempt 1, 4 ms)`, with
   * the call, message id, change types, resources, status or error and attempt as fields.
   */
  #logAttempt(
    level: DispatchLogLevel,
    row: OutboxRow,
    attempt: number,
    result: DeliveryResult,
    ms: number,
    outcome: string,
    extra?: Record<string, unknown>,
  ): void {
    if (this.#deps.logs?.(level) === false) return;
    const { changeTypes, resources } = notificationSummaryOf(row);
    const changes =
      changeTypes.length > 0
        ? changeTypes.map((c, k) => `${c} ${resources[k]}`).join(' + ')
        : '(not a commsNotifications body)';
    const answer =
      result.statusCode !== null && result.error === null
        ? String(result.statusCode)
        : (result.error ?? `HTTP ${result.statusCode}`);
    this.#log(level, `notification ${changes} → ${answer} (attempt ${attempt}, ${ms} ms)${outcome}`, {
      callId: row.callId,
      messageId: row.messageId,
      changeTypes,
      resources,
      status: result.statusCode,
      ...(result.error !== null ? { error: result.error } : {}),
      attempt,
      ms,
      callbackUri: row.callbackUri,
      ...extra,
    });
  }

  #log(level: DispatchLogLevel, msg: string, data?: Record<string, unknown>): void {
    try {
      this.#deps.log?.(level, msg, data);
    } catch {
      // A broken logger must not stop deliveries.
    }
  }
}

/** Calls whose recent claim waits are kept, and for how long (backlogMs: a row queued longer is late anyway). */
const MAX_TRACKED_CALLS = 10_000;
const CLAIM_WAITS_KEPT_MS = 60_000;
const MAX_WAITS_PER_CALL = 512;

/**
 * One call's recent claim waits, as running totals stamped with their claim time: how long the server kept the
 * call's notifications waiting for a delivery slot since a given moment is one subtraction and a binary search.
 */
export class ClaimWaits {
  #at: number[] = [];
  #wait: number[] = [];
  #total: number[] = [];
  /** Running total of the waits forgotten (older than the kept window or beyond the per-call cap). */
  #base = 0;

  get lastAt(): number {
    return this.#at.at(-1) ?? -Infinity;
  }

  /** Records a claim at `at` whose notification waited `waitMs` for it. Claim times do not go backwards. */
  add(at: number, waitMs: number): void {
    const last = this.#total.at(-1) ?? this.#base;
    this.#at.push(at);
    this.#wait.push(waitMs);
    this.#total.push(last + waitMs);
    let drop = 0;
    while (
      drop < this.#at.length - 1 &&
      (at - this.#at[drop]! > CLAIM_WAITS_KEPT_MS || this.#at.length - drop > MAX_WAITS_PER_CALL)
    )
      drop++;
    if (drop > 0) {
      this.#base = this.#total[drop - 1]!;
      this.#at.splice(0, drop);
      this.#wait.splice(0, drop);
      this.#total.splice(0, drop);
    }
  }

  /**
   * How long claims at or after `from` kept their notifications waiting, counting only the part of each wait after
   * `from` (a notification queued at `from` waited behind those claims, not behind what came before it).
   */
  since(from: number): number {
    let lo = 0;
    let hi = this.#at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#at[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.#at.length) return 0;
    const before = lo === 0 ? this.#base : this.#total[lo - 1]!;
    const sum = this.#total.at(-1)! - before;
    // The first of them may have been waiting already when `from` came.
    const overhang = Math.max(0, this.#wait[lo]! - (this.#at[lo]! - from));
    return sum - overhang;
  }
}

/** `750 ms`, `2 s`, `1 min 4 s`: how long until the next attempt. */
function formatWait(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
