/** Request-body schemas of the control API (shape and types only: the domain checks the rest). */
import { identitySetSchema, MODALITIES } from '../http/graph-schemas.js';

/** POST /_switchboard/incoming-calls: a person calls a bot. */
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

/** A person presses keys (`"1"`, `"#"`, or Graph tone names); the domain checks each key. */
export const pressTonesBodySchema = {
  type: 'object',
  required: ['tones'],
  properties: { tones: { type: 'array', maxItems: 1000, items: { type: 'string' } } },
} as const;
