/**
 * The README's action table is the registry's (issue 14): an action added, removed, or changed in the registry
 * without the README following fails here. `UPDATE_README=1 npx vitest run test/api/readme-surface.test.ts`
 * rewrites the README's copy from the registry (then review the diff).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionSurfaceTable, SURFACE_BEGIN, SURFACE_END } from '../../src/api/actions/surface.js';
import { ACTIONS } from '../../src/api/actions/registry.js';
import { notYet } from '../../src/api/actions/define.js';

const README = new URL('../../README.md', import.meta.url);

function tableIn(readme: string): { before: string; table: string; after: string } {
  const start = readme.indexOf(SURFACE_BEGIN);
  const end = readme.indexOf(SURFACE_END);
  if (start < 0 || end < start)
    throw new Error(`README.md has no action table between "${SURFACE_BEGIN}" and "${SURFACE_END}"`);
  return {
    before: readme.slice(0, start),
    table: readme.slice(start, end + SURFACE_END.length),
    after: readme.slice(end + SURFACE_END.length),
  };
}

describe("the README's supported-surface table of actions", () => {
  it('is the one the registry renders', () => {
    let readme = readFileSync(README, 'utf8');
    const expected = actionSurfaceTable();
    if (process.env.UPDATE_README === '1') {
      const { before, after } = tableIn(readme);
      readme = `${before}${expected}${after}`;
      writeFileSync(README, readme);
    }
    expect(tableIn(readme).table).toBe(expected);
  });

  it('lists every registry action once, and would notice one more', () => {
    const table = actionSurfaceTable();
    for (const a of ACTIONS) expect(table).toContain(`/${a.name}\``);
    const grown = actionSurfaceTable([
      ...ACTIONS,
      notYet({ name: 'lowerHand', on: 'participant', versions: ['beta'], doc: { notifications: '—' } }),
    ]);
    expect(grown).not.toBe(table);
    expect(grown).toContain('`POST /calls/{id}/participants/{id}/lowerHand` | beta only');
  });
});
