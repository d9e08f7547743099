/**
 * The simulated world as a user reads it (GET /_switchboard/ and the start-up banner) and as a world file
 * (GET /_switchboard/world). Both read the directory as currently in effect: the loaded world plus the behaviour
 * and fault changes the control API made since (until a reset).
 */
import { buildJoinWebUrl } from '../domain/meeting-url.js';
import type { AnswerBehaviour, World } from './directory.js';

/** One tenant of the listing: what a bot's configuration and a test's request bodies need. */
export interface TenantListing {
  id: string;
  displayName: string;
  /** Relative to the https base URL (identity libraries refuse an http authority). */
  tokenEndpoint: string;
  apps: {
    clientId: string;
    displayName: string;
    roles: string[];
    /** Where incoming calls of this app are notified, or null (no incoming calls until set: --callback or world file). */
    callbackUri: string | null;
    callingRegistered: boolean;
    instances: { id: string; displayName: string; phoneNumber: string | null }[];
  }[];
  users: { id: string; displayName: string; answer: AnswerBehaviour; then: unknown[] }[];
  phones: { number: string; answer: AnswerBehaviour; then: unknown[] }[];
  /** How a number not listed in `phones` answers. */
  defaultPhoneAnswer: AnswerBehaviour;
  meetings: {
    id: string;
    threadId: string;
    joinMeetingId: string;
    joinWebUrl: string;
    organizer: { id: string; displayName: string | null };
    createdByAppId: string | null;
    passcode: string | null;
    lobbyBypassScope: string | null;
  }[];
}

export interface WorldListing {
  tenants: TenantListing[];
  establishMs: number;
  endCallOnCallbackFailure: boolean;
  faults: unknown[];
}

export function worldListing(world: World): WorldListing {
  return {
    tenants: world.tenants.map((t) => {
      const nameOf = (userId: string): string | null =>
        t.users.find((u) => u.id.toLowerCase() === userId.toLowerCase())?.displayName ?? null;
      return {
        id: t.id,
        displayName: t.displayName,
        tokenEndpoint: `/${t.id}/oauth2/v2.0/token`,
        apps: t.apps.map((a) => ({
          clientId: a.id,
          displayName: a.displayName,
          roles: [...a.roles],
          callbackUri: a.callbackUri,
          callingRegistered: a.callingRegistered !== false,
          instances: a.instances.map((i) => ({ id: i.id, displayName: i.displayName, phoneNumber: i.phoneNumber })),
        })),
        users: t.users.map((u) => ({
          id: u.id,
          displayName: u.displayName,
          answer: { ...u.answer },
          then: [...(u.then ?? [])],
        })),
        phones: t.phones.map((p) => ({ number: p.number, answer: { ...p.answer }, then: [...(p.then ?? [])] })),
        defaultPhoneAnswer: { ...t.defaultPhoneAnswer },
        meetings: t.meetings.map((m) => ({
          id: m.id,
          threadId: m.threadId,
          joinMeetingId: m.joinMeetingId,
          // messageId 0: the meeting's root message, as Teams puts it in a meeting invitation's link.
          joinWebUrl: buildJoinWebUrl({
            threadId: m.threadId,
            messageId: '0',
            tenantId: t.id,
            organizerId: m.organizerId,
          }),
          organizer: { id: m.organizerId, displayName: nameOf(m.organizerId) },
          createdByAppId: m.createdByAppId,
          passcode: m.passcode,
          lobbyBypassScope: m.lobbyBypassScope,
        })),
      };
    }),
    establishMs: world.establishMs,
    endCallOnCallbackFailure: world.endCallOnCallbackFailure !== false,
    faults: [...(world.faults ?? [])],
  };
}

/**
 * The world as a world file (`--world`): `parseWorld` reads it back to an equal world. A copy, so the caller can
 * serialize it while the control API changes the directory. An empty fault list is left out, as the parser does.
 */
export function worldFile(world: World): World {
  const copy = structuredClone(world);
  if (copy.faults !== undefined && copy.faults.length === 0) delete copy.faults;
  return copy;
}

const ms = (a: AnswerBehaviour): string => `${a.action} after ${a.afterMs} ms`;

/**
 * The banner's compact listing: one row per tenant, app, number, person and meeting (a meeting's join URL on the
 * row after it), at most `maxRows`, then where the rest is.
 */
export function worldBannerLines(world: World, listingUrl: string, maxRows = 30): string[] {
  const rows: string[] = [];
  for (const t of world.tenants) {
    rows.push(`tenant   ${t.id}  ${t.displayName}`);
    for (const a of t.apps) {
      rows.push(
        `app      ${a.id}  ${a.displayName}  callback ${a.callbackUri ?? '(none: incoming calls need --callback <url>)'}`,
      );
      for (const i of a.instances)
        rows.push(`number   ${i.phoneNumber ?? '(none)'}  instance ${i.id} (${i.displayName}) of ${a.displayName}`);
    }
    for (const a of t.consentedApps ?? []) rows.push(`consents ${a}  (multi-tenant app: its tokens from this tenant)`);
    const width = Math.max(0, ...t.users.map((u) => u.displayName.length));
    for (const u of t.users) rows.push(`user     ${u.id}  ${u.displayName.padEnd(width)}  ${ms(u.answer)}`);
    for (const p of t.phones) rows.push(`phone    ${p.number}  ${ms(p.answer)}`);
    rows.push(`phone    any other number  ${ms(t.defaultPhoneAnswer)}`);
    for (const m of t.meetings) {
      const organizer =
        t.users.find((u) => u.id.toLowerCase() === m.organizerId.toLowerCase())?.displayName ?? m.organizerId;
      rows.push(`meeting  ${m.threadId}  join id ${m.joinMeetingId}  organizer ${organizer}`);
      rows.push(
        `           ${buildJoinWebUrl({ threadId: m.threadId, messageId: '0', tenantId: t.id, organizerId: m.organizerId })}`,
      );
    }
  }
  if (rows.length <= maxRows) return rows;
  const shown = rows.slice(0, maxRows - 1);
  return [...shown, `… ${rows.length - shown.length} more row(s): ${listingUrl}`];
}
