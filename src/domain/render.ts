/**
 * Internal state → Graph wire shapes. Property names, `@odata.type`s and enum spellings follow the v1.0
 * metadata; unset properties are rendered as null, as Graph does.
 */
import { annotateIdentitySet, echoIdentitySet } from './identity.js';
import { graphDateTime } from './online-meeting.js';
import type { ApiVersion, CallLeg, Conversation, Invitee, Operation, Participant } from './types.js';
import { closedShapeFor, shapeFor } from './wire-shape.js';
import { BETA_ONLY_PROPERTIES, V1_PROPERTIES, type RenderedType } from './wire-properties.js';

export const appPath = (callId: string, sub = ''): string => `/app/calls/${callId}${sub}`;
export const communicationsPath = (callId: string, sub = ''): string => `/communications/calls/${callId}${sub}`;

/** The call as `version` shows it: a response follows the request's version, a notification the leg's. */
export function toGraphCall(
  leg: CallLeg,
  conversation: Conversation | undefined,
  version: ApiVersion = leg.apiVersion,
): Record<string, unknown> {
  const call: Record<string, unknown> = {
    '@odata.type': '#microsoft.graph.call',
    id: leg.id,
    state: leg.state,
    direction: leg.direction,
    callbackUri: leg.callbackUri,
    callChainId: conversation?.callChainId ?? null,
    subject: leg.subject,
    // participantInfo / invitationParticipantInfo with their unset properties null (create-call response examples).
    source: leg.source ? shapeFor('participantInfo', version, leg.source) : null,
    targets: leg.targets.map((t) => shapeFor('invitationParticipantInfo', version, t)),
    requestedModalities: leg.requestedModalities,
    mediaConfig: mediaConfigOf(leg, version),
    callOptions: leg.callOptions,
    chatInfo: conversation?.chatInfo ? { '@odata.type': '#microsoft.graph.chatInfo', ...conversation.chatInfo } : null,
    meetingInfo: conversation?.meetingInfo ?? null,
    myParticipantId: leg.myParticipantId,
    tenantId: leg.tenantId,
    resultInfo: leg.resultInfo,
    callRoutes: [],
    incomingContext: null,
    mediaState:
      leg.state === 'established' ? { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' } : null,
    toneInfo: null,
    transcription: transcriptionOf(conversation),
  };
  // Beta-only properties (spec 3.1; seed 002): not in the v1.0 metadata, so `shapeFor` keeps them out of a v1.0 body.
  call.activeModalities = leg.activeModalities;
  call.terminationReason = leg.terminationReason;
  call.ringingTimeoutInSeconds = leg.ringingTimeoutInSeconds ?? null;
  return shapeFor('call', version, call);
}

/** The call's mediaConfig in `version`'s shape (both media configs are closed types). */
function mediaConfigOf(leg: CallLeg, version: ApiVersion): Record<string, unknown> | null {
  const m = leg.mediaConfig;
  if (!m) return null;
  const t = typeof m['@odata.type'] === 'string' ? m['@odata.type'] : '';
  if (/appHostedMediaConfig$/i.test(t)) return closedShapeFor('appHostedMediaConfig', version, m);
  if (/serviceHostedMediaConfig$/i.test(t)) return closedShapeFor('serviceHostedMediaConfig', version, m);
  return m;
}

/**
 * `call.transcription`: a group call or meeting shows its transcription state (the docs' "Get call" example 2:
 * `{"state": "inactive", "lastModifiedDateTime": …}`; Switchboard never transcribes, so it stays inactive since the
 * call began); a peer-to-peer call has none (example 1: `"transcription": null`).
 */
function transcriptionOf(conversation: Conversation | undefined): Record<string, unknown> | null {
  if (!conversation || conversation.kind === 'peerToPeer') return null;
  return {
    '@odata.type': '#microsoft.graph.callTranscriptionInfo',
    state: 'inactive',
    lastModifiedDateTime: graphDateTime(conversation.createdAt),
  };
}

/** The call as a notification's resourceData: with the `@odata.id` and `@odata.etag` annotations Graph adds. */
export function callResourceData(leg: CallLeg, conversation: Conversation | undefined): Record<string, unknown> {
  return { ...toGraphCall(leg, conversation), '@odata.id': appPath(leg.id), '@odata.etag': `W/"${leg.version}"` };
}

export function toGraphParticipant(p: Participant): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.participant',
    id: p.id,
    info: {
      '@odata.type': '#microsoft.graph.participantInfo',
      identity: annotateIdentitySet(p.identity),
      endpointType: p.endpointType,
      region: p.region,
      languageId: p.languageId,
      countryCode: null,
      participantId: p.id,
    },
    mediaStreams: mediaStreams(p),
    isMuted: p.isMuted,
    isInLobby: p.isInLobby,
    // A large gallery view says which page of the view it is ("Identify large gallery view participants").
    metadata: p.largeGalleryViewOf
      ? JSON.stringify({
          __platform: { ui: { hidden: true } },
          audienceView: {
            id: `${p.largeGalleryViewOf}/1`,
            page: 1,
            status: 'active',
            type: 'lg',
            aspectRatio: 'widescreen',
          },
        })
      : null,
    recordingInfo: p.recordingStatus
      ? {
          '@odata.type': '#microsoft.graph.recordingInfo',
          initiator: annotateIdentitySet(p.identity),
          recordingStatus: p.recordingStatus,
        }
      : null,
    removedState: null,
    restrictedExperience: null,
    rosterSequenceNumber: p.rosterSequenceNumber,
  };
}

