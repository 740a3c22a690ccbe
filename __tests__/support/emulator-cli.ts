// Standalone demo world for manual runs and scripts:
//   npx tsx __tests__/support/emulator-cli.ts --port 4566 --assertion-out /tmp/assertion.b64
// Prints one JSON line {"url", "assertionFile"} once ready, then exits by itself after
// --lifetime-seconds (default 600), or on SIGINT/SIGTERM.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEMO_ROLE_PAIRS, startDemoWorld } from './sts-emulator.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'assertion-out': { type: 'string' },
    'lifetime-seconds': { type: 'string', default: '600' }
  },
  strict: true
})

const port = Number(values.port)
const lifetime = Number(values['lifetime-seconds'])
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new Error(`bad --port ${values.port}`)
}
if (!(lifetime > 0)) throw new Error(`bad --lifetime-seconds ${values['lifetime-seconds']}`)

const world = await startDemoWorld({ port })
let assertionFile: string | null = null
if (values['assertion-out'] !== undefined) {
  assertionFile = resolve(values['assertion-out'])
  // Every demo role pair, so the caller can pick any of them.
  writeFileSync(assertionFile, world.idp.issue({ roles: DEMO_ROLE_PAIRS }).base64 + '\n')
}

let stopping = false
function stop(): void {
  if (stopping) return
  stopping = true
  void world.close().then(() => process.exit(0))
}
// The emulator's server is unref'd; this timer is what keeps the process up, and bounds it.
setTimeout(stop, lifetime * 1000)
process.once('SIGINT', stop)
process.once('SIGTERM', stop)

process.stdout.write(JSON.stringify({ url: world.emulator.url, assertionFile }) + '\n')
