// Build the committed bundles: tsc compiles src/ to build/, then ncc bundles each entry into dist/
// with the third-party licenses beside it. Deterministic: CI rebuilds and fails on any diff.
import { execFileSync } from 'node:child_process'
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

const entries = [
  ['index.js', 'dist'],
  ['post-index.js', join('dist', 'post')],
  ['cli-index.js', join('dist', 'cli')]
]

rmSync('build', { recursive: true, force: true })
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
rmSync('dist', { recursive: true, force: true })
for (const [entry, out] of entries) {
  execFileSync(
    'npx',
    [
      'ncc',
      'build',
      join('build', entry),
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--minify',
      '-q'
    ],
    { stdio: 'inherit' }
  )
}
rmSync('build', { recursive: true, force: true })
const size = statSync(join('dist', 'index.js')).size
console.log(
  `dist/index.js: ${(size / 1024).toFixed(0)} KiB; dist: ${readdirSync('dist').join(', ')}`
)
