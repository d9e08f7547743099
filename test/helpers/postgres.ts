/**
 * PostgreSQL for tests: the server at SWITCHBOARD_TEST_POSTGRES_URL (default: the local trust-auth one), one fresh
 * schema per store, dropped when the file is done. No PostgreSQL: a loud skip locally, a failure in CI.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';

export const TEST_POSTGRES_URL = process.env.SWITCHBOARD_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** null when PostgreSQL answers, else why not. */
export async function postgresUnavailable(url = TEST_POSTGRES_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unavailable = await postgresUnavailable();

/**
 * `describe` that needs PostgreSQL. Without it: fails when CI is set (so a CI run never silently tests less),
 * otherwise warns and skips.
 */
export function describePostgres(name: string, body: () => void): void {
  if (unavailable === null) {
    describe(name, body);
    return;
  }
  const why = `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${unavailable}); set SWITCHBOARD_TEST_POSTGRES_URL`;
  if (process.env.CI) {
    describe(name, () => {
      it('needs PostgreSQL (CI is set, so this is a failure, not a skip)', () => {
        throw new Error(why);
      });
    });
    return;
  }
  console.warn(`\n!!! SKIPPING "${name}": ${why}\n`);
  describe.skip(name, body);
}

/** Drops test schemas (and everything in them) on the test PostgreSQL. */
export async function dropSchemas(names: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    for (const s of names) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Fresh schema names for this test file (`switchboard_test_<random>_<n>`), all dropped after the file. The store
 * creates a schema on first open.
 */
export function testSchemas(): () => string {
  const run = randomBytes(4).toString('hex');
  const made: string[] = [];
  afterAll(async () => {
    if (made.length === 0 || unavailable !== null) return;
    await dropSchemas(made);
  });
  return () => {
    const name = `switchboard_test_${run}_${made.length + 1}`;
    made.push(name);
    return name;
  };
}
