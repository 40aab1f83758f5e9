import { describe, expect, it } from 'vitest';
import { KeyLocks } from './key-locks.js';

/** One turn of the event loop: every promise that can settle by then has. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeyLocks', () => {
  it('releases the keys when the body throws, so the next operation on them runs', async () => {
    const locks = new KeyLocks();
    await expect(
      locks.run(['a'], async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    let ran = false;
    const next = locks.run(['a'], async () => {
      ran = true;
      return 7;
    });
    await turn();
    expect(ran).toBe(true);
    expect(await next).toBe(7);
  });

  it('runs operations on one key one at a time, in call order, and lets other keys through', async () => {
    const locks = new KeyLocks();
    const log: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = locks.run(['a'], async () => {
      log.push('first starts');
      await gate;
      log.push('first ends');
    });
    const second = locks.run(['a', 'b'], async () => {
      log.push('second');
    });
    const other = locks.run(['c'], async () => {
      log.push('other');
    });
    await turn();
    expect(log).toEqual(['first starts', 'other']);
    open();
    await turn();
    expect(log).toEqual(['first starts', 'other', 'first ends', 'second']);
    await Promise.all([first, second, other]);
  });
  it('an operation that ends while a later one waits leaves the key to the later one: a third waits for the second', async () => {
    const locks = new KeyLocks();
    const log: string[] = [];
    let openSecond!: () => void;
    const secondGate = new Promise<void>((resolve) => {
      openSecond = resolve;
    });
    const first = locks.run(['a'], async () => {
      log.push('first');
    });
    const second = locks.run(['a'], async () => {
      log.push('second starts');
      await secondGate;
      log.push('second ends');
    });
    await first;
    await turn();
    const third = locks.run(['a'], async () => {
      log.push('third');
    });
    await turn();
    expect(log).toEqual(['first', 'second starts']);
    openSecond();
    await Promise.all([second, third]);
    expect(log).toEqual(['first', 'second starts', 'second ends', 'third']);
    expect(locks.held).toBe(0); // every key forgotten once nothing holds it
  });
});
