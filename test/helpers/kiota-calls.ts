/**
 * The Kiota SDK (@microsoft/msgraph-sdk) pointed at Switchboard, with the `communications.calls` navigation that
 * the unpublished @microsoft/msgraph-sdk-communications package would register. Requests and responses go through
 * Kiota's own models and JSON (de)serializers, so tests prove wire compatibility with a real Kiota client.
 *
 *   const { calls } = createCallsClient({ baseUrl: 'https://127.0.0.1:4443/v1.0', getToken });
 *   const h = captureHeaders();
 *   const op = await calls.byCallId(id).participants.invite.post({ participants, clientContext }, h.config);
 *   h.get('location'); // → …/operations/{op.id}
 */
import {
  AllowedHostsValidator,
  BaseBearerTokenAuthenticationProvider,
  validateProtocol,
  type AccessTokenProvider,
  type AdditionalDataHolder,
  type BaseRequestBuilder,
  type ModelSerializerFunction,
  type NavigationMetadata,
  type Parsable,
  type ParsableFactory,
  type RequestConfiguration,
  type RequestMetadata,
  type RequestsMetadata,
  type SerializationWriter,
} from '@microsoft/kiota-abstractions';
import { HeadersInspectionOptions } from '@microsoft/kiota-http-fetchlibrary';
import { createGraphClientFactory } from '@microsoft/msgraph-sdk-core';
import { GraphRequestAdapter, createGraphServiceClient, extendGraphServiceClient, type GraphServiceClient } from '@microsoft/msgraph-sdk';
import { version as sdkVersion } from '@microsoft/msgraph-sdk/version.js';
import {
  createCallCollectionResponseFromDiscriminatorValue,
  createCallFromDiscriminatorValue,
  createCommsOperationFromDiscriminatorValue,
  createInviteParticipantsOperationFromDiscriminatorValue,
  createParticipantCollectionResponseFromDiscriminatorValue,
  createParticipantFromDiscriminatorValue,
  createCancelMediaProcessingOperationFromDiscriminatorValue,
  createPlayPromptOperationFromDiscriminatorValue,
  createRecordOperationFromDiscriminatorValue,
  createSendDtmfTonesOperationFromDiscriminatorValue,
  createUpdateRecordingStatusOperationFromDiscriminatorValue,
  serializeMediaPrompt,
  createSubscribeToToneOperationFromDiscriminatorValue,
  serializeCall,
  serializeIncomingCallOptions,
  serializeInvitationParticipantInfo,
  serializeMediaConfig,
  type Call,
  type CallCollectionResponse,
  type CommsOperation,
  type IncomingCallOptions,
  type InvitationParticipantInfo,
  type InviteParticipantsOperation,
  type MediaConfig,
  type Modality,
  type Participant,
  type ParticipantCollectionResponse,
  type RejectReason,
  type CancelMediaProcessingOperation,
  type PlayPromptOperation,
  type Prompt,
  type RecordingStatus,
  type RecordOperation,
  type SendDtmfTonesOperation,
  type UpdateRecordingStatusOperation,
  type SubscribeToToneOperation,
  type Tone,
} from '@microsoft/msgraph-sdk/models/index.js';
import { createODataErrorFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/oDataErrors/index.js';

// ---- Action request bodies (the generator emits these per action; the models package does not have them) ----

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
const serializePromptItem = (writer: SerializationWriter, prompt: Partial<Prompt> | null | undefined = {}): void => serializeMediaPrompt(writer, prompt ?? undefined);

export function serializePlayPromptPostRequestBody(writer: SerializationWriter, body: Partial<PlayPromptPostRequestBody> | null = {}): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeCollectionOfObjectValues<Prompt>('prompts', body.prompts, serializePromptItem);
  writer.writeAdditionalData(body.additionalData);
}
export function serializeRecordResponsePostRequestBody(writer: SerializationWriter, body: Partial<RecordResponsePostRequestBody> | null = {}): void {
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
export function serializeUpdateRecordingStatusPostRequestBody(writer: SerializationWriter, body: Partial<UpdateRecordingStatusPostRequestBody> | null = {}): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeEnumValue<RecordingStatus>('status', body.status);
  writer.writeAdditionalData(body.additionalData);
}

export function serializeSubscribeToTonePostRequestBody(writer: SerializationWriter, body: Partial<SubscribeToTonePostRequestBody> | null = {}): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeAdditionalData(body.additionalData);
}
export function serializeSendDtmfTonesPostRequestBody(writer: SerializationWriter, body: Partial<SendDtmfTonesPostRequestBody> | null = {}): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeNumberValue('delayBetweenTonesMs', body.delayBetweenTonesMs);
  writer.writeCollectionOfEnumValues<Tone>('tones', body.tones ?? undefined);
  writer.writeAdditionalData(body.additionalData);
}

