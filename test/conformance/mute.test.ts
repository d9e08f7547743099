/** call: mute / unmute and participant: mute through the Graph JS client: 200, Location, Completed, roster isMuted. */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP,
  expectGraph,
  inviteUser,
  MEETING_B,
  rosterEntry,
  startConformance,
  USERS,
  type Conformance,
} from './fixture.js';

describe('server mute', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('mutes and unmutes the bot, then mutes a participant', async () => {
    const callId = await c.joinMeeting(MEETING_B);
    let since = c.bot.notifications.length;
    const res = (await c.graph
      .api(`/communications/calls/${callId}/mute`)
      .responseType(ResponseType.RAW)
      .post({ clientContext: 'mute-1' })) as Response;
    expect(res.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
    const op: any = await res.json();
    expectGraph('muteParticipantOperation', op);
    expect(op).toMatchObject({
      '@odata.type': '#microsoft.graph.muteParticipantOperation',
      status: 'Completed',
      clientContext: 'mute-1',
    });
    expect(res.headers.get('location')).toBe(
      `${c.server.httpsUrl}/v1.0/communications/calls/${callId}/operations/${op.id}`,
    );
    const muted = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` && rosterEntry(n, APP)?.isMuted === true,
      { since },
    );
    expect(rosterEntry(muted, APP).info.identity.application).toBeDefined();

    since = c.bot.notifications.length;
    const un = await c.raw('POST', `/v1.0/communications/calls/${callId}/unmute`, { clientContext: 'unmute-1' });
    expect(un.status).toBe(200);
    expect(un.body).toMatchObject({
      '@odata.type': '#microsoft.graph.unmuteParticipantOperation',
      status: 'Completed',
    });
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` && rosterEntry(n, APP)?.isMuted === false,
      { since },
    );
    const read = await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${op.id}`);
    expect(read.body.status).toBe('Completed');

    since = c.bot.notifications.length;
    await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.megan)],
    });
    const joined = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.megan) !== undefined,
      { since },
    );
    const pid = rosterEntry(joined, USERS.megan).id as string;
    since = c.bot.notifications.length;
    const pm = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/${pid}/microsoft.graph.mute`, {
      clientContext: 'quiet please',
    });
    expect(pm.status).toBe(200);
    expect(pm.body.status).toBe('Completed');
    const update = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}/participants` && rosterEntry(n, pid) !== undefined,
      { since },
    );
    expect(rosterEntry(update, pid).isMuted).toBe(true);
    const participant = await c.raw('GET', `/v1.0/communications/calls/${callId}/participants/${pid}`);
    expect(participant.body.isMuted).toBe(true);
    // Completed in the response: no completion (`deleted`) notification follows for these operations (spec 3.8).
    expect(c.bot.notifications.some((n) => n.item.resourceUrl.endsWith(`/operations/${op.id}`))).toBe(false);
    expect(c.bot.problems).toEqual([]);
  });

  it('refuses mute in a peer-to-peer call with 409', async () => {
    const p2p = await c.incomingCall(USERS.alex);
    await c.answer(p2p);
    const res = await c.raw('POST', `/v1.0/communications/calls/${p2p}/mute`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('Conflict');
  });
});
