/**
 * Internal state of the simulated calling world. Wire shapes (what Graph sends) are built from these in
 * `render.ts`; these types describe what we store.
 *
 * A `CallLeg` is one application's Graph `call` resource: its leg in a shared `Conversation`. The roster
 * (participants) belongs to the conversation, so two bots in one meeting see one roster.
 */
import type { ChatInfo, CommunicationsIdentitySet, ResultInfo } from '@microsoft/microsoft-graph-types';
import type { PersonActionName } from './person-action-names.js';
import type { InviteeOutcome, ResultCode } from './result-codes.js';

/** Graph `callState`, spelled as Graph spells it. */
export const CallState = {
  incoming: 'incoming',
  establishing: 'establishing',
  established: 'established',
  hold: 'hold',
  transferring: 'transferring',
  transferAccepted: 'transferAccepted',
  redirecting: 'redirecting',
  terminating: 'terminating',
  terminated: 'terminated',
} as const;
export type CallState = (typeof CallState)[keyof typeof CallState];

/** Graph `operationStatus`, spelled as the v1.0 metadata spells it (the Kiota client drops other casings). */
export const OperationStatus = {
  notStarted: 'NotStarted',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
} as const;
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];

export const ConversationKind = {
  peerToPeer: 'peerToPeer',
  groupCall: 'groupCall',
  meeting: 'meeting',
} as const;
export type ConversationKind = (typeof ConversationKind)[keyof typeof ConversationKind];

export type ApiVersion = 'v1.0' | 'beta';

/** A Graph communicationsIdentitySet as it travels on the wire (open type: extra keys such as tenantId are kept). */
export type IdentitySet = Partial<Record<keyof CommunicationsIdentitySet, unknown>> & Record<string, unknown>;

/** What kind of endpoint an identity set names, by key presence (Graph parses by key, not by @odata.type). */
export type IdentityKind = 'user' | 'phone' | 'application' | 'applicationInstance' | 'guest' | 'other';

export interface Conversation {
  id: string;
  tenantId: string;
  kind: ConversationKind;
  chatInfo: ChatInfo | null;
  /** The meetingInfo the first leg joined with, as sent (organizer / joinMeetingId / token). */
  meetingInfo: Record<string, unknown> | null;
  /** Directory meeting id when the conversation is a known meeting. */
  meetingId: string | null;
  /** App that created the meeting (moves are only allowed between meetings created by the same app). */
  meetingCreatedByAppId: string | null;
  /** How the first bot joined a meeting: a join token cannot invite PSTN (spec 1.4 item 8). */
  joinedWith: 'organizer' | 'joinMeetingId' | 'token' | null;
  /** Who skips the meeting's lobby (absent on conversations stored before lobbies existed: everyone). */
  lobby?: MeetingLobby | null;
  callChainId: string;
  rosterSequence: number;
  createdAt: number;
}

/** Graph `lobbyBypassScope`, as the v1.0 metadata spells it. */
export const LOBBY_BYPASS_SCOPES = [
  'organizer',
  'organization',
  'organizationAndFederated',
  'everyone',
  'invited',
  'organizationExcludingGuests',
] as const;
export type LobbyBypassScope = (typeof LOBBY_BYPASS_SCOPES)[number];
export const isLobbyBypassScope = (v: unknown): v is LobbyBypassScope => LOBBY_BYPASS_SCOPES.some((x) => x === v);

/** A meeting's lobby rule, copied onto its conversation so joins can be decided without the meeting. */
export interface MeetingLobby {
  scope: LobbyBypassScope;
  isDialInBypassEnabled: boolean;
  organizerId: string;
  tenantId: string;
}

/**
 * A meeting created through `POST /users/{userId}/onlineMeetings` (Graph `onlineMeeting`). The user in the path
 * organizes it; the app that created it may move people between its meetings.
 */
export interface OnlineMeeting {
  id: string;
  tenantId: string;
  organizer: { id: string; displayName: string | null };
  createdByAppId: string;
  threadId: string;
  joinMeetingId: string;
  /** Generated when the request asked for one (`joinMeetingIdSettings.isPasscodeRequired`). */
  passcode: string | null;
  subject: string | null;
  /** The caller's own id for the meeting (`createOrGet` finds a meeting by it); absent on meetings stored before. */
  externalId?: string | null;
  startDateTime: string;
  endDateTime: string;
  lobbyBypassSettings: { scope: LobbyBypassScope; isDialInBypassEnabled: boolean };
  joinWebUrl: string;
  createdAt: number;
  /** The audio-conferencing (dial-in) conference id; absent on meetings stored before it was generated. */
  conferenceId?: string;
  /** The Cloud Video Interop id (`$filter=VideoTeleconferenceId eq '…'`); absent on meetings stored before it. */
  videoTeleconferenceId?: string;
}

