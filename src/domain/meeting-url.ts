/**
 * Teams meeting coordinates: the `19:meeting_…@thread.v2` chat thread, the `meetup-join` URL that carries it, and
 * the parsing a bot does to join by URL (spec 3.1): thread → `chatInfo.threadId`, next segment → `messageId`,
 * `context={"Tid","Oid"}` → tenant id and organizer id (`organizerMeetingInfo`).
 */

/** The chat thread ids Teams meetings and channels use. */
export const THREAD_ID = /^19:[A-Za-z0-9_\-.=+/]+@thread\.(v2|skype|tacv2)$/;

export interface JoinUrlParts {
  threadId: string;
  messageId: string;
  tenantId: string;
  organizerId: string;
}

/** Teams escapes with lowercase hex (`19%3ameeting_…%40thread.v2`); encodeURIComponent uses uppercase. */
const teamsEscape = (s: string): string => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

export function buildJoinWebUrl(parts: JoinUrlParts): string {
  const context = teamsEscape(`{"Tid":"${parts.tenantId}","Oid":"${parts.organizerId}"}`);
  return `https://teams.microsoft.com/l/meetup-join/${teamsEscape(parts.threadId)}/${parts.messageId}?context=${context}`;
}

/** Parses a Teams join URL as the Graph SDK samples do; the error names what is wrong with it. */
export function parseJoinWebUrl(url: string): JoinUrlParts | { error: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { error: `'${url}' is not an absolute URL.` };
  }
  const segments = u.pathname.split('/');
  const at = segments.indexOf('meetup-join');
  if (at < 0 || segments.length < at + 3) return { error: 'the URL has no /l/meetup-join/{thread}/{message} path.' };
  const threadId = decodeURIComponent(segments[at + 1]!);
  const messageId = decodeURIComponent(segments[at + 2]!);
  if (!THREAD_ID.test(threadId)) return { error: `'${threadId}' is not a Teams chat thread id (19:…@thread.v2).` };
  const raw = u.searchParams.get('context');
  if (!raw) return { error: 'the URL has no context={"Tid","Oid"} query parameter.' };
  let context: unknown;
  try {
    context = JSON.parse(raw);
  } catch {
    return { error: 'the context query parameter is not JSON.' };
  }
  const c = (typeof context === 'object' && context !== null ? context : {}) as Record<string, unknown>;
  if (typeof c.Tid !== 'string' || typeof c.Oid !== 'string')
    return { error: 'the context query parameter lacks Tid or Oid.' };
  return { threadId, messageId, tenantId: c.Tid, organizerId: c.Oid };
}

/** A meeting thread id from a GUID, shaped like Teams' (`19:meeting_<base64>@thread.v2`). */
export function meetingThreadId(guid: string): string {
  return `19:meeting_${Buffer.from(guid).toString('base64url')}@thread.v2`;
}

/** Graph's onlineMeeting id: base64 of `1*{organizerId}*0**{threadId}`. */
export function onlineMeetingId(organizerId: string, threadId: string): string {
  return Buffer.from(`1*${organizerId}*0**${threadId}`).toString('base64url');
}

/** `digits` decimal digits derived from a GUID's hex (first digit never 0), e.g. a 12-digit join meeting id. */
export function digitsFrom(guid: string, digits: number): string {
  const n = BigInt(`0x${guid.replace(/[^0-9a-f]/gi, '') || '0'}`);
  const span = 9n * 10n ** BigInt(digits - 1);
  return (10n ** BigInt(digits - 1) + (n % span)).toString();
}

/** A short alphanumeric passcode derived from a GUID (Graph generates passcodes; custom ones are not supported). */
export function passcodeFrom(guid: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  let n = BigInt(`0x${guid.replace(/[^0-9a-f]/gi, '') || '0'}`);
  let out = '';
  for (let i = 0; i < 6; i++) {
    out += alphabet[Number(n % BigInt(alphabet.length))];
    n /= BigInt(alphabet.length);
  }
  return out;
}
