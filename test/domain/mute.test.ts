/** Server mute: call mute/unmute (the bot itself) and participant mute; Completed at once, roster shows isMuted. */
import { describe, expect, it } from 'vitest';
import { decideMuteAll, decideParticipantMute, decideSelfMute } from '../../src/domain/mute.js';
import { isRejection } from '../../src/domain/rejections.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import {
  conversation,
  ctx,
  expectRejection,
  leg,
  only,
  participant,
  principal,
  user,
  USERS,
  view,
} from './fixtures.js';

const adele = participant({ id: 'p-adele', identity: user(USERS.adele) });

describe('call: mute / unmute', () => {
  it('mutes the bot itself: a Completed muteParticipantOperation and a roster update with isMuted true', () => {
    const r = decideSelfMute(view(conversation(), [leg()], [adele]), true, { clientContext: 'c1' }, ctx());
    if (isRejection(r)) throw new Error(r.message);
    expect(r.operation).toMatchObject({
      type: 'muteParticipantOperation',
      status: 'Completed',
      clientContext: 'c1',
      callId: 'leg-1',
    });
    expect(r.effects.operations).toEqual([r.operation]);
    const roster = only(r.effects.notifications[0]);
    expect(roster).toMatchObject({ changeType: 'updated', resourceUrl: '/communications/calls/leg-1/participants' });
    // The whole roster (Graph's roster `updated`): the bot, muted, and Adele.
    expect(roster.resourceData.map((p: { id: string }) => p.id).sort()).toEqual(['bot-p-1', 'p-adele']);
    expect(roster.resourceData.find((p: { id: string }) => p.id === 'bot-p-1')).toMatchObject({ isMuted: true });
  });

  it('unmute of a muted bot sends isMuted false; unmute of an unmuted one changes nothing but still completes', () => {
    const conv = conversation();
    const l = leg();
    const mutedView = view(conv, [l]);
    mutedView.roster = mutedView.roster.map((p) => ({ ...p, isMuted: true }));
    const r = decideSelfMute(mutedView, false, {}, ctx());
    if (isRejection(r)) throw new Error(r.message);
    expect(r.operation.type).toBe('unmuteParticipantOperation');
    expect(only(r.effects.notifications[0]).resourceData[0].isMuted).toBe(false);
    const again = decideSelfMute(view(conv, [l]), false, {}, ctx());
    if (isRejection(again)) throw new Error(again.message);
    expect(again.operation.status).toBe('Completed');
    expect(again.effects.notifications).toEqual([]);
  });

  it('is for group calls and meetings only, and for established calls', () => {
    expectRejection(
      decideSelfMute(view(conversation({ kind: 'peerToPeer' }), [leg()]), true, {}, ctx()),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideSelfMute(view(conversation(), [leg({ state: 'establishing' })]), true, {}, ctx()),
      'CallStateConflict',
      null,
    );
  });

  it('limits clientContext to 256 characters', () => {
    expectRejection(
      decideSelfMute(view(conversation(), [leg()]), true, { clientContext: 'x'.repeat(257) }, ctx()),
      'ClientContextTooLong',
      'clientContext',
    );
  });
});

describe('participant: mute', () => {
  it('mutes another participant and tells every bot leg', () => {
    const other = leg({ id: 'leg-2', myParticipantId: 'bot-p-2' });
    const r = decideParticipantMute(
      principal(ALL_CALLING_ROLES),
      view(conversation(), [leg(), other], [adele]),
      'p-adele',
      {},
      ctx(),
    );
    if (isRejection(r)) throw new Error(r.message);
    expect(r.operation).toMatchObject({ type: 'muteParticipantOperation', status: 'Completed' });
    expect(r.effects.notifications.map((n) => only(n).resourceUrl)).toEqual([
      '/communications/calls/leg-1/participants',
      '/communications/calls/leg-2/participants',
    ]);
    const listed = only(r.effects.notifications[0]).resourceData as { id: string; isMuted: boolean }[];
    expect(listed.map((p) => p.id).sort()).toEqual(['bot-p-1', 'bot-p-2', 'p-adele']);
    expect(listed.find((p) => p.id === 'p-adele')).toMatchObject({ isMuted: true });
  });

  it('needs Calls.JoinGroupCall.All and a participant in the call', () => {
    expectRejection(
      decideParticipantMute(
        principal(['Calls.Initiate.All']),
        view(conversation(), [leg()], [adele]),
        'p-adele',
        {},
        ctx(),
      ),
      'MissingRole',
      null,
    );
    expectRejection(
      decideParticipantMute(principal(ALL_CALLING_ROLES), view(conversation(), [leg()], [adele]), 'nobody', {}, ctx()),
      'ParticipantNotFound',
      'nobody',
    );
  });
});

describe('participant: muteAll', () => {
  const megan = participant({ id: 'p-megan', identity: user(USERS.megan) });
  const mutedAlex = participant({ id: 'p-alex', identity: user(USERS.alex), isMuted: true });

  it('with no list mutes everyone but the bot asking; the operation names them, the roster lists who changed', () => {
    const r = decideMuteAll(
      principal(ALL_CALLING_ROLES),
      view(conversation(), [leg()], [adele, megan, mutedAlex]),
      { clientContext: 'all' },
      ctx(),
    );
    if (isRejection(r)) throw new Error(r.message);
    expect(r.operation).toMatchObject({
      type: 'muteParticipantsOperation',
      status: 'Completed',
      clientContext: 'all',
      participantIds: ['p-adele', 'p-megan', 'p-alex'],
    });
    // Alex was muted already: only Adele and Megan change; one roster update with the whole roster.
    expect(r.effects.participants.map((p) => [p.id, p.isMuted])).toEqual([
      ['p-adele', true],
      ['p-megan', true],
    ]);
    const roster = only(r.effects.notifications[0]);
    expect(roster.resourceData.find((p: { id: string }) => p.id === 'bot-p-1')).toMatchObject({ isMuted: false });
  });

  it('with a list mutes those only (ids in any case, each once); an unknown id is named', () => {
    const r = decideMuteAll(
      principal(ALL_CALLING_ROLES),
      view(conversation(), [leg()], [adele, megan]),
      { participants: ['P-MEGAN', 'p-megan'] },
      ctx(),
    );
    if (isRejection(r)) throw new Error(r.message);
    expect(r.operation.participantIds).toEqual(['p-megan']);
    expect(r.effects.participants.map((p) => p.id)).toEqual(['p-megan']);
    expectRejection(
      decideMuteAll(
        principal(ALL_CALLING_ROLES),
        view(conversation(), [leg()], [adele]),
        { participants: ['p-adele', 'nobody'] },
        ctx(),
      ),
      'ParticipantNotFound',
      'participants[1]',
    );
  });

  it('needs a join role, a group call or meeting, an established call', () => {
    expectRejection(
      decideMuteAll(principal(['Calls.Initiate.All']), view(conversation(), [leg()], [adele]), {}, ctx()),
      'MissingRole',
      null,
    );
    expectRejection(
      decideMuteAll(
        principal(ALL_CALLING_ROLES),
        view(conversation({ kind: 'peerToPeer' }), [leg()], [adele]),
        {},
        ctx(),
      ),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideMuteAll(
        principal(ALL_CALLING_ROLES),
        view(conversation(), [leg({ state: 'establishing' })], [adele]),
        {},
        ctx(),
      ),
      'CallStateConflict',
      null,
    );
  });
});
