/**
 * The baseline: a bare node:http server that reads the whole request body, parses it as JSON and answers 200 with
 * a small JSON document. Same Node, same thread placement (the bench's main thread) and same client traffic as the
 * Switchboard runs, so `Switchboard req/s ÷ baseline req/s` is the share of this machine's plain-HTTP capacity
 * that the emulator keeps while doing its real work.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  url: string;
  /** Requests answered 200. */
  answered(): number;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  let answered = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let ok = true;
      try {
        JSON.parse(raw.toString('utf8'));
      } catch {
        ok = false;
      }
      const body = JSON.stringify(ok ? { ok: true, bytes: raw.length } : { error: 'bad json' });
      res.writeHead(ok ? 200 : 400, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      if (ok) answered++;
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answered: () => answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
