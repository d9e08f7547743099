/**
 * Is dist/ older than src/? `npm start` (scripts/start.mjs) asks before it runs the CLI, so an unchanged tree starts
 * without loading TypeScript at all (a few hundred stat calls, milliseconds), and an edited one is rebuilt once.
 *
 * tsc (tsconfig.build.json) writes every output on each build, and with noEmitOnError it writes none when the build
 * fails, so "some source is newer than its own output" is exactly "the last successful build predates an edit".
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Files whose change alters every output. */
const BUILD_CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
};

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/**
 * Why `root` needs a build before it can start, or null when dist/ is up to date (or there is no src/ to build from,
 * as in an installed package).
 */
export function whyRebuild(root) {
  const out = join(root, 'dist');
  const src = join(root, 'src');
  if (mtime(join(out, 'src', 'cli.js')) === null) return 'no build yet';
  if (mtime(src) === null) return null;
  let oldestOutput = Infinity;
  for (const file of sources(src)) {
    const output = mtime(join(out, relative(root, file)).replace(/\.ts$/, '.js'));
    if (output === null || mtime(file) > output) return 'src changed';
    oldestOutput = Math.min(oldestOutput, output);
  }
  for (const config of BUILD_CONFIGS) {
    const changed = mtime(join(root, config));
    if (changed !== null && changed > oldestOutput) return `${config} changed`;
  }
  return null;
}
