/**
 * Every row of every table of a Switchboard SQLite file, read through a separate read-only connection: what a
 * refused request must leave exactly as it was (calls, legs, roster, operations, outbox, attempts, timers).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export type StoreSnapshot = Record<string, unknown[]>;

/** `dataDir` is the server's `--data` directory (the store is `switchboard.db` in it). */
export function storeSnapshot(dataDir: string): StoreSnapshot {
  const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[];
    const out: StoreSnapshot = {};
    // `events` is the change feed, a log: it records refused Graph requests too (the dashboard shows why a bot's
    // request failed), so it is no part of the state a refused request must leave as it was.
    for (const { name } of tables.filter((t) => t.name !== 'events'))
      out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all();
    return out;
  } finally {
    db.close();
  }
}

/** Row counts per table, for a readable failure message next to the full comparison. */
export const rowCounts = (s: StoreSnapshot): Record<string, number> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length]));
