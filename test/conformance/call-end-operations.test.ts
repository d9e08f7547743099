/**
 * A call that ends takes its unfinished operations with it (every path to `terminated` goes through one service
 * step): a prompt still playing ends Failed 400/8508 and an invite still ringing ends Failed 487, with no
 * notification (the leg is `deleted`). The Graph GET answers 404 then, so they are read through the control API
 * (`GET /_switchboard/calls/{id}/operations`); on the virtual clock their old timers are passed and change nothing.
 */
import type { MediaPrompt } from '@microsoft/msgraph-sdk/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorld } from '../../src/sim/default-world.js';
import type { World } from '../../src/sim/directory.js';
import { inviteUser, MEETING_A, startConformance, USERS, type Conformance } from './fixture.js';

const LONG: MediaPrompt = {
  odataType: '#microsoft.graph.mediaPrompt',
  mediaInfo: {
    odataType: '#microsoft.graph.mediaInfo',
    uri: 'https://bot.contoso.com/prompts/long.wav',
    resourceId: null,
  },
};

/** People ring as long as in the default world (Nora never answers: 30 s), not the fast test world's 40 ms. */
const realRinging = (w: World): void => {
  const answers = new Map(defaultWorld().tenants[0]!.users.map((u) => [u.id, u.answer]));
  for (const u of w.tenants[0]!.users) u.answer = answers.get(u.id) ?? u.answer;
};

describe('operations of a call that ends', () => {
  let c: Conformance;
  beforeAll(async () => {
    c = await startConformance(
      (w) => {
        realRinging(w);
        w.prompts = { defaultMs: 5000, durations: {} };
      },
      { virtual: true },
    );
  });
  afterAll(async () => {
    expect(c.bot.problems).toEqual([]);
    await c.close();
  });

  const hangUp = async (callId: string): Promise<void> => {
    const since = c.bot.notifications.length;
    expect((await c.raw('DELETE', `/v1.0/communications/calls/${callId}`)).status).toBe(204);
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.changeType === 'deleted',
      { since },
    );
  };
  const operationsOf = async (callId: string) => {
    const r = await c.raw('GET', `/_switchboard/calls/${callId}/operations`);
    expect(r.status).toBe(200);
    return r.body as { callEnded: boolean; value: Record<string, unknown>[] };
  };
  /** Moves the clock; how many timers came due on the way. */
  const advanceCounting = async (ms: number): Promise<number> => {
    const r = await c.raw('POST', '/_switchboard/clock/advance', { ms });
    expect(r.status).toBe(200);
    return r.body.timersFired as number;
  };
  const logged = async (callId: string): Promise<number> =>
    (await c.raw('GET', `/_switchboard/notifications?callId=${callId}`)).body.value.length;

  it('a prompt playing when the bot hangs up ends Failed 400/8508; its timer never fires', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const op = await c.kiota.calls.byCallId(callId).playPrompt.post({ prompts: [LONG], clientContext: 'cut-short' });
    expect(op).toMatchObject({ status: 'Running' });
    await c.advance(1000);
    await hangUp(callId);

    expect((await c.raw('GET', `/v1.0/communications/calls/${callId}/operations/${op!.id}`)).status).toBe(404);
    const ended = await operationsOf(callId);
    expect(ended.callEnded).toBe(true);
    expect(ended.value).toHaveLength(1);
    expect(ended.value[0]).toMatchObject({
      id: op!.id,
      type: 'playPromptOperation',
      status: 'Failed',
      clientContext: 'cut-short',
      resultInfo: {
        code: 400,
        subcode: 8508,
        message: 'Action failed, the operation was cancelled: the call has ended.',
      },
    });
    const before = { log: await logged(callId), seen: c.bot.notifications.length };
    expect(await advanceCounting(4500)).toBe(0); // just past the prompt's 5 s: its timer is gone
    expect(await operationsOf(callId)).toEqual(ended);
    expect(await logged(callId)).toBe(before.log);
    expect(
      c.bot.notifications
        .slice(before.seen)
        .filter((n) => n.item.resourceUrl.startsWith(`/communications/calls/${callId}`)),
    ).toEqual([]);
  });

  it('an invite still ringing when the call ends fails 487 naming the invitee; her late answer never comes', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    const invite = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.nora)],
      clientContext: 'still-ringing',
    });
    expect(invite.status).toBe(200);
    expect(invite.body.status).toBe('Running');
    await c.advance(1000);
    await hangUp(callId);

    const ended = await operationsOf(callId);
    const op = ended.value.find((o) => o.id === invite.body.id);
    expect(op).toMatchObject({
      type: 'inviteParticipantsOperation',
      status: 'Failed',
      clientContext: 'still-ringing',
      resultInfo: { code: 487, subcode: 0 },
    });
    expect((op!.resultInfo as { message: string }).message).toMatch(
      new RegExp(
        `^addParticipants failed for participant 8:orgid:${USERS.nora}\\. Underlying reason: The call ended before the invitee answered\\. DiagCode: 487#0\\.@$`,
      ),
    );
    expect(ended.value.filter((o) => o.status === 'Running')).toEqual([]);
    const before = { log: await logged(callId), seen: c.bot.notifications.length };
    expect(await advanceCounting(29_500)).toBe(0); // just past her 30 s of ringing: her answer timer is gone
    expect(await operationsOf(callId)).toEqual(ended);
    expect(await logged(callId)).toBe(before.log);
    expect(c.bot.notifications.slice(before.seen)).toEqual([]);
  });

  it('the same when the person hangs up (another path to terminated): a recording in progress ends Failed 400/8508', async () => {
    const callId = await c.incomingCall(USERS.megan);
    await c.answer(callId);
    const rec = await c.raw('POST', `/v1.0/communications/calls/${callId}/recordResponse`, {
      maxRecordDurationInSeconds: 10,
    });
    expect(rec.body.status).toBe('Running');
    const since = c.bot.notifications.length;
    const act = await c.raw('POST', `/_switchboard/calls/${callId}/participants/${USERS.megan}/actions`, {
      action: 'hangUp',
    });
    expect(act.status).toBe(200);
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}` && n.item.changeType === 'deleted',
      { since },
    );
    const ended = await operationsOf(callId);
    expect(
      ended.value.map((o) => [o.id, o.status, (o.resultInfo as { subcode: number }).subcode, o.completionReason]),
    ).toEqual([[rec.body.id, 'Failed', 8508, 'operationCanceled']]);
    await c.advance(15_000);
    expect(await operationsOf(callId)).toEqual(ended);
    expect(
      c.bot.notifications
        .slice(since)
        .filter((n) => n.item.resourceUrl.startsWith(`/communications/calls/${callId}/operations`)),
    ).toEqual([]);
  });

  it('the control API answers 404 for a call that never existed', async () => {
    const r = await c.raw('GET', '/_switchboard/calls/00000000-0000-4000-8000-000000000000/operations');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('itemNotFound');
  });
});
