/**
 * Notification bodies stored as recipes over shared parts (issue 17). A roster `updated` lists the whole roster
 * (Graph's default), so each invite's body repeats the rendering of everyone already in the call: tens of KB, almost
 * all of it the same participants' bytes as the call's previous body. Written out whole, those bytes were the largest
 * cost of the SQLite file store: with 16-byte bodies instead (an experiment), the file scenario ran 1,041 / 994 →
 * 1,196 / 1,208 invites/s and used 1,701 / 1,724 → 1,480 / 1,444 µs of CPU per invite, and each body stays on disk
 * (or in RAM, `:memory:`) for the retention period.
 *
 * So a body of at least MIN_RECIPE_BYTES is stored as a recipe: its own text (the envelope, brackets, commas) and the
 * ids of parts, each part a participant's rendering (src/domain/shared-values.ts splicedPieces) stored once in
 * `body_parts` and named by every body that lists it. What is sent and what the control API shows is always the whole
 * body: a claim takes the bytes the command made (recent-bodies.ts) or expands the recipe.
 *
 * Parts are deleted when no body can name them any more, which needs no reference counts:
 * - a part carries the seq of the outbox row it was first stored for, and a body reuses a part only while the
 *   body's own seq is less than REFRESH_SEQS past it (else it stores the part again, with its own seq);
 * - so every part a body at seq S names has a seq above S - REFRESH_SEQS, and once the oldest row that can still be
 *   read is at seq M, parts below M - REFRESH_SEQS are named by none (prune);
 * - a dead-lettered row, which retention keeps until it is redelivered or purged, is rewritten whole when it dies
 *   (materialize), so it does not hold the oldest seq back.
 * This process remembers which parts it stored (by the shared object, a WeakMap) and forgets the ones a rolled-back
 * command stored. A remembered part a prune deleted is never named again: the outbox's seqs only grow (AUTOINCREMENT),
 * so the part is more than REFRESH_SEQS behind any new row and is stored again. (Forgetting every part at each prune
 * instead stored the whole roster of every live call again after each one: in the 10-minute soak the file grew to
 * 1.35 GiB before it levelled off.)
 */
import type Database from 'better-sqlite3';
import { asciiByte, pieceBytes, splicedPieces, utf8OfPieces, type SharedPiece } from '../../domain/shared-values.js';

/** Bodies smaller than this (one page) are stored whole: a recipe would save little. */
export const MIN_RECIPE_BYTES = 4096;
/** How far (in outbox seqs) a body may be from the row a part was stored for and still name it. */
export const REFRESH_SEQS = 16_384;

/**
 * Part bytes kept in memory by id (RECENT_PART_BYTES at most), for claims that expand a recipe: when deliveries fall
 * behind, the bytes of a body leave RecentBodies before it is claimed, and reading a big roster's thousand parts back
 * row by row (or in one `json_each` query, ~1 ms) made whole-roster invites at 1,000 participants 40 % slower on
 * `:memory:`. Consecutive bodies of a call name nearly the same parts, so the last ones written or read serve the next.
 */
export const RECENT_PART_BYTES = 32 * 1024 * 1024;

/** The first byte of a recipe: JSON text never starts with NUL, so a whole body cannot be mistaken for one. */
const RECIPE = 0x00;
const TEXT = 0x01;
const PART = 0x02;

/** LEB128 (7 bits a byte, low first) of a non-negative integer up to 2^53. */
function writeVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function readVarint(b: Uint8Array, at: number): [value: number, next: number] {
  let n = 0;
  let scale = 1;
  for (;;) {
    if (at >= b.length) throw new Error('notification body recipe: cut short');
    const byte = b[at++]!;
    n += (byte & 0x7f) * scale;
    if (byte < 0x80) return [n, at];
    scale *= 0x80;
  }
}

export const isRecipe = (stored: Uint8Array): boolean => stored.length > 0 && stored[0] === RECIPE;

