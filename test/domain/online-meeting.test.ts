/**
 * Meetings created by an app (src/domain/online-meeting.ts), their join URL (src/domain/meeting-url.ts), and joins
 * of such meetings by URL parts or join meeting id (decideCreateCall with a stored meeting).
 */
import { describe, expect, it } from 'vitest';
import { decideCreateCall, type CreateCallCommand } from '../../src/domain/call.js';
import { buildJoinWebUrl, digitsFrom, parseJoinWebUrl } from '../../src/domain/meeting-url.js';
import {
  decideCreateOnlineMeeting,
  decideFindByJoinWebUrl,
  decideReadOnlineMeeting,
  toGraphOnlineMeeting,
} from '../../src/domain/online-meeting.js';
import type { OnlineMeeting } from '../../src/domain/types.js';
import { NO_REACTIONS } from '../../src/domain/world.js';
import { accepted, APP, ctx, expectRejection, NOW, OTHER_TENANT, principal, TENANT, USERS, world } from './fixtures.js';

const WRITE = ['OnlineMeetings.ReadWrite.All'];
const create = (
  body: Parameters<typeof decideCreateOnlineMeeting>[2] = {},
  roles = WRITE,
  userId: string = USERS.bob,
) => decideCreateOnlineMeeting(principal(roles), userId, body, world(), ctx());

