/**
 * How the simulated people a command rings react, computed before the decision and handed to it as data
 * (src/domain/world.ts `Reactions`): a user answers with their world-file (or control-API) behaviour, a phone number
 * with its own or its tenant's default. A user the world does not know gets no entry: nobody is there to answer.
 * Someone a browser softphone holds (src/sim/softphone-leases.ts) rings until the browser answers.
 */
import { identityKey, primaryIdentity } from '../domain/identity.js';
import type { IdentitySet } from '../domain/types.js';
import type { PersonReaction, Reactions } from '../domain/world.js';
import type { Directory } from './directory.js';
import { SOFTPHONE_RING_MS } from './softphone-leases.js';

/** How a person a softphone holds reacts: nobody answers until the person in the browser does (or the ring times out). */
const BROWSER_DECIDES: PersonReaction = { action: 'noAnswer', afterMs: SOFTPHONE_RING_MS };

/** The reaction of the person `identity` names, as the directory stands now; undefined for nobody known. */
function currentReaction(directory: Directory, tenantId: string, identity: IdentitySet): PersonReaction | undefined {
  const p = primaryIdentity(identity);
  const key = identityKey(identity);
  // A softphone tab holds them: the browser's Accept / Decline / Busy answers the ring (CallingService.answerRing).
  if (key !== null && directory.softphones.holds(key, Date.now())) return BROWSER_DECIDES;
  const id = typeof p?.value.id === 'string' ? p.value.id : '';
  // Users are found in any tenant: the deciders refuse another tenant's user where Graph does (invites, transfers).
  if (p?.key === 'user') return directory.user(id)?.user.answer;
  if (p?.key === 'phone') return directory.phoneAnswer(tenantId, id);
  return undefined;
}

/** The reactions of everyone `identities` names, for a command of tenant `tenantId`. */
export function reactionsOf(directory: Directory, tenantId: string, identities: readonly IdentitySet[]): Reactions {
  const out = new Map<string, PersonReaction>();
  for (const identity of identities) {
    const key = identityKey(identity);
    const reaction = key === null ? undefined : currentReaction(directory, tenantId, identity);
    // A copy: the decision must not see a later control-API change to the person.
    if (key !== null && reaction) out.set(key, { action: reaction.action, afterMs: reaction.afterMs });
  }
  return out;
}
