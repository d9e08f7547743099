/**
 * The deciders read the world through a read-only WorldView and take people's reactions as data
 * (src/domain/world.ts): a plain object is world enough, and the reaction handed in is what the answer timer carries.
 */
import { describe, expect, it } from 'vitest';
import { decideCreateCall } from '../../src/domain/call.js';
import { decideInvite } from '../../src/domain/invite.js';
import { decideTransfer } from '../../src/domain/transfer.js';
import {
  FAILURE_DELAY_MS,
  invitationIdentities,
  NO_REACTIONS,
  ringOutcome,
  type Reactions,
  type WorldView,
} from '../../src/domain/world.js';
import {
  accepted,
  APP,
  ctx,
  invitee,
  inviteState,
  meetingState,
  NOW,
  p2pView,
  phone,
  principal,
  TENANT,
  user,
  USERS,
  outcomeOf,
} from './fixtures.js';

const ROLES = ['Calls.Initiate.All', 'Calls.InitiateGroupCall.All'];
const tenant = { id: TENANT, displayName: 'Contoso' };
const app = {
  id: APP,
  displayName: 'Bot',
  roles: ROLES,
  callbackUri: null,
  instances: [{ id: 'inst-1', displayName: 'Line', phoneNumber: '+14255550100' }],
};
const people = { [USERS.adele.toLowerCase()]: { id: USERS.adele, displayName: 'Adele Vance' } };

/** A world of one tenant, one app and one user, with no behaviour anywhere: nothing but the WorldView interface. */
const plainWorld: WorldView = {
  tenant: (id) => (id.toLowerCase() === TENANT.toLowerCase() ? tenant : undefined),
  app: (id) => (id.toLowerCase() === APP.toLowerCase() ? { app, tenant } : undefined),
  instance: (id) => (id === 'inst-1' ? { instance: app.instances[0]!, app, tenant } : undefined),
  user: (id) => {
    const u = people[id.toLowerCase()];
    return u ? { user: u, tenant } : undefined;
  },
  meetingByThreadId: () => undefined,
  meetingByJoinId: () => undefined,
  establishMs: 250,
};

const reactions = (
  entries: [string, { action: 'accept' | 'decline' | 'busy' | 'noAnswer'; afterMs: number }][],
): Reactions => new Map(entries);
const CB = 'https://bot.contoso.com/api/calls';

describe('reactions as data', () => {
  it('invite: the timer carries the reaction handed in; an identity without one fails as notFound', () => {
    const cmd = { participants: [invitee(user(USERS.adele)), invitee(user(USERS.alex))] };
    const state = {
      ...inviteState(meetingState(), cmd),
      reactions: reactions([[`user:${USERS.adele.toLowerCase()}`, { action: 'busy', afterMs: 42 }]]),
    };
    const r = accepted(decideInvite(principal(ROLES), cmd, state, plainWorld, ctx()));
    expect(r.effects.timers.map((t) => [outcomeOf(t), t.dueAt - NOW])).toEqual([
      ['busy', 42],
      ['notFound', FAILURE_DELAY_MS],
    ]);
  });

  it('invite: Graph’s PSTN rules come before the person (no resource account number: pstnNoSponsor)', () => {
    const noNumber: WorldView = {
      ...plainWorld,
      app: (id) => (id === APP ? { app: { ...app, instances: [] }, tenant } : undefined),
    };
    const cmd = { participants: [invitee(phone('+12345678901'))] };
    const state = {
      ...inviteState(meetingState(), cmd),
      reactions: reactions([['phone:+12345678901', { action: 'accept', afterMs: 10 }]]),
    };
    expect(outcomeOf(accepted(decideInvite(principal(ROLES), cmd, state, noNumber, ctx())).effects.timers[0])).toBe(
      'pstnNoSponsor',
    );
    expect(accepted(decideInvite(principal(ROLES), cmd, state, plainWorld, ctx())).effects.timers[0]).toMatchObject({
      dueAt: NOW + 10,
      payload: { outcome: 'accept' },
    });
  });

  it('create call: the target’s reaction drives its answer timer, and the world view its establishment', () => {
    const cmd = {
      callbackUri: CB,
      mediaConfig: {},
      targets: [invitee(user(USERS.adele)), invitee(user(USERS.alex))],
      chatInfo: { threadId: '19:x@thread.v2' },
    };
    const state = {
      meeting: null,
      reactions: reactions([[`user:${USERS.alex.toLowerCase()}`, { action: 'decline', afterMs: 7 }]]),
    };
    const r = accepted(
      decideCreateCall(principal(ROLES), cmd, state, { world: plainWorld, apiVersion: 'v1.0' }, ctx()),
    );
    expect(r.effects.timers.map((t) => [t.kind, outcomeOf(t), t.dueAt - NOW])).toEqual([
      ['invitee.answer', 'notFound', FAILURE_DELAY_MS],
      ['invitee.answer', 'decline', 7],
      ['call.established', null, 250],
    ]);
  });

  it('transfer: the target’s reaction is the transfer’s outcome', () => {
    const cmd = { transferTarget: invitee(user(USERS.adele)) };
    const state = {
      ...p2pView(user(USERS.alex)),
      replaced: null,
      reactions: reactions([[`user:${USERS.adele.toLowerCase()}`, { action: 'noAnswer', afterMs: 9 }]]),
    };
    const e = decideTransfer(principal(ROLES), cmd, state, plainWorld, ctx());
    expect(e).toMatchObject({ timers: [{ dueAt: NOW + 9, payload: { outcome: 'noAnswer' } }] });
  });

  it('ringOutcome: the reaction, or notFound after FAILURE_DELAY_MS', () => {
    expect(ringOutcome(NO_REACTIONS, user(USERS.adele))).toEqual({ action: 'notFound', afterMs: FAILURE_DELAY_MS });
    expect(
      ringOutcome(
        reactions([[`user:${USERS.adele.toLowerCase()}`, { action: 'accept', afterMs: 1 }]]),
        user(USERS.adele.toUpperCase()),
      ),
    ).toEqual({ action: 'accept', afterMs: 1 });
  });

  it('invitationIdentities: the cleaned identity sets of a list or of one input; entries without one are skipped', () => {
    expect(invitationIdentities([invitee(user(USERS.adele)), { identity: null }, null, 'x'])).toEqual([
      { user: { id: USERS.adele } },
    ]);
    expect(invitationIdentities(invitee(phone('+12345678901')))).toEqual([{ phone: { id: '+12345678901' } }]);
    expect(invitationIdentities(undefined)).toEqual([]);
  });
});
