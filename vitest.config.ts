import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Test files share their worker's modules: TypeScript's compiler (ts-morph) is loaded once per
    // worker instead of once per file. Safe because no scan state lives at module level
    // (test/architecture.test.ts) and no test changes the process's environment or folder.
    isolate: false,
  },
});
