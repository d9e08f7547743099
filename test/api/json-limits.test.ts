import { describe, expect, it } from 'vitest';
import { checkJsonLimits } from '../../src/api/json-limits.js';

const limits = { maxDepth: 4, maxArrayItems: 3 };
const nested = (n: number): string => '['.repeat(n) + ']'.repeat(n);

describe('checkJsonLimits', () => {
  it('allows nesting up to maxDepth and refuses one level more', () => {
    expect(checkJsonLimits(nested(4), limits)).toBeNull();
    expect(checkJsonLimits(nested(5), limits)?.message).toMatch(/deeper than 4 levels/);
    expect(checkJsonLimits('{"a":{"b":[{"c":1}]}}', limits)).toBeNull();
    expect(checkJsonLimits('{"a":{"b":[{"c":{}}]}}', limits)?.status).toBe(400);
  });

  it('allows maxArrayItems items in one array and refuses one more, at any depth', () => {
    expect(checkJsonLimits('[1,2,3]', limits)).toBeNull();
    expect(checkJsonLimits('[1,2,3,4]', limits)?.message).toMatch(/more than 3 items/);
    expect(checkJsonLimits('{"a":[[1,2],[3,4],[5,6]]}', limits)).toBeNull();
    expect(checkJsonLimits('{"a":[[1,2],[3,4,5,6]]}', limits)?.target).toBe('body');
    // Commas between object members do not count as array items.
    expect(checkJsonLimits('{"a":1,"b":2,"c":3,"d":4,"e":5}', limits)).toBeNull();
  });

  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    expect(checkJsonLimits(`{"a":"${'[,'.repeat(50)}\\"[[[[[["}`, limits)).toBeNull();
    expect(checkJsonLimits(`["\\\\",1,2,3]`, limits)?.message).toMatch(/more than 3 items/);
  });

  it('is linear: a million brackets are refused at the first level over the limit', () => {
    expect(checkJsonLimits('['.repeat(1_000_000), { maxDepth: 64, maxArrayItems: 1000 })?.message).toMatch(
      /deeper than 64/,
    );
  });
});
