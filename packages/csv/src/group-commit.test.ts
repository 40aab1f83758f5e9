import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

function recorder() {
  const groups: string[][] = [];
  const log: string[] = [];
  let failNext = false;
  const queue = new GroupCommit<string>(
    async (writes) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failNext) {
        failNext = false;
        throw new Error('disk failed');
      }
      groups.push([...writes]);
      log.push(...writes);
      return writes.map((write) => `done ${write}`);
    },
    async () => {
      log.push('after');
    },
  );
  return { queue, groups, log, failOnce: () => (failNext = true) };
}

describe('GroupCommit', () => {
  it('commits writes issued together as one group and resolves each with its result', async () => {
    const { queue, groups } = recorder();
    const results = await Promise.all(['a', 'b', 'c'].map((write) => queue.submit(write)));
    expect(results).toEqual(['done a', 'done b', 'done c']);
    expect(groups).toEqual([['a', 'b', 'c']]);
  });

  it('gathers writes arriving during a commit into the next group', async () => {
    const { queue, groups } = recorder();
    const first = queue.submit('a');
    await Promise.resolve();
    await Promise.resolve();
    const later = [queue.submit('b'), queue.submit('c')];
    await Promise.all([first, ...later]);
    expect(groups).toEqual([['a'], ['b', 'c']]);
  });

  it('runs a task after the writes before it and before the writes after it', async () => {
    const { queue, log } = recorder();
    const done = [
      queue.submit('a'),
      queue.exclusive(async () => {
        log.push('task');
        return 7;
      }),
      queue.submit('b'),
    ];
    expect(await Promise.all(done)).toEqual(['done a', 7, 'done b']);
    expect(log).toEqual(['a', 'after', 'task', 'b', 'after']);
  });

  it('fails every write of a failed group and keeps serving later ones', async () => {
    const { queue, failOnce } = recorder();
    failOnce();
    const failed = Promise.allSettled([queue.submit('a'), queue.submit('b')]);
    expect((await failed).map((result) => result.status)).toEqual(['rejected', 'rejected']);
    await expect(queue.submit('c')).resolves.toBe('done c');
  });

  it('passes a failing task its error without stopping the queue', async () => {
    const { queue } = recorder();
    await expect(queue.exclusive(async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    await expect(queue.submit('x')).resolves.toBe('done x');
  });

  it('reports busy while work is queued and resolves idle when it is done', async () => {
    const { queue } = recorder();
    expect(queue.busy).toBe(false);
    const write = queue.submit('a');
    expect(queue.busy).toBe(true);
    await queue.idle();
    expect(queue.busy).toBe(false);
    await write;
  });
});
