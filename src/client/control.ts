/**
 * A typed client of Switchboard's control API (`/_switchboard/…`), for a bot's test suite: what only a person, the
 * phone network or the test itself can do (call the bot, change how people answer, move the virtual clock, inject
 * faults, reset the server), and the log of notifications sent, with `waitForNotification`.
 *
 *   const control = new SwitchboardControl('http://127.0.0.1:4100');
 *   await control.people.setBehaviour(userId, { answer: { action: 'decline' } });
 *   const { notification } = await control.waitForNotification((n) => n.changeType === 'deleted', 5000);
 *
 * Uses only `fetch`: importing it loads nothing of the server (no SQLite, no Fastify), so it also serves a test
 * suite that talks to a Switchboard started elsewhere (`npx switchboard start`, a container).
 */
import type {
  BehaviourChange,
  CallDetail,
  CallListFilter,
  CallOperations,
  CallSummary,
  ClockMove,
  ClockView,
  CommsNotification,
  Fault,
  GraphCall,
  IncomingCallRequest,
  NotificationLogEntry,
  NotificationQuery,
  Person,
  PersonAction,
  PersonActionResult,
  PressTonesResult,
  Readiness,
  ResetResult,
  World,
} from './types.js';

/** An answer of the control API other than 2xx: Graph's error envelope, unpacked. */
export class SwitchboardError extends Error {
  readonly status: number;
  /** Graph `error.code` (`BadRequest`, `itemNotFound`, `Conflict`, …). */
  readonly code: string;
  /** The offending request property, when the server names one. */
  readonly target: string | null;
  /** The method and URL of the request. */
  readonly request: string;

  constructor(request: string, status: number, code: string, message: string, target: string | null) {
    super(`${request} answered ${status} ${code}: ${message}`);
    this.name = 'SwitchboardError';
    this.request = request;
    this.status = status;
    this.code = code;
    this.target = target;
  }
}

/**
 * `waitForNotification` gave up: no match within the time (`timeout`; the message lists every notification that did
 * arrive meanwhile), or the match can never be delivered (`deadLettered`).
 */
export class WaitForNotificationError extends Error {
  readonly reason: 'timeout' | 'deadLettered';
  /** The log entries read while waiting (of the call, when `callId` was given). */
  readonly seen: NotificationLogEntry[];

  constructor(reason: 'timeout' | 'deadLettered', message: string, seen: NotificationLogEntry[]) {
    super(message);
    this.name = 'WaitForNotificationError';
    this.reason = reason;
    this.seen = seen;
  }
}

export interface ControlOptions {
  /** The control key of a server bound beyond loopback (`--control-key`); sent as `Authorization: Bearer`. */
  key?: string;
  /** Another `fetch` (a proxy, a recorder); the global one by default. */
  fetch?: typeof fetch;
}

/** What `waitForNotification` looks at; `predicate` gets each notification of each log entry, in order. */
export type NotificationPredicate = (notification: CommsNotification, entry: NotificationLogEntry) => boolean;

export interface WaitOptions {
  /** Give up after this many milliseconds of real time (default 5000). */
  timeoutMs?: number;
  /** Only this call's notifications (faster on a busy server; the predicate still decides). */
  callId?: string;
  /** Only log entries with a `sequence` above this one (`await control.notifications.latestSequence()` marks "from now on"). */
  after?: number;
  /**
   * Wait until the matching notification was delivered to the bot (its callback answered 2xx) — the default, so
   * that the bot has seen it when the promise resolves — or `false`: as soon as Switchboard created it.
   * A match that was dead-lettered rejects at once.
   */
  delivered?: boolean;
  /** How often to read the log (default 25 ms). */
  intervalMs?: number;
}

export interface NotificationMatch {
  notification: CommsNotification;
  /** The log entry (one POST to the callback) holding it, with its delivery attempts. */
  entry: NotificationLogEntry;
  /** Its position in `entry.body.value` (notifications of one command to one call are batched in one POST). */
  index: number;
}

const FINAL: ReadonlySet<string> = new Set(['delivered', 'deadLettered']);
const PAGE = 1000;

/** One line per notification of an entry, for error messages: `#12 delivered updated /communications/calls/… (established)`. */
export function describeEntry(entry: NotificationLogEntry): string[] {
  return entry.body.value.map((n) => {
    const d: unknown = n.resourceData;
    const o = (d ?? {}) as Record<string, unknown>;
    const detail = Array.isArray(d)
      ? `${d.length} participant(s)`
      : typeof o.status === 'string'
        ? String(o.status)
        : typeof o.state === 'string'
          ? String(o.state)
          : '';
    return `#${entry.sequence} ${entry.status} ${n.changeType} ${n.resourceUrl}${detail ? ` (${detail})` : ''}`;
  });
}

