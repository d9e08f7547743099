/**
 * Each conversation's roster as the server's SQLite connection sees it, its own uncommitted writes included (issue
 * 17). Graph's default roster notification lists the whole call, so every invitee's answer read every participant
 * of the call from SQLite again: 12 % of the server thread in the invite bench at ~75 participants per call. One
 * process serves a SQLite file (file-owner.ts) and every write to `participants` goes through `SqliteTx` on that one
 * connection, so the roster kept here changes with each `putParticipant`; what the connection undoes, it forgets:
 * a command's rollback forgets the rosters the command wrote (SqliteTx.rostersWritten), and a whole group's
 * failure, a prune or a reset forgets them all. PostgreSQL is shared by instances and keeps no such copy.
 *
 * Order is the table's: `created_at`, then insertion (rowid); an update keeps a participant's place (the upsert
 * does not change created_at). Participants are the shared, read-only values of ParsedParticipants.
 */
import type { Participant } from '../../domain/types.js';

export class CachedRosters {
  #rosters = new Map<string, Participant[]>();
  /** The conversation each cached participant is in (an upsert may move one: both rosters are then forgotten). */
  #conversationOf = new Map<string, string>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  /** A copy of the roster, or undefined when it is not kept. */
  get(conversationId: string): Participant[] | undefined {
    return this.#rosters.get(conversationId)?.slice();
  }

  /** The roster just read from the table, in its order. */
  fill(conversationId: string, roster: readonly Participant[]): void {
    if (this.#max === 0) return;
    if (this.#rosters.size >= this.#max) this.clear();
    this.#rosters.set(conversationId, roster.slice());
    for (const p of roster) this.#conversationOf.set(p.id, conversationId);
  }

  /** `p` was just written to the table (inserted or updated). */
  put(p: Participant): void {
    const was = this.#conversationOf.get(p.id);
    if (was !== undefined && was !== p.conversationId) {
      this.forget(was);
      this.forget(p.conversationId);
      return;
    }
    const roster = this.#rosters.get(p.conversationId);
    if (roster === undefined) return;
    if (was !== undefined) {
      const i = roster.findIndex((x) => x.id === p.id);
      if (i >= 0) {
        roster[i] = p;
        return;
      }
    }
    let at = roster.length;
    while (at > 0 && roster[at - 1]!.createdAt > p.createdAt) at--;
    roster.splice(at, 0, p);
    this.#conversationOf.set(p.id, p.conversationId);
  }

  forget(conversationId: string): void {
    const roster = this.#rosters.get(conversationId);
    if (roster === undefined) return;
    for (const p of roster) this.#conversationOf.delete(p.id);
    this.#rosters.delete(conversationId);
  }

  clear(): void {
    this.#rosters.clear();
    this.#conversationOf.clear();
  }

  get size(): number {
    return this.#rosters.size;
  }
}
