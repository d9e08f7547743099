/**
 * Control API for the world's clock: read it, and on a virtual clock move it forward (409 on the real clock). Each
 * move is told on the change feed (a `clock` event): a move that fires nothing changes no row, yet every age the
 * dashboard shows is measured on this clock.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { badRequest, GraphError } from '../http/errors.js';
import { realMicros } from '../store/event-rows.js';
import type { EventStore } from '../store/store.js';
import { ClockNotVirtualError, type AdvanceResult, type ClockControl } from './virtual-time.js';

// One reading: two calls to a real clock can straddle a millisecond and disagree.
const clockView = (clock: ClockControl) => {
  const t = clock.now();
  return { mode: clock.virtual ? 'virtual' : 'real', now: new Date(t).toISOString(), epochMs: t };
};

// A year: far beyond any timer in the world, and small enough that ISO dates stay valid.
const MAX_ADVANCE_MS = 366 * 24 * 60 * 60 * 1000;

function body(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw badRequest('The body must be a JSON object.', 'body');
  return raw as Record<string, unknown>;
}

async function moved(
  clock: ClockControl,
  move: () => Promise<AdvanceResult>,
  events: EventStore | undefined,
  log: FastifyBaseLogger,
): Promise<Record<string, unknown>> {
  if (!clock.virtual)
    throw new GraphError(
      409,
      'Conflict',
      'The server runs on the real clock; start it with --clock virtual to move time.',
    );
  try {
    const r = await move();
    const view = { ...clockView(clock), steps: r.steps, timersFired: r.timersFired };
    // The move is done either way: a feed that cannot take the event costs a live page its refresh, not the move.
    await events
      ?.append([
        {
          kind: 'clock',
          rt: realMicros(),
          at: view.epochMs,
          conversationId: null,
          callId: null,
          body: { now: view.now, steps: r.steps, timersFired: r.timersFired },
        },
      ])
      .catch((err: unknown) => log.warn({ err }, 'clock: could not tell the change feed'));
    return view;
  } catch (e) {
    if (e instanceof ClockNotVirtualError) throw new GraphError(409, 'Conflict', e.message);
    if (e instanceof RangeError) throw badRequest(e.message, 'time');
    throw e;
  }
}

/** `events`: the change feed to tell each move (absent: not told). */
export function clockRoutes(app: FastifyInstance, clock: ClockControl, events?: EventStore): void {
  app.get('/_switchboard/clock', () => clockView(clock));

  app.post('/_switchboard/clock/advance', async (req) => {
    const ms = body(req.body).ms;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_ADVANCE_MS) {
      throw badRequest(`ms must be a whole number of milliseconds from 0 to ${MAX_ADVANCE_MS}.`, 'ms');
    }
    return moved(clock, () => clock.advance(ms), events, req.log);
  });

  app.post('/_switchboard/clock/set', async (req) => {
    const time = body(req.body).time;
    const at = typeof time === 'string' ? Date.parse(time) : NaN;
    if (!Number.isFinite(at))
      throw badRequest('time must be an ISO 8601 date-time such as 2026-01-01T10:00:00Z.', 'time');
    if (clock.virtual && at - clock.now() > MAX_ADVANCE_MS)
      throw badRequest('time is more than a year ahead of the virtual clock.', 'time');
    return moved(clock, () => clock.setTo(at), events, req.log);
  });
}
