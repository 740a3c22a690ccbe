/**
 * `npm run bench -- --profile`: where an empty-compile-cache run of the built action spends its
 * time. Prints Markdown and writes it to bench/profile.md. From outside the build only: a preload
 * (bench/trace.mjs) records loads and marks, a TCP relay in front of the STS emulator times the
 * request, one run under `--cpu-prof` is attributed through source maps of an identical rebuild
 * (bench/sourcemaps.ts), and small fresh processes time reading the bundle files and loading
 * built-ins alone.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect, type AddressInfo } from 'node:net'
import os from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROOT, actionEnv, node24, parseFileCommands } from '../__tests__/support/harness.js'
import { DEMO_PROVIDER_ARN, DEMO_ROLES, startDemoWorld } from '../__tests__/support/sts-emulator.js'
import {
  TRACE_PRELOAD,
  builtinsLoaded,
  importSpans,
  loadedFiles,
  phases,
  readTrace,
  traceEnv,
  type Phases,
  type Trace
} from './phases.js'
import { bundleMaps, sourceOf, type BundleMaps } from './sourcemaps.js'
import { snapshotDist } from './snapshot.js'

const PROFILE_MD = join(ROOT, 'bench', 'profile.md')
/** Traced runs for the phase medians (each with a plain run beside it). */
const RUNS = Math.max(5, Number(process.env.BENCH_PROFILE_RUNS) || 9)
/** --cpu-prof sampling interval, µs. */
const CPU_PROF_INTERVAL_US = 100
/** Built-ins the issue names: loading them is most of the bundle's own start-up cost. */
const WATCHED_BUILTINS = ['crypto', 'child_process', 'http2', 'zlib']
/** Fresh processes per built-in for its stand-alone load time. */
const BUILTIN_RUNS = 5
const epochNow = (): number => performance.timeOrigin + performance.now()

// ---------------------------------------------------------------------------------------------
// Small helpers

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const f1 = (value: number): string => value.toFixed(1)
const spread = (values: number[]): string =>
  `${f1(median(values))} ms (${f1(Math.min(...values))}–${f1(Math.max(...values))})`

interface Exited {
  code: number | null
  stdout: string
  stderr: string
  spawnEpoch: number
  exitEpoch: number
}

function runNode(
  node: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string
): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const spawnEpoch = epochNow()
    let exitEpoch = Number.NaN
    const child = spawn(node, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('exit', () => (exitEpoch = epochNow()))
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, spawnEpoch, exitEpoch })
    })
  })
}

