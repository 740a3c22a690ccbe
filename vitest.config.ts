import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // entry.ts only wires run(), runPost() and runCli() to the process; dist/ tests exercise it under Node 24.
      exclude: ['src/entry.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 90 }
    }
  }
})
