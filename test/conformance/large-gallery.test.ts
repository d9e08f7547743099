/**
 * call: addLargeGalleryView through the Graph JS client with the documented body (call-addlargegalleryview.md): 202
 * with a Running operation and a Location, then the operation `deleted` Completed and a roster update with the view
 * as "Identify large gallery view participants in a roster" shows it. The fake bot checks every notification (JWT,
 * metadata).
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, MEETING_B, startConformance, USERS, type Conformance } from './fixture.js';
import { expectRefused } from './raw/helpers.js';

interface RosterEntry {
  id: string;
  metadata: string | null;
  mediaStreams: { mediaType: string; direction: string }[];
  info: { identity: { application?: { id: string; ApplicationType?: string } } };
}

describe('addLargeGalleryView', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance();
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  it('202 Running, then Completed and the view in the roster: LargeGallery-V2, video sendReceive, audienceView metadata', async () => {
    const callId = await c.joinMeeting(MEETING_B);
    const since = c.bot.notifications.length;
    const res = (await c.graph
      .api(`/communications/calls/${callId}/addLargeGalleryView`)
      .responseType(ResponseType.RAW)
      .post({ clientContext: '785f4929-92ca-497b-863f-c778c77c9758' })) as Response;
    expect(res.status).toBe(202);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
    const op: any = await res.json();
    expect(op).toMatchObject({
      '@odata.type': '#microsoft.graph.addLargeGalleryViewOperation',
      status: 'Running',
      clientContext: '785f4929-92ca-497b-863f-c778c77c9758',
      resultInfo: null,
    });
    expect(res.headers.get('location')).toBe(
      `${c.server.httpsUrl}/v1.0/communications/calls/${callId}/operations/${op.id}`,
    );

    const done = await c.bot.waitFor(
      (n) =>
        n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}/operations/${op.id}`,
      { since },
    );
    expect(done.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.addLargeGalleryViewOperation',
      status: 'Completed',
    });
    const isGallery = (p: RosterEntry): boolean => p.info.identity.application?.ApplicationType === 'LargeGallery-V2';
    const roster = await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        Array.isArray(n.item.resourceData) &&
        (n.item.resourceData as RosterEntry[]).some(isGallery),
      { since },
    );
    const view = (roster.item.resourceData as RosterEntry[]).find(isGallery)!;
    expect(view.info.identity.application?.id).toBe(APP);
    expect(view.mediaStreams.map((s) => `${s.mediaType} ${s.direction}`)).toEqual([
      'audio receiveOnly',
      'video sendReceive',
    ]);
    expect(JSON.parse(view.metadata ?? 'null')).toMatchObject({
      audienceView: { page: 1, status: 'active', type: 'lg' },
    });
    // The operation stays readable, Completed (the documented "Get addLargeGalleryView").
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${op.id}`)).body.status).toBe(
      'Completed',
    );
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/participants/${view.id}`)).status).toBe(200);
  });

  it('is for group calls and meetings (409 peer-to-peer), with a clientContext of at most 256 characters', async () => {
    const callId = await c.joinMeeting(MEETING_B);
    await expectRefused(
      c,
      callId,
      {
        path: `/v1.0/communications/calls/${callId}/microsoft.graph.addLargeGalleryView`,
        body: { clientContext: 'x'.repeat(257) },
      },
      { status: 400, code: 'BadRequest', target: 'clientContext' },
    );
    const p2p = await c.incomingCall(USERS.alex);
    await c.answer(p2p);
    await expectRefused(
      c,
      p2p,
      { path: `/v1.0/communications/calls/${p2p}/addLargeGalleryView`, body: {} },
      { status: 409, code: 'Conflict', message: /peer-to-peer/ },
    );
  });
});
