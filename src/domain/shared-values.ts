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

/** JSON text of shared objects, spliced in when a body that contains them is serialized (stringifyWithFragments). */
const fragments = new WeakMap<object, string>();

/** Registers `value` (shared, never changed) with its JSON text; returns it. */
export function jsonFragment<T extends object>(value: T): T {
  fragments.set(shared(value), JSON.stringify(value));
  return value;
}

// A string no body contains: NUL (escaped in JSON text) and a random tag per process.
const MARK = `\u0000${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
const MARK_JSON = JSON.stringify(MARK);

/**
 * JSON.stringify(value), with the registered fragments in it copied as text instead of walked again. The replacer
 * stops at a fragment (its inside is never visited), so only the envelope around the fragments is walked.
 */
export function stringifyWithFragments(value: unknown): string {
  const found: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null) {
      const t = fragments.get(v);
      if (t !== undefined) {
        found.push(t);
        return MARK;
      }
    }
    return v;
  });
  if (found.length === 0) return text;
  const parts = text.split(MARK_JSON);
  // Every mark is a fragment (the mark cannot occur in other text); anything else falls back to the plain form.
  if (parts.length !== found.length + 1) return JSON.stringify(value);
  let out = parts[0]!;
  for (let i = 0; i < found.length; i++) out += found[i]! + parts[i + 1]!;
  return out;
}
