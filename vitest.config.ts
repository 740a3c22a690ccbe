import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The one-line entry files only call run(); they are exercised through dist/ under Node 24.
      exclude: ['src/index.ts', 'src/post-index.ts', 'src/cli-index.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 90 }
    }
  }
})
