/**
 * A call's audioRoutingGroups (v1.0 and beta; audioroutinggroup.md): private audio routes between participants of
 * a group call or meeting, kept on the bot's leg. Create (the client names the group: the documented examples send
 * `"id": "oneToOne"`), read, list, update (the receivers; call-post-audioroutinggroups.md and
 * audioroutinggroup-update.md answer 200 with the group), delete (204). Graph sends no notification for them.
 *
 * routingMode: `oneToOne` has exactly one source and one receiver; `multicast` one source and one or more
 * receivers. Sources and receivers are ids of participants in the call.
 */
import type { DomainContext } from './clock.js';
import { requireAnyRole, Role, type Principal } from './permissions.js';
import { reject, RejectionCode, type Rejection } from './rejections.js';
import { emptyEffects, type AudioRoutingGroup, type CallLeg, type ConversationView, type Effects } from './types.js';

type LegView = ConversationView & { leg: CallLeg };

export const ROUTING_MODES = ['oneToOne', 'multicast'] as const;

export interface AudioRoutingGroupInput {
  id?: string | null;
  routingMode?: string | null;
  sources?: string[] | null;
  receivers?: string[] | null;
}

const groupsOf = (leg: CallLeg): AudioRoutingGroup[] => leg.audioRoutingGroups ?? [];

function checkAccess(principal: Principal, view: LegView, what: string): Rejection | null {
  const denied = requireAnyRole(principal, [Role.joinGroupCall, Role.initiateGroupCall], what);
  if (denied) return denied;
  if (view.conversation.kind === 'peerToPeer')
    return reject(
      RejectionCode.callStateConflict,
      `${what}: audio routing groups are for group calls and meetings; call ${view.leg.id} is peer-to-peer.`,
    );
  return null;
}

/** Each id names a joined participant of the call; the group's shape fits its routingMode. */
function checkRoute(view: LegView, mode: string, sources: string[], receivers: string[]): Rejection | null {
  const present = new Set(view.roster.filter((p) => p.status === 'joined').map((p) => p.id.toLowerCase()));
  for (const [name, ids] of [
    ['sources', sources],
    ['receivers', receivers],
  ] as const) {
    for (const [i, id] of ids.entries()) {
      if (!present.has(id.toLowerCase()))
        return reject(
          RejectionCode.invalidProperty,
          `${name}[${i}]: participant ${id} is not in call ${view.leg.id}.`,
          `${name}[${i}]`,
        );
    }
  }
  if (sources.length !== 1)
    return reject(
      RejectionCode.invalidProperty,
      `sources must list exactly one participant (routingMode ${mode}); got ${sources.length}.`,
      'sources',
    );
  if (receivers.length === 0)
    return reject(RejectionCode.invalidProperty, 'receivers must list at least one participant.', 'receivers');
  if (mode === 'oneToOne' && receivers.length !== 1)
    return reject(
      RejectionCode.invalidProperty,
      `receivers of a oneToOne group must list exactly one participant; got ${receivers.length}.`,
      'receivers',
    );
  return null;
}

function saved(view: LegView, groups: AudioRoutingGroup[], ctx: DomainContext): Effects {
  const effects = emptyEffects();
  effects.legs.push({ ...view.leg, audioRoutingGroups: groups, version: view.leg.version + 1, updatedAt: ctx.now });
  return effects;
}

const notFound = (view: LegView, groupId: string): Rejection =>
  reject(
    RejectionCode.operationNotFound,
    `Audio routing group ${groupId} was not found in call ${view.leg.id}.`,
    groupId,
  );

const find = (leg: CallLeg, groupId: string): AudioRoutingGroup | undefined =>
  groupsOf(leg).find((g) => g.id.toLowerCase() === groupId.toLowerCase());

