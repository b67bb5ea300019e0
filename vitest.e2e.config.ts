import { defineConfig } from 'vitest/config';

/** Playwright flows through the built standalone page (`npm run build` first); kept apart from the server suite. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    env: { METADATA_SERVER_DETECTION: 'none' },
  },
});
