/**
 * A rendered body shaped as `version` sends it: every nullable property the version defines and the body lacks is an
 * explicit `null` (the documentation's responses and real captures: `"countryCode": null, "endpointType": null,
 * "region": null, "languageId": null` on a call's source, `"replacesCallId": null` on an invite echo), and a
 * beta-only property never appears in a v1.0 body. The v1.0 property sets are derived from the v1.0 CSDL
 * (`wire-properties.ts`); beta adds the properties of `BETA_ONLY_PROPERTIES` (`beta.ts`).
 */
import { BETA_ONLY_PROPERTIES } from './beta.js';
import type { ApiVersion } from './types.js';
import { V1_PROPERTIES, type RenderedType } from './wire-properties.js';

export function shapeFor<T extends Record<string, unknown>>(
  type: RenderedType,
  version: ApiVersion,
  body: T,
): Record<string, unknown> {
  const betaOnly: readonly string[] = BETA_ONLY_PROPERTIES[type] ?? [];
  const out: Record<string, unknown> = { ...body };
  if (version === 'beta') {
    for (const p of betaOnly) if (out[p] === undefined) out[p] = null;
  } else {
    for (const p of betaOnly) delete out[p];
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
    ...(version === 'beta' ? (BETA_ONLY_PROPERTIES[type] ?? []) : []),
  ]);
  const out = shapeFor(type, version, body);
  for (const key of Object.keys(out)) {
    // Beta's additions to a closed type are echoed when sent, not filled: beta's own metadata is not in the repo
    // to say they may be null.
    const unsentBetaOnly =
      out[key] === null &&
      body[key] === undefined &&
      !(V1_PROPERTIES[type].nullable as readonly string[]).includes(key);
    if ((!key.includes('@') && !declared.has(key)) || unsentBetaOnly) delete out[key];
  }
  return out;
}
