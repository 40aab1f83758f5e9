import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Test folders on tmpfs where the machine has one: every mutant re-runs tests that fsync real
// files, and a disk fsync costs milliseconds where tmpfs costs microseconds. The power-cut
// guarantees are tested on the simulated disk, which does not care where it lives.
const tmpfs = existsSync('/dev/shm') ? { TMPDIR: '/dev/shm' } : {};

/**
 * The vitest config of a per-package mutation run (mutation/<pkg>.vitest.config.ts): the
 * root config's source resolution, and only the test files listed. Left out of every
 * package: tests that spawn and kill processes or cut the power hundreds of times. They
 * take 15 s to minutes per run, which here is per mutant, and the package's quick tests
 * cover the same code.
 */
export function mutationTests(include: string[], exclude: string[] = []) {
  return defineConfig({
    resolve: { conditions: ['@stowage/source'] },
    ssr: { resolve: { conditions: ['@stowage/source'] } },
    test: {
      include,
      exclude: ['**/node_modules/**', '**/dist/**', '**/*.power-cut.test.ts', ...exclude],
      env: tmpfs,
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  });
}
