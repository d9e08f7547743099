/**
 * GET /_switchboard/ for a browser: the world listing as one plain, server-rendered HTML page. No script, no
 * external resource (the Content-Security-Policy the route sends forbids both); every value is escaped, since world
 * files and the control API put any text in names.
 */
import type { AnswerBehaviour } from './directory.js';
import type { WorldListing } from './world-view.js';

/** A control-API route as the page lists it. */
export interface ControlRoute {
  method: string;
  path: string;
  what: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const cell = (v: unknown): string =>
  `<td>${v === null || v === undefined || v === '' ? '<span class="none">—</span>' : escapeHtml(v)}</td>`;
const code = (v: string): string => `<td><code>${escapeHtml(v)}</code></td>`;
const answer = (a: AnswerBehaviour): string => `${a.action} after ${a.afterMs} ms`;

function table(caption: string, headers: string[], rows: string[]): string {
  if (rows.length === 0) return `<p>${escapeHtml(caption)}: none.</p>`;
  return [
    `<table><caption>${escapeHtml(caption)}</caption>`,
    `<thead><tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r}</tr>`).join('')}</tbody></table>`,
  ].join('\n');
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:90rem;padding:0 1rem;color:#111;background:#fff}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eee}
code{font:13px ui-monospace,monospace;word-break:break-all}.none{color:#555}a{color:#0645ad}`;

/** The page; `graphBase` is where this request came in (scheme and host), for absolute URLs a user can copy. */
export function renderWorldPage(listing: WorldListing, routes: readonly ControlRoute[], graphBase: string): string {
  const parts: string[] = [];
  for (const t of listing.tenants) {
    const heading = `tenant-${escapeHtml(t.id)}`;
    parts.push(
      `<section aria-labelledby="${heading}"><h2 id="${heading}">Tenant ${escapeHtml(t.displayName)} <code>${escapeHtml(t.id)}</code></h2>`,
    );
    parts.push(`<p>Token endpoint (use the https port): <code>${escapeHtml(t.tokenEndpoint)}</code></p>`);
    parts.push(
      table(
        'Apps (bots)',
        ['Client id', 'Name', 'Roles', 'Callback URL', 'Calling registered'],
        t.apps.map(
          (a) =>
            `${code(a.clientId)}${cell(a.displayName)}${cell(a.roles.join(', '))}${cell(a.callbackUri)}${cell(a.callingRegistered ? 'yes' : 'no')}`,
        ),
      ),
    );
    parts.push(
      table(
        'Application instances and their phone numbers',
        ['Instance id', 'Name', 'Phone number', 'App'],
        t.apps.flatMap((a) =>
          a.instances.map((i) => `${code(i.id)}${cell(i.displayName)}${cell(i.phoneNumber)}${cell(a.displayName)}`),
        ),
      ),
    );
    parts.push(
      table(
        'Users',
        ['User id', 'Display name', 'Answers', 'Then (once connected)'],
        t.users.map(
          (u) =>
            `${code(u.id)}${cell(u.displayName)}${cell(answer(u.answer))}${cell(u.then.length ? JSON.stringify(u.then) : '')}`,
        ),
      ),
    );
    parts.push(
      table(
        'Phone numbers',
        ['Number', 'Answers', 'Then (once connected)'],
        [
          ...t.phones.map(
            (p) => `${code(p.number)}${cell(answer(p.answer))}${cell(p.then.length ? JSON.stringify(p.then) : '')}`,
          ),
          `${cell('any other number')}${cell(answer(t.defaultPhoneAnswer))}${cell('')}`,
        ],
      ),
    );
    parts.push(
      table(
        'Meetings',
        ['Thread id', 'Join meeting id', 'Join URL', 'Organizer', 'Passcode', 'Lobby bypass'],
        t.meetings.map(
          (m) =>
            `${code(m.threadId)}${cell(m.joinMeetingId)}<td><a href="${escapeHtml(m.joinWebUrl)}"><code>${escapeHtml(m.joinWebUrl)}</code></a></td>` +
            `${cell(m.organizer.displayName ? `${m.organizer.displayName} (${m.organizer.id})` : m.organizer.id)}${cell(m.passcode)}${cell(m.lobbyBypassScope ?? 'everyone')}`,
        ),
      ),
    );
    parts.push('</section>');
  }
  const faults = listing.faults.length === 0 ? 'none' : `${listing.faults.length} (GET /_switchboard/faults)`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard — the simulated world</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Switchboard — the simulated world</h1>
<p><strong><a href="/_switchboard/ui/">Open the dashboard</a></strong>: calls, their timelines, notifications, the world and its controls, live.</p>
<p>Graph: <code>${escapeHtml(graphBase)}/v1.0</code> and <code>${escapeHtml(graphBase)}/beta</code>.
The same listing as JSON: <code>GET /_switchboard/</code> with <code>Accept: application/json</code>;
as a world file (<code>--world</code>): <a href="/_switchboard/world"><code>/_switchboard/world</code></a>.
Calls are established ${escapeHtml(listing.establishMs)} ms after they are placed; injected faults: ${escapeHtml(faults)}.</p></header>
<main>
${parts.join('\n')}
<section aria-labelledby="control"><h2 id="control">Control API</h2>
${table(
  'Routes (no token needed)',
  ['Method', 'Path', 'What it does'],
  routes.map((r) => `${cell(r.method)}${code(r.path)}${cell(r.what)}`),
)}
</section>
</main>
</body>
</html>
`;
}
