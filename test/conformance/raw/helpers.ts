/**
 * Shared by the raw error tests: requests that always carry a `client-request-id`, the Graph error envelope check,
 * and a before/after snapshot of one call (GET call, GET participants, its notifications) proving a refused
 * request changed nothing.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Conformance, RawResponse } from '../fixture.js';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Graph's innerError.date: `YYYY-MM-DDTHH:mm:ss`, no fraction, no zone. */
export const GRAPH_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
/** Long enough for any timer of the fast world (tens of milliseconds) to have fired. */
export const QUIET_MS = 150;

export const serviceHosted = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };

export interface SentResponse extends RawResponse {
  /** The client-request-id this request sent. */
  clientRequestId: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `c.raw` with a fresh `client-request-id` (and any other header; `authorization` overrides the fixture's token). */
export async function send(
  c: Conformance,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<SentResponse> {
  const clientRequestId = randomUUID();
  const res = await c.raw(method, path, body, { 'client-request-id': clientRequestId, ...headers });
  return { ...res, clientRequestId };
}

/** Plain fetch for header-level cases (no Authorization, no Content-Type, binary bodies); still sends a client-request-id. */
export async function sendPlain(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string | Uint8Array },
): Promise<SentResponse> {
  const clientRequestId = randomUUID();
  const res = await fetch(url, {
    method: init.method,
    headers: { 'client-request-id': clientRequestId, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text, clientRequestId };
}

export interface ExpectedError {
  status: number;
  code: string;
  /** The exact message, or a pattern it must match. */
  message?: string | RegExp;
  /** The offending property: must be `error.target` and be named in the message. `null`: no target at all. */
  target?: string | null;
  /**
   * What the message must contain to name the property; defaults to `target`. `null` when the server's message
   * does not name it literally (a gap reported in the test that uses it).
   */
  named?: string | null;
}

/** Status, Graph envelope, request ids (body and headers), and the offending property. */
export function expectGraphError(res: SentResponse, expected: ExpectedError): void {
  const context = `${res.status} ${res.text}`;
  expect(res.status, context).toBe(expected.status);
  expect(res.headers.get('content-type'), context).toMatch(/^application\/json/);
  expect(res.body, context).toEqual({ error: expect.any(Object) });
  const error = res.body.error;
  expect(Object.keys(error).sort(), context).toEqual(
    ['code', 'innerError', 'message', ...('target' in error ? ['target'] : [])].sort(),
  );
  expect(error.code, context).toBe(expected.code);
  expect(error.message, context).toEqual(expect.any(String));
  expect(error.message.length, context).toBeGreaterThan(0);
  if (typeof expected.message === 'string') expect(error.message, context).toBe(expected.message);
  else if (expected.message) expect(error.message, context).toMatch(expected.message);
  if (expected.target === null) expect(error, context).not.toHaveProperty('target');
  else if (expected.target !== undefined) {
    expect(error.target, context).toBe(expected.target);
    const named = expected.named === undefined ? expected.target : expected.named;
    if (named !== null) expect(error.message, context).toContain(named);
  }

  const inner = error.innerError;
  expect(Object.keys(inner).sort(), context).toEqual(['client-request-id', 'date', 'request-id']);
  expect(inner.date, context).toMatch(GRAPH_DATE);
  expect(inner['request-id'], context).toMatch(GUID);
  expect(inner['client-request-id'], context).toBe(res.clientRequestId);
  expect(res.headers.get('request-id'), context).toBe(inner['request-id']);
  expect(res.headers.get('client-request-id'), context).toBe(res.clientRequestId);
}

export interface NotificationMark {
  count: number;
  lastSequence: number | null;
}

export interface Snapshot {
  call: { status: number; body: unknown };
  participants: { status: number; body: unknown };
  /** The outbox rows of this call. */
  notifications: NotificationMark;
  /** Every outbox row of the server: nothing may appear for any other call either. */
  allNotifications: NotificationMark;
  /** What the fake bot received for this call. */
  botReceived: number;
}

async function outbox(c: Conformance, callId?: string): Promise<{ mark: NotificationMark; pending: number }> {
  const query = new URLSearchParams({ limit: '10000', ...(callId ? { callId } : {}) });
  const res = await fetch(`${c.server.httpUrl}/_switchboard/notifications?${query.toString()}`);
  expect(res.status).toBe(200);
  const { value } = (await res.json()) as { value: { sequence: number; status: string }[] };
  return {
    mark: { count: value.length, lastSequence: value.at(-1)?.sequence ?? null },
    pending: value.filter((n) => n.status === 'pending').length,
  };
}

/** The outbox mark at the end of the last `expectUnchanged`, which had already been quiet for QUIET_MS. */
const quietAt = new WeakMap<Conformance, NotificationMark>();

/** Waits until the server is quiet: no new outbox row for QUIET_MS and nothing waiting for a first delivery. */
export async function settle(c: Conformance): Promise<void> {
  let last = await outbox(c);
  const known = quietAt.get(c);
  if (known && last.pending === 0 && known.count === last.mark.count && known.lastSequence === last.mark.lastSequence)
    return;
  for (let i = 0; i < 100; i++) {
    await sleep(QUIET_MS);
    const now = await outbox(c);
    if (now.mark.count === last.mark.count && now.pending === 0) return;
    last = now;
  }
  throw new Error('the server did not settle: notifications kept appearing');
}

/** GET the call and its participants (as `token`, default the fixture's app) and the notification marks. */
export async function snapshot(c: Conformance, callId: string, token?: string): Promise<Snapshot> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const call = await c.raw('GET', `/v1.0/communications/calls/${callId}`, undefined, auth);
  const participants = await c.raw('GET', `/v1.0/communications/calls/${callId}/participants`, undefined, auth);
  const base = `/communications/calls/${callId}`;
  // An error body carries a fresh request-id and date each time: keep only its code.
  const state = (r: RawResponse): { status: number; body: unknown } => ({
    status: r.status,
    body: r.status < 300 ? r.body : { code: r.body?.error?.code },
  });
  return {
    call: state(call),
    participants: state(participants),
    notifications: (await outbox(c, callId)).mark,
    allNotifications: (await outbox(c)).mark,
    botReceived: c.bot.notifications.filter(
      (n) => typeof n.item.resourceUrl === 'string' && n.item.resourceUrl.startsWith(base),
    ).length,
  };
}

/** Settles the server, then snapshots: the "before" of a request that must change nothing. */
export async function quietSnapshot(c: Conformance, callId: string, token?: string): Promise<Snapshot> {
  await settle(c);
  return snapshot(c, callId, token);
}

/** After QUIET_MS (any timer the request could have started has fired), the call looks exactly as before. */
export async function expectUnchanged(c: Conformance, callId: string, before: Snapshot, token?: string): Promise<void> {
  await sleep(QUIET_MS);
  const after = await snapshot(c, callId, token);
  expect(after).toEqual(before);
  quietAt.set(c, after.allNotifications);
}

/** A request (POST unless `method` says otherwise) that must be refused with `expected` and leave `callId` untouched. */
export async function expectRefused(
  c: Conformance,
  callId: string,
  request: { method?: string; path: string; body?: unknown; headers?: Record<string, string> },
  expected: ExpectedError,
): Promise<SentResponse> {
  const before = await quietSnapshot(c, callId);
  const res = await send(c, request.method ?? 'POST', request.path, request.body, request.headers);
  expectGraphError(res, expected);
  await expectUnchanged(c, callId, before);
  return res;
}

export const invitePath = (callId: string): string => `/v1.0/communications/calls/${callId}/participants/invite`;
export const callPath = (callId: string): string => `/v1.0/communications/calls/${callId}`;
