/**
 * One Switchboard + one fake bot per test file, driven through the official clients: Kiota (@microsoft/msgraph-sdk)
 * and @microsoft/microsoft-graph-client, both over https with the local CA trusted (NODE_EXTRA_CA_CERTS from the
 * vitest globalSetup). Raw requests exist only to read exact response bodies and for what no SDK can send.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Call } from '@microsoft/msgraph-sdk/models/index.js';
import { expect } from 'vitest';
import {
  DEFAULT_APP_ID,
  DEFAULT_MEETING_THREADS,
  DEFAULT_TENANT_ID,
  DEFAULT_USERS,
} from '../../src/sim/default-world.js';
import type { Config } from '../../src/config.js';
import { parseJoinWebUrl } from '../../src/domain/meeting-url.js';
import type { World } from '../../src/sim/directory.js';
import type { Clock } from '../../src/domain/clock.js';
import { startFakeBot, type FakeBot, type FakeBotOptions, type ReceivedNotification } from '../helpers/fake-bot.js';
import { createGraphJsClient } from '../helpers/graph-client.js';
import { validateGraph, validateGraphCollection } from '../helpers/graph-schema.js';
import { createCallsClient, type CallsClient } from '../helpers/kiota-calls.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

export const TENANT = DEFAULT_TENANT_ID;
export const APP = DEFAULT_APP_ID;
export const MEETING_A = DEFAULT_MEETING_THREADS.weeklySync;
export const MEETING_B = DEFAULT_MEETING_THREADS.incidentBridge;
export const ORGANIZER = DEFAULT_USERS.bob;
export const USERS = DEFAULT_USERS;

export interface RawResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
  body: any;
  text: string;
}

export interface Conformance {
  server: TestServer;
  bot: FakeBot;
  kiota: CallsClient;
  graph: Client;
  token(): Promise<string>;
  raw(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<RawResponse>;
  /** Joins a directory meeting through Kiota and waits until the leg is established. */
  joinMeeting(threadId: string): Promise<string>;
  /**
   * Creates a meeting as Bob through the Graph JS client with these lobby settings, joins it by its join URL's parts
   * and waits for the leg's first roster; returns the call id.
   */
  joinCreatedMeeting(lobbyBypassSettings: Record<string, unknown>): Promise<string>;
  /** A person calls the bot (control API); returns the incoming call's id once the bot got `created`. */
  incomingCall(userId: string): Promise<string>;
  /** Answers through Kiota and waits for `established`. */
  answer(callId: string): Promise<void>;
  /** Every successful response body (Kiota and raw) validated against Graph's metadata; returns how many. */
  validateResponses(): number;
  /** Virtual clock only: moves the server's time through the control API; everything due has run when it returns. */
  advance(ms: number): Promise<void>;
  /** Notifications for one call leg, as `changeType path state|status` lines, in arrival order. */
  timeline(callId: string): string[];
  close(): Promise<void>;
}

const serviceHosted = { odataType: '#microsoft.graph.serviceHostedMediaConfig' };

