/** The child side of ./alternating-writes.ts. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AlternatingWritesAnswer, AlternatingWritesRequest, WriteSide } from './alternating-writes.js';
import { answer, childArgument } from './child-process.js';
import { type Entry, makeEntries } from './data.js';
import { now, rate } from './measure.js';
import type { Store } from './subject.js';
import { subjects } from './subjects/registry.js';
import { chunkSize } from './workloads/set-chunked.js';

const pilotCalls = 500;

interface SideState {
  readonly side: WriteSide;
  readonly store: Store;
  next: number;
  operations: number;
  elapsed: number;
  waveSize: number;
}

const request = childArgument<AlternatingWritesRequest>();
answer(await measure(request));
process.exit(0);

async function measure(request: AlternatingWritesRequest): Promise<AlternatingWritesAnswer> {
  const entries = makeEntries(request.keys);
  const states: SideState[] = [];
  try {
    for (const [index, side] of request.sides.entries()) {
      const subject = subjects.find((candidate) => candidate.id === side.subject);
      if (!subject) return { skipped: `no subject ${side.subject}` };
      const opener = await subject.prepare();
      if (!opener.available) return { skipped: `${subject.label}: ${opener.reason}` };
      const dir = join(request.dir, `${index}-${side.subject}`);
      mkdirSync(dir, { recursive: true });
      const state: SideState = { side, store: await opener.open(dir), next: 0, operations: 0, elapsed: 0, waveSize: 0 };
      states.push(state);
      if (side.workload === 'concurrent-set') await sizeWave(state, entries, request);
    }
    let windows = 0;
    const spent = () => states.reduce((sum, state) => sum + state.elapsed, 0);
    while (spent() < 1.5 * request.budgetMs && states.every((state) => hasRoom(state, entries.length))) {
      for (const state of states) await runWindow(state, entries, request.windowMs);
      windows++;
    }
    const [first, second] = states.map((state) => ({
      rate: rate(state.operations, state.elapsed),
      operations: state.operations,
    }));
    if (!first || !second) return { skipped: 'a side did not run' };
    return { rates: [first, second], windows };
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    for (const state of states) await state.store.close();
  }
}

/** Concurrent waves reuse keys from the start when they run out; the other workloads stop there. */
function hasRoom(state: SideState, total: number): boolean {
  return state.side.workload === 'concurrent-set' || state.next < total;
}

/** Two pilot waves (the first also warms up); the wave is what fits a sixth of the budget, at most `concurrentCalls`. */
async function sizeWave(state: SideState, entries: readonly Entry[], request: AlternatingWritesRequest): Promise<void> {
  const wanted = Math.min(request.concurrentCalls, entries.length);
  if (wanted <= pilotCalls) {
    state.waveSize = wanted;
    return;
  }
  let best = 0;
  for (let pilot = 0; pilot < 2; pilot++) {
    const started = now();
    await wave(state.store, entries, pilot * pilotCalls, pilotCalls);
    best = Math.max(best, rate(pilotCalls, now() - started));
  }
  state.waveSize = Math.max(pilotCalls, Math.min(wanted, Math.floor((best * request.budgetMs) / 6000)));
  state.next = 2 * pilotCalls;
}

async function runWindow(state: SideState, entries: readonly Entry[], windowMs: number): Promise<void> {
  const { store } = state;
  const started = now();
  let done = 0;
  if (state.side.workload === 'concurrent-set') {
    if (state.next + state.waveSize > entries.length) state.next = 0;
    await wave(store, entries, state.next, state.waveSize);
    done = state.waveSize;
  } else if (state.side.workload === 'set-chunk') {
    do {
      const chunk = entries.slice(state.next + done, state.next + done + chunkSize);
      if (chunk.length === 0) break;
      await store.setChunk(chunk);
      done += chunk.length;
    } while (now() - started < windowMs);
  } else {
    const setSync = store.setSync?.bind(store);
    const set = store.set?.bind(store);
    while (state.next + done < entries.length) {
      const entry = entries[state.next + done] as Entry;
      if (setSync) setSync(entry);
      else await set?.(entry);
      done++;
      if ((done & 15) === 0 && now() - started >= windowMs) break;
    }
  }
  state.elapsed += now() - started;
  state.operations += done;
  state.next += done;
}

async function wave(store: Store, entries: readonly Entry[], first: number, count: number): Promise<void> {
  const set = store.set?.bind(store);
  if (!set) throw new Error('concurrent set needs an async set');
  await Promise.all(entries.slice(first, first + count).map((entry) => set(entry)));
}
