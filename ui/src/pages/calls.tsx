/** Every conversation and its legs: state, kind, app, age; filtered by app, state and free text. */
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { age, KIND_LABEL } from '../format.js';
import { ChoiceFilter, SearchFilter } from '../filters.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { useDebounced, useFeed } from '../feed.js';

export interface LegSummary {
  id: string;
  state: string;
  direction: string;
  tenantId: string;
  appId: string;
  apiVersion: string;
  createdDateTime: string;
  conversation: { id: string; kind: string; threadId: string | null; meetingId: string | null } | null;
}

interface EndedLeg {
  id: string;
  appId: string;
  direction: string;
  conversationId: string | null;
  endedDateTime: string;
}

interface ConversationRow {
  id: string;
  kind: string;
  createdDateTime: string;
  legs: LegSummary[];
}

const STATES = [
  'incoming',
  'establishing',
  'established',
  'hold',
  'transferring',
  'transferAccepted',
  'redirecting',
  'terminating',
  'terminated',
];

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function CallsPage(): JSX.Element {
  const [initialQuery] = useState(() => new URLSearchParams(window.location.search));
  const calls = useResource<{ value: LegSummary[] }>('/_switchboard/calls');
  // Ages are measured on the world's clock: a virtual one stands still (and may be days ahead of this browser's)
  // until it is moved; it is read again whenever the feed says something happened.
  const clock = useResource<{ mode: 'real' | 'virtual'; epochMs: number }>('/_switchboard/clock');
  const ended = useResource<{ value: EndedLeg[] }>('/_switchboard/ended-calls?limit=50');
  // Live: any committed command (or a reset) may change the lists.
  const reload = useDebounced(() => {
    calls.reload();
    ended.reload();
    clock.reload();
  });
  useFeed((e) => {
    if (e.kind === 'command' || e.kind === 'reset') reload();
    // A clock move that fired nothing changes no call, but every age: read the clock again.
    else if (e.kind === 'clock') clock.reload();
  });
  // The filter lives in the address (?app=&state=&q=): a reload or a shared link shows the same list.
  const [app, setApp] = useState(() => initialQuery.get('app') ?? '');
  const [state, setState] = useState(() => initialQuery.get('state') ?? '');
  const [text, setText] = useState(() => initialQuery.get('q') ?? '');
  useEffect(() => {
    const q = new URLSearchParams();
    if (app !== '') q.set('app', app);
    if (state !== '') q.set('state', state);
    if (text !== '') q.set('q', text);
    const search = q.toString() === '' ? '' : `?${q.toString()}`;
    if (search !== window.location.search) history.replaceState(history.state, '', window.location.pathname + search);
  }, [app, state, text]);
  const realNow = useNow(1000);
  const now = clock.data?.mode === 'virtual' ? clock.data.epochMs : realNow;
  const legs = calls.data?.value ?? [];
  // The chosen app stays a choice even with no call of it listed (yet, or any more).
  const apps = useMemo(
    () => [...new Set([...legs.map((l) => l.appId), ...(app === '' ? [] : [app])])].sort(),
    [legs, app],
  );
  const rows = useMemo(() => {
    const byConversation = new Map<string, ConversationRow>();
    for (const l of legs) {
      const id = l.conversation?.id ?? l.id;
      const row = byConversation.get(id) ?? {
        id,
        kind: l.conversation?.kind ?? '',
        createdDateTime: l.createdDateTime,
        legs: [],
      };
      row.legs.push(l);
      if (l.createdDateTime < row.createdDateTime) row.createdDateTime = l.createdDateTime;
      byConversation.set(id, row);
    }
    const needle = text.trim().toLowerCase();
    return [...byConversation.values()]
      .filter((r) => r.legs.some((l) => (app === '' || l.appId === app) && (state === '' || l.state === state)))
      .filter((r) => needle === '' || JSON.stringify(r).toLowerCase().includes(needle))
      .sort((a, b) => (a.createdDateTime < b.createdDateTime ? 1 : -1));
  }, [legs, app, state, text]);
  return (
    <section aria-labelledby="calls-title">
      <h1 id="calls-title">Calls</h1>
      <form class="filters" role="search" aria-label="Filter calls" onSubmit={(e) => e.preventDefault()}>
        <ChoiceFilter label="App" value={app} options={apps} onChange={setApp} />
        <ChoiceFilter label="State" value={state} options={STATES} onChange={setState} />
        <SearchFilter value={text} placeholder="id, app, meeting…" onChange={setText} />
      </form>
      {calls.error ? <p role="alert">Could not load the calls: {calls.error.message}</p> : null}
      {calls.data && rows.length === 0 ? <p>No calls{legs.length > 0 ? ' match the filter' : ' yet'}.</p> : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table class="calls stack">
            <caption class="visually-hidden">Conversations and their call legs</caption>
            <thead>
              <tr>
                <th scope="col">Conversation</th>
                <th scope="col">Kind</th>
                <th scope="col">Legs (app · state)</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td data-label="Conversation">
                    <Link href={`calls/${r.legs[0]!.id}`} aria-label={`Conversation ${r.id}`}>
                      <code>{r.id}</code>
                    </Link>
                  </td>
                  <td data-label="Kind">{KIND_LABEL[r.kind] ?? r.kind}</td>
                  <td data-label="Legs">
                    <ul class="legs">
                      {r.legs.map((l) => (
                        <li key={l.id}>
                          <Link href={`calls/${l.id}`} aria-label={`Call ${l.id}`}>
                            <code>{l.id}</code>
                          </Link>{' '}
                          {l.appId} · <span class={`state state-${l.state}`}>{l.state}</span> · {l.direction}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td data-label="Age">{age(r.createdDateTime, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <section aria-labelledby="ended-title">
        <h2 id="ended-title">Recently ended</h2>
        {(ended.data?.value ?? []).length === 0 ? (
          <p>None.</p>
        ) : (
          <ul class="legs">
            {ended
              .data!.value.filter(
                (l) =>
                  (app === '' || l.appId === app) &&
                  (text.trim() === '' || JSON.stringify(l).toLowerCase().includes(text.trim().toLowerCase())),
              )
              .map((l) => (
                <li key={l.id}>
                  <Link href={`calls/${l.id}`} aria-label={`Ended call ${l.id}`}>
                    <code>{l.id}</code>
                  </Link>{' '}
                  {l.appId} · {l.direction} · ended {age(l.endedDateTime, now)} ago
                </li>
              ))}
          </ul>
        )}
      </section>
    </section>
  );
}
