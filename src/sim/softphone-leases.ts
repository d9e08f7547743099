/**
 * Which people a browser softphone holds (`/_switchboard/ui/people/{personId}`): while a tab holds a person, "the
 * person in the browser decides" replaces their configured answer behaviour (src/sim/reactions.ts). A hold is a
 * lease: the instance serving the tab's stream renews it while the stream is open and releases it when it closes;
 * if that instance dies, the lease runs out by itself. Leases are recorded as world changes (`softphone`), so every
 * instance on one PostgreSQL database rings the person the same way (src/sim/world-sync.ts).
 *
 * Lease times are real time (Date.now), not the world's clock: they are about a browser tab being open, and a
 * virtual clock moved by hours must not end them.
 */
import { identityKey } from '../domain/identity.js';

/** How long a lease lasts without renewal: three renewals may be missed before the person's behaviour is back. */
export const SOFTPHONE_LEASE_MS = 30_000;
/** How often the serving instance renews an open tab's lease. */
export const SOFTPHONE_RENEW_MS = 10_000;
/**
 * How long a softphone rings before it counts as no answer (408/10057), as a Teams client gives up after about a
 * minute; a shorter ringing timeout of the call (beta ringingTimeoutInSeconds) still cuts it short.
 */
export const SOFTPHONE_RING_MS = 60_000;

const E164 = /^\+[1-9]\d{6,14}$/;

/** The identity key (src/domain/identity.ts) of a person reference: an E.164 number is a phone, anything else a user id. */
export function personKeyOf(ref: string): string {
  return identityKey(E164.test(ref) ? { phone: { id: ref } } : { user: { id: ref } }) ?? '';
}

export const isPhoneNumber = (ref: string): boolean => E164.test(ref);

export class SoftphoneLeases {
  /** person key → lease id → until (epoch ms, real time). */
  readonly #leases = new Map<string, Map<string, number>>();

  /** Takes or renews a lease until `until`; `until` 0 releases it. */
  set(personKey: string, leaseId: string, until: number): void {
    const held = this.#leases.get(personKey) ?? new Map<string, number>();
    if (until > 0) held.set(leaseId, until);
    else held.delete(leaseId);
    if (held.size > 0) this.#leases.set(personKey, held);
    else this.#leases.delete(personKey);
  }

  /** Whether a tab holds the person at `now` (some lease not yet run out). */
  holds(personKey: string, now: number): boolean {
    for (const until of this.#leases.get(personKey)?.values() ?? []) if (until > now) return true;
    return false;
  }

  /** The people held at `now`, by key. */
  held(now: number): string[] {
    return [...this.#leases.keys()].filter((k) => this.holds(k, now));
  }

  clear(): void {
    this.#leases.clear();
  }
}
