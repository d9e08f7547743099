/**
 * The bench's simulated directory: the built-in world (its tenant, bot app with a phone-number resource account)
 * plus a large pool of users `u-<n>` who accept after 0–3 ms, so every invite of a run names a distinct person
 * who answers almost at once. The app's calling webhook is the bench bot.
 */
import { DEFAULT_TENANT_ID, defaultWorld } from '../src/sim/default-world.js';
import type { World } from '../src/sim/directory.js';

export const userId = (n: number): string => `u-${n}`;

/** A distinct E.164 number for invites beyond the user pool (unknown numbers answer per defaultPhoneAnswer). */
export const phoneNumber = (n: number): string => `+1999${String(n).padStart(8, '0')}`;

export function benchWorld(callbackUri: string, users: number): World {
  const w = defaultWorld();
  w.establishMs = 5;
  for (const t of w.tenants) {
    t.defaultPhoneAnswer = { action: 'accept', afterMs: 2 };
    for (const a of t.apps) a.callbackUri = callbackUri;
    // The users live in the bench app's own tenant only: the default world has other tenants (the docs' examples'),
    // and the same user ids there too made every invite name a person of another tenant (403).
    if (t.id !== DEFAULT_TENANT_ID) continue;
    for (let n = 0; n < users; n++)
      t.users.push({ id: userId(n), displayName: `Bench User ${n}`, answer: { action: 'accept', afterMs: n % 4 } });
  }
  return w;
}
