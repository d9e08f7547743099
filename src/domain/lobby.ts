/**
 * The meeting lobby. Who skips it follows the meeting's `lobbyBypassSettings` (scope, dial-in bypass), copied onto
 * the conversation when the first bot joins. A person the bot invites who does not skip it joins the roster with
 * `isInLobby: true` and waits there until a bot admits (`admitFromLobby`) or removes (`removeFromLobby`) them
 * (beta participant actions; v1.0 has none). Bots are never held in the lobby here; people moved or brought over
 * from a peer-to-peer call (`participantId` / `replacesCallId`) are already in a call, so they skip it too.
 */
import type { DomainContext } from './clock.js';
import { identityKind, primaryIdentity } from './identity.js';
import { checkClientContext } from './client-context.js';
import { rosterToAllLegs } from './notifications.js';
import { newOperation } from './operation.js';
import { requireAnyRole, Role, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import {
  emptyEffects,
  type CallLeg,
  type Conversation,
  type ConversationView,
  type Effects,
  type IdentitySet,
  type Operation,
  type Participant,
} from './types.js';

/** Whether a person joining `conversation` goes straight in (true) or waits in its lobby (false). */
export function bypassesLobby(conversation: Conversation, identity: IdentitySet): boolean {
  const lobby = conversation.lobby;
  if (conversation.kind !== 'meeting' || !lobby || lobby.scope === 'everyone') return true;
  const kind = identityKind(identity);
  if (kind === 'application' || kind === 'applicationInstance') return true;
  if (kind === 'phone') return lobby.isDialInBypassEnabled;
  const id = primaryIdentity(identity)?.value.id;
  const isOrganizer = kind === 'user' && typeof id === 'string' && id.toLowerCase() === lobby.organizerId.toLowerCase();
  switch (lobby.scope) {
    case 'organizer':
      return isOrganizer;
    case 'invited':
      // The bot invited them: they are invited people.
      return true;
    case 'organization':
    case 'organizationAndFederated':
    case 'organizationExcludingGuests':
      // Invitees are users of the meeting's tenant (other tenants are refused with 7505); guests wait.
      return kind === 'user';
  }
}

export interface LobbyCommand {
  clientContext?: string | null;
}

type LobbyView = ConversationView & { leg: CallLeg };
export type LobbyAction = 'admit' | 'remove';

/**
 * What every lobby action checks first: the bot may join group calls, the clientContext is valid, the call is a
 * meeting (only meetings have a lobby) and it is established.
 */
function lobbyRefusal(principal: Principal, view: LobbyView, cmd: LobbyCommand, what: string): Rejection | null {
  const denied = requireAnyRole(principal, [Role.joinGroupCall, Role.joinGroupCallAsGuest], what);
  if (denied) return denied;
  const badContext = checkClientContext(cmd.clientContext);
  if (badContext) return badContext;
  if (view.conversation.kind !== 'meeting')
    return reject(
      RejectionCode.callStateConflict,
      `${what}: call ${view.leg.id} is a ${view.conversation.kind}; only meetings have a lobby.`,
    );
  if (view.leg.state !== 'established')
    return reject(
      RejectionCode.callStateConflict,
      `${what} needs an established call; call ${view.leg.id} is ${view.leg.state}.`,
    );
  return null;
}

/**
 * POST …/participants/{id}/admitFromLobby or /removeFromLobby (beta): an already `Completed` operation (no
 * completion notification follows), then a roster `updated` (admitted, `isInLobby: false`) or `deleted` (removed)
 * to every bot leg in the meeting.
 */
export function decideLobby(
  principal: Principal,
  view: LobbyView,
  participantId: string,
  action: LobbyAction,
  cmd: LobbyCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const what = action === 'admit' ? 'participant: admitFromLobby' : 'participant: removeFromLobby';
  const refused = lobbyRefusal(principal, view, cmd, what);
  if (refused) return refused;
  const id = participantId.toLowerCase();
  const target = view.roster.find((p) => p.id.toLowerCase() === id && p.status === 'joined' && !p.hidden);
  if (!target)
    return reject(
      RejectionCode.participantNotFound,
      `Participant ${participantId} was not found in call ${view.leg.id}.`,
      participantId,
    );
  if (!target.isInLobby)
    return reject(RejectionCode.callStateConflict, `${what}: participant ${participantId} is not in the lobby.`);

  const effects = emptyEffects();
  const operation = newOperation(
    ctx,
    view.leg,
    action === 'admit' ? 'admitFromLobbyOperation' : 'removeFromLobbyOperation',
    'Completed',
    cmd.clientContext,
  );
  effects.operations.push(operation);
  const seq = view.conversation.rosterSequence + 1;
  const changed: Participant =
    action === 'admit'
      ? { ...target, isInLobby: false, rosterSequenceNumber: seq, updatedAt: ctx.now }
      : { ...target, status: 'removed', rosterSequenceNumber: seq, updatedAt: ctx.now };
  effects.participants.push(changed);
  effects.conversations.push({ ...view.conversation, rosterSequence: seq });
  effects.notifications.push(
    ...rosterToAllLegs(view.legs, view.roster, [changed], action === 'admit' ? 'updated' : 'deleted'),
  );
  return { effects, operation };
}

/**
 * POST /beta/…/participants/admitAllFromLobby (beta only): everyone waiting in the meeting's lobby comes in. An
 * already `Completed` `admitAllFromLobbyOperation`, and one roster `updated` (`isInLobby: false`) listing them; with
 * nobody waiting the operation still completes and the roster does not change.
 */
export function decideAdmitAllFromLobby(
  principal: Principal,
  view: LobbyView,
  cmd: LobbyCommand,
  ctx: DomainContext,
): Rejection | { effects: Effects; operation: Operation } {
  const what = 'participant: admitAllFromLobby';
  const refused = lobbyRefusal(principal, view, cmd, what);
  if (refused) return refused;

  const effects = emptyEffects();
  effects.operations.push(newOperation(ctx, view.leg, 'admitAllFromLobbyOperation', 'Completed', cmd.clientContext));
  const seq = view.conversation.rosterSequence + 1;
  const admitted = view.roster
    .filter((p) => p.status === 'joined' && !p.hidden && p.isInLobby)
    .map((p): Participant => ({ ...p, isInLobby: false, rosterSequenceNumber: seq, updatedAt: ctx.now }));
  if (admitted.length > 0) {
    effects.participants.push(...admitted);
    effects.conversations.push({ ...view.conversation, rosterSequence: seq });
    effects.notifications.push(...rosterToAllLegs(view.legs, view.roster, admitted));
  }
  return { effects, operation: effects.operations[0]! };
}
