/**
 * A conversation's timeline as a sequence diagram: three lanes (the bot, Switchboard, the people) and one arrow per
 * thing that happened, in the order it happened (real time: the world's clock may stand still). Each arrow is a
 * button; its details show the full JSON, and for a delivery the notification JWT decoded and checked.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { FeedEvent } from '../feed.js';
import { clockTime } from '../format.js';

export interface NotificationView {
  sequence: number;
  messageId: string;
  callId: string;
  status: string;
  createdDateTime: string;
  nextAttemptDateTime: string | null;
  lastError: string | null;
  attempts: {
    attempt: number;
    startedDateTime: string;
    durationMs: number;
    statusCode: number | null;
    error: string | null;
  }[];
  body: { value?: { changeType?: string; resourceUrl?: string }[] } & Record<string, unknown>;
}

type Lane = 0 | 1 | 2;
const LANES = ['Bot', 'Switchboard', 'People'] as const;

export interface Row {
  key: string;
  rt: number;
  at: number;
  from: Lane;
  to: Lane;
  label: string;
  kind: 'request' | 'notification' | 'delivery' | 'person' | 'timer' | 'control';
  failed?: boolean;
  detail: { title: string; json: unknown; token?: string };
  /** A run of failed attempts of one notification folded into this row. */
  retries?: {
    messageId: string;
    what: string;
    count: number;
    first: Record<string, unknown>;
    last: Record<string, unknown>;
  };
}

