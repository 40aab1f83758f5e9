/**
 * Everything the API accepted can be read back after reopen (fast-check, fixed seed): keys
 * of 1- to 4-byte UTF-8 characters up to exactly maxKeyBytes, values from empty to the
 * value limit (where it is modest), and TTLs up to the largest numbers JavaScript has. Each
 * write is either refused with a StowageError (and changes nothing) or, after close and
 * reopen, reads back identically. A store that accepts a write and then cannot reopen is
 * the worst outcome of all: a huge TTL once did exactly that.
 */
import { StowageError } from '@stowage/core';
import fc from 'fast-check';
import { expectValue } from '../assertions.js';
import type { KitCase, Value } from '../types.js';
import { canReopen } from './persistence.js';
import { runs } from './property.js';

/** One character each of 1, 2, 3 and 4 UTF-8 bytes. */
const characters = ['a', 'é', '€', '😀'] as const;

/** A key of exactly `bytes` UTF-8 bytes made of `character` (padded with ASCII). */
function keyOfBytes(bytes: number, character: string): string {
  const width = Buffer.byteLength(character);
  return character.repeat(Math.floor(bytes / width)) + 'k'.repeat(bytes % width);
}

interface Write {
  readonly key: string;
  readonly value: Value;
  readonly ttl: number | undefined;
  /** Instead of a ttl on set: set without, then expire(key, ttl). */
  readonly viaExpire: boolean;
}

/** TTLs at and past every limit a format may have: tiny, huge, fractional, beyond 17 digits. */
const ttlArbitrary = fc.option(
  fc.constantFrom(1, 0.5, 60_000, 2 ** 31, 8.64e15, 1e16, 1e17, 1e300, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE),
  { nil: undefined, freq: 2 },
);

function writeArbitrary(maxKeyBytes: number, maxValueBytes: number): fc.Arbitrary<Write> {
  const limitKeyBytes = Math.min(maxKeyBytes, 4096);
  const key = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.tuple(fc.constantFrom(...characters), fc.integer({ min: 0, max: 3 })).map(([character, short]) =>
      // At the limit, or just under it: a character that does not fit must not be split.
      keyOfBytes(limitKeyBytes - (limitKeyBytes === maxKeyBytes ? short : 0), character),
    ),
  );
  const valueLimit = Math.min(maxValueBytes, 64 * 1024);
  const value: fc.Arbitrary<Value> = fc.oneof(
    fc.constant(''),
    fc.constant(new Uint8Array(0)),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(...characters).map((character) => keyOfBytes(Math.max(0, valueLimit - 256), character)),
  );
  return fc.record({ key, value, ttl: ttlArbitrary, viaExpire: fc.boolean() });
}

export const acceptedReadableCases: KitCase[] = [
  {
    name: 'everything the API accepted (keys and values at their limits, any ttl) reads back identically after reopen',
    modes: ['map-full'],
    gate: canReopen,
    timeout: 300_000,
    async run(context) {
      const { maxKeyBytes, maxValueBytes } = context.supports;
      await fc.assert(
        fc.asyncProperty(
          fc.array(writeArbitrary(maxKeyBytes, maxValueBytes), { minLength: 1, maxLength: 8 }),
          async (writes) => {
            let store = await context.open();
            const map = () => store.map!;
            // What must read back after reopen; a short ttl may have run out, so it may also be gone.
            const model = new Map<string, { value: Value; mayExpire: boolean }>();
            try {
              for (const write of writes) {
                const { key, value, ttl, viaExpire } = write;
                const what = `set ${JSON.stringify(key.slice(0, 12))}… (${Buffer.byteLength(key)} key bytes) with ttl ${ttl}${viaExpire ? ' via expire' : ''}`;
                try {
                  if (viaExpire) {
                    await map().set(key, value);
                    model.set(key, { value, mayExpire: false });
                    if (ttl !== undefined) await map().expire(key, ttl);
                  } else {
                    await map().set(key, value, ttl === undefined ? undefined : { ttl });
                  }
                } catch (error) {
                  if (!(error instanceof StowageError)) {
                    throw new Error(`${what} was refused with a ${String(error)}, not a StowageError`);
                  }
                  // Refused: the key keeps what it had.
                  const before = model.get(key);
                  const now = await map().get(key);
                  if (before && !before.mayExpire) expectValue(now, before.value, `${what}: after the refusal`);
                  continue;
                }
                model.set(key, { value, mayExpire: ttl !== undefined && ttl < 3_600_000 });
              }
              try {
                store = await context.reopen(store);
              } catch (error) {
                throw new Error(
                  `the store accepted ${JSON.stringify(writes.map((w) => w.ttl))} and then failed to reopen: ${String(error)}`,
                );
              }
              for (const [key, { value, mayExpire }] of model) {
                const found = await map().get(key);
                if (mayExpire && found === undefined) continue;
                expectValue(
                  found,
                  value,
                  `after reopen, ${JSON.stringify(key.slice(0, 12))}… (${Buffer.byteLength(key)} key bytes)`,
                );
              }
            } finally {
              await store.close().catch(() => undefined);
            }
          },
        ),
        { seed: 20_261_205, numRuns: runs(15), endOnFailure: true },
      );
    },
  },
];
