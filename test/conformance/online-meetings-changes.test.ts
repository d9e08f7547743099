/**
 * The rest of the onlineMeetings surface through the Graph JS client (issue 14): a created meeting's
 * audioConferencing and videoTeleconferenceId, PATCH (onlinemeeting-update.md), DELETE, createOrGet by externalId
 * (201 then 200), and GET /communications/onlineMeetings?$filter=VideoTeleconferenceId eq '…'.
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGraph, startConformance, TENANT, USERS, type Conformance } from './fixture.js';

interface Meeting {
  id: string;
  subject: string | null;
  externalId: string | null;
  startDateTime: string;
  endDateTime: string;
  videoTeleconferenceId: string | null;
  audioConferencing: {
    conferenceId: string;
    tollNumber: string;
    tollFreeNumber: string | null;
    dialinUrl: string;
  } | null;
  lobbyBypassSettings: { scope: string; isDialInBypassEnabled: boolean };
}

describe('onlineMeetings: update, delete, createOrGet, find by VTC id', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    await c.close();
  });

  const meetings = (userId: string = USERS.bob) => `/users/${userId}/onlineMeetings`;
  const create = async (body: Record<string, unknown>): Promise<Meeting> => {
    const m = (await c.graph.api(meetings()).post(body)) as Meeting;
    expectGraph('onlineMeeting', m);
    return m;
  };
  const raw = async (method: 'patch' | 'post' | 'get' | 'delete', path: string, body?: unknown): Promise<Response> => {
    const req = c.graph.api(path).responseType(ResponseType.RAW);
    const res = method === 'get' ? req.get() : method === 'delete' ? req.delete() : req[method](body);
    return (await res) as Response;
  };

  it('a created meeting carries audioConferencing (dial-in) and a videoTeleconferenceId', async () => {
    const m = await create({ subject: 'Dial-in' });
    expect(m.audioConferencing).toMatchObject({
      conferenceId: expect.stringMatching(/^\d{9}$/),
      tollNumber: expect.stringMatching(/^\+\d+$/),
      tollFreeNumber: expect.stringMatching(/^\+\d+$/),
    });
    expect(m.audioConferencing!.dialinUrl).toBe(
      `https://dialin.teams.microsoft.com/${TENANT}?id=${m.audioConferencing!.conferenceId}`,
    );
    expect(m.videoTeleconferenceId).toMatch(/^\d{10}$/);
    const read = (await c.graph.api(`${meetings()}/${m.id}`).get()) as Meeting;
    expect(read.audioConferencing).toEqual(m.audioConferencing);
  });

  it('PATCH changes subject, times and lobby settings (200 with the meeting); GET shows the change', async () => {
    const m = await create({ subject: 'Before', lobbyBypassSettings: { scope: 'organization' } });
    const updated = (await c.graph.api(`${meetings()}/${m.id}`).patch({
      startDateTime: '2026-09-09T14:33:30.8546353-07:00',
      endDateTime: '2026-09-09T15:03:30.8566356-07:00',
      subject: 'Patch Meeting Subject',
      lobbyBypassSettings: { isDialInBypassEnabled: true },
    })) as Meeting;
    expectGraph('onlineMeeting', updated);
    expect(updated).toMatchObject({
      id: m.id,
      subject: 'Patch Meeting Subject',
      startDateTime: '2026-09-09T21:33:30.8540000Z',
      endDateTime: '2026-09-09T22:03:30.8560000Z',
    });
    expect(updated.lobbyBypassSettings).toEqual({
      '@odata.type': '#microsoft.graph.lobbyBypassSettings',
      scope: 'organization',
      isDialInBypassEnabled: true,
    });
    expect(((await c.graph.api(`${meetings()}/${m.id}`).get()) as Meeting).subject).toBe('Patch Meeting Subject');
  });

  it("PATCH refuses a lone startDateTime, a new organizer, and another user's meeting (nothing changes)", async () => {
    const m = await create({ subject: 'Fixed' });
    const lone = await raw('patch', `${meetings()}/${m.id}`, { startDateTime: '2026-09-09T14:00:00Z' });
    expect(lone.status).toBe(400);
    expect(((await lone.json()) as { error: { target?: string; message: string } }).error.message).toMatch(
      /endDateTime/,
    );
    const organizer = await raw('patch', `${meetings()}/${m.id}`, {
      participants: { organizer: { identity: { user: { id: USERS.adele } } } },
    });
    expect(organizer.status).toBe(400);
    const notHers = await raw('patch', `${meetings(USERS.adele)}/${m.id}`, { subject: 'Hijack' });
    expect(notHers.status).toBe(404);
    expect(((await c.graph.api(`${meetings()}/${m.id}`).get()) as Meeting).subject).toBe('Fixed');
  });

  it('DELETE answers 204; the meeting is gone (GET 404, not found by its VTC id)', async () => {
    const m = await create({ subject: 'Short-lived' });
    const del = await raw('delete', `${meetings()}/${m.id}`);
    expect(del.status).toBe(204);
    expect((await raw('get', `${meetings()}/${m.id}`)).status).toBe(404);
    expect((await raw('delete', `${meetings()}/${m.id}`)).status).toBe(404);
    const filter = encodeURIComponent(`VideoTeleconferenceId eq '${m.videoTeleconferenceId}'`);
    expect(
      ((await c.graph.api(`/communications/onlineMeetings?$filter=${filter}`).get()) as { value: Meeting[] }).value,
    ).toEqual([]);
  });

  it('createOrGet: 201 with the externalId, then 200 with the same meeting; another user gets their own; externalId required', async () => {
    const body = {
      subject: 'Create a meeting with customId provided',
      externalId: '7eb8263f-d0e0-4149-bb1c-1f0476083c56',
    };
    const first = await raw('post', `${meetings()}/createOrGet`, body);
    expect(first.status).toBe(201);
    const created = (await first.json()) as Meeting;
    expectGraph('onlineMeeting', created);
    expect(created.externalId).toBe(body.externalId);
    const again = await raw('post', `${meetings()}/createOrGet`, { ...body, subject: 'ignored: the meeting exists' });
    expect(again.status).toBe(200);
    expect((await again.json()) as Meeting).toMatchObject({ id: created.id, subject: body.subject });
    const hers = await raw('post', `${meetings(USERS.adele)}/createOrGet`, body);
    expect(hers.status).toBe(201);
    expect(((await hers.json()) as Meeting).id).not.toBe(created.id);
    const missing = await raw('post', `${meetings()}/createOrGet`, { subject: 'no external id' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/externalId/);
  });

  it("GET /communications/onlineMeetings?$filter=VideoTeleconferenceId eq … finds the meeting (also with the docs' trailing slash)", async () => {
    const m = await create({ subject: 'VTC' });
    const filter = encodeURIComponent(`VideoTeleconferenceId eq '${m.videoTeleconferenceId}'`);
    const found = (await c.graph.api(`/communications/onlineMeetings?$filter=${filter}`).get()) as { value: Meeting[] };
    expect(found.value.map((x) => x.id)).toEqual([m.id]);
    expectGraph('onlineMeeting', found.value[0]);
    const slash = await c.raw('GET', `/v1.0/communications/onlineMeetings/?$filter=${filter}`);
    expect(slash.status).toBe(200);
    expect(slash.body.value.map((x: Meeting) => x.id)).toEqual([m.id]);
    const none = (await c.graph
      .api(`/communications/onlineMeetings?$filter=${encodeURIComponent("VideoTeleconferenceId eq '0000000000'")}`)
      .get()) as { value: Meeting[] };
    expect(none.value).toEqual([]);
    const bad = await c.raw(
      'GET',
      `/v1.0/communications/onlineMeetings?$filter=${encodeURIComponent("subject eq 'x'")}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.target ?? bad.body.error.message).toMatch(/\$filter|VideoTeleconferenceId/);
  });
});
