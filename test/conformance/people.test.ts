/**
 * Simulated people who behave like people, on the virtual clock: later actions from the world file (`then`),
 * behaviours changed at run time (PUT /_switchboard/people/{id}/behaviour) and one person's action in one call
 * (POST /_switchboard/calls/{id}/participants/{pid}/actions), with the notifications a bot sees for each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUser, MEETING_A, MEETING_B, rosterEntry, startConformance, USERS, type Conformance } from './fixture.js';
import { expectGraphError, sendPlain } from './raw/helpers.js';

const json = { 'content-type': 'application/json' };

describe('people who behave like people', () => {
  let c: Conformance;
  const control = (method: string, path: string, body?: unknown) =>
    sendPlain(`${c.server.httpUrl}/_switchboard${path}`, {
      method,
      headers: json,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    c = await startConformance(
      (w) => {
        const users = w.tenants[0]!.users;
        users.find((u) => u.id === USERS.megan)!.then = [
          { afterMs: 5_000, action: 'mute' },
          { afterMs: 10_000, action: 'leave' },
        ];
        users.find((u) => u.id === USERS.alex)!.then = [
          { afterMs: 2_000, action: 'hold' },
          { afterMs: 4_000, action: 'resume' },
          { afterMs: 6_000, action: 'hangUp' },
        ];
      },
      { virtual: true },
    );
  });
  afterAll(async () => {
    await c.close();
  });

  const rosterOf = (callId: string) => (n: { item: { resourceUrl: string } }) =>
    n.item.resourceUrl === `/communications/calls/${callId}/participants`;

  it('an invitee mutes herself and later leaves the meeting, on the clock, as her world-file behaviour says', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    expect(
      (
        await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
          participants: [inviteUser(USERS.megan)],
        })
      ).status,
    ).toBe(200);
    await c.advance(100); // she answers after 40 ms (fast world)
    const joined = await c.bot.waitFor(
      (n) => rosterOf(callId)(n) && n.item.changeType === 'updated' && rosterEntry(n, USERS.megan) !== undefined,
      { since },
    );
    const pid = rosterEntry(joined, USERS.megan).id as string;
    expect(rosterEntry(joined, USERS.megan).isMuted).toBe(false);

    await c.advance(4_800);
    expect(
      c.bot.notifications.slice(since).filter((n) => rosterOf(callId)(n) && rosterEntry(n, pid) !== undefined),
    ).toHaveLength(1);
    await c.advance(200);
    const muted = await c.bot.waitFor((n) => rosterOf(callId)(n) && rosterEntry(n, pid)?.isMuted === true, { since });
    expect(muted.item.changeType).toBe('updated');
    await c.advance(5_000);
    const left = await c.bot.waitFor(
      (n) => rosterOf(callId)(n) && n.item.changeType === 'deleted' && rosterEntry(n, pid) !== undefined,
      { since },
    );
    expect(rosterEntry(left, pid).info.identity.user.id).toBe(USERS.megan);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/participants/${pid}`)).status).toBe(404);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('established');
  });

  it('a caller puts the peer-to-peer call on hold, resumes it and hangs up (200/4521)', async () => {
    const callId = await c.incomingCall(USERS.alex);
    await c.answer(callId);
    await c.advance(2_000);
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'hold',
    );
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('hold');
    await c.advance(2_000);
    await c.advance(2_000);
    const ended = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.changeType === 'deleted',
    );
    expect(ended.item.resourceData).toMatchObject({ state: 'terminated', resultInfo: { code: 200, subcode: 4521 } });
    expect(c.timeline(callId)).toEqual([
      'created / incoming',
      'updated / establishing',
      'updated / established',
      'updated / hold',
      'updated / established',
      'deleted / terminated',
    ]);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).status).toBe(404);
  });

  it('a behaviour changed at run time applies to the next call; an action asked for applies to one call, now or later', async () => {
    const put = await control('PUT', `/people/${USERS.dana}/behaviour`, {
      answer: { action: 'accept', afterMs: 3_000 },
      then: [{ afterMs: 1_000, action: 'mute' }],
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      value: [
        {
          id: USERS.dana,
          kind: 'user',
          answer: { action: 'accept', afterMs: 3_000 },
          then: [{ action: 'mute', afterMs: 1_000 }],
        },
      ],
    });
    expect(((await control('GET', `/people/${USERS.dana}`)).body as { value: unknown[] }).value).toEqual(
      put.body.value,
    );

    const callId = await c.joinMeeting(MEETING_B);
    const since = c.bot.notifications.length;
    await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.dana)],
    });
    await c.advance(2_999);
    expect(c.bot.notifications.slice(since).some(rosterOf(callId))).toBe(false);
    await c.advance(1);
    const joined = await c.bot.waitFor((n) => rosterOf(callId)(n) && rosterEntry(n, USERS.dana) !== undefined, {
      since,
    });
    const pid = rosterEntry(joined, USERS.dana).id as string;
    await c.advance(1_000);
    await c.bot.waitFor((n) => rosterOf(callId)(n) && rosterEntry(n, pid)?.isMuted === true, { since });

    // One call: unmute now (200, done), by user id instead of participant id; leave in 30 s (202, a durable timer).
    const now = await control('POST', `/calls/${callId}/participants/${USERS.dana}/actions`, { action: 'unmute' });
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ participantId: pid, action: 'unmute', status: 'done' });
    await c.bot.waitFor((n) => rosterOf(callId)(n) && rosterEntry(n, pid)?.isMuted === false, { since });
    const later = await control('POST', `/calls/${callId}/participants/${pid}/actions`, {
      action: 'leave',
      afterMs: 30_000,
    });
    expect(later.status).toBe(202);
    expect(later.body).toMatchObject({ participantId: pid, action: 'leave', status: 'scheduled' });
    const view = (await control('GET', `/calls/${callId}`)).body as {
      roster: { status: string; participant: { id: string } }[];
    };
    expect(view.roster.find((r) => r.participant.id === pid)?.status).toBe('joined');
    await c.advance(30_000);
    await c.bot.waitFor(
      (n) => rosterOf(callId)(n) && n.item.changeType === 'deleted' && rosterEntry(n, pid) !== undefined,
      { since },
    );
    const after = (await control('GET', `/calls/${callId}`)).body as {
      roster: { status: string; participant: { id: string } }[];
    };
    expect(after.roster.find((r) => r.participant.id === pid)?.status).toBe('removed');
  });

  it('a caller presses keys now and later (media tones): the bot that subscribed gets toneInfo', async () => {
    expect(
      (
        await control('PUT', `/people/${USERS.diego}/behaviour`, {
          then: [{ afterMs: 3_000, action: 'pressTones', tones: '9#' }],
        })
      ).status,
    ).toBe(200);
    const callId = await c.incomingCall(USERS.diego);
    await c.answer(callId);
    expect(
      (await c.raw('POST', `/v1.0/communications/calls/${callId}/subscribeToTone`, { clientContext: 'keys' })).status,
    ).toBe(200);
    const tonesOf = () =>
      c.bot.notifications
        .filter((n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.toneInfo)
        .map((n) => n.item.resourceData.toneInfo.tone as string);
    const now = await control('POST', `/calls/${callId}/participants/${USERS.diego}/actions`, {
      action: 'pressTones',
      tones: '1',
    });
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ action: 'pressTones', tones: '1', status: 'done' });
    await c.bot.waitFor((n) => n.item.resourceData?.toneInfo?.tone === 'tone1');
    await c.advance(2_999);
    expect(tonesOf()).toEqual(['tone1']);
    await c.advance(1);
    await c.bot.waitFor((n) => n.item.resourceData?.toneInfo?.tone === 'pound');
    expect(tonesOf()).toEqual(['tone1', 'tone9', 'pound']);
    await c.raw('DELETE', `/v1.0/communications/calls/${callId}`);
  });

  it('refuses bad behaviours and impossible actions with precise errors in the Graph envelope, changing nothing', async () => {
    const before = (await control('GET', `/people/${USERS.heidi}`)).body;
    expectGraphError(await control('PUT', `/people/${USERS.heidi}/behaviour`, { answer: { action: 'maybe' } }), {
      status: 400,
      code: 'BadRequest',
      target: 'answer.action',
    });
    expectGraphError(
      await control('PUT', `/people/${USERS.heidi}/behaviour`, { then: [{ action: 'pressTones', afterMs: 10 }] }),
      { status: 400, code: 'BadRequest', target: 'then[0].tones' },
    );
    expectGraphError(await control('PUT', `/people/${USERS.heidi}/behaviour`, { then: [{ action: 'mute' }] }), {
      status: 400,
      code: 'BadRequest',
      target: 'then[0].afterMs',
    });
    expectGraphError(
      await control('PUT', `/people/${USERS.heidi}/behaviour`, { answer: { action: 'accept' }, mood: 'happy' }),
      { status: 400, code: 'BadRequest', target: 'mood' },
    );
    expectGraphError(await control('PUT', `/people/${USERS.heidi}/behaviour`, {}), {
      status: 400,
      code: 'BadRequest',
      target: 'answer',
    });
    expect((await control('GET', `/people/${USERS.heidi}`)).body).toEqual(before);
    expectGraphError(await control('PUT', '/people/not-a-person/behaviour', { answer: { action: 'busy' } }), {
      status: 404,
      code: 'itemNotFound',
      target: null,
    });
    // A phone number may be given a behaviour before anyone calls it.
    const phone = await control('PUT', `/people/${encodeURIComponent('+14255550123')}/behaviour`, {
      answer: { action: 'busy', afterMs: 100 },
    });
    expect(phone.status).toBe(200);
    expect(phone.body.value[0]).toMatchObject({ kind: 'phone', id: '+14255550123', answer: { action: 'busy' } });

    const p2p = await c.incomingCall(USERS.heidi);
    await c.answer(p2p);
    const notes = (await control('GET', `/notifications?callId=${p2p}`)).body.value.length as number;
    expectGraphError(await control('POST', `/calls/${p2p}/participants/${USERS.heidi}/actions`, { action: 'mute' }), {
      status: 409,
      code: 'Conflict',
      target: 'action',
    });
    expectGraphError(await control('POST', `/calls/${p2p}/participants/${USERS.heidi}/actions`, { action: 'leave' }), {
      status: 409,
      code: 'Conflict',
      target: 'action',
    });
    expectGraphError(await control('POST', `/calls/${p2p}/participants/${USERS.heidi}/actions`, { action: 'resume' }), {
      status: 409,
      code: 'Conflict',
      target: 'action',
    });
    expectGraphError(await control('POST', `/calls/${p2p}/participants/${USERS.heidi}/actions`, { action: 'dance' }), {
      status: 400,
      code: 'BadRequest',
      target: 'action',
    });
    expectGraphError(
      await control('POST', `/calls/${p2p}/participants/${USERS.heidi}/actions`, { action: 'hangUp', afterMs: -1 }),
      { status: 400, code: 'BadRequest', target: 'afterMs' },
    );
    expectGraphError(await control('POST', `/calls/${p2p}/participants/${USERS.megan}/actions`, { action: 'hangUp' }), {
      status: 404,
      code: 'itemNotFound',
      target: 'participantId',
      named: null,
    });
    expectGraphError(
      await control('POST', `/calls/0b0e0000-0000-4000-8000-000000000000/participants/x/actions`, { action: 'hangUp' }),
      { status: 404, code: '8522', target: null },
    );
    expect((await c.raw('GET', `/v1.0/communications/calls/${p2p}`)).body.state).toBe('established');
    expect((await control('GET', `/notifications?callId=${p2p}`)).body.value).toHaveLength(notes);
  });
});
