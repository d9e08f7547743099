import type { ClientBase } from 'pg';
import { PG_MIGRATIONS, type PgMigration } from './migrations.js';

/** Quotes a schema name for SQL; only plain identifiers are accepted. */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new Error(`invalid PostgreSQL schema name '${schema}' (letters, digits, _)`);
  return `"${schema}"`;
}

/**
 * Applies every migration newer than the database, each in its own transaction; returns the versions applied.
 * Several instances may start at once: a session advisory lock (keyed by the search_path, so two schemas of one
 * database migrate independently) makes them take turns, and the later ones find nothing left to apply.
 */
export async function migratePostgres(
  client: ClientBase,
  opts: { schema?: string; migrations?: readonly PgMigration[] } = {},
): Promise<number[]> {
  const migrations = opts.migrations ?? PG_MIGRATIONS;
  const lockKey = "hashtextextended('switchboard.migrate:' || current_setting('search_path'), 0)";
  await client.query(`SELECT pg_advisory_lock(${lockKey})`);
  try {
    if (opts.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(opts.schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,  -- migration number
      name       TEXT NOT NULL,        -- migration name
      applied_at BIGINT NOT NULL       -- epoch ms
    )`);
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    const known = Math.max(0, ...migrations.map((m) => m.version));
    // A newer build migrated this database: refuse rather than run against a schema we do not understand.
    if (current > known)
      throw new Error(`database schema version ${current} is newer than this build supports (${known})`);
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${lockKey})`);
  }
}
