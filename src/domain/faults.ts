/**
 * Injected faults (world file `faults`, spec 9.3 and 9.7): real-world failures Graph produces for reasons the
 * simulation cannot derive, declared as data. The service picks the fault matching a request; the deciders apply it.
 */
import type { ResultInfo } from '@microsoft/microsoft-graph-types';
import { resultInfo, type ResultCode } from './result-codes.js';
import type { CallLeg } from './types.js';

export const FAULT_MEDIA_CONFIGS = ['appHosted', 'serviceHosted'] as const;
export type FaultMediaConfig = (typeof FAULT_MEDIA_CONFIGS)[number];

export interface InviteFault {
  on: 'invite';
  /** Every condition given must hold; none given: every invite. */
  when: { mediaConfig?: FaultMediaConfig; replacesCallId?: boolean };
  /** The operation's (and the invitee's) resultInfo. */
  result: ResultCode;
  /** How long after the request the operation fails. */
  afterMs: number;
}

export type Fault = InviteFault;

/** `appHosted` / `serviceHosted` from the leg's mediaConfig @odata.type, or null when it has none. */
export function mediaConfigKind(leg: CallLeg): FaultMediaConfig | null {
  const type = leg.mediaConfig?.['@odata.type'];
  if (typeof type !== 'string') return null;
  if (/appHostedMediaConfig$/i.test(type)) return 'appHosted';
  if (/serviceHostedMediaConfig$/i.test(type)) return 'serviceHosted';
  return null;
}

/** The first invite fault whose conditions all hold for an invite from `leg` (replacing a call or not), else null. */
export function inviteFaultFor(faults: readonly Fault[], leg: CallLeg, replacing: boolean): InviteFault | null {
  const media = mediaConfigKind(leg);
  for (const f of faults) {
    if (f.on !== 'invite') continue;
    if (f.when.mediaConfig !== undefined && f.when.mediaConfig !== media) continue;
    if (f.when.replacesCallId !== undefined && f.when.replacesCallId !== replacing) continue;
    return f;
  }
  return null;
}

export function faultResultInfo(f: InviteFault): ResultInfo {
  return resultInfo(f.result);
}