/** POST …/calls/{id}/audioRoutingGroups: 200 with the group (as documented, not 201). */
export function decideCreateAudioRoutingGroup(
  principal: Principal,
  view: LegView,
  cmd: AudioRoutingGroupInput,
  ctx: DomainContext,
): Rejection | { effects: Effects; value: AudioRoutingGroup } {
  const bad = checkAccess(principal, view, 'audioRoutingGroup: create');
  if (bad) return bad;
  if (view.leg.state !== 'established')
    return reject(
      RejectionCode.callStateConflict,
      `audioRoutingGroup: create needs an established call; call ${view.leg.id} is ${view.leg.state}.`,
    );
  const mode = cmd.routingMode;
  if (mode !== 'oneToOne' && mode !== 'multicast')
    return reject(
      RejectionCode.invalidProperty,
      `routingMode must be one of ${ROUTING_MODES.join(', ')}.`,
      'routingMode',
    );
  const sources = cmd.sources ?? [];
  const receivers = cmd.receivers ?? [];
  const wrong = checkRoute(view, mode, sources, receivers);
  if (wrong) return wrong;
  const id = cmd.id ?? ctx.ids.next();
  if (id.length === 0) return reject(RejectionCode.invalidProperty, 'id must not be empty.', 'id');
  if (find(view.leg, id))
    return reject(
      RejectionCode.callStateConflict,
      `id: call ${view.leg.id} already has an audio routing group ${id}.`,
      'id',
    );
  const group: AudioRoutingGroup = { id, routingMode: mode, sources: [...sources], receivers: [...receivers] };
  return { effects: saved(view, [...groupsOf(view.leg), group], ctx), value: group };
}

/** PATCH …/audioRoutingGroups/{groupId}: the receivers (and, within its rules, sources and routingMode) change. */
export function decideUpdateAudioRoutingGroup(
  principal: Principal,
  view: LegView,
  groupId: string,
  cmd: AudioRoutingGroupInput,
  ctx: DomainContext,
): Rejection | { effects: Effects; value: AudioRoutingGroup } {
  const bad = checkAccess(principal, view, 'audioRoutingGroup: update');
  if (bad) return bad;
  const current = find(view.leg, groupId);
  if (!current) return notFound(view, groupId);
  if (cmd.id != null && cmd.id !== current.id)
    return reject(RejectionCode.invalidProperty, `id is read-only: the group is ${current.id}.`, 'id');
  const mode = cmd.routingMode ?? current.routingMode;
  if (mode !== 'oneToOne' && mode !== 'multicast')
    return reject(
      RejectionCode.invalidProperty,
      `routingMode must be one of ${ROUTING_MODES.join(', ')}.`,
      'routingMode',
    );
  const next: AudioRoutingGroup = {
    id: current.id,
    routingMode: mode,
    sources: cmd.sources ?? current.sources,
    receivers: cmd.receivers ?? current.receivers,
  };
  const wrong = checkRoute(view, mode, next.sources, next.receivers);
  if (wrong) return wrong;
  return {
    effects: saved(
      view,
      groupsOf(view.leg).map((g) => (g.id === current.id ? next : g)),
      ctx,
    ),
    value: next,
  };
}

/** DELETE …/audioRoutingGroups/{groupId}: 204. */
export function decideDeleteAudioRoutingGroup(
  principal: Principal,
  view: LegView,
  groupId: string,
  ctx: DomainContext,
): Rejection | Effects {
  const bad = checkAccess(principal, view, 'audioRoutingGroup: delete');
  if (bad) return bad;
  const current = find(view.leg, groupId);
  if (!current) return notFound(view, groupId);
  return saved(
    view,
    groupsOf(view.leg).filter((g) => g.id !== current.id),
    ctx,
  );
}

/** GET …/audioRoutingGroups and …/{groupId}: the leg's groups, or one of them. */
export function readAudioRoutingGroups(
  principal: Principal,
  view: LegView,
  groupId: string | null,
): Rejection | AudioRoutingGroup[] {
  const bad = checkAccess(principal, view, 'audioRoutingGroup: get');
  if (bad) return bad;
  if (groupId === null) return groupsOf(view.leg);
  const one = find(view.leg, groupId);
  return one ? [one] : notFound(view, groupId);
}
