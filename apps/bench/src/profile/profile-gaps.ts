/**
 * A profiling aid, not part of the bench: one side of an unmet issue-13 target alone in a
 * process, so a profiler sees only it. Run from apps/bench:
 *
 *   node --conditions=@stowage/source --import tsx src/profile/profile-gaps.ts <case> <keys> <ops> [profile]
 *   with [profile] a path: a CPU profile of the timed part alone (node:inspector), for
 *     `node --import tsx src/profile/top-self.ts <profile>`: where the JS time goes
 *   valgrind --tool=callgrind --trace-children=no node ... <case> <keys> 0   then <ops>:
 *     the difference of the two instruction totals over <ops> is the instructions per
 *     operation, repeatable on a loaded machine where times are not
 *   strace -f -c node ... <case> <keys> <ops>   the system calls per operation (fsync)
 *
 * Cases: log-get, minimal-get (a store of <keys> keys, then <ops> gets of existing keys in
 * random order, as the bench's get-existing: the log awaited, the minimal log called
 * synchronously); log-set-none, minimal-set (<ops> sequential sets of new keys, after
 * <keys> preloaded); csv-batch-set, sqlite-full-set (the same, each set awaited and fsynced);
 * fsync-async, fsync-sync (the floor of those two: an append and an fsync per set, the fsync
 * on the thread pool or in the calling thread).
 * It prints the rate of the timed part, so it also gives quick ratios.
 */
import { closeSync, fsync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { StorageBackend } from '@stowage/core';
import { CsvBackend } from '@stowage/csv';
import { LogBackend } from '@stowage/log';
import { SqliteBackend } from '@stowage/sqlite';
import { makeEntries, randomIndexes } from '../data.js';
import { MinimalLog } from '../minimal-log.js';

const [name = 'log-get', keysText = '100000', opsText = '200000', profilePath] = process.argv.slice(2);
const keys = Number(keysText);
const ops = Number(opsText);
const dir = mkdtempSync(join(tmpdir(), 'profile-gaps-'));

interface Case {
  /** Fills the store; not timed. */
  setup(): Promise<void>;
  /** The timed operations. */
  run(): Promise<number>;
  close(): Promise<void>;
}

const preload = makeEntries(keys);
const fresh = makeEntries(ops, keys);
const order = randomIndexes(ops, Math.max(keys, 1));
// Equal strings, not the stored string objects, as an application's lookups would be.
const lookups = Array.from(order, (i) => Buffer.from(preload[i]?.key ?? '', 'latin1').toString('latin1'));

function backendCase(create: () => StorageBackend, timed: 'get' | 'set'): Case {
  let backend = create();
  return {
    async setup() {
      await backend.open();
      for (let first = 0; first < keys; first += 1000) {
        await backend.apply?.(
          preload.slice(first, first + 1000).map((entry) => ({ type: 'set', key: entry.key, value: entry.json })),
        );
      }
      if (timed === 'get') {
        // Reopened, as the bench's get-existing reads a reopened store.
        await backend.close();
        backend = create();
        await backend.open();
      }
    },
    async run() {
      let found = 0;
      if (timed === 'get') {
        for (const key of lookups) if ((await backend.get(key)) !== undefined) found++;
      } else {
        for (const entry of fresh) {
          await backend.set(entry.key, entry.json);
          found++;
        }
      }
      return found;
    },
    close: () => backend.close(),
  };
}

function minimalCase(timed: 'get' | 'set'): Case {
  const path = join(dir, 'minimal.log');
  let log = new MinimalLog(path);
  return {
    async setup() {
      for (let first = 0; first < keys; first += 1000) {
        log.append(preload.slice(first, first + 1000).map((entry) => [entry.key, entry.json] as const));
      }
      if (timed === 'get') {
        log.close();
        log = new MinimalLog(path);
      }
    },
    async run() {
      let found = 0;
      if (timed === 'get') {
        for (const key of lookups) if (log.get(key) !== undefined) found++;
      } else {
        for (const entry of fresh) {
          log.set(entry.key, entry.json);
          found++;
        }
      }
      return found;
    },
    async close() {
      log.close();
    },
  };
}

const cases: Record<string, () => Case> = {
  'log-get': () => backendCase(() => new LogBackend({ dir, durability: 'none' }), 'get'),
  'minimal-get': () => minimalCase('get'),
  'log-set-none': () => backendCase(() => new LogBackend({ dir, durability: 'none' }), 'set'),
  'minimal-set': () => minimalCase('set'),
  'csv-batch-set': () => backendCase(() => new CsvBackend({ path: join(dir, 'store.csv') }), 'set'),
  'sqlite-full-set': () =>
    backendCase(() => new SqliteBackend({ file: join(dir, 'store.db'), durability: 'full' }), 'set'),
};

/**
 * The floor under csv `batch` and sqlite `full`: one ~120-byte append and one fsync per
 * awaited set, with the fsync on libuv's thread pool (as @stowage/fs does: the result comes
 * back through the event loop) or in the calling thread (as better-sqlite3 does).
 */
function fsyncCase(where: 'async' | 'sync'): Case {
  const fd = openSync(join(dir, 'fsync.log'), 'a');
  const fsyncAsync = promisify(fsync);
  return {
    async setup() {},
    async run() {
      let done = 0;
      for (const entry of fresh) {
        writeSync(fd, `${entry.key}\t${entry.json}\n`);
        if (where === 'sync') fsyncSync(fd);
        else await fsyncAsync(fd);
        done++;
      }
      return done;
    },
    async close() {
      closeSync(fd);
    },
  };
}
cases['fsync-async'] = () => fsyncCase('async');
cases['fsync-sync'] = () => fsyncCase('sync');

const make = cases[name];
if (!make) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`);
const chosen = make();
try {
  await chosen.setup();
  const session = profilePath === undefined ? undefined : new Session();
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const done = await chosen.run();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (session && profilePath !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profilePath, JSON.stringify(profile));
    session.disconnect();
  }
  if (done !== ops) throw new Error(`${name}: ${done} of ${ops} operations found or done`);
  // CPU time of this process (all its threads) per operation: moves less with the load than the rate.
  const perOp = (micros: number) => (ops > 0 ? (micros / ops).toFixed(1) : '0');
  console.log(
    `${name} keys=${keys} ops=${ops}: ${ms.toFixed(0)} ms, ${((ops * 1000) / Math.max(ms, 1e-3)).toFixed(0)} ops/s, CPU per op ${perOp(cpu.user)} µs user + ${perOp(cpu.system)} µs system`,
  );
  await chosen.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
