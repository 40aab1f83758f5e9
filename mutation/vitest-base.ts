import { defineConfig } from 'vitest/config';

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
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  });
}
