/** How the simulated people a command rings react (src/sim/reactions.ts): computed from the directory as it stands. */
import { describe, expect, it } from 'vitest';
import { identityKey } from '../../src/domain/identity.js';
import type { IdentitySet } from '../../src/domain/types.js';
import { DEFAULT_TENANT_ID, DEFAULT_USERS, defaultWorld } from '../../src/sim/default-world.js';
import { Directory } from '../../src/sim/directory.js';
import { reactionsOf } from '../../src/sim/reactions.js';
import { personKeyOf, SOFTPHONE_RING_MS } from '../../src/sim/softphone-leases.js';
import { applyWorldChange } from '../../src/sim/world-sync.js';

const user = (id: string): IdentitySet => ({ user: { id } });
const phone = (id: string): IdentitySet => ({ phone: { id } });
const reaction = (d: Directory, identity: IdentitySet) =>
  reactionsOf(d, DEFAULT_TENANT_ID, [identity]).get(identityKey(identity)!);

describe('reactionsOf', () => {
  it('a user answers with their behaviour, found case-insensitively', () => {
    const d = new Directory(defaultWorld());
    expect(reaction(d, user(DEFAULT_USERS.dana))).toEqual({ action: 'decline', afterMs: 2000 });
    expect(reaction(d, user(DEFAULT_USERS.nora.toUpperCase()))).toEqual({ action: 'noAnswer', afterMs: 30000 });
  });

  it('a phone number answers with its own behaviour, else its tenant default', () => {
    const d = new Directory(defaultWorld());
    expect(reaction(d, phone('+14255550199'))).toEqual({ action: 'busy', afterMs: 1000 });
    expect(reaction(d, phone('+15555550123'))).toEqual({ action: 'accept', afterMs: 1500 });
  });

  it('nobody answers for a user the world does not know, a guest or a bot: no entry', () => {
    const d = new Directory(defaultWorld());
    const nobody = [
      user('ffffffff-0000-4000-8000-00000000f00d'),
      { guest: { id: 'g-1' } },
      { application: { id: 'app-1' } },
      { user: { displayName: 'no id' } },
    ];
    expect([...reactionsOf(d, DEFAULT_TENANT_ID, nobody).keys()]).toEqual([]);
  });

  it('is a snapshot: a later control-API change to the person does not reach a decision already given it', () => {
    const d = new Directory(defaultWorld());
    const reactions = reactionsOf(d, DEFAULT_TENANT_ID, [user(DEFAULT_USERS.adele)]);
    d.setBehaviour(DEFAULT_USERS.adele, { answer: { action: 'busy', afterMs: 5 } });
    expect(reactions.get(identityKey(user(DEFAULT_USERS.adele))!)).toEqual({ action: 'accept', afterMs: 1000 });
    expect(reaction(d, user(DEFAULT_USERS.adele))).toEqual({ action: 'busy', afterMs: 5 });
  });

  it('someone a softphone holds rings until the browser answers; the lease runs out or is released, and their behaviour is back', () => {
    const d = new Directory(defaultWorld());
    const dana = user(DEFAULT_USERS.dana);
    const number = phone('+14255550199');
    const change = (seq: number, body: Record<string, unknown>) =>
      applyWorldChange(d, { seq, kind: 'softphone', body, createdAt: 0 });
    expect(
      change(1, {
        personKey: personKeyOf(DEFAULT_USERS.dana.toUpperCase()),
        leaseId: 'tab-1',
        until: Date.now() + 60_000,
      }),
    ).toBeNull();
    expect(
      change(2, { personKey: personKeyOf('+14255550199'), leaseId: 'tab-2', until: Date.now() + 60_000 }),
    ).toBeNull();
    expect(reaction(d, dana)).toEqual({ action: 'noAnswer', afterMs: SOFTPHONE_RING_MS });
    expect(reaction(d, number)).toEqual({ action: 'noAnswer', afterMs: SOFTPHONE_RING_MS });
    // Released (the tab closed), and a lease that ran out (its instance died): the configured behaviours again.
    expect(change(3, { personKey: personKeyOf(DEFAULT_USERS.dana), leaseId: 'tab-1', until: 0 })).toBeNull();
    expect(reaction(d, dana)).toEqual({ action: 'decline', afterMs: 2000 });
    expect(change(4, { personKey: personKeyOf('+14255550199'), leaseId: 'tab-2', until: Date.now() - 1 })).toBeNull();
    expect(reaction(d, number)).toEqual({ action: 'busy', afterMs: 1000 });
    // A reset undoes every run-time change, leases too.
    change(5, { personKey: personKeyOf(DEFAULT_USERS.dana), leaseId: 'tab-3', until: Date.now() + 60_000 });
    applyWorldChange(d, { seq: 6, kind: 'reset', body: {}, createdAt: 0 });
    expect(reaction(d, dana)).toEqual({ action: 'decline', afterMs: 2000 });
    expect(change(7, { personKey: 'user:x' })).toMatch(/required/);
  });
});
