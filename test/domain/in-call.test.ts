/** updateRecordingStatus, changeScreenSharingRole and participant hold music: operations and roster updates. */
import { describe, expect, it } from 'vitest';
import { decideHoldMusic, HOLD_MUSIC_SWITCH_MS } from '../../src/domain/hold-music.js';
import { decideChangeScreenSharingRole, decideUpdateRecordingStatus } from '../../src/domain/in-call.js';
import { decideMediaTimer } from '../../src/domain/media-timer.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import {
  accepted,
  conversation,
  ctx,
  expectRejection,
  leg,
  NOW,
  only,
  p2pView,
  participant,
  principal,
  user,
  USERS,
  view,
} from './fixtures.js';

const bot = principal(ALL_CALLING_ROLES);
const adele = participant({ id: 'p-adele', identity: user(USERS.adele) });
const megan = participant({ id: 'p-megan', identity: user(USERS.megan) });
const appHosted = { '@odata.type': '#microsoft.graph.appHostedMediaConfig', blob: '<blob>' };

describe('call: updateRecordingStatus', () => {
  it("Completed; the bot's participant gets recordingInfo, announced to every bot leg", () => {
    const other = leg({ id: 'leg-2', myParticipantId: 'bot-p-2' });
    const r = accepted(
      decideUpdateRecordingStatus(
        bot,
        view(conversation(), [leg(), other]),
        { status: 'recording', clientContext: 'r' },
        ctx(),
      ),
    );
    expect(r.operation).toMatchObject({
      type: 'updateRecordingStatusOperation',
      status: 'Completed',
      clientContext: 'r',
    });
    expect(r.effects.notifications.map((n) => only(n).resourceUrl)).toEqual([
      '/communications/calls/leg-1/participants',
      '/communications/calls/leg-2/participants',
    ]);
    expect(only(r.effects.notifications[0]).resourceData[0]).toMatchObject({
      id: 'bot-p-1',
      rosterSequenceNumber: 4,
      recordingInfo: { recordingStatus: 'recording', initiator: { application: expect.any(Object) } },
    });
  });

  it('in a peer-to-peer call only the operation (no roster); an unknown status is refused', () => {
    const r = accepted(decideUpdateRecordingStatus(bot, p2pView(user(USERS.alex)), { status: 'notRecording' }, ctx()));
    expect(r.effects.notifications).toEqual([]);
    expectRejection(
      decideUpdateRecordingStatus(bot, p2pView(user(USERS.alex)), { status: 'paused' as never }, ctx()),
      'InvalidProperty',
      'status',
    );
  });
});

describe('call: changeScreenSharingRole', () => {
  it("sharer: the bot's participant sends a videoBasedScreenSharing stream", () => {
    const effects = accepted(
      decideChangeScreenSharingRole(
        bot,
        view(conversation(), [leg({ mediaConfig: appHosted })]),
        { role: 'sharer' },
        ctx(),
      ),
    );
    const streams = only(effects.notifications[0]).resourceData[0].mediaStreams;
    expect(streams).toContainEqual(
      expect.objectContaining({ mediaType: 'videoBasedScreenSharing', direction: 'sendOnly' }),
    );
  });

  it('is for app-hosted media in group calls', () => {
    expectRejection(
      decideChangeScreenSharingRole(bot, view(conversation(), [leg()]), { role: 'sharer' }, ctx()),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideChangeScreenSharingRole(
        bot,
        p2pView(user(USERS.alex), { mediaConfig: appHosted }),
        { role: 'viewer' },
        ctx(),
      ),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideChangeScreenSharingRole(
        bot,
        view(conversation(), [leg({ mediaConfig: appHosted })]),
        { role: 'owner' as never },
        ctx(),
      ),
      'InvalidProperty',
      'role',
    );
  });
});

describe('participant: start/stopHoldMusic', () => {
  it('Running with a timer; then Completed and a roster update with the participant receive-only', () => {
    const v = view(conversation(), [leg()], [adele, megan]);
    const r = accepted(decideHoldMusic(bot, v, 'P-ADELE', true, { clientContext: 'h' }, ctx()));
    expect(r.operation).toMatchObject({
      type: 'startHoldMusicOperation',
      status: 'Running',
      media: { participantId: 'p-adele' },
    });
    expect(r.effects.timers[0]!.dueAt).toBe(NOW + HOLD_MUSIC_SWITCH_MS);
    const held = { ...v, roster: v.roster.map((p) => (p.id === 'p-adele' ? { ...p, onHold: true } : p)) };
    expectRejection(decideHoldMusic(bot, held, 'p-megan', true, {}, ctx()), 'CallStateConflict', null);
    const done = decideMediaTimer(held, r.operation, [], { ...ctx('bbbbbbbb'), now: NOW + HOLD_MUSIC_SWITCH_MS });
    expect(only(done.notifications[0]).resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.startHoldMusicOperation',
      status: 'Completed',
    });
    const roster = only(done.notifications[1]);
    expect(roster.resourceUrl).toBe('/communications/calls/leg-1/participants');
    expect(roster.resourceData.find((p: { id: string }) => p.id === 'p-adele')).toMatchObject({
      mediaStreams: [expect.objectContaining({ mediaType: 'audio', direction: 'receiveOnly' })],
    });
  });

  it('refuses stop for someone not on hold, the bot itself, an unknown participant, and a peer-to-peer call', () => {
    const v = view(conversation(), [leg()], [adele]);
    expectRejection(decideHoldMusic(bot, v, 'p-adele', false, {}, ctx()), 'CallStateConflict', null);
    expectRejection(decideHoldMusic(bot, v, 'bot-p-1', true, {}, ctx()), 'InvalidProperty', 'bot-p-1');
    expectRejection(decideHoldMusic(bot, v, 'nobody', true, {}, ctx()), 'ParticipantNotFound', 'nobody');
    expectRejection(
      decideHoldMusic(bot, p2pView(user(USERS.alex)), 'p2p-caller', true, {}, ctx()),
      'CallStateConflict',
      null,
    );
  });
});
