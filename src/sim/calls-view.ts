/**
 * The control API's read side of the calling world: every live call leg, and one leg with its conversation's
 * roster (every participant, whatever their status), its operations and its notification log. It reads the
 * store and decides nothing; bodies reuse Graph's shapes where Graph has one (call, participant, operation).
 */
import type { FastifyInstance } from 'fastify';
import { CallState, type CallLeg, type Conversation, type Operation, type Participant } from '../domain/types.js';
import { toGraphCall, toGraphOperation, toGraphParticipant } from '../domain/render.js';
import { badRequest, GraphError } from '../http/errors.js';
import type { DeliveryAttempt, OutboxRow, Store } from '../store/store.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** One outbox row as the control API shows it (GET /_switchboard/notifications and a call's log). */
export function notificationView(r: OutboxRow, attempts: DeliveryAttempt[]): Record<string, unknown> {
  return {
    sequence: r.seq,
    messageId: r.messageId,
    callId: r.callId,
    tenantId: r.tenantId,
    appId: r.appId,
    callbackUri: r.callbackUri,
    createdDateTime: iso(r.createdAt),
    status:
      r.deliveredAt !== null
        ? 'delivered'
        : r.deadAt !== null
          ? 'deadLettered'
          : r.attempts > 0
            ? 'retrying'
            : 'pending',
    deliveredDateTime: r.deliveredAt === null ? null : iso(r.deliveredAt),
    nextAttemptDateTime: r.deliveredAt === null && r.deadAt === null ? iso(r.nextAttemptAt) : null,
    lastError: r.lastError,
    attempts: attempts
      .filter((a) => a.outboxSeq === r.seq)
      .map((a) => ({
        attempt: a.attempt,
        startedDateTime: iso(a.startedAt),
        durationMs: a.durationMs,
        statusCode: a.statusCode,
        error: a.error,
      })),
    body: r.body,
  };
}

function conversationView(c: Conversation | undefined): Record<string, unknown> | null {
  if (!c) return null;
  return {
    id: c.id,
    kind: c.kind,
    threadId: c.chatInfo?.threadId ?? null,
    meetingId: c.meetingId,
    callChainId: c.callChainId,
  };
}

function legSummary(leg: CallLeg, conversation: Conversation | undefined): Record<string, unknown> {
  return {
    id: leg.id,
    state: leg.state,
    direction: leg.direction,
    tenantId: leg.tenantId,
    appId: leg.appId,
    apiVersion: leg.apiVersion,
    createdDateTime: iso(leg.createdAt),
    conversation: conversationView(conversation),
    call: toGraphCall(leg, conversation),
  };
}

/** Every participant of the conversation, with the lifecycle Graph does not show (inviting, joined, removed, failed). */
function rosterEntry(p: Participant): Record<string, unknown> {
  return {
    status: p.status,
    kind: p.kind,
    callId: p.callLegId,
    invitedByOperationId: p.invitedByOperationId,
    onHold: p.onHold ?? false,
    outcome: p.outcome,
    participant: toGraphParticipant(p),
  };
}

const STATES = new Set<string>(Object.values(CallState));
const KINDS = new Set(['peerToPeer', 'groupCall', 'meeting']);

interface ListQuery {
  state?: string;
  appId?: string;
  tenantId?: string;
  kind?: string;
  conversationId?: string;
}

// The control view shows all an operation holds: beta's property set is v1.0's plus its own (completionReason).
const operationView = (op: Operation): Record<string, unknown> => ({
  ...toGraphOperation(op, 'beta'),
  type: op.type,
  createdDateTime: iso(op.createdAt),
  lastModifiedDateTime: iso(op.updatedAt),
});

export function callsViewRoutes(app: FastifyInstance, store: Store): void {
  app.get<{ Querystring: ListQuery }>('/_switchboard/calls', async (req) => {
    const q = req.query;
    if (q.state !== undefined && !STATES.has(q.state))
      throw badRequest(`state must be one of ${[...STATES].join(', ')}; got '${q.state}'.`, 'state');
    if (q.kind !== undefined && !KINDS.has(q.kind))
      throw badRequest(`kind must be one of ${[...KINDS].join(', ')}; got '${q.kind}'.`, 'kind');
    const same = (a: string, b: string | undefined): boolean => b === undefined || a.toLowerCase() === b.toLowerCase();
    return store.transact(async (tx) => {
      const legs = (await tx.listLegs()).filter(
        (l) =>
          same(l.appId, q.appId) &&
          same(l.tenantId, q.tenantId) &&
          same(l.conversationId, q.conversationId) &&
          (q.state === undefined || l.state === q.state),
      );
      const conversations = new Map<string, Conversation | undefined>();
      for (const l of legs)
        if (!conversations.has(l.conversationId))
          conversations.set(l.conversationId, await tx.getConversation(l.conversationId));
      const value = legs
        .filter((l) => q.kind === undefined || conversations.get(l.conversationId)?.kind === q.kind)
        .map((l) => legSummary(l, conversations.get(l.conversationId)));
      return { value };
    });
  });

  app.get<{ Params: { id: string } }>('/_switchboard/calls/:id', async (req) => {
    const id = req.params.id.toLowerCase();
    const found = await store.transact(async (tx) => {
      const leg = await tx.getLeg(id);
      if (!leg) return undefined;
      const conversation = await tx.getConversation(leg.conversationId);
      return {
        leg,
        conversation,
        roster: await tx.participantsInConversation(leg.conversationId),
        operations: await tx.operationsOfCall(leg.id),
      };
    });
    // Ended legs are deleted (Graph answers 404 for them too); their notifications stay in GET /_switchboard/notifications?callId=.
    if (!found)
      throw new GraphError(
        404,
        'itemNotFound',
        `No live call ${req.params.id}; an ended call's notifications are at /_switchboard/notifications?callId=${req.params.id}.`,
      );
    const rows = await store.outbox.list({ callId: id, limit: 10_000 });
    const attempts = await store.outbox.attempts(rows.map((r) => r.seq));
    return {
      ...legSummary(found.leg, found.conversation),
      roster: found.roster.map(rosterEntry),
      operations: found.operations.map(operationView),
      notifications: rows.map((r) => notificationView(r, attempts)),
    };
  });

  // Operations outlive their leg (an ended call's end Failed): readable here after the call's GET answers 404.
  app.get<{ Params: { id: string } }>('/_switchboard/calls/:id/operations', async (req) => {
    const id = req.params.id.toLowerCase();
    const { leg, operations } = await store.transact(async (tx) => ({
      leg: await tx.getLeg(id),
      operations: await tx.operationsOfCall(id),
    }));
    if (!leg && operations.length === 0)
      throw new GraphError(404, 'itemNotFound', `No call ${req.params.id} and no operations of one.`);
    return { callId: id, callEnded: !leg, value: operations.map(operationView) };
  });
}
