import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryThread } from '../../src/notify/delivery-thread.js';
import type { PostRequest } from '../../src/notify/delivery.js';
import { startReceiver, type Receiver } from './receiver.js';

const receivers: Receiver[] = [];
const threads: DeliveryThread[] = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.close()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const request = (callbackUri: string, messageId = 'msg-1'): PostRequest => ({
  callId: 'call-1',
  messageId,
  callbackUri,
  body: '{"value":[]}',
  token: 'tok',
  timeoutMs: 1_000,
});

function thread(options?: ConstructorParameters<typeof DeliveryThread>[0]): DeliveryThread {
  const t = new DeliveryThread(options);
  threads.push(t);
  return t;
}

describe('the delivery thread', () => {
  it('sends many POSTs at once and hands each its own result', async () => {
    const bot = await startReceiver((req) => ({
      status: req.headers['x-microsoft-skype-message-id'] === 'm-3' ? 500 : 202,
    }));
    receivers.push(bot);
    const t = thread();
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => t.post(request(bot.url(), `m-${n}`))));
    expect(results.map((r) => r.statusCode)).toEqual([202, 202, 500, 202, 202]);
    expect(t.inHand).toBe(0);
  });

  it('answers the POSTs in hand as failed when the thread dies, and starts a new one for the next', async () => {
    // A thread that takes POSTs and dies on the second one without answering either.
    const t = thread({
      source: `
        const { parentPort } = require('node:worker_threads');
        let n = 0;
        parentPort.on('message', () => { if (++n === 2) process.exit(3); });
      `,
    });
    const first = t.post(request('http://127.0.0.1:9/'));
    const second = t.post(request('http://127.0.0.1:9/'));
    expect(await first).toEqual({ statusCode: null, error: 'the delivery thread exited (code 3)', retryAfterMs: null });
    expect(await second).toMatchObject({ statusCode: null, error: 'the delivery thread exited (code 3)' });
    expect(t.inHand).toBe(0);
    // A fresh thread takes the next POST (this one never answers: closing the thread answers it).
    const third = t.post(request('http://127.0.0.1:9/'));
    expect(t.inHand).toBe(1);
    await t.close();
    expect(await third).toMatchObject({ statusCode: null, error: expect.stringMatching(/closed/) });
    expect(await t.post(request('http://127.0.0.1:9/'))).toMatchObject({ error: 'the delivery thread is closed' });
  });
});
