/**
 * Spec 9.10 through the Kiota client on the virtual clock: a bot whose callback fails (non-2xx or refused) while its
 * meeting join is establishing loses the call — `deleted`/terminated with 500/3002, delivered once the bot recovers;
 * GET on the call is 404 8522. A world with `endCallOnCallbackFailure: false` only retries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '@microsoft/msgraph-sdk/models/index.js';
import { MEETING_A, ORGANIZER, startConformance, TENANT, type Conformance } from './fixture.js';
import type { ReceivedNotification } from '../helpers/fake-bot.js';

const serviceHosted = { odataType: '#microsoft.graph.serviceHostedMediaConfig' };

function joinBody(callbackUri: string): Call {
  return {
    callbackUri,
    requestedModalities: ['audio'],
    mediaConfig: serviceHosted,
    chatInfo: { odataType: '#microsoft.graph.chatInfo', threadId: MEETING_A, messageId: '0' },
    meetingInfo: {
      odataType: '#microsoft.graph.organizerMeetingInfo',
      organizer: {
        odataType: '#microsoft.graph.identitySet',
        user: { odataType: '#microsoft.graph.identity', id: ORGANIZER, additionalData: { tenantId: TENANT } },
      },
    },
    tenantId: TENANT,
  } as Call;
}

/** What the bot accepted for one call, as `changeType state` lines. */
const accepted = (list: ReceivedNotification[], callId: string): string[] =>
  list
    .filter((n) => n.status === 202 && n.item.resourceUrl === `/communications/calls/${callId}`)
    .map((n) => `${n.item.changeType} ${n.item.resourceData?.state}`);

describe('callback failure while establishing (spec 9.10)', () => {
  let c: Conformance;
  let down = false;
  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true, botRespond: () => (down ? 500 : 202) });
  });
  afterAll(async () => {
    await c.close();
  });

  it('a 500 from the callback ends the establishing join with 500/3002; the bot gets it when it recovers', async () => {
    down = true;
    const call = await c.kiota.calls.post(joinBody(c.bot.url));
    const callId = call!.id!;
    expect(call?.state).toBe('establishing');
    // Short of establishMs: only the establishing notification is due; its delivery fails and ends the call.
    await c.advance(1);
    expect(
      c.bot.notifications.some((n) => n.status === 500 && n.item.resourceUrl === `/communications/calls/${callId}`),
    ).toBe(true);
    const gone = await c.raw('GET', `/v1.0/communications/calls/${callId}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: '8522', message: 'Call not found.' });

    down = false;
    await c.advance(60_000);
    expect(accepted(c.bot.notifications, callId)).toEqual(['updated establishing', 'deleted terminated']);
    const ended = c.bot.notifications.find(
      (n) =>
        n.status === 202 && n.item.changeType === 'deleted' && n.item.resourceUrl === `/communications/calls/${callId}`,
    );
    expect(ended?.item.resourceData?.resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 500,
      subcode: 3002,
      message: 'Server Internal Error. DiagCode: 500#3002.@',
    });
    expect(c.bot.problems).toEqual([]);
  });

  it('a refused connection ends the establishing join too', async () => {
    // A port nothing listens on: bind one, note it, close it.
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const call = await c.kiota.calls.post(joinBody(`http://127.0.0.1:${port}/api/calls`));
    await c.advance(1);
    const gone = await c.raw('GET', `/v1.0/communications/calls/${call!.id!}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('8522');
  });

  it('a failure after the call is established only retries: the call stays', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    down = true;
    const since = c.bot.notifications.length;
    expect((await c.raw('POST', `/v1.0/communications/calls/${callId}/mute`, {})).status).toBe(200);
    await c.advance(1);
    expect(c.bot.notifications.slice(since).some((n) => n.status === 500)).toBe(true);
    const call = await c.raw('GET', `/v1.0/communications/calls/${callId}`);
    expect(call.status).toBe(200);
    expect(call.body.state).toBe('established');
    down = false;
    await c.advance(60_000);
  });
});

describe('callback failure with endCallOnCallbackFailure: false', () => {
  let c: Conformance;
  let down = false;
  beforeAll(async () => {
    c = await startConformance((w) => void (w.endCallOnCallbackFailure = false), {
      virtual: true,
      botRespond: () => (down ? 500 : 202),
    });
  });
  afterAll(async () => {
    await c.close();
  });

  it('keeps the join: it establishes and every notification arrives once the bot recovers', async () => {
    down = true;
    const call = await c.kiota.calls.post(joinBody(c.bot.url));
    const callId = call!.id!;
    await c.advance(1);
    expect(c.bot.notifications.some((n) => n.status === 500)).toBe(true);
    down = false;
    await c.advance(60_000);
    expect(accepted(c.bot.notifications, callId)).toEqual(['updated establishing', 'updated established']);
    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}`)).body.state).toBe('established');
  });
});
