/**
 * Notification POSTs on a worker thread (issue 17). The main thread runs the HTTP server, every command and the
 * delivery bookkeeping; the POSTs themselves (building the request, writing it, parsing the bot's answer, the
 * keep-alive sockets) were ~15 % of its CPU in the invite bench. Here they run on a thread of their own: the
 * dispatcher still claims, signs, records and logs each attempt on the main thread, and only hands the thread the
 * request (plain data; the body is the stored text) and gets the result back.
 *
 * The thread runs `createPoster` (delivery.ts) from its source text, so there is one copy of the sending code. If the
 * thread fails, the POSTs it had in hand come back as failed attempts (the outbox retries them under the same
 * message id, at least once) and the next POST starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import { createPoster, NOTIFICATION_USER_AGENT, type DeliveryResult, type Post, type PostRequest } from './delivery.js';

const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const poster = (${createPoster.toString()})({
  http: require('node:http'),
  https: require('node:https'),
  randomUUID: require('node:crypto').randomUUID,
  userAgent: ${JSON.stringify(NOTIFICATION_USER_AGENT)},
});
parentPort.on('message', (m) => {
  poster.post(m.request).then((result) => parentPort.postMessage({ id: m.id, result }));
});
`;

export class DeliveryThread {
  readonly #source: string;
  #worker: Worker | null = null;
  #next = 1;
  #waiting = new Map<number, (result: DeliveryResult) => void>();
  #closed = false;

  /** `source`: the thread's program; tests hand one that fails, to see the POSTs in hand come back. */
  constructor(options: { source?: string } = {}) {
    this.#source = options.source ?? THREAD_SOURCE;
  }

  /** Sends `request` on the thread; resolves with its result (never rejects). */
  readonly post: Post = (request: PostRequest) => {
    if (this.#closed) return Promise.resolve(failed('the delivery thread is closed'));
    const worker = this.#worker ?? this.#start();
    const id = this.#next++;
    return new Promise<DeliveryResult>((resolve) => {
      this.#waiting.set(id, resolve);
      worker.postMessage({ id, request });
    });
  };

  /** Starts the thread now rather than at the first POST (which would wait ~40 ms for it). */
  start(): void {
    if (!this.#closed && this.#worker === null) this.#start();
  }

  /** POSTs in hand on the thread now. */
  get inHand(): number {
    return this.#waiting.size;
  }

  /** Ends the thread; POSTs still in hand resolve as failed (the dispatcher has stopped before this). */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    if (worker) await worker.terminate();
    this.#failAll('the delivery thread was closed with the POST in hand');
  }

  #start(): Worker {
    const worker = new Worker(this.#source, { eval: true });
    // Deliveries in hand keep the dispatcher's promises pending, not the process: the HTTP server does that.
    worker.unref();
    worker.on('message', (m: { id: number; result: DeliveryResult }) => {
      const resolve = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      resolve?.(m.result);
    });
    const lost = (why: string) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#failAll(why);
    };
    worker.on('error', (err) => lost(`the delivery thread failed: ${err.message}`));
    worker.on('exit', (code) => lost(`the delivery thread exited (code ${code})`));
    this.#worker = worker;
    return worker;
  }

  #failAll(why: string): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const resolve of waiting) resolve(failed(why));
  }
}

function failed(error: string): DeliveryResult {
  return { statusCode: null, error, retryAfterMs: null };
}
