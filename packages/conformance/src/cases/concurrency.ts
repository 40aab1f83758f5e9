/**
 * Concurrency: 1,000+ interleaved operations on overlapping keys, launched without
 * awaiting, checked against a model Map that follows the per-key call order.
 * Through the map, calls go straight in (the map orders writes per key). On a raw backend,
 * calls to one key are chained (the contract orders nothing), calls to different keys race.
 */
import { expect } from 'vitest';
import { describeValue, expectSameContents, expectValue, sameValue } from '../assertions.js';
import { seededRandom } from '../random.js';
import type { KitCase, Subject, Value } from '../types.js';

type Operation =
  | { readonly type: 'set'; readonly key: string; readonly value: Value }
  | { readonly type: 'delete' | 'get' | 'has'; readonly key: string };

function plan(count: number, seed: number): Operation[] {
  const random = seededRandom(seed);
  const operations: Operation[] = [];
  for (let i = 0; i < count; i++) {
    const key = `key${Math.floor(random() * 24)}`;
    const roll = random();
    if (roll < 0.4) {
      const value = roll < 0.05 ? new Uint8Array([i & 0xff, i >> 8]) : `value ${i}`;
      operations.push({ type: 'set', key, value });
    } else if (roll < 0.6) operations.push({ type: 'delete', key });
    else if (roll < 0.9) operations.push({ type: 'get', key });
    else operations.push({ type: 'has', key });
  }
  return operations;
}

function call(store: Subject, operation: Operation): Promise<unknown> {
  switch (operation.type) {
    case 'set':
      return store.set(operation.key, operation.value);
    case 'delete':
      return store.delete(operation.key);
    case 'get':
      return store.get(operation.key);
    case 'has':
      return store.has(operation.key);
  }
}

export const concurrencyCases: KitCase[] = [
  {
    name: '1,000 concurrent interleaved operations on overlapping keys agree with a model Map',
    timeout: 120_000,
    async run(context) {
      const store = await context.open();
      const operations = plan(Math.round(1000 * Math.max(1, context.scale)), 1000);
      const sequenced = store.mode === 'raw';
      const tails = new Map<string, Promise<unknown>>();
      // On a raw backend every read also gets an unchained twin that races the writes to its key.
      const racing: { key: string; result: Promise<unknown> }[] = [];
      const pending = operations.map((operation) => {
        if (!sequenced) return call(store, operation);
        if (operation.type === 'get') racing.push({ key: operation.key, result: store.get(operation.key) });
        const previous = tails.get(operation.key) ?? Promise.resolve();
        const next = previous.then(
          () => call(store, operation),
          () => call(store, operation),
        );
        tails.set(operation.key, next);
        return next;
      });
      const results = await Promise.allSettled(pending);

      // Replay in call order: each key's history is the model of what each call may see.
      const model = new Map<string, Value>();
      const history = new Map<string, (Value | undefined)[]>();
      operations.forEach((operation, index) => {
        const outcome = results[index]!;
        const what = `operation ${index} (${operation.type} ${operation.key})`;
        if (outcome.status === 'rejected') throw new Error(`${what} failed: ${String(outcome.reason)}`);
        const current = model.get(operation.key);
        const seen = history.get(operation.key) ?? [undefined];
        history.set(operation.key, seen);
        if (operation.type === 'set') {
          model.set(operation.key, operation.value);
          seen.push(operation.value);
        } else if (operation.type === 'delete') {
          expect(outcome.value, `${what}: result`).toBe(current !== undefined);
          model.delete(operation.key);
          seen.push(undefined);
        } else if (sequenced) {
          // Sequenced calls see exactly the state after every earlier call to their key.
          if (operation.type === 'get') expectValue(outcome.value, current, what);
          else expect(outcome.value, what).toBe(current !== undefined);
        } else {
          // An unawaited read may still see an earlier state of its key, never a later or invented one.
          const plausible =
            operation.type === 'get'
              ? seen.some((value) => sameValue(outcome.value, value))
              : seen.some((value) => (value !== undefined) === outcome.value);
          if (!plausible)
            throw new Error(`${what}: saw ${describeValue(outcome.value)}, never a state of the key before it`);
        }
      });
      for (const { key, result } of racing) {
        const value = await result;
        const states = history.get(key) ?? [undefined];
        if (!states.some((state) => sameValue(value, state))) {
          throw new Error(`a racing get of ${key} saw ${describeValue(value)}, never a state of the key`);
        }
      }
      expectSameContents(await store.entries(), model, 'final state');
      expectSameContents([...(await store.stored())], model, 'final state in the backend');
      for (const key of history.keys()) expectValue(await store.get(key), model.get(key), `final get ${key}`);
      expect(await store.size()).toBe(model.size);
    },
  },
  {
    name: 'concurrent writes to distinct keys all land',
    async run(context) {
      const store = await context.open();
      const count = 500;
      await Promise.all(Array.from({ length: count }, (_, i) => store.set(`distinct${i}`, `v${i}`)));
      const values = await store.getMany(Array.from({ length: count }, (_, i) => `distinct${i}`));
      for (const [i, value] of values.entries()) expectValue(value, `v${i}`, `distinct${i}`);
      expect(await store.size()).toBe(count);
      expect((await store.stored()).size, 'entries in the backend').toBe(count);
    },
  },
];
