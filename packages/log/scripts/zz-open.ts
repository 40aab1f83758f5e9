import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogBackend } from '../src/log-backend.js';

const count = Number(process.argv[2] ?? 100_000);
const keyOf = (i: number) => `key-${String(i).padStart(8, '0')}`;
const root = mkdtempSync(join(tmpdir(), 'o-'));
const plain = join(root, 'plain');
const log = new LogBackend({ dir: plain, durability: 'none', maxFileSize: 8 << 20 });
await log.open();
for (let c = 0; c < count; c += 1000)
  await log.apply(
    Array.from({ length: 1000 }, (_, i) => ({ type: 'set' as const, key: keyOf(c + i), value: 'v'.repeat(100) })),
  );
await log.set('rotate', 'x'.repeat((8 << 20) - 100));
await log.close();
const hinted = join(root, 'hinted');
cpSync(plain, hinted, { recursive: true });
const h = new LogBackend({ dir: hinted, maxFileSize: 8 << 20 });
await h.open();
await h.merge();
await h.close();
console.log(readdirSync(hinted).join(' '));
const openTime = async (dir: string) => {
  const s = process.hrtime.bigint();
  const b = new LogBackend({ dir, maxFileSize: 8 << 20 });
  await b.open();
  const ms = Number(process.hrtime.bigint() - s) / 1e6;
  await b.close();
  return ms;
};
for (let r = 0; r < 4; r++)
  console.log('scan', (await openTime(plain)).toFixed(0), 'hints', (await openTime(hinted)).toFixed(0));
rmSync(root, { recursive: true, force: true });
