/**
 * One notification POST to a bot's callback, with the headers real Graph sends (spec §5.1). Never throws: every
 * outcome, including refused connections and timeouts, comes back as a result for the dispatcher to record.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { bodyTextOf } from '../store/outbox-rows.js';
import type { OutboxRow } from '../store/store.js';

export interface DeliveryResult {
  /** HTTP status of the final answer, or null when there was none (refused, reset, timeout). */
  statusCode: number | null;
  /** Why the attempt did not deliver, or null on 2xx. */
  error: string | null;
  /** Retry-After of a 429/503, in ms, or null. */
  retryAfterMs: number | null;
}

export const NOTIFICATION_USER_AGENT = 'Microsoft-Skype/3.0,(Calling/1.0)';

// Bots answer with an empty 202; anything larger is read up to this much, then the socket is dropped.
const MAX_RESPONSE_BYTES = 64 * 1024;

// Keep-alive: a busy call sends several notifications a second to the same bot.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

// Graph re-delivers to the Location of a 302 for region affinity (spec §5.1); 307 is its method-preserving twin.
const REDIRECTS = new Set([302, 307]);

interface Answer {
  status: number;
  location: string | undefined;
  retryAfter: string | undefined;
}

export async function postNotification(
  row: Pick<OutboxRow, 'callId' | 'messageId' | 'callbackUri' | 'body'>,
  token: string,
  timeoutMs: number,
): Promise<DeliveryResult> {
  // The stored text as it is, when the row came from the store unread (no parse and re-serialize per attempt).
  const body = Buffer.from(bodyTextOf(row), 'utf8');
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json; charset=utf-8',
    Accept: 'application/json',
    'User-Agent': NOTIFICATION_USER_AGENT,
    'X-Microsoft-Skype-Chain-ID': row.callId,
    // The same id on every retry: it is how a bot drops duplicates of an at-least-once delivery.
    'X-Microsoft-Skype-Message-ID': row.messageId,
    'Scenario-ID': randomUUID(),
    'Client-Request-Id': randomUUID(),
    'Content-Length': String(body.length),
  };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    let url = new URL(row.callbackUri);
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
    return { statusCode: null, error: timedOut ? `timeout after ${timeoutMs} ms` : describe(err), retryAfterMs: null };
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves on the status line; the body is drained (capped) in the background so the socket can be reused. */
function send(url: URL, headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<Answer> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new Error(`unsupported callback protocol ${url.protocol}`));
  }
  const mod = url.protocol === 'https:' ? https : http;
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

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | null {
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
