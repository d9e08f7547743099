/**
 * A call that ends takes every durable timer that could only act on it out of the timers table, in the same
 * transaction: its keepAlive expiry (45 min) and, once no bot leg is left in the conversation, the later actions of
 * the people in it and the answers of those still ringing. A person's actions stay while another bot is still in the meeting with them. Read from the
 * SQLite file itself (the timers table has no Graph or control API view).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../helpers/child-server.js';
import { storeSnapshot } from '../helpers/store-snapshot.js';
import { inviteUser, MEETING_A, startConformance, TENANT, USERS, type Conformance } from './fixture.js';

interface TimerRow {
  id: string;
  kind: string;
  payload: string;
}

describe('timers of a call that ends', () => {
  let c: Conformance;
  let data: string;
  beforeAll(async () => {
    data = tempDataDir('sb-end-timers-');
    c = await startConformance(
      (w) => {
        w.tenants[0]!.users.find((u) => u.id === USERS.megan)!.then = [{ afterMs: 600_000, action: 'leave' }];
        w.tenants[0]!.users.find((u) => u.id === USERS.nora)!.answer = { action: 'accept', afterMs: 600_000 };
      },
      { virtual: true, data },
    );
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
    rmSync(data, { recursive: true, force: true });
  });

  const timers = (): TimerRow[] => storeSnapshot(data).timers as TimerRow[];
  const ids = (): string[] => timers().map((t) => t.id);
  const hangUp = async (callId: string): Promise<void> => {
    const since = c.bot.notifications.length;
    expect((await c.raw('DELETE', `/v1.0/communications/calls/${callId}`)).status).toBe(204);
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.changeType === 'deleted',
      { since },
    );
  };

  it('after DELETE /communications/calls/{id} the leg has no keepAlive timer (nor any other timer naming it)', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    expect(timers().find((t) => t.id === `keepalive-${callId}`)).toMatchObject({ kind: 'call.keepAliveExpired' });
    await hangUp(callId);
    expect(ids()).not.toContain(`keepalive-${callId}`);
    expect(timers().filter((t) => t.payload.includes(callId))).toEqual([]);
  });

  it("a person's later actions stay while another bot is in the meeting, and go with the last bot's leg", async () => {
    const first = await c.joinMeeting(MEETING_A);
    const second = await c.joinMeeting(MEETING_A);
    const invite = await c.raw('POST', `/v1.0/communications/calls/${first}/participants/invite`, {
      participants: [inviteUser(USERS.megan)],
    });
    expect(invite.status).toBe(200);
    await c.advance(1000); // she answers and joins: her `then` is scheduled
    const hers = timers()
      .filter((t) => t.kind === 'person.action')
      .map((t) => t.id);
    expect(hers).toHaveLength(1);

    await hangUp(first);
    expect(ids()).not.toContain(`keepalive-${first}`);
    expect(ids()).toEqual(expect.arrayContaining([...hers, `keepalive-${second}`])); // the second bot still hears her

    await hangUp(second);
    expect(ids()).not.toContain(`keepalive-${second}`);
    expect(timers().filter((t) => t.kind === 'person.action')).toEqual([]);
  });

  it("an answered incoming call the bot hangs up: keepAlive and the caller's later actions are gone", async () => {
    const callId = await c.incomingCall(USERS.megan);
    await c.answer(callId);
    expect(timers().filter((t) => t.kind === 'person.action')).toHaveLength(1);
    await hangUp(callId);
    expect(timers()).toEqual([]);
  });

  it("a group call hung up while a first target still rings: that target's answer timer goes too", async () => {
    const target = (id: string) => ({
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      identity: {
        '@odata.type': '#microsoft.graph.identitySet',
        user: { '@odata.type': '#microsoft.graph.identity', id },
      },
    });
    const created = await c.raw('POST', '/v1.0/communications/calls', {
      '@odata.type': '#microsoft.graph.call',
      callbackUri: c.bot.url,
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      targets: [target(USERS.nora), target(USERS.adele)],
      tenantId: TENANT,
    });
    expect(created.status).toBe(201);
    const callId = created.body.id as string;
    await c.advance(c.server.sb.directory.world.establishMs);
    await c.advance(1000); // Adele (default behaviour) answers; Nora rings for ten minutes
    const answers = (): TimerRow[] => timers().filter((t) => t.kind === 'invitee.answer' && t.payload.includes(callId));
    expect(answers()).toHaveLength(1);
    await hangUp(callId);
    expect(answers()).toEqual([]);
    expect(timers().filter((t) => t.payload.includes(callId))).toEqual([]);
  });
});
