import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EncodedValue } from '../contract/storage-backend.js';
import { BareBackend, collect, MapBackend } from '../test-backends.fixture.js';
import type { CacheOptions } from './map-api.js';
import { PersistentMap } from './persistent-map.js';

const key = fc.constantFrom('a', 'b', 'n:a', 'n:b', 'n:n:c', '😀', '');
const value = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const operation = fc.oneof(
  fc.record({ type: fc.constant('set' as const), key, value }),
  fc.record({ type: fc.constant('delete' as const), key }),
  fc.record({ type: fc.constant('increment' as const), key }),
  fc.record({ type: fc.constant('setMany' as const), entries: fc.array(fc.tuple(key, value), { maxLength: 4 }) }),
  fc.record({ type: fc.constant('deleteMany' as const), keys: fc.array(key, { maxLength: 4 }) }),
  fc.record({ type: fc.constant('clear' as const), prefix: fc.constantFrom('', 'n:', 'n:n:') }),
  fc.record({ type: fc.constant('reopen' as const) }),
);

const modes: [string, CacheOptions][] = [
  ['full', { mode: 'full' }],
  ['lru', { mode: 'lru', maxEntries: 2 }],
];

describe.each(modes)('PersistentMap against a model Map (%s cache)', (_, cache) => {
  for (const [name, makeBackend] of [
    [
      'an ordered AbstractBackend',
      (data: Map<string, EncodedValue>) => new MapBackend({ data, supports: { orderedIteration: true } }),
    ],
    ['a bare backend', (data: Map<string, EncodedValue>) => new BareBackend(data)],
  ] as const) {
    it(`agrees after every operation and every reopen, on ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { maxLength: 30 }), async (operations) => {
          const data = new Map<string, EncodedValue>();
          const open = () => PersistentMap.open<string, unknown>(makeBackend(data), { cache, sweepInterval: 0 });
          let map = await open();
          const model = new Map<string, unknown>();
          for (const op of operations) {
            switch (op.type) {
              case 'set':
                await map.set(op.key, op.value);
                model.set(op.key, op.value);
                break;
              case 'delete':
                expect(await map.delete(op.key)).toBe(model.delete(op.key));
                break;
              case 'increment': {
                const next = typeof model.get(op.key) === 'number' ? (model.get(op.key) as number) + 1 : 0;
                await map.update(op.key, (current) => (typeof current === 'number' ? current + 1 : 0));
                model.set(op.key, next);
                break;
              }
              case 'setMany':
                await map.setMany(op.entries);
                for (const [k, v] of op.entries) model.set(k, v);
                break;
              case 'deleteMany': {
                const present = new Set(op.keys.filter((k) => model.has(k))).size;
                expect(await map.deleteMany(op.keys)).toBe(present);
                for (const k of op.keys) model.delete(k);
                break;
              }
              case 'clear':
                await map.namespace(op.prefix).clear();
                for (const k of [...model.keys()]) if (k.startsWith(op.prefix)) model.delete(k);
                break;
              case 'reopen':
                await map.close();
                map = await open();
                break;
            }
            expect(await map.size()).toBe(model.size);
          }
          const keys = [...model.keys()];
          expect(await map.getMany(keys)).toEqual(keys.map((k) => model.get(k)));
          expect(new Map(await collect(map))).toEqual(model);
          const inNamespace = [...model.keys()].filter((k) => k.startsWith('n:')).map((k) => k.slice(2));
          expect((await collect(map.namespace('n:').keys())).sort()).toEqual(inNamespace.sort());
          await map.close();
        }),
        { numRuns: 60 },
      );
    });
  }
});