export function serializeInvitePostRequestBody(writer: SerializationWriter, body: Partial<InvitePostRequestBody> | null = {}): void {
  if (!body) return;
  writer.writeStringValue('clientContext', body.clientContext);
  writer.writeCollectionOfObjectValues<InvitationParticipantInfo>('participants', body.participants, serializeInvitationParticipantInfo);
  writer.writeAdditionalData(body.additionalData);
}
export function serializeAnswerPostRequestBody(writer: SerializationWriter, body: Partial<AnswerPostRequestBody> | null = {}): void {
  if (!body) return;
  writer.writeCollectionOfEnumValues<Modality>('acceptedModalities', body.acceptedModalities ?? undefined);
  writer.writeStringValue('callbackUri', body.callbackUri);
  writer.writeObjectValue<IncomingCallOptions>('callOptions', body.callOptions, serializeIncomingCallOptions);
  writer.writeObjectValue<MediaConfig>('mediaConfig', body.mediaConfig, serializeMediaConfig);
  writer.writeNumberValue('participantCapacity', body.participantCapacity);
  writer.writeAdditionalData(body.additionalData);
}
export function serializeRejectPostRequestBody(writer: SerializationWriter, body: Partial<RejectPostRequestBody> | null = {}): void {
  if (!body) return;
  writer.writeStringValue('callbackUri', body.callbackUri);
  writer.writeEnumValue<RejectReason>('reason', body.reason);
  writer.writeAdditionalData(body.additionalData);
}

// ---- Request builders (shapes the generator emits for communications/calls/…) ----

type Cfg = RequestConfiguration<object>;
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
  get subscribeToTone(): { post(body: SubscribeToTonePostRequestBody, cfg?: Cfg): Promise<SubscribeToToneOperation | undefined> };
  get sendDtmfTones(): { post(body: SendDtmfTonesPostRequestBody, cfg?: Cfg): Promise<SendDtmfTonesOperation | undefined> };
  get playPrompt(): { post(body: PlayPromptPostRequestBody, cfg?: Cfg): Promise<PlayPromptOperation | undefined> };
  get recordResponse(): { post(body: RecordResponsePostRequestBody, cfg?: Cfg): Promise<RecordOperation | undefined> };
  get cancelMediaProcessing(): { post(body: SubscribeToTonePostRequestBody, cfg?: Cfg): Promise<CancelMediaProcessingOperation | undefined> };
  get updateRecordingStatus(): { post(body: UpdateRecordingStatusPostRequestBody, cfg?: Cfg): Promise<UpdateRecordingStatusOperation | undefined> };
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

// ---- Navigation metadata, as apiClientProxifier consumes it ----

const JSON_TYPE = 'application/json';
const errorMappings = { XXX: createODataErrorFromDiscriminatorValue as ParsableFactory<Parsable> };
const CALLS = '{+baseurl}/communications/calls';
const CALL = `${CALLS}/{call%2Did}`;

const send = (uriTemplate: string, responseBodyFactory: ParsableFactory<Parsable>): RequestMetadata => ({
  uriTemplate,
  responseBodyContentType: JSON_TYPE,
  errorMappings,
  adapterMethodName: 'send',
  responseBodyFactory,
});
const withBody = (meta: RequestMetadata, serializer: (w: SerializationWriter, v?: never) => void): RequestMetadata => ({
  ...meta,
  requestBodyContentType: JSON_TYPE,
  requestBodySerializer: serializer as ModelSerializerFunction<Parsable>,
  requestInformationContentSetMethod: 'setContentFromParsable',
});
const noContent = (uriTemplate: string): RequestMetadata => ({
  uriTemplate,
  responseBodyContentType: JSON_TYPE,
  errorMappings,
  adapterMethodName: 'sendNoResponseContent',
});

const callItemNavigation: Record<string, NavigationMetadata> = {
  answer: { requestsMetadata: { post: withBody(noContent(`${CALL}/answer`), serializeAnswerPostRequestBody) } },
  reject: { requestsMetadata: { post: withBody(noContent(`${CALL}/reject`), serializeRejectPostRequestBody) } },
  keepAlive: { requestsMetadata: { post: noContent(`${CALL}/keepAlive`) } },
  subscribeToTone: { requestsMetadata: { post: withBody(send(`${CALL}/subscribeToTone`, createSubscribeToToneOperationFromDiscriminatorValue), serializeSubscribeToTonePostRequestBody) } },
  sendDtmfTones: { requestsMetadata: { post: withBody(send(`${CALL}/sendDtmfTones`, createSendDtmfTonesOperationFromDiscriminatorValue), serializeSendDtmfTonesPostRequestBody) } },
  playPrompt: { requestsMetadata: { post: withBody(send(`${CALL}/playPrompt`, createPlayPromptOperationFromDiscriminatorValue), serializePlayPromptPostRequestBody) } },
  recordResponse: { requestsMetadata: { post: withBody(send(`${CALL}/recordResponse`, createRecordOperationFromDiscriminatorValue), serializeRecordResponsePostRequestBody) } },
  cancelMediaProcessing: {
    requestsMetadata: { post: withBody(send(`${CALL}/cancelMediaProcessing`, createCancelMediaProcessingOperationFromDiscriminatorValue), serializeSubscribeToTonePostRequestBody) },
  },
  updateRecordingStatus: {
    requestsMetadata: { post: withBody(send(`${CALL}/updateRecordingStatus`, createUpdateRecordingStatusOperationFromDiscriminatorValue), serializeUpdateRecordingStatusPostRequestBody) },
  },
  participants: {
    requestsMetadata: { get: send(`${CALL}/participants`, createParticipantCollectionResponseFromDiscriminatorValue) },
    navigationMetadata: {
      invite: {
        requestsMetadata: {
          post: withBody(send(`${CALL}/participants/invite`, createInviteParticipantsOperationFromDiscriminatorValue), serializeInvitePostRequestBody),
        },
      },
      byParticipantId: {
        pathParametersMappings: ['participant%2Did'],
        requestsMetadata: {
          get: send(`${CALL}/participants/{participant%2Did}`, createParticipantFromDiscriminatorValue),
          delete: noContent(`${CALL}/participants/{participant%2Did}`),
        },
      },
    },
  },
  operations: {
    navigationMetadata: {
      byCommsOperationId: {
        pathParametersMappings: ['commsOperation%2Did'],
        requestsMetadata: { get: send(`${CALL}/operations/{commsOperation%2Did}`, createCommsOperationFromDiscriminatorValue) },
      },
    },
  },
};

