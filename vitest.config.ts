import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Each worker loads the app's modules once for all its files (module state is per context).
    isolate: false,
    // Harness limits only (a hung database must not hang CI); no test asserts on wall-clock time.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
})
