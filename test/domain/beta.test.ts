/**
 * Beta-only properties (src/domain/beta.ts): ringingTimeoutInSeconds (≤ 115, outgoing P2P), endpointType on
 * invitees, and activeModalities / terminationReason / ringingTimeoutInSeconds rendered only for beta.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RINGING_TIMEOUT_SECONDS, onApiVersion, ringWithin } from '../../src/domain/beta.js';
import { decideAnswer, decideCreateCall, decideReject, type CreateCallCommand } from '../../src/domain/call.js';
import { decideInvite } from '../../src/domain/invite.js';
import { callResourceData, toGraphCall, toGraphOperation } from '../../src/domain/render.js';
import { ALL_CALLING_ROLES } from '../../src/sim/default-world.js';
import {
  accepted,
  conversation,
  ctx,
  expectRejection,
  invitee,
  inviteState,
  leg,
  meetingState,
  NOW,
  only,
  principal,
  reactionsTo,
  user,
  USERS,
  view,
  world,
} from './fixtures.js';

const p2p = (over: Record<string, unknown> = {}): CreateCallCommand => ({
  callbackUri: 'https://bot.contoso.com/api/calls',
  mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
  targets: [invitee(user(USERS.nora))],
  ...over,
});
const create = (cmd: CreateCallCommand, apiVersion: 'v1.0' | 'beta') =>
  decideCreateCall(
    principal(ALL_CALLING_ROLES),
    cmd,
    { meeting: null, reactions: reactionsTo(cmd.targets) },
    { world: world(), apiVersion },
    ctx(),
  );

describe('ringingTimeoutInSeconds (beta, outgoing P2P, at most 115 s)', () => {
  it('on beta it cuts the ring short: a callee who would ring 30 s gives no answer after 10 s', () => {
    const r = accepted(create(p2p({ ringingTimeoutInSeconds: 10 }), 'beta'));
    expect(r.leg.ringingTimeoutInSeconds).toBe(10);
    expect(r.effects.timers).toEqual([
      expect.objectContaining({
        kind: 'call.targetAnswer',
        dueAt: NOW + 10_000,
        payload: expect.objectContaining({ outcome: 'noAnswer' }),
      }),
    ]);
    expect(toGraphCall(r.leg, r.conversation)).toMatchObject({ ringingTimeoutInSeconds: 10 });
  });

  it('a callee who answers within the timeout still answers', () => {
    const r = accepted(create(p2p({ targets: [invitee(user(USERS.adele))], ringingTimeoutInSeconds: 115 }), 'beta'));
    expect(r.effects.timers[0]).toMatchObject({
      dueAt: NOW + 1000,
      payload: expect.objectContaining({ outcome: 'accept' }),
    });
  });

  it.each([0, -1, MAX_RINGING_TIMEOUT_SECONDS + 1, 30.5, '30', true])(
    'on beta %j is refused, naming ringingTimeoutInSeconds',
    (value) => {
      expectRejection(
        create(p2p({ ringingTimeoutInSeconds: value }), 'beta'),
        'InvalidProperty',
        'ringingTimeoutInSeconds',
      );
    },
  );

  it('on v1.0 it is not a property of call: ignored (even out of range), not applied, not rendered', () => {
    const r = accepted(create(p2p({ ringingTimeoutInSeconds: 500 }), 'v1.0'));
    expect(r.leg.ringingTimeoutInSeconds).toBeNull();
    expect(r.effects.timers[0]).toMatchObject({
      dueAt: NOW + 30_000,
      payload: expect.objectContaining({ outcome: 'noAnswer' }),
    });
    expect(toGraphCall(r.leg, r.conversation)).not.toHaveProperty('ringingTimeoutInSeconds');
  });

  it('ringWithin keeps a ring shorter than the timeout and turns a longer one into noAnswer at the timeout', () => {
    expect(ringWithin({ action: 'decline', afterMs: 2000 }, 5)).toEqual({ action: 'decline', afterMs: 2000 });
    expect(ringWithin({ action: 'accept', afterMs: 9000 }, 5)).toEqual({ action: 'noAnswer', afterMs: 5000 });
    expect(ringWithin({ action: 'accept', afterMs: 9000 }, null)).toEqual({ action: 'accept', afterMs: 9000 });
  });
});

describe('endpointType on invitees (beta)', () => {
  const invite = (endpointType: unknown, apiVersion: 'v1.0' | 'beta') => {
    const cmd = { participants: [invitee(user(USERS.adele), { endpointType })] };
    return decideInvite(
      principal(ALL_CALLING_ROLES),
      cmd,
      inviteState(meetingState(), cmd),
      world(),
      ctx(),
      apiVersion,
    );
  };

  it('on beta it is echoed as Graph spells it and becomes the participant’s endpointType', () => {
    const r = accepted(invite('VOICEMAIL', 'beta'));
    expect(r.operation.invitees[0]!.echo.endpointType).toBe('voicemail');
    expect(r.effects.participants[0]!.endpointType).toBe('voicemail');
    expect(toGraphOperation(r.operation, 'beta').participants).toEqual([
      expect.objectContaining({ endpointType: 'voicemail' }),
    ]);
  });

  it('on beta an unknown value is refused naming participants[0].endpointType', () => {
    expectRejection(invite('fax', 'beta'), 'InvalidProperty', 'participants[0].endpointType');
  });

  it('on v1.0 it is ignored, and the v1.0 echo has no endpointType key', () => {
    const r = accepted(invite('fax', 'v1.0'));
    expect(r.effects.participants[0]!.endpointType).toBe('default');
    expect(toGraphOperation(r.operation, 'v1.0').participants).toEqual([
      expect.not.objectContaining({ endpointType: expect.anything() }),
    ]);
    expect((toGraphOperation(r.operation, 'v1.0').participants as object[])[0]).not.toHaveProperty('endpointType');
  });
});

describe('activeModalities and terminationReason: beta bodies only', () => {
  const incoming = () =>
    view(conversation({ kind: 'peerToPeer' }), [
      leg({ state: 'incoming', direction: 'incoming', activeModalities: [] }),
    ]);

  it('a v1.0 call has neither; the same call rendered for beta has both', () => {
    const l = leg({ terminationReason: 'AppInitiated' });
    expect(Object.keys(toGraphCall(l, conversation(), 'v1.0'))).not.toEqual(
      expect.arrayContaining(['activeModalities']),
    );
    expect(toGraphCall(l, conversation(), 'v1.0')).not.toHaveProperty('terminationReason');
    expect(toGraphCall(l, conversation(), 'beta')).toMatchObject({
      activeModalities: ['audio'],
      terminationReason: 'AppInitiated',
      ringingTimeoutInSeconds: null,
    });
    // A notification follows the leg's version.
    expect(callResourceData({ ...l, apiVersion: 'beta' }, conversation())).toHaveProperty(
      'terminationReason',
      'AppInitiated',
    );
  });

  it('an incoming leg rejected on beta becomes a beta leg: its `deleted` carries terminationReason AppRejected', () => {
    const e = accepted(decideReject({ reason: 'busy' }, onApiVersion(incoming(), 'beta'), ctx()));
    expect(only(e.notifications[0]).resourceData).toMatchObject({
      state: 'terminated',
      terminationReason: 'AppRejected',
    });
    const v1 = accepted(decideReject({ reason: 'busy' }, onApiVersion(incoming(), 'v1.0'), ctx()));
    expect(only(v1.notifications[0]).resourceData).not.toHaveProperty('terminationReason');
  });

  it('answered on beta: the leg is beta from then on; an established leg keeps the version it has', () => {
    const e = accepted(
      decideAnswer(
        principal(ALL_CALLING_ROLES),
        { acceptedModalities: ['audio'], mediaConfig: {} },
        onApiVersion(incoming(), 'beta'),
        200,
        ctx(),
      ),
    );
    expect(e.legs[0]!.apiVersion).toBe('beta');
    expect(only(e.notifications[0]).resourceData).toHaveProperty('activeModalities');
    const established = view(conversation(), [leg()]);
    expect(onApiVersion(established, 'beta')).toBe(established);
  });
});
