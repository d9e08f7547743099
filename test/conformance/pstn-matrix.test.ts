/**
 * The PSTN support matrix of call-answer.md (spec 1.4 item 8) and real failure 9.1, through the Graph JS client:
 * a call that came in to the bot's UPN cannot invite a phone (the invite is accepted, then fails 412#10073); one
 * that came in to the bot's resource account can. (Join token → 403#10151 and no number → 412 are in seeds/pstn.)
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE_ID } from '../../src/sim/default-world.js';
import { APP, startConformance, TENANT, USERS, type Conformance } from './fixture.js';

const PHONE = '+12345678901';
const invitePhone = {
  participants: [
    {
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      identity: {
        '@odata.type': '#microsoft.graph.identitySet',
        phone: { '@odata.type': '#microsoft.graph.identity', id: PHONE },
      },
    },
  ],
  clientContext: 'pstn-matrix',
};

describe('PSTN support matrix: invite a phone from an incoming call', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  /** A person calls the bot at `target` (the app's UPN or its resource account); the bot answers. */
  async function answeredCall(target: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${c.server.httpUrl}/_switchboard/incoming-calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tenantId: TENANT,
        source: { user: { id: USERS.megan } },
        target,
        requestedModalities: ['audio'],
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await c.bot.waitFor((n) => n.item.changeType === 'created' && n.item.resourceUrl === `/communications/calls/${id}`);
    await c.answer(id);
    return id;
  }

  async function invite(callId: string): Promise<{ id: string; done: Record<string, unknown> }> {
    const since = c.bot.notifications.length;
    const res = (await c.graph
      .api(`/communications/calls/${callId}/participants/invite`)
      .responseType(ResponseType.RAW)
      .post(invitePhone)) as Response;
    expect(res.status).toBe(200);
    const op = (await res.json()) as { id: string; status: string };
    expect(op.status).toBe('Running');
    const done = await c.bot.waitFor(
      (n) =>
        n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}/operations/${op.id}`,
      { since },
    );
    return { id: op.id, done: done.item.resourceData as Record<string, unknown> };
  }

  it('inbound to the bot’s UPN, then invite PSTN: not supported — 200 Running, then Failed 412 DiagCode 412#10073', async () => {
    const callId = await answeredCall({ application: { id: APP } });
    const { done } = await invite(callId);
    expect(done).toMatchObject({ status: 'Failed', resultInfo: { code: 412, subcode: 9999 } });
    expect((done.resultInfo as { message: string }).message).toBe(
      `addParticipants failed for participant 4:${PHONE}. Underlying reason: Could not find the PSTN content for the sponsor of this PSTN leg.. DiagCode: 412#10073.@`,
    );
    // The failed invite leaves the call as it was.
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('established');
  });

  it('inbound to the bot’s resource account (instance), then invite PSTN: supported — Completed', async () => {
    const callId = await answeredCall({ applicationInstance: { id: DEFAULT_INSTANCE_ID } });
    const { done } = await invite(callId);
    expect(done).toMatchObject({ status: 'Completed', resultInfo: null });
    expect(c.bot.problems).toEqual([]);
  });
});
