/**
 * The public types of the control API's bodies (requests and answers of `/_switchboard/…`) and of a world file,
 * for a bot's own test suite. Standalone on purpose: the package's `.d.ts` must not lead a user's compiler into the
 * server's internal types (which name dev-only Graph type packages). test/client/public-types.test.ts checks, at
 * compile time, that these agree with the server's own types.
 */

// ---- identities (Graph `identitySet`) -------------------------------------------------------------------------

export interface Identity {
  id?: string;
  displayName?: string | null;
  tenantId?: string;
  identityProvider?: string;
  [key: string]: unknown;
}

/** Graph `identitySet` / `communicationsIdentitySet`: one of user, phone, application, applicationInstance, guest. */
export interface IdentitySet {
  '@odata.type'?: string;
  user?: Identity | null;
  phone?: Identity | null;
  application?: Identity | null;
  applicationInstance?: Identity | null;
  guest?: Identity | null;
  [key: string]: unknown;
}

// ---- the world (a `--world` file, or `startSwitchboard({ world })`) -------------------------------------------

export type AnswerAction = 'accept' | 'decline' | 'busy' | 'noAnswer';

/** How a person answers: the action, after `afterMs` of ringing. */
export interface AnswerBehaviour {
  action: AnswerAction;
  afterMs: number;
}

export type PersonActionName = 'hangUp' | 'leave' | 'mute' | 'unmute' | 'hold' | 'resume' | 'pressTones';

/** What a connected person does (`then` of a behaviour, `afterMs` after connecting; or now, in one call). */
export interface PersonAction {
  action: PersonActionName;
  /** pressTones: the keys, in order (`0`–`9`, `*`, `#`, `A`–`D`). */
  tones?: string;
  afterMs: number;
}

export interface InviteFault {
  on: 'invite';
  /** Every condition given must hold; none given: every invite. */
  when: { mediaConfig?: 'appHosted' | 'serviceHosted'; replacesCallId?: boolean };
  /** The failed operation's (and the invitee's) `resultInfo`, sent verbatim. */
  result: { code: number; subcode: number; message: string };
  /** How long after the request the operation fails. */
  afterMs: number;
}
export type Fault = InviteFault;

export interface WorldApp {
  id: string;
  displayName: string;
  secret: string;
  roles: string[];
  /** The app's registered calling webhook: where incoming calls are notified. */
  callbackUri: string | null;
  instances: { id: string; displayName: string; phoneNumber: string | null }[];
  callingRegistered?: boolean;
}

export interface WorldUser {
  id: string;
  displayName: string;
  answer: AnswerBehaviour;
  then?: PersonAction[];
}

export interface WorldPhone {
  number: string;
  answer: AnswerBehaviour;
  then?: PersonAction[];
}

export interface WorldMeeting {
  id: string;
  threadId: string;
  joinMeetingId: string;
  organizerId: string;
  createdByAppId: string | null;
  passcode: string | null;
  lobbyBypassScope:
    | 'organizer'
    | 'organization'
    | 'organizationAndFederated'
    | 'everyone'
    | 'invited'
    | 'organizationExcludingGuests'
    | null;
  isDialInBypassEnabled: boolean;
}

export interface WorldTenant {
  id: string;
  displayName: string;
  apps: WorldApp[];
  /** Multi-tenant apps of other tenants this tenant consented to: they get tokens here and act in this tenant. */
  consentedApps?: string[];
  users: WorldUser[];
  phones: WorldPhone[];
  meetings: WorldMeeting[];
  /** How numbers not listed in `phones` answer. */
  defaultPhoneAnswer: AnswerBehaviour;
}

/** A loaded world: every default filled in (what `startSwitchboard` returns as `world`). */
export interface World {
  tenants: WorldTenant[];
  /** How long an outgoing call or a meeting join takes from establishing to established. */
  establishMs: number;
  endCallOnCallbackFailure?: boolean;
  prompts?: { defaultMs: number; durations: Record<string, number> };
  faults?: Fault[];
}

