/**
 * How the bundle hands built-in modules to the code in it (script/bundle-options.mjs): through
 * process.getBuiltinModule, never an ES-module facade. Built with the real options, run under
 * Node 24: every way of importing a built-in must behave as Node's own import does.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { bundleOptions } from '../../script/bundle-options.mjs'
import { node24 } from '../support/harness.js'
import { makeTempDir } from '../support/temp-dirs.js'

const PROBE = `
import process from 'node:process'
import { env } from 'node:process'
import fs, { readFileSync } from 'node:fs'
import * as fsNamespace from 'node:fs'
import EventEmitter from 'node:events'
import { Readable } from 'node:stream'
import * as http from 'node:http'
import { randomUUID } from 'node:crypto'

let exited = false
process.on('exit', () => {
  exited = true
})
process.emit('exit', 0)
const emitter = new EventEmitter()
let heard = ''
emitter.on('x', value => (heard = value))
emitter.emit('x', 'yes')
const chunks = []
for await (const chunk of Readable.from(['a', 'b'])) chunks.push(chunk)
console.log(
  JSON.stringify({
    processListener: exited,
    processIsGlobal: process === globalThis.process,
    env: env === globalThis.process.env,
    readFile: readFileSync === fsNamespace.readFileSync && fs.readFileSync === readFileSync,
    fsPromises: typeof fs.promises.readFile,
    emitter: heard,
    stream: chunks.join(''),
    http: typeof http.request,
    uuid: /^[0-9a-f-]{36}$/.test(randomUUID()),
    undici: process.moduleLoadList.some(m => m.includes('undici'))
  })
)
`

describe('built-ins in the bundle', () => {
  it('behave as imported ones, without building the ES-module facades', async () => {
    const dir = makeTempDir('bundle-builtins-')
    const entry = join(dir, 'probe.mjs')
    writeFileSync(entry, PROBE)
    await build({
      ...bundleOptions(join(dir, 'out')),
      entryPoints: { probe: entry },
      splitting: false
    })
    const output = execFileSync(node24(), [join(dir, 'out', 'probe.js')], { encoding: 'utf8' })
    expect(JSON.parse(output)).toEqual({
      processListener: true,
      processIsGlobal: true,
      env: true,
      readFile: true,
      fsPromises: 'function',
      emitter: 'yes',
      stream: 'ab',
      http: 'function',
      uuid: true,
      // Importing node:http from an ES module would have loaded all of undici.
      undici: false
    })
  })
})
