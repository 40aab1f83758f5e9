/** Version history (`supports.versions`): every stored version, oldest first, readable by sequence. */
import { expect } from 'vitest';
import { expectValue } from '../assertions.js';
import type { KitCase } from '../types.js';

export const versionCases: KitCase[] = [
  {
    name: "versions lists a key's writes by ascending sequence and getVersion reads each old value",
    modes: ['raw'],
    gate: (supports) => supports.versions,
    async run(context) {
      const backend = (await context.open()).backend;
      if (!backend.versions || !backend.getVersion)
        throw new Error('supports.versions is true but versions() or getVersion() is missing');
      await backend.set('k', 'v1');
      await backend.set('other', 'x');
      await backend.set('k', new Uint8Array([2]));
      await backend.delete('k');
      await backend.set('k', 'v3');
      const versions = await backend.versions('k');
      expect(versions.map((version) => version.deleted)).toEqual([false, false, true, false]);
      for (let i = 1; i < versions.length; i++) {
        expect(versions[i]!.sequence, 'sequences ascend').toBeGreaterThan(versions[i - 1]!.sequence);
      }
      const expected = ['v1', new Uint8Array([2]), undefined, 'v3'] as const;
      for (const [i, version] of versions.entries()) {
        expectValue(await backend.getVersion('k', version.sequence), expected[i], `version ${i}`);
      }
      expectValue(await backend.get('k'), 'v3', 'current value');
      expect(await backend.versions('absent')).toEqual([]);
    },
  },
];
