/**
 * Property-based: random operation sequences (fast-check, fixed seed) against a model Map,
 * with reopen points for persistent engines. STOWAGE_KIT_RUNS raises the number of runs.
 */
import { compareKeys } from '@stowage/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { expectSameContents, expectValue } from '../assertions.js';
import { baseModes, type KitCase, type Subject, type SubjectOperation, type Value } from '../types.js';
import { canReopen } from './persistence.js';

type Step =
  | { readonly type: 'set'; readonly key: string; readonly value: Value }
  | { readonly type: 'delete' | 'get' | 'has'; readonly key: string }
  | { readonly type: 'apply'; readonly operations: SubjectOperation[] }
  | { readonly type: 'getMany'; readonly keys: string[] }
  | { readonly type: 'clear' | 'check' | 'reopen' };

/** Few keys, so operations collide; some of them where UTF-16 and code-point order disagree. */
const keyArbitrary = fc.constantFrom('', 'a', 'ab', 'b', 'é', '\uffff', '😀', 'k\u0000', 'zz', 'key');
const valueArbitrary: fc.Arbitrary<Value> = fc.oneof(
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.uint8Array({ maxLength: 12 }),
);
const operationArbitrary: fc.Arbitrary<SubjectOperation> = fc.oneof(
  fc.record({ type: fc.constant('set' as const), key: keyArbitrary, value: valueArbitrary }),
  fc.record({ type: fc.constant('delete' as const), key: keyArbitrary }),
);

function stepArbitrary(reopen: boolean): fc.Arbitrary<Step> {
  const steps: fc.Arbitrary<Step>[] = [
    fc.record({ type: fc.constant('set' as const), key: keyArbitrary, value: valueArbitrary }),
    fc.record({ type: fc.constant('delete' as const), key: keyArbitrary }),
    fc.record({ type: fc.constantFrom('get' as const, 'has' as const), key: keyArbitrary }),
    fc.record({ type: fc.constant('apply' as const), operations: fc.array(operationArbitrary, { maxLength: 6 }) }),
    fc.record({ type: fc.constant('getMany' as const), keys: fc.array(keyArbitrary, { maxLength: 4 }) }),
    fc.constant({ type: 'check' as const }),
  ];
  const weighted = steps.map((arbitrary) => ({ arbitrary, weight: 4 }));
  weighted.push({ arbitrary: fc.constant({ type: 'clear' as const }), weight: 1 });
  if (reopen) weighted.push({ arbitrary: fc.constant({ type: 'reopen' as const }), weight: 2 });
  return fc.oneof(...weighted);
}

export const runs = (fallback: number) => Number(process.env.STOWAGE_KIT_RUNS ?? fallback) || fallback;

export const propertyCases: KitCase[] = [
  {
    name: 'random operation sequences agree with a model Map (with reopen points when persistent)',
    modes: baseModes,
    timeout: 300_000,
    async run(context) {
      const reopen = canReopen(context.supports, context.kit);
      const ordered = context.supports.orderedIteration;
      await fc.assert(
        fc.asyncProperty(fc.array(stepArbitrary(reopen), { maxLength: 40 }), async (steps) => {
          let store: Subject = await context.open();
          const model = new Map<string, Value>();
          try {
            for (const [index, step] of steps.entries()) {
              const what = `step ${index} ${step.type}`;
              switch (step.type) {
                case 'set':
                  await store.set(step.key, step.value);
                  model.set(step.key, step.value);
                  break;
                case 'delete':
                  expect(await store.delete(step.key), what).toBe(model.has(step.key));
                  model.delete(step.key);
                  break;
                case 'get':
                  expectValue(await store.get(step.key), model.get(step.key), what);
                  break;
                case 'has':
                  expect(await store.has(step.key), what).toBe(model.has(step.key));
                  break;
                case 'apply':
                  await store.apply(step.operations);
                  for (const operation of step.operations) {
                    if (operation.type === 'set') model.set(operation.key, operation.value);
                    else model.delete(operation.key);
                  }
                  break;
                case 'getMany': {
                  const values = await store.getMany(step.keys);
                  for (const [i, key] of step.keys.entries()) expectValue(values[i], model.get(key), `${what} ${key}`);
                  break;
                }
                case 'clear':
                  await store.clear();
                  model.clear();
                  break;
                case 'reopen':
                  store = await context.reopen(store);
                  break;
                case 'check': {
                  const entries = await store.entries();
                  expectSameContents(entries, model, what);
                  if (ordered) {
                    const keys = entries.map(([key]) => key);
                    expect(keys, `${what}: order`).toEqual([...keys].sort(compareKeys));
                  }
                  expect(await store.size(), `${what}: size`).toBe(model.size);
                  break;
                }
              }
            }
            expectSameContents(await store.entries(), model, 'final state');
            expectSameContents([...(await store.stored())], model, 'final state in the backend');
          } finally {
            await store.close().catch(() => undefined);
          }
        }),
        { seed: 20_251_121, numRuns: runs(25), endOnFailure: false },
      );
    },
  },
];
