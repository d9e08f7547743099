/** Identity-set helpers. Graph parses identity sets by which key is present, never by `@odata.type`. */
import type { IdentityKind, IdentitySet } from './types.js';

/** Endpoint keys of a communicationsIdentitySet, in the order we look for them. */
const ENDPOINT_KEYS = [
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
] as const;

type IdentityValue = Record<string, unknown> & { id?: unknown };

/** A JSON object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function present(set: Record<string, unknown>, key: string): IdentityValue | null {
  const v = set[key];
  return isRecord(v) ? v : null;
}

export function identityKind(set: IdentitySet): IdentityKind {
  for (const key of ENDPOINT_KEYS) {
    if (!present(set, key)) continue;
    if (key === 'user' || key === 'phone' || key === 'application' || key === 'applicationInstance' || key === 'guest')
      return key;
    return 'other';
  }
  return 'other';
}

/** The endpoint entry of a set (user, phone, …) or null when the set names none. */
export function primaryIdentity(set: IdentitySet): { key: string; value: IdentityValue } | null {
  for (const key of ENDPOINT_KEYS) {
    const value = present(set, key);
    if (value) return { key, value };
  }
  return null;
}

export function identityId(set: IdentitySet): string | null {
  const p = primaryIdentity(set);
  return p && typeof p.value.id === 'string' ? p.value.id : null;
}

/** Key under which two identity sets name the same person or number (ids compare case-insensitively). */
export function identityKey(set: IdentitySet): string | null {
  const p = primaryIdentity(set);
  if (!p || typeof p.value.id !== 'string') return null;
  return `${p.key}:${p.key === 'phone' ? p.value.id : p.value.id.toLowerCase()}`;
}

/** Skype-style MRI used in real failure messages: `8:orgid:<aad id>` for users, `4:<E.164>` for phones. */
export function mri(set: IdentitySet): string {
  const p = primaryIdentity(set);
  const id = p && typeof p.value.id === 'string' ? p.value.id : 'unknown';
  switch (p?.key) {
    case 'user':
      return `8:orgid:${id}`;
    case 'phone':
      return `4:${id}`;
    case 'application':
    case 'applicationInstance':
      return `28:${id}`;
    case 'guest':
      return `8:teamsvisitor:${id}`;
    default:
      return id;
  }
}

export const E164 = /^\+[1-9]\d{6,14}$/;

export const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/** Adds `@odata.type` annotations to a set and its entries, as Graph does in notifications. */
export function annotateIdentitySet(set: IdentitySet): IdentitySet {
  const out: IdentitySet = { '@odata.type': '#microsoft.graph.identitySet' };
  for (const [k, v] of Object.entries(set)) {
    if (k === '@odata.type') continue;
    if (isRecord(v)) out[k] = { '@odata.type': '#microsoft.graph.identity', ...stripType(v) };
    else if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}

function stripType(o: Record<string, unknown>): Record<string, unknown> {
  const { ['@odata.type']: _t, ...rest } = o;
  return rest;
}

/** The identity set without annotations or null entries, for storage. */
export function cleanIdentitySet(set: Record<string, unknown>): IdentitySet {
  const out: IdentitySet = {};
  for (const [k, v] of Object.entries(set)) {
    if (k === '@odata.type' || v === null || v === undefined) continue;
    out[k] = isRecord(v) ? stripType(v) : v;
  }
  return out;
}

/**
 * The `@odata.type`s a request gave an identity set and its entries (`''` for the set itself), so an echo can carry
 * them back as sent: a client's deserializer picks the class by them (a `communicationsUserIdentity` keeps its
 * `tenantId` as a property only when the echo names that type). Undefined when the request named none.
 */
export function odataTypesOf(set: unknown): Record<string, string> | undefined {
  if (!isRecord(set)) return undefined;
  const types: Record<string, string> = {};
  if (typeof set['@odata.type'] === 'string') types[''] = set['@odata.type'];
  for (const [k, v] of Object.entries(set))
    if (isRecord(v) && typeof v['@odata.type'] === 'string') types[k] = v['@odata.type'];
  return Object.keys(types).length > 0 ? types : undefined;
}

/**
 * The invite-response echo: every standard key present, unset ones null (seed 004 examples 1–4), and the
 * `@odata.type`s the request gave (`odataTypesOf`) kept as sent.
 */
export function echoIdentitySet(set: IdentitySet, sentTypes?: Record<string, string>): IdentitySet {
  const kind = identityKind(set);
  const keys =
    kind === 'user'
      ? ['user', 'application', 'device', 'phone']
      : ['user', 'guest', 'encrypted', 'onPremises', 'applicationInstance', 'application', 'device', 'phone'];
  const out: IdentitySet = sentTypes?.[''] ? { '@odata.type': sentTypes[''] } : {};
  for (const key of keys) {
    const v = present(set, key);
    const sent = sentTypes?.[key];
    out[key] = v
      ? sent
        ? { '@odata.type': sent, ...v }
        : key === 'phone'
          ? { '@odata.type': '#microsoft.graph.identity', ...v }
          : { ...v }
      : null;
  }
  for (const [k, v] of Object.entries(set)) {
    if (k in out) continue;
    const sent = sentTypes?.[k];
    out[k] = sent && isRecord(v) ? { '@odata.type': sent, ...v } : v;
  }
  return out;
}
