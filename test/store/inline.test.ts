import { describe, expect, it } from 'vitest';
import { inline, quoteLiteral } from '../../src/store/postgres/inline.js';

describe('inline (PostgreSQL statements with literal parameters)', () => {
  it('quotes text, doubling quotes, and backslashes only under E', () => {
    expect(quoteLiteral("O'Brien")).toBe("'O''Brien'");
    expect(quoteLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(quoteLiteral("\\'")).toBe(" E'\\\\'''");
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });

  it('replaces every placeholder once, by number, never rescanning inserted text', () => {
    expect(inline('SELECT $1, $2, $1, $10', ['$2', 7, null, null, null, null, null, null, null, true])).toBe(
      "SELECT '$2', 7, '$2', TRUE",
    );
    expect(inline('x = ANY($1::text[]) AND y = ANY($2::text[])', [['a', "b'"], []])).toBe(
      "x = ANY(ARRAY['a', 'b''']::text[]) AND y = ANY('{}'::text[])",
    );
    expect(inline('SELECT $1', [undefined])).toBe('SELECT NULL');
  });

  it('refuses a placeholder without a parameter and a non-finite number', () => {
    expect(() => inline('SELECT $2', ['a'])).toThrow(/\$2/);
    expect(() => inline('SELECT $1', [Number.NaN])).toThrow(/finite/);
    expect(() => inline('SELECT $1', [Infinity])).toThrow(/finite/);
  });
});
