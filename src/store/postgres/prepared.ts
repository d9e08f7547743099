/**
 * A PgTx batch's statements as EXECUTEs of statements PREPAREd once per pooled connection. A simple-protocol query
 * (what lets a batch travel in one round trip, inline.ts) is parsed and planned anew on every run; a prepared one is
 * planned once per connection (bench/RESULTS.md: planning was about half the backend CPU of the answer's read batch).
 * The parameters still travel as literals, now as EXECUTE's arguments.
 *
 * PREPARE is not transactional: a batch that fails after its PREPARE ran keeps the statement prepared. So a name is
 * counted as prepared as soon as it is sent, and a rollback forgets them all (`DEALLOCATE ALL`, forgetPrepared).
 */
import type pg from 'pg';
import { inline, literal, type SqlValue } from './inline.js';

/** One statement of a batch: `args` are the literals of an EXECUTE of `sql`, or null to send `sql` as it is. */
export interface Statement {
  sql: string;
  args: string[] | null;
}

const names = new Map<string, string>();
const preparedOn = new WeakMap<object, Set<string>>();
const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/** How many parameters `sql` uses ($1 … $n, every one of them), or -1 when one is skipped (no type to infer). */
function parameterCount(sql: string): number {
  const used = new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const n = Math.max(0, ...used);
  for (let i = 1; i <= n; i++) if (!used.has(i)) return -1;
  return n;
}

const counts = new Map<string, number>();

/** `sql` with `params` as a statement to queue; throws as inline() does for a value no literal can carry. */
export function statementOf(sql: string, params: readonly SqlValue[]): Statement {
  let n = counts.get(sql);
  if (n === undefined) {
    n = PREPARABLE.test(sql) ? parameterCount(sql) : -1;
    counts.set(sql, n);
  }
  if (n < 0 || n > params.length) return { sql: inline(sql, params), args: null };
  return { sql, args: params.slice(0, n).map(literal) };
}

/** The texts to send on `client` for `statements`, PREPAREs first where needed, and where each one's result is. */
export function render(client: object, statements: readonly Statement[]): { texts: string[]; at: number[] } {
  let prepared = preparedOn.get(client);
  if (!prepared) preparedOn.set(client, (prepared = new Set()));
  const texts: string[] = [];
  const at: number[] = [];
  for (const s of statements) {
    if (s.args === null) {
      at.push(texts.length);
      texts.push(s.sql);
      continue;
    }
    let name = names.get(s.sql);
    if (name === undefined) names.set(s.sql, (name = `switchboard_${names.size + 1}`));
    if (!prepared.has(name)) {
      texts.push(`PREPARE ${name} AS ${s.sql}`);
      prepared.add(name);
    }
    at.push(texts.length);
    texts.push(s.args.length === 0 ? `EXECUTE ${name}` : `EXECUTE ${name}(${s.args.join(', ')})`);
  }
  return { texts, at };
}

/** After `DEALLOCATE ALL` on `client` (or when unsure what it holds): prepare everything again there. */
export function forgetPrepared(client: object): void {
  preparedOn.delete(client);
}

/**
 * Runs `statements` on a pooled connection as one simple-protocol query, so in one round trip and as one implicit
 * transaction (PostgreSQL rolls the whole query back if a statement fails), each as an EXECUTE of its text prepared
 * once on that connection: the queue statements (claims, delivery results) were planned anew on every run, about a
 * tenth of PostgreSQL's CPU per invite (bench/RESULTS.md). Returns each statement's rows.
 */
export async function queryPrepared(pool: pg.Pool, statements: readonly Statement[]): Promise<object[][]> {
  const client = await pool.connect();
  let broken = false;
  try {
    const { texts, at } = render(client, statements);
    try {
      const out = (await client.query(texts.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
      const results = Array.isArray(out) ? out : [out];
      return at.map((i) => (results[i]?.rows ?? []) as object[]);
    } catch (err) {
      // Statements after the failing one were not prepared, though counted: start over on this connection.
      forgetPrepared(client);
      await client.query('DEALLOCATE ALL').catch(() => (broken = true));
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

/** One statement run as queryPrepared runs a batch: its rows. */
export async function queryOnePrepared<R extends object>(
  pool: pg.Pool,
  sql: string,
  params: readonly SqlValue[],
): Promise<R[]> {
  const [rows = []] = await queryPrepared(pool, [statementOf(sql, params)]);
  return rows as R[];
}
