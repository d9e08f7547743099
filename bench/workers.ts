/** Main-thread handles on the bench's worker threads: the bot (long-lived) and the load generator (one per run). */
import { Worker } from 'node:worker_threads';
import type { BotRequest, BotSnapshot } from './bot-worker.js';
import type { LoadOutcome, LoadSpec } from './loadgen-worker.js';

export interface Bot {
  url: string;
  reset(): Promise<void>;
  snapshot(full?: boolean): Promise<BotSnapshot>;
  close(): Promise<void>;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type BotCommand = WithoutId<BotRequest>;

export async function startBot(): Promise<Bot> {
  const worker = new Worker(new URL('./bot-worker.js', import.meta.url));
  const pending = new Map<number, (msg: { snapshot?: BotSnapshot }) => void>();
  let nextId = 1;
  let failure: Error | null = null;
  worker.on('error', (err) => {
    failure = err;
    for (const resolve of pending.values()) resolve({});
  });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (msg: { url: string }) => {
      worker.off('error', reject);
      resolve(msg.url);
    });
  });
  worker.on('message', (msg: { id?: number; snapshot?: BotSnapshot }) => {
    if (msg.id === undefined) return;
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  });
  const ask = (cmd: BotCommand): Promise<{ snapshot?: BotSnapshot }> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      worker.postMessage({ ...cmd, id });
    });
  };
  return {
    url,
    reset: async () => {
      await ask({ cmd: 'reset' });
    },
    snapshot: async (full = false) => {
      const { snapshot } = await ask({ cmd: 'snapshot', full });
      if (!snapshot) throw failure ?? new Error('bot worker gave no snapshot');
      return snapshot;
    },
    close: async () => {
      await ask({ cmd: 'close' });
      await worker.terminate();
    },
  };
}

/** Runs autocannon in a fresh worker thread and returns what it measured. */
export function runLoad(spec: LoadSpec): Promise<LoadOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./loadgen-worker.js', import.meta.url), { workerData: spec });
    let settled = false;
    worker.once('message', (msg: LoadOutcome | { error: string }) => {
      settled = true;
      void worker.terminate();
      if ('error' in msg) reject(new Error(`load generator failed: ${msg.error}`));
      else resolve(msg);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code} before reporting`));
    });
  });
}
