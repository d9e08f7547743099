/**
 * A batch of statements sent in one round trip over the extended query protocol, pipelined: each statement is a Bind
 * and an Execute of a statement Parsed once per pooled connection, the parameters travel as Bind values, and one Sync
 * ends the batch. PostgreSQL runs the statements before a Sync as one implicit transaction (rolled back whole if one
 * fails) unless the batch itself says BEGIN, as a simple-protocol query of several statements did.
 *
 * Before, a batch went as one simple-protocol query of `EXECUTE name('literal', …)` texts: PostgreSQL lexed, parsed
 * and analyzed every EXECUTE and its literal arguments, the outbox bodies (whole rosters, tens of KB) included, and
 * Node quoted them into the text (bench/RESULTS.md). node-postgres sends one statement per Sync and waits for it, so
 * the pipeline is a Submittable of its own (PipelinedBatch) that writes the messages itself and reads the answers.
 *
 * A statement the batch cannot bind (a skipped parameter number, a number that is not a safe integer, which only a
 * literal coerces into a BIGINT column) goes as its text with the values written in (inline.ts), unnamed.
 * Parse is not transactional, and statements after a failing one are skipped, though counted as prepared: so a
 * failed batch forgets what its connection holds (`DEALLOCATE ALL`, forgetPrepared).
 */
import pg from 'pg';
import { inline, type SqlValue } from './inline.js';

/** One statement of a batch: `values` are its Bind values, or null to send `sql` as it is (no parameters). */
export interface Statement {
  sql: string;
  values: (string | null)[] | null;
}

const names = new Map<string, string>();
const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/** How many parameters `sql` uses ($1 … $n, every one of them), or -1 when one is skipped (no type to infer). */
function parameterCount(sql: string): number {
  const used = new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const n = Math.max(0, ...used);
  for (let i = 1; i <= n; i++) if (!used.has(i)) return -1;
  return n;
}

const counts = new Map<string, number>();

