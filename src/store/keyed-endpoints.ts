/**
 * Endpoint keys in identityKey's order (src/domain/identity.ts) as of the migration that added `identity_key`, for
 * both stores' copy of that migration. Frozen: a shipped migration never changes, even when the domain's list does.
 */
export const MIGRATION_KEYED_ENDPOINTS: readonly string[] = [
  'user',
  'phone',
  'applicationInstance',
  'application',
  'guest',
  'onPremises',
  'encrypted',
  'device',
  'azureCommunicationServicesUser',
  'acsUser',
  'spoolUser',
];
