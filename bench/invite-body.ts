/** The invite request body the load generator sends: one invitee per request, named by a user id or a phone number. */
import { phoneNumber, userId } from './world.js';

export interface Invitee {
  /** `user` ids come from the world's pool; `phone` numbers are used once the pool is used up. */
  kind: 'user' | 'phone';
  id: string;
}

export function inviteeFor(n: number, userPool: number): Invitee {
  return n < userPool ? { kind: 'user', id: userId(n) } : { kind: 'phone', id: phoneNumber(n) };
}

export function inviteBody(invitee: Invitee): string {
  const identity =
    invitee.kind === 'user'
      ? {
          '@odata.type': '#microsoft.graph.identitySet',
          user: { '@odata.type': '#microsoft.graph.identity', id: invitee.id, identityProvider: 'AAD' },
        }
      : {
          '@odata.type': '#microsoft.graph.identitySet',
          phone: { '@odata.type': '#microsoft.graph.identity', id: invitee.id },
        };
  return JSON.stringify({
    participants: [{ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity }],
    clientContext: `bench:${invitee.id}`,
  });
}

export const invitePath = (callId: string): string => `/v1.0/communications/calls/${callId}/participants/invite`;