const callsRequests: RequestsMetadata = {
  get: send(CALLS, createCallCollectionResponseFromDiscriminatorValue),
  post: withBody(send(CALLS, createCallFromDiscriminatorValue), serializeCall),
};

export const CommunicationsNavigationMetadata: NavigationMetadata = {
  navigationMetadata: {
    calls: {
      requestsMetadata: callsRequests,
      navigationMetadata: {
        byCallId: {
          pathParametersMappings: ['call%2Did'],
          requestsMetadata: { get: send(CALL, createCallFromDiscriminatorValue), delete: noContent(CALL) },
          navigationMetadata: callItemNavigation,
        },
      },
    },
  },
};

// Same registration the service packages do: a type augmentation plus extendGraphServiceClient.
declare module '@microsoft/msgraph-sdk' {
  interface GraphServiceClient {
    get communications(): CommunicationsRequestBuilder;
  }
}
extendGraphServiceClient({ communications: CommunicationsNavigationMetadata });

// ---- Client construction ----

/** One HTTP exchange as it left Kiota's middleware chain (status codes are otherwise invisible through Kiota). */
export interface KiotaExchange {
  method: string;
  url: string;
  requestBody: string | undefined;
  status: number;
  headers: Headers;
  /** The response body as received, before Kiota parsed it. */
  responseBody: string;
}

export interface CallsClient {
  client: GraphServiceClient;
  calls: CallsRequestBuilder;
  adapter: GraphRequestAdapter;
  exchanges: KiotaExchange[];
}

export function createCallsClient(opts: { baseUrl: string; getToken: () => Promise<string> }): CallsClient {
  // Kiota's own check: bearer tokens only to allowed hosts, and over https except for loopback.
  const hosts = new AllowedHostsValidator(new Set([new URL(opts.baseUrl).hostname, '127.0.0.1', 'localhost']));
  const tokens: AccessTokenProvider = {
    getAuthorizationToken: async (url) => {
      if (!url || !hosts.isUrlHostValid(url)) return '';
      validateProtocol(url);
      return opts.getToken();
    },
    getAllowedHostsValidator: () => hosts,
  };
  const exchanges: KiotaExchange[] = [];
  // Default Graph middleware chain; only the final fetch is wrapped to record statuses and bodies.
  const recordingFetch = async (url: string, init: RequestInit): Promise<Response> => {
    const res = await fetch(url, init);
    const responseBody = await res.clone().text();
    const body = init.body;
    exchanges.push({
      method: init.method ?? 'GET',
      url,
      requestBody: body == null ? undefined : typeof body === 'string' ? body : new TextDecoder().decode(body as ArrayBuffer),
      status: res.status,
      headers: res.headers,
      responseBody,
    });
    return res;
  };
  const httpClient = createGraphClientFactory({ graphServiceTargetVersion: '', graphServiceLibraryClientVersion: sdkVersion }, recordingFetch);
  const adapter = new GraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens), undefined, undefined, httpClient);
  adapter.baseUrl = opts.baseUrl;
  const client = createGraphServiceClient(adapter);
  return { client, calls: client.communications.calls, adapter, exchanges };
}

/** Kiota's HeadersInspectionOptions for one request: pass `config`, then read response headers. */
export function captureHeaders(): { config: Cfg; get(name: string): string | undefined; option: HeadersInspectionOptions } {
  const option = new HeadersInspectionOptions({ inspectResponseHeaders: true });
  return {
    config: { options: [option] },
    get: (name) => {
      const values = option.getResponseHeaders().get(name.toLowerCase());
      return values ? [...values].join(', ') : undefined;
    },
    option,
  };
}
