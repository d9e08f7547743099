/**
 * One notification POST to a bot's callback, with the headers real Graph sends (spec §5.1). Never throws: every
 * outcome, including refused connections and timeouts, comes back as a result for the dispatcher to record.
 *
 * The code that sends is one self-contained factory, `createPoster`: it touches nothing but its parameters and
 * JavaScript's globals, so the delivery thread (delivery-thread.ts) runs the very same code from its source text.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { storedBodyOf, type StoredBody } from '../store/outbox-rows.js';
import type { OutboxRow } from '../store/store.js';

export interface DeliveryResult {
  /** HTTP status of the final answer, or null when there was none (refused, reset, timeout). */
  statusCode: number | null;
  /** Why the attempt did not deliver, or null on 2xx. */
  error: string | null;
  /** Retry-After of a 429/503, in ms, or null. */
  retryAfterMs: number | null;
}

/** What one POST needs: the row's routing, its body as stored (text or UTF-8 bytes), the signed token. Plain data (a thread message). */
export interface PostRequest {
  callId: string;
  messageId: string;
  callbackUri: string;
  body: StoredBody;
  token: string;
  timeoutMs: number;
}

export type Post = (request: PostRequest) => Promise<DeliveryResult>;

export const NOTIFICATION_USER_AGENT = 'Microsoft-Skype/3.0,(Calling/1.0)';

/** The modules the poster uses, handed in (see createPoster). */
export interface PosterModules {
  http: typeof http;
  https: typeof https;
  randomUUID: () => string;
  userAgent: string;
}

/**
 * Self-contained (no imports, no module-level names: a transpiler may rename those), so that its `toString()` is a
 * complete program for the delivery thread.
 */
export function createPoster(m: PosterModules): {
  post: Post;
  parseRetryAfter: (value: string | undefined, nowMs?: number) => number | null;
} {
  // Bots answer with an empty 202; anything larger is read up to this much, then the socket is dropped.
  const MAX_RESPONSE_BYTES = 64 * 1024;
  // Keep-alive: a busy call sends several notifications a second to the same bot.
  const agents = {
    'http:': new m.http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new m.https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  // Graph re-delivers to the Location of a 302 for region affinity (spec §5.1); 307 is its method-preserving twin.
  const REDIRECTS = new Set([302, 307]);

  interface Answer {
    status: number;
    location: string | undefined;
    retryAfter: string | undefined;
  }

  /** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
  function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | null {
    if (value === undefined) return null;
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
    const at = Date.parse(trimmed);
    return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
  }

  function describe(err: unknown): string {
    if (err instanceof Error) {
      const code = (err as NodeJS.ErrnoException).code;
      return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
    }
    return String(err);
  }

  /** Resolves on the status line; the body is drained (capped) in the background so the socket can be reused. */
  function send(url: URL, headers: Record<string, string>, body: Uint8Array, signal: AbortSignal): Promise<Answer> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new Error(`unsupported callback protocol ${url.protocol}`));
    }
    const mod = url.protocol === 'https:' ? m.https : m.http;
    return new Promise<Answer>((resolve, reject) => {
      const req = mod.request(
        url,
        { method: 'POST', headers, agent: agents[url.protocol as 'http:' | 'https:'], signal },
        (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > MAX_RESPONSE_BYTES) res.destroy();
          });
          // The status is already known; a body cut short (cap, abort, reset) does not change the outcome.
          res.on('error', () => undefined);
          const location = res.headers.location;
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, location, retryAfter });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function post(r: PostRequest): Promise<DeliveryResult> {
    const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
    const headers = {
      Authorization: `Bearer ${r.token}`,
      'Content-Type': 'application/json; charset=utf-8',
      Accept: 'application/json',
      'User-Agent': m.userAgent,
      'X-Microsoft-Skype-Chain-ID': r.callId,
      // The same id on every retry: it is how a bot drops duplicates of an at-least-once delivery.
      'X-Microsoft-Skype-Message-ID': r.messageId,
      'Scenario-ID': m.randomUUID(),
      'Client-Request-Id': m.randomUUID(),
      'Content-Length': String(body.byteLength),
    };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), r.timeoutMs);
    try {
      let url = new URL(r.callbackUri);
      let answer = await send(url, headers, body, abort.signal);
      if (REDIRECTS.has(answer.status) && answer.location !== undefined) {
        url = new URL(answer.location, url);
        answer = await send(url, headers, body, abort.signal);
      }
      const ok = answer.status >= 200 && answer.status < 300;
      return {
        statusCode: answer.status,
        error: ok ? null : `HTTP ${answer.status}`,
        retryAfterMs: answer.status === 429 || answer.status === 503 ? parseRetryAfter(answer.retryAfter) : null,
      };
    } catch (err) {
      const timedOut = abort.signal.aborted;
      return {
        statusCode: null,
        error: timedOut ? `timeout after ${r.timeoutMs} ms` : describe(err),
        retryAfterMs: null,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  return { post, parseRetryAfter };
}

const inProcess = createPoster({ http, https, randomUUID, userAgent: NOTIFICATION_USER_AGENT });

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export const parseRetryAfter = inProcess.parseRetryAfter;

/** Sends on this thread (the delivery thread is delivery-thread.ts). */
export const postInProcess: Post = inProcess.post;

/** What a POST of `row` needs, its body as stored when the row came from the store unread. */
export function postRequestOf(
  row: Pick<OutboxRow, 'callId' | 'messageId' | 'callbackUri' | 'body'>,
  token: string,
  timeoutMs: number,
): PostRequest {
  return {
    callId: row.callId,
    messageId: row.messageId,
    callbackUri: row.callbackUri,
    body: storedBodyOf(row),
    token,
    timeoutMs,
  };
}
