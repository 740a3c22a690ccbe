import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// In-process tests spend much of their time waiting on sockets and timers (the emulator, retry
// back-off), so two workers per core keep the cores busy; vitest's default is one fewer than the
// cores, which is a single worker on a 2-core machine.
const EDIT_LOOP_WORKERS = 2 * availableParallelism()

// `unit` and `integration` are the edit loop (`npm test`: pure modules and the tests of the test
// tools; run() and runCli() in process); `e2e` runs child processes (`npm run test:e2e`: dist/
// under Node 24, crash safety, parallel writers, moto, tinyproxy, the AWS CLI). `npm run test:all`
// runs all three with coverage. Threads start faster than forks, and nothing in the edit loop needs
// a process of its own.
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
          name: 'unit',
          pool: 'threads',
          maxWorkers: EDIT_LOOP_WORKERS,
          // One module graph for all these files (half the time of loading it per file), so a
          // unit test restores what it changes: env variables, spies, timers.
          isolate: false,
          include: ['__tests__/unit/**/*.test.ts', '__tests__/support/**/*.test.ts']
        }
      },
      {
        extends: true,
        test: {
          name: 'integration',
          pool: 'threads',
          maxWorkers: EDIT_LOOP_WORKERS,
          include: ['__tests__/integration/**/*.test.ts']
        }
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['__tests__/e2e/**/*.test.ts'],
          // After the edit loop (a group of its own, since its worker count differs), with
          // vitest's default workers: child processes need the cores more than waiting threads.
          sequence: { groupOrder: 1 }
        }
      }
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
