/**
 * Nothing the repository runs reads a path outside it: a user's clone has no `../shared` and no `/work`
 * (issue 13, "Self-contained"). The rule, checked on every code file (.ts .mts .cts .js .mjs .cjs) under src/,
 * test/, bench/, examples/, scripts/, bin/ and the root's `*.config.*` files, on the string literals of the code
 * (parsed with TypeScript, so comments are exempt and may cite design documents such as `shared/spec/clients.md`):
 *
 * 1. A literal that is a relative path (`./x`, `../x`, `.`, `..`, or with any `..` segment), and the literal pieces
 *    of a `join(…)`/`resolve(…)` call put together, must resolve inside the repository from the file's own
 *    directory — what an import specifier, `new URL(path, import.meta.url)` and `resolve(import.meta.dirname, path)`
 *    mean. For src/ that is both src/… and dist/src/… (tests run the TypeScript, `npm start` the build); for bench/
 *    only dist/bench/… (the bench always runs compiled).
 * 2. No literal names `/work/…` (the development machine's layout, also as `file:///work/…`).
 * 3. No literal names `shared/spec` (the design input beside the repository), whatever the path around it.
 *
 * A path computed at run time from variables is beyond a static check: the real proof is running the suite in a
 * clone with no `../shared` beside it, as CI and a new user do (metadata/graph/README.md).
 */
import { describe, expect, it } from 'vitest';
import { CHECKED_FOLDERS, scanRepository, scanSource } from '../helpers/self-contained.js';

describe('the repository is self-contained', () => {
  it('no code under src/, test/, bench/, examples/, scripts/, bin/ reads a path outside the repository', () => {
    const { files, problems } = scanRepository();
    // The scan must really have read the code (a wrong root would find nothing and pass).
    for (const folder of ['src', 'test', 'bench', 'examples', 'scripts']) {
      expect(CHECKED_FOLDERS).toContain(folder);
      expect(files.some((f) => f.startsWith(`${folder}/`)), `${folder}/ scanned`).toBe(true);
    }
    expect(files).toContain('test/helpers/graph-schema.ts');
    expect(problems.map((p) => `${p.file}:${p.line}: '${p.text}' ${p.why}`)).toEqual([]);
  });
});

describe('scanSource', () => {
  // Offending paths are assembled here so this file's own literals stay clean (the scan above reads it too).
  const up = (n: number, rest: string): string => `${'../'.repeat(n)}${rest}`;
  const spec = ['shared', 'spec'].join('/');
  const work = ['', 'work'].join('/');
  const lines = (file: string, code: string) => scanSource(file, code).map((p) => `${p.line}: ${p.why}`);

  it('accepts paths that stay inside the repository, and comments that cite the design input', () => {
    const code = [
      `// see ${spec}/clients.md`,
      `/* ${up(3, spec)} */`,
      `import { x } from '../helpers/x.js';`,
      `const dir = new URL('../../metadata/graph/', import.meta.url);`,
      `const root = resolve(import.meta.dirname, '..', '..');`,
    ].join('\n');
    expect(lines('test/metadata/a.test.ts', code)).toEqual([]);
  });

  it('flags a relative path that climbs out of the repository from the file\'s directory', () => {
    expect(lines('test/helpers/a.ts', `const d = new URL('${up(3, 'elsewhere/')}', import.meta.url);`))
      .toEqual([expect.stringMatching(/^1: resolves to .*elsewhere from test\/helpers\/, outside the repository$/)]);
    expect(lines('test/a.ts', `const f = \`${up(2, 'x')}/\${name}\`;`)).toHaveLength(1);
    expect(lines('test/a.ts', `const d = join(import.meta.dirname, '..', '..', 'x');`)).toHaveLength(1);
  });

  it('resolves src/ from src/ and dist/src/, bench/ from dist/bench/ only', () => {
    // From dist/src/x/ three levels up is the root; from src/x/ it is outside.
    expect(lines('src/x/a.ts', `const p = new URL('${up(3, 'package.json')}', import.meta.url);`))
      .toEqual([expect.stringMatching(/from src\/x\/, outside/)]);
    expect(lines('bench/a.ts', `const p = new URL('${up(2, 'metadata/graph/calls.openapi3.json')}', import.meta.url);`)).toEqual([]);
    expect(lines('bench/a.ts', `const p = new URL('${up(3, 'x')}', import.meta.url);`)).toHaveLength(1);
  });

  it('flags the machine\'s folder and the design input\'s spec folder in code, in plain .mjs too', () => {
    expect(lines('scripts/a.mjs', `const a = '${work}' + '/x';\nconst b = 'file://${work}/x';`))
      .toEqual([expect.stringMatching(/^1: names \/work\//), expect.stringMatching(/^2: names \/work\//)]);
    expect(lines('examples/a.mjs', `const c = \`\${base}/${spec}/seeds\`;`))
      .toEqual([expect.stringMatching(/^1: names the spec folder of the design input/)]);
  });
});
