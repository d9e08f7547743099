/**
 * One call's page: its conversation's roster (who, how they joined, muted, in the lobby, on hold), the call's
 * operations with status and resultInfo, and the timeline. Live: reloads when the feed touches the conversation;
 * an ended call keeps its operations and timeline (as long as the feed has them).
 */
import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import { useDebounced, useFeed } from '../feed.js';
import type { FeedEvent } from '../feed.js';
import { KIND_LABEL } from '../format.js';
import { Link } from '../router.js';
import { useResource } from '../use-resource.js';
import { Timeline, timelineRows, type NotificationView } from './timeline.js';

interface RosterEntry {
  status: string;
  kind: string;
  callId: string | null;
  invitedByOperationId: string | null;
  onHold: boolean;
  outcome: { code: number; subcode: number; message: string } | null;
  participant: {
    id: string;
    isMuted: boolean;
    isInLobby: boolean;
    info: { identity: Record<string, { id?: string; displayName?: string | null } | null | undefined> };
  };
}

interface LiveCall {
  id: string;
  state: string;
  appId: string;
  direction: string;
  conversation: { id: string; kind: string } | null;
  roster: RosterEntry[];
}

interface Operations {
  callEnded: boolean;
  value: {
    id: string;
    type: string;
    status: string;
    resultInfo?: { code: number; subcode: number; message: string } | null;
    clientContext?: string | null;
  }[];
}

interface TimelineView {
  conversationId: string;
  callIds: string[];
  live: boolean;
  events: FeedEvent[];
  notifications: NotificationView[];
}

function who(p: RosterEntry['participant']): string {
  for (const [kind, v] of Object.entries(p.info.identity)) {
    if (v && typeof v === 'object' && (v.displayName || v.id))
      return `${v.displayName ?? v.id} (${kind}${v.displayName && v.id ? ` ${v.id}` : ''})`;
  }
  return p.id;
}

function howJoined(r: RosterEntry): string {
  if (r.callId) return `bot leg ${r.callId}`;
  if (r.invitedByOperationId) return `invited (operation ${r.invitedByOperationId})`;
  return r.kind;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

export function CallPage(props: { id: string }): JSX.Element {
  const id = props.id.toLowerCase();
  const live = useResource<LiveCall>(`/_switchboard/calls/${encodeURIComponent(id)}`);
  const ops = useResource<Operations>(`/_switchboard/calls/${encodeURIComponent(id)}/operations`);
  const timeline = useResource<TimelineView>(`/_switchboard/calls/${encodeURIComponent(id)}/timeline`);
  const reload = useDebounced(() => {
    live.reload();
    ops.reload();
    timeline.reload();
  });
  useFeed((e) => {
    const t = timeline.data;
    if (e.kind === 'reset' || !t) return reload();
    if (
      e.conversationId === t.conversationId ||
      (e.callId !== null && (t.callIds.includes(e.callId) || e.callId === id))
    )
      reload();
  });
  const rows = useMemo(
    () => (timeline.data ? timelineRows(timeline.data.events, timeline.data.notifications) : []),
    [timeline.data],
  );
  const call = live.data;
  const ended = live.error !== undefined && 'status' in live.error && (live.error as { status: number }).status === 404;
  return (
    <section aria-labelledby="call-title">
      <p>
        <Link href="">← All calls</Link>
      </p>
      <h1 id="call-title">
        Call <code>{id}</code>
      </h1>
      <p>
        {call ? (
          <>
            <span class={`state state-${call.state}`}>{call.state}</span> ·{' '}
            {KIND_LABEL[call.conversation?.kind ?? ''] ?? call.conversation?.kind} · app {call.appId} · {call.direction}{' '}
            · conversation <code>{call.conversation?.id}</code>
          </>
        ) : ended ? (
          <span class="state state-terminated">
            This call has ended (Graph answers 404 for it); its operations and timeline stay.
          </span>
        ) : live.error ? (
          <span role="alert">{live.error.message}</span>
        ) : (
          'Loading…'
        )}
      </p>
      <div class="grid2">
        <section class="card" aria-labelledby="roster-title">
          <h2 id="roster-title">Roster</h2>
          {call && call.roster.length > 0 ? (
            <div class="table-wrap">
              <table class="stack">
                <thead>
                  <tr>
                    <th scope="col">Who</th>
                    <th scope="col">How joined</th>
                    <th scope="col">Status</th>
                    <th scope="col">Muted</th>
                    <th scope="col">In lobby</th>
                    <th scope="col">On hold</th>
                  </tr>
                </thead>
                <tbody>
                  {call.roster.map((r) => (
                    <tr key={r.participant.id}>
                      <td data-label="Who">{who(r.participant)}</td>
                      <td data-label="How joined">{howJoined(r)}</td>
                      <td data-label="Status">
                        <span class={`state state-${r.status}`}>{r.status}</span>
                        {r.outcome ? ` (${r.outcome.code}/${r.outcome.subcode} ${r.outcome.message})` : ''}
                      </td>
                      <td data-label="Muted">{yesNo(r.participant.isMuted)}</td>
                      <td data-label="In lobby">{yesNo(r.participant.isInLobby)}</td>
                      <td data-label="On hold">{yesNo(r.onHold)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p>{call ? 'No roster (a peer-to-peer call has none).' : '—'}</p>
          )}
        </section>
        <section class="card" aria-labelledby="ops-title">
          <h2 id="ops-title">Operations</h2>
          {ops.data && ops.data.value.length > 0 ? (
            <div class="table-wrap">
              <table class="stack">
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col">Status</th>
                    <th scope="col">resultInfo</th>
                    <th scope="col">Id</th>
                  </tr>
                </thead>
                <tbody>
                  {ops.data.value.map((o) => (
                    <tr key={o.id}>
                      <td data-label="Type">{o.type}</td>
                      <td data-label="Status">
                        <span class={`state state-${o.status.toLowerCase()}`}>{o.status}</span>
                      </td>
                      <td data-label="resultInfo">
                        {o.resultInfo ? `${o.resultInfo.code}/${o.resultInfo.subcode} ${o.resultInfo.message}` : '—'}
                      </td>
                      <td data-label="Id">
                        <code>{o.id}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p>No operations.</p>
          )}
        </section>
      </div>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        {timeline.error ? <p role="alert">{timeline.error.message}</p> : <Timeline rows={rows} />}
      </section>
    </section>
  );
}
