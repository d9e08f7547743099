/**
 * The turn pacer (src/api/turn-pacer.ts): libuv accepts one connection per turn of the event loop, so while turns
 * keep accepting connections the pacer starts one request a turn and queues the rest in arrival order; otherwise it
 * starts each at once. Turns here are real check phases (setImmediate).
 */
import { describe, expect, it } from 'vitest';
import { TurnPacer } from '../../src/api/turn-pacer.js';

/** Lets one turn of the event loop pass (resumes in the next check phase). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnPacer', () => {
  it('starts every request at once while no connection has been accepted', () => {
    const pacer = new TurnPacer();
    const started: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) pacer.run(() => started.push(name));
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect(pacer.waiting).toBe(0);
    expect(pacer.pacing).toBe(false);
  });

  it('starts one request a turn, in arrival order, while every turn accepts a connection', async () => {
    const pacer = new TurnPacer();
    const started: string[] = [];
    pacer.noteConnection();
    for (const name of ['a', 'b', 'c', 'd']) pacer.run(() => started.push(name));
    expect(started).toEqual(['a']);
    expect(pacer.waiting).toBe(3);
    const perTurn: string[][] = [];
    while (pacer.waiting > 0) {
      await nextTurn();
      pacer.noteConnection(); // the next poll phase accepted another connection
      perTurn.push([...started]);
    }
    expect(perTurn).toEqual([
      ['a', 'b'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c', 'd'],
    ]);
  });

  it('stops pacing after a turn that accepted nothing, and starts what waits together', async () => {
    const pacer = new TurnPacer();
    const started: string[] = [];
    pacer.noteConnection();
    for (const name of ['a', 'b', 'c', 'd', 'e']) pacer.run(() => started.push(name));
    for (let turn = 0; turn < 3 && pacer.waiting > 0; turn++) await nextTurn();
    expect(pacer.pacing).toBe(false);
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    pacer.run(() => started.push('f'));
    expect(started.at(-1)).toBe('f');
  });

  it('keeps arrival order: a request never starts before one that waits', async () => {
    const pacer = new TurnPacer();
    const started: string[] = [];
    pacer.noteConnection();
    pacer.run(() => started.push('a'));
    pacer.run(() => started.push('b'));
    await nextTurn(); // pacing ends after the next turn accepts nothing; 'b' may still wait
    pacer.run(() => started.push('c'));
    while (pacer.waiting > 0) await nextTurn();
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('reports how long the oldest waiting request has waited', async () => {
    let now = 1_000;
    const pacer = new TurnPacer(1, () => now);
    expect(pacer.oldestWaitMs()).toBe(0);
    pacer.noteConnection();
    pacer.run(() => undefined);
    pacer.run(() => undefined);
    now += 40;
    pacer.run(() => undefined);
    now += 60;
    expect(pacer.waiting).toBe(2);
    expect(pacer.oldestWaitMs()).toBe(100);
    const waited: number[] = [];
    pacer.run((ms) => waited.push(ms));
    now += 5;
    while (pacer.waiting > 0) await nextTurn();
    expect(pacer.oldestWaitMs()).toBe(0);
    // Each start is told how long it waited (the door refuses one that waited past its bound).
    expect(waited).toEqual([5]);
  });

  it('settles runAsync as the started work settles, and a start that throws strands nothing', async () => {
    const pacer = new TurnPacer();
    pacer.noteConnection();
    pacer.run(() => undefined);
    const ok = pacer.runAsync(() => Promise.resolve(42));
    const failed = pacer.runAsync(() => Promise.reject(new Error('no')));
    const started: string[] = [];
    pacer.run(() => {
      throw new Error('thrown by a start');
    });
    pacer.run(() => started.push('after'));
    await expect(ok).resolves.toBe(42);
    await expect(failed).rejects.toThrow('no');
    while (pacer.waiting > 0) await nextTurn();
    expect(started).toEqual(['after']);
  });

  it('refuses a batch size below one', () => {
    expect(() => new TurnPacer(0)).toThrow(RangeError);
  });
});
