/**
 * The dashboard items of issue 15 that test/ui/dashboard.test.ts does not reach, in headless Chromium against a
 * real Switchboard (virtual clock) and a fake bot: the calls filter by app, the timeline's entry kinds (a request's
 * bodies, a refused request, a person's action, a timer that fired, a delivery that failed with an error and its next
 * try), a notification JWT that no longer verifies, setting the clock, an accessible name on every control of every
 * page, the whole walk done from the keyboard alone, and every page at 1280×800 and at 375 px (screenshots saved).
 * One browser and one tab for the file.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { DEFAULT_DISPATCH_OPTIONS } from '../../src/notify/retry-policy.js';
import { describeBrowser, launchBrowser, type Browser } from '../helpers/browser.js';
import {
  APP,
  inviteUser,
  MEETING_A,
  startConformance,
  TENANT,
  USERS,
  type Conformance,
} from '../conformance/fixture.js';
import { fastWorld, startTestServer } from '../helpers/server.js';

/** A second bot app of the tenant, whose webhook refuses connections: its deliveries fail with an error. */
const SECOND_APP = '7d0c3a2e-5b1f-4c8e-9a6d-2f4e8b1c0a99';

/** The roles of controls: each must have an accessible name (what a screen reader says for it). */
const CONTROL_ROLES = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'combobox',
  'spinbutton',
  'checkbox',
  'radio',
  'slider',
  'switch',
  'tab',
  'menuitem',
  'option',
  'listbox',
]);

/** A TCP port nothing listens on (bound, then closed): connecting to it is refused. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** An accessibility-tree property's value as text ('' when absent). */
const axText = (v: { value?: unknown } | undefined): string => (typeof v?.value === 'string' ? v.value : '');

/** Controls of the page (as Chromium's accessibility tree has them) without an accessible name, with their HTML. */
async function unnamedControls(cdp: CDPSession): Promise<string[]> {
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const bad: string[] = [];
  for (const n of nodes) {
    const role = axText(n.role);
    if (n.ignored || !CONTROL_ROLES.has(role) || axText(n.name).trim() !== '') continue;
    const html =
      n.backendDOMNodeId === undefined
        ? ''
        : (await cdp.send('DOM.getOuterHTML', { backendNodeId: n.backendDOMNodeId })).outerHTML;
    bad.push(`${role}: ${html.slice(0, 160)}`);
  }
  return bad;
}

/** The accessible name of the focused element (Chromium's own computation). */
async function focusedName(cdp: CDPSession): Promise<string> {
  const { result } = await cdp.send('Runtime.evaluate', { expression: 'document.activeElement' });
  if (!result.objectId) return '';
  const { nodes } = await cdp.send('Accessibility.getPartialAXTree', {
    objectId: result.objectId,
    fetchRelatives: false,
  });
  await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
  return axText(nodes[0]?.name);
}

/** Presses Tab (at most `max` times) until the focused control's accessible name matches; fails naming what it passed. */
async function tabTo(page: Page, cdp: CDPSession, name: RegExp, max = 60): Promise<void> {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const got = await focusedName(cdp);
    if (name.test(got)) return;
    passed.push(got);
  }
  throw new Error(`Tab never reached a control named ${String(name)}; passed: ${JSON.stringify(passed)}`);
}

/** Presses ArrowDown (at most `max` times) until the focused entry's accessible name matches. */
async function arrowTo(page: Page, cdp: CDPSession, name: RegExp, max = 60): Promise<void> {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('ArrowDown');
    const got = await focusedName(cdp);
    if (name.test(got)) return;
    passed.push(got);
  }
  throw new Error(`ArrowDown never reached an entry named ${String(name)}; passed: ${JSON.stringify(passed)}`);
}

const TIMELINE_ENTRY = /^(Bot|Switchboard|People) to (Bot|Switchboard|People): /;

