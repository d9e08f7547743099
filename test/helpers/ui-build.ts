/**
 * Vitest globalSetup: the browser tests load the built dashboard (dist/ui), so it must exist and be newer than
 * every file under ui/. `npm install` builds it (package.json `prepare`); this rebuilds it only when a UI source
 * changed since (a stat walk otherwise), so `npm test` never tests a stale page.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const UI_SOURCE = join(root, 'ui');
export const UI_BUILD = join(root, 'dist', 'ui');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Why the UI needs a build, or null when dist/ui is up to date. */
export function whyRebuildUi(): string | null {
  const index = join(UI_BUILD, 'index.html');
  if (!existsSync(index)) return 'not built';
  return newestSource(UI_SOURCE) > statSync(index).mtimeMs ? 'ui/ changed' : null;
}

export default async function setup(): Promise<void> {
  const why = whyRebuildUi();
  if (why === null) return;
  console.error(`[ui-build] building the dashboard (${why})…`);
  const { build } = await import('vite');
  await build({ configFile: join(UI_SOURCE, 'vite.config.ts'), logLevel: 'warn' });
}
