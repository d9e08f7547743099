/**
 * No import cycle inside src/domain (type-only imports included): a cycle means two rule modules that cannot be read,
 * tested or changed apart (invite.ts ↔ lobby.ts was one). ESLint's import/no-cycle would do this for every file at a
 * cost paid on every lint; the domain is one flat folder, so its graph is built here from the sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const DOMAIN = 'src/domain';

/** Module → the modules of `folder` it imports (relative specifiers; `.js` names the `.ts` source). */
function importGraph(folder: string, files: Record<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [name, text] of Object.entries(files)) {
    const imports = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    const local = imports
      .filter((s) => s.startsWith('./') || s.startsWith('../'))
      .map((s) => normalize(join(folder, s)).replace(/\.js$/, '.ts'));
    graph.set(
      join(folder, name),
      local.filter((m) => m.startsWith(`${folder}/`)),
    );
  }
  return graph;
}

/** The first cycle found (as a path a → b → … → a), or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

const sources = (folder: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(folder, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f, readFileSync(join(folder, f), 'utf8')]),
  );

describe('src/domain import graph', () => {
  it('has no cycle', () => {
    const graph = importGraph(DOMAIN, sources(DOMAIN));
    expect(graph.size).toBeGreaterThan(20);
    expect(findCycle(graph)).toBeNull();
  });

  it('the check finds a cycle, type-only imports included', () => {
    const files = {
      'a.ts': "import { b } from './b.js';\nexport const a = 1;",
      'b.ts': "import type { C } from './c.js';\nexport const b = 2;",
      'c.ts': "export type { A } from './a.js';\nimport x from 'node:fs';",
      'd.ts': "import { a } from './a.js';",
    };
    expect(findCycle(importGraph(DOMAIN, files))).toEqual([
      'src/domain/a.ts',
      'src/domain/b.ts',
      'src/domain/c.ts',
      'src/domain/a.ts',
    ]);
    expect(findCycle(importGraph(DOMAIN, { ...files, 'c.ts': 'export type C = 1;' }))).toBeNull();
  });
});
