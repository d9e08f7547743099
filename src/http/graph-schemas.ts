/**
 * JSON Schemas of the Graph complex types request bodies use (Graph routes: src/api/schemas/; control API:
 * src/sim/control-schemas.ts). Graph types are open: extra keys pass.
 */
/** A property of JSON type `type` or null; the literal type name is kept so the body's TypeScript type can be derived (from-schema.ts). */
const nullable = <T extends string>(type: T): { type: readonly [T, 'null'] } => ({ type: [type, 'null'] });

export const identitySchema = {
  type: ['object', 'null'],
  properties: {
    id: nullable('string'),
    displayName: nullable('string'),
    tenantId: nullable('string'),
    identityProvider: nullable('string'),
  },
} as const;

export const identitySetSchema = {
  type: 'object',
  properties: Object.fromEntries(
    [
      'user',
      'phone',
      'application',
      'applicationInstance',
      'device',
      'guest',
      'encrypted',
      'onPremises',
      'assertedIdentity',
      'azureCommunicationServicesUser',
    ].map((k) => [k, identitySchema]),
  ),
} as const;

export const invitationParticipantInfoSchema = {
  type: 'object',
  required: ['identity'],
  properties: {
    identity: identitySetSchema,
    replacesCallId: nullable('string'),
    participantId: nullable('string'),
    hidden: nullable('boolean'),
    removeFromDefaultAudioRoutingGroup: nullable('boolean'),
    endpointType: nullable('string'),
    languageId: nullable('string'),
    region: nullable('string'),
  },
} as const;

export const participantInfoSchema = {
  type: 'object',
  properties: {
    identity: identitySetSchema,
    endpointType: nullable('string'),
    languageId: nullable('string'),
    region: nullable('string'),
    countryCode: nullable('string'),
    participantId: nullable('string'),
  },
} as const;

export const MODALITIES = [
  'audio',
  'video',
  'videoBasedScreenSharing',
  'data',
  'unknownFutureValue',
  'unknown',
] as const;

export const mediaConfigSchema = {
  type: 'object',
  properties: {
    '@odata.type': {
      type: 'string',
      pattern: '^#?microsoft\\.graph\\.(serviceHostedMediaConfig|appHostedMediaConfig)$',
    },
    blob: nullable('string'),
    preFetchMedia: { type: ['array', 'null'], maxItems: 100 },
  },
} as const;

export { nullable };
