/**
 * A job queue on the log engine with transactions. Jobs are `job:<id>` entries with a
 * state; three workers run at once, and each claims the next pending job inside a
 * transaction: if two workers pick the same job, one commit wins and the other gets
 * `CONFLICT`, and `retries` runs its body again on fresh data. So every job runs exactly
 * once, and the queue survives a restart (it is on disk, fsynced before each commit resolves).
 *
 * Run: node --import tsx examples/job-queue.ts [folder]
 */
import { join } from 'node:path';
import { PersistentMap } from '@stowage/core';
import { LogBackend } from '@stowage/log';
import { runIfMain } from './run-main.js';

interface Job {
  readonly task: string;
  readonly state: 'pending' | 'running' | 'done';
  readonly worker?: string;
}

async function claim(queue: PersistentMap<string, Job>, worker: string): Promise<string | undefined> {
  return queue.transaction(
    async (tx) => {
      for await (const [id, job] of queue.entries({ prefix: 'job:' })) {
        if (job.state !== 'pending') continue;
        const current = await tx.get(id); // read inside the transaction: a conflict is detected on it
        if (current?.state !== 'pending') continue;
        await tx.set(id, { ...current, state: 'running', worker });
        return id;
      }
      return undefined;
    },
    { retries: 20 },
  );
}

async function work(queue: PersistentMap<string, Job>, worker: string, log: string[]): Promise<void> {
  for (let id = await claim(queue, worker); id !== undefined; id = await claim(queue, worker)) {
    const job = (await queue.get(id))!;
    log.push(`${worker} ${job.task}`);
    await queue.set(id, { ...job, state: 'done' });
  }
}

export async function main(dir: string) {
  const folder = join(dir, 'jobs');
  const queue = await PersistentMap.open<string, Job>(new LogBackend({ dir: folder }));
  const log: string[] = [];
  try {
    for (let i = 1; i <= 9; i++) await queue.set(`job:${i}`, { task: `resize photo ${i}`, state: 'pending' });
    await Promise.all(['w1', 'w2', 'w3'].map((worker) => work(queue, worker, log)));
  } finally {
    await queue.close();
  }
  const reopened = await PersistentMap.open<string, Job>(new LogBackend({ dir: folder }));
  try {
    const states: string[] = [];
    for await (const [, job] of reopened.entries({ prefix: 'job:' })) states.push(job.state);
    return {
      ran: log.length,
      distinctTasks: new Set(log.map((line) => line.split(' ').slice(1).join(' '))).size,
      states,
    };
  } finally {
    await reopened.close();
  }
}

await runIfMain(import.meta.url, main);
