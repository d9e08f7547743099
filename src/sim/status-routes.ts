/**
 * Liveness and readiness for process supervisors and test set-ups (wait for `ready` before the first request):
 * `GET /_switchboard/health` answers 200 whenever the process serves requests; `GET /_switchboard/ready` answers
 * 200 when a trivial store query succeeds and every migration this build knows is applied, and 503 in the Graph
 * error envelope otherwise (store closed or unreachable, schema behind).
 */
import type { FastifyInstance } from 'fastify';
import { GraphError } from '../http/errors.js';
import type { Store } from '../store/store.js';

/** A readiness probe must answer even when the database does not: past this, the store counts as unreachable. */
const READY_TIMEOUT_MS = 2_000;

const notReady = (why: string): GraphError =>
  new GraphError(503, 'serviceNotAvailable', `Switchboard is not ready: ${why}.`, null, { 'Retry-After': '1' });

export function statusRoutes(app: FastifyInstance, deps: { store: Store; timeoutMs?: number }): void {
  app.get('/_switchboard/health', (_req, reply) => reply.send({ status: 'ok' }));

  app.get('/_switchboard/ready', async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = deps.timeoutMs ?? READY_TIMEOUT_MS;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    let status;
    try {
      status = await Promise.race([deps.store.schemaStatus(), timedOut]);
    } catch (err) {
      throw notReady(
        `the ${deps.store.kind} store cannot be reached (${err instanceof Error ? err.message : String(err)})`,
      );
    } finally {
      clearTimeout(timer);
    }
    if (status.applied < status.latest)
      throw notReady(`the database schema is at migration ${status.applied} of ${status.latest}`);
    return { status: 'ready', store: deps.store.kind, schemaVersion: status.applied };
  });
}
