/**
 * A profiling aid: the full-cache PersistentMap open over a log store of <keys> keys
 * against the raw open, alone in a process (issue 13's open target). Run from apps/bench:
 *   node --conditions=@stowage/source --import tsx src/profile/open-map.ts <keys> [profile]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PersistentMap } from '@stowage/core';
import { LogBackend } from '@stowage/log';
import { makeEntries } from '../data.js';

const [keysText = '100000', profilePath] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'profile-open-'));
try {
  const filling = new LogBackend({ dir });
  await filling.open();
  const entries = makeEntries(Number(keysText));
  for (let i = 0; i < entries.length; i += 1000) {
    await filling.apply(
      entries.slice(i, i + 1000).map(({ key, json }) => ({ type: 'set' as const, key, value: json })),
    );
  }
  await filling.close();
  const timeRaw = async () => {
    const start = performance.now();
    const backend = new LogBackend({ dir });
    await backend.open();
    for await (const _ of backend.entries()) {
      // the raw side reads every value too, as the map's open does
    }
    const took = performance.now() - start;
    await backend.close();
    return took;
  };
  const timeMap = async (session?: Session) => {
    if (session) await session.post('Profiler.start');
    const start = performance.now();
    const map = await PersistentMap.open(new LogBackend({ dir }), { sweepInterval: 0 });
    const took = performance.now() - start;
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(profilePath!, JSON.stringify(profile));
    }
    await map.close();
    return took;
  };
  const raw: number[] = [];
  const mapped: number[] = [];
  for (let round = 0; round < 3; round++) {
    raw.push(await timeRaw());
    mapped.push(await timeMap());
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
  console.log(
    `raw open + entries ${median(raw).toFixed(0)} ms, map open ${median(mapped).toFixed(0)} ms, ratio ${(median(mapped) / median(raw)).toFixed(2)}x`,
  );
  if (profilePath) {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await timeMap(session);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
