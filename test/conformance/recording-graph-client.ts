/**
 * The Graph JS client with its default middleware chain (RetryHandler included) and a recorder just above the HTTP
 * handler: `statuses` lists what every exchange answered, retries included, so a test sees the 429 the client
 * recovered from. Shared by the throttling and overload tests.
 */
import { Client, MiddlewareFactory, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import type { Conformance } from './fixture.js';

class StatusRecorder implements Middleware {
  readonly statuses: number[] = [];
  private next: Middleware | undefined;
  async execute(context: Context): Promise<void> {
    await this.next!.execute(context);
    this.statuses.push(context.response!.status);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function recordingGraphClient(c: Conformance): { graph: Client; statuses: number[] } {
  const recorder = new StatusRecorder();
  const chain = MiddlewareFactory.getDefaultMiddlewareChain({ getAccessToken: () => c.token() });
  chain.splice(-1, 0, recorder);
  const graph = Client.initWithMiddleware({
    baseUrl: c.server.httpsUrl,
    customHosts: new Set(['127.0.0.1']),
    defaultVersion: 'v1.0',
    middleware: chain,
  });
  return { graph, statuses: recorder.statuses };
}
