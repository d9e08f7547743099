/**
 * The softphone's server side, without a browser: a stream held open holds the person ("the person in the browser
 * decides"), their rings wait for the browser's answer, and Accept / Decline / Busy give the bot exactly what the
 * accept / decline / busy behaviours give; no answer times out like no answer; closing the stream gives the person
 * their configured behaviour back. On the virtual clock, so nothing here waits on real time.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reactionsOf } from '../../src/sim/reactions.js';
import { personKeyOf, SOFTPHONE_RING_MS } from '../../src/sim/softphone-leases.js';
import { describePostgres, TEST_POSTGRES_URL, testSchemas } from '../helpers/postgres.js';
import { fastWorld, startTestServer, type TestServer } from '../helpers/server.js';
import { checkWav, wavOf } from '../../src/sim/recording-audio.js';
import {
  APP,
  inviteUser,
  MEETING_A,
  MEETING_B,
  rosterEntry,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
} from '../conformance/fixture.js';

interface Screen {
  held: boolean;
  rings: { ringId: string; what: string; callId: string; from: { displayName: string } }[];
  calls: { callId: string; participantId: string; conversationKind: string }[];
}

/** Opens a softphone stream (it holds the person while open) and hands out its `phone` events. */
async function openSoftphone(
  base: string,
  person: string,
): Promise<{ next: (pred: (s: Screen) => boolean) => Promise<Screen>; close: () => void }> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}/_switchboard/people/${encodeURIComponent(person)}/softphone`, {
    headers: { accept: 'text/event-stream' },
    signal: ctrl.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (pred: (s: Screen) => boolean): Promise<Screen> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (/^event: phone$/m.test(frame) && data) {
          const s = JSON.parse(data) as Screen;
          if (pred(s)) return s;
        }
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the softphone stream ended');
      buffer += value;
    }
  };
  return { next, close: () => ctrl.abort() };
}

describe('softphone: the person in the browser decides', () => {
  let c: Conformance;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON
  const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${c.server.httpUrl}/_switchboard${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const screen = async (person: string): Promise<Screen> =>
    (await control('GET', `/people/${encodeURIComponent(person)}/phone`)).body as Screen;
  const invite = async (callId: string, user: string): Promise<string> => {
    const res = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(user)],
    });
    expect(res.status).toBe(200);
    return res.body.id as string;
  };
  const operationEnd = (callId: string, opId: string) =>
    c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/operations/${opId}` &&
        n.item.resourceData?.status !== 'Running',
    );

  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true });
  });
  afterAll(async () => {
    await c.close();
  });

  it('Accept: the ring waits past the configured answer, then the bot gets Completed and the person in the roster', async () => {
    const phone = await openSoftphone(c.server.httpUrl, USERS.megan);
    await phone.next((s) => s.held);
    const callId = await c.joinMeeting(MEETING_A);
    const since = c.bot.notifications.length;
    const opId = await invite(callId, USERS.megan);
    const ringing = await phone.next((s) => s.rings.length === 1);
    expect(ringing.rings[0]).toMatchObject({ what: 'invite', callId, from: { displayName: expect.any(String) } });
    await c.advance(5_000); // her configured behaviour answers after 40 ms: the softphone holds her instead
    expect((await screen(USERS.megan)).rings).toHaveLength(1);
    expect(c.bot.notifications.slice(since).some((n) => n.item.resourceUrl?.includes('/operations/'))).toBe(false);

    const answered = await control('POST', `/people/${USERS.megan}/rings/${ringing.rings[0]!.ringId}`, {
      answer: 'accept',
    });
    expect(answered.status).toBe(200);
    expect((await operationEnd(callId, opId)).item.resourceData).toMatchObject({ status: 'Completed' });
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/participants` &&
        rosterEntry(n, USERS.megan) !== undefined,
      { since },
    );
    const inCall = await phone.next((s) => s.calls.length === 1 && s.rings.length === 0);
    expect(inCall.calls[0]).toMatchObject({ callId, conversationKind: 'meeting' });
    // A ring answered once is gone.
    expect(
      (await control('POST', `/people/${USERS.megan}/rings/${ringing.rings[0]!.ringId}`, { answer: 'accept' })).status,
    ).toBe(409);
    phone.close();
  });

  it.each(['decline', 'busy'] as const)(
    '%s from the browser gives the resultInfo that behaviour gives',
    async (answer) => {
      const callId = await c.joinMeeting(MEETING_A);
      // First the configured behaviour, then the same person held by a softphone answering the same way.
      expect(
        (await control('PUT', `/people/${USERS.dana}/behaviour`, { answer: { action: answer, afterMs: 10 } })).status,
      ).toBe(200);
      const configuredOp = await invite(callId, USERS.dana);
      await c.advance(10);
      const configured = (await operationEnd(callId, configuredOp)).item.resourceData;

      const phone = await openSoftphone(c.server.httpUrl, USERS.dana);
      await phone.next((s) => s.held);
      const op = await invite(callId, USERS.dana);
      const ring = (await phone.next((s) => s.rings.length === 1)).rings[0]!;
      expect((await control('POST', `/people/${USERS.dana}/rings/${ring.ringId}`, { answer })).status).toBe(200);
      const fromBrowser = (await operationEnd(callId, op)).item.resourceData;
      expect(fromBrowser.status).toBe('Failed');
      expect(fromBrowser.resultInfo).toEqual(configured.resultInfo);
      phone.close();
    },
  );

  it('no answer within the ring timeout is no answer (408/10057)', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const phone = await openSoftphone(c.server.httpUrl, USERS.alex);
    await phone.next((s) => s.held);
    const op = await invite(callId, USERS.alex);
    await phone.next((s) => s.rings.length === 1);
    await c.advance(60_000);
    expect((await operationEnd(callId, op)).item.resourceData).toMatchObject({
      status: 'Failed',
      resultInfo: { code: 408, subcode: 10057 },
    });
    phone.close();
  });

  it('a bot calling the person peer-to-peer rings the softphone; Accept establishes the call', async () => {
    const phone = await openSoftphone(c.server.httpUrl, USERS.heidi);
    await phone.next((s) => s.held);
    const created = await c.raw('POST', '/v1.0/communications/calls', {
      callbackUri: c.bot.url,
      source: { identity: { application: { id: APP } } },
      targets: [{ identity: { user: { id: USERS.heidi } } }],
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      tenantId: TENANT,
    });
    expect(created.status).toBe(201);
    const ring = (await phone.next((s) => s.rings.length === 1)).rings[0]!;
    expect(ring).toMatchObject({ what: 'call', callId: created.body.id });
    expect((await control('POST', `/people/${USERS.heidi}/rings/${ring.ringId}`, { answer: 'accept' })).status).toBe(
      200,
    );
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${created.body.id}` &&
        n.item.resourceData?.state === 'established',
    );
    expect((await phone.next((s) => s.calls.length === 1)).calls[0]).toMatchObject({
      callId: created.body.id,
      conversationKind: 'peerToPeer',
    });
    phone.close();
  });

  it('a transfer to the person rings the softphone; Busy sends the call back to the bot (500/7000), as busy would', async () => {
    const phone = await openSoftphone(c.server.httpUrl, USERS.adele);
    await phone.next((s) => s.held);
    const callId = await c.incomingCall(USERS.heidi);
    await c.answer(callId);
    const since = c.bot.notifications.length;
    expect(
      (
        await c.raw('POST', `/v1.0/communications/calls/${callId}/transfer`, {
          transferTarget: { endpointType: 'default', identity: { user: { id: USERS.adele } } },
        })
      ).status,
    ).toBe(202);
    const ring = (await phone.next((s) => s.rings.length === 1)).rings[0]!;
    expect(ring).toMatchObject({ what: 'transfer', callId });
    expect((await control('POST', `/people/${USERS.adele}/rings/${ring.ringId}`, { answer: 'busy' })).status).toBe(200);
    const back = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.resourceData?.state === 'established',
      { since },
    );
    expect(back.item.resourceData.resultInfo).toMatchObject({ code: 500, subcode: 7000 });
    phone.close();
  });

  it('a redirect rings every target at once: a Decline leaves the others ringing, the first Accept ends the call', async () => {
    const adele = await openSoftphone(c.server.httpUrl, USERS.adele);
    const diego = await openSoftphone(c.server.httpUrl, USERS.diego);
    await adele.next((s) => s.held);
    await diego.next((s) => s.held);
    const callId = await c.incomingCall(USERS.heidi);
    const since = c.bot.notifications.length;
    expect(
      (
        await c.raw('POST', `/v1.0/communications/calls/${callId}/redirect`, {
          targets: [inviteUser(USERS.adele), inviteUser(USERS.diego)],
        })
      ).status,
    ).toBe(202);
    const ringA = (await adele.next((s) => s.rings.length === 1)).rings[0]!;
    const ringD = (await diego.next((s) => s.rings.length === 1)).rings[0]!;
    expect(ringA).toMatchObject({ what: 'redirect', callId });
    expect(ringD.ringId).toBe(ringA.ringId);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('redirecting');

    expect((await control('POST', `/people/${USERS.adele}/rings/${ringA.ringId}`, { answer: 'decline' })).status).toBe(
      200,
    );
    await adele.next((s) => s.rings.length === 0);
    await c.advance(5_000); // their configured answers (accept after 1 s) are set aside: Diego's tab still rings
    expect((await screen(USERS.diego)).rings).toMatchObject([{ what: 'redirect', callId }]);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('redirecting');
    expect(c.bot.notifications.slice(since)).toEqual([]);

    expect((await control('POST', `/people/${USERS.diego}/rings/${ringD.ringId}`, { answer: 'accept' })).status).toBe(
      200,
    );
    const gone = await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.changeType === 'deleted',
      { since },
    );
    expect(gone.item.resourceData).toMatchObject({ state: 'terminated' });
    expect(gone.item.resourceData.resultInfo ?? null).toBeNull();
    await diego.next((s) => s.rings.length === 0);
    adele.close();
    diego.close();
  });

  it('closing the tab gives the person their configured behaviour back; a ring is answered only while held', async () => {
    const phone = await openSoftphone(c.server.httpUrl, USERS.megan);
    await phone.next((s) => s.held);
    phone.close();
    await expect.poll(async () => (await screen(USERS.megan)).held).toBe(false);
    const callId = await c.joinMeeting(MEETING_B); // she is still in meeting A

    const op = await invite(callId, USERS.megan);
    const ring = (await screen(USERS.megan)).rings[0]!;
    expect((await control('POST', `/people/${USERS.megan}/rings/${ring.ringId}`, { answer: 'decline' })).status).toBe(
      409,
    );
    await c.advance(100); // she accepts after 40 ms, as the world file says
    expect((await operationEnd(callId, op)).item.resourceData).toMatchObject({ status: 'Completed' });
  });

  it('a recordResponse the person speaks into: the bot downloads what the softphone uploaded (its last recordedMs)', async () => {
    const callId = await c.incomingCall(USERS.alex);
    await c.answer(callId);
    const rec = await c.raw('POST', `/v1.0/communications/calls/${callId}/recordResponse`, {
      maxRecordDurationInSeconds: 1,
    });
    expect(rec.status).toBe(200);
    const op = rec.body.id as string;
    const path = `${c.server.httpUrl}/_switchboard/people/${USERS.alex}/recordings/${op}`;
    expect((await fetch(`${path}/capture`, { method: 'POST' })).status).toBe(204);
    // 1.5 s of a ramp at 8 kHz: longer than the 1 s recorded, so the download is its last second.
    const samples = Buffer.alloc(12_000 * 2);
    for (let i = 0; i < 12_000; i++) samples.writeInt16LE((i % 2000) - 1000, i * 2);
    const done = c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${callId}/operations/${op}` &&
        n.item.resourceData?.status === 'Completed',
    );
    await c.advance(1_000);
    const { recordingLocation, recordingAccessToken } = (await done).item.resourceData as {
      recordingLocation: string;
      recordingAccessToken: string;
    };
    // The bot downloads before the tab hands its audio over: the download waits for it.
    const download = fetch(recordingLocation.replace(c.server.httpsUrl, c.server.httpUrl), {
      headers: { authorization: `Bearer ${recordingAccessToken}` },
    });
    const bad = await fetch(path, {
      method: 'PUT',
      headers: { 'content-type': 'audio/wav' },
      body: Buffer.from('RIFF0000WAVEnothing at all, really, not a wav file'),
    });
    expect(bad.status).toBe(400);
    expect(
      (await fetch(path, { method: 'PUT', headers: { 'content-type': 'audio/wav' }, body: wavOf(samples) })).status,
    ).toBe(204);
    const wav = Buffer.from(await (await download).arrayBuffer());
    expect(checkWav(wav)).toEqual({ samples: samples.subarray(4_000 * 2) });
  });

  it('refuses a bad answer, an unknown person and a stream without Accept: text/event-stream', async () => {
    expect(await control('POST', `/people/${USERS.megan}/rings/x`, { answer: 'maybe' })).toMatchObject({
      status: 400,
      body: { error: { innerError: expect.anything() } },
    });
    expect((await control('GET', '/people/nobody/phone')).status).toBe(404);
    // Any E.164 number is a person too (a phone of the world, or not).
    expect(await control('GET', `/people/${encodeURIComponent('+15555550123')}/phone`)).toMatchObject({
      status: 200,
      body: { person: { id: '+15555550123', kind: 'phone' }, held: false },
    });
    expect((await control('GET', `/people/${USERS.megan}/softphone`)).status).toBe(400);
  });
});

describePostgres('softphone across instances on PostgreSQL', () => {
  const schemaName = testSchemas();
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('a tab on one instance holds the person on every instance, and closing it releases them everywhere', async () => {
    const schema = schemaName();
    const start = async (): Promise<TestServer> => {
      const s = await startTestServer(fastWorld(null), {
        config: { postgres: TEST_POSTGRES_URL, postgresSchema: schema },
      });
      servers.push(s);
      return s;
    };
    const [a, b] = [await start(), await start()];
    const megan = personKeyOf(USERS.megan);
    const heldOn = (s: TestServer): boolean =>
      reactionsOf(s.sb.directory, TENANT, [{ user: { id: USERS.megan } }]).get(megan)?.afterMs === SOFTPHONE_RING_MS;
    const phone = await openSoftphone(a.httpUrl, USERS.megan);
    await phone.next((s) => s.held);
    expect(heldOn(a)).toBe(true);
    // The other instance rings her the same way: it applies the lease within a poll, and a read catches up first.
    await vi.waitFor(() => expect(heldOn(b)).toBe(true), { timeout: 5000, interval: 50 });
    expect(((await (await fetch(`${b.httpUrl}/_switchboard/people/${USERS.megan}/phone`)).json()) as Screen).held).toBe(
      true,
    );
    phone.close();
    await vi.waitFor(() => expect(heldOn(b)).toBe(false), { timeout: 5000, interval: 50 });
    expect(heldOn(a)).toBe(false);
    // The lease left one row in the shared log: its release superseded the take (and would each renewal).
    const leaseRows = (await b.sb.store.worldChanges.after(0)).filter((c) => c.kind === 'softphone');
    expect(leaseRows.map((c) => [c.body.personKey, c.body.until])).toEqual([[megan, 0]]);
  });
});
