/**
 * Builders for the `commsNotifications` Graph posts to a leg's callbackUri. Each carries both the legacy
 * `resource` (/app/calls/…) and `resourceUrl` (/communications/calls/…), exactly as the seeds show.
 */
import {
  appPath,
  callResourceData,
  communicationsPath,
  operationResourceData,
  participantResourceData,
} from './render.js';
import type { CallLeg, Conversation, Operation, OutboundNotification, Participant } from './types.js';
import { jsonFragment, jsonFragmentList } from './shared-values.js';

export type ChangeType = 'created' | 'updated' | 'deleted';

function envelope(
  leg: CallLeg,
  changeType: ChangeType,
  sub: string,
  resourceData: unknown,
  callbackUri = leg.callbackUri,
): OutboundNotification {
  return {
    callId: leg.id,
    tenantId: leg.tenantId,
    appId: leg.appId,
    callbackUri,
    body: {
      '@odata.type': '#microsoft.graph.commsNotifications',
      value: [
        {
          '@odata.type': '#microsoft.graph.commsNotification',
          changeType,
          resource: appPath(leg.id, sub),
          resourceUrl: communicationsPath(leg.id, sub),
          resourceData,
        },
      ],
    },
  };
}

/** A change of the call resource itself (incoming, establishing, established, terminated…). */
export function callNotification(
  leg: CallLeg,
  conversation: Conversation | undefined,
  changeType: ChangeType,
): OutboundNotification {
  return envelope(leg, changeType, '', callResourceData(leg, conversation));
}

/** A key press the bot subscribed to (subscribeToTone): the call `updated`, carrying `toneInfo` (spec 2, "Tone"). */
export function toneNotification(
  leg: CallLeg,
  conversation: Conversation | undefined,
  toneInfo: { sequenceId: number; tone: string },
): OutboundNotification {
  return envelope(leg, 'updated', '', {
    ...callResourceData(leg, conversation),
    toneInfo: { '@odata.type': '#microsoft.graph.toneInfo', ...toneInfo },
  });
}

/**
 * A roster notification on `…/participants`: `resourceData` is an array of participants (see rosterToAllLegs), or
 * for a leg that asked for deltas (`wantsDeltaRoster`) a `deltaParticipants` with the roster's `sequenceNumber`
 * after the change (the highest `rosterSequenceNumber` listed) and only the participants given.
 */
export function rosterNotification(
  leg: CallLeg,
  participants: Participant[],
  changeType: 'updated' | 'deleted' = 'updated',
): OutboundNotification {
  const listed = jsonFragmentList(participants.map((p) => sharedResourceData(p, leg.id)));
  if (!wantsDeltaRoster(leg)) return envelope(leg, changeType, '/participants', listed);
  const sequenceNumber = participants.reduce((n, p) => Math.max(n, p.rosterSequenceNumber ?? 0), 0);
  return envelope(leg, changeType, '/participants', {
    '@odata.type': '#microsoft.graph.deltaParticipants',
    sequenceNumber,
    participants: listed,
  });
}

/** Each participant object's rendering per receiving leg: built once, then shared (src/domain/shared-values.ts). */
const renderedByLeg = new WeakMap<Participant, Map<string, Record<string, unknown>>>();

/**
 * participantResourceData, built once per participant object and leg. A store that hands out the same object for an
 * unchanged participant (SQLite's parsed-row cache) makes the roster of an invite's notification mostly renderings
 * built for earlier invites, each serialized once (jsonFragment), so a big roster is copied as text, not rebuilt.
 */
function sharedResourceData(p: Participant, legId: string): Record<string, unknown> {
  let byLeg = renderedByLeg.get(p);
  if (byLeg === undefined) {
    byLeg = new Map();
    renderedByLeg.set(p, byLeg);
  }
  let rendered = byLeg.get(legId);
  if (rendered === undefined) {
    rendered = jsonFragment(participantResourceData(p, legId));
    byLeg.set(legId, rendered);
  }
  return rendered;
}

/**
 * The bot asked for roster deltas: `callOptions.isDeltaRosterEnabled` (v1.0 `callOptions`, on create or answer).
 * Graph then sends `deltaParticipants` (the participants changed since the last update and a `sequenceNumber` to
 * order them) instead of the whole roster; without it, the whole roster as every documented example shows.
 */
export const wantsDeltaRoster = (leg: CallLeg): boolean => leg.callOptions?.isDeltaRosterEnabled === true;

/** An operation reached a final state: Graph announces it with changeType `deleted` (operations are transient). */
export function operationNotification(leg: CallLeg, op: Operation): OutboundNotification {
  return envelope(leg, 'deleted', `/operations/${op.id}`, operationResourceData(op, leg.apiVersion));
}

/**
 * The roster change to every bot leg in the conversation, each with its own call id in the paths.
 * `updated` lists the whole roster after the change, the bot included: every documented Graph example and real
 * capture does, and Microsoft's C# calling SDK takes an `updated` as the complete roster (it drops from
 * `call.Participants` anyone the notification leaves out). `deleted` lists only the participants who left.
 * `roster` is the conversation's participants before the change (any status); `changed` replaces them by id.
 */
export function rosterToAllLegs(
  legs: CallLeg[],
  roster: readonly Participant[],
  changed: Participant[],
  changeType: 'updated' | 'deleted' = 'updated',
): OutboundNotification[] {
  // invitationParticipantInfo.hidden: the participant is kept out of the roster.
  changed = changed.filter((p) => !p.hidden);
  if (changed.length === 0) return [];
  const listed = changeType === 'deleted' ? changed : rosterAfter(roster, changed);
  return legs
    .filter(receivesRoster)
    .map((leg) => rosterNotification(leg, wantsDeltaRoster(leg) ? changed : listed, changeType));
}

/** Who is in the roster once `changed` is applied to `roster`: joined (lobby included) and not hidden, in roster order. */
export function rosterAfter(roster: readonly Participant[], changed: readonly Participant[]): Participant[] {
  const byId = new Map(roster.map((p) => [p.id, p]));
  for (const p of changed) byId.set(p.id, p);
  return [...byId.values()].filter((p) => p.status === 'joined' && !p.hidden);
}

/** Only legs that are in the call get roster updates (not one still ringing or already gone). */
export const receivesRoster = (leg: CallLeg): boolean =>
  leg.state !== 'incoming' && leg.state !== 'terminated' && leg.state !== 'terminating';

/** A leg rosterToAllLegs sends the whole roster to: it receives roster updates and did not ask for deltas. */
export const getsWholeRoster = (leg: CallLeg): boolean => receivesRoster(leg) && !wantsDeltaRoster(leg);
