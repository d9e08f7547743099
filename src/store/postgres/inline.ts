/**
 * Statements with their parameters written in as SQL literals, so several can travel in one simple-protocol query
 * ("BEGIN; SELECT …; INSERT …; COMMIT"): node-postgres sends one parameterized statement per round trip, and on a
 * shared 2-core machine those round trips were most of a PostgreSQL transaction's time (see bench/RESULTS.md).
 */

/** A value a statement of this store binds: text, a number, a boolean, null, or an array of text. */
export type SqlValue = string | number | boolean | null | undefined | readonly string[];

/** PostgreSQL string literal (standard_conforming_strings on): quotes doubled; backslashes doubled under E''. */
export function quoteLiteral(s: string): string {
  if (s.includes('\0')) throw new Error('text values cannot contain NUL characters');
  const quoted = `'${s.replace(/'/g, "''")}'`;
  return s.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

export function literal(v: SqlValue): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return quoteLiteral(v);
  return v.length === 0 ? `'{}'` : `ARRAY[${v.map(quoteLiteral).join(', ')}]`;
}

/** `sql` with each `$n` replaced by the literal of `params[n - 1]` (one pass: inserted text is never rescanned). */
export function inline(sql: string, params: readonly SqlValue[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`statement uses $${n} but has ${params.length} parameter(s)`);
    return literal(params[i]);
  });
}
