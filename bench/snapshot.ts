/**
 * A private copy of the whole build: the loaders (dist/index.js, post/, cli/), dist/bundle with
 * every chunk the bundle may import lazily, and the package.json files that make them ESM. Every
 * run of the bench then measures one build, even if `npm run package` rewrites dist/ meanwhile.
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { ROOT } from '../__tests__/support/harness.js'

export const DIST = join(ROOT, 'dist')
const REQUIRED = ['index.js', 'package.json', join('bundle', 'index.js')]
const WAIT_MS = 60_000

/** Every file under `dir`, as paths relative to it. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(file => statSync(join(dir, file)).isFile())
    .sort()
}

/**
 * Relative imports (static and dynamic) of the JavaScript files in `dir` that name no file in it:
 * a copy taken while a rebuild was writing its chunks.
 */
export function missingImports(dir: string): string[] {
  const missing: string[] = []
  for (const file of listFiles(dir).filter(f => /\.[cm]?js$/.test(f))) {
    const text = readFileSync(join(dir, file), 'utf8')
    for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.\.?\/[^"']+)["']/g)) {
      const target = resolve(dirname(join(dir, file)), match[1]!)
      if (!existsSync(target)) missing.push(`${file} → ${relative(dir, target)}`)
    }
  }
  return missing
}

/** Copies dist/ to `copy` (waiting up to a minute for a complete build); returns the copy's path. */
export async function snapshotDist(copy: string): Promise<string> {
  for (let waited = 0; ; waited += 1000) {
    if (REQUIRED.every(f => existsSync(join(DIST, f)))) {
      rmSync(copy, { recursive: true, force: true })
      try {
        cpSync(DIST, copy, { recursive: true })
        if (missingImports(copy).length === 0) return copy
      } catch {
        // A file vanished under the copy: a rebuild in progress.
      }
    }
    if (waited >= WAIT_MS) {
      const missing = existsSync(copy) ? missingImports(copy) : []
      throw new Error(
        missing.length > 0
          ? `dist/ is incomplete (${missing.slice(0, 3).join('; ')}): run \`npm run package\``
          : 'dist/index.js or dist/bundle/index.js not found: run `npm run package` first'
      )
    }
    if (waited === 0) console.log('Waiting for a complete dist/ (a rebuild in progress?) ...')
    await new Promise(resolveWait => setTimeout(resolveWait, 1000))
  }
}