function mediaStreams(p: Participant): Record<string, unknown>[] {
  // The large gallery view receives the call's audio and sends the gallery as video, which the bot subscribes to.
  if (p.largeGalleryViewOf) {
    return [
      {
        '@odata.type': '#microsoft.graph.mediaStream',
        mediaType: 'audio',
        label: 'main-audio',
        sourceId: p.sourceId,
        direction: 'receiveOnly',
        serverMuted: false,
      },
      {
        '@odata.type': '#microsoft.graph.mediaStream',
        mediaType: 'video',
        label: 'main-video',
        sourceId: `${p.sourceId}-video`,
        direction: 'sendReceive',
        serverMuted: false,
      },
    ];
  }
  // On hold the participant hears the music; their voice is not mixed into the call.
  const streams: Record<string, unknown>[] = [
    {
      '@odata.type': '#microsoft.graph.mediaStream',
      mediaType: 'audio',
      label: 'main-audio',
      sourceId: p.sourceId,
      direction: p.onHold ? 'receiveOnly' : 'sendReceive',
      serverMuted: false,
    },
  ];
  // changeScreenSharingRole (spec 4.16): a sharer sends a videoBasedScreenSharing stream, a viewer receives it.
  if (p.screenSharingRole) {
    streams.push({
      '@odata.type': '#microsoft.graph.mediaStream',
      mediaType: 'videoBasedScreenSharing',
      label: 'applicationsharing-video',
      sourceId: `${p.sourceId}-vbss`,
      direction: p.screenSharingRole === 'sharer' ? 'sendOnly' : 'receiveOnly',
      serverMuted: false,
    });
  }
  return streams;
}

/** A participant in a notification, with the `@odata.id` Graph adds, relative to the receiving leg. */
export function participantResourceData(p: Participant, legId: string): Record<string, unknown> {
  return { ...toGraphParticipant(p), '@odata.id': appPath(legId, `/participants/${p.id}`) };
}

