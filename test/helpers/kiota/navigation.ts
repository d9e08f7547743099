/**
 * Navigation metadata for communications/calls, as Kiota's apiClientProxifier consumes it, registered on
 * GraphServiceClient the way the service packages do (a type augmentation plus extendGraphServiceClient) when
 * this module is loaded.
 */
import type {
  ModelSerializerFunction,
  NavigationMetadata,
  Parsable,
  ParsableFactory,
  RequestMetadata,
  RequestsMetadata,
  SerializationWriter,
} from '@microsoft/kiota-abstractions';
import { extendGraphServiceClient } from '@microsoft/msgraph-sdk';
import {
  createCallCollectionResponseFromDiscriminatorValue,
  createCallFromDiscriminatorValue,
  createCancelMediaProcessingOperationFromDiscriminatorValue,
  createCommsOperationFromDiscriminatorValue,
  createInviteParticipantsOperationFromDiscriminatorValue,
  createParticipantCollectionResponseFromDiscriminatorValue,
  createParticipantFromDiscriminatorValue,
  createPlayPromptOperationFromDiscriminatorValue,
  createRecordOperationFromDiscriminatorValue,
  createSendDtmfTonesOperationFromDiscriminatorValue,
  createSubscribeToToneOperationFromDiscriminatorValue,
  createUpdateRecordingStatusOperationFromDiscriminatorValue,
  serializeCall,
} from '@microsoft/msgraph-sdk/models/index.js';
import { createODataErrorFromDiscriminatorValue } from '@microsoft/msgraph-sdk/models/oDataErrors/index.js';
import type { CommunicationsRequestBuilder } from './request-builders.js';
import {
  serializeAnswerPostRequestBody,
  serializeInvitePostRequestBody,
  serializePlayPromptPostRequestBody,
  serializeRecordResponsePostRequestBody,
  serializeRejectPostRequestBody,
  serializeSendDtmfTonesPostRequestBody,
  serializeSubscribeToTonePostRequestBody,
  serializeUpdateRecordingStatusPostRequestBody,
} from './request-bodies.js';

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
  subscribeToTone: {
    requestsMetadata: {
      post: withBody(
        send(`${CALL}/subscribeToTone`, createSubscribeToToneOperationFromDiscriminatorValue),
        serializeSubscribeToTonePostRequestBody,
      ),
    },
  },
  sendDtmfTones: {
    requestsMetadata: {
      post: withBody(
        send(`${CALL}/sendDtmfTones`, createSendDtmfTonesOperationFromDiscriminatorValue),
        serializeSendDtmfTonesPostRequestBody,
      ),
    },
  },
  playPrompt: {
    requestsMetadata: {
      post: withBody(
        send(`${CALL}/playPrompt`, createPlayPromptOperationFromDiscriminatorValue),
        serializePlayPromptPostRequestBody,
      ),
    },
  },
  recordResponse: {
    requestsMetadata: {
      post: withBody(
        send(`${CALL}/recordResponse`, createRecordOperationFromDiscriminatorValue),
        serializeRecordResponsePostRequestBody,
      ),
    },
  },
  cancelMediaProcessing: {
    requestsMetadata: {
      post: withBody(
        send(`${CALL}/cancelMediaProcessing`, createCancelMediaProcessingOperationFromDiscriminatorValue),
        serializeSubscribeToTonePostRequestBody,
      ),
    },
  },
  updateRecordingStatus: {
    requestsMetadata: {
      post: withBody(
        send(`${CALL}/updateRecordingStatus`, createUpdateRecordingStatusOperationFromDiscriminatorValue),
        serializeUpdateRecordingStatusPostRequestBody,
      ),
    },
  },
  participants: {
    requestsMetadata: { get: send(`${CALL}/participants`, createParticipantCollectionResponseFromDiscriminatorValue) },
    navigationMetadata: {
      invite: {
        requestsMetadata: {
          post: withBody(
            send(`${CALL}/participants/invite`, createInviteParticipantsOperationFromDiscriminatorValue),
            serializeInvitePostRequestBody,
          ),
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
        requestsMetadata: {
          get: send(`${CALL}/operations/{commsOperation%2Did}`, createCommsOperationFromDiscriminatorValue),
        },
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
