/**
 * PATCH, DELETE, createOrGet and the VideoTeleconferenceId lookup of online meetings (src/domain/online-meeting-changes.ts),
 * as pure decisions over stored meetings; the wire is in test/conformance/online-meetings-changes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { decideCreateOnlineMeeting } from '../../src/domain/online-meeting.js';
import {
  decideCreateOrGetOnlineMeeting,
  decideDeleteOnlineMeeting,
  decideFindByVideoTeleconferenceId,
  decideUpdateOnlineMeeting,
} from '../../src/domain/online-meeting-changes.js';
import { accepted, ctx, expectRejection, OTHER_TENANT, principal, USERS, world } from './fixtures.js';

const WRITE = ['OnlineMeetings.ReadWrite.All'];
const READ = ['OnlineMeetings.Read.All'];
const meeting = accepted(
  decideCreateOnlineMeeting(principal(WRITE), USERS.bob, { subject: 'Weekly', externalId: 'ext-1' }, world(), ctx()),
);

describe('decideUpdateOnlineMeeting', () => {
  it('changes subject, both times and the lobby settings it is given, keeping the rest', () => {
    const m = accepted(
      decideUpdateOnlineMeeting(principal(WRITE), USERS.bob, meeting.id, meeting, {
        subject: 'Renamed',
        startDateTime: '2026-09-09T14:00:00Z',
        endDateTime: '2026-09-09T15:00:00Z',
        lobbyBypassSettings: { isDialInBypassEnabled: true },
      }),
    );
    expect(m).toMatchObject({
      id: meeting.id,
      subject: 'Renamed',
      startDateTime: '2026-09-09T14:00:00.0000000Z',
      endDateTime: '2026-09-09T15:00:00.0000000Z',
      joinWebUrl: meeting.joinWebUrl,
    });
    expect(m.lobbyBypassSettings).toEqual({ scope: meeting.lobbyBypassSettings.scope, isDialInBypassEnabled: true });
  });

  it.each([
    ['a lone startDateTime', { startDateTime: '2026-09-09T14:00:00Z' }, 'endDateTime'],
    ['a lone endDateTime', { endDateTime: '2026-09-09T14:00:00Z' }, 'startDateTime'],
    [
      'an end before the start',
      { startDateTime: '2026-09-09T15:00:00Z', endDateTime: '2026-09-09T14:00:00Z' },
      'endDateTime',
    ],
    [
      'a new organizer',
      { participants: { organizer: { identity: { user: { id: USERS.adele } } } } },
      'participants.organizer',
    ],
    ['join settings', { joinMeetingIdSettings: { isPasscodeRequired: true } }, 'joinMeetingIdSettings'],
    ['another externalId', { externalId: 'ext-2' }, 'externalId'],
  ])('refuses %s (400 naming it)', (_name, cmd, target) => {
    expectRejection(
      decideUpdateOnlineMeeting(principal(WRITE), USERS.bob, meeting.id, meeting, cmd),
      'InvalidProperty',
      target,
    );
  });

  it('needs OnlineMeetings.ReadWrite.All; another user or tenant finds nothing', () => {
    expectRejection(
      decideUpdateOnlineMeeting(principal(READ), USERS.bob, meeting.id, meeting, { subject: 'x' }),
      'Forbidden',
      null,
    );
    expectRejection(
      decideUpdateOnlineMeeting(principal(WRITE), USERS.adele, meeting.id, meeting, { subject: 'x' }),
      'MeetingNotFound',
      'meetingId',
    );
    expectRejection(
      decideUpdateOnlineMeeting(principal(WRITE, { tenantId: OTHER_TENANT }), USERS.bob, meeting.id, meeting, {
        subject: 'x',
      }),
      'MeetingNotFound',
      'meetingId',
    );
  });
});

describe('decideDeleteOnlineMeeting', () => {
  it("returns the user's meeting to delete; an unknown one is 404", () => {
    expect(accepted(decideDeleteOnlineMeeting(principal(WRITE), USERS.bob, meeting.id, meeting)).id).toBe(meeting.id);
    expectRejection(
      decideDeleteOnlineMeeting(principal(WRITE), USERS.bob, 'nope', undefined),
      'MeetingNotFound',
      'meetingId',
    );
  });
});

describe('decideCreateOrGetOnlineMeeting', () => {
  it("gets the user's meeting with that externalId unchanged, else creates one with it", () => {
    const got = accepted(
      decideCreateOrGetOnlineMeeting(
        principal(WRITE),
        USERS.bob,
        { externalId: 'ext-1', subject: 'ignored' },
        [meeting],
        world(),
        ctx('bbbbbbbb'),
      ),
    );
    expect(got).toEqual({ meeting, created: false });
    const made = accepted(
      decideCreateOrGetOnlineMeeting(
        principal(WRITE),
        USERS.adele,
        { externalId: 'ext-1' },
        [meeting],
        world(),
        ctx('bbbbbbbb'),
      ),
    );
    expect(made.created).toBe(true);
    expect(made.meeting).toMatchObject({ externalId: 'ext-1', organizer: { id: USERS.adele } });
    expect(made.meeting.id).not.toBe(meeting.id);
  });

  it('needs externalId, and a startDateTime when endDateTime is given', () => {
    expectRejection(
      decideCreateOrGetOnlineMeeting(principal(WRITE), USERS.bob, { subject: 'x' }, [], world(), ctx()),
      'InvalidProperty',
      'externalId',
    );
    expectRejection(
      decideCreateOrGetOnlineMeeting(
        principal(WRITE),
        USERS.bob,
        { externalId: 'e', endDateTime: '2026-09-09T15:00:00Z' },
        [],
        world(),
        ctx(),
      ),
      'InvalidProperty',
      'startDateTime',
    );
  });
});

describe('decideFindByVideoTeleconferenceId', () => {
  it("finds the caller's tenant's meeting by its VTC id, nothing for another id or tenant", () => {
    expect(meeting.videoTeleconferenceId).toMatch(/^\d{10}$/);
    expect(
      accepted(decideFindByVideoTeleconferenceId(principal(READ), meeting.videoTeleconferenceId!, [meeting])),
    ).toEqual([meeting]);
    expect(accepted(decideFindByVideoTeleconferenceId(principal(READ), '0000000000', [meeting]))).toEqual([]);
    expect(
      accepted(
        decideFindByVideoTeleconferenceId(principal(READ, { tenantId: OTHER_TENANT }), meeting.videoTeleconferenceId!, [
          meeting,
        ]),
      ),
    ).toEqual([]);
  });
});
