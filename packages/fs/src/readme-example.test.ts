/** The README's file-helpers example is this package's src/readme-example.fixture.ts, verbatim, and it runs. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from './node-file-system.js';
import { example } from './readme-example.fixture.js';
import { SimulatedDisk } from './simulated-disk.js';

const expected = 'LOG1\na=1\nb=2\nc=3\n';

describe('the README example', () => {
  it('is in the README word for word', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('./readme-example.fixture.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it('runs on the real disk', async () => {
    const root = mkdtempSync(join(tmpdir(), 'stowage-readme-'));
    try {
      const dir = join(root, 'stores', 'one');
      expect(await example(nodeFileSystem, dir)).toBe(expected);
      expect(readFileSync(join(dir, '1.log'), 'utf8')).toBe(expected);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs on a simulated disk, and what it returned survives a power cut', async () => {
    const disk = new SimulatedDisk({ seed: 5 });
    expect(await example(disk.mount(), '/stores/one')).toBe(expected);
    disk.powerCut();
    expect(new TextDecoder().decode(disk.readFile('/stores/one/1.log'))).toBe(expected);
  });
});
