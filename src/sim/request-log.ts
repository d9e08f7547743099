/**
 * The request log: every Graph request a bot makes on a call (method, path, status, request and response bodies),
 * kept in the change feed as `request` events so a call's timeline shows it. Off the request path: a request is
 * noted in memory when its response is sent and written with others in one INSERT every `flushMs` (or once
 * `maxBatch` are waiting); bodies are cut at `maxBodyChars`. Its timeline position is when the request arrived
 * (real time), before the command it caused committed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { realMicros } from '../store/event-rows.js';
import type { EventStore, FeedEventInput } from '../store/store.js';

export interface RequestLogOptions {
  events: EventStore;
  /** The world's time (epoch ms), shown with each request. */
  now: () => number;
  flushMs?: number;
  maxBatch?: number;
  maxBodyChars?: number;
  /** Told after a batch is written (the change feed looks at once) with how many rows it had. */
  afterFlush?: (rows: number) => void;
  log?: (level: 'warn', msg: string, data?: unknown) => void;
}

/** Graph calling paths, with the call id when the path names one. */
const CALLS_PATH = /^\/(?:v1\.0|beta)\/(?:communications|app)\/calls(?:\/([^/?#]+))?/i;

declare module 'fastify' {
  interface FastifyRequest {
    switchboardReceivedRt?: number;
  }
}

/** A body as the log keeps it: JSON text up to `max` characters (longer ones cut, saying so). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters not kept)`;
}

export class RequestLog {
  readonly #opts: Required<Omit<RequestLogOptions, 'afterFlush' | 'log'>> &
    Pick<RequestLogOptions, 'afterFlush' | 'log'>;
  #pending: FeedEventInput[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(opts: RequestLogOptions) {
    this.#opts = { flushMs: 50, maxBatch: 200, maxBodyChars: 8192, ...opts };
  }

  /** Notes every Graph calls request as its response is sent. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', (req, _reply, done) => {
      req.switchboardReceivedRt = realMicros();
      done();
    });
    app.addHook('onSend', (req, reply, payload, done) => {
      try {
        this.#note(req, reply.statusCode, payload);
      } catch (err) {
        this.#opts.log?.('warn', 'request log: could not note a request', { error: (err as Error).message });
      }
      done(null, payload);
    });
  }

  #note(req: FastifyRequest, status: number, payload: unknown): void {
    const m = CALLS_PATH.exec(req.url);
    if (!m) return;
    const responseText =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    let callId = m[1]?.toLowerCase() ?? null;
    // A created call names itself only in the response.
    if (callId === null && req.method === 'POST' && status === 201) {
      try {
        callId = (JSON.parse(responseText) as { id?: unknown }).id?.toString().toLowerCase() ?? null;
      } catch {
        callId = null;
      }
    }
    if (callId === null) return;
    const max = this.#opts.maxBodyChars;
    this.#pending.push({
      kind: 'request',
      rt: req.switchboardReceivedRt ?? realMicros(),
      at: this.#opts.now(),
      conversationId: null,
      callId,
      body: {
        method: req.method,
        path: clip(req.url, max),
        status,
        requestId: req.graphRequestId ?? null,
        request: req.body === undefined ? null : clip(JSON.stringify(req.body), max),
        response: responseText === '' ? null : clip(responseText, max),
      },
    });
    if (this.#pending.length >= this.#opts.maxBatch) this.#flushSoon(0);
    else this.#flushSoon(this.#opts.flushMs);
  }

  #flushSoon(ms: number): void {
    if (this.#timer && ms > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, ms);
  }

  /** Writes what is waiting (batches go out one after another, in order). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const rows = this.#pending;
      this.#pending = [];
      if (rows.length === 0) return;
      try {
        await this.#opts.events.append(rows);
        this.#opts.afterFlush?.(rows.length);
      } catch (err) {
        this.#opts.log?.('warn', 'request log: could not write a batch', {
          rows: rows.length,
          error: (err as Error).message,
        });
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.flush();
  }
}
