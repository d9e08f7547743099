/** The tables `Store.reset` empties (both stores have them), each with the `ResetCounts` key it reports under. */
import type { ResetCounts } from './store.js';

/**
 * Every table of run-time state; `schema_migrations` and PostgreSQL's `instances` (who is alive) are not state of
 * the world and stay. Listed in the order commands touch them (conversation first), so PostgreSQL's table locks
 * are taken in the order a concurrent command would take its own, which keeps deadlocks rare.
 */
export const RESET_TABLES: readonly (readonly [table: string, key: keyof ResetCounts, uncounted?: string])[] = [
  ['conversations', 'conversations'],
  ['call_legs', 'calls'],
  ['participants', 'participants'],
  ['operations', 'operations'],
  ['online_meetings', 'onlineMeetings'],
  ['timers', 'timers'],
  // On SQLite the bodies (outbox_bodies) go with their rows: a trigger deletes them (migration 6).
  ['outbox', 'notifications'],
  ['delivery_attempts', 'deliveryAttempts'],
  // Earlier resets' records go too, but they are not changes a reset undoes.
  ['world_changes', 'worldChanges', "kind = 'reset'"],
];

/** The statements emptying one table: the first one's row count is what the reset reports for it. */
export function resetStatements(table: string, uncounted: string | undefined): string[] {
  return uncounted === undefined
    ? [`DELETE FROM ${table}`]
    : [`DELETE FROM ${table} WHERE NOT (${uncounted})`, `DELETE FROM ${table}`];
}

/** The `body` of the `reset` world change a reset appends. */
export const RESET_CHANGE_BODY = '{}';
