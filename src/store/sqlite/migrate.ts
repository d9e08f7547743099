import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

/** Applies every migration newer than the database, each in its own transaction; returns the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,  -- migration number
    name       TEXT NOT NULL,        -- migration name
    applied_at INTEGER NOT NULL      -- epoch ms
  )`);
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  const known = Math.max(0, ...migrations.map((m) => m.version));
  // A newer binary wrote this file: refuse rather than run against a schema we do not understand.
  if (current > known)
    throw new Error(`database schema version ${current} is newer than this build supports (${known})`);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
