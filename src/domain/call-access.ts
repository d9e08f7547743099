/**
 * What a caller may see of the calls in the store: its own legs (tenant and app isolation), the roster Graph lists,
 * and the participants and operations of a call. Pure: the service loads, these decide.
 */
import type { Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import type { CallLeg, Conversation, Operation, Participant } from './types.js';

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Graph's 404 for a call that does not exist for the caller (its text is fixed: "Call not found."). */
export const callNotFound = (id: string): Rejection => reject(RejectionCode.callNotFound, 'Call not found.', id);

/**
 * The caller's own leg `rawId` (as the path gave it), or why not. Isolation: another tenant's call is a tenant
 * mismatch (7505); another app's call in the tenant does not exist for this app (404, as for an unknown id).
 */
export function ownLeg(principal: Principal, leg: CallLeg | undefined, rawId: string): Rejection | CallLeg {
  if (!leg) return callNotFound(rawId);
  if (!same(leg.tenantId, principal.tenantId))
    return reject(RejectionCode.tenantMismatch, 'Request authorization tenant mismatch.');
  if (!same(leg.appId, principal.appId)) return callNotFound(rawId);
  return leg;
}

/**
 * Whether `other` (a leg a body names: replacesCallId) is one the caller may act on from `leg`: a leg of the same
 * app and tenant. Any other id is "not found" for this app.
 */
export const isSameAppLeg = (principal: Principal, leg: CallLeg, other: CallLeg | undefined): other is CallLeg =>
  other !== undefined && same(other.appId, principal.appId) && other.tenantId === leg.tenantId;

/** GET …/participants: the joined, visible participants; Graph keeps no roster for peer-to-peer calls (spec 4.17). */
export function listedRoster(conversation: Conversation | undefined, roster: Participant[]): Participant[] {
  if (!conversation || conversation.kind === 'peerToPeer') return [];
  return roster.filter((p) => p.status === 'joined' && !p.hidden);
}

/** GET …/participants/{id}: a joined participant of the leg's conversation, else 404 naming the id as given. */
export function participantOfCall(leg: CallLeg, p: Participant | undefined, rawId: string): Rejection | Participant {
  if (!p || p.conversationId !== leg.conversationId || p.status !== 'joined') {
    return reject(RejectionCode.participantNotFound, `Participant ${rawId} was not found in call ${leg.id}.`, rawId);
  }
  return p;
}

/** GET …/operations/{id}: an operation of this leg, else 404 naming the id as given. */
export function operationOfCall(leg: CallLeg, op: Operation | undefined, rawId: string): Rejection | Operation {
  if (!op || op.callId !== leg.id)
    return reject(RejectionCode.operationNotFound, `Operation ${rawId} was not found in call ${leg.id}.`, rawId);
  return op;
}
