/** DTMF keys and Graph's `tone` enum (v1.0 metadata). */
export const TONES = [
  'tone0',
  'tone1',
  'tone2',
  'tone3',
  'tone4',
  'tone5',
  'tone6',
  'tone7',
  'tone8',
  'tone9',
  'star',
  'pound',
  'a',
  'b',
  'c',
  'd',
  'flash',
] as const;
export type Tone = (typeof TONES)[number];

const KEYS: Record<string, Tone> = { '*': 'star', '#': 'pound', a: 'a', b: 'b', c: 'c', d: 'd' };

/** A key as a person presses it (`1`, `#`, `*`, `A`) or a Graph tone name (`tone1`, `pound`) → the Graph tone. */
export function parseTone(key: string): Tone | null {
  if (typeof key !== 'string') return null;
  const k = key.trim().toLowerCase();
  if (/^[0-9]$/.test(k)) return `tone${k}` as Tone;
  if (KEYS[k]) return KEYS[k];
  return (TONES as readonly string[]).includes(k) ? (k as Tone) : null;
}
