/** A new operation of a call leg, as every command that answers with an operation starts it. */
import type { DomainContext } from './clock.js';
import type { CallLeg, MediaOperationDetail, Operation, OperationStatus, OperationType } from './types.js';

export function newOperation(
  ctx: DomainContext,
  leg: CallLeg,
  type: OperationType,
  status: OperationStatus,
  clientContext: string | null | undefined,
  media?: MediaOperationDetail,
): Operation {
  return {
    id: ctx.ids.next(),
    callId: leg.id,
    type,
    status,
    clientContext: clientContext ?? null,
    resultInfo: null,
    invitees: [],
    ...(media ? { media } : {}),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}
