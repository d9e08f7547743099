/** audioRoutingGroups (src/domain/audio-routing.ts): kept on the leg, shaped by routingMode, ids of the call's participants. */
import { describe, expect, it } from 'vitest';
import {
  decideCreateAudioRoutingGroup,
  decideDeleteAudioRoutingGroup,
  decideUpdateAudioRoutingGroup,
  readAudioRoutingGroups,
} from '../../src/domain/audio-routing.js';
import { isRejection } from '../../src/domain/rejections.js';
import type { CallLeg } from '../../src/domain/types.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import { conversation, ctx, expectRejection, leg, participant, principal, user, USERS, view } from './fixtures.js';

const all = principal(ALL_CALLING_ROLES);
const adele = participant({ id: 'p-adele', identity: user(USERS.adele) });
const megan = participant({ id: 'p-megan', identity: user(USERS.megan) });
const meeting = (l: CallLeg = leg()) => view(conversation(), [l], [adele, megan]);

describe('audioRoutingGroups', () => {
  it('create keeps the group on the leg (new version) and sends no notification; list and read find it', () => {
    const r = decideCreateAudioRoutingGroup(
      all,
      meeting(),
      { id: 'g1', routingMode: 'multicast', sources: ['bot-p-1'], receivers: ['P-ADELE', 'p-megan'] },
      ctx(),
    );
    if (isRejection(r)) throw new Error(r.message);
    expect(r.value).toEqual({
      id: 'g1',
      routingMode: 'multicast',
      sources: ['bot-p-1'],
      receivers: ['P-ADELE', 'p-megan'],
    });
    expect(r.effects.notifications).toEqual([]);
    const saved = r.effects.legs[0]!;
    expect(saved.version).toBe(leg().version + 1);
    expect(readAudioRoutingGroups(all, meeting(saved), null)).toEqual([r.value]);
    expect(readAudioRoutingGroups(all, meeting(saved), 'G1')).toEqual([r.value]);
  });

  it('update changes the receivers within the mode; delete removes it; an unknown group is named', () => {
    const created = decideCreateAudioRoutingGroup(
      all,
      meeting(),
      { id: 'g1', routingMode: 'oneToOne', sources: ['p-adele'], receivers: ['bot-p-1'] },
      ctx(),
    );
    if (isRejection(created)) throw new Error(created.message);
    const withGroup = meeting(created.effects.legs[0]);
    const updated = decideUpdateAudioRoutingGroup(all, withGroup, 'g1', { receivers: ['p-megan'] }, ctx());
    if (isRejection(updated)) throw new Error(updated.message);
    expect(updated.value).toEqual({ id: 'g1', routingMode: 'oneToOne', sources: ['p-adele'], receivers: ['p-megan'] });
    expectRejection(
      decideUpdateAudioRoutingGroup(all, withGroup, 'g1', { receivers: ['p-megan', 'bot-p-1'] }, ctx()),
      'InvalidProperty',
      'receivers',
    );
    const deleted = decideDeleteAudioRoutingGroup(all, withGroup, 'g1', ctx());
    if (isRejection(deleted)) throw new Error(deleted.message);
    expect(deleted.legs[0]!.audioRoutingGroups).toEqual([]);
    expectRejection(decideDeleteAudioRoutingGroup(all, withGroup, 'nope', ctx()), 'OperationNotFound', 'nope');
  });

  it.each([
    [
      'an unknown mode',
      { routingMode: 'broadcast', sources: ['p-adele'], receivers: ['p-megan'] },
      'InvalidProperty',
      'routingMode',
    ],
    [
      'a receiver not in the call',
      { routingMode: 'multicast', sources: ['p-adele'], receivers: ['p-megan', 'nobody'] },
      'InvalidProperty',
      'receivers[1]',
    ],
    ['no source', { routingMode: 'multicast', sources: [], receivers: ['p-megan'] }, 'InvalidProperty', 'sources'],
    [
      'an empty id',
      { id: '', routingMode: 'oneToOne', sources: ['p-adele'], receivers: ['p-megan'] },
      'InvalidProperty',
      'id',
    ],
  ])('create refuses %s', (_name, cmd, code, target) => {
    expectRejection(decideCreateAudioRoutingGroup(all, meeting(), cmd, ctx()), code, target);
  });

  it('needs a group-call role, a group call or meeting, an established call', () => {
    const cmd = { routingMode: 'oneToOne', sources: ['p-adele'], receivers: ['p-megan'] };
    expectRejection(
      decideCreateAudioRoutingGroup(principal(['Calls.Initiate.All']), meeting(), cmd, ctx()),
      'MissingRole',
      null,
    );
    expectRejection(
      decideCreateAudioRoutingGroup(all, view(conversation({ kind: 'peerToPeer' }), [leg()], [adele]), cmd, ctx()),
      'CallStateConflict',
      null,
    );
    expectRejection(
      decideCreateAudioRoutingGroup(all, meeting(leg({ state: 'establishing' })), cmd, ctx()),
      'CallStateConflict',
      null,
    );
  });
});
