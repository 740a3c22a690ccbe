// Build the committed bundles with ncc. Deterministic: CI rebuilds and fails on any diff.
import { execFileSync } from 'node:child_process'
import { rmSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const entries = [
  ['src/index.ts', 'dist'],
  ['src/post-index.ts', join('dist', 'post')],
  ['src/cli-index.ts', join('dist', 'cli')]
]

rmSync('dist', { recursive: true, force: true })
for (const [entry, out] of entries) {
  execFileSync(
    'npx',
    ['ncc', 'build', entry, '-o', out, '--license', 'licenses.txt', '--minify', '-q'],
    { stdio: 'inherit' }
  )
}
const size = statSync(join('dist', 'index.js')).size
console.log(
  `dist/index.js: ${(size / 1024).toFixed(0)} KiB; files: ${readdirSync('dist').join(', ')}`
)
