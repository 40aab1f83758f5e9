import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, tempDir } from '@stowage/conformance';
import { describe, expect, it } from 'vitest';
import { CsvBackend } from './csv-backend.js';

const freshDirectory = tempDir('stowage-csv-crash');

const writer = new URL('./fixtures/batch-writer.fixture.ts', import.meta.url);
/** How many writers are killed (SIGKILL), each at another moment. More with STOWAGE_STRESS=1. */
const rounds = process.env.STOWAGE_STRESS === '1' ? 40 : 4;
const width = 20;

describe('a process killed in the middle of writes and CSV rewrites', () => {
  it('leaves every acknowledged batch whole, no batch in part, and a CSV that opens', async () => {
    const directory = freshDirectory();
    const path = join(directory, 'crash.csv');
    let newest = 0;
    for (let round = 0; round < rounds; round++) {
      const start = newest + 1;
      const child = startChild(writer, [path, String(width), String(start)]);
      const killAfter = start + 2 + ((round * 7) % 13);
      await child.line((line) => line.startsWith('ack ') && Number(line.slice(4)) >= killAfter);
      // A moment more, so the kill lands anywhere: in an append, an fsync or a rewrite.
      await new Promise((resolve) => setTimeout(resolve, (round * 3) % 10));
      child.process.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      const lastAck = Math.max(...child.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4))));

      const backend = new CsvBackend({ path });
      await backend.open();
      const slots: number[] = [];
      for await (const [, value] of backend.entries({ prefix: 'slot-' }))
        slots.push(Number(String(value).split(':')[0]));
      const markers: number[] = [];
      for await (const [, value] of backend.entries({ prefix: 'batch-' })) markers.push(Number(value));
      await backend.close();

      expect(slots).toHaveLength(width);
      expect(new Set(slots).size).toBe(1);
      newest = slots[0]!;
      expect(newest).toBeGreaterThanOrEqual(lastAck);
      expect(markers).toEqual(Array.from({ length: newest }, (_, index) => index + 1));
      // A rewrite the kill interrupted leaves a temp file; the next open removed it.
      expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    }
  });
});
