/** The participant a command first writes, with Graph's defaults for what the command does not name. */
import { identityKind } from './identity.js';
import type { Participant } from './types.js';

type Named = Pick<Participant, 'id' | 'conversationId' | 'status' | 'identity' | 'callLegId' | 'sourceId'> &
  Partial<Participant>;

/**
 * A new participant: not muted, not in the lobby, shown, a `default` endpoint with no region or language, not invited
 * by an operation, no outcome yet, created now; every field in `named` overrides these.
 */
export function newParticipant(named: Named, now: number): Participant {
  return {
    kind: identityKind(named.identity),
    invitedByOperationId: null,
    endpointType: 'default',
    region: null,
    languageId: null,
    isMuted: false,
    isInLobby: false,
    hidden: false,
    rosterSequenceNumber: 0,
    outcome: null,
    createdAt: now,
    updatedAt: now,
    ...named,
  };
}
