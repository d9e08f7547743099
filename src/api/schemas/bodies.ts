/** Request-body schemas per action. Shape and types only: the rules (counts, lengths, states) live in the domain. */
import { identitySetSchema, invitationParticipantInfoSchema, mediaConfigSchema, MODALITIES, nullable, participantInfoSchema } from './common.js';

export const inviteBodySchema = {
  type: 'object',
  required: ['participants'],
  properties: {
    // The cap of 5 is a domain rule with its own message; this bound only stops absurd arrays early.
    participants: { type: 'array', maxItems: 1000, items: invitationParticipantInfoSchema },
    clientContext: nullable('string'),
  },
} as const;

export const createCallBodySchema = {
  type: 'object',
  required: ['callbackUri', 'mediaConfig'],
  properties: {
    callbackUri: { type: 'string', minLength: 1 },
    mediaConfig: mediaConfigSchema,
    targets: { type: ['array', 'null'], maxItems: 1000, items: invitationParticipantInfoSchema },
    source: { anyOf: [participantInfoSchema, { type: 'null' }] },
    requestedModalities: { type: ['array', 'null'], maxItems: 10, items: { type: 'string', enum: MODALITIES } },
    chatInfo: { type: ['object', 'null'], properties: { threadId: nullable('string'), messageId: nullable('string'), replyChainMessageId: nullable('string') } },
    meetingInfo: {
      type: ['object', 'null'],
      properties: { organizer: { anyOf: [identitySetSchema, { type: 'null' }] }, joinMeetingId: nullable('string'), passcode: nullable('string'), token: nullable('string') },
    },
    tenantId: nullable('string'),
    subject: nullable('string'),
    callOptions: { type: ['object', 'null'] },
  },
} as const;

export const answerBodySchema = {
  type: 'object',
  required: ['acceptedModalities', 'mediaConfig'],
  properties: {
    callbackUri: nullable('string'),
    acceptedModalities: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', enum: MODALITIES } },
    mediaConfig: mediaConfigSchema,
    callOptions: { type: ['object', 'null'] },
    participantCapacity: nullable('integer'),
  },
} as const;

export const rejectBodySchema = {
  type: 'object',
  properties: { reason: nullable('string'), callbackUri: nullable('string') },
} as const;

export const incomingCallBodySchema = {
  type: 'object',
  required: ['tenantId', 'source', 'target'],
  properties: {
    tenantId: { type: 'string', minLength: 1 },
    source: identitySetSchema,
    target: identitySetSchema,
    requestedModalities: { type: 'array', maxItems: 10, items: { type: 'string', enum: MODALITIES } },
  },
} as const;

export const clientContextBodySchema = {
  type: 'object',
  properties: { clientContext: nullable('string') },
} as const;

export const redirectBodySchema = {
  type: 'object',
  required: ['targets'],
  properties: {
    // The cap of 25 is a domain rule with its own message; this bound only stops absurd arrays early.
    targets: { type: 'array', maxItems: 1000, items: invitationParticipantInfoSchema },
    timeout: nullable('integer'),
    callbackUri: nullable('string'),
  },
} as const;

export const transferBodySchema = {
  type: 'object',
  required: ['transferTarget'],
  properties: {
    transferTarget: invitationParticipantInfoSchema,
    transferee: { anyOf: [participantInfoSchema, { type: 'null' }] },
    clientContext: nullable('string'),
  },
} as const;
