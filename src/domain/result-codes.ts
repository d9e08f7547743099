/**
 * resultInfo values the simulated world produces. Codes follow Graph's call-end and operation tables
 * (spec 6.4); messages follow the real format `addParticipants failed for participant <mri>. Underlying reason:
 * <text>. DiagCode: <code>#<subcode>.@`.
 */
import type { ResultInfo } from '@microsoft/microsoft-graph-types';

/** How an invitee's (or a call target's) ring ended: their answer, or why nobody answered. */
export const INVITEE_OUTCOMES = [
  'accept',
  'decline',
  'busy',
  'noAnswer',
  'notFound',
  'pstnNoSponsor',
  'pstnJoinToken',
  'cancelled',
] as const;
export type InviteeOutcome = (typeof INVITEE_OUTCOMES)[number];

/** A resultInfo's code, subcode and message (the `@odata.type` is added where it is rendered). */
export interface ResultCode {
  code: number;
  subcode: number;
  message: string;
}

const REASONS: Record<
  Exclude<InviteeOutcome, 'accept'>,
  { code: number; subcode: number; reason: string; diag: string }
> = {
  // SIP 603 Decline: the person declined the call on their device.
  decline: { code: 603, subcode: 10020, reason: 'The callee declined the call', diag: '603#10020' },
  // SIP 486 Busy Here: the person is in another call and busy-on-busy is on.
  busy: { code: 486, subcode: 10021, reason: 'The callee is busy', diag: '486#10021' },
  // Graph 408/10057: no signalling from callee endpoints before the ring timeout.
  noAnswer: { code: 408, subcode: 10057, reason: 'The callee did not answer', diag: '408#10057' },
  // Graph 480/10037: no callee endpoints found (unknown user).
  notFound: { code: 480, subcode: 10037, reason: 'No callee endpoints found', diag: '480#10037' },
  // Observed in real deployments (spec 9.1): PSTN invite from an app without a resource account number.
  pstnNoSponsor: {
    code: 412,
    subcode: 9999,
    reason: 'Could not find the PSTN content for the sponsor of this PSTN leg.',
    diag: '412#10073',
  },
  // Observed (spec 9.1): PSTN dial-out from a call joined by a join token.
  pstnJoinToken: {
    code: 403,
    subcode: 10151,
    reason: 'Call does not contain the metadata required for making this PSTN dial out.',
    diag: '403#10151',
  },
  // SIP 487 Request Terminated: the bot cancelled the ringing invite (participant DELETE); Graph documents no code (spec 6.4).
  cancelled: { code: 487, subcode: 0, reason: 'The invitation was cancelled by the application', diag: '487#0' },
};

export function inviteFailure(outcome: Exclude<InviteeOutcome, 'accept'>, participantMri: string): ResultInfo {
  const r = REASONS[outcome];
  return resultInfo({
    code: r.code,
    subcode: r.subcode,
    message: `addParticipants failed for participant ${participantMri}. Underlying reason: ${r.reason}. DiagCode: ${r.diag}.@`,
  });
}

/** Why an outgoing peer-to-peer call ended before it was answered. */
export function callNotAnswered(outcome: Exclude<InviteeOutcome, 'accept'>): ResultInfo {
  const r = REASONS[outcome];
  return resultInfo({ code: r.code, subcode: r.subcode, message: `${r.reason}. DiagCode: ${r.diag}.@` });
}

export const RESULT = {
  /** DELETE on a call (hang-up example in call-delete.md). */
  hungUp: { code: 200, subcode: 5001, message: 'The conversation has ended.' },
  /** The P2P call was replaced: its participant joined another call (transfer completed). */
  replaced: { code: 200, subcode: 7015, message: 'The call was replaced by another call: the participant joined it.' },
  /** Incoming call rejected by the bot. */
  rejectedNone: { code: 603, subcode: 0, message: 'The call was rejected by the application.' },
  rejectedBusy: { code: 486, subcode: 0, message: 'The call was rejected by the application: busy.' },
  rejectedForbidden: { code: 403, subcode: 0, message: 'The call was rejected by the application: forbidden.' },
  /** No keepAlive for 45 minutes: Graph cleans the call up as inactive (spec 4.8, 6.4). */
  keepAliveTimeout: {
    code: 408,
    subcode: 8537,
    message: 'The call was ended as inactive: no keepAlive was received for 45 minutes.',
  },
  /** An incoming call not answered, rejected or redirected within 15 seconds (spec 4.4, 6.4). */
  answerTimeout: {
    code: 408,
    subcode: 1106,
    message: 'The call was not answered, rejected or redirected within 15 seconds.',
  },
  /** Transfer completed: the transferee is connected to the target (call-transfer.md: code 0, subcode 7015). */
  transferCompleted: { code: 0, subcode: 7015, message: 'GracefulTransferCompleted' },
  /** The bot's callback could not be reached while its call was establishing (spec 9.10): Graph ends the call. */
  callbackUnreachable: { code: 500, subcode: 3002, message: 'Server Internal Error. DiagCode: 500#3002.@' },
  /** The other party of a P2P call hung up. */
  peerLeft: { code: 200, subcode: 4521, message: 'The other participant ended the call.' },
} as const satisfies Record<string, ResultCode>;

/** A Graph resultInfo, annotated as Graph sends it (the Graph types leave `@odata.type` out of ResultInfo). */
export function resultInfo(r: ResultCode): ResultInfo {
  const info: ResultInfo & { '@odata.type': string } = {
    '@odata.type': '#microsoft.graph.resultInfo',
    code: r.code,
    subcode: r.subcode,
    message: r.message,
  };
  return info;
}

/** A transfer whose target did not take the call: the call is back to established with this (500/7000, consultative 500/7700). */
export function transferFailed(outcome: Exclude<InviteeOutcome, 'accept'>, consultative: boolean): ResultInfo {
  const r = REASONS[outcome];
  const subcode = consultative ? 7700 : 7000;
  return resultInfo({
    code: 500,
    subcode,
    message: `Transfer failed. Underlying reason: ${r.reason}. DiagCode: 500#${subcode}.@`,
  });
}
