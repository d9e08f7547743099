/**
 * Node module hooks that run this repository's TypeScript sources directly (for tests that start Switchboard as a
 * child process): `node --import ./test/helpers/ts-register.mjs src/cli.ts`. A relative `./x.js` import resolves to
 * `./x.ts` when only the .ts exists; .ts files are transpiled one by one with TypeScript (no type check: tsc does
 * that), and the output is cached by content hash so later starts skip loading TypeScript at all.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/switchboard-ts-loader/', import.meta.url));
let typescript;

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && specifier.startsWith('.') && context.parentURL?.endsWith('.ts')) {
    const tsUrl = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (!existsSync(fileURLToPath(new URL(specifier, context.parentURL))) && existsSync(fileURLToPath(tsUrl))) {
      return next(tsUrl.href, context);
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts') || !url.startsWith('file:')) return next(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, 'utf8');
  const cached = `${CACHE_DIR}${createHash('sha256').update(file).update('\0').update(source).digest('hex')}.js`;
  const hit = await readFile(cached, 'utf8').catch(() => null);
  if (hit !== null) return { format: 'module', source: hit, shortCircuit: true };
  typescript ??= (await import('typescript')).default;
  const { outputText } = typescript.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      module: typescript.ModuleKind.ESNext,
      target: typescript.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  });
  mkdirSync(CACHE_DIR, { recursive: true });
  // Written under a unique name then read back by hash: a half-written file is never served (rename is atomic).
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, outputText);
  await rename(tmp, cached);
  return { format: 'module', source: outputText, shortCircuit: true };
}
