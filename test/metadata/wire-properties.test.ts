/**
 * src/domain/wire-properties.ts (the v1.0 property sets the renderer fills with explicit nulls) is exactly what
 * scripts/derive-wire-properties.mjs makes of the committed CSDL, so a refreshed CSDL refreshes the wire too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSDL_FILE, MODULE_FILE, deriveWireProperties } from '../../scripts/derive-wire-properties.mjs';
import { V1_PROPERTIES } from '../../src/domain/wire-properties.js';

describe('src/domain/wire-properties.ts', () => {
  it('is what the derivation script makes of v1.0-cleanMetadata.xml', { timeout: 120_000 }, () => {
    expect(readFileSync(MODULE_FILE, 'utf8')).toBe(deriveWireProperties(readFileSync(CSDL_FILE, 'utf8')));
  });

  it('has the v1.0 sets the documentation shows: participantInfo with countryCode, no endpointType on invitees', () => {
    expect(V1_PROPERTIES.participantInfo.nullable).toEqual(expect.arrayContaining(['countryCode', 'endpointType', 'region', 'languageId']));
    expect(V1_PROPERTIES.invitationParticipantInfo.all).not.toContain('endpointType');
    expect(V1_PROPERTIES.playPromptOperation.all).not.toContain('completionReason');
    expect(V1_PROPERTIES.sendDtmfTonesOperation.all).toContain('completionReason');
  });
});
