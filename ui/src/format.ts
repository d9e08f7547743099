/** Small display helpers shared by the pages. */

/** "3 s", "2 min 5 s", "1 h 4 min": how long ago `iso` was, measured against `now` (ms). */
export function age(iso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

/** A time of day with milliseconds (the timeline's resolution). */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export const shortId = (id: string): string => (id.length > 13 ? `${id.slice(0, 8)}…` : id);

export const KIND_LABEL: Record<string, string> = { peerToPeer: 'P2P', groupCall: 'group', meeting: 'meeting' };
