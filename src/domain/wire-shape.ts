/**
 * A rendered body shaped as `version` sends it: every nullable property the version defines and the body lacks is an
 * explicit `null` (the documentation's responses and real captures: `"countryCode": null, "endpointType": null,
 * "region": null, "languageId": null` on a call's source, `"replacesCallId": null` on an invite echo), and a
 * beta-only property never appears in a v1.0 body. Both come from Graph's metadata (`wire-properties.ts`, derived
 * from the v1.0 CSDL and the beta CSDL's rendered types by scripts/derive-wire-properties.mjs).
 */
import type { ApiVersion } from './types.js';
import { BETA_ONLY_PROPERTIES, V1_PROPERTIES, type RenderedType } from './wire-properties.js';

/**
 * On beta, the nullable properties beta adds to an open type are explicit nulls when unset (the beta create-call
 * response: `"answeredBy": null`, `"meetingCapability": null`, `"terminationReason": null`). Beta's additions to a
 * closed type (participantInfo's `platformId`, the media configs' `liveCaptionOptions`) are sent only when set:
 * a client reading the body against v1.0's metadata, where the type is closed, would refuse an unknown property.
 */
export function shapeFor<T extends Record<string, unknown>>(
  type: RenderedType,
  version: ApiVersion,
  body: T,
): Record<string, unknown> {
  const betaOnly = BETA_ONLY_PROPERTIES[type];
  const out: Record<string, unknown> = { ...body };
  if (version === 'beta') {
    if (V1_PROPERTIES[type].open) for (const p of betaOnly?.nullable ?? []) if (out[p] === undefined) out[p] = null;
  } else {
    for (const p of betaOnly?.all ?? []) delete out[p];
  }
  for (const p of V1_PROPERTIES[type].nullable) if (out[p] === undefined) out[p] = null;
  return out;
}

/**
 * `shapeFor` for a closed type (no `OpenType` in the CSDL, e.g. the media configs): also drops every property the
 * version does not define, so what a bot sent beyond the metadata (`removeFromDefaultAudioGroup` on a v1.0
 * `serviceHostedMediaConfig`) is not echoed as if the version had it. Annotations (`@odata.type`, …) stay.
 */
export function closedShapeFor<T extends Record<string, unknown>>(
  type: RenderedType,
  version: ApiVersion,
  body: T,
): Record<string, unknown> {
  const declared = new Set<string>([
    ...V1_PROPERTIES[type].all,
    ...(version === 'beta' ? (BETA_ONLY_PROPERTIES[type]?.all ?? []) : []),
  ]);
  const out = shapeFor(type, version, body);
  for (const key of Object.keys(out)) if (!key.includes('@') && !declared.has(key)) delete out[key];
  return out;
}
