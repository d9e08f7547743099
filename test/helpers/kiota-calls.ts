/**
 * The Kiota SDK (@microsoft/msgraph-sdk) pointed at Switchboard, with the `communications.calls` navigation that
 * the unpublished @microsoft/msgraph-sdk-communications package would register. Requests and responses go through
 * Kiota's own models and JSON (de)serializers, so tests prove wire compatibility with a real Kiota client.
 *
 *   const { calls } = createCallsClient({ baseUrl: 'https://127.0.0.1:4443/v1.0', getToken });
 *   const h = captureHeaders();
 *   const op = await calls.byCallId(id).participants.invite.post({ participants, clientContext }, h.config);
 *   h.get('location'); // → …/operations/{op.id}
 *
 * The pieces that package would hold live in ./kiota/: request bodies and their serializers (request-bodies.ts),
 * the request builders' shapes (request-builders.ts) and the navigation metadata registered on GraphServiceClient
 * (navigation.ts, loaded below for that registration).
 */
import {
  AllowedHostsValidator,
  BaseBearerTokenAuthenticationProvider,
  validateProtocol,
  type AccessTokenProvider,
} from '@microsoft/kiota-abstractions';
import { HeadersInspectionOptions } from '@microsoft/kiota-http-fetchlibrary';
import { createGraphClientFactory } from '@microsoft/msgraph-sdk-core';
import { GraphRequestAdapter, createGraphServiceClient, type GraphServiceClient } from '@microsoft/msgraph-sdk';
import { version as sdkVersion } from '@microsoft/msgraph-sdk/version.js';
import './kiota/navigation.js';
import type { CallsRequestBuilder, Cfg } from './kiota/request-builders.js';

// Everything this module exported before it was split, still importable from here.
export * from './kiota/request-bodies.js';
export type * from './kiota/request-builders.js';
export { CommunicationsNavigationMetadata } from './kiota/navigation.js';

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
      requestBody:
        body == null ? undefined : typeof body === 'string' ? body : new TextDecoder().decode(body as ArrayBuffer),
      status: res.status,
      headers: res.headers,
      responseBody,
    });
    return res;
  };
  const httpClient = createGraphClientFactory(
    { graphServiceTargetVersion: '', graphServiceLibraryClientVersion: sdkVersion },
    recordingFetch,
  );
  const adapter = new GraphRequestAdapter(
    new BaseBearerTokenAuthenticationProvider(tokens),
    undefined,
    undefined,
    httpClient,
  );
  adapter.baseUrl = opts.baseUrl;
  const client = createGraphServiceClient(adapter);
  return { client, calls: client.communications.calls, adapter, exchanges };
}

/** Kiota's HeadersInspectionOptions for one request: pass `config`, then read response headers. */
export function captureHeaders(): {
  config: Cfg;
  get(name: string): string | undefined;
  option: HeadersInspectionOptions;
} {
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
