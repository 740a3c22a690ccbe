// Writes one profile through writeProfiles, as a separate process, for the tests of concurrent
// writers and of writers killed mid-write:
//   node --import tsx __tests__/support/profile-writer.ts --credentials F --config F \
//     --profile P --key-id K [--expiration ISO] [--region R] [--wait]
// Prints "ready" once loaded; with --wait it then waits for a line on stdin, so a test can start
// many writers at the same instant, or time a kill from the start of the write. Prints "done"
// after the write. The secret and the token are derived
// from the key id (secretFor, tokenFor), so a reader can tell whole writes from torn ones.
//
// Starting tsx costs each process about half a second of CPU (it also starts esbuild), which
// dominates a test that starts dozens of them; compileWriter() transpiles this script and the
// modules it imports with TypeScript once, so the tests run them on plain `node`.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { writeProfiles } from '../../src/aws-files/credentials-file.js'

export interface WriterOptions {
  credentials: string
  config: string
  profile: string
  keyId: string
  expiration?: string
  region?: string
  wait?: boolean
}

export const secretFor = (keyId: string): string => `secret/${keyId}`
export const tokenFor = (keyId: string): string => `token-${keyId}-`.padEnd(400, 'x')

/** The command-line arguments for the script (after its path). */
export function writerArgs(options: WriterOptions): string[] {
  const args = ['--credentials', options.credentials, '--config', options.config]
  args.push('--profile', options.profile, '--key-id', options.keyId)
  if (options.expiration) args.push('--expiration', options.expiration)
  if (options.region) args.push('--region', options.region)
  if (options.wait) args.push('--wait')
  return args
}

export interface Writer {
  child: ChildProcess
  /** Resolves once the script is loaded (and, with wait, waiting for go()). */
  ready: Promise<void>
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
  go: () => void
}

/** Start the (compiled) script as a separate process on this Node. */
export function startWriter(script: string, options: WriterOptions): Writer {
  const child = spawn(process.execPath, [script, ...writerArgs(options)], {
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const ready = new Promise<void>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('ready\n')) done()
    })
    child.on('exit', () => fail(new Error(`writer exited before it was ready: ${stderr}`)))
  })
  // A writer killed before it was ready is a normal outcome for the caller to look at.
  ready.catch(() => undefined)
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    done => child.on('exit', (code, signal) => done({ code, signal, stderr }))
  )
  return { child, ready, exit, go: () => child.stdin.end('go\n') }
}

/**
 * Transpile this script and the local modules it imports (following `./x.js` imports) into
 * outDir, keeping the repository layout so the relative imports still resolve. Returns the path
 * of the compiled script.
 */
export async function compileWriter(outDir: string): Promise<string> {
  const ts = (await import('typescript')).default
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
  const pending = [fileURLToPath(import.meta.url)]
  const seen = new Set<string>()
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    for (const [, specifier] of source.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(resolve(dirname(file), `${specifier}.ts`))
    }
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file
    })
    const out = join(outDir, relative(root, file)).replace(/\.ts$/, '.js')
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, outputText)
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n')
  return join(outDir, relative(root, fileURLToPath(import.meta.url))).replace(/\.ts$/, '.js')
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      credentials: { type: 'string' },
      config: { type: 'string' },
      profile: { type: 'string' },
      'key-id': { type: 'string' },
      expiration: { type: 'string', default: '2030-01-01T00:00:00.000Z' },
      region: { type: 'string', default: 'eu-west-1' },
      wait: { type: 'boolean', default: false }
    },
    strict: true
  })
  const { credentials, config, profile } = values
  const keyId = values['key-id']
  if (!credentials || !config || !profile || !keyId) {
    throw new Error('--credentials, --config, --profile and --key-id are required')
  }
  process.stdout.write('ready\n')
  if (values.wait) {
    await new Promise(go => process.stdin.once('data', go))
    process.stdin.destroy()
  }
  await writeProfiles({ credentials, config }, [
    {
      profile,
      accessKeyId: keyId,
      secretAccessKey: secretFor(keyId),
      sessionToken: tokenFor(keyId),
      expiration: new Date(values.expiration),
      region: values.region
    }
  ])
  process.stdout.write('done\n')
}

// Run only as a script; the tests import the helpers above.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