function normaliseBase(url: string): string {
  const u = new URL(url);
  // Accept the banner's control URL (…/_switchboard/) as well as the server's origin.
  return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/_switchboard$/, '')}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SwitchboardControl {
  /** The server's origin, e.g. `http://127.0.0.1:4100`. */
  readonly url: string;
  readonly #key: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(url: string, options: ControlOptions = {}) {
    this.url = normaliseBase(url);
    this.#key = options.key;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Sends one control request and returns its JSON body; throws SwitchboardError on any answer but 2xx. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#key !== undefined) headers.authorization = `Bearer ${this.#key}`;
    const url = `${this.url}/_switchboard${path}`;
    const res = await this.#fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: reported below when the status is an error, returned as text otherwise.
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: unknown; message?: unknown; target?: unknown } } | undefined)?.error;
      throw new SwitchboardError(
        `${method} ${url}`,
        res.status,
        typeof err?.code === 'string' ? err.code : String(res.status),
        typeof err?.message === 'string' ? err.message : text.slice(0, 500),
        typeof err?.target === 'string' ? err.target : null,
      );
    }
    return (json ?? text) as T;
  }

  /**
   * Back to the loaded world: every call, operation, notification, timer, meeting made through the API and run-time
   * behaviour or fault change is dropped (the clock is not reset). Isolates tests that share one server.
   */
  reset(): Promise<ResetResult> {
    return this.request<ResetResult>('POST', '/reset', {});
  }

  /** Liveness: resolves while the server serves requests. */
  health(): Promise<{ status: 'ok' }> {
    return this.request<{ status: 'ok' }>('GET', '/health');
  }

  /** Readiness: the store answers and its migrations are done (otherwise SwitchboardError 503). */
  ready(): Promise<Readiness> {
    return this.request<Readiness>('GET', '/ready');
  }

  /** The world in effect, as a world file (run-time behaviour and fault changes included). */
  world(): Promise<World> {
    return this.request<World>('GET', '/world');
  }

  /** People of the world (users and listed phone numbers) and how they behave. */
  readonly people = {
    /** Every person, optionally of one tenant. */
    list: async (tenantId?: string): Promise<Person[]> =>
      (await this.request<{ value: Person[] }>('GET', `/people${query({ tenantId })}`)).value,
    /** One person: a user id, or an E.164 number (the one of `tenantId` when the number is listed in several tenants). */
    get: async (id: string, tenantId?: string): Promise<Person> =>
      pick(await this.request<{ value: Person[] }>('GET', `/people/${encodeURIComponent(id)}`), id, tenantId),
    /** Replaces the person's `answer` and/or `then`, from their next call on; returns the person as changed. */
    setBehaviour: async (id: string, change: BehaviourChange): Promise<Person> =>
      pick(
        await this.request<{ value: Person[] }>('PUT', `/people/${encodeURIComponent(id)}/behaviour`, change),
        id,
        change.tenantId,
      ),
  };

  /** A person (user id or E.164) calls a bot: a new peer-to-peer call in state `incoming`, notified `created`. */
  incomingCall(request: IncomingCallRequest): Promise<GraphCall> {
    return this.request<GraphCall>('POST', '/incoming-calls', { requestedModalities: ['audio'], ...request });
  }

  /** Live call legs, their rosters, operations and notifications. */
  readonly calls = {
    list: async (filter: CallListFilter = {}): Promise<CallSummary[]> =>
      (await this.request<{ value: CallSummary[] }>('GET', `/calls${query({ ...filter })}`)).value,
    /** One live call leg; SwitchboardError 404 once it ended. */
    get: (callId: string): Promise<CallDetail> =>
      this.request<CallDetail>('GET', `/calls/${encodeURIComponent(callId)}`),
    /** The call's operations, also after it ended. */
    operations: (callId: string): Promise<CallOperations> =>
      this.request<CallOperations>('GET', `/calls/${encodeURIComponent(callId)}/operations`),
    /** The person in a call presses keys (`'12#'` or `['1', '2', '#']`). */
    pressTones: (callId: string, tones: string | string[]): Promise<PressTonesResult> =>
      this.request<PressTonesResult>('POST', `/calls/${encodeURIComponent(callId)}/tones`, {
        tones: typeof tones === 'string' ? [...tones] : tones,
      }),
    /** One person in one call acts, now (`afterMs` 0 or absent) or later; `participant` is a roster id, user id or phone number. */
    act: (
      callId: string,
      participant: string,
      action: Omit<PersonAction, 'afterMs'> & { afterMs?: number },
    ): Promise<PersonActionResult> =>
      this.request<PersonActionResult>(
        'POST',
        `/calls/${encodeURIComponent(callId)}/participants/${encodeURIComponent(participant)}/actions`,
        action,
      ),
  };

  /** The calling world's clock; `advance` and `set` need `--clock virtual` (otherwise SwitchboardError 409). */
  readonly clock = {
    now: (): Promise<ClockView> => this.request<ClockView>('GET', '/clock'),
    /** Moves virtual time forward; resolves once every timer and delivery due by then has run. */
    advance: (ms: number): Promise<ClockMove> => this.request<ClockMove>('POST', '/clock/advance', { ms }),
    /** Moves virtual time to `time` (never backwards). */
    set: (time: Date | string | number): Promise<ClockMove> =>
      this.request<ClockMove>('POST', '/clock/set', { time: new Date(time).toISOString() }),
  };

  /** The world's injected faults (README "Injected faults"). */
  readonly faults = {
    get: async (): Promise<Fault[]> => (await this.request<{ faults: Fault[] }>('GET', '/faults')).faults,
    /** Replaces every fault (`[]` clears them); applies to requests made from then on. */
    set: async (
      faults: (Omit<Fault, 'when' | 'afterMs'> & { when?: Fault['when']; afterMs?: number })[],
    ): Promise<Fault[]> => (await this.request<{ faults: Fault[] }>('PUT', '/faults', { faults })).faults,
  };

  /** The log of notifications: every POST to a bot's callback, in order, with its delivery status and attempts. */
  readonly notifications = {
    /** One page (`limit`, default 1000) from `after` on, optionally of one call. */
    list: async (q: NotificationQuery = {}): Promise<NotificationLogEntry[]> =>
      (await this.request<{ value: NotificationLogEntry[] }>('GET', `/notifications${query({ ...q })}`)).value,
    /** Every entry from `after` on, paging through the log. */
    all: async (q: Omit<NotificationQuery, 'limit'> = {}): Promise<NotificationLogEntry[]> => {
      const out: NotificationLogEntry[] = [];
      for (let after = q.after ?? 0; ;) {
        const page = await this.notifications.list({ ...q, after, limit: PAGE });
        out.push(...page);
        if (page.length < PAGE) return out;
        after = page.at(-1)!.sequence;
      }
    },
    /** The highest `sequence` so far (0 for none): pass it as `after` to see only what comes next. */
    latestSequence: async (): Promise<number> => (await this.notifications.all({})).at(-1)?.sequence ?? 0,
    /**
     * Sends a dead-lettered notification again, unchanged (same message id and body), with a fresh dead-letter horizon;
     * SwitchboardError 404 for an unknown message id, 409 for one that is not dead-lettered.
     */
    redeliver: async (messageId: string): Promise<NotificationLogEntry[]> =>
      (
        await this.request<{ value: NotificationLogEntry[] }>(
          'POST',
          `/notifications/${encodeURIComponent(messageId)}/redeliver`,
          {},
        )
      ).value,
    /** The same for every dead letter of a call (ended or not), in order; `[]` when none is dead. */
    redeliverCall: async (callId: string): Promise<NotificationLogEntry[]> =>
      (
        await this.request<{ value: NotificationLogEntry[] }>(
          'POST',
          `/calls/${encodeURIComponent(callId)}/notifications/redeliver`,
          {},
        )
      ).value,
    /**
     * Deletes a dead-lettered notification for good (retention keeps dead letters until then); resolves with how many
     * were deleted (1); SwitchboardError 404 for an unknown message id, 409 for one that is not dead-lettered.
     */
    purge: async (messageId: string): Promise<number> =>
      (await this.request<{ purged: number }>('POST', `/notifications/${encodeURIComponent(messageId)}/purge`, {}))
        .purged,
    /** The same for every dead letter of a call; 0 when none is dead. */
    purgeCall: async (callId: string): Promise<number> =>
      (await this.request<{ purged: number }>('POST', `/calls/${encodeURIComponent(callId)}/notifications/purge`, {}))
        .purged,
    /** Every dead letter of every call. */
    purgeAll: async (): Promise<number> =>
      (await this.request<{ purged: number }>('POST', '/notifications/purge', {})).purged,
  };

  /**
   * Resolves with the first notification the predicate accepts, once delivered to the bot (see `WaitOptions.delivered`);
   * rejects with a WaitForNotificationError listing every notification that did arrive when `timeoutMs` passes.
   * Polls the log; the predicate may be called more than once for one notification.
   */
  async waitForNotification(
    predicate: NotificationPredicate,
    options: number | WaitOptions = {},
  ): Promise<NotificationMatch> {
    const o: WaitOptions = typeof options === 'number' ? { timeoutMs: options } : options;
    const timeoutMs = o.timeoutMs ?? 5000;
    const delivered = o.delivered ?? true;
    const deadline = Date.now() + timeoutMs;
    const seen = new Map<number, NotificationLogEntry>();
    // Entries up to `cursor` need no second look: they did not match, or they matched and reached a final status.
    let cursor = o.after ?? 0;
    for (;;) {
      const entries = await this.notifications.all({
        after: cursor,
        ...(o.callId !== undefined ? { callId: o.callId } : {}),
      });
      let settled = true;
      for (const entry of entries) {
        seen.set(entry.sequence, entry);
        const index = entry.body.value.findIndex((n) => predicate(n, entry));
        if (index >= 0) {
          const match = { notification: entry.body.value[index]!, entry, index };
          if (!delivered || entry.status === 'delivered') return match;
          if (entry.status === 'deadLettered') {
            throw new WaitForNotificationError(
              'deadLettered',
              `waitForNotification: the matching notification ${describeEntry(entry)[index]} was dead-lettered, never delivered to ${entry.callbackUri} (last error: ${entry.lastError ?? 'none'}).`,
              [...seen.values()],
            );
          }
          settled = false; // matched, delivery still under way: look at it again
        }
        if (settled && (index < 0 || FINAL.has(entry.status))) cursor = entry.sequence;
      }
      if (Date.now() >= deadline)
        throw new WaitForNotificationError('timeout', timeoutMessage(timeoutMs, o, [...seen.values()]), [
          ...seen.values(),
        ]);
      await sleep(Math.min(o.intervalMs ?? 25, Math.max(0, deadline - Date.now())));
    }
  }
}