export async function startConformance(
  tweak?: (w: World) => void,
  opts: {
    clock?: Clock;
    virtual?: boolean;
    data?: string;
    config?: Partial<Config>;
    botRespond?: FakeBotOptions['respond'];
  } = {},
): Promise<Conformance> {
  // The bot verifies notification JWTs against the server's OpenID configuration, so the server starts first and
  // the app's calling webhook is pointed at the bot afterwards (the directory holds the same app objects).
  const server = await startTestServer(fastWorld(null, tweak), opts);
  const realBot = await startFakeBot({
    validateSchema: true,
    ...(opts.botRespond ? { respond: opts.botRespond } : {}),
    verify: {
      openIdConfigUrl: `${server.httpsUrl}/.well-known/OpenIdConfiguration`,
      appId: APP,
      ca: readFileSync(server.sb.caCertPath, 'utf8'),
      ...(opts.clock ? { now: () => opts.clock!.now() } : {}),
    },
  });
  for (const t of server.sb.directory.world.tenants) for (const a of t.apps) a.callbackUri = realBot.url;
  const token = (): Promise<string> => server.token();
  const kiota = createCallsClient({ baseUrl: `${server.httpsUrl}/v1.0`, getToken: token });
  const graph = createGraphJsClient({ baseUrl: server.httpsUrl, getToken: token });

  const rawExchanges: { method: string; url: string; status: number; responseBody: string }[] = [];
  const raw = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> => {
    const h: Record<string, string> = { authorization: `Bearer ${await token()}`, ...headers };
    if (body !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
    const res = await fetch(`${server.httpUrl}${path}`, {
      method,
      headers: h,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    rawExchanges.push({ method, url: `${server.httpUrl}${path}`, status: res.status, responseBody: text });
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  const validateResponses = (): number => {
    let n = 0;
    for (const x of [...kiota.exchanges, ...rawExchanges]) {
      const type = responseType(x.method, new URL(x.url).pathname, x.status);
      if (!type || !x.responseBody) continue;
      const body: unknown = JSON.parse(x.responseBody);
      if (type === 'participant[]') validateGraphCollection('participant', body);
      else validateGraph(type, body);
      n += 1;
    }
    return n;
  };

  const advance = async (ms: number): Promise<void> => {
    const res = await fetch(`${server.httpUrl}/_switchboard/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  // On the virtual clock nothing is established until time moves past the world's establishment delay.
  const untilEstablished = (): Promise<void> =>
    opts.virtual ? advance(server.sb.directory.world.establishMs) : Promise.resolve();

  const established =
    (callId: string) =>
    (n: ReceivedNotification): boolean =>
      n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established';

  return {
    server,
    bot: realBot,
    kiota,
    graph,
    token,
    raw,
    async joinCreatedMeeting(lobbyBypassSettings) {
      const m = (await graph
        .api(`/users/${USERS.bob}/onlineMeetings`)
        .post({ subject: 'Lobby', lobbyBypassSettings })) as { joinWebUrl: string };
      const parts = parseJoinWebUrl(m.joinWebUrl);
      if ('error' in parts) throw new Error(parts.error);
      const call = (await graph.api('/communications/calls').post({
        callbackUri: realBot.url,
        requestedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        chatInfo: { threadId: parts.threadId, messageId: parts.messageId },
        meetingInfo: {
          '@odata.type': '#microsoft.graph.organizerMeetingInfo',
          organizer: { user: { id: parts.organizerId, tenantId: parts.tenantId } },
        },
        tenantId: parts.tenantId,
      })) as { id: string };
      await realBot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${call.id}/participants`, {
        description: 'first roster',
      });
      return call.id;
    },
    async joinMeeting(threadId) {
      const call = await kiota.calls.post({
        callbackUri: realBot.url,
        requestedModalities: ['audio'],
        mediaConfig: serviceHosted,
        chatInfo: { odataType: '#microsoft.graph.chatInfo', threadId, messageId: '0' },
        meetingInfo: {
          odataType: '#microsoft.graph.organizerMeetingInfo',
          organizer: {
            odataType: '#microsoft.graph.identitySet',
            user: { odataType: '#microsoft.graph.identity', id: ORGANIZER, additionalData: { tenantId: TENANT } },
          },
        },
        tenantId: TENANT,
      } as Call);
      expect(call?.id).toBeTruthy();
      await untilEstablished();
      await realBot.waitFor(established(call!.id!), { description: `call ${call!.id} established` });
      // The leg's first roster follows `established`; wait for it so later `since` marks start after it.
      await realBot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${call!.id}/participants`, {
        description: `call ${call!.id} first roster`,
      });
      return call!.id!;
    },
    async incomingCall(userId) {
      const res = await fetch(`${server.httpUrl}/_switchboard/incoming-calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          tenantId: TENANT,
          source: { user: { id: userId } },
          target: { application: { id: APP } },
          requestedModalities: ['audio'],
        }),
      });
      expect(res.status).toBe(201);
      const call = (await res.json()) as { id: string };
      await realBot.waitFor(
        (n) => n.item.changeType === 'created' && n.item.resourceUrl === `/communications/calls/${call.id}`,
        { description: 'incoming call notification' },
      );
      return call.id;
    },
    async answer(callId) {
      await kiota.calls
        .byCallId(callId)
        .answer.post({ callbackUri: realBot.url, acceptedModalities: ['audio'], mediaConfig: serviceHosted });
      await untilEstablished();
      await realBot.waitFor(established(callId), { description: `call ${callId} established after answer` });
    },
    validateResponses,
    advance,
    timeline(callId) {
      const base = `/communications/calls/${callId}`;
      return realBot.notifications
        .filter((n) => typeof n.item.resourceUrl === 'string' && n.item.resourceUrl.startsWith(base))
        .map((n) => {
          const sub =
            (n.item.resourceUrl as string).slice(base.length).replace(/\/operations\/[^/]+$/, '/operations/{id}') ||
            '/';
          const d = n.item.resourceData;
          const what = Array.isArray(d) ? `[${d.length}]` : (d?.state ?? d?.status ?? '');
          return `${n.item.changeType} ${sub} ${what}`.trim();
        });
    },
    async close() {
      // Every response this file received must match Graph's metadata.
      validateResponses();
      await server.close();
      await realBot.close();
    },
  };
}

