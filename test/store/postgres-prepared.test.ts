import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryPrepared, statementOf } from '../../src/store/postgres/prepared.js';
import { describePostgres, TEST_POSTGRES_URL, testSchemas } from '../helpers/postgres.js';

const freshSchema = testSchemas();

describePostgres('queryPrepared (the queue statements of the PostgreSQL store)', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    const schema = freshSchema();
    // One connection: every query below runs on the same session, so its prepared statements are visible.
    pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 1, options: `-c search_path="${schema}"` });
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query('CREATE TABLE q (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  });
  afterAll(() => pool.end());

  /** The session's prepared statements, by their parameter types (the statement column holds the whole query sent). */
  const prepared = async (): Promise<string[]> =>
    (
      await pool.query<{ types: string }>(
        'SELECT parameter_types::text AS types FROM pg_prepared_statements ORDER BY prepare_time, name',
      )
    ).rows.map((r) => r.types);
  const insert = (id: number, v: string) => statementOf('INSERT INTO q (id, v) VALUES ($1, $2) RETURNING id', [id, v]);
  const count = () => statementOf('SELECT count(*)::int AS n FROM q', []);

  it('prepares each statement text once per connection and answers every statement its rows', async () => {
    expect(await queryPrepared(pool, [insert(1, "it's"), count()])).toEqual([[{ id: 1 }], [{ n: 1 }]]);
    expect(await queryPrepared(pool, [insert(2, 'b'), count()])).toEqual([[{ id: 2 }], [{ n: 2 }]]);
    // Planned once: both texts are prepared on the session, the parameterless one too, and only once each.
    expect(await prepared()).toEqual(['{integer,text}', '{}']);
  });

  it('runs a batch as one transaction, and after a failed batch the connection prepares what it needs again', async () => {
    const other = statementOf('SELECT v FROM q WHERE id = $1', [1]);
    // The duplicate key fails the batch before the new statement's PREPARE runs; the first insert is rolled back.
    await expect(queryPrepared(pool, [insert(3, 'c'), insert(1, 'again'), other])).rejects.toThrow(/duplicate key/);
    expect(await prepared()).toEqual([]);
    expect(await queryPrepared(pool, [other, count(), insert(3, 'c')])).toEqual([
      [{ v: "it's" }],
      [{ n: 2 }],
      [{ id: 3 }],
    ]);
  });
});
