/**
 * POST /_switchboard/reset returns a running server to its loaded world: after a scenario with calls, a ringing
 * invite (timers), notifications in retry, an online meeting and run-time world changes, every control list is
 * empty, the world is the loaded one, a new call works and no notification of the old calls arrives later, not
 * even after time moves past every old timer and retry. A delivery on the wire during the reset finishes before the
 * reset answers and leaves nothing behind. On the virtual clock, so timers and retries wait until the test moves time.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ResetCounts } from '../../src/store/store.js';
import {
  inviteUser,
  MEETING_A,
  MEETING_B,
  rosterEntry,
  startConformance,
  USERS,
  type Conformance,
} from '../conformance/fixture.js';
import { expectGraphError, sendPlain } from '../conformance/raw/helpers.js';

const json = { 'content-type': 'application/json' };
const FAULT = { on: 'invite', result: { code: 500, subcode: 7106, message: 'injected' } };

describe('POST /_switchboard/reset', () => {
  let c: Conformance;
  /** Bot answers 503 (retry later) while set. */
  let failing = false;
  /** A delivery for this call waits for `release` before the bot answers; `held` resolves when one arrived. */
  let holdCall: string | null = null;
  let release: () => void = () => undefined;
  let held: () => void = () => undefined;

  const control = (method: string, path: string, body?: unknown) =>
    sendPlain(`${c.server.httpUrl}/_switchboard${path}`, {
      method,
      headers: json,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const reset = async (): Promise<ResetCounts> => {
    const res = await control('POST', '/reset');
    expect(res.status).toBe(200);
    const body = res.body as { reset: boolean; dropped: ResetCounts };
    expect(body.reset).toBe(true);
    return body.dropped;
  };
  const aboutCall = (callId: string) => (n: { item: { resourceUrl?: unknown } }) =>
    typeof n.item.resourceUrl === 'string' && n.item.resourceUrl.startsWith(`/communications/calls/${callId}`);

  beforeAll(async () => {
    c = await startConformance(undefined, {
      virtual: true,
      botRespond: async (req) => {
        const body = req.body as { value: { resourceUrl: string }[] };
        if (
          holdCall !== null &&
          body.value.some((v) => v.resourceUrl.startsWith(`/communications/calls/${holdCall}`))
        ) {
          const gate = new Promise<void>((r) => (release = r));
          held();
          await gate;
        }
        return failing ? 503 : 202;
      },
    });
  });
  afterAll(async () => {
    await c.close();
  });

  it('drops calls, operations, notifications in retry, timers, meetings and world changes; a new call works; nothing old arrives later', async () => {
    const old = await c.joinMeeting(MEETING_A);
    // Nora never answers: her invite stays Running with an answer timer.
    expect(
      (
        await c.raw('POST', `/v1.0/communications/calls/${old}/participants/invite`, {
          participants: [inviteUser(USERS.nora)],
        })
      ).status,
    ).toBe(200);
    const meeting = await c.raw('POST', `/v1.0/users/${USERS.bob}/onlineMeetings`, { subject: 'Reset me' });
    expect(meeting.status).toBe(201);
    expect(
      (await control('PUT', `/people/${USERS.megan}/behaviour`, { answer: { action: 'decline', afterMs: 0 } })).status,
    ).toBe(200);
    expect((await control('PUT', '/faults', { faults: [FAULT] })).status).toBe(200);
    // A notification the bot refuses: it waits for its retry (virtual time stands still).
    failing = true;
    expect((await c.raw('POST', `/v1.0/communications/calls/${old}/mute`, {})).status).toBe(200);
    await vi.waitFor(
      async () => {
        const list = (await control('GET', `/notifications?callId=${old}`)).body as { value: { status: string }[] };
        expect(list.value.some((n) => n.status === 'retrying')).toBe(true);
      },
      { timeout: 5000, interval: 20 },
    );
    failing = false;

    const dropped = await reset();
    expect(dropped).toMatchObject({ conversations: 1, calls: 1, onlineMeetings: 1, worldChanges: 2 });
    expect(dropped.participants).toBeGreaterThanOrEqual(2); // the bot and Nora
    expect(dropped.operations).toBeGreaterThanOrEqual(2); // the invite and the mute
    expect(dropped.timers).toBeGreaterThanOrEqual(1);
    expect(dropped.notifications).toBeGreaterThanOrEqual(3);
    expect(dropped.deliveryAttempts).toBeGreaterThanOrEqual(dropped.notifications - 1);

    // Every control list is empty, and the world is the loaded one again.
    expect((await control('GET', '/calls')).body).toEqual({ value: [] });
    expect((await control('GET', '/notifications')).body).toEqual({ value: [] });
    expect((await control('GET', `/calls/${old}`)).status).toBe(404);
    expect((await control('GET', `/calls/${old}/operations`)).status).toBe(404);
    expect((await control('GET', '/faults')).body).toEqual({ faults: [] });
    expect((await control('GET', `/people/${USERS.megan}`)).body).toMatchObject({
      value: [expect.objectContaining({ answer: { action: 'accept', afterMs: 40 } })],
    });
    expect(c.server.sb.directory.user(USERS.megan)?.user.answer).toEqual({ action: 'accept', afterMs: 40 });
    expect((await c.raw('GET', `/v1.0/communications/calls/${old}`)).status).toBe(404);
    expect((await c.raw('GET', `/v1.0/users/${USERS.bob}/onlineMeetings/${meeting.body.id}`)).status).toBe(404);
    expect(await c.server.sb.store.timers.nextDueAt()).toBeNull();

    // Past every old timer and retry: nothing of the old call comes back.
    const mark = c.bot.notifications.length;
    await c.advance(10 * 60_000);
    const fresh = await c.joinMeeting(MEETING_A);
    expect(fresh).not.toBe(old);
    const since = c.bot.notifications.length;
    expect(
      (
        await c.raw('POST', `/v1.0/communications/calls/${fresh}/participants/invite`, {
          participants: [inviteUser(USERS.megan)],
        })
      ).status,
    ).toBe(200);
    await c.advance(100);
    // Megan answers as the loaded world says (accept), not as the dropped change said (decline).
    await c.bot.waitFor(
      (n) =>
        n.item.resourceUrl === `/communications/calls/${fresh}/participants` &&
        rosterEntry(n, USERS.megan) !== undefined &&
        n.item.changeType === 'updated',
      { since },
    );
    await c.advance(10 * 60_000);
    expect(c.bot.notifications.slice(mark).filter(aboutCall(old))).toEqual([]);
    const logged = (await control('GET', '/notifications')).body as { value: { callId: string }[] };
    expect(logged.value.length).toBeGreaterThan(0);
    expect(new Set(logged.value.map((n) => n.callId))).toEqual(new Set([fresh]));
    expect(c.bot.problems).toEqual([]);
  });

  it('refuses a body that asks for something, and changes nothing', async () => {
    const callId = await c.joinMeeting(MEETING_B);
    expectGraphError(await control('POST', '/reset', { keep: 'calls' }), {
      status: 400,
      code: 'BadRequest',
      target: 'keep',
    });
    expectGraphError(await control('POST', '/reset', [1]), { status: 400, code: 'BadRequest', target: 'body' });
    expect(((await control('GET', '/calls')).body as { value: { id: string }[] }).value.map((l) => l.id)).toContain(
      callId,
    );
    expect((await control('POST', '/reset', {})).status).toBe(200);
    expect((await control('GET', '/calls')).body).toEqual({ value: [] });
  });

  it('a delivery on the wire during the reset arrives before the reset answers, and records nothing after it', async () => {
    await reset();
    const callId = await c.joinMeeting(MEETING_B);
    holdCall = callId;
    const arrived = new Promise<void>((r) => (held = r));
    expect((await c.raw('POST', `/v1.0/communications/calls/${callId}/mute`, {})).status).toBe(200);
    await arrived; // the bot has the mute's notification and has not answered it

    let answered = false;
    const resetting = control('POST', '/reset').then((res) => {
      answered = true;
      return res;
    });
    // The rows are gone while the delivery is still on the wire...
    await vi.waitFor(async () => expect((await control('GET', '/notifications')).body).toEqual({ value: [] }), {
      timeout: 5000,
      interval: 20,
    });
    // ...and the reset waits for it: once it answers, no notification of the dropped call can reach the bot any more.
    expect(answered).toBe(false);
    holdCall = null;
    release();
    const res = await resetting;
    expect(res.status).toBe(200);
    expect((res.body as { dropped: ResetCounts }).dropped).toMatchObject({ calls: 1 });
    const mark = c.bot.notifications.length;

    // The delivery's result recorded nothing (no attempt, no row), and nothing is delivered again.
    expect((await control('GET', '/notifications')).body).toEqual({ value: [] });
    await c.advance(10 * 60_000);
    expect(c.bot.notifications.slice(mark).filter(aboutCall(callId))).toEqual([]);
    expect((await control('GET', '/notifications')).body).toEqual({ value: [] });
    // The dispatcher carries on.
    await c.joinMeeting(MEETING_B);
  });
});
