/**
 * Why the domain refused a command. Not HTTP: `src/http/errors.ts` maps each code to a status and Graph error code.
 * `target` names the offending request property (e.g. `participants[1].identity.phone.id`).
 */
export const RejectionCode = {
  callNotFound: 'CallNotFound',
  participantNotFound: 'ParticipantNotFound',
  operationNotFound: 'OperationNotFound',
  invalidProperty: 'InvalidProperty',
  noInvitees: 'NoInvitees',
  tooManyInvitees: 'TooManyInvitees',
  multipleInviteesNeedGroupCall: 'MultipleInviteesNeedGroupCall',
  multipleInviteesNeedChatInfo: 'MultipleInviteesNeedChatInfo',
  clientContextTooLong: 'ClientContextTooLong',
  invalidPhoneNumber: 'InvalidPhoneNumber',
  duplicateIdentity: 'DuplicateIdentity',
  cannotInviteBot: 'CannotInviteBot',
  replacedCallNotFound: 'ReplacedCallNotFound',
  moveNotAllowed: 'MoveNotAllowed',
  invalidCallbackUri: 'InvalidCallbackUri',
  tenantMismatch: 'TenantMismatch',
  missingRole: 'MissingRole',
  /** A non-calling Graph permission is missing (onlineMeetings): Graph's plain 403 Forbidden. */
  forbidden: 'Forbidden',
  userNotFound: 'UserNotFound',
  meetingNotFound: 'MeetingNotFound',
  callStateConflict: 'CallStateConflict',
  /** A documented Graph behaviour Switchboard does not simulate yet: 501, never a fake success. */
  notImplemented: 'NotImplemented',
  /** The app has no calling registration: Graph answers 403 UnknownError with a JSON string as message (spec 6.3). */
  appNotRegistered: 'AppNotRegistered',
  /**
   * Not a rule of the call: Switchboard is over capacity and did not run the command (src/service/admission.ts).
   * Answered as Graph's throttling 429 with Retry-After, so clients back off and retry; nothing was written.
   */
  overloaded: 'Overloaded',
} as const;
export type RejectionCode = (typeof RejectionCode)[keyof typeof RejectionCode];

/** Graph's message for 7503, verbatim: itself a JSON string (spec 6.3, comms-samples #432). */
export const APP_NOT_REGISTERED_MESSAGE =
  '{"errorCode":"7503","message":"Application is not registered in our store.","instanceAnnotations":[]}';

export interface Rejection {
  readonly rejected: true;
  readonly code: RejectionCode;
  readonly message: string;
  readonly target: string | null;
}

export function reject(code: RejectionCode, message: string, target: string | null = null): Rejection {
  return { rejected: true, code, message, target };
}

export function isRejection(x: unknown): x is Rejection {
  return typeof x === 'object' && x !== null && (x as { rejected?: unknown }).rejected === true;
}