export interface CallLeg {
  id: string;
  conversationId: string;
  tenantId: string;
  appId: string;
  /** API version the leg was created on; beta-only properties are emitted only for beta legs. */
  apiVersion: ApiVersion;
  state: CallState;
  direction: 'incoming' | 'outgoing';
  callbackUri: string;
  subject: string | null;
  source: Record<string, unknown> | null;
  targets: Record<string, unknown>[];
  requestedModalities: string[];
  activeModalities: string[];
  mediaConfig: Record<string, unknown> | null;
  callOptions: Record<string, unknown> | null;
  myParticipantId: string;
  /** Application instance (resource account) the leg acts as, if any: needed to invite PSTN. */
  applicationInstanceId: string | null;
  /** Beta only: the ringing timeout an outgoing call asked for (absent on legs stored before it existed). */
  ringingTimeoutInSeconds?: number | null;
  resultInfo: ResultInfo | null;
  terminationReason: string | null;
  /** Service-hosted media state (tones, prompts, recordings); absent on legs stored before media existed. */
  media?: LegMedia;
  /** The call's audioRoutingGroups (src/domain/audio-routing.ts); absent until the bot creates one. */
  audioRoutingGroups?: AudioRoutingGroup[];
  /** Incremented on every change; rendered as @odata.etag. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** Graph `audioRoutingGroup`: a private audio route from one source participant to receivers. */
export interface AudioRoutingGroup {
  id: string;
  routingMode: 'oneToOne' | 'multicast';
  sources: string[];
  receivers: string[];
}

/** Graph `recordingStatus` (v1.0 metadata). */
export type RecordingStatus = 'unknown' | 'notRecording' | 'recording' | 'failed';
/** Graph `screenSharingRole`. */
export type ScreenSharingRole = 'viewer' | 'sharer';

export interface LegMedia {
  /** subscribeToTone was called: the person's key presses are notified as `toneInfo`. */
  toneSubscribed: boolean;
  /** The last `toneInfo.sequenceId` sent on this leg. */
  toneSequence: number;
  /**
   * playPrompt / recordResponse operations not yet finished, in order: Graph plays them one after another, so
   * only the head runs (it has a timer); the others wait their turn.
   */
  queue: string[];
}

export const noLegMedia = (): LegMedia => ({ toneSubscribed: false, toneSequence: 0, queue: [] });

/** Lifecycle that Graph does not expose as a property but that drives the roster. */
export type ParticipantStatus = 'inviting' | 'joined' | 'removed' | 'failed';

export interface Participant {
  id: string;
  conversationId: string;
  status: ParticipantStatus;
  identity: IdentitySet;
  kind: IdentityKind;
  /** For bot participants: the call leg this participant is. */
  callLegId: string | null;
  /** For invitees: the operation that invited them. */
  invitedByOperationId: string | null;
  endpointType: string;
  region: string | null;
  languageId: string | null;
  isMuted: boolean;
  isInLobby: boolean;
  hidden: boolean;
  /** Set by updateRecordingStatus on the bot's own participant (rendered as `recordingInfo`). */
  recordingStatus?: RecordingStatus | null;
  /** Hold music is playing to this participant (startHoldMusic). */
  onHold?: boolean;
  /** A large gallery view (addLargeGalleryView): the operation that added it; rendered with its video and metadata. */
  largeGalleryViewOf?: string;
  /** changeScreenSharingRole on the bot's own participant: adds a videoBasedScreenSharing stream. */
  screenSharingRole?: ScreenSharingRole | null;
  sourceId: string;
  rosterSequenceNumber: number;
  /** What the invitee's answer was, once known; failure reasons become the operation's resultInfo. */
  outcome: ResultInfo | null;
  createdAt: number;
  updatedAt: number;
}

export interface InvitationEcho {
  identity: IdentitySet;
  replacesCallId: string | null;
  participantId: string | null;
  hidden: boolean | null;
  removeFromDefaultAudioRoutingGroup: boolean | null;
  endpointType: string | null;
  /** The `@odata.type`s the request gave the identity set and its entries (`odataTypesOf`), echoed as sent. */
  identityTypes?: Record<string, string>;
}

/** One invitee of an invite operation, and where it stands. */
export interface Invitee {
  participantId: string;
  echo: InvitationEcho;
  /** Set when this invitee replaces a P2P leg or is moved from another meeting. */
  replacesCallId: string | null;
  movedFromParticipantId: string | null;
  settled: boolean;
  joined: boolean;
  resultInfo: ResultInfo | null;
}

export type OperationType =
  | 'addLargeGalleryViewOperation'
  | 'admitFromLobbyOperation'
  | 'admitAllFromLobbyOperation'
  | 'muteParticipantsOperation'
  | 'removeFromLobbyOperation'
  | 'inviteParticipantsOperation'
  | 'muteParticipantOperation'
  | 'unmuteParticipantOperation'
  | 'subscribeToToneOperation'
  | 'sendDtmfTonesOperation'
  | 'playPromptOperation'
  | 'recordOperation'
  | 'cancelMediaProcessingOperation'
  | 'updateRecordingStatusOperation'
  | 'startHoldMusicOperation'
  | 'stopHoldMusicOperation';

/** What a media operation needs to run on the clock, and what it produced. */
export interface MediaOperationDetail {
  /** How long it runs once started (prompt play time, tones, prompt + recording). */
  durationMs: number;
  startedAt: number | null;
  /** playPrompt, recordResponse: the prompts' media URIs in play order (the softphone plays them to the person). */
  promptUris?: string[];
  /** recordResponse: the prompt's share of durationMs, before recording starts. */
  promptMs?: number;
  /** recordResponse: tones (`tone1`, `pound`…) that end the recording when the person presses them. */
  stopTones?: string[];
  /** recordResponse: where the recording is served (origin the request came in on). */
  recordingBaseUrl?: string;
  recordingLocation?: string | null;
  recordingAccessToken?: string | null;
  /** recordResponse: how many milliseconds were recorded. */
  recordedMs?: number;
  /** sendDtmfTonesOperation.completionReason (v1.0), playPrompt/record completionReason (beta, open type). */
  completionReason?: string | null;
  /** startHoldMusic / stopHoldMusic: the participant it applies to. */
  participantId?: string;
}

export interface Operation {
  id: string;
  callId: string;
  type: OperationType;
  status: OperationStatus;
  clientContext: string | null;
  resultInfo: ResultInfo | null;
  invitees: Invitee[];
  /** muteParticipantsOperation (muteAll): the ids of the participants it muted, its `participants`. */
  participantIds?: string[];
  media?: MediaOperationDetail;
  createdAt: number;
  updatedAt: number;
}

/** A notification ready to be written to the outbox: rendered body plus where it goes. */
export interface OutboundNotification {
  /** Ordering key: notifications for one call leg are delivered in order. */
  callId: string;
  tenantId: string;
  appId: string;
  callbackUri: string;
  body: Record<string, unknown>;
}

/**
 * What each kind of timer carries, as stored (one JSON document; read back through `readTimer` in timers.ts). `callId`
 * also orders firing: one call's timers fire one after another.
 */
export interface TimerPayloads {
  /** An invitee (or a group call's first target: no operation) answers with `outcome`, unless an injected fault fails it. */
  'invitee.answer': {
    callId: string;
    participantId: string;
    operationId: string | null;
    outcome: InviteeOutcome;
    fault?: ResultCode;
  };
  /** A group call or meeting leg becomes established. */
  'call.established': { callId: string };
  /** The other party of an outgoing peer-to-peer call answers. */
  'call.targetAnswer': { callId: string; participantId: string; outcome: InviteeOutcome };
  /** No keepAlive for 45 minutes. */
  'call.keepAliveExpired': { callId: string };
  /** An incoming call nobody answered within 15 seconds. */
  'call.answerWindow': { callId: string };
  /**
   * The transfer target answers; `replacesCallId`: the consultation call of a consultative transfer; `target`: who
   * rings (identity key), so a softphone holding that person finds the ring (absent on older rows); `transfereeId`:
   * out of a group call or meeting, the participant moved (absent for a peer-to-peer call).
   */
  'call.transferAnswer': {
    callId: string;
    outcome: InviteeOutcome;
    replacesCallId: string | null;
    target?: string | null;
    transfereeId?: string | null;
  };
  /**
   * A redirect's ring ends (src/domain/transfer.ts): `targets` are the people it rings at once (identity keys), so a
   * softphone holding one of them finds the ring; `outcome` is how it ends, `answeredBy` who picked up (accept only).
   */
  'call.redirectAnswer': { callId: string; outcome: InviteeOutcome; answeredBy: string | null; targets: string[] };
  /** A simulated person's later action (hang up, mute, hold, tones…). */
  'person.action': { participantId: string; action: PersonActionName; tones?: string };
  /** A media operation (prompt, recording, DTMF, hold music) finished its time on the clock. */
  'media.complete': { callId: string; operationId: string };
}

export type TimerKind = keyof TimerPayloads;

/** A timer that will feed a command back into the service when due: its kind says what its payload is. */
export type TimerRequest = {
  [K in TimerKind]: { id: string; dueAt: number; kind: K; payload: TimerPayloads[K] };
}[TimerKind];

/** A conversation with its roster (every participant, any status) and the bot legs in it. */
export interface ConversationView {
  conversation: Conversation;
  roster: Participant[];
  legs: CallLeg[];
}

/** Everything one command changes. The service writes it in one transaction. */
export interface Effects {
  conversations: Conversation[];
  legs: CallLeg[];
  participants: Participant[];
  operations: Operation[];
  notifications: OutboundNotification[];
  timers: TimerRequest[];
}

export function emptyEffects(): Effects {
  return { conversations: [], legs: [], participants: [], operations: [], notifications: [], timers: [] };
}

/** Appends `more` to `effects` (in order: the last write of an id is the one saved). */
export function appendEffects(effects: Effects, more: Effects): Effects {
  effects.conversations.push(...more.conversations);
  effects.legs.push(...more.legs);
  effects.participants.push(...more.participants);
  effects.operations.push(...more.operations);
  effects.notifications.push(...more.notifications);
  effects.timers.push(...more.timers);
  return effects;
}
