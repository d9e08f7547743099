/**
 * Values shared between commands instead of built again for each (issue 17: a roster notification lists the whole
 * roster, so parsing, rendering and serializing every participant per invite made a 1,000-person call cost 3.4× a
 * 10-person one). Shared means read-only: with SWITCHBOARD_CHECK_SHARED=1 (the test suite) they are frozen, so code
 * that changes one fails loudly in the tests instead of changing another command's state.
 */
const CHECK_SHARED = process.env.SWITCHBOARD_CHECK_SHARED === '1';

/** Freezes `value` deeply where shared values are checked; returns it. */
export function shared<T>(value: T): T {
  if (CHECK_SHARED) deepFreeze(value);
  return value;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/**
 * A shared object's JSON, as text until a store that writes bytes (SQLite) asks for its UTF-8 bytes, then as those
 * bytes only: a cached participant's rendering is kept in one form, not two (~1 KB each), and each store uses one.
 */
interface Fragment {
  text: string | undefined;
  bytes: Buffer | undefined;
}

/** A registered value: one shared object, or an array of them (a roster), spliced in as a whole. */
type Spliced = Fragment | { readonly list: readonly Fragment[] };

/** JSON text of shared objects and lists of them, spliced in when a body that contains them is serialized. */
const fragments = new WeakMap<object, Spliced>();

/** Registers `value` (shared, never changed) with its JSON text; returns it. */
export function jsonFragment<T extends object>(value: T): T {
  fragments.set(shared(value), { text: JSON.stringify(value), bytes: undefined });
  return value;
}

/**
 * Registers an array of fragments (jsonFragment) as one: a body that contains it then splices the whole list without
 * visiting its items. A whole roster is hundreds of them, and JSON.stringify calls its replacer for each item it
 * visits: at the memory peak that walk was 7 % of the server thread (issue 17 profile). Left unregistered when an
 * item is not a fragment. The array is frozen where shared values are checked; returns it.
 */
export function jsonFragmentList<T extends object>(items: T[]): T[] {
  const list: Fragment[] = [];
  for (const item of items) {
    const f = fragments.get(item);
    if (f === undefined || 'list' in f) return items;
    list.push(f);
  }
  fragments.set(shared(items), { list });
  return items;
}

// A string no body contains: NUL (escaped in JSON text) and a random tag per process.
const MARK = `\u0000${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
const MARK_JSON = JSON.stringify(MARK);

/**
 * The JSON text of `value` with a mark where each registered value is, split at the marks, and those values in
 * order; null when the marks do not split it so. The replacer stops at a registered value (its inside is never
 * visited), so only the envelope around them is walked.
 */
function envelopeAround(value: unknown): { parts: string[]; found: Spliced[] } | null {
  const found: Spliced[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null) {
      const f = fragments.get(v);
      if (f !== undefined) {
        found.push(f);
        return MARK;
      }
    }
    return v;
  });
  if (found.length === 0) return { parts: [text], found };
  const parts = text.split(MARK_JSON);
  // Every mark is a registered value (the mark cannot occur in other text); anything else falls back to the plain form.
  return parts.length === found.length + 1 ? { parts, found } : null;
}

const fragmentText = (f: Fragment): string => f.text ?? f.bytes!.toString('utf8');
const textOf = (s: Spliced): string => ('list' in s ? `[${s.list.map(fragmentText).join(',')}]` : fragmentText(s));

/** JSON.stringify(value), with the registered values in it copied as text instead of walked again. */
export function stringifyWithFragments(value: unknown): string {
  const e = envelopeAround(value);
  if (e === null) return JSON.stringify(value);
  let out = e.parts[0]!;
  for (let i = 0; i < e.found.length; i++) out += textOf(e.found[i]!) + e.parts[i + 1]!;
  return out;
}

/**
 * `text` as UTF-8 in a buffer of its own. Not Buffer.from or allocUnsafe: below 4 KiB those slice Node's shared 8 KiB
 * pool, and a slice keeps its whole pool slab alive. A fragment lives as long as its participant is cached and a
 * recent body until delivered, and the rest of its slab, filled by short-lived buffers, cannot be given back while
 * one slice in it lives. With 10,000 live calls (bench scenario 5, :memory:, 2026-12-07) the RSS the invite runs
 * added fell from 18.6 to 14.9 KiB per invite (1,045 MiB after 33,500 invites; 946 MiB after 35,400), invites no
 * slower; keeping a fragment as bytes only (Fragment) then brought it to 12.9–14.1 KiB.
 */
function ownedUtf8(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 0, 'utf8');
  return bytes;
}

function bytesOf(f: Fragment): Buffer {
  if (f.bytes === undefined) {
    f.bytes = ownedUtf8(f.text!);
    f.text = undefined;
  }
  return f.bytes;
}
/** A registered value's UTF-8 bytes, as one piece of a body (splicedPieces); the same object for as long as it lives. */
export type SharedPiece = object;

/** The bytes of a piece splicedPieces returned. */
export const pieceBytes = (piece: SharedPiece): Buffer => bytesOf(piece as Fragment);

/**
 * The pieces of stringifyWithFragments(value) in order: `texts[0]`, `parts[0]`, `texts[1]`, …, `texts[n]`, where each
 * part is one registered value (a roster's participants one by one, its brackets and commas in the texts). A store
 * that keeps each part once (SQLite's body parts, src/store/sqlite/body-parts.ts) stores a body as its texts and the
 * parts it names. One text and no parts when nothing in `value` is registered.
 */
export function splicedPieces(value: unknown): { texts: string[]; parts: SharedPiece[] } {
  const e = envelopeAround(value);
  if (e === null) return { texts: [JSON.stringify(value)], parts: [] };
  const texts: string[] = [];
  const parts: SharedPiece[] = [];
  let text = e.parts[0]!;
  const part = (f: Fragment): void => {
    texts.push(text);
    parts.push(f);
    text = '';
  };
  for (let i = 0; i < e.found.length; i++) {
    const s = e.found[i]!;
    if ('list' in s) {
      text += '[';
      s.list.forEach((f, j) => {
        if (j > 0) text += ',';
        part(f);
      });
      text += ']';
    } else part(s);
    text += e.parts[i + 1]!;
  }
  texts.push(text);
  return { texts, parts };
}

/**
 * The code of a one-character ASCII text, else null: most texts between a roster's parts are one comma, written as a
 * byte rather than through Buffer#write (a call into the runtime each, ~1,000 per big roster).
 */
export function asciiByte(text: string): number | null {
  if (text.length !== 1) return null;
  const c = text.charCodeAt(0);
  return c < 0x80 ? c : null;
}

/** The UTF-8 bytes of splicedPieces' texts and parts, in order, written once into a buffer of its own (ownedUtf8). */
export function utf8OfPieces({ texts, parts }: { texts: readonly string[]; parts: readonly SharedPiece[] }): Buffer {
  let length = 0;
  for (const t of texts) length += asciiByte(t) !== null ? 1 : Buffer.byteLength(t, 'utf8');
  for (const p of parts) length += pieceBytes(p).byteLength;
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  texts.forEach((t, i) => {
    const ascii = asciiByte(t);
    if (ascii !== null) out[at++] = ascii;
    else at += out.write(t, at, 'utf8');
    const p = parts[i];
    if (p !== undefined) {
      const b = pieceBytes(p);
      out.set(b, at);
      at += b.byteLength;
    }
  });
  return out;
}

/**
 * The UTF-8 bytes of stringifyWithFragments(value), written once into one buffer: each fragment's bytes are encoded
 * once and then copied. A whole-roster body is tens of KB made mostly of fragments; encoding the spliced string
 * (which V8 first flattens, another copy) was ~7 % of the server thread at the memory peak (issue 17 profile).
 * Buffers of their own (ownedUtf8): the SQLite store keeps recent bodies until delivered (recent-bodies.ts).
 */
export const utf8WithFragments = (value: unknown): Buffer => utf8OfPieces(splicedPieces(value));
