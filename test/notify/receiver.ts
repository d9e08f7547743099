/** A bot's callback endpoint for dispatcher tests: records every POST and answers as the test says. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The commsNotifications shape the tests send: `n` numbers notifications within a call. */
export interface TestBody {
  value: { changeType?: string; resourceUrl: string; n: number }[];
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: TestBody;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Answers request number `n` (1-based); a promise that never settles makes the request hang. */
export type Responder = (req: Received, n: number) => Reply | Promise<Reply>;

export interface Receiver {
  port: number;
  url(path?: string): string;
  received: Received[];
  /** Requests being answered right now. */
  inFlight: number;
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => ({ status: 202 }), port = 0): Promise<Receiver> {
  const received: Received[] = [];
  let inFlight = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text || '{"value":[]}') as TestBody,
      };
      received.push(r);
      inFlight += 1;
      void Promise.resolve(respond(r, received.length)).then(
        (reply) => {
          inFlight -= 1;
          res.writeHead(reply.status, reply.headers).end(reply.body);
        },
        () => {
          inFlight -= 1;
          res.writeHead(500).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: (path = '/api/calls') => `http://127.0.0.1:${actualPort}${path}`,
    received,
    get inFlight() {
      return inFlight;
    },
    async waitFor(count, timeoutMs = 5_000) {
      await until(
        () => received.length >= count,
        timeoutMs,
        () => `expected ${count} requests, got ${received.length}`,
      );
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `cond` until it holds; fails with `describe()` after `timeoutMs`. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  describe = () => 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describe()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A port nothing listens on (just released by the OS). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
