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
    // The duplicate key fails the batch before the new statement's Parse runs; the first insert is rolled back.
    await expect(queryPrepared(pool, [insert(3, 'c'), insert(1, 'again'), other])).rejects.toThrow(/duplicate key/);
    expect(await prepared()).toEqual([]);
    expect(await queryPrepared(pool, [other, count(), insert(3, 'c')])).toEqual([
      [{ v: "it's" }],
      [{ n: 2 }],
      [{ id: 3 }],
    ]);
  });

  it('answers each statement its own rows, whether it returns rows or none, Parsed in this batch or before', async () => {
    const plain = (id: number) => statementOf('INSERT INTO q (id, v) VALUES ($1, $2)', [id, 'x']);
    const one = (id: number) => statementOf('SELECT id, v FROM q WHERE id = $1', [id]);
    const ids = () => statementOf('SELECT id FROM q WHERE id >= $1 ORDER BY id', [10]);
    const batch = (base: number) => [plain(base), one(base), plain(base + 1), ids(), one(-1)];
    expect(await queryPrepared(pool, batch(10))).toEqual([[], [{ id: 10, v: 'x' }], [], [{ id: 10 }, { id: 11 }], []]);
    expect(await queryPrepared(pool, batch(12))).toEqual([
      [],
      [{ id: 12, v: 'x' }],
      [],
      [{ id: 10 }, { id: 11 }, { id: 12 }, { id: 13 }],
      [],
    ]);
  });

  it('carries every kind of value a statement binds, and a fraction as a literal PostgreSQL rounds', async () => {
    const tricky = `it's "quoted", a back\\slash \\' and {braces}, commas; E'\\x41' $1`;
    const [echo] = await queryPrepared(pool, [
      statementOf(
        'SELECT $1::text AS t, $2::int AS n, $3::boolean AS b, $4::text AS z, $5::text[] AS a, $6::text[] AS e',
        [tricky, -7, true, null, [tricky, 'plain', ''], []],
      ),
    ]);
    expect(echo).toEqual([{ t: tricky, n: -7, b: true, z: null, a: [tricky, 'plain', ''], e: [] }]);
    // A fraction cannot be Bind text for an integer column; as a literal PostgreSQL rounds it, as before the pipeline.
    expect(
      await queryPrepared(pool, [statementOf('INSERT INTO q (id, v) VALUES ($1, $2) RETURNING id', [20.6, 'f'])]),
    ).toEqual([[{ id: 21 }]]);
    expect(() => statementOf('SELECT $1::text', ['a\0b'])).toThrow(/NUL/);
    expect(() => statementOf('SELECT $1::text[]', [['a\0b']])).toThrow(/NUL/);
  });

  it('commits a batch without waiting for the WAL flush only when asked, and only that batch', async () => {
    const mode = statementOf('SELECT current_setting($1) AS m', ['synchronous_commit']);
    expect(await queryPrepared(pool, [mode], { flush: false })).toEqual([[{ m: 'off' }]]);
    expect(await queryPrepared(pool, [mode])).toEqual([[{ m: 'on' }]]);
    expect(await queryPrepared(pool, [insert(30, 'q'), mode], { flush: false })).toEqual([
      [{ id: 30 }],
      [{ m: 'off' }],
    ]);
    expect(await queryPrepared(pool, [statementOf('SELECT v FROM q WHERE id = $1', [30]), mode])).toEqual([
      [{ v: 'q' }],
      [{ m: 'on' }],
    ]);
  });
});
