/** The remaining restrictions of spec 1.4 / 6.3: the PSTN support matrix for incoming calls, and 7503 for an app without a calling registration. */
import { describe, expect, it } from 'vitest';
import { decideCreateCall } from '../../src/domain/call.js';
import { decideInvite } from '../../src/domain/invite.js';
import { APP_NOT_REGISTERED_MESSAGE } from '../../src/domain/rejections.js';
import { ALL_CALLING_ROLES, DEFAULT_INSTANCE_ID, defaultWorld } from '../../src/sim/default-world.js';
import { Directory, parseWorld } from '../../src/sim/directory.js';
import type { WorldView } from '../../src/domain/world.js';
import {
  accepted,
  ctx,
  expectRejection,
  invitee,
  inviteState,
  phone,
  principal,
  p2pView,
  reactionsTo,
  user,
  USERS,
  world,
  outcomeOf,
} from './fixtures.js';

describe('PSTN support matrix (spec 1.4 item 8, 9.1)', () => {
  const invitePhone = (over: Parameters<typeof p2pView>[1]) => {
    const cmd = { participants: [invitee(phone('+12345678901'))] };
    return accepted(
      decideInvite(
        principal(ALL_CALLING_ROLES),
        cmd,
        inviteState({ ...p2pView(user(USERS.adele), over), replaced: null }, cmd),
        world(),
        ctx(),
      ),
    );
  };

  it('a call that came in to the bot’s UPN (the app) cannot invite PSTN: the operation will fail 412#10073', () => {
    const r = invitePhone({ direction: 'incoming', applicationInstanceId: null });
    expect(r.operation.status).toBe('Running');
    expect(outcomeOf(r.effects.timers[0])).toBe('pstnNoSponsor');
  });

  it('a call that came in to the bot’s resource account (instance) can; so can a call the bot placed', () => {
    expect(
      outcomeOf(invitePhone({ direction: 'incoming', applicationInstanceId: DEFAULT_INSTANCE_ID }).effects.timers[0]),
    ).toBe('accept');
    expect(outcomeOf(invitePhone({ direction: 'outgoing', applicationInstanceId: null }).effects.timers[0])).toBe(
      'accept',
    );
  });
});

describe('an app without a calling registration (spec 6.3, 9.6)', () => {
  const unregistered = (): WorldView => {
    const w = defaultWorld();
    w.tenants[0]!.apps[0]!.callingRegistered = false;
    return new Directory(w);
  };
  const cmd = {
    callbackUri: 'https://bot.contoso.com/api/calls',
    mediaConfig: {},
    targets: [invitee(user(USERS.adele))],
  };

  it('is refused with the 7503 JSON-string message, before any other check', () => {
    const r = expectRejection(
      decideCreateCall(
        principal([]),
        cmd,
        { meeting: null, reactions: reactionsTo(cmd.targets) },
        { world: unregistered(), apiVersion: 'v1.0' },
        ctx(),
      ),
      'AppNotRegistered',
      null,
    );
    expect(JSON.parse(r.message)).toEqual({
      errorCode: '7503',
      message: 'Application is not registered in our store.',
      instanceAnnotations: [],
    });
    expect(r.message).toBe(APP_NOT_REGISTERED_MESSAGE);
  });

  it('a registered app (the default, also when the world file omits the flag) is not', () => {
    expect(world().app(principal([]).appId)?.app.callingRegistered).not.toBe(false);
    accepted(
      decideCreateCall(
        principal(ALL_CALLING_ROLES),
        cmd,
        { meeting: null, reactions: reactionsTo(cmd.targets) },
        { world: world(), apiVersion: 'v1.0' },
        ctx(),
      ),
    );
  });

  it('the world file flag must be a boolean', () => {
    const w = defaultWorld() as unknown as { tenants: { apps: Record<string, unknown>[] }[] };
    w.tenants[0]!.apps[0]!.callingRegistered = 'no';
    expect(() => parseWorld(w)).toThrow(/apps\[0\]\.callingRegistered must be true or false/);
    w.tenants[0]!.apps[0]!.callingRegistered = false;
    expect(parseWorld(w).tenants[0]!.apps[0]!.callingRegistered).toBe(false);
  });
});
