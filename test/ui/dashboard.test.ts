/**
 * The dashboard in headless Chromium against a real Switchboard (virtual clock) and a fake bot
 * (test/conformance/fixture.ts): the page is served by the server, loads nothing from elsewhere, shows the calling
 * world as it is and follows it live through the change feed. One browser and one tab for the file; controls are
 * found by accessible role and name, as a screen reader would.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_DISPATCH_OPTIONS } from '../../src/notify/retry-policy.js';
import { describeBrowser, launchBrowser, type Browser } from '../helpers/browser.js';
import { inviteUser, MEETING_A, startConformance, USERS, type Conformance } from '../conformance/fixture.js';
import { fastWorld, startTestServer } from '../helpers/server.js';

describeBrowser('dashboard', () => {
  let c: Conformance;
  let browser: Browser;
  let page: Page;
  let callId: string;
  let failing = false;
  const foreign: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    c = await startConformance(undefined, { virtual: true, botRespond: () => (failing ? 500 : 202) });
    browser = await launchBrowser();
    page = await browser.page();
    // Under vitest's own 30 s per test, so a missing element fails with its locator named.
    page.setDefaultTimeout(10_000);
    // Everything the page loads must come from Switchboard itself.
    page.on('request', (r) => {
      if (!r.url().startsWith(c.server.httpUrl) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await c?.close();
  });

  it('lists a call the bot placed, with its kind, app and state, and filters the list', async () => {
    callId = await c.joinMeeting(MEETING_A);
    // The browser asks for the control API's root (Accept: text/html…) and is sent to the dashboard.
    await page.goto(`${c.server.httpUrl}/_switchboard/`);
    expect(page.url()).toBe(`${c.server.httpUrl}/_switchboard/ui/`);
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
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    // A clock move that fires nothing (keepAlive expiry is 45 min away) still ages the call: the feed tells the page.
    await c.advance(3 * 60_000);
    await row
      .locator('td[data-label="Age"]')
      .filter({ hasText: /^3 min \d+ s$/ })
      .waitFor();
    expect(foreign).toEqual([]);
  });

  it('follows the call live: the invited person joins the roster and the notification shows in the timeline, without a reload', async () => {
    await page.getByRole('link', { name: `Call ${callId}` }).click();
    await page.getByRole('heading', { name: 'Roster' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    // Browser-side code as strings: the test project has no DOM types.
    await page.evaluate('window.notReloaded = true');

    const invite = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
    });
    expect(invite.status, invite.text).toBe(200);
    await c.advance(1500);
    await c.bot.waitFor((n) => n.item.resourceUrl === `/communications/calls/${callId}/operations/${invite.body.id}`, {
      description: 'invite settled',
    });

    const roster = page.getByRole('region', { name: 'Roster' });
    await roster.getByRole('cell', { name: /Adele Vance/ }).waitFor();
    const adele = roster.getByRole('row').filter({ hasText: 'Adele Vance' });
    expect(await adele.textContent()).toContain('joined');
    expect(await adele.textContent()).toContain(`invited (operation ${invite.body.id as string})`);
    await page.getByRole('region', { name: 'Operations' }).getByRole('cell', { name: 'Completed' }).waitFor();
    const timeline = page.getByRole('list', { name: /Timeline/ });
    await timeline.getByRole('button', { name: /POST \/calls\/.*\/participants\/invite → 200/ }).waitFor();
    const notification = timeline.getByRole('button', {
      name: /notification: deleted \/communications\/calls\/.*\/operations\//,
    });
    await notification.waitFor();
    expect(await page.evaluate('window.notReloaded')).toBe(true);

    // A click shows the notification's full JSON; a delivery shows its JWT decoded and verified.
    await notification.click();
    const details = page.getByRole('region', { name: 'Details' });
    await details.waitFor();
    expect(await details.textContent()).toContain('"changeType": "deleted"');
    expect(await details.textContent()).toContain(invite.body.id as string);
    const delivery = timeline.getByRole('button', { name: /delivery #1: HTTP 202/ }).first();
    await delivery.focus();
    await page.keyboard.press('Enter');
    await details.getByText('JWT verifies against the server’s JWKS').waitFor();
    expect(await details.textContent()).toContain('"iss": "https://api.botframework.com"');
    await browser.screenshot(page, 'dashboard-call');
    // Escape closes the details (focus is in them once opened).
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
  });

  it('controls: advances the virtual clock and edits a person’s behaviour', async () => {
    await page.getByRole('link', { name: 'World and controls' }).click();
    await page.getByRole('heading', { name: 'Clock' }).waitFor();
    const before = ((await c.raw('GET', '/_switchboard/clock')).body as { epochMs: number }).epochMs;
    await page.getByRole('spinbutton', { name: 'Amount' }).fill('5');
    await page.getByRole('combobox', { name: 'Unit' }).selectOption('min');
    await page.getByRole('button', { name: 'Advance clock' }).click();
    await page.getByRole('status').filter({ hasText: 'Advance by 5 min: done.' }).waitFor();
    const after = ((await c.raw('GET', '/_switchboard/clock')).body as { epochMs: number }).epochMs;
    expect(after - before).toBe(5 * 60_000);

    await page.getByRole('button', { name: 'Edit behaviour of Megan Bowen' }).click();
    const form = page.getByRole('form', { name: 'Behaviour of Megan Bowen' });
    await form.getByRole('combobox', { name: 'Answer' }).selectOption('decline');
    await form.getByRole('spinbutton', { name: 'After (ms)' }).fill('250');
    await form.getByRole('button', { name: 'Save behaviour' }).click();
    await page
      .getByRole('row')
      .filter({ hasText: 'Megan Bowen' })
      .filter({ hasText: 'decline after 250 ms' })
      .waitFor();
    const megan = (await c.raw('GET', `/_switchboard/people/${USERS.megan}`)).body as { value: { answer: unknown }[] };
    expect(megan.value[0]!.answer).toEqual({ action: 'decline', afterMs: 250 });
    await browser.screenshot(page, 'dashboard-world');
  });

  it('a dead letter’s Redeliver button sends it again, under its original message id', async () => {
    failing = true;
    const mute = await c.raw('POST', `/v1.0/communications/calls/${callId}/mute`, { clientContext: 'dead-letter' });
    expect(mute.status, mute.text).toBe(200);
    await c.advance(100);
    await c.advance(2 * DEFAULT_DISPATCH_OPTIONS.maxAgeMs);
    const listed = (await c.raw('GET', `/_switchboard/notifications?callId=${callId}`)).body as {
      value: { messageId: string; status: string }[];
    };
    const dead = listed.value.find((n) => n.status === 'deadLettered');
    expect(dead, JSON.stringify(listed.value.map((n) => n.status))).toBeDefined();
    failing = false;
    const before = c.bot.notifications.length;

    await page.getByRole('link', { name: 'Notifications' }).click();
    const redeliver = page.getByRole('button', { name: `Redeliver ${dead!.messageId}` });
    await redeliver.waitFor();
    await browser.screenshot(page, 'dashboard-notifications');
    await redeliver.click();
    const got = await c.bot.waitFor((n) => n.messageId === dead!.messageId && n.status === 202, {
      since: before,
      description: 'the redelivered notification',
    });
    expect(got.verified, got.verifyError).toBe(true);
    // Live: the row turns delivered and its button goes, without a reload.
    await page.getByRole('row').filter({ hasText: dead!.messageId }).filter({ hasText: 'delivered' }).waitFor();
    await redeliver.waitFor({ state: 'detached' });
  });

  it('with a control key: asks for it once, keeps it in the tab, sends it with every request and the live feed', async () => {
    const KEY = 'dashboard-control-key-0123456789';
    const keyed = await startTestServer(fastWorld(null), { config: { controlKey: KEY } });
    const tab = await browser.page();
    try {
      await tab.goto(`${keyed.httpUrl}/_switchboard/ui/`);
      await tab.getByLabel('Control key', { exact: true }).fill(KEY);
      await tab.getByRole('button', { name: 'Use key' }).click();
      await tab.getByText('No calls yet.').waitFor();
      await tab.getByRole('status').filter({ hasText: 'live' }).waitFor();
      expect(await tab.evaluate('sessionStorage.getItem("switchboard.controlKey")')).toBe(KEY);
      // The banner's link hands the key over in the fragment (never sent to the server), then drops it from the address.
      const fresh = await browser.page();
      await fresh.goto(`${keyed.httpUrl}/_switchboard/ui/#key=${KEY}`);
      await fresh.getByText('No calls yet.').waitFor();
      expect(new URL(fresh.url()).hash).toBe('');
      await fresh.close();
    } finally {
      await tab.close();
      await keyed.close();
    }
  });

  it('stays readable at phone width, and says when a page does not exist', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${c.server.httpUrl}/_switchboard/ui/calls/${callId}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    // The day of failed retries before the dead letter is one row per notification, not hundreds.
    await page
      .getByRole('button', { name: /delivery #1–#\d+: HTTP 500 ×\d+/ })
      .first()
      .waitFor();
    // Nothing wider than the window: the page does not scroll sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await browser.screenshot(page, 'dashboard-call-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${c.server.httpUrl}/_switchboard/ui/no/such/page`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.getByRole('link', { name: 'All calls' }).click();
    await page.getByRole('heading', { name: 'Calls' }).waitFor();
    // The call ended (its keep-alive lapsed in the two days the clock moved): listed as recently ended, still linked.
    await page
      .getByRole('region', { name: 'Recently ended' })
      .getByRole('link', { name: `Ended call ${callId}` })
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/_switchboard/ui/');
    expect(pageErrors).toEqual([]);
  });

  it('controls: edits the faults, rotates the signing key, resets the world (last: it empties everything)', async () => {
    await page.getByRole('link', { name: 'World and controls' }).click();
    const fault = [
      { on: 'invite', when: { replacesCallId: true }, result: { code: 500, subcode: 9999, message: 'injected' } },
    ];
    await page.getByRole('textbox', { name: 'Faults (JSON list)' }).fill(JSON.stringify(fault));
    await page.getByRole('button', { name: 'Save faults' }).click();
    await page.getByRole('status').filter({ hasText: 'Save faults: done.' }).waitFor();
    expect(((await c.raw('GET', '/_switchboard/faults')).body as { faults: unknown[] }).faults).toEqual([
      { ...fault[0], afterMs: 0 },
    ]);
    // A bad list is refused with the API's message naming the property, and nothing changes.
    await page.getByRole('textbox', { name: 'Faults (JSON list)' }).fill('[{"on":"nothing"}]');
    await page.getByRole('button', { name: 'Save faults' }).click();
    await page.getByRole('status').filter({ hasText: 'faults[0]' }).waitFor();
    expect(((await c.raw('GET', '/_switchboard/faults')).body as { faults: unknown[] }).faults).toHaveLength(1);

    const kid = ((await c.raw('GET', '/_switchboard/notification-keys')).body as { current: { kid: string } }).current
      .kid;
    await page.getByRole('button', { name: 'Rotate signing key' }).click();
    await page.getByRole('status').filter({ hasText: 'Rotate signing key: done.' }).waitFor();
    const rotated = ((await c.raw('GET', '/_switchboard/notification-keys')).body as { current: { kid: string } })
      .current.kid;
    expect(rotated).not.toBe(kid);
    await page.getByText(rotated).waitFor();

    await page.getByRole('button', { name: 'Reset world…' }).click();
    await page.getByRole('button', { name: 'Confirm reset' }).click();
    await page.getByRole('status').filter({ hasText: 'Reset: done.' }).waitFor();
    expect(((await c.raw('GET', '/_switchboard/faults')).body as { faults: unknown[] }).faults).toEqual([]);
    await expect.poll(() => page.getByRole('textbox', { name: 'Faults (JSON list)' }).inputValue()).toBe('[]');
    expect(((await c.raw('GET', '/_switchboard/calls')).body as { value: unknown[] }).value).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
