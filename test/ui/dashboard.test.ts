/**
 * The dashboard in headless Chromium against a real Switchboard and a fake bot (test/conformance/fixture.ts): the
 * page is served by the server, loads nothing from elsewhere, and shows the calling world as it is. One browser for
 * the file; controls are found by their accessible role and name, as a screen reader would.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeBrowser, launchBrowser, type Browser } from '../helpers/browser.js';
import { MEETING_A, startConformance, type Conformance } from '../conformance/fixture.js';

describeBrowser('dashboard', () => {
  let c: Conformance;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];

  beforeAll(async () => {
    c = await startConformance();
    browser = await launchBrowser();
    page = await browser.page();
    // Everything the page loads must come from Switchboard itself.
    page.on('request', (r) => {
      if (!r.url().startsWith(c.server.httpUrl) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await c?.close();
  });

  it('lists a call the bot placed, with its kind, app and state', async () => {
    const callId = await c.joinMeeting(MEETING_A);
    await page.goto(`${c.server.httpUrl}/_switchboard/ui/`);
    await expect.poll(() => page.title()).toBe('Calls · Switchboard');
    const link = page.getByRole('link', { name: `Call ${callId}` });
    await link.waitFor();
    const row = page.getByRole('row').filter({ has: link });
    expect(await row.textContent()).toContain('meeting');
    expect(await row.textContent()).toContain('established');
    await page.getByRole('combobox', { name: 'State' }).selectOption('terminated');
    await page.getByText('No calls match the filter.').waitFor();
    await page.getByRole('combobox', { name: 'State' }).selectOption('');
    await page.getByRole('searchbox', { name: 'Search' }).fill(callId.slice(0, 8));
    await link.waitFor();
    await browser.screenshot(page, 'dashboard-calls');
    expect(foreign).toEqual([]);
  });

  it('answers a client route with the app (reload on a deep link) and says when a page does not exist', async () => {
    await page.goto(`${c.server.httpUrl}/_switchboard/ui/no/such/page`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.getByRole('link', { name: 'All calls' }).click();
    await page.getByRole('heading', { name: 'Calls' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/_switchboard/ui/');
  });
});
