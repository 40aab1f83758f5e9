/**
 * Real crashes: a child process writes (group-committed sets, transactions, deletes,
 * overwrites, background merges) and is killed with SIGKILL at a random moment; the store
 * is reopened and must hold every acknowledged write, and nothing torn or half-committed.
 * The same directory goes through every kill, so recovery also meets its own leftovers.
 * CI runs 50 kills; STOWAGE_LOG_KILLS=1000 runs the long version. A second test runs
 * merges back to back on 8 KiB files (so files rotate and merge all the time):
 * STOWAGE_LOG_MERGE_KILLS kills, 6 by default.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild } from '@stowage/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { runPrefix, transactionKeys, valueFor } from './fixtures/crash-values.fixture.js';
import { LogBackend } from './log-backend.js';
import { tempDir } from './test-helpers.fixture.js';

const kills = Number(process.env.STOWAGE_LOG_KILLS ?? 50);
const mergeKills = Number(process.env.STOWAGE_LOG_MERGE_KILLS ?? 6);
const lanes = 3;
const writer = new URL('./fixtures/crash-writer.fixture.ts', import.meta.url);
/** Writers still running, killed when the test ends early (a failed lane leaves the others running). */
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

interface Expectations {
  /** Keys whose set was acknowledged and not deleted since. */
  readonly present: Set<string>;
  /** Keys whose deletion was acknowledged. */
  readonly deleted: Set<string>;
  /** Keys whose deletion was sent but not acknowledged: whole or gone. */
  readonly deleting: Set<string>;
  readonly committed: Set<string>;
  readonly begun: Set<string>;
  /** Overwritten keys: the last acknowledged value and any sent after it. */
  readonly overwrites: Map<string, (string | undefined)[]>;
  /** Prefixes whose clear was acknowledged: nothing of them may be left. */
  readonly cleared: Set<string>;
  /** Prefixes whose clear was sent but not acknowledged: all of them left, or nothing. */
  readonly clearing: Set<string>;
  /** Acknowledged writes so far. */
  acknowledged: number;
}

/** Runs one writer until it is killed; resolves with the number of merges it finished. */
async function runWriter(
  dir: string,
  run: number,
  seed: number,
  expectations: Expectations,
  extra: readonly string[],
): Promise<number> {
  const journal = join(dir, `journal-${run}.txt`);
  const child = startChild(writer, [dir, String(run), String(seed), journal, ...extra]);
  running.add(child.process);
  child.process.stdout!.once('data', () => {
    setTimeout(() => child.process.kill('SIGKILL'), 10 + ((seed * 7919) % 250));
  });
  const { code, signal } = await child.exited;
  running.delete(child.process);
  let merged = 0;
  const lines = existsSync(journal) ? readFileSync(journal, 'utf8').split('\n') : [];
  lines.pop(); // empty after the last newline, or a line the kill cut short
  for (const line of lines) {
    const [kind, key, value] = line.split(' ') as [string, string, string];
    if (kind === 'set') {
      expectations.present.add(key);
      expectations.acknowledged++;
    } else if (kind === 'clearing') expectations.clearing.add(key);
    else if (kind === 'cleared') {
      expectations.clearing.delete(key);
      expectations.cleared.add(key);
    } else if (kind === 'deleting') {
      expectations.present.delete(key);
      expectations.deleting.add(key);
    } else if (kind === 'del') {
      expectations.deleting.delete(key);
      expectations.deleted.add(key);
      expectations.acknowledged++;
    } else if (kind === 'begin') expectations.begun.add(key);
    else if (kind === 'txn') {
      expectations.committed.add(key);
      expectations.acknowledged++;
    }
    // Before its first acknowledged write an overwritten key may still be absent.
    else if (kind === 'send')
      expectations.overwrites.set(key, [...(expectations.overwrites.get(key) ?? [undefined]), value]);
    else if (kind === 'ow') expectations.overwrites.set(key, [value]);
    else if (kind === 'merged') merged++;
  }
  if (signal !== 'SIGKILL') throw new Error(`the writer exited by itself (${String(code)}): ${child.stderr()}`);
  return merged;
}

