/** Reads a server-sent event stream with fetch (as the dashboard does, so it can send the control key header). */
import type { FeedEvent } from '../../src/store/store.js';

export interface FeedReader {
  /** `feed` events in arrival order. */
  events: FeedEvent[];
  /** The `ready` event's data (where the feed stood when the stream opened). */
  ready: Promise<{ head: number; epoch: string }>;
  waitFor(pred: (e: FeedEvent) => boolean, what: string, timeoutMs?: number): Promise<FeedEvent>;
  close(): void;
}

export async function readFeed(url: string, headers: Record<string, string> = {}): Promise<FeedReader> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  if (!res.headers.get('content-type')?.startsWith('text/event-stream'))
    throw new Error(`${url}: content-type ${res.headers.get('content-type')}`);
  const events: FeedEvent[] = [];
  const waiters = new Set<() => void>();
  let onReady!: (v: { head: number; epoch: string }) => void;
  const ready = new Promise<{ head: number; epoch: string }>((r) => (onReady = r));
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
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
          if (type === 'ready') onReady(JSON.parse(data) as { head: number; epoch: string });
          if (type === 'feed') events.push(JSON.parse(data) as FeedEvent);
          for (const w of [...waiters]) w();
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    ready,
    waitFor(pred, what, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = events.find(pred);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no feed event: ${what} (got ${events.map((e) => `${e.seq}:${e.kind}`).join(', ')})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}
