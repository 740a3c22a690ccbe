/**
 * Preload (`node --import ./fs-trace.ts`; Node 24 strips the types) that records what a run
 * touches on disk and on the network, for tests that must prove a run never looks at some path
 * (for example the shared AWS files). It wraps the path-taking fs calls (sync, callback and
 * promise forms) and outgoing connections, and at exit writes JSON to FS_TRACE_OUT:
 *   { paths: string[], connects: string[], builtins: string[], stacks: { path, stack }[] }
 * `builtins` is process.moduleLoadList's built-in modules. A path matching the FS_TRACE_STACKS
 * regex also has the stack of its first access recorded, to find who made it.
 * Erasable TypeScript only and no imports but built-ins, so Node runs it as it is; it changes no
 * behaviour of the run.
 */
import fs from 'node:fs'
import module from 'node:module'
import net from 'node:net'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const out = process.env.FS_TRACE_OUT
const stackFilter = process.env.FS_TRACE_STACKS ? new RegExp(process.env.FS_TRACE_STACKS) : null
// Keep the child's env free of our settings, so nothing downstream sees them.
delete process.env.FS_TRACE_OUT
delete process.env.FS_TRACE_STACKS

const paths = new Set<string>()
const connects = new Set<string>()
const stacks: { path: string; stack: string }[] = []

// The real writer, taken before any patching, so writing the report records nothing.
const writeFileSync = fs.writeFileSync

function record(path: unknown): void {
  let text: string | undefined
  if (typeof path === 'string') text = path
  else if (path instanceof URL) text = path.protocol === 'file:' ? fileURLToPath(path) : undefined
  else if (Buffer.isBuffer(path)) text = path.toString()
  if (text === undefined) return // a file descriptor or FileHandle: opened (and recorded) before
  const full = resolve(text)
  if (paths.has(full)) return
  paths.add(full)
  if (stackFilter?.test(full)) stacks.push({ path: full, stack: new Error().stack ?? '' })
}

const PATH_CALLS = [
  'open',
  'readFile',
  'stat',
  'lstat',
  'access',
  'readdir',
  'exists',
  'realpath',
  'opendir',
  'createReadStream'
]

type Callable = (this: unknown, ...args: unknown[]) => unknown

function wrap(target: object, name: string): void {
  const holder = target as Record<string, unknown>
  const original = holder[name]
  if (typeof original !== 'function') return
  const call = original as Callable
  const wrapped = function (this: unknown, path: unknown, ...rest: unknown[]): unknown {
    record(path)
    return call.call(this, path, ...rest)
  }
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original))
  holder[name] = wrapped
}

for (const name of PATH_CALLS) {
  wrap(fs, name)
  wrap(fs, `${name}Sync`)
  wrap(fs.promises, name)
}
module.syncBuiltinESMExports()

// IMDS (169.254.169.254) or a container-credentials endpoint would show up here.
const socket = net.Socket.prototype as unknown as { connect: Callable }
const connect = socket.connect
socket.connect = function (this: unknown, ...args: unknown[]): unknown {
  const [first, second] = args
  // net.connect() passes its normalized arguments as one array.
  const options: unknown = Array.isArray(first) ? (first as unknown[])[0] : first
  if (options && typeof options === 'object') {
    const { path, host, port } = options as { path?: string; host?: string; port?: number }
    connects.add(path ?? `${host ?? 'localhost'}:${String(port)}`)
  } else if (typeof first === 'number' || typeof first === 'string') {
    connects.add(typeof second === 'string' ? `${second}:${first}` : String(first))
  }
  return connect.apply(this, args)
}

process.on('exit', () => {
  if (!out) return
  // Undocumented, but present in every Node since 0.x: what the run loaded, in order.
  const loadList = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList ?? []
  const builtins = loadList
    .filter(entry => entry.startsWith('NativeModule '))
    .map(entry => entry.slice('NativeModule '.length))
  writeFileSync(
    out,
    JSON.stringify({ paths: [...paths], connects: [...connects], builtins, stacks }, null, 2)
  )
})
