/**
 * The soak's verdict (bench/scenario-soak.ts soakGrowth): a sawtooth of rows and RSS (retention deletes in rounds)
 * levels off wherever its last sample falls; steady growth does not.
 */
import { describe, expect, it } from 'vitest';
import { soakGrowth } from '../../bench/scenario-soak.js';

interface Sample {
  rows: number;
  rssMiB: number;
  storeMiB: number;
}
const rowsOf = (s: Sample): number => s.rows;
const sample = (rows: number, rssMiB = 1000, storeMiB = 300): Sample => ({ rows, rssMiB, storeMiB });

describe('soakGrowth', () => {
  it('a sawtooth levels off, also when the last sample is at a tooth and the mid-run one in a trough', () => {
    const samples = [15, 30, 30, 29, 28, 27, 28, 30, 29, 28, 30, 29, 28, 29, 30, 29, 28, 30].map((k) =>
      sample(k * 1000),
    );
    samples[4] = sample(60_000); // a tooth in the first half
    samples[samples.length - 1] = sample(61_000); // and one at the very end
    const g = soakGrowth(samples, rowsOf);
    expect(g.rowGrowth).toBeCloseTo(61 / 60, 5);
    expect(g.levels).toBe(true);
  });

  it('rows, RSS or the store growing steadily through the run do not level off', () => {
    const steady = (n: number) => Array.from({ length: 18 }, (_, i) => n + i);
    expect(
      soakGrowth(
        steady(10).map((k) => sample(k * 1000)),
        rowsOf,
      ).levels,
    ).toBe(false);
    expect(
      soakGrowth(
        steady(10).map((k) => sample(30_000, k * 100)),
        rowsOf,
      ).levels,
    ).toBe(false);
    expect(
      soakGrowth(
        steady(10).map((k) => sample(30_000, 1000, k * 30)),
        rowsOf,
      ),
    ).toMatchObject({
      rowGrowth: 1,
      rssGrowth: 1,
      levels: false,
    });
  });

  it('up to 1.2x the first half’s peak is level; beyond it is growth', () => {
    const run = (last: number) => soakGrowth([sample(100), sample(100), sample(100), sample(last)], rowsOf);
    expect(run(120).levels).toBe(true);
    expect(run(121).levels).toBe(false);
  });
});