/** What a recipe lists, in order: texts (UTF-8) and part ids. */
export function readRecipe(recipe: Uint8Array): (Uint8Array | number)[] {
  const pieces: (Uint8Array | number)[] = [];
  let at = 1;
  while (at < recipe.length) {
    const op = recipe[at++];
    let n: number;
    [n, at] = readVarint(recipe, at);
    if (op === TEXT) {
      if (at + n > recipe.length) throw new Error('notification body recipe: cut short');
      pieces.push(recipe.subarray(at, at + n));
      at += n;
    } else if (op === PART) pieces.push(n);
    else throw new Error(`notification body recipe: unknown piece ${op}`);
  }
  return pieces;
}

/** A recipe of `texts` (UTF-8 encoded here) around the parts `ids`; texts.length is ids.length + 1. */
export function writeRecipe(texts: readonly string[], ids: readonly number[]): Buffer {
  const head: number[] = [RECIPE];
  const chunks: Buffer[] = [];
  let pending = head;
  const flush = (): void => {
    chunks.push(Buffer.from(pending));
    pending = [];
  };
  texts.forEach((text, i) => {
    const ascii = asciiByte(text);
    if (ascii !== null) pending.push(TEXT, 1, ascii);
    else if (text !== '') {
      const bytes = Buffer.from(text, 'utf8');
      pending.push(TEXT);
      writeVarint(pending, bytes.length);
      flush();
      chunks.push(bytes);
    }
    const id = ids[i];
    if (id !== undefined) {
      pending.push(PART);
      writeVarint(pending, id);
    }
  });
  flush();
  return joined(chunks);
}

