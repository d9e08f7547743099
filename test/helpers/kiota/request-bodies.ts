/**
 * Request bodies of the call actions and their Kiota serializers: the generator emits these per action, and the
 * unpublished @microsoft/msgraph-sdk-communications package would hold them; the models package does not.
 */
import type { AdditionalDataHolder, Parsable, SerializationWriter } from '@microsoft/kiota-abstractions';
import {
  serializeIncomingCallOptions,
  serializeInvitationParticipantInfo,
  serializeMediaConfig,
  serializeMediaPrompt,
  type IncomingCallOptions,
  type InvitationParticipantInfo,
  type MediaConfig,
  type Modality,
  type Prompt,
  type RecordingStatus,
  type RejectReason,
  type Tone,
} from '@microsoft/msgraph-sdk/models/index.js';

export interface InvitePostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
  participants?: InvitationParticipantInfo[] | null;
}
export interface AnswerPostRequestBody extends AdditionalDataHolder, Parsable {
  acceptedModalities?: Modality[] | null;
  callbackUri?: string | null;
  callOptions?: IncomingCallOptions | null;
  mediaConfig?: MediaConfig | null;
  participantCapacity?: number | null;
}
export interface RejectPostRequestBody extends AdditionalDataHolder, Parsable {
  callbackUri?: string | null;
  reason?: RejectReason | null;
}

export interface SubscribeToTonePostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
}
export interface SendDtmfTonesPostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
  delayBetweenTonesMs?: number | null;
  tones?: Tone[] | null;
}

export interface PlayPromptPostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
  prompts?: Prompt[] | null;
}
export interface RecordResponsePostRequestBody extends AdditionalDataHolder, Parsable {
  bargeInAllowed?: boolean | null;
  clientContext?: string | null;
  initialSilenceTimeoutInSeconds?: number | null;
  maxRecordDurationInSeconds?: number | null;
  maxSilenceTimeoutInSeconds?: number | null;
  playBeep?: boolean | null;
  prompts?: Prompt[] | null;
  stopTones?: string[] | null;
}
export interface UpdateRecordingStatusPostRequestBody extends AdditionalDataHolder, Parsable {
  clientContext?: string | null;
  status?: RecordingStatus | null;
}

/**
 * The SDK's serializePrompt dispatches to serializeMediaPrompt with isSerializingDerivedType=true, which returns
 * at once, so a prompt would go out without its mediaInfo; serializeMediaPrompt called directly writes both.
 */
const serializePromptItem = (writer: SerializationWriter, prompt: Partial<Prompt> | null | undefined = {}): void =>
  serializeMediaPrompt(writer, prompt ?? undefined);

export function serializePlayPromptPostRequestBody(
  writer: SerializationWriter,
  body: Partial<PlayPromptPostRequestBody> | null = {},
): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeCollectionOfObjectValues<Prompt>('prompts', body.prompts, serializePromptItem);
  writer.writeAdditionalData(body.additionalData);
}
export function serializeRecordResponsePostRequestBody(
  writer: SerializationWriter,
  body: Partial<RecordResponsePostRequestBody> | null = {},
): void {
  if (!body) return;
  writer.writeBooleanValue('bargeInAllowed', body.bargeInAllowed);
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeNumberValue('initialSilenceTimeoutInSeconds', body.initialSilenceTimeoutInSeconds);
  writer.writeNumberValue('maxRecordDurationInSeconds', body.maxRecordDurationInSeconds);
  writer.writeNumberValue('maxSilenceTimeoutInSeconds', body.maxSilenceTimeoutInSeconds);
  writer.writeBooleanValue('playBeep', body.playBeep);
  writer.writeCollectionOfObjectValues<Prompt>('prompts', body.prompts, serializePromptItem);
  writer.writeCollectionOfPrimitiveValues<string>('stopTones', body.stopTones);
  writer.writeAdditionalData(body.additionalData);
}
export function serializeUpdateRecordingStatusPostRequestBody(
  writer: SerializationWriter,
  body: Partial<UpdateRecordingStatusPostRequestBody> | null = {},
): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeEnumValue<RecordingStatus>('status', body.status);
  writer.writeAdditionalData(body.additionalData);
}

export function serializeSubscribeToTonePostRequestBody(
  writer: SerializationWriter,
  body: Partial<SubscribeToTonePostRequestBody> | null = {},
): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeAdditionalData(body.additionalData);
}
export function serializeSendDtmfTonesPostRequestBody(
  writer: SerializationWriter,
  body: Partial<SendDtmfTonesPostRequestBody> | null = {},
): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeNumberValue('delayBetweenTonesMs', body.delayBetweenTonesMs);
  writer.writeCollectionOfEnumValues<Tone>('tones', body.tones ?? undefined);
  writer.writeAdditionalData(body.additionalData);
}

export function serializeInvitePostRequestBody(
  writer: SerializationWriter,
  body: Partial<InvitePostRequestBody> | null = {},
): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeCollectionOfObjectValues<InvitationParticipantInfo>(
    'participants',
    body.participants,
    serializeInvitationParticipantInfo,
  );
  writer.writeAdditionalData(body.additionalData);
}
export function serializeAnswerPostRequestBody(
  writer: SerializationWriter,
  body: Partial<AnswerPostRequestBody> | null = {},
): void {
  if (!body) return;
  writer.writeCollectionOfEnumValues<Modality>('acceptedModalities', body.acceptedModalities ?? undefined);
  writer.writeStringValue('callbackUri', body.callbackUri);
  writer.writeObjectValue<IncomingCallOptions>('callOptions', body.callOptions, serializeIncomingCallOptions);
  writer.writeObjectValue<MediaConfig>('mediaConfig', body.mediaConfig, serializeMediaConfig);
  writer.writeNumberValue('participantCapacity', body.participantCapacity);
  writer.writeAdditionalData(body.additionalData);
}
export function serializeRejectPostRequestBody(
  writer: SerializationWriter,
  body: Partial<RejectPostRequestBody> | null = {},
): void {
  if (!body) return;
  writer.writeStringValue('callbackUri', body.callbackUri);
  writer.writeEnumValue<RejectReason>('reason', body.reason);
  writer.writeAdditionalData(body.additionalData);
}
