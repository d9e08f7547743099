/**
 * A call's audioRoutingGroups through the Graph JS client (@microsoft/microsoft-graph-client), with the documented
 * bodies of call-post-audioroutinggroups.md: create (200 with the group), list, get, update the receivers, delete
 * (204). Bodies validated against Graph's v1.0 metadata; refusals are precise and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectGraph,
  inviteUser,
  MEETING_B,
  rosterEntry,
  startConformance,
  USERS,
  type Conformance,
} from './fixture.js';
import { expectRefused } from './raw/helpers.js';

describe('audioRoutingGroups', () => {
  let c: Conformance;
  let callId: string;
  let bot: string;
  let megan: string;
  let alex: string;

  beforeAll(async () => {
    c = await startConformance();
    callId = await c.joinMeeting(MEETING_B);
    const since = c.bot.notifications.length;
    for (const who of [USERS.megan, USERS.alex]) {
      const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
        participants: [inviteUser(who)],
      });
      expect(res.status, res.text).toBe(200);
    }
    const roster = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.megan) !== undefined &&
        rosterEntry(n, USERS.alex) !== undefined,
      { since },
    );
    megan = rosterEntry(roster, USERS.megan).id as string;
    alex = rosterEntry(roster, USERS.alex).id as string;
    const list = await c.raw('GET', `/v1.0/communications/calls/${callId}/participants`);
    bot = (list.body.value as { id: string; info: { identity: { application?: unknown } } }[]).find(
      (p) => p.info.identity.application !== undefined,
    )!.id;
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  const groups = (): string => `/communications/calls/${callId}/audioRoutingGroups`;

  it('creates a oneToOne and a multicast group, lists and reads them, updates the receivers, deletes one', async () => {
    const oneToOne = (await c.graph
      .api(groups())
      .post({ id: 'oneToOne', routingMode: 'oneToOne', sources: [megan], receivers: [bot] })) as Record<
      string,
      unknown
    >;
    expect(oneToOne).toMatchObject({
      '@odata.type': '#microsoft.graph.audioRoutingGroup',
      id: 'oneToOne',
      routingMode: 'oneToOne',
      sources: [megan],
      receivers: [bot],
    });
    const { '@odata.context': _context, ...entity } = oneToOne;
    expectGraph('audioRoutingGroup', entity);
    const multicast = (await c.graph
      .api(groups())
      .post({ id: 'multicast', routingMode: 'multicast', sources: [bot], receivers: [megan, alex] })) as Record<
      string,
      unknown
    >;
    expect(multicast).toMatchObject({ id: 'multicast', receivers: [megan, alex] });

    const listed = (await c.graph.api(groups()).get()) as { value: { id: string }[] };
    expect(listed.value.map((g) => g.id)).toEqual(['oneToOne', 'multicast']);
    expect(await c.graph.api(`${groups()}/multicast`).get()).toMatchObject({
      id: 'multicast',
      routingMode: 'multicast',
      sources: [bot],
    });

    const updated = (await c.graph.api(`${groups()}/multicast`).patch({ receivers: [alex] })) as Record<
      string,
      unknown
    >;
    expect(updated).toMatchObject({ id: 'multicast', routingMode: 'multicast', sources: [bot], receivers: [alex] });
    expect(await c.graph.api(`${groups()}/multicast`).get()).toMatchObject({ receivers: [alex] });

    const deleted = await c.raw('DELETE', `/v1.0${groups()}/oneToOne`);
    expect(deleted.status).toBe(204);
    expect((await c.raw('GET', `/v1.0${groups()}/oneToOne`)).status).toBe(404);
    expect(((await c.graph.api(groups()).get()) as { value: { id: string }[] }).value.map((g) => g.id)).toEqual([
      'multicast',
    ]);
  });

  it.each([
    ['no routingMode', { sources: ['S'], receivers: ['R'] }, 400, 'BadRequest', 'routingMode'],
    [
      'an unknown routingMode',
      { routingMode: 'broadcast', sources: ['S'], receivers: ['R'] },
      400,
      'BadRequest',
      'routingMode',
    ],
    [
      'a source that is not in the call',
      { routingMode: 'oneToOne', sources: ['nobody'], receivers: ['R'] },
      400,
      'BadRequest',
      'sources[0]',
    ],
    ['two sources', { routingMode: 'multicast', sources: ['S', 'R'], receivers: ['R'] }, 400, 'BadRequest', 'sources'],
    [
      'two receivers of a oneToOne group',
      { routingMode: 'oneToOne', sources: ['S'], receivers: ['R', 'S'] },
      400,
      'BadRequest',
      'receivers',
    ],
    ['no receivers', { routingMode: 'multicast', sources: ['S'], receivers: [] }, 400, 'BadRequest', 'receivers'],
  ])('refuses %s; nothing changes', async (_name, body, status, code, target) => {
    const ids = (list: string[]): string[] => list.map((x) => (x === 'S' ? megan : x === 'R' ? bot : x));
    const filled = {
      ...body,
      ...('sources' in body ? { sources: ids(body.sources) } : {}),
      ...('receivers' in body ? { receivers: ids(body.receivers) } : {}),
    };
    await expectRefused(c, callId, { path: `/v1.0${groups()}`, body: filled }, { status, code, target });
  });

  it('refuses a second group with the same id (409), an unknown group (404), a peer-to-peer call (409)', async () => {
    await c.graph.api(groups()).post({ id: 'taken', routingMode: 'oneToOne', sources: [alex], receivers: [bot] });
    await expectRefused(
      c,
      callId,
      { path: `/v1.0${groups()}`, body: { id: 'taken', routingMode: 'oneToOne', sources: [megan], receivers: [bot] } },
      { status: 409, code: 'Conflict', target: 'id' },
    );
    await expectRefused(
      c,
      callId,
      { method: 'PATCH', path: `/v1.0${groups()}/nope`, body: { receivers: [bot] } },
      { status: 404, code: 'itemNotFound', target: 'nope' },
    );
    await expectRefused(
      c,
      callId,
      { method: 'DELETE', path: `/v1.0${groups()}/nope` },
      { status: 404, code: 'itemNotFound', target: 'nope' },
    );
    const p2p = await c.incomingCall(USERS.megan);
    await c.answer(p2p);
    await expectRefused(
      c,
      p2p,
      {
        path: `/v1.0/communications/calls/${p2p}/audioRoutingGroups`,
        body: { routingMode: 'oneToOne', sources: ['a'], receivers: ['b'] },
      },
      { status: 409, code: 'Conflict', message: /peer-to-peer/ },
    );
  });
});
