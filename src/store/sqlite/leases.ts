/**
 * Claim leases of the SQLite store, kept in memory by the process that owns the file (issue 17: "outbox leases held
 * in memory by the process that owns them"). A lease says "this process is delivering this row / firing this timer
 * until then": nobody else can claim on a SQLite file (one process serves it), and a process that dies loses its
 * leases with it, which is what reopening a file did anyway (releaseDeadLeases). So a claim no longer writes: it was
 * a write transaction of its own (BEGIN, one UPDATE per row, COMMIT) for every claim that found work, two per invite
 * (its timer, its notification). PostgreSQL keeps its leases in rows: several instances claim from one schema.
 */
export class MemoryLeases<K> {
  #until = new Map<K, number>();

  /** Leases running at `now`; expired ones are forgotten (a claimer that never reported back gave them up). */
  held(now: number): number {
    for (const [key, until] of this.#until) if (until <= now) this.#until.delete(key);
    return this.#until.size;
  }

  /** Leases taken and not released, expired or not: an upper bound of the rows a scan may have to skip. */
  get size(): number {
    return this.#until.size;
  }

  isHeld(key: K, now: number): boolean {
    const until = this.#until.get(key);
    return until !== undefined && until > now;
  }

  /** When the lease on `key` ends, if one was taken (it may have expired). */
  until(key: K): number | undefined {
    return this.#until.get(key);
  }

  take(key: K, until: number): void {
    this.#until.set(key, until);
  }

  release(key: K): void {
    this.#until.delete(key);
  }

  clear(): void {
    this.#until.clear();
  }
}

/**
 * The time a queue entry is next available: its own time, or the end of its lease when one was taken. `rows` are the
 * first `leases.size + 1` entries by their own time: at least one of them is unleased when any entry beyond them
 * exists, and every entry beyond is no earlier than it, so the earliest of these is the earliest of all.
 */
export function earliestAvailable<K>(rows: readonly { key: K; t: number }[], leases: MemoryLeases<K>): number | null {
  let earliest: number | null = null;
  for (const { key, t } of rows) {
    const until = leases.until(key);
    const available = until === undefined ? t : Math.max(t, until);
    if (earliest === null || available < earliest) earliest = available;
  }
  return earliest;
}
