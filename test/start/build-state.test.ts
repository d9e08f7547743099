/**
 * `npm start` rebuilds only a stale tree (scripts/build-state.mjs): no dist/ yet, a source newer than its output, a
 * source without an output, a tsconfig newer than the outputs. An unchanged tree is never rebuilt.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { whyRebuild } from '../../scripts/build-state.mjs';

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (s: number): Date => new Date(T0.getTime() + s * 1000);

describe('whyRebuild (npm start)', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A tree with these sources and outputs, every file stamped `at`. */
  function tree(files: string[], at = T0): void {
    root = mkdtempSync(join(tmpdir(), 'sb-build-state-'));
    for (const file of ['tsconfig.json', 'tsconfig.build.json', ...files]) stamp(file, at, '');
  }
  function stamp(file: string, at: Date, content?: string): void {
    const path = join(root, file);
    if (content !== undefined) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
    utimesSync(path, at, at);
  }

  const built = ['src/cli.ts', 'src/api/calls.ts', 'src/api/types.d.ts', 'dist/src/cli.js', 'dist/src/api/calls.js'];

  it('is null for an unchanged tree (outputs as new as, or newer than, their sources)', () => {
    tree(built);
    expect(whyRebuild(root)).toBeNull();
    stamp('dist/src/cli.js', later(5));
    expect(whyRebuild(root)).toBeNull();
  });

  it('builds when there is no build yet', () => {
    tree(['src/cli.ts']);
    expect(whyRebuild(root)).toBe('no build yet');
  });

  it('rebuilds when a source, however deep, is newer than its own output', () => {
    tree(built);
    stamp('src/api/calls.ts', later(1));
    expect(whyRebuild(root)).toBe('src changed');
  });

  it('rebuilds when a source has no output yet (a new file)', () => {
    tree(built);
    stamp('src/api/new-route.ts', T0, 'export {};');
    expect(whyRebuild(root)).toBe('src changed');
  });

  it('ignores declaration files, which have no output', () => {
    tree(built);
    stamp('src/api/types.d.ts', later(60));
    expect(whyRebuild(root)).toBeNull();
  });

  it('rebuilds when a tsconfig changed after the build', () => {
    tree(built);
    stamp('tsconfig.build.json', later(1));
    expect(whyRebuild(root)).toBe('tsconfig.build.json changed');
  });

  it('never builds a tree without src/ (an installed package: dist/ only)', () => {
    tree(['dist/src/cli.js']);
    expect(whyRebuild(root)).toBeNull();
  });
});
