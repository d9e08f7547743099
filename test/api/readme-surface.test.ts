/**
 * The README's supported-surface tables are the registries' (issue 14): a resource route of the route table
 * (src/api/routes/table.ts) or an action of the action registry (src/api/actions/) added, removed, or changed
 * without the README following fails here. `UPDATE_README=1 npx vitest run test/api/readme-surface.test.ts`
 * rewrites the README's copies from the registries (then review the diff).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionSurfaceTable, SURFACE_BEGIN, SURFACE_END } from '../../src/api/actions/surface.js';
import { ACTIONS } from '../../src/api/actions/registry.js';
import { notYet } from '../../src/api/actions/define.js';
import { notYet as notYetRoute, graphPathOf } from '../../src/api/routes/define.js';
import { ROUTES } from '../../src/api/routes/table.js';
import { ROUTE_SURFACE_BEGIN, ROUTE_SURFACE_END, routeSurfaceTable } from '../../src/api/routes/surface.js';

const README = new URL('../../README.md', import.meta.url);

function tableIn(readme: string, begin: string, end: string): { before: string; table: string; after: string } {
  const start = readme.indexOf(begin);
  const stop = readme.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`README.md has no table between "${begin}" and "${end}"`);
  return {
    before: readme.slice(0, start),
    table: readme.slice(start, stop + end.length),
    after: readme.slice(stop + end.length),
  };
}

/** The README's copy of a generated table; with UPDATE_README=1 it is first rewritten to `expected`. */
function readmeTable(begin: string, end: string, expected: string): string {
  let readme = readFileSync(README, 'utf8');
  if (process.env.UPDATE_README === '1') {
    const { before, after } = tableIn(readme, begin, end);
    readme = `${before}${expected}${after}`;
    writeFileSync(README, readme);
  }
  return tableIn(readme, begin, end).table;
}

describe("the README's supported-surface table of actions", () => {
  it('is the one the registry renders', () => {
    const expected = actionSurfaceTable();
    expect(readmeTable(SURFACE_BEGIN, SURFACE_END, expected)).toBe(expected);
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

describe("the README's supported-surface table of resource routes", () => {
  it('is the one the route table renders', () => {
    const expected = routeSurfaceTable();
    expect(readmeTable(ROUTE_SURFACE_BEGIN, ROUTE_SURFACE_END, expected)).toBe(expected);
  });

  it('lists every route table entry once, and would notice one more', () => {
    const table = routeSurfaceTable();
    for (const r of ROUTES) expect(table).toContain(`| \`${r.method} ${graphPathOf(r)}\``);
    const grown = routeSurfaceTable([
      ...ROUTES,
      notYetRoute({
        method: 'GET',
        mount: 'calls',
        path: '/:callId/contentSharingSessions',
        versions: ['v1.0', 'beta'],
        doc: { notifications: '—' },
      }),
    ]);
    expect(grown).not.toBe(table);
    expect(grown).toContain(
      '| `GET /calls/{id}/contentSharingSessions` | v1.0, beta | **Not yet**: `501 NotImplemented` |',
    );
  });
});