async function check(dir: string, expectations: Expectations): Promise<void> {
  const log = new LogBackend({ dir, maxFileSize: 256 * 1024 });
  await log.open();
  try {
    // A clear is one atomic group: after a kill, all of the run's keys or none of them.
    for (const prefix of expectations.clearing) {
      const mine = [...expectations.present].filter((key) => runPrefix(key) === prefix);
      const found = (await log.getMany(mine)).filter((value) => value !== undefined).length;
      let left = 0;
      for await (const _ of log.keys({ prefix })) left++;
      if (left > 0) expect(found, `the clear of ${prefix} applied in part`).toBe(mine.length);
      else {
        expectations.clearing.delete(prefix);
        expectations.cleared.add(prefix);
      }
    }
    // Keys of a cleared run are gone, whatever was said about them before.
    for (const prefix of expectations.cleared) {
      for await (const key of log.keys({ prefix })) expect.fail(`${key} survived the clear of ${prefix}`);
    }
    const gone = (key: string) => expectations.cleared.has(runPrefix(key));
    for (const set of [expectations.present, expectations.deleted, expectations.deleting]) {
      for (const key of set) if (gone(key)) set.delete(key);
    }
    for (const id of expectations.begun) {
      if (gone(transactionKeys(id)[0]!)) {
        expectations.begun.delete(id);
        expectations.committed.delete(id);
      }
    }
    for (const key of expectations.present) expect(await log.get(key), key).toBe(valueFor(key));
    for (const key of expectations.deleted) expect(await log.get(key), key).toBeUndefined();
    for await (const [key, value] of log.entries()) {
      if (key.startsWith('u-') || key.startsWith('t-')) expect(value, key).toBe(valueFor(key));
    }
    for (const id of expectations.begun) {
      const values = await log.getMany(transactionKeys(id));
      const found = values.filter((value) => value !== undefined).length;
      if (expectations.committed.has(id)) expect(found, `transaction ${id}`).toBe(3);
      else expect([0, 3], `transaction ${id} is half there`).toContain(found);
    }
    for (const [key, allowed] of expectations.overwrites) {
      expect(allowed, key).toContain(await log.get(key));
      expectations.overwrites.set(key, [(await log.get(key)) as string | undefined]);
    }
    expect((await log.verify()).problems).toEqual([]);
  } finally {
    await log.close();
  }
}

function crashes(total: number, extra: readonly string[]): () => Promise<void> {
  return async () => {
    const perLane = Math.ceil(total / lanes);
    let acknowledged = 0;
    let merges = 0;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const dir = tempDir();
        const expectations: Expectations = {
          present: new Set(),
          deleted: new Set(),
          deleting: new Set(),
          committed: new Set(),
          begun: new Set(),
          overwrites: new Map(),
          cleared: new Set(),
          clearing: new Set(),
          acknowledged: 0,
        };
        for (let run = 0; run < perLane; run++) {
          merges += await runWriter(dir, run, lane * 100_000 + run + 1, expectations, extra);
          await check(dir, expectations);
        }
        acknowledged += expectations.acknowledged;
      }),
    );
    // A writer killed before it wrote anything would prove nothing.
    expect(acknowledged).toBeGreaterThan(total * 10);
    expect(merges).toBeGreaterThan(0);
  };
}

describe('crashes of a real process', () => {
  it(
    `keeps every acknowledged write and nothing torn across ${kills} SIGKILLs`,
    crashes(kills, []),
    Math.max(600_000, kills * 3_000),
  );
  it(
    `keeps every acknowledged write across ${mergeKills} SIGKILLs during back-to-back merges of 8 KiB files`,
    crashes(mergeKills, [String(8 * 1024), 'merge-loop']),
    Math.max(600_000, mergeKills * 3_000),
  );
});
