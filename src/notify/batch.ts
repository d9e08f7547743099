/**
 * Batching: the notifications one command produces for one call leg (and one callback) travel as one
 * `commsNotifications` POST whose `value` holds them all, in order — as Graph does (e.g. an invitee answering gives
 * the operation `deleted` and the roster `updated` together). A batch is one outbox row, so a retry resends exactly
 * the same items under the same X-Microsoft-Skype-Message-ID, and per-call order is unchanged. Only notifications
 * written in the same transaction are merged, never ones already queued.
 */
import type { OutboundNotification } from '../domain/types.js';

const keyOf = (n: OutboundNotification): string => `${n.callId}\n${n.callbackUri}\n${n.tenantId}\n${n.appId}`;

/** Merges same-call, same-callback notifications into one envelope each, in order of first appearance. */
export function batchByCall(notifications: OutboundNotification[]): OutboundNotification[] {
  // Anything but commsNotifications envelopes is left alone.
  if (notifications.length < 2 || !notifications.every((n) => Array.isArray(n.body.value))) return notifications;
  const batches = new Map<string, { n: OutboundNotification; items: unknown[] }>();
  for (const n of notifications) {
    const key = keyOf(n);
    const batch = batches.get(key);
    if (batch === undefined) batches.set(key, { n, items: [...(n.body.value as unknown[])] });
    else batch.items.push(...(n.body.value as unknown[]));
  }
  return [...batches.values()].map(({ n, items }) => ({ ...n, body: { ...n.body, value: items } }));
}
