/** Application roles (spec 7). Old doc misspellings are accepted as aliases, never emitted. */
import { reject, RejectionCode, type Rejection } from './rejections.js';

export const Role = {
  initiate: 'Calls.Initiate.All',
  initiateGroupCall: 'Calls.InitiateGroupCall.All',
  joinGroupCall: 'Calls.JoinGroupCall.All',
  joinGroupCallAsGuest: 'Calls.JoinGroupCallAsGuest.All',
  accessMedia: 'Calls.AccessMedia.All',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const ROLE_ALIASES: Record<string, Role> = {
  'Calls.InitiateGroupCalls.All': Role.initiateGroupCall,
  'Calls.JoinGroupCalls.All': Role.joinGroupCall,
  'Calls.JoinGroupCallsasGuest.All': Role.joinGroupCallAsGuest,
};

export interface Principal {
  tenantId: string;
  appId: string;
  roles: string[];
}

export const canonicalRole = (role: string): string => ROLE_ALIASES[role] ?? role;

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.some((r) => canonicalRole(r) === role);
}

/** Graph answers a missing calling role with 403 7504 (spec 6.3). */
export function requireAnyRole(principal: Principal, roles: Role[], action: string): Rejection | null {
  if (roles.some((r) => hasRole(principal, r))) return null;
  return reject(
    RejectionCode.missingRole,
    `Insufficient enterprise tenant permissions, cannot access this API. ${action} needs the application permission ${roles.join(' or ')}.`,
  );
}

const CALLING_ROLES: Role[] = Object.values(Role);

/** Every calling API needs at least one calling application permission; which one an action needs is its decider's rule. */
export function requireCallingRole(principal: Principal): Rejection | null {
  return requireAnyRole(principal, CALLING_ROLES, 'Every calling API');
}
