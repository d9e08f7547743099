/** Body of POST /users/{userId}/onlineMeetings: shape and types only (rules such as times live in the domain). */
import { LOBBY_BYPASS_SCOPES } from '../../domain/types.js';
import { nullable } from '../../http/graph-schemas.js';

export const onlineMeetingBodySchema = {
  type: 'object',
  properties: {
    subject: nullable('string'),
    startDateTime: nullable('string'),
    endDateTime: nullable('string'),
    externalId: nullable('string'),
    lobbyBypassSettings: {
      type: ['object', 'null'],
      properties: { scope: { enum: [...LOBBY_BYPASS_SCOPES, null] }, isDialInBypassEnabled: nullable('boolean') },
    },
    joinMeetingIdSettings: {
      type: ['object', 'null'],
      properties: {
        isPasscodeRequired: nullable('boolean'),
        joinMeetingId: nullable('string'),
        passcode: nullable('string'),
      },
    },
    participants: { type: ['object', 'null'] },
  },
} as const;
