/**
 * onlineMeetings requests refused (role, unknown user, bad times, read-only or unknown values, /me with an app
 * token), and meeting joins refused by what the body says about the meeting (unknown join id, passcode, a thread id
 * that was not URL-decoded out of the joinWebUrl, the wrong organizer): each names the property and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformance, TENANT, USERS, type Conformance } from '../fixture.js';
import {
  expectGraphError,
  expectRefused,
  expectUnchanged,
  quietSnapshot,
  send,
  serviceHosted,
  type ExpectedError,
} from './helpers.js';

const bad = (target: string, message?: string | RegExp): ExpectedError => ({
  status: 400,
  code: 'BadRequest',
  target,
  ...(message !== undefined ? { message } : {}),
});
const NO_MEETINGS_APP = { id: '9a0b1c2d-0000-4000-8000-00000000b0b0', secret: 'no-meetings-secret' };

describe('onlineMeetings and meeting joins: errors', () => {
  let c: Conformance;
  let meeting: {
    id: string;
    joinWebUrl: string;
    chatInfo: { threadId: string };
    joinMeetingIdSettings: { joinMeetingId: string; passcode: string };
  };
  let leg: string;

  const joinBody = (): Record<string, unknown> => ({
    '@odata.type': '#microsoft.graph.call',
    callbackUri: c.bot.url,
    requestedModalities: ['audio'],
    mediaConfig: serviceHosted,
    chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: meeting.chatInfo.threadId, messageId: '0' },
    meetingInfo: {
      '@odata.type': '#microsoft.graph.organizerMeetingInfo',
      organizer: { '@odata.type': '#microsoft.graph.identitySet', user: { id: USERS.bob, tenantId: TENANT } },
    },
    tenantId: TENANT,
  });
  const byIdBody = (passcode: string | null): Record<string, unknown> => ({
    '@odata.type': '#microsoft.graph.call',
    callbackUri: c.bot.url,
    mediaConfig: serviceHosted,
    meetingInfo: {
      '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo',
      joinMeetingId: meeting.joinMeetingIdSettings.joinMeetingId,
      passcode,
    },
    tenantId: TENANT,
  });

  beforeAll(async () => {
    c = await startConformance((w) => {
      w.tenants[0]!.apps.push({
        id: NO_MEETINGS_APP.id,
        displayName: 'Calls only',
        secret: NO_MEETINGS_APP.secret,
        roles: ['Calls.JoinGroupCall.All'],
        callbackUri: null,
        instances: [],
      });
    });
    const created = await send(c, 'POST', `/v1.0/users/${USERS.bob}/onlineMeetings`, {
      subject: 'Errors',
      joinMeetingIdSettings: { isPasscodeRequired: true },
    });
    expect(created.status, created.text).toBe(201);
    meeting = created.body;
    const joined = await send(c, 'POST', '/v1.0/communications/calls', joinBody());
    expect(joined.status, joined.text).toBe(201);
    leg = joined.body.id;
    await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${leg}/participants`);
  });
  afterAll(async () => {
    await c.close();
  });

  describe('POST /users/{userId}/onlineMeetings', () => {
    const create = `/v1.0/users/${USERS.bob}/onlineMeetings`;
    it.each([
      [
        'endDateTime before startDateTime',
        { startDateTime: '2026-03-01T15:00:00Z', endDateTime: '2026-03-01T14:00:00Z' },
        bad('endDateTime', /is before startDateTime/),
      ],
      [
        'startDateTime not a date',
        { startDateTime: 'tomorrow' },
        bad('startDateTime', "startDateTime 'tomorrow' is not an ISO 8601 date and time."),
      ],
      [
        'an unknown lobbyBypassSettings.scope',
        { lobbyBypassSettings: { scope: 'nobody' } },
        bad('lobbyBypassSettings.scope', /^lobbyBypassSettings\.scope must be one of organizer, organization/),
      ],
      [
        'a custom passcode',
        { joinMeetingIdSettings: { isPasscodeRequired: true, passcode: '1234' } },
        bad('joinMeetingIdSettings.passcode', /custom passcode is not supported/),
      ],
      [
        'a joinMeetingId of its own',
        { joinMeetingIdSettings: { joinMeetingId: '123' } },
        bad('joinMeetingIdSettings.joinMeetingId', /read-only/),
      ],
      ['subject not a string', { subject: 42 }, bad('subject', 'subject must be of type string or null.')],
    ])('%s: 400 naming it', async (_name, body, expected) => {
      await expectRefused(c, leg, { path: create, body }, expected);
    });

    it('an unknown user: 404 naming userId', async () => {
      await expectRefused(
        c,
        leg,
        { path: '/v1.0/users/00000000-0000-4000-8000-000000000000/onlineMeetings', body: {} },
        { status: 404, code: 'NotFound', target: 'userId', named: '00000000-0000-4000-8000-000000000000' },
      );
    });

    it('an app without OnlineMeetings.ReadWrite.All: 403 Forbidden naming the permission', async () => {
      const token = await c.server.token({ appId: NO_MEETINGS_APP.id, secret: NO_MEETINGS_APP.secret });
      const before = await quietSnapshot(c, leg);
      const res = await send(c, 'POST', create, { subject: 'x' }, { authorization: `Bearer ${token}` });
      expectGraphError(res, { status: 403, code: 'Forbidden', message: /OnlineMeetings\.ReadWrite\.All/ });
      const read = await send(c, 'GET', `${create}/${meeting.id}`, undefined, { authorization: `Bearer ${token}` });
      expectGraphError(read, {
        status: 403,
        code: 'Forbidden',
        message: /OnlineMeetings\.ReadWrite\.All or OnlineMeetings\.Read\.All/,
      });
      await expectUnchanged(c, leg, before);
    });

    it('/me/onlineMeetings with an application token: 400, delegated only', async () => {
      await expectRefused(
        c,
        leg,
        { path: '/v1.0/me/onlineMeetings', body: { subject: 'x' } },
        bad('me', /^\/me request is only valid with delegated authentication flow/),
      );
    });

    it('listing without $filter=JoinWebUrl eq …, or with a URL that is not a Teams join URL: 400 naming it', async () => {
      const list = `/v1.0/users/${USERS.bob}/onlineMeetings`;
      await expectRefused(c, leg, { method: 'GET', path: list }, bad('$filter', /needs \$filter=JoinWebUrl eq/));
      await expectRefused(
        c,
        leg,
        { method: 'GET', path: `${list}?$filter=${encodeURIComponent("subject eq 'x'")}` },
        bad('$filter', /got 'subject eq 'x''/),
      );
      const notTeams = `${list}?$filter=${encodeURIComponent("JoinWebUrl eq 'https://example.com/join/123'")}`;
      await expectRefused(c, leg, { method: 'GET', path: notTeams }, bad('JoinWebUrl', /no \/l\/meetup-join/));
    });

    it('GET of an unknown meeting, or of a meeting under another user: 404', async () => {
      expectGraphError(await send(c, 'GET', `/v1.0/users/${USERS.bob}/onlineMeetings/MSpub3RoZXJl`), {
        status: 404,
        code: 'NotFound',
        target: 'meetingId',
        named: 'MSpub3RoZXJl',
      });
      expectGraphError(await send(c, 'GET', `/v1.0/users/${USERS.adele}/onlineMeetings/${meeting.id}`), {
        status: 404,
        code: 'NotFound',
        target: 'meetingId',
        named: meeting.id,
      });
    });
  });

  describe('joining an API-created meeting: 4xx naming the property, no leg created', () => {
    it.each([
      [
        'an unknown joinMeetingId',
        (b: Record<string, unknown>) => ((b.meetingInfo as Record<string, unknown>).joinMeetingId = '999999999999'),
        bad('meetingInfo.joinMeetingId', /no meeting with join id 999999999999/),
      ],
      [
        'no passcode for a meeting that has one',
        (b: Record<string, unknown>) => ((b.meetingInfo as Record<string, unknown>).passcode = null),
        bad('meetingInfo.passcode', /is required/),
      ],
      [
        'a wrong passcode',
        (b: Record<string, unknown>) => ((b.meetingInfo as Record<string, unknown>).passcode = 'wrong1'),
        bad('meetingInfo.passcode', /does not match/),
      ],
    ])('by joinMeetingId: %s', async (_name, change, expected) => {
      const body = byIdBody(meeting.joinMeetingIdSettings.passcode);
      change(body);
      await expectRefused(c, leg, { path: '/v1.0/communications/calls', body }, expected);
    });

    it.each([
      [
        'the thread still URL-encoded (19%3ameeting_…%40thread.v2)',
        (b: Record<string, unknown>) =>
          ((b.chatInfo as Record<string, unknown>).threadId = encodeURIComponent(meeting.chatInfo.threadId)),
        bad('chatInfo.threadId', /is not a Teams chat thread id/),
      ],
      [
        'the whole joinWebUrl as the thread id',
        (b: Record<string, unknown>) => ((b.chatInfo as Record<string, unknown>).threadId = meeting.joinWebUrl),
        bad('chatInfo.threadId', /is not a Teams chat thread id/),
      ],
      [
        "an organizer who is not the meeting's (context Oid)",
        (b: Record<string, unknown>) =>
          ((b.meetingInfo as { organizer: { user: { id: string } } }).organizer.user.id = USERS.adele),
        bad('meetingInfo.organizer.user.id', /is not the organizer of the meeting/),
      ],
      [
        "the URL's Tid of another tenant",
        (b: Record<string, unknown>) => (b.tenantId = '0b0b0b0b-0000-4000-8000-000000000000'),
        { status: 403, code: '7505', target: 'tenantId' },
      ],
    ])('by joinWebUrl: %s', async (_name, change, expected) => {
      const body = joinBody();
      change(body);
      await expectRefused(c, leg, { path: '/v1.0/communications/calls', body }, expected);
    });

    it('the unchanged bodies are accepted (201), so each refusal above is about its one property', async () => {
      for (const body of [joinBody(), byIdBody(meeting.joinMeetingIdSettings.passcode)]) {
        const res = await send(c, 'POST', '/v1.0/communications/calls', body);
        expect(res.status, res.text).toBe(201);
        expect(res.body.chatInfo.threadId).toBe(meeting.chatInfo.threadId);
        expect(res.body.tenantId).toBe(TENANT);
      }
    });
  });
});
