import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: the "@stowage/source" export condition
// points every workspace package at its src/index.ts, so no build is needed first.
export default defineConfig({
  resolve: {
    conditions: ['@stowage/source'],
  },
  ssr: {
    resolve: {
      conditions: ['@stowage/source'],
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
