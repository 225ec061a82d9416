import { defineConfig } from 'vitest/config';

// Tests import workspace packages through the `@mlsd/source` export condition, so they run on the
// TypeScript sources without a build step.
export default defineConfig({
  resolve: { conditions: ['@mlsd/source'] },
  ssr: { resolve: { conditions: ['@mlsd/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
