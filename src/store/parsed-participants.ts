/**
 * Participants as parsed from their stored text, reused while the text is unchanged (issue 17), for both stores: an
 * invitee's answer reads the whole roster for its notification (Graph's default roster lists the whole call), so
 * each answer parsed every participant of the call again, and each new object missed the rendering the domain keeps
 * per participant object (notifications.ts sharedResourceData), so every participant was rendered and serialized
 * again too. A value is handed out again only for a text equal to the one parsed, so a row another instance changed
 * (PostgreSQL) is parsed anew. The objects are shared, read-only (frozen in the tests, src/domain/shared-values.ts).
 * Bounded: forgotten when full.
 */
import { shared } from '../domain/shared-values.js';
import type { Participant } from '../domain/types.js';

export class ParsedParticipants {
  #byKey = new Map<string, { doc: string; value: Participant }>();
  readonly #max: number;

  /** `max` 0: nothing is kept (a transaction used without its store's cache). */
  constructor(max = 50_000) {
    this.#max = max;
  }

  /** `doc` parsed, or the value parsed before under `key` from the same text. */
  read(key: string, doc: string): Participant {
    const kept = this.#byKey.get(key);
    if (kept !== undefined && kept.doc === doc) return kept.value;
    const value = shared(JSON.parse(doc) as Participant);
    if (this.#max === 0) return value;
    if (this.#byKey.size >= this.#max) this.#byKey.clear();
    this.#byKey.set(key, { doc, value });
    return value;
  }

  /** A row with its id, kept by id: a participant's newer text takes the place of its older one. */
  readRow(row: { id: string; doc: string }): Participant {
    return this.read(row.id, row.doc);
  }

  /** A text alone (PostgreSQL's aggregate reads carry no ids), kept by the text itself. */
  readDoc(doc: string): Participant {
    return this.read(doc, doc);
  }

  clear(): void {
    this.#byKey.clear();
  }
}
