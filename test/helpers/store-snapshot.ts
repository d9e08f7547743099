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
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    const out: StoreSnapshot = {};
    for (const { name } of tables) out[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all();
    return out;
  } finally {
    db.close();
  }
}

/** Row counts per table, for a readable failure message next to the full comparison. */
export const rowCounts = (s: StoreSnapshot): Record<string, number> => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length]));