const PEOPLE_TIMERS = new Set([
  'invitee.answer',
  'call.targetAnswer',
  'call.transferAnswer',
  'call.redirectAnswer',
  'person.action',
]);
const shortPath = (p: string): string => p.replace(/^\/(v1\.0|beta)/i, '').replace(/^\/(communications|app)/i, '');
const parse = (text: unknown): unknown => {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The diagram's rows from a timeline's events, in time order. */
export function timelineRows(events: readonly FeedEvent[], notifications: readonly NotificationView[]): Row[] {
  const byMessage = new Map(notifications.map((n) => [n.messageId, n]));
  const rows: Row[] = [];
  // A notification's row shows the JWT its latest delivery attempt carried (set as the attempts come by).
  const notificationRows = new Map<string, Row>();
  for (const e of [...events].sort((a, b) => a.rt - b.rt || a.seq - b.seq)) {
    const b = e.body;
    if (e.kind === 'request') {
      const status = b.status as number;
      rows.push({
        key: `r${e.seq}`,
        rt: e.rt,
        at: e.at,
        from: 0,
        to: 1,
        kind: 'request',
        failed: status >= 400,
        label: `${b.method as string} ${shortPath(b.path as string)} → ${status}`,
        detail: {
          title: `${b.method as string} ${b.path as string} → ${status}`,
          json: { requestId: b.requestId, request: parse(b.request), response: parse(b.response) },
        },
      });
    } else if (e.kind === 'command') {
      const cause = b.cause as {
        kind: string;
        timer?: string;
        what?: string;
        payload?: Record<string, string>;
        detail?: unknown;
      };
      if (cause.kind === 'timer') {
        const person = PEOPLE_TIMERS.has(cause.timer ?? '');
        const outcome = cause.payload?.outcome ?? cause.payload?.action;
        rows.push({
          key: `t${e.seq}`,
          rt: e.rt,
          at: e.at,
          from: person ? 2 : 1,
          to: 1,
          kind: person ? 'person' : 'timer',
          label: person ? `${cause.timer}${outcome ? `: ${outcome}` : ''} (timer fired)` : `timer ${cause.timer} fired`,
          detail: { title: `Timer ${cause.timer}`, json: e },
        });
      } else if (cause.kind === 'control') {
        const person = cause.what === 'personAction' || cause.what === 'pressTones' || cause.what === 'incomingCall';
        rows.push({
          key: `c${e.seq}`,
          rt: e.rt,
          at: e.at,
          from: person ? 2 : 1,
          to: 1,
          kind: person ? 'person' : 'control',
          label: `${cause.what}${cause.detail ? ` ${JSON.stringify(cause.detail)}` : ''}`,
          detail: { title: `Control: ${cause.what}`, json: e },
        });
      }
      for (const n of (b.notifications as
        | { messageId: string; callId: string; items: { changeType: string | null; resourceUrl: string | null }[] }[]
        | undefined) ?? []) {
        const items = n.items.map((i) => `${i.changeType ?? '?'} ${i.resourceUrl ?? ''}`);
        const row: Row = {
          key: `n${n.messageId}`,
          rt: e.rt + 1,
          at: e.at,
          from: 1,
          to: 0,
          kind: 'notification',
          label: `notification: ${items[0] ?? ''}${items.length > 1 ? ` (+${items.length - 1})` : ''}`,
          detail: { title: `Notification ${n.messageId}`, json: byMessage.get(n.messageId) ?? n },
        };
        rows.push(row);
        notificationRows.set(n.messageId, row);
      }
    } else if (e.kind === 'delivery') {
      const announced = notificationRows.get(b.messageId as string);
      if (announced && typeof b.token === 'string') announced.detail = { ...announced.detail, token: b.token };
      const outcome = b.outcome as string;
      const what = b.statusCode !== null ? `HTTP ${b.statusCode as number}` : `error: ${b.error as string}`;
      const next =
        typeof b.nextAttemptAt === 'number' ? `, next try ${clockTime(new Date(b.nextAttemptAt).toISOString())}` : '';
      // A callback failing for a day makes hundreds of retries: consecutive failed attempts of one notification
      // with the same result are one row (the count, the first and the latest attempt).
      const prev = rows[rows.length - 1];
      const run = prev?.retries;
      if (outcome === 'retrying' && run && run.messageId === b.messageId && run.what === what) {
        run.count += 1;
        run.last = b;
        prev.label = `delivery #${run.first.attempt as number}–#${b.attempt as number}: ${what} ×${run.count}, latest in ${b.durationMs as number} ms${next}`;
        prev.detail = {
          title: `Delivery attempts ${run.first.attempt as number}–${b.attempt as number} of ${b.messageId}`,
          json: { attempts: run.count, first: run.first, latest: { ...b, token: null } },
        };
        continue;
      }
      rows.push({
        ...(outcome === 'retrying'
          ? { retries: { messageId: b.messageId as string, what, count: 1, first: { ...b, token: null }, last: b } }
          : {}),
        key: `d${e.seq}`,
        rt: e.rt,
        at: e.at,
        from: 1,
        to: 0,
        kind: 'delivery',
        failed: outcome !== 'delivered',
        label: `delivery #${b.attempt as number}: ${what} in ${b.durationMs as number} ms${outcome === 'deadLettered' ? ', dead-lettered' : next}`,
        detail: {
          title: `Delivery attempt ${b.attempt as number} of ${b.messageId as string}`,
          json: { ...b, token: b.token ? '(decoded below)' : null },
          ...(typeof b.token === 'string' ? { token: b.token } : {}),
        },
      });
    } else if (e.kind === 'redeliver') {
      rows.push({
        key: `x${e.seq}`,
        rt: e.rt,
        at: e.at,
        from: 1,
        to: 1,
        kind: 'control',
        label: `redelivery of ${b.messageId as string} queued`,
        detail: { title: 'Redelivery', json: e },
      });
    }
  }
  return rows;
}

interface Verified {
  header: unknown;
  claims: unknown;
  verified: boolean;
  error: string | null;
}

function TokenCheck(props: { token: string }): JSX.Element {
  const [result, setResult] = useState<Verified | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setResult(null);
    api<Verified>('POST', '/_switchboard/notification-tokens/verify', { token: props.token }).then(
      setResult,
      (e: unknown) => setError(String(e)),
    );
  }, [props.token]);
  if (error) return <p role="alert">{error}</p>;
  if (!result) return <p>Checking the JWT…</p>;
  return (
    <div>
      <p class={result.verified ? 'state-delivered' : 'state-failed'}>
        <strong>
          {result.verified ? 'JWT verifies against the server’s JWKS' : `JWT does not verify: ${result.error ?? ''}`}
        </strong>
      </p>
      <h4>JWT header</h4>
      <pre>{JSON.stringify(result.header, null, 2)}</pre>
      <h4>JWT claims</h4>
      <pre>{JSON.stringify(result.claims, null, 2)}</pre>
    </div>
  );
}

