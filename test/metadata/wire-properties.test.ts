/**
 * src/domain/wire-properties.ts (the v1.0 property sets the renderer fills with explicit nulls, and what beta adds) is
 * exactly what scripts/derive-wire-properties.mjs makes of the committed CSDLs (v1.0, and the beta extract made by
 * scripts/extract-graph-types.mjs), so a refreshed CSDL refreshes the wire too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BETA_CSDL_FILE,
  CSDL_FILE,
  MODULE_FILE,
  RENDERED_TYPES,
  deriveWireProperties,
  graphSchema,
  isOpen,
  propertiesOf,
} from '../../scripts/derive-wire-properties.mjs';
import { EXTRACT_FILE, extractTypes } from '../../scripts/extract-graph-types.mjs';
import { BETA_ONLY_PROPERTIES, V1_PROPERTIES } from '../../src/domain/wire-properties.js';

const v1Xml = readFileSync(CSDL_FILE, 'utf8');
const betaXml = readFileSync(BETA_CSDL_FILE, 'utf8');

describe('src/domain/wire-properties.ts', () => {
  it('is what the derivation script makes of v1.0-cleanMetadata.xml and beta-calls-extract.xml', { timeout: 120_000 }, () => {
    expect(readFileSync(MODULE_FILE, 'utf8')).toBe(deriveWireProperties(v1Xml, betaXml));
  });

  it('the extraction keeps every property, nullability and openness the derivation reads (checked on the v1.0 CSDL)', { timeout: 120_000 }, () => {
    const whole = graphSchema(v1Xml);
    const extract = graphSchema(extractTypes(v1Xml));
    for (const name of RENDERED_TYPES) {
      expect(propertiesOf(extract, name), name).toEqual(propertiesOf(whole, name));
      expect(isOpen(extract, name), name).toBe(isOpen(whole, name));
    }
    // And the committed beta extract is in the shape the script writes (its own extract is itself).
    expect(EXTRACT_FILE).toBe(BETA_CSDL_FILE);
    expect(extractTypes(betaXml)).toBe(betaXml);
  });

  it('has the beta additions the seeds and beta reference pages show, and nothing v1.0 has', () => {
    expect(BETA_ONLY_PROPERTIES.call?.all).toEqual(
      expect.arrayContaining(['activeModalities', 'terminationReason', 'ringingTimeoutInSeconds']),
    );
    expect(BETA_ONLY_PROPERTIES.invitationParticipantInfo?.all).toEqual(['endpointType']);
    expect(BETA_ONLY_PROPERTIES.playPromptOperation?.all).toEqual(['completionReason']);
    expect(BETA_ONLY_PROPERTIES.sendDtmfTonesOperation).toBeUndefined();
    for (const [type, added] of Object.entries(BETA_ONLY_PROPERTIES)) {
      const v1: readonly string[] = V1_PROPERTIES[type as keyof typeof V1_PROPERTIES].all;
      for (const p of added.all) expect(v1, `${type}.${p}`).not.toContain(p);
    }
  });

  it('has the v1.0 sets the documentation shows: participantInfo with countryCode, no endpointType on invitees', () => {
    expect(V1_PROPERTIES.participantInfo.nullable).toEqual(expect.arrayContaining(['countryCode', 'endpointType', 'region', 'languageId']));
    expect(V1_PROPERTIES.invitationParticipantInfo.all).not.toContain('endpointType');
    expect(V1_PROPERTIES.playPromptOperation.all).not.toContain('completionReason');
    expect(V1_PROPERTIES.sendDtmfTonesOperation.all).toContain('completionReason');
  });
});
