/**
 * Run-time changes to the simulated world (a person's behaviour, the injected faults, a reset back to the loaded
 * world) are recorded in the store and applied from there, in order, by every instance on it: the one that took the
 * change before it answers, the others within a poll (`pollMs`), and every instance again at its next start. So two instances on one PostgreSQL
 * database ring the same people the same way, and a restart keeps what the control API set.
 */
import { checkAnswer, checkThen, type AnswerBehaviour, type Directory } from './directory.js';
import { FaultsError, parseFaults } from './faults.js';
import { isProblem } from '../domain/person-actions.js';
import { SOFTPHONE_LEASE_MS } from './softphone-leases.js';
import type { WorldChange, WorldChangeStore } from '../store/store.js';

/**
 * A behaviour change as recorded, checked by the control API before: whom it names and what it sets. `answer` is
 * the checked one (what a missing `afterMs` fell back to depends on the person then); `then` is as it was sent.
 */
export interface BehaviourChange {
  ref: string;
  tenantId?: string;
  answer?: AnswerBehaviour;
  then?: unknown;
}

export interface WorldSyncDeps {
  changes: WorldChangeStore;
  directory: Directory;
  now: () => number;
  log?: (level: 'warn' | 'error', msg: string) => void;
}

export class WorldSync {
  readonly #deps: WorldSyncDeps;
  #applied = 0;
  #chain: Promise<void> = Promise.resolve();
  #poll: NodeJS.Timeout | null = null;

  constructor(deps: WorldSyncDeps) {
    this.#deps = deps;
  }

  /** The time changes are recorded at. */
  now(): number {
    return this.#deps.now();
  }

  /** Records a behaviour change and applies everything recorded up to it. */
  setBehaviour(change: BehaviourChange): Promise<void> {
    return this.#record('behaviour', { ...change });
  }

  /** Records a new list of faults as sent (checked by the caller; it replaces the old) and applies everything up to it. */
  setFaults(faults: unknown): Promise<void> {
    return this.#record('faults', { faults });
  }

  /**
   * Records a softphone lease taken or renewed until `until` (real epoch ms), or released (`until` 0). The store keeps
   * one row per lease (a renewal supersedes the row before it) and drops the rows of leases that ended more than a
   * lease's length ago: by then every instance has either applied them or seen the lease run out by itself.
   */
  async setSoftphoneLease(lease: { personKey: string; leaseId: string; until: number }): Promise<void> {
    const realNow = Date.now();
    await this.#deps.changes.appendLease({ ...lease, at: realNow }, this.#deps.now(), realNow - SOFTPHONE_LEASE_MS);
    await this.catchUp();
  }

  /** Applies every recorded change not applied yet, in order; one catch-up runs at a time. */
  catchUp(): Promise<void> {
    const run = this.#chain.then(() => this.#applyNew());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Polls for changes other instances record (real time: this is about processes, not the world's clock). */
  start(pollMs: number): void {
    this.#poll ??= setInterval(() => {
      this.catchUp().catch((err: unknown) =>
        this.#deps.log?.('warn', `world changes: could not read the store: ${String(err)}`),
      );
    }, pollMs);
    this.#poll.unref();
  }

  /** Stops polling and waits for a catch-up in progress. */
  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    await this.#chain;
  }

  async #record(kind: WorldChange['kind'], body: Record<string, unknown>): Promise<void> {
    await this.#deps.changes.append(kind, body, this.#deps.now());
    await this.catchUp();
  }

  async #applyNew(): Promise<void> {
    for (const change of await this.#deps.changes.after(this.#applied)) {
      const problem = applyWorldChange(this.#deps.directory, change);
      if (problem) this.#deps.log?.('warn', `world change ${change.seq} (${change.kind}) not applied: ${problem}`);
      this.#applied = change.seq;
    }
  }
}

/**
 * Applies one recorded change to the directory; a problem (a change recorded against another world file, say) is
 * returned, not thrown, so one stale change never stops the ones after it.
 */
export function applyWorldChange(directory: Directory, change: WorldChange): string | null {
  const body = change.body;
  // A reset (Store.reset, POST /_switchboard/reset) undoes every change before it, on every instance.
  if (change.kind === 'reset') {
    directory.restoreLoaded();
    return null;
  }
  if (change.kind === 'faults') {
    try {
      directory.world.faults = parseFaults(body.faults, 'faults');
      return null;
    } catch (err) {
      if (err instanceof FaultsError) return err.message;
      throw err;
    }
  }
  if (change.kind === 'softphone') {
    const { personKey, leaseId, until } = body;
    if (typeof personKey !== 'string' || typeof leaseId !== 'string' || typeof until !== 'number')
      return 'personKey, leaseId and until are required';
    directory.softphones.set(personKey, leaseId, until);
    return null;
  }
  if (change.kind !== 'behaviour') return `unknown kind ${JSON.stringify(change.kind)}`;
  const ref = body.ref;
  const tenantId = body.tenantId;
  if (typeof ref !== 'string' || (tenantId !== undefined && typeof tenantId !== 'string'))
    return 'ref must be a string';
  const answer =
    body.answer === undefined ? undefined : checkAnswer(body.answer, 'answer', { action: 'accept', afterMs: 1000 });
  const then = body.then === undefined ? undefined : checkThen(body.then, 'then');
  if (answer && isProblem(answer)) return answer.error;
  if (then && isProblem(then)) return then.error;
  const done = directory.setBehaviour(ref, { ...(answer ? { answer } : {}), ...(then ? { then } : {}) }, tenantId);
  return done ? null : `nobody ${ref} in this world`;
}
