/**
 * The one bundle behind the action's main step, its post step and the CLI (dist/bundle). Each has
 * a tiny loader in dist/ (see script/package.mjs), which also turns on V8's compile cache where the
 * temp dir outlives the job (not on GitHub-hosted runners).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { run } from './action/main.js'
import { runPost } from './action/post.js'

export const action = run
export const post = runPost

/**
 * What --version prints: ../package.json is dist/package.json from the bundle (script/package.mjs
 * writes the version there) and the repository's package.json from src/.
 */
function packageVersion(): string {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string }
  return version
}

export async function cli(): Promise<void> {
  // A chunk of its own: the action's steps never compile the CLI.
  const { runCli } = await import('./cli/cli.js')
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    readStdin: () => readFileSync(0, 'utf8'),
    env: process.env,
    version: packageVersion()
  })
}