/** Rows shown at most (the newest); a long-running call's earlier rows stay in GET …/timeline. */
const MAX_ROWS = 1000;

export function Timeline(props: { rows: Row[] }): JSX.Element {
  const [open, setOpen] = useState<Row | null>(null);
  const hidden = Math.max(0, props.rows.length - MAX_ROWS);
  const shown = hidden > 0 ? props.rows.slice(hidden) : props.rows;
  const detailRef = useRef<HTMLElement>(null);
  // The entry whose details are open: closing them puts the keyboard focus back on it, not at the page's top.
  const openerRef = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    if (open) detailRef.current?.focus();
  }, [open?.key]);
  const close = (): void => {
    setOpen(null);
    openerRef.current?.focus();
  };
  // One Tab stop for the whole list (a long call has hundreds of entries): the arrow keys, Home and End move between
  // entries (a "roving tabindex"); the entry last focused is the one Tab comes back to.
  const [current, setCurrent] = useState<string | null>(null);
  const tabStop = shown.some((r) => r.key === current) ? current : (shown[0]?.key ?? null);
  const onListKey = (e: KeyboardEvent): void => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key) || !(e.target instanceof HTMLButtonElement)) return;
    const buttons = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('button.tl-arrow')];
    const last = buttons.length - 1;
    const at = buttons.indexOf(e.target);
    const to =
      e.key === 'Home'
        ? 0
        : e.key === 'End'
          ? last
          : Math.max(0, Math.min(last, at + (e.key === 'ArrowDown' ? 1 : -1)));
    e.preventDefault();
    buttons[to]?.focus();
  };
  return (
    <div class="timeline-wrap">
      <div class="lanes" aria-hidden="true">
        {LANES.map((l) => (
          <span key={l}>{l}</span>
        ))}
      </div>
      {hidden > 0 ? <p class="muted">{hidden} earlier entries not shown.</p> : null}
      <p class="muted" id="timeline-keys">
        Up and down arrows move between entries; Enter shows one’s details, Escape closes them.
      </p>
      <ol
        class="timeline"
        aria-label="Timeline: bot, Switchboard, people"
        aria-describedby="timeline-keys"
        onKeyDown={onListKey}
      >
        {shown.map((r) => {
          const lo = Math.min(r.from, r.to);
          const hi = Math.max(r.from, r.to);
          const dir = r.from === r.to ? 'self' : r.from < r.to ? 'right' : 'left';
          return (
            <li key={r.key} class={`tl-row tl-${r.kind}${r.failed ? ' tl-failed' : ''}`}>
              <span class="tl-time">{clockTime(new Date(r.at).toISOString())}</span>
              <button
                type="button"
                class={`tl-arrow tl-${dir}`}
                style={{ gridColumn: `${lo + 2} / ${hi + 3}` }}
                aria-expanded={open?.key === r.key}
                tabIndex={r.key === tabStop ? 0 : -1}
                onFocus={() => setCurrent(r.key)}
                onClick={(e) => {
                  openerRef.current = e.currentTarget;
                  setOpen(open?.key === r.key ? null : r);
                }}
              >
                <span class="visually-hidden">{`${LANES[r.from]} to ${LANES[r.to]}: `}</span>
                {r.label}
              </button>
            </li>
          );
        })}
      </ol>
      {props.rows.length === 0 ? <p>Nothing yet.</p> : null}
      {open ? (
        <section
          class="card detail"
          aria-label="Details"
          tabIndex={-1}
          ref={detailRef}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
        >
          <h3>{open.detail.title}</h3>
          <button type="button" onClick={close}>
            Close details
          </button>
          <pre>{JSON.stringify(open.detail.json, null, 2)}</pre>
          {open.detail.token ? <TokenCheck token={open.detail.token} /> : null}
        </section>
      ) : null}
    </div>
  );
}
