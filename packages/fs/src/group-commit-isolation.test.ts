/**
 * Guarantee: in a GroupCommitQueue a failure settles only the waiters it belongs to, and
 * the queue goes on. A batch function that throws synchronously fails its batch alone; a
 * task that throws fails itself alone; `batch.fail` rejects exactly the item named (an
 * index outside the batch rejects nobody, a second call keeps the first error); an
 * afterBatch that throws synchronously is ignored; and starting the queued work early
 * never reports the queue idle while a batch is still being committed.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommitQueue } from './group-commit-queue.js';

describe('a GroupCommitQueue failure settles only its own waiters', () => {
  it('a batch function that throws synchronously rejects that batch, and the next batch commits', async () => {
    let calls = 0;
    const queue = new GroupCommitQueue<string, string>({
      commit(items) {
        calls++;
        if (calls === 1) throw new Error('refused');
        return items.map((item) => item.toUpperCase());
      },
    });
    const first = await Promise.allSettled([queue.enqueue('a'), queue.enqueue('b')]);
    expect(first.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect((first[0] as PromiseRejectedResult).reason).toEqual(new Error('refused'));
    expect(await queue.enqueue('c')).toBe('C');
    expect(queue.batches).toBe(2);
  });

  it('a task that throws synchronously rejects itself only; items around it commit', async () => {
    const committed: string[] = [];
    const queue = new GroupCommitQueue<string>({
      commit(items) {
        committed.push(...items);
      },
    });
    const results = await Promise.allSettled([
      queue.enqueue('a'),
      queue.exclusive(() => {
        throw new RangeError('task failed');
      }),
      queue.enqueue('b'),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    expect(committed).toEqual(['a', 'b']);
  });

  it('batch.fail rejects exactly the item named: an index outside the batch rejects nobody, and the first error stays', async () => {
    const first = new Error('first');
    const queue = new GroupCommitQueue<number, number>({
      commit(items, batch) {
        batch.fail(-1, new Error('before the batch'));
        batch.fail(items.length, new Error('after the batch'));
        batch.fail(1, first);
        batch.fail(1, new Error('second'));
        return items.map((item) => item * 10);
      },
    });
    const results = await Promise.allSettled([queue.enqueue(1), queue.enqueue(2), queue.enqueue(3)]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 10 });
    expect(results[1]).toEqual({ status: 'rejected', reason: first });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 30 });
  });

  it('a batch function returning nothing resolves every waiter with undefined', async () => {
    const queue = new GroupCommitQueue<string, number>({ commit: () => undefined });
    expect(await Promise.all([queue.enqueue('a'), queue.enqueue('b')])).toEqual([undefined, undefined]);
  });

  it('an afterBatch that throws synchronously is ignored: the batch resolved and the next one commits', async () => {
    const log: string[] = [];
    const queue = new GroupCommitQueue<string>({
      commit(items) {
        log.push(`batch ${items.join(',')}`);
      },
      afterBatch() {
        log.push('after');
        throw new Error('compaction failed');
      },
    });
    await queue.enqueue('a');
    await queue.enqueue('b');
    await queue.idle();
    expect(log).toEqual(['batch a', 'after', 'batch b', 'after']);
  });

  it('counts what waits for its turn, and runPending() while a batch is committing neither restarts nor idles the queue', async () => {
    const seen: string[][] = [];
    let release = () => {};
    const queue = new GroupCommitQueue<string>({
      async commit(items) {
        seen.push([...items]);
        if (seen.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    const a = queue.enqueue('a');
    expect(queue.queued).toBe(1);
    queue.runPending(); // starts 'a' now
    expect(queue.queued).toBe(0);
    const b = queue.enqueue('b');
    const c = queue.enqueue('c');
    expect(queue.queued).toBe(2);
    queue.runPending(); // nothing is scheduled: 'a' is still being committed
    await Promise.resolve();
    expect(seen).toEqual([['a']]);
    expect(queue.busy).toBe(true);
    let idle = false;
    void queue.idle().then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(idle).toBe(false);
    release();
    await Promise.all([a, b, c]);
    await queue.idle();
    expect(seen).toEqual([['a'], ['b', 'c']]);
    expect(idle).toBe(true);
  });
});
