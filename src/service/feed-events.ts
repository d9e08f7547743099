/**
 * The change feed's `command` events: what one committed command changed, per conversation, in a compact summary
 * (ids, states, statuses; full bodies stay in their own tables). Written in the command's own transaction, so the
 * feed shows exactly what committed, and a watcher on any instance sees it once it is visible (src/sim/feed.ts).
 */
import type { DomainContext } from '../domain/clock.js';
import { identityKey } from '../domain/identity.js';
import type { Effects, OutboundNotification, Participant } from '../domain/types.js';
import { realMicros } from '../store/event-rows.js';
import type { FeedEventInput } from '../store/store.js';

/** What made the command happen: a Graph request (the request log has it), a timer, a person, or the control API. */
export type CommandCause =
  | { kind: 'request' }
  | { kind: 'timer'; timer: string; payload: object | null }
  | { kind: 'control'; what: string; detail?: Record<string, unknown> };

const REQUEST: CommandCause = { kind: 'request' };

/** The call a timer's payload names, when it names one (person actions name a participant only). */
const timerCallId = (payload: object | null): string | null =>
  payload !== null && 'callId' in payload && typeof payload.callId === 'string' ? payload.callId : null;

function who(p: Participant): { key: string | null; name: string | null } {
  const name = Object.values(p.identity).find(
    (v): v is { displayName: string } =>
      typeof v === 'object' && v !== null && typeof (v as { displayName?: unknown }).displayName === 'string',
  );
  return { key: identityKey(p.identity), name: name?.displayName ?? null };
}

/** The notifications a command appended, by message id, summarized (each may batch several Graph notifications). */
function notificationSummary(messageId: string, n: OutboundNotification): Record<string, unknown> {
  const value = (n.body as { value?: { changeType?: string; resourceUrl?: string }[] }).value ?? [];
  return {
    messageId,
    callId: n.callId,
    appId: n.appId,
    items: value.map((v) => ({ changeType: v.changeType ?? null, resourceUrl: v.resourceUrl ?? null })),
  };
}

/** One `command` event per conversation the effects touch; none for a command that changed nothing (unless a timer fired). */
export function commandEvents(
  effects: Effects,
  notifications: readonly { messageId: string; notification: OutboundNotification }[],
  cause: CommandCause | undefined,
  ctx: DomainContext,
): FeedEventInput[] {
  const legConversation = new Map(effects.legs.map((l) => [l.id, l.conversationId]));
  const conversations = new Set<string>([
    ...effects.conversations.map((c) => c.id),
    ...effects.legs.map((l) => l.conversationId),
    ...effects.participants.map((p) => p.conversationId),
  ]);
  const first = [...conversations][0];
  const conversationOf = (callId: string): string | undefined => legConversation.get(callId) ?? first;
  const c = cause ?? REQUEST;
  if (conversations.size === 0) {
    // A timer that fired and changed nothing still happened (its call may be gone): the call's timeline shows it.
    if (c.kind !== 'timer') return [];
    return [
      {
        kind: 'command',
        rt: realMicros(),
        at: ctx.now,
        conversationId: null,
        callId: timerCallId(c.payload),
        body: { cause: c },
      },
    ];
  }
  const rt = realMicros();
  return [...conversations].map((conversationId) => {
    const legs = effects.legs.filter((l) => l.conversationId === conversationId);
    const legIds = new Set(legs.map((l) => l.id));
    return {
      kind: 'command' as const,
      rt,
      at: ctx.now,
      conversationId,
      callId: null,
      body: {
        cause: c,
        conversation: effects.conversations.find((x) => x.id === conversationId)?.kind ?? null,
        legs: legs.map((l) => ({ id: l.id, state: l.state, appId: l.appId, direction: l.direction })),
        participants: effects.participants
          .filter((p) => p.conversationId === conversationId)
          .map((p) => ({
            id: p.id,
            status: p.status,
            ...who(p),
            muted: p.isMuted,
            inLobby: p.isInLobby,
            onHold: p.onHold ?? false,
          })),
        operations: effects.operations
          .filter((o) => legIds.has(o.callId) || conversationOf(o.callId) === conversationId)
          .map((o) => ({ id: o.id, callId: o.callId, type: o.type, status: o.status, resultInfo: o.resultInfo })),
        notifications: notifications
          .filter((n) => conversationOf(n.notification.callId) === conversationId)
          .map((n) => notificationSummary(n.messageId, n.notification)),
        timers: effects.timers.map((t) => ({ kind: t.kind, dueAt: t.dueAt })),
      },
    };
  });
}