/** Partial<T> one level down: what a world file may leave out (the server fills in the README's defaults). */
type Loose<T> = { [K in keyof T]?: T[K] };

/** A world as a file (or object) gives it: everything but ids, secrets and meeting keys may be left out. */
export interface WorldFile {
  tenants: (Loose<Omit<WorldTenant, 'apps' | 'users' | 'phones' | 'meetings'>> & {
    id: string;
    apps?: (Loose<WorldApp> & { id: string; secret: string })[];
    users?: (Loose<WorldUser> & { id: string })[];
    phones?: (Loose<WorldPhone> & { number: string })[];
    meetings?: (Loose<WorldMeeting> & { id: string; threadId: string; joinMeetingId: string; organizerId: string })[];
  })[];
  establishMs?: number;
  endCallOnCallbackFailure?: boolean;
  prompts?: { defaultMs?: number; durations?: Record<string, number> };
  faults?: (Omit<InviteFault, 'when' | 'afterMs'> & { when?: InviteFault['when']; afterMs?: number })[];
}

// ---- people -----------------------------------------------------------------------------------------------------

/** `GET /_switchboard/people`: one user or listed phone number of one tenant, with its behaviour. */
export interface Person {
  tenantId: string;
  kind: 'user' | 'phone';
  /** The user id, or the E.164 number. */
  id: string;
  displayName: string | null;
  answer: AnswerBehaviour;
  then: PersonAction[];
}

/** `PUT /_switchboard/people/{id}/behaviour`: send `answer`, `then`, or both. */
export interface BehaviourChange {
  /** Missing fields keep the person's current ones. */
  answer?: Partial<AnswerBehaviour>;
  then?: PersonAction[];
  /** Only this tenant's phone number (a user belongs to one tenant anyway). */
  tenantId?: string;
}

/** `POST /_switchboard/calls/{id}/participants/{participantId}/actions`: the answer. */
export interface PersonActionResult {
  participantId: string;
  action: PersonActionName;
  tones?: string;
  /** `done` (no `afterMs`), or `scheduled` (a durable timer). */
  status: 'done' | 'scheduled';
  dueDateTime: string;
}

// ---- calls ------------------------------------------------------------------------------------------------------

export type CallState =
  | 'incoming'
  | 'establishing'
  | 'established'
  | 'hold'
  | 'transferring'
  | 'transferAccepted'
  | 'redirecting'
  | 'terminating'
  | 'terminated';
export type ConversationKind = 'peerToPeer' | 'groupCall' | 'meeting';

/** `POST /_switchboard/incoming-calls`: a person (or phone) calls a bot (an application or its instance). */
export interface IncomingCallRequest {
  tenantId: string;
  source: IdentitySet;
  target: IdentitySet;
  /** Default `["audio"]`. */
  requestedModalities?: ('audio' | 'video' | 'videoBasedScreenSharing' | 'data')[];
}

/** A Graph `call` resource, as its bot sees it (`GET /v1.0/communications/calls/{id}`). */
export interface GraphCall {
  '@odata.type': '#microsoft.graph.call';
  id: string;
  state: CallState;
  direction: 'incoming' | 'outgoing';
  [key: string]: unknown;
}

/** `GET /_switchboard/calls`: one live call leg. */
export interface CallSummary {
  id: string;
  state: CallState;
  direction: 'incoming' | 'outgoing';
  tenantId: string;
  appId: string;
  apiVersion: string;
  createdDateTime: string;
  conversation: {
    id: string;
    kind: ConversationKind;
    threadId: string | null;
    meetingId: string | null;
    callChainId: string;
  } | null;
  call: GraphCall;
}

export interface CallListFilter {
  state?: CallState;
  kind?: ConversationKind;
  appId?: string;
  tenantId?: string;
  conversationId?: string;
}

/** One participant of a call's conversation, with the lifecycle Graph does not show. */
export interface RosterEntry {
  status: 'inviting' | 'joined' | 'removed' | 'failed';
  kind: string;
  /** The bot leg's call id, when the participant is a bot. */
  callId: string | null;
  /** The invite operation that brought this participant in, if one did. */
  invitedByOperationId: string | null;
  /** Hold music is playing to this participant (startHoldMusic). */
  onHold: boolean;
  outcome: unknown;
  /** The Graph `participant`. */
  participant: { id: string; info: { identity: IdentitySet; [key: string]: unknown }; [key: string]: unknown };
}

