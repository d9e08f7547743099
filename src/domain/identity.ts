/** Identity-set helpers. Graph parses identity sets by which key is present, never by `@odata.type`. */
import type { IdentityKind, IdentitySet } from './types.js';

/** Endpoint keys of a communicationsIdentitySet, in the order we look for them. */
const ENDPOINT_KEYS = ['user', 'phone', 'applicationInstance', 'application', 'guest', 'onPremises', 'encrypted', 'device', 'azureCommunicationServicesUser', 'acsUser', 'spoolUser'] as const;

type IdentityValue = Record<string, unknown> & { id?: unknown };

/** A JSON object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function present(set: Record<string, unknown>, key: string): IdentityValue | null {
  const v = set[key];
  return isRecord(v) ? v : null;
}

export function identityKind(set: IdentitySet): IdentityKind {
  for (const key of ENDPOINT_KEYS) {
    if (!present(set, key)) continue;
    if (key === 'user' || key === 'phone' || key === 'application' || key === 'applicationInstance' || key === 'guest') return key;
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

/** The invite-response echo: every standard key present, unset ones null (seed 004 examples 1–4). */
export function echoIdentitySet(set: IdentitySet): IdentitySet {
  const kind = identityKind(set);
  const keys = kind === 'user' ? ['user', 'application', 'device', 'phone'] : ['user', 'guest', 'encrypted', 'onPremises', 'applicationInstance', 'application', 'device', 'phone'];
  const out: IdentitySet = {};
  for (const key of keys) {
    const v = present(set, key);
    out[key] = v ? (key === 'phone' ? { '@odata.type': '#microsoft.graph.identity', ...v } : { ...v }) : null;
  }
  for (const [k, v] of Object.entries(set)) if (!(k in out)) out[k] = v;
  return out;
}