/** Which Graph type a successful response of a calls path carries, or null for none (204/202, errors, other paths). */
export function responseType(method: string, path: string, status: number): string | null {
  if (status < 200 || status >= 300 || status === 202 || status === 204) return null;
  const p = path.replace(/^\/(v1\.0|beta)\/(communications|app)\/calls/i, '');
  if (p === '' && method === 'POST') return 'call';
  if (/^\/[^/]+$/.test(p) && method === 'GET') return 'call';
  if (/^\/[^/]+\/participants$/.test(p) && method === 'GET') return 'participant[]';
  if (/^\/[^/]+\/participants\/[^/]+$/.test(p) && method === 'GET') return 'participant';
  if (/^\/[^/]+\/participants\/(microsoft\.graph\.)?invite$/i.test(p) && method === 'POST')
    return 'inviteParticipantsOperation';
  if (/^\/[^/]+\/operations\/[^/]+$/.test(p) && method === 'GET') return 'commsOperation';
  if (/^\/[^/]+\/(microsoft\.graph\.)?mute$/i.test(p) && method === 'POST') return 'muteParticipantOperation';
  if (/^\/[^/]+\/(microsoft\.graph\.)?unmute$/i.test(p) && method === 'POST') return 'unmuteParticipantOperation';
  if (/^\/[^/]+\/participants\/[^/]+\/(microsoft\.graph\.)?mute$/i.test(p) && method === 'POST')
    return 'muteParticipantOperation';
  const action = /^\/[^/]+\/(?:participants\/[^/]+\/)?(?:microsoft\.graph\.)?(\w+)$/i.exec(p)?.[1]?.toLowerCase();
  if (method === 'POST' && action && MEDIA_ACTION_OPERATIONS[action]) return MEDIA_ACTION_OPERATIONS[action];
  return null;
}

/** The operation type each media or in-call action answers with (spec 0). */
const MEDIA_ACTION_OPERATIONS: Record<string, string> = {
  subscribetotone: 'subscribeToToneOperation',
  senddtmftones: 'sendDtmfTonesOperation',
  playprompt: 'playPromptOperation',
  recordresponse: 'recordOperation',
  cancelmediaprocessing: 'cancelMediaProcessingOperation',
  updaterecordingstatus: 'updateRecordingStatusOperation',
  startholdmusic: 'startHoldMusicOperation',
  stopholdmusic: 'stopHoldMusicOperation',
};

/** Validates a raw JSON response body against the Graph metadata schema. */
export function expectGraph(typeName: string, body: unknown): void {
  validateGraph(typeName, body);
}

export const inviteUser = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  '@odata.type': '#microsoft.graph.invitationParticipantInfo',
  identity: {
    '@odata.type': '#microsoft.graph.identitySet',
    user: { '@odata.type': '#microsoft.graph.identity', id, identityProvider: 'AAD' },
  },
  ...extra,
});

export { rosterEntry, rosterUserIds, type RosterEntry } from '../helpers/fake-bot.js';
