/**
 * Seed example 4 (003, 004): invite a phone number (E.164). The app needs an application instance with a number;
 * without one the operation fails as real deployments report it (412, DiagCode 412#10073).
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGraph, MEETING_A, rosterEntry, startConformance, type Conformance } from '../fixture.js';

const seedBody = {
  participants: [
    {
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      identity: {
        '@odata.type': '#microsoft.graph.identitySet',
        phone: { '@odata.type': '#microsoft.graph.identity', id: '+12345678901' },
      },
    },
  ],
  clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
};

describe('seed example 4: invite a phone number', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  it('rings the number and adds it to the roster (Graph JS client, seed body verbatim)', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const res = (await c.graph
      .api(`/communications/calls/${callId}/participants/invite`)
      .responseType(ResponseType.RAW)
      .post(seedBody)) as Response;
    expect(res.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
    const body: any = await res.json();
    expectGraph('inviteParticipantsOperation', body);
    // The set's and the entry's `@odata.type` come back as the body sent them.
    expect(body.participants[0].identity).toEqual({
      '@odata.type': '#microsoft.graph.identitySet',
      user: null,
      guest: null,
      encrypted: null,
      onPremises: null,
      applicationInstance: null,
      application: null,
      device: null,
      phone: { '@odata.type': '#microsoft.graph.identity', id: '+12345678901' },
    });
    const done = await c.bot.waitFor((n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === body.id, {
      since,
    });
    expect(done.item.resourceData.status).toBe('Completed');
    expect(done.item.resourceData.participants[0].identity.phone).toEqual({
      '@odata.type': '#microsoft.graph.identity',
      id: '+12345678901',
    });
    const roster = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, '+12345678901') !== undefined,
      { since },
    );
    expect(rosterEntry(roster, '+12345678901').info.identity.phone.id).toBe('+12345678901');
    expect(c.bot.problems).toEqual([]);
  });
});

describe('seed example 4, failure: the app has no application instance with a number', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance((w) => {
      for (const a of w.tenants[0]!.apps) a.instances = a.instances.map((i) => ({ ...i, phoneNumber: null }));
    });
  });
  afterAll(async () => {
    await c.close();
  });

  it('accepts the request (200, Running) and then fails the operation with 412 / DiagCode 412#10073', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, seedBody);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('Running');
    const done = await c.bot.waitFor(
      (n) => n.item.changeType === 'deleted' && n.item.resourceData?.id === res.body.id,
      { since },
    );
    expect(done.item.resourceData.status).toBe('Failed');
    expect(done.item.resourceData.resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 412,
      subcode: 9999,
      message:
        'addParticipants failed for participant 4:+12345678901. Underlying reason: Could not find the PSTN content for the sponsor of this PSTN leg.. DiagCode: 412#10073.@',
    });
    expect(
      c.bot.notifications
        .slice(since)
        .some((n) => n.item.resourceUrl === `/communications/calls/${callId}/participants`),
    ).toBe(false);
  });
});
