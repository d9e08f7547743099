/**
 * Liveness of the instances sharing a database. Every instance writes a heartbeat row each `heartbeatMs`; at each
 * beat it also looks for instances not seen for `deadAfterMs` (killed, host lost) and frees what they held: their
 * leased outbox heads become due now, their leased timers claimable. So a dead instance's work resumes within a few
 * seconds instead of after its leases (15 s outbox, 30 s timers). Times here are the database's clock, shared by all.
 * A live but stalled instance taken for dead can at worst deliver a notification twice (same message id) and never
 * fires a timer twice: the command a timer feeds deletes it first and stops if it was already gone.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

const DB_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

export interface InstanceOptions {
  heartbeatMs: number;
  deadAfterMs: number;
  /** The world's clock, for when freed notifications become due. */
  now: () => number;
  log?: (msg: string) => void;
}

export class InstanceRegistry {
  readonly id = randomUUID();
  #pool: Pool;
  #opts: InstanceOptions;
  #timer: NodeJS.Timeout | null = null;
  #beat: Promise<void> = Promise.resolve();

  constructor(pool: Pool, opts: InstanceOptions) {
    this.#pool = pool;
    this.#opts = opts;
  }

  /** Registers this instance (before it claims anything) and starts the heartbeat. */
  async start(): Promise<void> {
    await this.#heartbeat();
    this.#timer = setInterval(() => {
      this.#beat = this.#beat.then(() => this.#tick());
    }, this.#opts.heartbeatMs);
    this.#timer.unref();
  }

  async #heartbeat(): Promise<void> {
    await this.#pool.query(
      `INSERT INTO instances (id, started_at, seen_at) VALUES ($1, ${DB_NOW_MS}, ${DB_NOW_MS})
       ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`,
      [this.id],
    );
  }

  async #tick(): Promise<void> {
    try {
      await this.#heartbeat();
      const freed = await this.reapDead();
      if (freed.outbox + freed.timers > 0)
        this.#opts.log?.(`freed ${freed.outbox} notification(s) and ${freed.timers} timer(s) held by dead instance(s)`);
    } catch (err) {
      this.#opts.log?.(`instance heartbeat failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Frees the leases of instances not seen for deadAfterMs and forgets them; returns how many rows were freed. */
  async reapDead(): Promise<{ outbox: number; timers: number }> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const dead = (
        await client.query<{ id: string }>(
          `DELETE FROM instances WHERE seen_at < ${DB_NOW_MS} - $1 AND id <> $2 RETURNING id`,
          [this.#opts.deadAfterMs, this.id],
        )
      ).rows.map((r) => r.id);
      let outbox = 0;
      let timers = 0;
      if (dead.length > 0) {
        outbox =
          (
            await client.query(
              `UPDATE outbox SET leased_until = NULL, leased_by = NULL, next_attempt_at = LEAST(next_attempt_at, $2)
            WHERE leased_by = ANY($1::text[]) AND delivered_at IS NULL AND dead_at IS NULL`,
              [dead, this.#opts.now()],
            )
          ).rowCount ?? 0;
        timers =
          (
            await client.query(
              'UPDATE timers SET leased_until = NULL, leased_by = NULL WHERE leased_by = ANY($1::text[])',
              [dead],
            )
          ).rowCount ?? 0;
      }
      await client.query('COMMIT');
      return { outbox, timers };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Stops the heartbeat and deregisters (what this instance still holds lapses with its leases). */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#beat;
    await this.#pool.query('DELETE FROM instances WHERE id = $1', [this.id]).catch(() => undefined);
  }
}
