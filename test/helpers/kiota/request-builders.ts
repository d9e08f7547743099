/** The request builders' shapes the generator emits for communications/calls/… (types only: Kiota's proxy builds them). */
import type { BaseRequestBuilder, RequestConfiguration } from '@microsoft/kiota-abstractions';
import type {
  Call,
  CallCollectionResponse,
  CancelMediaProcessingOperation,
  CommsOperation,
  InviteParticipantsOperation,
  Participant,
  ParticipantCollectionResponse,
  PlayPromptOperation,
  RecordOperation,
  SendDtmfTonesOperation,
  SubscribeToToneOperation,
  UpdateRecordingStatusOperation,
} from '@microsoft/msgraph-sdk/models/index.js';
import type {
  AnswerPostRequestBody,
  InvitePostRequestBody,
  PlayPromptPostRequestBody,
  RecordResponsePostRequestBody,
  RejectPostRequestBody,
  SendDtmfTonesPostRequestBody,
  SubscribeToTonePostRequestBody,
  UpdateRecordingStatusPostRequestBody,
} from './request-bodies.js';

export type Cfg = RequestConfiguration<object>;
export interface CommunicationsRequestBuilder extends BaseRequestBuilder<CommunicationsRequestBuilder> {
  get calls(): CallsRequestBuilder;
}
export interface CallsRequestBuilder extends BaseRequestBuilder<CallsRequestBuilder> {
  byCallId(callId: string): CallItemRequestBuilder;
  get(cfg?: Cfg): Promise<CallCollectionResponse | undefined>;
  post(body: Call, cfg?: Cfg): Promise<Call | undefined>;
}
export interface CallItemRequestBuilder extends BaseRequestBuilder<CallItemRequestBuilder> {
  get answer(): ActionRequestBuilder<AnswerPostRequestBody>;
  get reject(): ActionRequestBuilder<RejectPostRequestBody>;
  get keepAlive(): { post(cfg?: Cfg): Promise<void> };
  get subscribeToTone(): {
    post(body: SubscribeToTonePostRequestBody, cfg?: Cfg): Promise<SubscribeToToneOperation | undefined>;
  };
  get sendDtmfTones(): {
    post(body: SendDtmfTonesPostRequestBody, cfg?: Cfg): Promise<SendDtmfTonesOperation | undefined>;
  };
  get playPrompt(): { post(body: PlayPromptPostRequestBody, cfg?: Cfg): Promise<PlayPromptOperation | undefined> };
  get recordResponse(): { post(body: RecordResponsePostRequestBody, cfg?: Cfg): Promise<RecordOperation | undefined> };
  get cancelMediaProcessing(): {
    post(body: SubscribeToTonePostRequestBody, cfg?: Cfg): Promise<CancelMediaProcessingOperation | undefined>;
  };
  get updateRecordingStatus(): {
    post(body: UpdateRecordingStatusPostRequestBody, cfg?: Cfg): Promise<UpdateRecordingStatusOperation | undefined>;
  };
  get participants(): ParticipantsRequestBuilder;
  get operations(): OperationsRequestBuilder;
  get(cfg?: Cfg): Promise<Call | undefined>;
  delete(cfg?: Cfg): Promise<void>;
}
export interface ActionRequestBuilder<TBody> extends BaseRequestBuilder<ActionRequestBuilder<TBody>> {
  post(body: TBody, cfg?: Cfg): Promise<void>;
}
export interface ParticipantsRequestBuilder extends BaseRequestBuilder<ParticipantsRequestBuilder> {
  byParticipantId(participantId: string): ParticipantItemRequestBuilder;
  get invite(): InviteRequestBuilder;
  get(cfg?: Cfg): Promise<ParticipantCollectionResponse | undefined>;
}
export interface InviteRequestBuilder extends BaseRequestBuilder<InviteRequestBuilder> {
  post(body: InvitePostRequestBody, cfg?: Cfg): Promise<InviteParticipantsOperation | undefined>;
}
export interface ParticipantItemRequestBuilder extends BaseRequestBuilder<ParticipantItemRequestBuilder> {
  get(cfg?: Cfg): Promise<Participant | undefined>;
  delete(cfg?: Cfg): Promise<void>;
}
export interface OperationsRequestBuilder extends BaseRequestBuilder<OperationsRequestBuilder> {
  byCommsOperationId(commsOperationId: string): { get(cfg?: Cfg): Promise<CommsOperation | undefined> };
}