function timeoutMessage(timeoutMs: number, o: WaitOptions, seen: NotificationLogEntry[]): string {
  const scope = `${o.callId !== undefined ? ` of call ${o.callId}` : ''}${o.after !== undefined ? ` after #${o.after}` : ''}`;
  const lines = seen.flatMap(describeEntry);
  const shown =
    lines.length > 40 ? [...lines.slice(0, 10), `… ${lines.length - 30} more …`, ...lines.slice(-20)] : lines;
  const matchedPending = seen.filter((e) => e.status !== 'delivered' && e.status !== 'deadLettered');
  return (
    `waitForNotification: no matching notification${o.delivered === false ? '' : ' delivered'} within ${timeoutMs} ms.` +
    (lines.length === 0
      ? ` No notification${scope} arrived at all.`
      : ` ${lines.length} notification(s)${scope} arrived:\n  ${shown.join('\n  ')}`) +
    (matchedPending.length > 0 && o.delivered !== false
      ? `\n(${matchedPending.length} not delivered yet: is the bot's callback answering 2xx? last error: ${matchedPending.at(-1)!.lastError ?? 'none'})`
      : '')
  );
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

function pick(found: { value: Person[] }, id: string, tenantId: string | undefined): Person {
  const p =
    tenantId === undefined
      ? found.value[0]
      : found.value.find((x) => x.tenantId.toLowerCase() === tenantId.toLowerCase());
  if (!p)
    throw new SwitchboardError(
      `person ${id}`,
      404,
      'itemNotFound',
      `No person ${id}${tenantId !== undefined ? ` in tenant ${tenantId}` : ''}.`,
      null,
    );
  return p;
}

/** Identity sets for `incomingCall` and Graph bodies: `user(id)`, `phone('+14255550100')`, `application(appId)`. */
export const identity = {
  user: (id: string, displayName?: string): { user: { id: string; displayName?: string } } => ({
    user: { id, ...(displayName !== undefined ? { displayName } : {}) },
  }),
  phone: (number: string): { phone: { id: string } } => ({ phone: { id: number } }),
  application: (id: string, displayName?: string): { application: { id: string; displayName?: string } } => ({
    application: { id, ...(displayName !== undefined ? { displayName } : {}) },
  }),
  applicationInstance: (
    id: string,
    displayName?: string,
  ): { applicationInstance: { id: string; displayName?: string } } => ({
    applicationInstance: { id, ...(displayName !== undefined ? { displayName } : {}) },
  }),
};

/** Connects to a running Switchboard's control API (its origin, or the banner's control URL). */
export function connectSwitchboard(url: string, options: ControlOptions = {}): SwitchboardControl {
  return new SwitchboardControl(url, options);
}
