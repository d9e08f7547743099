/**
 * The shutdown drain, on a raw keep-alive socket (node:net): a request written on an idle keep-alive connection
 * right after shutdown began gets a complete `503` `serviceNotAvailable` with `Retry-After` in the Graph envelope and
 * `Connection: close` (never a reset that leaves the bot unsure whether it was committed), and close() then finishes
 * at once because no connection is left, although the drain window is a minute long. Deterministic: close() marks
 * the server as draining before it returns to the event loop, so the second request, written after close() was
 * called, can only meet the drain; and the drain ends on the connection's own close, not on a timer.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads HTTP/1.1 responses (Content-Length framed) off one socket, in order. */
class ResponseReader {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  ended = false;
  error: Error | null = null;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.waiting?.();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.waiting?.();
    });
  }

  async next(): Promise<RawResponse> {
    for (;;) {
      const parsed = this.parse();
      if (parsed) return parsed;
      if (this.error) throw this.error;
      if (this.ended)
        throw new Error(
          `connection ended before a complete response: ${JSON.stringify(this.buffer.toString('latin1'))}`,
        );
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = null;
    }
  }

  /** Resolves once the server ended the connection cleanly (FIN), rejects on a reset. */
  async closed(): Promise<void> {
    while (!this.ended && !this.error) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = null;
    }
    if (this.error) throw this.error;
  }

  private parse(): RawResponse | null {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const [statusLine, ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines)
      headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    const length = Number(headers['content-length'] ?? 0);
    if (this.buffer.length < end + 4 + length) return null;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    return { status: Number(statusLine!.split(' ')[1]), headers, body };
  }
}

const request = (host: string): string =>
  `GET /_switchboard/clock HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\nclient-request-id: 0f0e0d0c-0b0a-4908-8706-050403020100\r\n\r\n`;

describe('shutdown drain on a keep-alive connection', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  async function openKeepAlive(s: TestServer): Promise<{ socket: Socket; reader: ResponseReader; host: string }> {
    const url = new URL(s.httpUrl);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const reader = new ResponseReader(socket);
    socket.write(request(url.host));
    const first = await reader.next();
    expect(first.status, first.body).toBe(200);
    // Kept alive: the server did not ask to close it.
    expect(first.headers.connection ?? 'keep-alive').not.toMatch(/close/i);
    return { socket, reader, host: url.host };
  }

  it('a request written right after close() began gets a complete 503 with Retry-After, then close() finishes', async () => {
    // A drain window far longer than the test: close() can only finish early because the connection closed.
    server = await startTestServer(fastWorld(null), { drainMs: 60_000 });
    const { socket, reader, host } = await openKeepAlive(server);

    const closing = server.sb.close();
    socket.write(request(host));
    const second = await reader.next();

    expect(second.status, second.body).toBe(503);
    expect(second.headers['retry-after']).toBe('5');
    expect(second.headers.connection).toMatch(/close/i);
    expect(second.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(second.body) as {
      error: { code: string; message: string; innerError: Record<string, string> };
    };
    expect(body.error.code).toBe('serviceNotAvailable');
    expect(body.error.innerError['client-request-id']).toBe('0f0e0d0c-0b0a-4908-8706-050403020100');
    // The server closes the connection cleanly after the 503 (FIN, not a reset) …
    await reader.closed();
    // … and, with no connection left, shutdown completes without waiting out the drain window.
    await closing;
    server = null;
  });

  it('an idle connection nobody writes on is closed cleanly at the end of the drain window', async () => {
    server = await startTestServer(fastWorld(null), { drainMs: 50 });
    const { reader } = await openKeepAlive(server);
    await server.sb.close();
    server = null;
    await reader.closed();
  });
});
