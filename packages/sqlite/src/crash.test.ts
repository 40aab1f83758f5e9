import { join } from 'node:path';
import { startChild, tempDir } from '@stowage/conformance';
import { describe, expect, it } from 'vitest';
import { SqliteBackend } from './sqlite-backend.js';

const freshDirectory = tempDir('stowage-sqlite-crash');

const writer = new URL('./fixtures/batch-writer.fixture.ts', import.meta.url);
/** How many writers are killed (SIGKILL), each at another moment. More with STOWAGE_STRESS=1. */
const rounds = process.env.STOWAGE_STRESS === '1' ? 30 : 3;
const width = 40;

describe('a process killed in the middle of a stream of batches', () => {
  it('leaves every acknowledged batch whole and no batch in part', async () => {
    const file = join(freshDirectory(), 'crash.db');
    let newest = 0;
    for (let round = 0; round < rounds; round++) {
      const start = newest + 1;
      const child = startChild(writer, [file, String(width), String(start)]);
      const killAfter = start + 3 + ((round * 7) % 23);
      await child.line((line) => line.startsWith('ack ') && Number(line.slice(4)) >= killAfter);
      child.process.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      const lastAck = Math.max(...child.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4))));

      const backend = new SqliteBackend({ file });
      await backend.open();
      const slots: number[] = [];
      for await (const [, value] of backend.entries({ prefix: 'slot-' }))
        slots.push(Number(String(value).split(':')[0]));
      const markers: number[] = [];
      for await (const [, value] of backend.entries({ prefix: 'batch-' })) markers.push(Number(value));
      await backend.close();

      // Every batch sets every slot: a torn batch would leave slots of different batches,
      // or a marker without its slots.
      expect(slots).toHaveLength(width);
      expect(new Set(slots).size).toBe(1);
      newest = slots[0]!;
      expect(newest).toBeGreaterThanOrEqual(lastAck);
      expect(markers).toEqual(Array.from({ length: newest }, (_, index) => index + 1));
    }
  });
});
