/**
 * The change feed in the browser: GET /_switchboard/events read with fetch (not EventSource, which cannot send the
 * control key header), parsed as server-sent events, reconnected with the last seq after a drop. One connection per
 * tab, shared by every page; pages subscribe with useFeed and reload what an event touches. No polling loop.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { authHeaders } from './api.js';

export interface FeedEvent {
  seq: number;
  kind: 'command' | 'request' | 'delivery' | 'redeliver' | 'reset' | 'clock';
  rt: number;
  at: number;
  conversationId: string | null;
  callId: string | null;
  body: Record<string, unknown>;
}

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

const listeners = new Set<(e: FeedEvent) => void>();
const statusListeners = new Set<(s: FeedStatus) => void>();
let status: FeedStatus = 'connecting';
let started = false;
let lastSeq: number | null = null;
/** The server's feed epoch: a new one (a SQLite server restarted) means every page reloads what it shows. */
let epoch: string | null = null;

function setStatus(s: FeedStatus): void {
  status = s;
  for (const l of statusListeners) l(s);
}

async function connectOnce(): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
  if (lastSeq !== null) headers['last-event-id'] = String(lastSeq);
  const res = await fetch(`/_switchboard/events${epoch !== null ? `?epoch=${encodeURIComponent(epoch)}` : ''}`, {
    headers,
  });
  if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data === undefined) continue;
      if (type === 'ready') {
        const ready = JSON.parse(data) as { head: number; epoch: string };
        if (epoch !== null && ready.epoch !== epoch) {
          // The server's feed started over (a restart): what the pages show may be stale; they reload on a reset.
          lastSeq = null;
          const reset: FeedEvent = {
            seq: ready.head,
            kind: 'reset',
            rt: 0,
            at: 0,
            conversationId: null,
            callId: null,
            body: {},
          };
          for (const l of [...listeners]) l(reset);
        }
        epoch = ready.epoch;
        lastSeq ??= ready.head;
        setStatus('live');
      } else if (type === 'feed') {
        const e = JSON.parse(data) as FeedEvent;
        lastSeq = e.seq;
        for (const l of [...listeners]) l(e);
      }
    }
  }
}

function start(): void {
  if (started) return;
  started = true;
  void (async () => {
    for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
      try {
        await connectOnce();
        delay = 250;
      } catch {
        // dropped, refused (no key yet) or server restarting: try again shortly
      }
      setStatus('reconnecting');
      await new Promise((r) => setTimeout(r, delay));
    }
  })();
}

/** Calls `onEvent` for each feed event while the component is mounted. */
export function useFeed(onEvent: (e: FeedEvent) => void): void {
  const ref = useRef(onEvent);
  ref.current = onEvent;
  useEffect(() => {
    start();
    const l = (e: FeedEvent): void => ref.current(e);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
}

export function useFeedStatus(): FeedStatus {
  const [s, setS] = useState(status);
  useEffect(() => {
    start();
    statusListeners.add(setS);
    setS(status);
    return () => void statusListeners.delete(setS);
  }, []);
  return s;
}

/** A function that runs `fn` once, `ms` after the last of a burst of calls (a command's several events → one reload). */
export function useDebounced(fn: () => void, ms = 120): () => void {
  const timer = useRef<number | null>(null);
  const f = useRef(fn);
  f.current = fn;
  useEffect(() => () => void (timer.current !== null && clearTimeout(timer.current)), []);
  return () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      timer.current = null;
      f.current();
    }, ms);
  };
}
