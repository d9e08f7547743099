/**
 * Beta-only properties (spec 3.1, 3.3, 8; seeds 000/002/004): `ringingTimeoutInSeconds` (outgoing P2P, at most 115),
 * `endpointType` on invitees, and the `activeModalities` / `terminationReason` a beta call carries.
 *
 * The v1.0 metadata has none of them on `call` or `invitationParticipantInfo`. Both types are open in v1.0, so a
 * v1.0 request that sends one is accepted and the property ignored (not applied, never echoed); under /beta they
 * are validated, applied and rendered. Which properties are beta-only comes from the two versions' metadata
 * (`BETA_ONLY_PROPERTIES` in `wire-properties.ts`, applied by `wire-shape.ts`).
 */
import { reject, RejectionCode, type Rejection } from './rejections.js';
import type { ApiVersion, CallLeg } from './types.js';

/** Beta `call.ringingTimeoutInSeconds`: "The max value for this attribute is 115 seconds." */
export const MAX_RINGING_TIMEOUT_SECONDS = 115;

/** Graph `endpointType` members. */
export const ENDPOINT_TYPES = [
  'default',
  'voicemail',
  'skypeForBusiness',
  'skypeForBusinessVoipPhone',
  'unknownFutureValue',
] as const;

/** The ringing timeout an outgoing call asks for on beta (null: the callee's own ring time); ignored on v1.0. */
export function ringingTimeoutOf(value: unknown, apiVersion: ApiVersion): Rejection | { seconds: number | null } {
  if (apiVersion !== 'beta' || value === undefined || value === null) return { seconds: null };
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RINGING_TIMEOUT_SECONDS) {
    return reject(
      RejectionCode.invalidProperty,
      `ringingTimeoutInSeconds must be a whole number of seconds from 1 to ${MAX_RINGING_TIMEOUT_SECONDS}; got ${JSON.stringify(value)}.`,
      'ringingTimeoutInSeconds',
    );
  }
  return { seconds: value };
}

/** An invitee's `endpointType` on beta (null when absent); ignored on v1.0. Matched case-insensitively, echoed as Graph spells it. */
export function endpointTypeOf(
  value: unknown,
  at: string,
  apiVersion: ApiVersion,
): Rejection | { endpointType: string | null } {
  if (apiVersion !== 'beta' || value === undefined || value === null) return { endpointType: null };
  const found =
    typeof value === 'string' ? ENDPOINT_TYPES.find((t) => t.toLowerCase() === value.toLowerCase()) : undefined;
  if (!found)
    return reject(
      RejectionCode.invalidProperty,
      `${at}.endpointType must be one of ${ENDPOINT_TYPES.join(', ')}; got ${JSON.stringify(value)}.`,
      `${at}.endpointType`,
    );
  return { endpointType: found };
}

/**
 * A leg that is still `incoming` was created before the bot chose a version: answering, rejecting or redirecting
 * it under /beta makes it a beta leg, so its later notifications carry the beta properties (seed 002).
 */
export function onApiVersion<V extends { leg: CallLeg }>(view: V, apiVersion: ApiVersion): V {
  if (view.leg.state !== 'incoming' || view.leg.apiVersion === apiVersion) return view;
  return { ...view, leg: { ...view.leg, apiVersion } };
}

/** The ring of an outgoing P2P target, cut short by the caller's ringing timeout: past it, nobody answered. */
export function ringWithin<A extends string>(
  behaviour: { action: A; afterMs: number },
  timeoutSeconds: number | null | undefined,
): { action: A | 'noAnswer'; afterMs: number } {
  if (!timeoutSeconds || behaviour.afterMs <= timeoutSeconds * 1000) return behaviour;
  return { action: 'noAnswer', afterMs: timeoutSeconds * 1000 };
}
