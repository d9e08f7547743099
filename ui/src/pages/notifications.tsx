/**
 * The delivery log across calls: the newest notifications with their status and attempts; dead letters get a
 * Redeliver button (POST /_switchboard/notifications/{messageId}/redeliver: same message id and body, due now).
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useDebounced, useFeed } from '../feed.js';
import { clockTime } from '../format.js';
import { ChoiceFilter, SearchFilter } from '../filters.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import type { NotificationView } from './timeline.js';

const LIMIT = 500;
const STATUSES = ['pending', 'retrying', 'delivered', 'deadLettered'];

function Redeliver(props: { n: NotificationView; done: (messageId: string) => void }): JSX.Element {
  const [state, setState] = useState<'idle' | 'busy' | 'error'>('idle');
  const [message, setMessage] = useState('');
  return (
    <>
      <button
        type="button"
        class="primary"
        aria-label={`Redeliver ${props.n.messageId}`}
        disabled={state === 'busy'}
        onClick={() => {
          setState('busy');
          api('POST', `/_switchboard/notifications/${encodeURIComponent(props.n.messageId)}/redeliver`).then(
            () => {
              setState('idle');
              props.done(props.n.messageId);
            },
            (e: unknown) => {
              setState('error');
              setMessage(e instanceof Error ? e.message : String(e));
            },
          );
        }}
      >
        Redeliver
      </button>
      {state === 'error' ? <span role="alert"> {message}</span> : null}
    </>
  );
}

export function NotificationsPage(): JSX.Element {
  const list = useResource<{ value: NotificationView[] }>(`/_switchboard/notifications?limit=${LIMIT}&newest=true`);
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const reload = useDebounced(list.reload);
  useFeed((e) => {
    if (
      e.kind === 'reset' ||
      e.kind === 'delivery' ||
      e.kind === 'redeliver' ||
      (e.kind === 'command' && Array.isArray(e.body.notifications) && e.body.notifications.length > 0)
    )
      reload();
  });
  const needle = text.trim().toLowerCase();
  const rows = (list.data?.value ?? [])
    .filter((n) => status === '' || n.status === status)
    .filter((n) => needle === '' || JSON.stringify(n).toLowerCase().includes(needle))
    .reverse();
  const dead = (list.data?.value ?? []).filter((n) => n.status === 'deadLettered').length;
  // A redelivered row loses its button: the focus moves to the line saying what happened, not to the page's top.
  const [notice, setNotice] = useState('');
  const noticeRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (notice !== '') noticeRef.current?.focus();
  }, [notice]);
  const redelivered = (messageId: string): void => {
    setNotice(`Redelivery of ${messageId} queued: the same message id and body, sent now.`);
    list.reload();
  };
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      <p class="muted">
        The newest {LIMIT} notifications, newest first, with every delivery attempt.{' '}
        {dead > 0 ? `${dead} dead-lettered.` : ''}
      </p>
      <form class="filters" role="search" aria-label="Filter notifications" onSubmit={(e) => e.preventDefault()}>
        <ChoiceFilter label="Status" value={status} options={STATUSES} onChange={setStatus} />
        <SearchFilter value={text} placeholder="call, message id, resource…" onChange={setText} />
      </form>
      <p role="status" class="muted" tabIndex={-1} ref={noticeRef}>
        {notice}
      </p>
      {list.error ? <p role="alert">Could not load the notifications: {list.error.message}</p> : null}
      {list.data && rows.length === 0 ? (
        <p>No notifications{list.data.value.length > 0 ? ' match the filter' : ' yet'}.</p>
      ) : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table class="stack">
            <caption class="visually-hidden">Notifications and their delivery attempts</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Call</th>
                <th scope="col">Resource</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((n) => {
                const items = n.body.value ?? [];
                const last = n.attempts[n.attempts.length - 1];
                return (
                  <tr key={n.sequence}>
                    <td data-label="Created">{clockTime(n.createdDateTime)}</td>
                    <td data-label="Call">
                      <Link href={`calls/${n.callId}`} aria-label={`Call ${n.callId}`}>
                        <code>{n.callId.slice(0, 8)}…</code>
                      </Link>
                    </td>
                    <td data-label="Resource">
                      {items.map((i, k) => (
                        <div key={k}>
                          {i.changeType} <code>{i.resourceUrl}</code>
                        </div>
                      ))}
                      <div class="muted">
                        message <code>{n.messageId}</code>
                      </div>
                    </td>
                    <td data-label="Status">
                      <span class={`state state-${n.status}`}>{n.status}</span>
                      {n.nextAttemptDateTime && n.status === 'retrying' ? (
                        <div class="muted">next try {clockTime(n.nextAttemptDateTime)}</div>
                      ) : null}
                    </td>
                    <td data-label="Attempts">
                      {n.attempts.length}
                      {last ? (
                        <div class="muted">
                          last: {last.statusCode !== null ? `HTTP ${last.statusCode}` : last.error} in {last.durationMs}{' '}
                          ms
                        </div>
                      ) : null}
                    </td>
                    <td data-label="Action">
                      {n.status === 'deadLettered' ? <Redeliver n={n} done={redelivered} /> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
