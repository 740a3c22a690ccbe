import { defineConfig } from 'vitest/config'

// Two projects: `fast` is the edit loop (`npm test`: unit, in-process integration, the tests of the
// test tools); `e2e` runs child processes (`npm run test:e2e`: dist/ under Node 24, crash safety,
// parallel writers, moto, tinyproxy, the AWS CLI). `npm run test:all` runs both with coverage.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Removes the temp dirs the test tools made, after each test file.
    setupFiles: ['__tests__/support/setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          // Threads start faster than forks; nothing here needs a process of its own.
          pool: 'threads',
          include: [
            '__tests__/unit/**/*.test.ts',
            '__tests__/integration/**/*.test.ts',
            '__tests__/support/**/*.test.ts'
          ]
        }
      },
      { extends: true, test: { name: 'e2e', include: ['__tests__/e2e/**/*.test.ts'] } }
    ],
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
