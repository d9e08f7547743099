import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { QueueWaitExceeded, TransactionGate } from '../../src/store/gate.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('TransactionGate', () => {
  it('runs one holder at a time, FIFO within a priority, waiting high work before waiting normal work', async () => {
    const m = new TransactionGate(1);
    const log: string[] = [];
    let inside = 0;
    const job = (name: string) => async () => {
      inside++;
      expect(inside).toBe(1);
      log.push(`${name}:start`);
      await tick();
      log.push(`${name}:end`);
      inside--;
      return name;
    };
    const all = [
      m.run(job('n1')), // takes the lock at once
      m.run(job('n2')),
      m.run(job('h1'), 'high'),
      m.run(job('n3')),
      m.run(job('h2'), 'high'),
    ];
    expect(await Promise.all(all)).toEqual(['n1', 'n2', 'h1', 'n3', 'h2']);
    expect(log.filter((l) => l.endsWith(':start'))).toEqual([
      'n1:start',
      'h1:start',
      'h2:start',
      'n2:start',
      'n3:start',
    ]);
  });

  it('keeps FIFO order through a deep queue', async () => {
    const m = new TransactionGate(1);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 5000 }, (_, i) => m.run(() => void order.push(i))));
    expect(order).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('admits up to its capacity at once', async () => {
    const g = new TransactionGate(3);
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        g.run(async () => {
          most = Math.max(most, ++inside);
          await tick();
          inside--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('passes a failure to its caller and goes on with the next waiter', async () => {
    const m = new TransactionGate(1);
    const failed = m.run(() => Promise.reject(new Error('boom')));
    const next = m.run(() => 'next');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
    expect(await m.run(() => 'idle again')).toBe('idle again');
  });

  it('refuses a nested run instead of deadlocking', async () => {
    const m = new TransactionGate(1);
    await expect(m.run(() => m.run(() => 1))).rejects.toThrow(/not reentrant/);
    expect(await m.run(() => 2)).toBe(2);
  });

  it('runs the work in its caller’s async context, not the context of whoever released the lock', async () => {
    const m = new TransactionGate(1);
    const als = new AsyncLocalStorage<string>();
    const first = als.run('first', () =>
      m.run(async () => {
        await tick();
        return als.getStore();
      }),
    );
    const second = als.run('second', () => m.run(() => als.getStore(), 'high'));
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
  });

  it('does not run work that waited past its maxWaitMs, and passes the turn on', async () => {
    const g = new TransactionGate(1);
    let release!: () => void;
    const holder = g.run(() => new Promise<void>((r) => (release = r)));
    const ran: string[] = [];
    const late = g.run(() => void ran.push('late'), 'normal', 20);
    const unbounded = g.run(() => void ran.push('unbounded'));
    expect(g.waiting).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    release();
    await holder;
    await expect(late).rejects.toBeInstanceOf(QueueWaitExceeded);
    await unbounded;
    expect(ran).toEqual(['unbounded']);
    expect(g.waiting).toBe(0);
    // Admitted at once: no wait, whatever the bound.
    expect(await g.run(() => 'now', 'normal', 0)).toBe('now');
  });
});
