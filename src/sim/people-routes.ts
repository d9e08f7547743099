/**
 * Control API for simulated people: read and change each person's behaviour at run time, and make one person in
 * one call act now or later. Behaviour changes apply from the next call on; an action applies to that call only.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, GraphError, orThrow } from '../http/errors.js';
import { isProblem, parseLaterAction, type LaterAction, type Problem } from '../domain/person-actions.js';
import type { CallingService } from '../service/calling-service.js';
import { checkAnswer, checkThen, type Directory } from './directory.js';
import type { WorldSync } from './world-sync.js';

function asBody(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw badRequest('The request body must be a JSON object.', 'body');
  return v as Record<string, unknown>;
}

function checked<T extends object>(r: T | Problem): T {
  if (isProblem(r)) throw badRequest(`${r.error}.`, r.target);
  return r;
}

const personNotFound = (id: string): GraphError =>
  new GraphError(
    404,
    'itemNotFound',
    `No person ${id} in the directory: use a user id of the world, or an E.164 phone number such as +14255550100.`,
  );

export function peopleRoutes(
  app: FastifyInstance,
  deps: { service: CallingService; directory: Directory; worldSync: WorldSync },
): void {
  const { directory } = deps;
  const find = (id: string) => directory.people().filter((p) => p.id.toLowerCase() === id.toLowerCase());

  // Behaviour changes are recorded in the store for every instance (src/sim/world-sync.ts); reads catch up first.
  app.get<{ Querystring: { tenantId?: string } }>('/_switchboard/people', async (req, reply) => {
    await deps.worldSync.catchUp();
    return reply.send({ value: directory.people(req.query.tenantId) });
  });

  app.get<{ Params: { id: string } }>('/_switchboard/people/:id', async (req, reply) => {
    await deps.worldSync.catchUp();
    const found = find(req.params.id);
    if (found.length === 0) throw personNotFound(req.params.id);
    return reply.send({ value: found });
  });

  app.put<{ Params: { id: string } }>('/_switchboard/people/:id/behaviour', async (req, reply) => {
    const body = asBody(req.body);
    const extra = Object.keys(body).find((k) => !['answer', 'then', 'tenantId'].includes(k));
    if (extra !== undefined) throw badRequest(`${extra} is not a behaviour property (answer, then, tenantId).`, extra);
    if (body.answer === undefined && body.then === undefined) throw badRequest('Send answer, then, or both.', 'answer');
    const tenantId = body.tenantId;
    if (tenantId !== undefined && (typeof tenantId !== 'string' || !directory.tenant(tenantId)))
      throw badRequest(`tenantId ${JSON.stringify(tenantId)} is not a tenant of the directory.`, 'tenantId');
    await deps.worldSync.catchUp(); // the fallback below is the person's behaviour as every instance has it now
    const current = find(req.params.id)[0];
    const fallback = current?.answer ?? { action: 'accept' as const, afterMs: 1000 };
    const answer = body.answer === undefined ? undefined : checked(checkAnswer(body.answer, 'answer', fallback));
    if (body.then !== undefined) checked(checkThen(body.then, 'then'));
    if (!directory.canSetBehaviour(req.params.id, tenantId)) throw personNotFound(req.params.id);
    await deps.worldSync.setBehaviour({
      ref: req.params.id,
      ...(tenantId !== undefined ? { tenantId } : {}),
      ...(answer ? { answer } : {}),
      ...(body.then !== undefined ? { then: body.then } : {}),
    });
    return reply.send({ value: find(req.params.id) });
  });

  app.post<{ Params: { id: string; participantId: string } }>(
    '/_switchboard/calls/:id/participants/:participantId/actions',
    async (req, reply) => {
      const act = checked<LaterAction>(parseLaterAction(asBody(req.body), '', { needAfterMs: false }));
      const done = orThrow(await deps.service.personAction(req.params.id, req.params.participantId, act));
      return reply.code(act.afterMs > 0 ? 202 : 200).send({
        participantId: done.participantId,
        action: done.action.action,
        ...(done.action.tones !== undefined ? { tones: done.action.tones } : {}),
        status: act.afterMs > 0 ? 'scheduled' : 'done',
        dueDateTime: new Date(done.dueAt).toISOString(),
      });
    },
  );
}
