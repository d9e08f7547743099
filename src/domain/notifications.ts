/**
 * Builders for the `commsNotifications` Graph posts to a leg's callbackUri. Each carries both the legacy
 * `resource` (/app/calls/…) and `resourceUrl` (/communications/calls/…), exactly as the seeds show.
 */
import { appPath, callResourceData, communicationsPath, operationResourceData, participantResourceData } from './render.js';
import type { CallLeg, Conversation, Operation, OutboundNotification, Participant } from './types.js';

export type ChangeType = 'created' | 'updated' | 'deleted';

function envelope(leg: CallLeg, changeType: ChangeType, sub: string, resourceData: unknown, callbackUri = leg.callbackUri): OutboundNotification {
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
export function callNotification(leg: CallLeg, conversation: Conversation | undefined, changeType: ChangeType): OutboundNotification {
  return envelope(leg, changeType, '', callResourceData(leg, conversation));
}

/** A key press the bot subscribed to (subscribeToTone): the call `updated`, carrying `toneInfo` (spec 2, "Tone"). */
export function toneNotification(leg: CallLeg, conversation: Conversation | undefined, toneInfo: { sequenceId: number; tone: string }): OutboundNotification {
  return envelope(leg, 'updated', '', { ...callResourceData(leg, conversation), toneInfo: { '@odata.type': '#microsoft.graph.toneInfo', ...toneInfo } });
}

/** Roster change: `resourceData` is an array holding only the participants that changed. */
export function rosterNotification(leg: CallLeg, changed: Participant[], changeType: 'updated' | 'deleted' = 'updated'): OutboundNotification {
  return envelope(leg, changeType, '/participants', changed.map((p) => participantResourceData(p, leg.id)));
}

/** An operation reached a final state: Graph announces it with changeType `deleted` (operations are transient). */
export function operationNotification(leg: CallLeg, op: Operation): OutboundNotification {
  return envelope(leg, 'deleted', `/operations/${op.id}`, operationResourceData(op));
}

/** The roster change to every bot leg in the conversation, each with its own call id in the paths. */
export function rosterToAllLegs(legs: CallLeg[], changed: Participant[], changeType: 'updated' | 'deleted' = 'updated'): OutboundNotification[] {
  // invitationParticipantInfo.hidden: the participant is kept out of the roster.
  changed = changed.filter((p) => !p.hidden);
  if (changed.length === 0) return [];
  return legs.filter(receivesRoster).map((leg) => rosterNotification(leg, changed, changeType));
}

/** Only legs that are in the call get roster updates (not one still ringing or already gone). */
export const receivesRoster = (leg: CallLeg): boolean => leg.state !== 'incoming' && leg.state !== 'terminated' && leg.state !== 'terminating';
