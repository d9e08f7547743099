/**
 * POST /_switchboard/reset: back to the loaded world, so scenarios and test files are isolated on one running
 * server. The store drops every call, leg, roster, operation (recordings are kept on their recordResponse
 * operation, so they go too), online meeting made through the API, notification with its attempts, timer and
 * run-time world change, and records a reset every instance applies (src/sim/world-sync.ts); this instance applies
 * it before answering, others within their poll. The clock is not reset: a virtual clock never goes backwards
 * (timer and retry times, tokens' real time), and nothing left in the store depends on it.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../http/errors.js';
import type { Store } from '../store/store.js';
import type { WorldSync } from './world-sync.js';

export interface ResetDeps {
  store: Store;
  worldSync: WorldSync;
  /** Time the reset is recorded at (the world changes' clock). */
  now: () => number;
  /**
   * Waits for this instance's notification deliveries already on the wire (their rows are gone; their results
   * record nothing), so no notification of a dropped call reaches a bot after the reset has answered.
   */
  settleDeliveries?: () => Promise<void>;
}

export function resetRoutes(app: FastifyInstance, deps: ResetDeps): void {
  app.post('/_switchboard/reset', async (req) => {
    // No options yet: a body that asks for something (a property, a non-object) is refused, not silently ignored.
    const body: unknown = req.body;
    if (body !== undefined && body !== null) {
      if (typeof body !== 'object' || Array.isArray(body))
        throw badRequest('POST /_switchboard/reset takes no body (or {}).', 'body');
      const extra = Object.keys(body)[0];
      if (extra !== undefined)
        throw badRequest(`${extra} is not an option of POST /_switchboard/reset (it takes none).`, extra);
    }
    const dropped = await deps.store.reset(deps.now());
    await deps.worldSync.catchUp();
    await deps.settleDeliveries?.();
    return { reset: true, dropped };
  });
}