function echoInvitee(i: Invitee, version: ApiVersion): Record<string, unknown> {
  return shapeFor('invitationParticipantInfo', version, {
    '@odata.type': '#microsoft.graph.invitationParticipantInfo',
    // endpointType on an invitee is beta-only in the metadata (spec 3.3, 10.5); shapeFor drops it from v1.0.
    endpointType: i.echo.endpointType,
    // The invitee's participant id: what DELETE …/participants/{id} takes to cancel a ringing invite.
    id: i.participantId,
    replacesCallId: i.echo.replacesCallId,
    // A move echoes the participantId it was sent (seed 001); any other invitee the participant created for them,
    // as a real capture of Graph's invite response shows.
    participantId: i.echo.participantId ?? i.participantId,
    hidden: i.echo.hidden,
    removeFromDefaultAudioRoutingGroup: i.echo.removeFromDefaultAudioRoutingGroup,
    identity: echoIdentitySet(i.echo.identity, i.echo.identityTypes),
  });
}

/** The metadata type an operation is rendered as: beta-only operation types have only commsOperation's v1.0 set. */
const operationShape = (op: Operation): RenderedType =>
  op.type in V1_PROPERTIES ? (op.type as RenderedType) : 'commsOperation';

/** The operation as the invite response and `GET …/operations/{id}` return it. */
export function toGraphOperation(op: Operation, version: ApiVersion = 'v1.0'): Record<string, unknown> {
  const body: Record<string, unknown> = {
    '@odata.type': `#microsoft.graph.${op.type}`,
    id: op.id,
    status: op.status,
    clientContext: op.clientContext,
    resultInfo: op.resultInfo,
  };
  // inviteParticipantsOperation has its invitees as participants (metadata); beta's muteParticipantsOperation the
  // ids it muted.
  if (op.type === 'inviteParticipantsOperation') body.participants = op.invitees.map((i) => echoInvitee(i, version));
  if (op.type === 'muteParticipantsOperation') body.participants = op.participantIds ?? [];
  return shapeFor(operationShape(op), version, { ...body, ...mediaProperties(op) });
}

/** The subtype properties of media operations (v1.0 metadata), and beta's completionReason (dropped from v1.0 by shapeFor). */
function mediaProperties(op: Operation): Record<string, unknown> {
  const m = op.media;
  if (op.type === 'recordOperation') {
    const extra: Record<string, unknown> = {
      recordingLocation: m?.recordingLocation ?? null,
      recordingAccessToken: m?.recordingAccessToken ?? null,
    };
    if (m?.completionReason) extra.completionReason = m.completionReason;
    return extra;
  }
  if (op.type === 'sendDtmfTonesOperation') return { completionReason: m?.completionReason ?? null };
  if (op.type === 'playPromptOperation' && m?.completionReason) return { completionReason: m.completionReason };
  return {};
}

/**
 * The operation as a notification's resourceData, in the version of the leg it goes to (seed 004: annotated
 * identities, no null echoes; no beta-only property in a v1.0 leg's notification).
 */
export function operationResourceData(op: Operation, version: ApiVersion): Record<string, unknown> {
  const data: Record<string, unknown> = {
    '@odata.type': `#microsoft.graph.${op.type}`,
    '@odata.id': appPath(op.callId, `/operations/${op.id}`),
    id: op.id,
    status: op.status,
    clientContext: op.clientContext,
    resultInfo: op.resultInfo,
    ...mediaProperties(op),
  };
  if (version !== 'beta') for (const p of BETA_ONLY_PROPERTIES[operationShape(op)]?.all ?? []) delete data[p];
  if (op.type !== 'inviteParticipantsOperation') return data;
  return {
    ...data,
    participants: op.invitees.map((i) => {
      const p: Record<string, unknown> = {
        '@odata.type': '#microsoft.graph.invitationParticipantInfo',
        identity: annotateIdentitySet(i.echo.identity),
      };
      if (i.echo.replacesCallId) p.replacesCallId = i.echo.replacesCallId;
      if (i.echo.participantId) p.participantId = i.echo.participantId;
      return p;
    }),
  };
}
