/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (no browser
 * download: `npx playwright install` is never run), one browser per test file, a fresh profile each time.
 * `.ci/run` installs Chromium when the machine lacks it (.ci/chromium). Without it: a failure when CI is set,
 * otherwise a loud skip (as for PostgreSQL, test/helpers/postgres.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = process.env.SWITCHBOARD_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Where the test run saves screenshots (git-ignored). */
export const SCREENSHOTS = fileURLToPath(new URL('../../screenshots/', import.meta.url));

export interface Browser {
  context: BrowserContext;
  /** A new tab at `size` (default 1280×800). */
  page(size?: { width: number; height: number }): Promise<Page>;
  /** Saves a full-page screenshot as screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async page(size) {
      const page = await context.newPage();
      if (size) await page.setViewportSize(size);
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** `describe` that needs Chromium: without it, a failure when CI is set, otherwise a loud skip. */
export function describeBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  const why = `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium, or bash .ci/chromium; SWITCHBOARD_CHROMIUM names another)`;
  if (process.env.CI) {
    describe(name, () => {
      it('needs Chromium (CI is set, so this is a failure, not a skip)', () => {
        throw new Error(why);
      });
    });
    return;
  }
  console.warn(`\n[browser] SKIPPING "${name}": ${why}\n`);
  describe.skip(name, body);
}