/** An array as PostgreSQL's array input reads it: every element quoted, `"` and `\` escaped. */
const arrayText = (v: readonly string[]): string =>
  `{${v.map((s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;

/**
 * A parameter as Bind's text, or undefined when it must be a literal instead: a number that is not a safe integer
 * (a literal is numeric, which PostgreSQL rounds or refuses as out of range for an integer column; Bind's text would
 * be refused as malformed).
 */
function bindText(v: SqlValue): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return Number.isSafeInteger(v) ? String(v) : undefined;
  }
  if (typeof v === 'string') {
    if (v.includes('\0')) throw new Error('text values cannot contain NUL characters');
    return v;
  }
  for (const s of v) if (s.includes('\0')) throw new Error('text values cannot contain NUL characters');
  return arrayText(v);
}

/** `sql` with `params` as a statement to queue; throws as inline() does for a value no parameter can carry. */
export function statementOf(sql: string, params: readonly SqlValue[]): Statement {
  let n = counts.get(sql);
  if (n === undefined) {
    n = PREPARABLE.test(sql) ? parameterCount(sql) : -1;
    counts.set(sql, n);
  }
  if (n < 0 || n > params.length) return { sql: inline(sql, params), values: null };
  const values: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const text = bindText(params[i]);
    if (text === undefined) return { sql: inline(sql, params), values: null };
    values.push(text);
  }
  return { sql, values };
}

const INT8_OID = 20;
/** Column values as the store's pool reads them (store.ts): BIGINT as a number, the rest as node-postgres does. */
const parserOf = (oid: number): ((v: string) => unknown) =>
  oid === INT8_OID ? (v: string) => Number(v) : (pg.types.getTypeParser(oid, 'text') as (v: string) => unknown);

/** A statement's result columns: names and parsers (null: it returns no rows). */
interface RowShape {
  names: string[];
  parsers: ((v: string) => unknown)[];
}

/** What a connection holds: the statements Parsed on it and their result columns (from Describe). */
interface ConnectionState {
  prepared: Set<string>;
  shapes: Map<string, RowShape | null>;
}
const states = new WeakMap<object, ConnectionState>();

/** The protocol messages a batch writes, as node-postgres's Connection sends them. */
interface Wire {
  parse(m: { name: string; text: string; types: number[] }): void;
  bind(m: { statement: string; values: (string | null)[] }): void;
  describe(m: { type: 'S' | 'P'; name: string }): void;
  execute(m: { portal: string; rows: number }): void;
  sync(): void;
  stream: { cork?: () => void; uncork?: () => void };
  on(event: 'noData', listener: () => void): void;
  off(event: 'noData', listener: () => void): void;
}

interface Field {
  name: string;
  dataTypeID: number;
}

/**
 * The statements as one pipeline (node-postgres's Submittable): for each, Parse and Describe the first time on this
 * connection, then Bind and Execute; one Sync at the end. Answers arrive in that order: a Describe's RowDescription
 * (or NoData, which node-postgres does not hand to a query, so the batch listens for it) before its statement's
 * rows, each Execute's rows then CommandComplete, and ReadyForQuery after the Sync. After an error PostgreSQL skips
 * to the Sync; node-postgres then hands the error over and nothing else of this batch.
 */
class PipelinedBatch {
  readonly done: Promise<object[][]>;
  #statements: readonly Statement[];
  #rows: object[][];
  #shapes: (RowShape | null)[] = [];
  /** The Describes sent and not yet answered: which statement each is for, and its name when it is kept. */
  #describes: { index: number; name: string | null }[] = [];
  #executing = 0;
  #state: ConnectionState | null = null;
  #wire: Wire | null = null;
  #resolve!: (rows: object[][]) => void;
  #reject!: (err: unknown) => void;
  readonly #onNoData = () => this.#described(null);

  constructor(statements: readonly Statement[]) {
    this.#statements = statements;
    this.#rows = statements.map(() => []);
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  submit(connection: pg.Connection): void {
    const wire = connection as unknown as Wire;
    let state = states.get(connection);
    if (!state) states.set(connection, (state = { prepared: new Set(), shapes: new Map() }));
    this.#state = state;
    this.#wire = wire;
    wire.on('noData', this.#onNoData);
    wire.stream.cork?.();
    try {
      this.#statements.forEach((s, index) => {
        if (s.values === null) {
          wire.parse({ name: '', text: s.sql, types: [] });
          wire.bind({ statement: '', values: [] });
          wire.describe({ type: 'P', name: '' });
          this.#describes.push({ index, name: null });
        } else {
          let name = names.get(s.sql);
          if (name === undefined) names.set(s.sql, (name = `switchboard_${names.size + 1}`));
          if (!state.prepared.has(name)) {
            wire.parse({ name, text: s.sql, types: [] });
            wire.describe({ type: 'S', name });
            state.prepared.add(name);
            this.#describes.push({ index, name });
          } else {
            this.#shapes[index] = state.shapes.get(name) ?? null;
          }
          wire.bind({ statement: name, values: s.values });
        }
        wire.execute({ portal: '', rows: 0 });
      });
      wire.sync();
    } finally {
      wire.stream.uncork?.();
    }
  }

  #described(shape: RowShape | null): void {
    const d = this.#describes.shift();
    if (d === undefined) return;
    this.#shapes[d.index] = shape;
    if (d.name !== null) this.#state?.shapes.set(d.name, shape);
  }

  handleRowDescription(msg: { fields: Field[] }): void {
    this.#described({ names: msg.fields.map((f) => f.name), parsers: msg.fields.map((f) => parserOf(f.dataTypeID)) });
  }

  handleDataRow(msg: { fields: (string | null)[] }): void {
    const shape = this.#shapes[this.#executing];
    const rows = this.#rows[this.#executing];
    if (!shape || !rows) return;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < shape.names.length; i++) {
      const v = msg.fields[i];
      row[shape.names[i]!] = v === null || v === undefined ? null : shape.parsers[i]!(v);
    }
    rows.push(row);
  }

  handleCommandComplete(): void {
    this.#executing++;
  }

  handleEmptyQuery(): void {
    this.#executing++;
  }

  handlePortalSuspended(): void {
    // Never: every Execute asks for all rows.
  }

  handleCopyInResponse(connection: { sendCopyFail(msg: string): void }): void {
    connection.sendCopyFail('No source stream defined');
  }

  handleCopyData(): void {
    // Never: no statement here copies.
  }

  handleError(err: unknown): void {
    this.#wire?.off('noData', this.#onNoData);
    this.#reject(err);
  }

  handleReadyForQuery(): void {
    this.#wire?.off('noData', this.#onNoData);
    this.#resolve(this.#rows);
  }
}

/** Runs `statements` on `client` as one pipeline (one round trip, one Sync); each statement's rows. */
export async function runBatch(client: pg.ClientBase, statements: readonly Statement[]): Promise<object[][]> {
  const batch = new PipelinedBatch(statements);
  client.query(batch);
  return batch.done;
}

/** After `DEALLOCATE ALL` on `client` (or when unsure what it holds): Parse everything again there. */
export function forgetPrepared(client: pg.ClientBase): void {
  states.delete((client as unknown as { connection: object }).connection);
}

/** Makes the transaction it runs in commit without waiting for its WAL to reach disk (see QueryOptions.flush). */
const NO_FLUSH_WAIT = statementOf("SELECT set_config('synchronous_commit', 'off', true)", []);

export interface QueryOptions {
  /**
   * false: the batch's commit does not wait for PostgreSQL to flush its WAL to disk (`synchronous_commit = off` for
   * this transaction only); it is flushed within `wal_writer_delay` (200 ms by default), or before any later commit
   * that waits. For queue bookkeeping only (claims, delivery results): a crash of PostgreSQL itself may forget the
   * last of them, which hands those notifications or timers out again, in order and with the same message id, as a
   * crash of this process between a POST and its result does. Never for commands: what a client was told is stored.
   * A commit that waits cost ~100 µs more backend CPU than one that does not (bench/RESULTS.md).
   */
  flush?: boolean;
}

/**
 * Runs `statements` on a pooled connection as one pipeline, so in one round trip and as one implicit transaction
 * (PostgreSQL rolls the whole batch back if a statement fails), each Parsed once on that connection: the queue
 * statements (claims, delivery results) were planned anew on every run when they went as plain text, about a tenth
 * of PostgreSQL's CPU per invite (bench/RESULTS.md). Returns each statement's rows.
 */
export async function queryPrepared(
  pool: pg.Pool,
  statements: readonly Statement[],
  options: QueryOptions = {},
): Promise<object[][]> {
  const client = await pool.connect();
  let broken = false;
  try {
    try {
      if (options.flush !== false) return await runBatch(client, statements);
      return (await runBatch(client, [NO_FLUSH_WAIT, ...statements])).slice(1);
    } catch (err) {
      // Statements after the failing one were not Parsed, though counted: start over on this connection.
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
  options: QueryOptions = {},
): Promise<R[]> {
  const [rows = []] = await queryPrepared(pool, [statementOf(sql, params)], options);
  return rows as R[];
}
