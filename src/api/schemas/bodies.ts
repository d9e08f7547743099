/** Request-body schemas per action. Shape and types only: the rules (counts, lengths, states) live in the domain. */
import {
  identitySetSchema,
  invitationParticipantInfoSchema,
  mediaConfigSchema,
  MODALITIES,
  nullable,
  participantInfoSchema,
} from '../../http/graph-schemas.js';
import { TONES } from '../../domain/tone-names.js';

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
    chatInfo: {
      type: ['object', 'null'],
      properties: {
        threadId: nullable('string'),
        messageId: nullable('string'),
        replyChainMessageId: nullable('string'),
      },
    },
    meetingInfo: {
      type: ['object', 'null'],
      properties: {
        organizer: { anyOf: [identitySetSchema, { type: 'null' }] },
        joinMeetingId: nullable('string'),
        passcode: nullable('string'),
        token: nullable('string'),
      },
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

export const muteAllBodySchema = {
  type: 'object',
  properties: {
    participants: { type: ['array', 'null'], maxItems: 1000, items: { type: 'string' } },
    clientContext: nullable('string'),
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

// ---- media and in-call actions (spec 4.10–4.16, 4.21) ----

export const mediaPromptSchema = {
  type: 'object',
  properties: {
    '@odata.type': { type: 'string' },
    mediaInfo: { type: ['object', 'null'], properties: { uri: nullable('string'), resourceId: nullable('string') } },
  },
} as const;

export const sendDtmfTonesBodySchema = {
  type: 'object',
  required: ['tones'],
  properties: {
    tones: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', enum: TONES } },
    delayBetweenTonesMs: nullable('integer'),
    clientContext: nullable('string'),
  },
} as const;

export const playPromptBodySchema = {
  type: 'object',
  required: ['prompts'],
  properties: {
    // The cap of 20 is a domain rule with its own message; this bound only stops absurd arrays early.
    prompts: { type: 'array', maxItems: 1000, items: mediaPromptSchema },
    clientContext: nullable('string'),
  },
} as const;

export const recordResponseBodySchema = {
  type: 'object',
  properties: {
    prompts: { type: ['array', 'null'], maxItems: 1000, items: mediaPromptSchema },
    bargeInAllowed: nullable('boolean'),
    initialSilenceTimeoutInSeconds: nullable('integer'),
    maxSilenceTimeoutInSeconds: nullable('integer'),
    maxRecordDurationInSeconds: nullable('integer'),
    playBeep: nullable('boolean'),
    stopTones: { type: ['array', 'null'], maxItems: 100, items: { type: 'string' } },
    clientContext: nullable('string'),
  },
} as const;

export const updateRecordingStatusBodySchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['notRecording', 'recording', 'failed'] },
    clientContext: nullable('string'),
  },
} as const;

export const changeScreenSharingRoleBodySchema = {
  type: 'object',
  required: ['role'],
  properties: { role: { type: 'string', enum: ['viewer', 'sharer'] } },
} as const;

export const startHoldMusicBodySchema = {
  type: 'object',
  properties: { customPrompt: { anyOf: [mediaPromptSchema, { type: 'null' }] }, clientContext: nullable('string') },
} as const;

// ---- audioRoutingGroups (audioroutinggroup.md) ----

const participantIds = { type: ['array', 'null'], maxItems: 1000, items: { type: 'string' } } as const;

/** POST …/audioRoutingGroups: routingMode, sources and receivers are required; the client may name the group (`id`). */
export const createAudioRoutingGroupBodySchema = {
  type: 'object',
  required: ['routingMode', 'sources', 'receivers'],
  properties: {
    id: nullable('string'),
    routingMode: { type: 'string', enum: ['oneToOne', 'multicast'] },
    sources: participantIds,
    receivers: participantIds,
  },
} as const;

/** PATCH …/audioRoutingGroups/{id}: any of them (usually the receivers). */
export const updateAudioRoutingGroupBodySchema = {
  type: 'object',
  properties: {
    id: nullable('string'),
    routingMode: { type: ['string', 'null'], enum: ['oneToOne', 'multicast', null] },
    sources: participantIds,
    receivers: participantIds,
  },
} as const;