/** `chunks` one after another in a buffer of its own, not a slice of Node's shared pool (src/domain/shared-values.ts ownedUtf8). */
function joined(chunks: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafeSlow(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** What a command stored: the parts it added, forgotten if it is rolled back. */
export type PartsAdded = SharedPiece[];

export class BodyParts {
  #ids = new WeakMap<SharedPiece, { id: number; seq: number }>();
  /**
   * RECENT_PART_BYTES: oldest out first. An id always maps to the bytes stored under it: this process is the only
   * writer of its file, and every part it inserts is put here, so an id SQLite gives out again (after a rollback, or
   * once the table was emptied) replaces what was kept under it.
   */
  #recent = new Map<number, Uint8Array>();
  #recentBytes = 0;
  readonly #s;
  readonly #refreshSeqs: number;

  /** `refreshSeqs`: REFRESH_SEQS but in tests, which cannot write 16,384 rows to see a part stored again. */
  constructor(db: Database.Database, refreshSeqs = REFRESH_SEQS) {
    this.#refreshSeqs = refreshSeqs;
    this.#s = {
      insert: db.prepare<[number, Uint8Array]>('INSERT INTO body_parts (seq, bytes) VALUES (?, ?)'),
      // Every part a recipe names, in one statement: a big roster's body names a thousand (one SELECT each was ~3 ms).
      some: db.prepare<[string], { id: number; bytes: Buffer }>(
        'SELECT id, bytes FROM body_parts WHERE id IN (SELECT value FROM json_each(?))',
      ),
      body: db.prepare<[number], { body: Uint8Array }>('SELECT body FROM outbox_bodies WHERE seq = ?'),
      rewrite: db.prepare<[Uint8Array, number]>('UPDATE outbox_bodies SET body = ? WHERE seq = ?'),
      // Dead rows are rewritten whole when they die; every other row can still be read (delivered ones until pruned).
      oldestReadable: db.prepare<[], { m: number | null }>('SELECT MIN(seq) AS m FROM outbox WHERE dead_at IS NULL'),
      deleteBelow: db.prepare<[number]>('DELETE FROM body_parts WHERE seq < ?'),
      deleteAll: db.prepare('DELETE FROM body_parts'),
    };
  }

  /**
   * The body's UTF-8 bytes and what to store for it (the same bytes, or a recipe), for the outbox row `seq` being
   * appended in the open transaction. Parts it stores are pushed on `added`.
   */
  encode(body: unknown, seq: number, added: PartsAdded): { bytes: Buffer; stored: Uint8Array } {
    const pieces = splicedPieces(body);
    const bytes = utf8OfPieces(pieces);
    const { texts, parts } = pieces;
    if (parts.length === 0 || bytes.byteLength < MIN_RECIPE_BYTES) return { bytes, stored: bytes };
    const ids = parts.map((p) => this.#idOf(p, seq, added));
    return { bytes, stored: writeRecipe(texts, ids) };
  }

  #idOf(part: SharedPiece, seq: number, added: PartsAdded): number {
    const kept = this.#ids.get(part);
    if (kept !== undefined && seq - kept.seq < this.#refreshSeqs) return kept.id;
    const bytes = pieceBytes(part);
    const id = Number(this.#s.insert.run(seq, bytes).lastInsertRowid);
    this.#ids.set(part, { id, seq });
    this.#keep(id, bytes);
    added.push(part);
    return id;
  }

  #keep(id: number, bytes: Uint8Array): void {
    const before = this.#recent.get(id);
    if (before !== undefined) {
      this.#recent.delete(id);
      this.#recentBytes -= before.byteLength;
    }
    this.#recent.set(id, bytes);
    this.#recentBytes += bytes.byteLength;
    for (const [oldest, b] of this.#recent) {
      if (this.#recentBytes <= RECENT_PART_BYTES) break;
      this.#recent.delete(oldest);
      this.#recentBytes -= b.byteLength;
    }
  }

  /** A stored body as the whole body: a recipe expanded, anything else as it is. */
  expand(stored: Uint8Array): Uint8Array {
    if (!isRecipe(stored)) return stored;
    const recipe = readRecipe(stored);
    // This body's parts in a map of its own: keeping the ones read may push others of the same body out of #recent.
    const found = new Map<number, Uint8Array>();
    const missing: number[] = [];
    for (const p of recipe) {
      if (typeof p !== 'number' || found.has(p)) continue;
      const kept = this.#recent.get(p);
      if (kept === undefined) missing.push(p);
      else found.set(p, kept);
    }
    if (missing.length > 0)
      for (const r of this.#s.some.all(JSON.stringify(missing))) {
        found.set(r.id, r.bytes);
        this.#keep(r.id, r.bytes);
      }
    const pieces = recipe.map((p) => {
      if (typeof p !== 'number') return p;
      const bytes = found.get(p);
      // Never expected (see prune): said loudly rather than sending or showing a body with a hole in it.
      if (bytes === undefined) throw new Error(`notification body names part ${p}, which is not stored`);
      return bytes;
    });
    return joined(pieces);
  }

  /** Rewrites row `seq`'s body whole (it is being dead-lettered): it must outlive the parts it names. */
  materialize(seq: number): void {
    const row = this.#s.body.get(seq);
    if (row !== undefined && isRecipe(row.body)) this.#s.rewrite.run(this.expand(row.body), seq);
  }

  /** Deletes the parts no readable body can name (see above); returns how many. Runs outside any open group. */
  prune(): number {
    const oldest = this.#s.oldestReadable.get()?.m ?? null;
    if (oldest === null) {
      // Nothing readable is left: every part goes, and so does what this process remembers of them.
      this.clear();
      return this.#s.deleteAll.run().changes;
    }
    return this.#s.deleteBelow.run(oldest - this.#refreshSeqs).changes;
  }

  /** The parts a rolled-back command stored are gone with it. */
  forget(added: PartsAdded): void {
    for (const p of added) this.#ids.delete(p);
  }

  /** Forgets every part stored (a failed group, a reset): the next body stores its own. */
  clear(): void {
    this.#ids = new WeakMap();
    this.#recent.clear();
    this.#recentBytes = 0;
  }

  /** Empties the table (a reset, in its transaction) and forgets every part. */
  reset(): void {
    this.#s.deleteAll.run();
    this.clear();
  }
}
