/** Every Graph error code the server can emit is documented in docs/errors.md (Fastify's errors-catalogue check). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REJECTION_HTTP } from '../../src/http/errors.js';

const root = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error catalogue', () => {
  // Only the Graph errors table; the token endpoint's AAD errors have their own shape and section.
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8').split('## Token endpoint')[0]!;
  const documented = new Set([...doc.matchAll(/^\| (\d{3}) \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`));

  it('documents every rejection mapping', () => {
    const missing = Object.values(REJECTION_HTTP)
      .map(({ status, code }) => `${status} ${code}`)
      .filter((k) => !documented.has(k));
    expect(missing).toEqual([]);
  });

  it('documents every GraphError and AuthError constructed in src/', () => {
    const emitted = new Set<string>();
    for (const file of sources(join(root, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/new (?:GraphError|AuthError)\(\s*(\d{3}),\s*'([^']+)'/g))
        emitted.add(`${m[1]} ${m[2]}`);
    }
    expect(emitted.size).toBeGreaterThan(5);
    expect([...emitted].filter((k) => !documented.has(k))).toEqual([]);
  });

  it('lists nothing that is never emitted', () => {
    const emitted = new Set(Object.values(REJECTION_HTTP).map(({ status, code }) => `${status} ${code}`));
    for (const file of sources(join(root, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/new (?:GraphError|AuthError)\(\s*(\d{3}),\s*'([^']+)'/g))
        emitted.add(`${m[1]} ${m[2]}`);
    }
    expect([...documented].filter((k) => !emitted.has(k))).toEqual([]);
  });
});
