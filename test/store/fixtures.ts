/** Entity builders for the store contract: valid, fully populated values with overridable fields. */
import type {
  CallLeg,
  Conversation,
  OnlineMeeting,
  Operation,
  OutboundNotification,
  Participant,
} from '../../src/domain/types.js';
import { storedBodyOf, storedBodyText } from '../../src/store/outbox-rows.js';
import type { OutboxRow } from '../../src/store/store.js';

export const T0 = Date.UTC(2026, 0, 1);
export const TENANT = '11111111-1111-4111-8111-111111111111';
export const APP = '22222222-2222-4222-8222-222222222222';

export function conversation(over: Partial<Conversation> = {}): Conversation {
  return {
    id: 'conv-1',
    tenantId: TENANT,
    kind: 'meeting',
    chatInfo: { threadId: '19:meeting_abc@thread.v2', messageId: '0', replyChainMessageId: null },
    meetingInfo: { '@odata.type': '#microsoft.graph.organizerMeetingInfo', organizer: { user: { id: 'u1' } } },
    meetingId: 'meeting-1',
    meetingCreatedByAppId: APP,
    joinedWith: 'organizer',
    callChainId: 'chain-1',
    rosterSequence: 0,
    createdAt: T0,
    ...over,
  };
}

export function leg(over: Partial<CallLeg> = {}): CallLeg {
  return {
    id: 'call-1',
    conversationId: 'conv-1',
    tenantId: TENANT,
    appId: APP,
    apiVersion: 'v1.0',
    state: 'established',
    direction: 'outgoing',
    callbackUri: 'https://bot.example/api/calls',
    subject: 'Stand-up',
    source: { identity: { application: { id: APP, displayName: 'Bot' } } },
    targets: [{ identity: { user: { id: 'u2', displayName: 'Ada' } } }],
    requestedModalities: ['audio'],
    activeModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    callOptions: null,
    myParticipantId: 'p-bot',
    applicationInstanceId: null,
    resultInfo: null,
    terminationReason: null,
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function participant(over: Partial<Participant> = {}): Participant {
  return {
    id: 'p-1',
    conversationId: 'conv-1',
    status: 'joined',
    identity: { user: { id: 'u2', displayName: 'Ada' }, tenantId: TENANT },
    kind: 'user',
    callLegId: null,
    invitedByOperationId: null,
    endpointType: 'default',
    region: 'amer',
    languageId: 'en-US',
    isMuted: false,
    isInLobby: false,
    hidden: false,
    sourceId: '1',
    rosterSequenceNumber: 1,
    outcome: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function operation(over: Partial<Operation> = {}): Operation {
  return {
    id: 'op-1',
    callId: 'call-1',
    type: 'inviteParticipantsOperation',
    status: 'Running',
    clientContext: 'ctx',
    resultInfo: null,
    invitees: [
      {
        participantId: 'p-2',
        echo: {
          identity: { user: { id: 'u3' } },
          replacesCallId: null,
          participantId: null,
          hidden: null,
          removeFromDefaultAudioRoutingGroup: null,
          endpointType: null,
        },
        replacesCallId: null,
        movedFromParticipantId: null,
        settled: false,
        joined: false,
        resultInfo: null,
      },
    ],
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function onlineMeeting(over: Partial<OnlineMeeting> = {}): OnlineMeeting {
  return {
    id: 'MSo1ZTVlLTFmMzEqMCoqMTk6bWVldGluZ19hYmNAdGhyZWFkLnYy',
    tenantId: TENANT,
    organizer: { id: 'u1', displayName: 'Grace' },
    createdByAppId: APP,
    threadId: '19:meeting_abc@thread.v2',
    joinMeetingId: '4120993874',
    passcode: 'Xy7pQ2',
    subject: 'Stand-up',
    startDateTime: '2026-01-01T10:00:00.0000000Z',
    endDateTime: '2026-01-01T10:30:00.0000000Z',
    lobbyBypassSettings: { scope: 'organization', isDialInBypassEnabled: false },
    joinWebUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d',
    createdAt: T0,
    ...over,
  };
}

/** An outbox append for `callId`; `n` distinguishes bodies and message ids. */
export function note(
  callId: string,
  n: number,
  createdAt = T0,
): { messageId: string; notification: OutboundNotification; createdAt: number } {
  return {
    messageId: `${callId}-msg-${n}`,
    createdAt,
    notification: {
      callId,
      tenantId: TENANT,
      appId: APP,
      callbackUri: `https://bot.example/api/calls/${callId}`,
      body: {
        '@odata.type': '#microsoft.graph.commsNotifications',
        value: [{ changeType: 'updated', resourceUrl: `/communications/calls/${callId}`, n }],
      },
    },
  };
}

/** `note(callId, n, createdAt)` carrying `body` instead. */
export function noteWithBody(
  callId: string,
  n: number,
  body: Record<string, unknown>,
  createdAt = T0,
): ReturnType<typeof note> {
  const base = note(callId, n, createdAt);
  return { ...base, notification: { ...base.notification, body } };
}

/** A DeliveryAttempt for `seq`. */
export function attempt(
  seq: number,
  n: number,
  statusCode: number | null,
  error: string | null = null,
  startedAt = T0,
) {
  return { outboxSeq: seq, attempt: n, startedAt, durationMs: 12, statusCode, error };
}

/** A row's body as JSON text, as a delivery would send it (text, or the bytes SQLite keeps, decoded). */
export const bodyTextOf = (row: Pick<OutboxRow, 'body'>): string => storedBodyText(storedBodyOf(row));