/** A Graph operation, with its type and times. */
export interface OperationView {
  '@odata.type': string;
  id: string;
  status: 'NotStarted' | 'Running' | 'Completed' | 'Failed';
  clientContext: string | null;
  resultInfo: { code: number; subcode: number; message: string } | null;
  type: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  [key: string]: unknown;
}

/** `GET /_switchboard/calls/{id}`: one live call leg with its conversation's roster, operations and notifications. */
export interface CallDetail extends CallSummary {
  roster: RosterEntry[];
  operations: OperationView[];
  notifications: NotificationLogEntry[];
}

/** `GET /_switchboard/calls/{id}/operations`: also after the call ended. */
export interface CallOperations {
  callId: string;
  callEnded: boolean;
  value: OperationView[];
}

/** `POST /_switchboard/calls/{id}/tones`: the answer. */
export interface PressTonesResult {
  callId: string;
  tones: string[];
  toneInfo: { sequenceId: number; tone: string }[];
  stoppedRecordingId?: string | null;
}

// ---- notifications ----------------------------------------------------------------------------------------------

/** One item of the `commsNotifications` Graph posts to a bot's callback. */
export interface CommsNotification {
  '@odata.type': '#microsoft.graph.commsNotification';
  changeType: 'created' | 'updated' | 'deleted';
  /** Legacy form: `/app/calls/{id}…`. */
  resource: string;
  /** `/communications/calls/{id}`, `…/participants`, `…/operations/{id}`. */
  resourceUrl: string;
  /** The call, the changed participants (an array), or the operation. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Graph's resources, read by the test's own predicates
  resourceData: any;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'deadLettered';

/** `GET /_switchboard/notifications`: one POST to a bot's callback (one or more notifications), and its delivery. */
export interface NotificationLogEntry {
  /** Order of creation over the whole server; `after` pages on from it. */
  sequence: number;
  messageId: string;
  callId: string;
  tenantId: string;
  appId: string;
  callbackUri: string;
  createdDateTime: string;
  status: DeliveryStatus;
  deliveredDateTime: string | null;
  nextAttemptDateTime: string | null;
  lastError: string | null;
  attempts: {
    attempt: number;
    startedDateTime: string;
    durationMs: number;
    statusCode: number | null;
    error: string | null;
  }[];
  body: { '@odata.type': '#microsoft.graph.commsNotifications'; value: CommsNotification[] };
}

export interface NotificationQuery {
  /** One call's notifications only. */
  callId?: string;
  /** At most this many (1–10000; server default 1000). */
  limit?: number;
  /** Only entries with a `sequence` above this one. */
  after?: number;
}

// ---- clock ------------------------------------------------------------------------------------------------------

/** `GET /_switchboard/clock`. */
export interface ClockView {
  mode: 'real' | 'virtual';
  now: string;
  epochMs: number;
}

/** `POST /_switchboard/clock/advance` and `/set`: the new time, once everything due by then has run. */
export interface ClockMove extends ClockView {
  /** Distinct instants the clock stopped at on the way. */
  steps: number;
  timersFired: number;
}

// ---- server ------------------------------------------------------------------------------------------------------

/** `POST /_switchboard/reset`: rows dropped per kind on the way back to the loaded world. */
export interface ResetResult {
  reset: true;
  dropped: {
    conversations: number;
    calls: number;
    participants: number;
    operations: number;
    onlineMeetings: number;
    notifications: number;
    deliveryAttempts: number;
    timers: number;
    /** Run-time behaviour and fault changes undone. */
    worldChanges: number;
  };
}

/** `GET /_switchboard/ready` when ready (otherwise a SwitchboardError 503). */
export interface Readiness {
  status: 'ready';
  store: 'sqlite' | 'postgres';
  schemaVersion: number;
}
