/**
 * The installed package has only `dependencies`: every module src/ loads at run time must be one of them or part of
 * Node. Each source file is transpiled as the build emits it (type-only imports gone, `import { type X }` kept as
 * `import {}`, which still loads the module) and its import specifiers read from the output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Specifiers the emitted JavaScript imports: static imports and re-exports, and dynamic import('…') with a literal. */
export function runtimeImports(source: string, fileName: string): string[] {
  const { outputText } = ts.transpileModule(source, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  const found = new Set<string>();
  for (const m of outputText.matchAll(
    /^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm,
  )) {
    found.add((m[1] ?? m[2] ?? m[3])!);
  }
  return [...found];
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or null for a relative path or a Node builtin. */
function packageOf(specifier: string): string | null {
  if (
    specifier.startsWith('.') ||
    specifier.startsWith('/') ||
    specifier.startsWith('node:') ||
    builtinModules.includes(specifier.split('/')[0]!)
  )
    return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('runtime dependencies', () => {
  it('reads imports as the build emits them', () => {
    const src = `import type { A } from 'dev-a';\nimport { type B } from 'dev-b';\nimport { c, type D } from "dep-c";\nexport { e } from './e.js';\nimport 'side-effect';\nconst f = await import('dyn-f');\nexport type { G } from 'dev-g';\nexport * from 'star';\nimport {\n  h,\n  i,\n} from 'multi-line';`;
    expect(runtimeImports(src, 'x.ts').sort()).toEqual([
      './e.js',
      'dep-c',
      'dev-b',
      'dyn-f',
      'multi-line',
      'side-effect',
      'star',
    ]);
  });

  it('every package src/ loads at run time is in dependencies, never only in devDependencies', () => {
    const offenders: string[] = [];
    const used = new Set<string>();
    for (const file of sources(join(ROOT, 'src'))) {
      for (const spec of runtimeImports(readFileSync(file, 'utf8'), file)) {
        const name = packageOf(spec);
        if (name === null) continue;
        used.add(name);
        if (!(name in pkg.dependencies))
          offenders.push(
            `${relative(ROOT, file)} imports ${spec}${name in pkg.devDependencies ? ' (a devDependency)' : ''}`,
          );
      }
    }
    expect(offenders).toEqual([]);
    // The scan finds the server's real dependencies (a scan that matched nothing would pass the check above).
    expect([...used]).toEqual(expect.arrayContaining(['better-sqlite3', 'fastify', 'jose', 'pg']));
  });
});