describe('join URL', () => {
  const parts = {
    threadId: '19:meeting_NjA4ZWRi-MTM_@thread.v2',
    messageId: '0',
    tenantId: TENANT,
    organizerId: USERS.bob,
  };

  it('builds the Teams meetup-join URL with lowercase escapes and parses it back', () => {
    const url = buildJoinWebUrl(parts);
    expect(url).toBe(
      `https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA4ZWRi-MTM_%40thread.v2/0?context=%7b%22Tid%22%3a%22${TENANT}%22%2c%22Oid%22%3a%22${USERS.bob}%22%7d`,
    );
    expect(parseJoinWebUrl(url)).toEqual(parts);
  });

  it('parses the documentation example URL (thread.skype, uppercase-free escapes)', () => {
    const doc =
      'https://teams.microsoft.com/l/meetup-join/19%3ameeting_M2IzYzczNTItYmY3OC00MDlmLWJjMzUtYmFiMjNlOTY4MGEz%40thread.skype/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22550fae72-d251-43ec-868c-373732c2704f%22%7d';
    expect(parseJoinWebUrl(doc)).toEqual({
      threadId: '19:meeting_M2IzYzczNTItYmY3OC00MDlmLWJjMzUtYmFiMjNlOTY4MGEz@thread.skype',
      messageId: '0',
      tenantId: TENANT,
      organizerId: USERS.heidi,
    });
  });

  it.each([
    ['not a URL', 'teams meeting', /not an absolute URL/],
    ['no meetup-join path', 'https://teams.microsoft.com/l/chat/19%3aabc%40thread.v2/0', /no \/l\/meetup-join/],
    [
      'a thread that is not one',
      'https://teams.microsoft.com/l/meetup-join/hello/0?context=%7b%7d',
      /not a Teams chat thread id/,
    ],
    ['no context', 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0', /no context=/],
    [
      'context without Oid',
      'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d',
      /lacks Tid or Oid/,
    ],
  ])('refuses %s, saying why', (_name, url, why) => {
    const r = parseJoinWebUrl(url);
    expect('error' in r && r.error).toMatch(why);
  });

  it('derives join meeting ids of the asked length, never starting with 0', () => {
    for (const guid of [
      '00000000-0000-4000-8000-000000000000',
      'ffffffff-ffff-4fff-bfff-ffffffffffff',
      'aaaaaaaa-0000-4000-8000-000000000001',
    ]) {
      expect(digitsFrom(guid, 12)).toMatch(/^[1-9]\d{11}$/);
    }
  });
});

describe('decideCreateOnlineMeeting', () => {
  it('creates a meeting organized by the path user, created by the app, starting now for an hour by default', () => {
    const m = accepted(create({ subject: 'Sync' }));
    expect(m).toMatchObject({
      tenantId: TENANT,
      organizer: { id: USERS.bob, displayName: 'Bob Organizer' },
      createdByAppId: APP,
      subject: 'Sync',
      passcode: null,
      createdAt: NOW,
    });
    expect(m.startDateTime).toBe('2026-01-01T12:00:00.0000000Z');
    expect(m.endDateTime).toBe('2026-01-01T13:00:00.0000000Z');
    expect(m.lobbyBypassSettings).toEqual({ scope: 'organization', isDialInBypassEnabled: false });
    expect(parseJoinWebUrl(m.joinWebUrl)).toEqual({
      threadId: m.threadId,
      messageId: '0',
      tenantId: TENANT,
      organizerId: USERS.bob,
    });
    expect(Buffer.from(m.id, 'base64url').toString()).toBe(`1*${USERS.bob}*0**${m.threadId}`);
    const body = toGraphOnlineMeeting(m);
    expect(body.joinMeetingIdSettings).toMatchObject({
      isPasscodeRequired: false,
      joinMeetingId: m.joinMeetingId,
      passcode: null,
    });
  });

  it('generates a passcode when asked, and keeps the lobby settings given', () => {
    const m = accepted(
      create({
        joinMeetingIdSettings: { isPasscodeRequired: true },
        lobbyBypassSettings: { scope: 'organizer', isDialInBypassEnabled: true },
      }),
    );
    expect(m.passcode).toMatch(/^[A-Za-z0-9]{6}$/);
    expect(m.lobbyBypassSettings).toEqual({ scope: 'organizer', isDialInBypassEnabled: true });
  });

  it.each([
    ['no OnlineMeetings.ReadWrite.All', () => create({}, ['Calls.JoinGroupCall.All']), 'Forbidden', null],
    ['an unknown user', () => create({}, WRITE, '0badf00d-0000-4000-8000-000000000000'), 'UserNotFound', 'userId'],
    [
      'a user of another tenant (as the caller sees it)',
      () => decideCreateOnlineMeeting(principal(WRITE, { tenantId: OTHER_TENANT }), USERS.bob, {}, world(), ctx()),
      'UserNotFound',
      'userId',
    ],
    [
      'end before start',
      () => create({ startDateTime: '2026-01-02T10:00:00Z', endDateTime: '2026-01-02T09:00:00Z' }),
      'InvalidProperty',
      'endDateTime',
    ],
    ['a start that is no date', () => create({ startDateTime: '2026-13-45' }), 'InvalidProperty', 'startDateTime'],
    [
      'a custom passcode',
      () => create({ joinMeetingIdSettings: { passcode: 'abc' } }),
      'InvalidProperty',
      'joinMeetingIdSettings.passcode',
    ],
  ])('refuses %s', (_name, run, code, target) => {
    expectRejection(run(), code, target);
  });

  it("reads only the path user's meeting in the caller's tenant", () => {
    const m = accepted(create());
    expect(decideReadOnlineMeeting(principal(['OnlineMeetings.Read.All']), USERS.bob, m.id, m)).toBe(m);
    expectRejection(decideReadOnlineMeeting(principal(WRITE), USERS.adele, m.id, m), 'MeetingNotFound', 'meetingId');
    expectRejection(
      decideReadOnlineMeeting(principal(WRITE, { tenantId: OTHER_TENANT }), USERS.bob, m.id, m),
      'MeetingNotFound',
      'meetingId',
    );
    expectRejection(
      decideReadOnlineMeeting(principal(WRITE), USERS.bob, 'nope', undefined),
      'MeetingNotFound',
      'meetingId',
    );
    expectRejection(
      decideReadOnlineMeeting(principal(['Calls.JoinGroupCall.All']), USERS.bob, m.id, m),
      'Forbidden',
      null,
    );
  });
});

describe('decideFindByJoinWebUrl', () => {
  const m = accepted(create());
  const byThread = (threadId: string) => (threadId === m.threadId ? m : undefined);

  it("finds the path user's meeting by the thread in its URL; anyone else's, or an unknown thread, is an empty list", () => {
    expect(decideFindByJoinWebUrl(principal(WRITE), USERS.bob, m.joinWebUrl, byThread)).toEqual([m]);
    expect(decideFindByJoinWebUrl(principal(WRITE), USERS.adele, m.joinWebUrl, byThread)).toEqual([]);
    expect(
      decideFindByJoinWebUrl(principal(WRITE, { tenantId: OTHER_TENANT }), USERS.bob, m.joinWebUrl, byThread),
    ).toEqual([]);
    expect(
      decideFindByJoinWebUrl(
        principal(WRITE),
        USERS.bob,
        m.joinWebUrl.replace(/meeting_[^%]+/, 'meeting_other'),
        byThread,
      ),
    ).toEqual([]);
  });

  it('refuses a URL that is not a Teams join URL (naming JoinWebUrl) and a caller without a meetings role', () => {
    expectRejection(
      decideFindByJoinWebUrl(principal(WRITE), USERS.bob, 'https://example.com/x', byThread),
      'InvalidProperty',
      'JoinWebUrl',
    );
    expectRejection(
      decideFindByJoinWebUrl(principal(['Calls.JoinGroupCall.All']), USERS.bob, m.joinWebUrl, byThread),
      'Forbidden',
      null,
    );
  });
});

describe('joining an API-created meeting (decideCreateCall with the stored meeting)', () => {
  const stored: OnlineMeeting = accepted(
    create({ joinMeetingIdSettings: { isPasscodeRequired: true }, lobbyBypassSettings: { scope: 'organizer' } }),
  );
  const base = {
    callbackUri: 'https://bot.contoso.com/api/calls',
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    tenantId: TENANT,
  };
  const join = (cmd: CreateCallCommand) =>
    decideCreateCall(
      principal(['Calls.JoinGroupCall.All']),
      cmd,
      { meeting: null, stored, reactions: NO_REACTIONS },
      { world: world(), apiVersion: 'v1.0' },
      ctx('cccccccc'),
    );
  const byUrl = (organizerId: string = USERS.bob, threadId = stored.threadId): CreateCallCommand => ({
    ...base,
    chatInfo: { threadId, messageId: '0' },
    meetingInfo: {
      '@odata.type': '#microsoft.graph.organizerMeetingInfo',
      organizer: { user: { id: organizerId, tenantId: TENANT } },
    },
  });
  const byId = (joinMeetingId: string, passcode: string | null): CreateCallCommand => ({
    ...base,
    meetingInfo: { '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo', joinMeetingId, passcode },
  });

  it("by URL parts: a meeting conversation created by the app, with the meeting's lobby rule", () => {
    const { conversation } = accepted(join(byUrl()));
    expect(conversation).toMatchObject({
      kind: 'meeting',
      meetingId: stored.id,
      meetingCreatedByAppId: APP,
      chatInfo: { threadId: stored.threadId },
    });
    expect(conversation.lobby).toEqual({
      scope: 'organizer',
      isDialInBypassEnabled: false,
      organizerId: USERS.bob,
      tenantId: TENANT,
    });
  });

  it("by join meeting id and passcode: the meeting's thread", () => {
    const { conversation } = accepted(join(byId(stored.joinMeetingId, stored.passcode)));
    expect(conversation).toMatchObject({
      joinedWith: 'joinMeetingId',
      chatInfo: { threadId: stored.threadId },
      meetingId: stored.id,
    });
  });

  it.each([
    ['another organizer', () => byUrl(USERS.adele), 'meetingInfo.organizer.user.id'],
    ['an encoded thread', () => byUrl(USERS.bob, encodeURIComponent(stored.threadId)), 'chatInfo.threadId'],
    ['no passcode', () => byId(stored.joinMeetingId, null), 'meetingInfo.passcode'],
    ['a wrong passcode', () => byId(stored.joinMeetingId, 'nope00'), 'meetingInfo.passcode'],
  ])('refuses %s, naming the property', (_name, cmd, target) => {
    expectRejection(join(cmd()), 'InvalidProperty', target);
  });
});