function nodeJson<T>(node: string, script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(node, ['-e', script, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`))
      else resolve(JSON.parse(stdout) as T)
    })
  })
}

// ---------------------------------------------------------------------------------------------
// The STS request's timing, seen from outside: a TCP relay in front of the emulator.

interface Connection {
  /** Epoch ms: the request's first byte in, the response's last byte out. */
  firstIn?: number
  lastOut?: number
}

async function startRelay(
  port: number
): Promise<{ url: string; take(): Connection[]; close(): void }> {
  let connections: Connection[] = []
  const server = createServer(client => {
    const record: Connection = {}
    connections.push(record)
    const upstream = connect(port, '127.0.0.1')
    client.on('data', (data: Buffer) => {
      record.firstIn ??= epochNow()
      upstream.write(data)
    })
    upstream.on('data', (data: Buffer) => {
      client.write(data)
      record.lastOut = epochNow()
    })
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port: relayPort } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${relayPort}`,
    take: () => {
      const taken = connections
      connections = []
      return taken
    },
    close: () => server.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Reading and decoding the bundle files, alone in a fresh process.

const READ_DECODE = `
const { readFileSync } = require('node:fs')
const out = []
for (const file of process.argv.slice(1)) {
  const start = performance.now()
  const text = readFileSync(file).toString()
  const ms = performance.now() - start
  out.push({ file, ms, twoByte: /[^\\x00-\\xff]/.test(text), ascii: !/[^\\x00-\\x7f]/.test(text) })
}
console.log(JSON.stringify(out))
`
interface ReadDecode {
  file: string
  ms: number
  twoByte: boolean
  ascii: boolean
}

const LOAD_BUILTIN = `
const start = performance.now()
process.getBuiltinModule(process.argv[1])
console.log(JSON.stringify(performance.now() - start))
`

// ---------------------------------------------------------------------------------------------
// The CPU profile, by source

interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
    children?: number[]
  }[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

interface Source {
  label: string
  kind: string
}

/** Node's own module machinery, as opposed to the built-in modules it loads. */
const NODE_LOADER = /^node:internal\/(modules\/|bootstrap\/|main\/|process\/|vm)/
const BUILTIN_ALIASES: Record<string, string> = { streams: 'stream', perf: 'perf_hooks' }

function frameSource(
  maps: BundleMaps | undefined,
  dist: string,
  frame: CpuProfile['nodes'][number]['callFrame']
): Source | undefined {
  const { url, functionName } = frame
  if (url === '') {
    if (/^\((garbage collector|program|idle|root)\)$/.test(functionName)) {
      return { label: functionName, kind: 'V8' }
    }
    return undefined // a native function: its caller's
  }
  if (url.startsWith('node:')) {
    if (functionName === 'compileSourceTextModule') {
      return { label: 'compiling ES module source text (V8, via the ESM loader)', kind: 'V8' }
    }
    if (functionName.startsWith('compileForInternalLoader')) {
      return { label: 'compiling built-in modules (from the snapshot)', kind: 'built-in' }
    }
    if (NODE_LOADER.test(url)) return { label: 'Node module loader', kind: 'Node' }
    const top = url
      .slice(5)
      .replace(/^internal\//, '')
      .split('/')[0]!
    return { label: `node:${BUILTIN_ALIASES[top] ?? top}`, kind: 'built-in' }
  }
  if (url.startsWith('file:')) {
    const path = fileURLToPath(url)
    const bundleDir = join(dist, 'bundle')
    if (maps && path.startsWith(`${bundleDir}/`)) {
      const source = sourceOf(
        maps,
        path.slice(bundleDir.length + 1),
        frame.lineNumber,
        frame.columnNumber
      )
      if (source) return source
    }
    if (path.startsWith(`${dist}/`)) {
      return { label: `${path.slice(dist.length + 1)} (no source map)`, kind: 'bundle' }
    }
    return { label: basename(path), kind: 'bench' }
  }
  return { label: url, kind: 'other' }
}

interface SourceTimes extends Source {
  importMs: number
  actionMs: number
  otherMs: number
}

function attribute(
  profile: CpuProfile,
  trace: Trace,
  phase: Phases,
  spans: [number, number][],
  maps: BundleMaps | undefined,
  dist: string
): SourceTimes[] {
  const nodes = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
  const cache = new Map<number, Source>()
  const sourceOfNode = (id: number): Source => {
    const cached = cache.get(id)
    if (cached) return cached
    const node = nodes.get(id)!
    const up = parent.get(id)
    const source =
      frameSource(maps, dist, node.callFrame) ??
      (up === undefined ? { label: '(native)', kind: 'V8' } : sourceOfNode(up))
    cache.set(id, source)
    return source
  }
  const toMs = (us: number): number => trace.clock.nowMs + (us - trace.clock.hrtimeUs) / 1000
  const times = new Map<string, SourceTimes>()
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000
    const t = toMs(at)
    const source = sourceOfNode(profile.samples[i]!)
    const entry = times.get(source.label) ?? { ...source, importMs: 0, actionMs: 0, otherMs: 0 }
    times.set(source.label, entry)
    if (spans.some(([a, b]) => t >= a && t <= b)) entry.importMs += ms
    else if (t >= phase.actionStart && t <= phase.actionEnd) entry.actionMs += ms
    else entry.otherMs += ms
  }
  return [...times.values()].sort((a, b) => b.importMs + b.actionMs - (a.importMs + a.actionMs))
}

// ---------------------------------------------------------------------------------------------

export async function runProfile(): Promise<void> {
  const started = performance.now()
  const node = node24()
  const root = mkdtempSync(join(os.tmpdir(), 'saml-bench-profile-'))
  process.on('exit', () => rmSync(root, { recursive: true, force: true }))
  const snapshot = await snapshotDist(join(root, 'snapshot'))
  console.log('Rebuilding the bundle with source maps ...')
  let maps: BundleMaps | undefined
  let mapNote = 'script/bundle-options.mjs not found: the profile is by file, not by source.'
  try {
    maps = await bundleMaps(snapshot, join(root, 'scratch'))
    if (maps) mapNote = maps.note
  } catch (error) {
    mapNote = `No source maps (${(error as Error).message}): the profile is by file, not by source.`
  }
  const dist = maps?.dist ?? snapshot
  const nodeVersion = await nodeJson<string>(
    node,
    'console.log(JSON.stringify(process.version))',
    []
  )
  const loader = join(dist, 'index.js')

  const world = await startDemoWorld()
  const relay = await startRelay(world.emulator.port)
  let count = 0
  const once = async (
    mode: 'plain' | 'traced' | 'cpu'
  ): Promise<{ run: Exited; trace?: Trace; sts: Connection[]; dir: string }> => {
    const dir = join(root, `run-${++count}`)
    mkdirSync(join(dir, 'home'), { recursive: true })
    mkdirSync(join(dir, 'tmp'))
    for (const file of ['env', 'output', 'state', 'summary']) writeFileSync(join(dir, file), '')
    let env: NodeJS.ProcessEnv = actionEnv(dir, {
      'aws-region': 'eu-west-1',
      'sts-endpoint': relay.url,
      'saml-assertion': world.idp.issue({
        roles: [{ roleArn: DEMO_ROLES.deploy, principalArn: DEMO_PROVIDER_ARN }]
      }).base64,
      'role-arn': DEMO_ROLES.deploy
    })
    // A fresh hosted runner: the loader leaves the compile cache off there; were it on, a TMPDIR
    // of its own would make it start empty.
    env.TMPDIR = join(dir, 'tmp')
    env.RUNNER_ENVIRONMENT = 'github-hosted'
    const args = [loader]
    if (mode !== 'plain') {
      env = traceEnv(env, join(dir, 'trace.json'), dist)
      args.unshift('--import', TRACE_PRELOAD)
    }
    if (mode === 'cpu') {
      args.unshift(
        '--cpu-prof',
        `--cpu-prof-interval=${CPU_PROF_INTERVAL_US}`,
        `--cpu-prof-dir=${join(dir, 'cpu')}`
      )
    }
    relay.take()
    const run = await runNode(node, args, env, dir)
    const sts = relay.take()
    const key = parseFileCommands(readFileSync(join(dir, 'env'), 'utf8')).AWS_ACCESS_KEY_ID
    if (run.code !== 0 || !key?.startsWith('ASIA')) {
      throw new Error(`profile run (${mode}) failed (exit ${run.code}): ${run.stdout.slice(-500)}`)
    }
    return {
      run,
      trace: mode === 'plain' ? undefined : readTrace(join(dir, 'trace.json')),
      sts,
      dir
    }
  }

  try {
    console.log(`Profile: warm-up, then ${RUNS} empty-cache runs, plain and traced, interleaved`)
    await once('plain')
    await once('traced')
    const plain: number[] = []
    const rows = new Map<string, number[]>()
    const add = (name: string, value: number): void => {
      rows.set(name, [...(rows.get(name) ?? []), value])
    }
    let lastTrace: Trace | undefined
    for (let i = 0; i < RUNS; i++) {
      const p = await once('plain')
      plain.push(p.run.exitEpoch - p.run.spawnEpoch)
      const { run, trace, sts } = await once('traced')
      const phase = phases(trace!, dist)
      lastTrace = trace
      const toChild = (epoch: number): number => epoch - trace!.timeOrigin
      const firstIn = Math.min(...sts.map(c => c.firstIn ?? Infinity))
      const lastOut = Math.max(...sts.map(c => c.lastOut ?? -Infinity))
      add('total', run.exitEpoch - run.spawnEpoch)
      add('exec', trace!.timeOrigin - run.spawnEpoch)
      add('bootstrap', phase.bootstrap)
      add('preload', phase.preload)
      add('loader', phase.loader)
      add('entryImport', phase.entryImport)
      add('action', phase.action)
      add('lazyImport', phase.lazyImport)
      if (Number.isFinite(firstIn) && Number.isFinite(lastOut)) {
        add('beforeSts', toChild(firstIn) - phase.actionStart)
        add('sts', lastOut - firstIn)
        add('afterSts', phase.actionEnd - toChild(lastOut))
      }
      add('drain', phase.drain)
      add('teardown', run.exitEpoch - (trace!.timeOrigin + phase.exit))
      process.stdout.write('.')
    }
    process.stdout.write('\n')

    console.log(`One run under --cpu-prof (${CPU_PROF_INTERVAL_US} µs)`)
    const cpu = await once('cpu')
    const cpuDir = join(cpu.dir, 'cpu')
    const profile = JSON.parse(
      readFileSync(
        join(
          cpuDir,
          readdirSync(cpuDir).find(f => f.endsWith('.cpuprofile'))!
        ),
        'utf8'
      )
    ) as CpuProfile
    const cpuPhase = phases(cpu.trace!, dist)
    const bySource = attribute(
      profile,
      cpu.trace!,
      cpuPhase,
      importSpans(cpu.trace!, dist),
      maps,
      dist
    )

    // Files on the redeem path, and reading + decoding each alone (fresh processes).
    const trace = lastTrace!
    const files = loadedFiles(trace, dist)
    const phase = phases(trace, dist)
    const decodes: ReadDecode[][] = []
    for (let i = 0; i < 5; i++) {
      decodes.push(
        await nodeJson<ReadDecode[]>(
          node,
          READ_DECODE,
          files.map(f => join(dist, f.file))
        )
      )
    }
    const decodeOf = (file: string): { ms: number; twoByte: boolean; ascii: boolean } => {
      const samples = decodes.map(d => d.find(r => r.file === join(dist, file))!)
      return {
        ms: median(samples.map(s => s.ms)),
        twoByte: samples[0]!.twoByte,
        ascii: samples[0]!.ascii
      }
    }
    const entryFiles = files.filter(f => f.at < phase.actionStart && f.file.startsWith('bundle/'))
    const lazyFiles = files.filter(f => f.at >= phase.actionStart)
    const decodeSum = (list: typeof files): number =>
      list.reduce((sum, f) => sum + decodeOf(f.file).ms, 0)

    // Built-ins loaded by the run, and what each costs alone in a fresh Node 24.
    const loaded = builtinsLoaded(trace)
    const standalone = new Map<string, number>()
    for (const id of [...new Set([...loaded.publicOnes, ...WATCHED_BUILTINS])]) {
      const samples: number[] = []
      for (let i = 0; i < BUILTIN_RUNS; i++) {
        samples.push(await nodeJson<number>(node, LOAD_BUILTIN, [id]))
      }
      standalone.set(id, median(samples))
    }

    // ---- Markdown -----------------------------------------------------------------------------
    const r = (name: string): string => {
      const values = rows.get(name)
      return values && values.length > 0 ? spread(values) : 'n/a'
    }
    const sumBytes = (list: typeof files): number => list.reduce((sum, f) => sum + f.bytes, 0)
    const phaseTable = [
      '| Phase | Median (min–max) |',
      '| --- | --- |',
      `| Whole run, spawn → exit, **plain** (no preload; what the bench's headline row times) | ${spread(plain)} |`,
      `| Whole run, spawn → exit, traced (with the preload below) | ${r('total')} |`,
      `| exec: spawn → process start (\`performance.timeOrigin\`) | ${r('exec')} |`,
      `| **Node bootstrap**: process start → first line of user code | ${r('bootstrap')} |`,
      `| bench preload (\`module.registerHooks\`; not in a real run) | ${r('preload')} |`,
      `| loader: \`dist/index.js\` loaded → the bundle requested | ${r('loader')} |`,
      `| **Importing the bundle**: \`bundle/index.js\` and its static chunks (${entryFiles.length} files, ${sumBytes(entryFiles)} bytes): read, decode, compile, evaluate | ${r('entryImport')} |`,
      `| ↳ of which read + UTF-8 decode (\`readFileSync().toString()\` of the same files, measured apart) | ${f1(decodeSum(entryFiles))} ms |`,
      `| **action()**: entry evaluated → action()'s promise settled | ${r('action')} |`,
      `| ↳ importing lazy chunks (${lazyFiles.map(f => `\`${f.file}\``).join(', ') || 'none'}; ${sumBytes(lazyFiles)} bytes; read + decode ${f1(decodeSum(lazyFiles))} ms) | ${r('lazyImport')} |`,
      `| ↳ action() start → the STS request's first byte at the emulator (inputs, lazy import, client, request) | ${r('beforeSts')} |`,
      `| ↳ the STS request's first byte → the response's last byte (emulator on this machine) | ${r('sts')} |`,
      `| ↳ response → action() settled (parse, env, outputs, files) | ${r('afterSts')} |`,
      `| action() settled → the \`exit\` event | ${r('drain')} |`,
      `| \`exit\` event → process gone (seen by the bench) | ${r('teardown')} |`
    ].join('\n')

    const fileTable = [
      '| File | Bytes | Loaded | V8 string | Read + decode (median of 5) |',
      '| --- | --- | --- | --- | --- |',
      ...files.map(f => {
        const d = decodeOf(f.file)
        const kind = d.twoByte
          ? '**two-byte** (a char > 0xFF)'
          : d.ascii
            ? 'one-byte (ASCII)'
            : 'one-byte (Latin-1)'
        const when = f.at < phase.actionStart ? 'at start' : 'lazily, in action()'
        return `| \`${f.file}\` | ${f.bytes} | ${when} | ${kind} | ${d.ms.toFixed(2)} ms |`
      }),
      `| **total** | **${sumBytes(files)}** | | | ${f1(decodeSum(files))} ms |`
    ].join('\n')

    const shown = bySource.filter(s => s.importMs + s.actionMs >= 0.3)
    const rest = bySource.filter(s => s.importMs + s.actionMs < 0.3)
    const sum = (list: SourceTimes[], key: 'importMs' | 'actionMs'): number =>
      list.reduce((total, s) => total + s[key], 0)
    const sourceTable = [
      '| Source | Kind | While importing the bundle | Rest of action() | Both |',
      '| --- | --- | --- | --- | --- |',
      ...shown.map(
        s =>
          `| ${s.label.startsWith('node:') || s.kind === 'npm package' ? `\`${s.label}\`` : s.label} | ${s.kind} | ${f1(s.importMs)} ms | ${f1(s.actionMs)} ms | ${f1(s.importMs + s.actionMs)} ms |`
      ),
      `| ${rest.length} other sources, each under 0.3 ms | | ${f1(sum(rest, 'importMs'))} ms | ${f1(sum(rest, 'actionMs'))} ms | ${f1(sum(rest, 'importMs') + sum(rest, 'actionMs'))} ms |`,
      `| **all samples** | | **${f1(sum(bySource, 'importMs'))} ms** | **${f1(sum(bySource, 'actionMs'))} ms** | **${f1(sum(bySource, 'importMs') + sum(bySource, 'actionMs'))} ms** |`
    ].join('\n')
    const kindTotals = new Map<string, number>()
    for (const s of bySource) {
      kindTotals.set(s.kind, (kindTotals.get(s.kind) ?? 0) + s.importMs + s.actionMs)
    }

    const builtinTable = [
      `| Built-in | Loaded by this run | Alone in a fresh Node 24 (median of ${BUILTIN_RUNS}) |`,
      '| --- | --- | --- |',
      ...[...standalone]
        .sort((a, b) => b[1] - a[1])
        .map(
          ([id, ms]) =>
            `| ${WATCHED_BUILTINS.includes(id) ? `**\`${id}\`**` : `\`${id}\``} | ${loaded.publicOnes.includes(id) ? 'yes' : 'no'} | ${f1(ms)} ms |`
        )
    ].join('\n')

    const generated = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    const seconds = ((performance.now() - started) / 1000).toFixed(0)
    const markdown = `# Profile of an empty-compile-cache run

Generated by \`npm run bench -- --profile\` on ${generated} (took ${seconds} s). One redeem (one
role, the test IdP's assertion, the STS emulator on 127.0.0.1) by the loader \`dist/index.js\` under
Node ${nodeVersion}, each run as on a fresh hosted runner (\`RUNNER_ENVIRONMENT=github-hosted\` and a TMPDIR of its own: no compile cache, or an empty one).
How to read it: [README.md](README.md#profile).

- Build: ${mapNote}
- Load average (1 min) at the end: ${os.loadavg()[0]!.toFixed(2)}.

## Phases (median of ${RUNS} traced runs)

${phaseTable}

## Files the run loads (the redeem path)

${fileTable}

## CPU time by source (one traced run under \`--cpu-prof\`, ${CPU_PROF_INTERVAL_US} µs samples)

Self time of each sampled function, attributed to where its code comes from: an npm package or the
project's code through the source maps, a built-in by its \`node:\` URL (\`node:internal/crypto/*\`
counts as \`node:crypto\`), or V8 and Node's module loader. A native function counts for its
caller. The columns cover the import spans and the rest of action(); what the profiler saw before
them (the end of Node's bootstrap, the loader) and after is left out. By kind: ${[...kindTotals]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, ms]) => `${kind} ${f1(ms)} ms`)
      .join(', ')}.

${sourceTable}

## Built-in modules

The run loads ${loaded.all.length} built-in modules beyond those Node loads before user code
(${loaded.publicOnes.length} public: ${loaded.publicOnes.map(m => `\`${m}\``).join(', ') || 'none'}). Watched:
${WATCHED_BUILTINS.map(m => `\`${m}\` ${loaded.publicOnes.includes(m) ? '**loaded**' : 'not loaded'}`).join(', ')}.
Each one's cost alone (\`process.getBuiltinModule\` in a fresh process; modules share internals, so
these do not add up):

${builtinTable}

All ${loaded.all.length} in load order: ${loaded.all.map(m => `\`${m}\``).join(', ')}.
`
    const { format, resolveConfig } = await import('prettier')
    const formatted = await format(markdown, {
      ...((await resolveConfig(PROFILE_MD)) ?? {}),
      parser: 'markdown'
    })
    writeFileSync(PROFILE_MD, formatted)
    console.log(`\n${formatted}\nWritten to bench/profile.md (${seconds} s).`)
  } finally {
    relay.close()
    await world.close()
  }
}
