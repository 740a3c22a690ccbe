/**
 * Temp dirs the test tools make (runner dirs, homes), all removed in one place: after each test
 * file by __tests__/support/setup.ts, and at exit for scripts outside vitest (demo).
 * They can hold test credentials, so none may outlive the run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

/** A new empty dir under the system temp dir, removed by removeTempDirs(). */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

process.once('exit', removeTempDirs)