describeBrowser('dashboard audit', () => {
  let c: Conformance;
  let browser: Browser;
  let page: Page;
  /** Chromium's DevTools protocol on that tab: its accessibility tree. */
  let cdp: CDPSession;
  let callId: string;
  let secondCallId: string;
  const pageErrors: string[] = [];

  const goto = async (path: string): Promise<void> => {
    await page.goto(`${c.server.httpUrl}/_switchboard/ui/${path}`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  };

  beforeAll(async () => {
    c = await startConformance(
      (w) => {
        const tenant = w.tenants[0]!;
        tenant.apps.push({ ...tenant.apps[0]!, id: SECOND_APP, displayName: 'Second Bot', instances: [] });
      },
      // A replaced signing key is unpublished 1 ms after a rotation, so a delivery signed before it stops verifying.
      { virtual: true, config: { notificationKeyOverlap: 1 } },
    );
    // The fixture points every app at its bot; the second app's webhook refuses connections instead.
    const refusing = `http://127.0.0.1:${await closedPort()}/callback`;
    for (const t of c.server.sb.directory.world.tenants)
      for (const a of t.apps) if (a.id === SECOND_APP) a.callbackUri = refusing;
    browser = await launchBrowser();
    page = await browser.page();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');

    callId = await c.joinMeeting(MEETING_A);
    const incoming = await c.raw('POST', '/_switchboard/incoming-calls', {
      tenantId: TENANT,
      source: { user: { id: USERS.alex } },
      target: { application: { id: SECOND_APP } },
      requestedModalities: ['audio'],
    });
    expect(incoming.status, incoming.text).toBe(201);
    secondCallId = incoming.body.id as string;
  });
  afterAll(async () => {
    await browser?.close();
    await c?.close();
  });

  it('calls: ages on the world’s clock; filters by app, by state and by text, kept in the address', async () => {
    // The virtual clock moves only when told: 10 s on, the meeting call is 10 s old, whatever the real time (less
    // than the incoming call's 15 s answer window, so that call is still ringing).
    await c.advance(10_000);
    await goto('');
    const first = page.getByRole('link', { name: `Call ${callId}` });
    const second = page.getByRole('link', { name: `Call ${secondCallId}` });
    await first.waitFor();
    await second.waitFor();
    expect(await page.getByRole('row').filter({ has: second }).textContent()).toContain('P2P');
    await expect
      .poll(() => page.getByRole('row').filter({ has: first }).getByRole('cell').last().textContent())
      .toBe('10 s');

    const app = page.getByRole('combobox', { name: 'App' });
    const state = page.getByRole('combobox', { name: 'State' });
    await app.selectOption(SECOND_APP);
    await first.waitFor({ state: 'detached' });
    expect(await second.count()).toBe(1);
    await state.selectOption('established');
    await page.getByText('No calls match the filter.').waitFor();
    await app.selectOption(APP);
    await first.waitFor();
    expect(await second.count()).toBe(0);
    await app.selectOption('');
    await state.selectOption('');
    // Free text matches any field of the conversation: here the meeting's thread id.
    await page.getByRole('searchbox', { name: 'Search' }).fill(MEETING_A.slice(0, 24));
    await first.waitFor();
    await second.waitFor({ state: 'detached' });
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await second.waitFor();

    // The filter is in the address: a reload (or a shared link) shows the same list.
    await app.selectOption(SECOND_APP);
    await first.waitFor({ state: 'detached' });
    await expect.poll(() => new URL(page.url()).searchParams.get('app')).toBe(SECOND_APP);
    await page.reload();
    await second.waitFor();
    expect(await app.inputValue()).toBe(SECOND_APP);
    expect(await first.count()).toBe(0);
    await app.selectOption('');
    await first.waitFor();
    await expect.poll(() => new URL(page.url()).search).toBe('');
  });

  it('timeline: a request with both bodies, a refused request, a timer that fired, a person’s action, a notification’s JWT', async () => {
    const invite = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [inviteUser(USERS.adele)],
      clientContext: 'audit-invite',
    });
    expect(invite.status, invite.text).toBe(200);
    await c.advance(1500);
    await c.bot.waitFor(
      (n) => n.item.resourceUrl === `/communications/calls/${callId}/operations/${invite.body.id as string}`,
      { description: 'invite settled' },
    );
    const refused = await c.raw('POST', `/v1.0/communications/calls/${callId}/participants/invite`, {
      participants: [],
    });
    expect(refused.status, refused.text).toBe(400);
    const roster = (await c.raw('GET', `/v1.0/communications/calls/${callId}/participants`)).body as {
      value: { id: string; info: { identity: { user?: { id: string } } } }[];
    };
    const adele = roster.value.find((p) => p.info.identity.user?.id === USERS.adele);
    expect(adele).toBeDefined();
    const act = await c.raw('POST', `/_switchboard/calls/${callId}/participants/${adele!.id}/actions`, {
      action: 'mute',
    });
    expect(act.status, act.text).toBe(200);

    await goto(`calls/${callId}`);
    const timeline = page.getByRole('list', { name: /Timeline/ });
    const details = page.getByRole('region', { name: 'Details' });

    // The bot's request, with the body it sent and the body it got.
    await timeline
      .getByRole('button', { name: /Bot to Switchboard: POST \/calls\/.*\/participants\/invite → 200/ })
      .click();
    let text = await details.textContent();
    expect(text).toContain('"clientContext": "audit-invite"');
    expect(text).toContain('"@odata.type": "#microsoft.graph.inviteParticipantsOperation"');
    expect(text).toContain(invite.body.id as string);
    // A refused request is shown, with the error the bot got (naming the property).
    await timeline.getByRole('button', { name: /POST \/calls\/.*\/participants\/invite → 400/ }).click();
    text = await details.textContent();
    expect(text).toContain('"participants": []');
    expect(text).toContain(refused.body.error.message as string);
    // The invitee's answer is a timer that fired, drawn from the people's lane.
    await timeline
      .getByRole('button', { name: /People to Switchboard: invitee\.answer: accept \(timer fired\)/ })
      .click();
    expect(await details.getByRole('heading').textContent()).toBe('Timer invitee.answer');
    // A person's own action (control API), also from the people's lane.
    await timeline.getByRole('button', { name: /People to Switchboard: personAction .*"action":"mute"/ }).click();
    expect(await details.textContent()).toContain(adele!.id);
    // A notification's own entry: its body, and the JWT its delivery carried, decoded and checked.
    await timeline
      .getByRole('button', {
        name: new RegExp(
          `notification: deleted /communications/calls/${callId}/operations/${invite.body.id as string}`,
        ),
      })
      .click();
    expect(await details.textContent()).toContain('"changeType": "deleted"');
    await details.getByText('JWT verifies against the server’s JWKS').waitFor();
    expect(await details.textContent()).toContain(`"aud": "${APP}"`);
    expect(pageErrors).toEqual([]);
  });

  it('timeline: a delivery that fails with an error (not an HTTP status) shows the error, its latency and the next try', async () => {
    await expect
      .poll(
        async () =>
          (
            (await c.raw('GET', `/_switchboard/notifications?callId=${secondCallId}`)).body as {
              value: { attempts: unknown[] }[];
            }
          ).value[0]?.attempts.length ?? 0,
      )
      .toBeGreaterThan(0);
    await goto(`calls/${secondCallId}`);
    // One attempt, or a run of them folded into one row (with the latest one's latency).
    const attempt = page.getByRole('list', { name: /Timeline/ }).getByRole('button', {
      name: /^Switchboard to Bot: delivery #1(–#\d+)?: error: connect ECONNREFUSED \S+( ×\d+, latest)? in \d+ ms, next try \d\d:\d\d:\d\d/,
    });
    await attempt.click();
    const details = page.getByRole('region', { name: 'Details' });
    expect(await details.textContent()).toContain('"outcome": "retrying"');
    expect(await details.textContent()).toMatch(/"error": "[^"]+"/);
    // The failed notification itself is in the timeline as well, with the call it announced.
    await page
      .getByRole('button', {
        name: new RegExp(`Switchboard to Bot: notification: created /communications/calls/${secondCallId}`),
      })
      .waitFor();
  });

  it('every control of every page has an accessible name', async () => {
    const pages: [string, () => Promise<void>][] = [
      ['calls', () => goto('')],
      [
        'call, with a delivery’s details and its JWT open',
        async () => {
          await goto(`calls/${callId}`);
          await page
            .getByRole('button', { name: /delivery #1: HTTP 202/ })
            .first()
            .click();
          await page.getByText('JWT verifies against the server’s JWKS').waitFor();
        },
      ],
      ['notifications', () => goto('notifications')],
      [
        'world, with a behaviour being edited',
        async () => {
          await goto('world');
          await page.getByRole('button', { name: 'Edit behaviour of Adele Vance' }).click();
          await page.getByRole('form', { name: 'Behaviour of Adele Vance' }).waitFor();
        },
      ],
      ['not found', () => goto('no/such/page')],
    ];
    const problems: Record<string, string[]> = {};
    for (const [name, open] of pages) {
      await open();
      const bad = await unnamedControls(cdp);
      if (bad.length > 0) problems[name] = bad;
    }
    expect(problems).toEqual({});
  });

  it('works from the keyboard alone: filter, open a call, read an entry, edit a behaviour, set the clock', async () => {
    await goto('');
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedName(cdp)).toBe('Skip to content');
    await tabTo(page, cdp, /^Search$/);
    await page.keyboard.type(callId.slice(0, 8));
    await tabTo(page, cdp, new RegExp(`^Call ${callId}$`));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Roster' }).waitFor();

    const entry = /^Bot to Switchboard: POST \/calls\/.*\/participants\/invite → 200/;
    // The timeline is one Tab stop, however long: Tab reaches an entry, the arrow keys the others.
    await tabTo(page, cdp, TIMELINE_ENTRY);
    await arrowTo(page, cdp, entry);
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedName(cdp)).not.toMatch(TIMELINE_ENTRY);
    await page.keyboard.press('Shift+Tab');
    await expect.poll(() => focusedName(cdp)).toMatch(entry);
    await page.keyboard.press('Enter');
    const details = page.getByRole('region', { name: 'Details' });
    await details.waitFor();
    await expect.poll(() => focusedName(cdp)).toBe('Details');
    // Escape closes them and gives the focus back to the entry, not to the top of the page.
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
    await expect.poll(() => focusedName(cdp)).toMatch(entry);

    // A behaviour edited from the keyboard: the focus moves into the form, and back to Edit once saved.
    await goto('world');
    await tabTo(page, cdp, /^Edit behaviour of Adele Vance$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedName(cdp)).toBe('Answer');
    await tabTo(page, cdp, /^After \(ms\)$/, 3);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('300');
    await page.keyboard.press('Enter');
    await page.getByRole('row').filter({ hasText: 'Adele Vance' }).filter({ hasText: 'accept after 300 ms' }).waitFor();
    await expect.poll(() => focusedName(cdp)).toBe('Edit behaviour of Adele Vance');
    const adele = (await c.raw('GET', `/_switchboard/people/${USERS.adele}`)).body as { value: { answer: unknown }[] };
    expect(adele.value[0]!.answer).toEqual({ action: 'accept', afterMs: 300 });
    // Reset asks first, with the focus on Cancel (a second Enter does not reset); the focus then returns.
    await tabTo(page, cdp, /^Reset world…$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedName(cdp)).toBe('Cancel');
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedName(cdp)).toBe('Reset world…');

    // The clock, set to a chosen time (a minute past the world's time, whole seconds, the browser's local time).
    const now = ((await c.raw('GET', '/_switchboard/clock')).body as { epochMs: number }).epochMs;
    const target = new Date(Math.ceil(now / 1000) * 1000 + 60_000);
    const pad = (n: number): string => String(n).padStart(2, '0');
    const local = `${target.getFullYear()}-${pad(target.getMonth() + 1)}-${pad(target.getDate())}T${pad(target.getHours())}:${pad(target.getMinutes())}:${pad(target.getSeconds())}`;
    await tabTo(page, cdp, /^Time$/);
    await page.getByRole('textbox', { name: 'Time' }).fill(local);
    await tabTo(page, cdp, /^Set clock$/);
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /^Set to .*: done\.$/ })
      .waitFor();
    const after = (await c.raw('GET', '/_switchboard/clock')).body as { epochMs: number; now: string };
    expect(after.epochMs).toBe(target.getTime());
    await page.getByText(after.now).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('every page is readable at 1280×800 and at 375 px wide (no sideways scrolling); screenshots of both', async () => {
    const pages: [string, string, string][] = [
      ['calls', '', 'Calls'],
      ['call', `calls/${callId}`, 'Timeline'],
      ['notifications', 'notifications', 'Notifications'],
      ['world', 'world', 'People and behaviours'],
    ];
    const wide: Record<string, number | string> = {};
    for (const [size, width, height] of [
      ['desktop', 1280, 800],
      ['phone', 375, 812],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const [name, path, heading] of pages) {
        await goto(path);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        // The heading shows before the data: measure once a table has loaded (on a busy machine it comes later).
        await page.getByRole('table').first().waitFor();
        const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
        if (scrollWidth > width) wide[`${name} at ${width}`] = scrollWidth;
        // Nor hidden to the right inside a scrolling box (a wide table's last columns): every element is in view.
        const beyond = await page.evaluate<string[]>(`[...document.querySelectorAll('main *')]
          .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 1 && r.right > innerWidth + 1; })
          .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + (e.textContent ?? '').slice(0, 40))`);
        if (beyond.length > 0)
          wide[`${name} at ${width}: ${beyond.length} beyond the right edge`] = beyond.slice(0, 3).join(' | ');
        // A table shown as cards on a phone is still a table to a screen reader (Chromium's accessibility tree).
        const { nodes } = await cdp.send('Accessibility.getFullAXTree');
        const roles = new Set(nodes.filter((n) => !n.ignored).map((n) => axText(n.role)));
        if (!roles.has('columnheader') || !roles.has('cell'))
          wide[`${name} at ${width}: no table semantics`] = [...roles].join(',');
        await browser.screenshot(page, `dashboard-${name}-${size}`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(wide).toEqual({});
  });

  it('on the real clock (the default) the clock controls are disabled, saying why', async () => {
    const real = await startTestServer(fastWorld(null));
    const tab = await browser.page();
    try {
      await tab.goto(`${real.httpUrl}/_switchboard/ui/world`);
      await tab.getByText('Time moves by itself on the real clock').waitFor();
      expect(await tab.getByRole('button', { name: 'Advance clock' }).isDisabled()).toBe(true);
      expect(await tab.getByRole('button', { name: 'Set clock' }).isDisabled()).toBe(true);
      expect(await tab.getByRole('spinbutton', { name: 'Amount' }).isDisabled()).toBe(true);
      // The other controls work as on a virtual clock.
      expect(await tab.getByRole('button', { name: 'Rotate signing key' }).isDisabled()).toBe(false);
    } finally {
      await tab.close();
      await real.close();
    }
  });

  it('a dead letter redelivered from the keyboard: the focus lands on the line saying what happened', async () => {
    // The second app's webhook never answers: after the retry window its notification is a dead letter.
    await c.advance(DEFAULT_DISPATCH_OPTIONS.maxAgeMs + 10 * 60_000);
    type Listed = { value: { messageId: string; status: string; attempts: unknown[] }[] };
    const listed = ((await c.raw('GET', `/_switchboard/notifications?callId=${secondCallId}`)).body as Listed).value;
    const dead = listed.find((n) => n.status === 'deadLettered');
    expect(dead, JSON.stringify(listed.map((n) => n.status))).toBeDefined();
    await goto('notifications');
    await tabTo(page, cdp, new RegExp(`^Redeliver ${dead!.messageId}$`), 200);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate('document.activeElement?.textContent'))
      .toBe(`Redelivery of ${dead!.messageId} queued: the same message id and body, sent now.`);
    await page.getByRole('button', { name: `Redeliver ${dead!.messageId}` }).waitFor({ state: 'detached' });
    const again = (
      (await c.raw('GET', `/_switchboard/notifications?callId=${secondCallId}`)).body as Listed
    ).value.find((n) => n.messageId === dead!.messageId);
    expect(again?.status).not.toBe('deadLettered');
    expect(pageErrors).toEqual([]);
  });

  it('a delivery signed with a key no longer published shows its JWT decoded, and that it does not verify', async () => {
    const rotated = await c.raw('POST', '/_switchboard/notification-keys/rotate', {});
    expect(rotated.status, rotated.text).toBe(200);
    // The replaced key stays published for the configured overlap (1 ms, real time).
    await new Promise((r) => setTimeout(r, 20));
    await goto(`calls/${callId}`);
    await page
      .getByRole('button', { name: /delivery #1: HTTP 202/ })
      .first()
      .click();
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByText(/^JWT does not verify: /).waitFor();
    expect(await details.textContent()).toContain('"iss": "https://api.botframework.com"');
    expect(await details.textContent()).toContain('"alg": "RS256"');
    expect(pageErrors).toEqual([]);
  });
});
