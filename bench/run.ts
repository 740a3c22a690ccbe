/**
 * `npm run bench`: how fast and how heavy the built action is, on this machine, side by side with
 * what it replaces. Every number is a measurement of `dist/index.js` run as the runner runs it (a
 * child process under Node 24 with INPUT_* variables and the GITHUB_* files) against the strict STS
 * emulator started in this process on 127.0.0.1. Prints a Markdown table and writes it to
 * bench/results.md. Numbers, not asserts: a missed target is reported, never thrown.
 * `npm run bench -- --profile`: the profile of one empty-cache run instead (bench/profile.ts).
 *
 * Only asynchronous child processes run while the emulator is up: a synchronous one would block
 * the event loop the emulator answers on.
 */
import { createHash } from 'node:crypto'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import { request } from 'node:http'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, actionEnv, awsCli, node24, parseFileCommands } from '../__tests__/support/harness.js'
import {
  DEMO_ACCOUNT_ID,
  DEMO_PROVIDER_ARN,
  DEMO_ROLES,
  startDemoWorld
} from '../__tests__/support/sts-emulator.js'
import type { RolePairSpec } from '../__tests__/support/test-idp.js'
import { TRACE_PRELOAD, loadedFiles, phases, readTrace, traceEnv } from './phases.js'
import { runProfile } from './profile.js'
import { signInRows } from './sign-in.js'
import { listFiles, snapshotDist } from './snapshot.js'

const BENCH = join(ROOT, 'bench')
const FLOOR = join(BENCH, 'floor.mjs')
const RSS_PRELOAD = pathToFileURL(join(BENCH, 'rss.mjs')).href
const RESULTS = join(BENCH, 'results.md')

/** bench/results.md before issue 12: the "before" of "before → now", the "today" of its targets. */
interface Baseline {
  generated: string
  floorMs: number
  cold: { emptyCacheMs: number; warmCacheMs: number }
  ratios: { emptyOverFloor: number; emptyOverManual: number }
  bundleBytes: number
  peakRssMB: number
  fanOut: { roles20Ms: number; role1Ms: number; ratio: number }
  storm: {
    runs: number
    succeeded: number
    p50Ms: number
    p95Ms: number
    requestsPerSuccess: number
  }
  failFast: { medianMs: number; requests: number }
}
const BASELINE = JSON.parse(readFileSync(join(BENCH, 'baseline.json'), 'utf8')) as Baseline

/** Runs per measured case (at least 10); BENCH_RUNS raises it. */
const RUNS = Math.max(10, Number(process.env.BENCH_RUNS) || 12)
const STORM_RUNS = 50
const STORM_THROTTLE_RATE = 0.5
const STORM_SEED = 20240601
/** The action's default retry-max-attempts. */
const DEFAULT_ATTEMPTS = 6
const FAN_OUT_ROLES = 20
/** The action's default max-concurrency. */
const FAN_OUT_CONCURRENCY = 8
const REGION = 'eu-west-1'
const PROFILE_TEMPLATE = 'bench-{account-id}-{role-name}'
const CHILD_TIMEOUT_MS = 30_000
/** Default retry budget (60 s) plus start-up, so a storm run is never cut short by the bench. */
const STORM_TIMEOUT_MS = 90_000

const TARGETS = {
  /** The empty-cache cold run (the headline). */
  coldOverFloor: 1.35,
  coldOverManual: 0.24,
  /** The build's files a plain redeem loads, loaders included. */
  redeemBundleMB: 0.8,
  rssMB: 72,
  /**
   * "No worse than today" for fan-out, storm and fail-fast: within 10% of the baseline, times
   * taken as multiples of the same run's floor so a busier machine does not read as a regression.
   */
  noWorseSlack: 0.1,
  /** The storm's success count may fall below today's by chance: this likely (see stormFloor). */
  stormChance: 0.95
}

/**
 * The fewest successes out of `runs` that happen with probability ≥ `chance` when each run fails
 * on its own with probability `pFail` (binomial): below it, the storm did worse than chance allows.
 */
function stormFloor(runs: number, pFail: number, chance: number): number {
  const choose = (n: number, k: number): number => {
    let c = 1
    for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i
    return c
  }
  let atLeast = 0
  for (let k = runs; k >= 0; k--) {
    atLeast += choose(runs, k) * (1 - pFail) ** k * pFail ** (runs - k)
    if (atLeast >= chance) return k
  }
  return 0
}

// ---------------------------------------------------------------------------------------------
// Child processes: async, timed from spawn to exit, each in its own process group so a timeout or
// the bench's own exit takes its whole tree down.

interface ChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  /** Wall time from spawn() to the child's exit. */
  ms: number
  stdout: string
  stderr: string
  timedOut: boolean
}

const live = new Set<ChildProcess>()

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

process.on('exit', () => {
  for (const child of live) killGroup(child)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping`)
    process.exit(130)
  })
}

function runChild(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs?: number }
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    live.add(child)
    let ms = Number.NaN
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child)
    }, options.timeoutMs ?? CHILD_TIMEOUT_MS)
    child.on('exit', () => {
      ms = performance.now() - started
    })
    child.on('error', error => {
      clearTimeout(timer)
      live.delete(child)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      live.delete(child)
      resolve({ code, signal, ms, stdout, stderr, timedOut })
    })
  })
}

function execText(command: string, args: string[]): Promise<string> {
  return new Promise(resolve => {
    execFile(command, args, { timeout: 10_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve(error ? '' : `${stdout}${stderr}`.trim())
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Peak RSS: /usr/bin/time's %M where it exists, else a preload that reports
// process.resourceUsage().maxRSS on exit (Node children only).

type RssMeter = 'time' | 'preload'

interface Metered {
  command: string
  args: string[]
  env: NodeJS.ProcessEnv
  usageFile?: string
}

function metered(
  meter: RssMeter,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  usageFile: string,
  isNode: boolean
): Metered {
  if (meter === 'time') {
    return {
      command: '/usr/bin/time',
      args: ['-f', '%M %U %S', '-o', usageFile, command, ...args],
      env,
      usageFile
    }
  }
  if (isNode) {
    return {
      command,
      args: ['--import', RSS_PRELOAD, ...args],
      env: { ...env, BENCH_RSS_FILE: usageFile },
      usageFile
    }
  }
  return { command, args, env }
}

interface Usage {
  /** Peak resident set size in kilobytes (1024 bytes). */
  rssKb?: number
  /** User + system CPU time of the process and the children it waited for. */
  cpuMs?: number
}

function readUsage(file: string | undefined): Usage {
  if (!file || !existsSync(file)) return {}
  // "%M %U %S"; time -o puts "Command exited with non-zero status N" first, so take the last line.
  const last = readFileSync(file, 'utf8').trim().split('\n').pop() ?? ''
  const [kb, user, system] = last.split(' ').map(Number)
  const usage: Usage = {}
  if (kb !== undefined && Number.isFinite(kb) && kb > 0) usage.rssKb = kb
  if (user !== undefined && system !== undefined && Number.isFinite(user + system)) {
    usage.cpuMs = (user + system) * 1000
  }
  return usage
}

// ---------------------------------------------------------------------------------------------
// Runner directories and env, as in __tests__/support/harness.ts.

const benchRoot = mkdtempSync(join(os.tmpdir(), 'saml-bench-'))
process.on('exit', () => rmSync(benchRoot, { recursive: true, force: true }))
let dirCount = 0

function runnerDir(): string {
  const dir = join(benchRoot, `run-${++dirCount}`)
  mkdirSync(join(dir, 'home'), { recursive: true })
  for (const file of ['env', 'output', 'state', 'summary']) writeFileSync(join(dir, file), '')
  return dir
}

/**
 * The compile cache a run starts with. The loaders call `module.enableCompileCache()`, which
 * keeps the cache under os.tmpdir() (TMPDIR), except on a GitHub-hosted runner
 * (RUNNER_ENVIRONMENT=github-hosted), where it would never be read again. `fresh` is a new hosted
 * runner: that variable, and a TMPDIR of its own so any cache starts empty. Otherwise a
 * self-hosted runner's later run: all share one TMPDIR the warm-ups filled.
 * (NODE_COMPILE_CACHE would also be honoured, but turns the cache on before the loader runs.)
 */
const warmTmp = join(benchRoot, 'warm-tmp')
mkdirSync(warmTmp)
function withCache(
  env: Record<string, string>,
  dir: string,
  fresh: boolean
): Record<string, string> {
  const tmp = fresh ? join(dir, 'tmp') : warmTmp
  mkdirSync(tmp, { recursive: true })
  return { ...env, TMPDIR: tmp, RUNNER_ENVIRONMENT: fresh ? 'github-hosted' : 'self-hosted' }
}

function exportedKey(dir: string): string | undefined {
  return parseFileCommands(readFileSync(join(dir, 'env'), 'utf8')).AWS_ACCESS_KEY_ID
}

function profileCount(dir: string): number {
  const file = join(dir, 'home', '.aws', 'credentials')
  if (!existsSync(file)) return 0
  return (readFileSync(file, 'utf8').match(/^\[bench-\d{12}-[\w+=,.@-]+\]$/gm) ?? []).length
}

function failure(what: string, run: ChildRun): Error {
  const tail = (text: string): string => text.trim().split('\n').slice(-5).join('\n    ')
  return new Error(
    `${what} failed (exit ${run.code ?? run.signal}${run.timedOut ? ', timed out' : ''}):\n` +
      `    ${tail(run.stderr)}\n    ${tail(run.stdout)}`
  )
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const ms = (value: number): string => `${Math.round(value)} ms`
const spread = (values: number[]): string =>
  `${ms(median(values))} (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})`
/** Wall time, plus the median CPU time where it was measured. */
function timed(samples: Sample[]): string {
  const cpu = samples.map(s => s.cpuMs).filter((v): v is number => v !== undefined)
  const wall = spread(samples.map(s => s.ms))
  return cpu.length > 0 ? `${wall}; CPU ${ms(median(cpu))}` : wall
}
const ratio = (value: number): string => `${value.toFixed(2)}×`
/** Megabytes are 10^6 bytes here; /usr/bin/time's kilobytes are 1024 bytes. */
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`
const verdict = (met: boolean): string => (met ? 'target met' : 'target missed')

interface Sample extends Usage {
  ms: number
}

interface Row {
  measure: string
  result: string
  target: string
  status: string
}

/** The Markdown as Prettier lays it out (aligned table), so results.md passes `prettier --check`. */
async function prettierMarkdown(markdown: string): Promise<string> {
  try {
    const prettier = await import('prettier')
    const options = (await prettier.resolveConfig(RESULTS)) ?? {}
    return await prettier.format(markdown, { ...options, parser: 'markdown' })
  } catch {
    return markdown
  }
}

// ---------------------------------------------------------------------------------------------
// Machine

async function machine(node: string, aws: string | undefined): Promise<string> {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu
  } catch {
    // Not Linux.
  }
  let distro = ''
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? ''
  } catch {
    // No os-release.
  }
  const nodeVersion = await execText(node, ['--version'])
  const awsVersion = aws ? (await execText(aws, ['--version'])).split(' ')[0] : 'not installed'
  return (
    `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ` +
    `${distro ? `${distro}, ` : ''}${os.type()} ${os.release()} ${os.arch()}; ` +
    `Node ${nodeVersion} runs the action and the floor, Node ${process.version} runs the bench ` +
    `(emulator, IdP); AWS CLI: ${awsVersion}`
  )
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const benchStarted = performance.now()
  const loadStart = os.loadavg()[0]!.toFixed(2)
  const node = node24()
  const dist = await snapshotDist(join(benchRoot, 'dist'))
  const action = join(dist, 'index.js')
  // The whole build: every JavaScript file of dist/ (loaders, entry, all chunks).
  const distJs = listFiles(dist).filter(f => f.endsWith('.js'))
  const buildHash = createHash('sha256')
  for (const file of distJs) buildHash.update(file).update(readFileSync(join(dist, file)))
  const bundleHash = buildHash.digest('hex').slice(0, 12)
  const distJsBytes = distJs.reduce((sum, f) => sum + statSync(join(dist, f)).size, 0)
  // awsCli() probes with spawnSync, so it runs before the emulator starts.
  const aws = awsCli()
  const meter: RssMeter =
    process.env.BENCH_NO_TIME !== '1' &&
    existsSync('/usr/bin/time') &&
    (await execText('/usr/bin/time', ['-f', '%M', 'true'])) !== ''
      ? 'time'
      : 'preload'
  const machineLine = await machine(node, aws)
  console.log(`Machine: ${machineLine}`)
  console.log(
    `Peak RSS and CPU via ${meter === 'time' ? '/usr/bin/time' : 'bench/rss.mjs preload'}`
  )

  const world = await startDemoWorld()
  const { idp, emulator } = world
  try {
    const deployPair: RolePairSpec = { roleArn: DEMO_ROLES.deploy, principalArn: DEMO_PROVIDER_ARN }
    const deniedArn = `arn:aws:iam::${DEMO_ACCOUNT_ID}:role/BenchDenied`
    emulator.registerRole(deniedArn, { deny: true })
    const fanPairs: RolePairSpec[] = Array.from({ length: FAN_OUT_ROLES }, (_, i) => {
      const account = String(300_000_000_001 + i)
      const principalArn = `arn:aws:iam::${account}:saml-provider/BenchIdP`
      const roleArn = `arn:aws:iam::${account}:role/Deploy`
      emulator.registerProvider(principalArn, idp.certPem, { issuer: idp.issuer })
      emulator.registerRole(roleArn)
      return { roleArn, principalArn }
    })
    const baseInputs = { 'aws-region': REGION, 'sts-endpoint': emulator.url }
    /** A one-role redeem of a fresh assertion; `fresh`: an empty compile cache of its own. */
    const deployEnv = (dir: string, fresh: boolean): Record<string, string> =>
      withCache(
        actionEnv(dir, {
          ...baseInputs,
          'saml-assertion': idp.issue({ roles: [deployPair] }).base64,
          'role-arn': DEMO_ROLES.deploy
        }),
        dir,
        fresh
      )

    // ---- 1. cold run vs floor vs manual pipeline (interleaved) ---------------------------------

    // `fresh`: the compile cache starts empty (the headline); else warm (see withCache).
    let freshCacheWritten = 0
    const coldOnce = async (fresh = false): Promise<Sample> => {
      const dir = runnerDir()
      const env = deployEnv(dir, fresh)
      const m = metered(meter, node, [action], env, join(dir, 'rss'), true)
      const run = await runChild(m.command, m.args, { env: m.env, cwd: dir })
      if (run.code !== 0 || !exportedKey(dir)?.startsWith('ASIA')) throw failure('cold run', run)
      // Evidence that the loader's cache lives under this run's TMPDIR, so it did start empty.
      if (fresh && existsSync(join(dir, 'tmp', 'node-compile-cache'))) freshCacheWritten++
      return { ms: run.ms, ...readUsage(m.usageFile) }
    }

    // One untimed traced run (empty cache, bench/trace.mjs preloaded): which of the build's files
    // a plain redeem loads, and its phases.
    const traceOnce = async (): Promise<{
      files: ReturnType<typeof loadedFiles>
      phase: ReturnType<typeof phases>
    }> => {
      const dir = runnerDir()
      const env = traceEnv(deployEnv(dir, true), join(dir, 'trace.json'), dist)
      const run = await runChild(node, ['--import', TRACE_PRELOAD, action], { env, cwd: dir })
      if (run.code !== 0 || !exportedKey(dir)?.startsWith('ASIA')) throw failure('traced run', run)
      const trace = readTrace(join(dir, 'trace.json'))
      return { files: loadedFiles(trace, dist), phase: phases(trace, dist) }
    }

    const floorOnce = async (noFacade = false): Promise<Sample> => {
      const dir = runnerDir()
      const env = actionEnv(dir, {
        ...baseInputs,
        'saml-assertion': idp.issue({ roles: [deployPair] }).base64,
        'role-arn': DEMO_ROLES.deploy
      })
      env.BENCH_PRINCIPAL_ARN = DEMO_PROVIDER_ARN
      if (noFacade) env.BENCH_FLOOR_NO_FACADE = '1'
      const m = metered(meter, node, [FLOOR], env, join(dir, 'rss'), true)
      const run = await runChild(m.command, m.args, { env: m.env, cwd: dir })
      if (run.code !== 0 || !exportedKey(dir)?.startsWith('ASIA')) throw failure('floor', run)
      return { ms: run.ms, ...readUsage(m.usageFile) }
    }

    // The pipeline the action replaces, as documented in the README's migration section.
    const awk =
      `awk -F: 'BEGIN { RS = "[,{}]" ; print "[SAML-PROFILE]"} /:/{ gsub(/"/, "", $2) } ` +
      `/AccessKeyId/{ print "aws_access_key_id = " $2 } ` +
      `/SecretAccessKey/{ print "aws_secret_access_key = " $2 } ` +
      `/SessionToken/{ print "aws_session_token = " $2 }'`
    let noSign = false
    const manualOnce = async (cli: string): Promise<Sample> => {
      const dir = runnerDir()
      writeFileSync(join(dir, 'samlresponse.log'), idp.issue({ roles: [deployPair] }).base64)
      const script =
        `"$AWS_BIN" sts assume-role-with-saml --role-arn ${DEMO_ROLES.deploy} ` +
        `--principal-arn ${DEMO_PROVIDER_ARN} --saml-assertion file://samlresponse.log ` +
        `--endpoint-url ${emulator.url} --region ${REGION}${noSign ? ' --no-sign-request' : ''}` +
        ` | ${awk} >> credentials`
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? '',
        HOME: join(dir, 'home'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
        AWS_BIN: cli
      }
      const m = metered(meter, '/bin/sh', ['-c', script], env, join(dir, 'rss'), false)
      const run = await runChild(m.command, m.args, { env: m.env, cwd: dir })
      const file = join(dir, 'credentials')
      const written = existsSync(file) ? readFileSync(file, 'utf8') : ''
      if (run.code !== 0 || !/^aws_access_key_id = +ASIA/m.test(written)) {
        throw failure('manual pipeline', run)
      }
      return { ms: run.ms, ...readUsage(m.usageFile) }
    }

    // Context for what dominates: bare Node 24 start-up, and the bundle's load with no inputs
    // (it stops at input validation, before any network).
    const bareOnce = async (): Promise<Sample> => {
      const dir = runnerDir()
      const m = metered(meter, node, ['-e', '0'], actionEnv(dir, {}), join(dir, 'rss'), true)
      const run = await runChild(m.command, m.args, { env: m.env, cwd: dir })
      if (run.code !== 0) throw failure('node -e 0', run)
      return { ms: run.ms, ...readUsage(m.usageFile) }
    }
    // The STS share of a run: AssumeRoleWithSAML sent from this process on a fresh connection.
    const postSaml = (pair: RolePairSpec, assertion: string): Promise<void> => {
      const body = new URLSearchParams({
        Action: 'AssumeRoleWithSAML',
        Version: '2011-06-15',
        RoleArn: pair.roleArn,
        PrincipalArn: pair.principalArn,
        SAMLAssertion: assertion,
        DurationSeconds: '3600'
      }).toString()
      return new Promise((resolve, reject) => {
        const req = request(
          emulator.url,
          {
            method: 'POST',
            agent: false,
            headers: {
              'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
              'content-length': Buffer.byteLength(body)
            }
          },
          res => {
            res.resume()
            res.on('end', () => {
              if (res.statusCode === 200) resolve()
              else reject(new Error(`round trip: STS answered ${res.statusCode}`))
            })
          }
        )
        req.setTimeout(CHILD_TIMEOUT_MS, () => req.destroy(new Error('round trip timed out')))
        req.on('error', reject)
        req.end(body)
      })
    }
    /** Time to send `pairs` with `concurrency` requests in flight, as the action's fan-out does. */
    const roundTrips = async (
      pairs: RolePairSpec[],
      offered: RolePairSpec[],
      concurrency: number
    ): Promise<number> => {
      const assertion = idp.issue({ roles: offered }).base64
      const started = performance.now()
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < pairs.length) await postSaml(pairs[next++]!, assertion)
      }
      await Promise.all(Array.from({ length: Math.min(concurrency, pairs.length) }, worker))
      return performance.now() - started
    }
    const roundTripOnce = (): Promise<number> => roundTrips([deployPair], [deployPair], 1)
    const loadOnce = async (): Promise<Sample> => {
      const dir = runnerDir()
      const env = withCache(actionEnv(dir, {}), dir, false)
      const m = metered(meter, node, [action], env, join(dir, 'rss'), true)
      const run = await runChild(m.command, m.args, { env: m.env, cwd: dir })
      if (run.code !== 1 || !run.stdout.includes('No SAML assertion given')) {
        throw failure('bundle load (no inputs)', run)
      }
      return { ms: run.ms, ...readUsage(m.usageFile) }
    }

    console.log(`\n1. cold run: warm-up, then ${RUNS} interleaved rounds`)
    await coldOnce()
    await coldOnce(true)
    await floorOnce()
    await floorOnce(true)
    await bareOnce()
    await loadOnce()
    await roundTripOnce()
    if (aws) {
      try {
        await manualOnce(aws)
      } catch {
        // The CLI found no credentials to sign with: AssumeRoleWithSAML needs none.
        noSign = true
        await manualOnce(aws)
      }
    }
    const cold: Sample[] = []
    const coldFresh: Sample[] = []
    const floor: Sample[] = []
    const floorNoFacade: Sample[] = []
    const manual: Sample[] = []
    const bare: Sample[] = []
    const roundTrip: number[] = []
    const load: Sample[] = []
    for (let i = 0; i < RUNS; i++) {
      coldFresh.push(await coldOnce(true))
      cold.push(await coldOnce())
      floor.push(await floorOnce())
      floorNoFacade.push(await floorOnce(true))
      if (aws) manual.push(await manualOnce(aws))
      bare.push(await bareOnce())
      load.push(await loadOnce())
      roundTrip.push(await roundTripOnce())
      process.stdout.write('.')
    }
    process.stdout.write('\n')
    const traced = await traceOnce()

    // ---- 2. fan-out: 20 roles vs 1 role, same 20-pair assertion (interleaved) ------------------

    const fanOnce = async (pairs: RolePairSpec[]): Promise<number> => {
      const dir = runnerDir()
      const env = withCache(
        actionEnv(dir, {
          ...baseInputs,
          'saml-assertion': idp.issue({ roles: fanPairs }).base64,
          'role-arn': pairs.map(p => p.roleArn).join('\n'),
          profile: PROFILE_TEMPLATE
        }),
        dir,
        false
      )
      const run = await runChild(node, [action], { env, cwd: dir })
      if (run.code !== 0 || profileCount(dir) !== pairs.length) {
        throw failure(`fan-out (${pairs.length} roles)`, run)
      }
      return run.ms
    }
    console.log(`2. fan-out: warm-up, then ${RUNS} interleaved rounds`)
    await fanOnce(fanPairs)
    await fanOnce(fanPairs.slice(0, 1))
    const fan20: number[] = []
    const fan1: number[] = []
    const fanStsShare: number[] = []
    for (let i = 0; i < RUNS; i++) {
      fan20.push(await fanOnce(fanPairs))
      fan1.push(await fanOnce(fanPairs.slice(0, 1)))
      fanStsShare.push(await roundTrips(fanPairs, fanPairs, FAN_OUT_CONCURRENCY))
      process.stdout.write('.')
    }
    process.stdout.write('\n')

    // ---- 3. throttle storm: 50 concurrent runs, half of all requests throttled -----------------

    console.log(
      `3. throttle storm: ${STORM_RUNS} runs at once, throttle rate ${STORM_THROTTLE_RATE}`
    )
    const stormJobs = Array.from({ length: STORM_RUNS }, () => {
      const dir = runnerDir()
      const env = deployEnv(dir, false)
      return { dir, env }
    })
    emulator.reset()
    const issuedBefore = emulator.issuedCredentials().length
    emulator.setThrottleRate(STORM_THROTTLE_RATE, STORM_SEED)
    const stormStarted = performance.now()
    const storm = await Promise.all(
      stormJobs.map(async job => {
        const run = await runChild(node, [action], {
          env: job.env,
          cwd: job.dir,
          timeoutMs: STORM_TIMEOUT_MS
        })
        return { run, ok: run.code === 0 && (exportedKey(job.dir)?.startsWith('ASIA') ?? false) }
      })
    )
    const stormWallMs = performance.now() - stormStarted
    const stormRequests = emulator.requestCount()
    // Every request either got credentials or was throttled (the storm asks nothing else).
    const throttled = stormRequests - (emulator.issuedCredentials().length - issuedBefore)
    emulator.clearFaults()
    const stormRunFails = STORM_THROTTLE_RATE ** DEFAULT_ATTEMPTS
    const stormOk = storm.filter(s => s.ok)
    const stormTimes = storm.map(s => s.run.ms)
    const stormFailures = storm
      .filter(s => !s.ok)
      .map(s => /^::error::(.*)$/m.exec(s.run.stdout)?.[1] ?? `exit ${s.run.code ?? s.run.signal}`)

    // ---- 4. fail fast: AccessDenied is final -------------------------------------------------

    console.log(`4. fail fast: ${RUNS} runs against a denied role`)
    const denyOnce = async (): Promise<{ ms: number; requests: number }> => {
      const dir = runnerDir()
      const env = withCache(
        actionEnv(dir, {
          ...baseInputs,
          'saml-assertion': idp.issue({
            roles: [{ roleArn: deniedArn, principalArn: DEMO_PROVIDER_ARN }]
          }).base64,
          'role-arn': deniedArn
        }),
        dir,
        false
      )
      emulator.reset()
      const run = await runChild(node, [action], { env, cwd: dir })
      if (run.code !== 1 || !/AccessDenied|not authorized/i.test(run.stdout)) {
        throw failure('fail fast (expected AccessDenied)', run)
      }
      return { ms: run.ms, requests: emulator.requestCount() }
    }
    await denyOnce()
    const deny: { ms: number; requests: number }[] = []
    for (let i = 0; i < RUNS; i++) deny.push(await denyOnce())

    // ---- 5. weight -----------------------------------------------------------------------------

    const redeemBytes = traced.files.reduce((sum, f) => sum + f.bytes, 0)

    // ---- table ---------------------------------------------------------------------------------

    const floorMs = median(floor.map(s => s.ms))
    const coldMs = median(cold.map(s => s.ms))
    const coldFreshMs = median(coldFresh.map(s => s.ms))
    const manualMs = aws ? median(manual.map(s => s.ms)) : undefined
    const rssOf = (samples: { rssKb?: number }[]): number | undefined => {
      const kb = samples.map(s => s.rssKb).filter((v): v is number => v !== undefined)
      return kb.length > 0 ? median(kb) * 1024 : undefined
    }
    const freshRss = rssOf(coldFresh)
    const rows: Row[] = []
    const row = (measure: string, result: string, target = '', status = ''): void => {
      rows.push({ measure, result, target, status })
    }
    const B = BASELINE
    const slack = 1 + TARGETS.noWorseSlack
    /** Today's figure as a multiple of today's floor, against this run's floor. */
    const overFloor = (value: number, before: number): string =>
      `${ratio(before / B.floorMs)} → ${ratio(value / floorMs)} floor`

    row(
      `1. **Cold run, compile cache empty** (a fresh runner: what users get), spawn → exit (n=${RUNS})`,
      `${timed(coldFresh)} (before ${ms(B.cold.emptyCacheMs)})`
    )
    row(
      '1. **Empty cache / floor**',
      `${ratio(B.ratios.emptyOverFloor)} → ${ratio(coldFreshMs / floorMs)}`,
      `≤ ${TARGETS.coldOverFloor}×`,
      verdict(coldFreshMs / floorMs <= TARGETS.coldOverFloor)
    )
    if (manualMs !== undefined) {
      row(
        '1. **Empty cache / manual pipeline**',
        `${ratio(B.ratios.emptyOverManual)} → ${ratio(coldFreshMs / manualMs)}`,
        `≤ ${TARGETS.coldOverManual}×`,
        verdict(coldFreshMs / manualMs <= TARGETS.coldOverManual)
      )
    } else {
      row(
        '1. **Empty cache / manual pipeline**',
        'n/a (aws CLI not installed)',
        `≤ ${TARGETS.coldOverManual}×`,
        'n/a'
      )
    }
    row(`1. Floor: \`bench/floor.mjs\` (start-up + raw POST + write) (n=${RUNS})`, timed(floor))
    row(
      `1. Context: the floor taking its built-ins without ES-module facades (\`BENCH_FLOOR_NO_FACADE=1\`), as the bundle does (n=${RUNS})`,
      `${timed(floorNoFacade)}; empty-cache cold run / this: ${ratio(coldFreshMs / median(floorNoFacade.map(s => s.ms)))}`
    )
    row(
      aws
        ? `1. Manual pipeline: \`aws sts assume-role-with-saml \\| awk\` (n=${RUNS})`
        : '1. Manual pipeline',
      aws ? timed(manual) : 'n/a (aws CLI not installed)'
    )
    row(
      `1. Context: cold run, compile cache warm (a later run on the same machine) (n=${RUNS})`,
      `${timed(cold)} (before ${ms(B.cold.warmCacheMs)}); ${ratio(coldMs / floorMs)} floor` +
        (manualMs !== undefined ? `, ${ratio(coldMs / manualMs)} manual` : '')
    )
    row(`1. Context: Node 24 bare start-up, \`node -e 0\` (n=${RUNS})`, timed(bare))
    row(`1. Context: bundle load only, no inputs (stops at input check) (n=${RUNS})`, timed(load))
    row(
      `1. Context: one AssumeRoleWithSAML round trip from the bench process (n=${RUNS})`,
      spread(roundTrip)
    )

    const fan20Ms = median(fan20)
    const fan1Ms = median(fan1)
    const fanRatio = fan20Ms / fan1Ms
    const fanOk =
      fanRatio <= B.fanOut.ratio * slack &&
      fan20Ms / floorMs <= (B.fanOut.roles20Ms / B.floorMs) * slack
    row(
      `2. Fan-out: ${FAN_OUT_ROLES} roles → ${FAN_OUT_ROLES} profiles (n=${RUNS})`,
      `${ms(B.fanOut.roles20Ms)} → ${spread(fan20)}; ${overFloor(fan20Ms, B.fanOut.roles20Ms)}`,
      `no worse than today: ≤ ${ratio((B.fanOut.roles20Ms / B.floorMs) * slack)} floor`,
      ''
    )
    row(
      `2. Fan-out: 1 role → 1 profile, same assertion (n=${RUNS})`,
      `${ms(B.fanOut.role1Ms)} → ${spread(fan1)}`
    )
    row(
      `2. ${FAN_OUT_ROLES} roles / 1 role`,
      `${ratio(B.fanOut.ratio)} → ${ratio(fanRatio)}`,
      `no worse than today: ≤ ${ratio(B.fanOut.ratio * slack)} (and the row above)`,
      verdict(fanOk)
    )
    row(
      `2. Context: the same ${FAN_OUT_ROLES} calls sent from the bench process, ${FAN_OUT_CONCURRENCY} at a time (emulator's share) (n=${RUNS})`,
      spread(fanStsShare)
    )

    const stormMin = Math.min(
      B.storm.succeeded,
      stormFloor(STORM_RUNS, stormRunFails, TARGETS.stormChance)
    )
    const stormP50 = percentile(stormTimes, 50)
    const stormOkNow =
      stormOk.length >= stormMin && stormP50 / floorMs <= (B.storm.p50Ms / B.floorMs) * slack
    row(
      `3. Throttle storm: ${STORM_RUNS} concurrent runs, throttle ${STORM_THROTTLE_RATE}, default retries`,
      `${B.storm.succeeded}/${B.storm.runs} → ${stormOk.length}/${STORM_RUNS} succeeded`,
      `no worse than today: ≥ ${stormMin}/${STORM_RUNS} (chance allows it ${(100 * TARGETS.stormChance).toFixed(0)}% of the time) and p50 ≤ ${ratio((B.storm.p50Ms / B.floorMs) * slack)} floor`,
      verdict(stormOkNow)
    )
    row(
      '3. Storm run time p50 / p95 (all runs)',
      `${ms(B.storm.p50Ms)} / ${ms(B.storm.p95Ms)} → ${ms(stormP50)} / ${ms(percentile(stormTimes, 95))}; p50 ${overFloor(stormP50, B.storm.p50Ms)}`
    )
    row(
      '3. STS requests per successful run',
      stormOk.length > 0
        ? `${B.storm.requestsPerSuccess.toFixed(2)} → ${(stormRequests / stormOk.length).toFixed(2)} (${stormRequests} requests, ${throttled} throttled)`
        : 'n/a'
    )
    row('3. Storm wall time (first spawn → last exit)', ms(stormWallMs))

    const denyCounts = [...new Set(deny.map(d => d.requests))].sort((a, b) => a - b)
    const denyMs = median(deny.map(d => d.ms))
    row(
      `4. Fail fast (AccessDenied): STS requests per run (n=${RUNS})`,
      `${B.failFast.requests} → ${denyCounts.length === 1 ? `${denyCounts[0]} (every run)` : `varied: ${denyCounts.join(', ')}`}`,
      `no worse than today: exactly ${B.failFast.requests}`,
      verdict(denyCounts.length === 1 && denyCounts[0] === B.failFast.requests)
    )
    row(
      `4. Fail fast: run time (n=${RUNS})`,
      `${ms(B.failFast.medianMs)} → ${spread(deny.map(d => d.ms))}; ${overFloor(denyMs, B.failFast.medianMs)}`,
      `no worse than today: ≤ ${ratio((B.failFast.medianMs / B.floorMs) * slack)} floor`,
      verdict(denyMs / floorMs <= (B.failFast.medianMs / B.floorMs) * slack)
    )

    row(
      `5. **Bundle on the redeem path**: the build's files a plain redeem loads, loaders included (${traced.files.length} files, listed below)`,
      `${mb(B.bundleBytes)} → ${redeemBytes} bytes (${mb(redeemBytes)})`,
      `≤ ${TARGETS.redeemBundleMB} MB`,
      verdict(redeemBytes / 1e6 <= TARGETS.redeemBundleMB)
    )
    row(
      `5. Context: all JavaScript in dist/ (${distJs.length} files, build sha256 ${bundleHash}…)`,
      `${distJsBytes} bytes (${mb(distJsBytes)})`
    )
    row(
      `5. **Peak RSS, empty-cache cold run** (median, n=${RUNS})`,
      freshRss === undefined
        ? 'n/a'
        : `${B.peakRssMB.toFixed(2)} MB (warm cache) → ${mb(freshRss)}`,
      `≤ ${TARGETS.rssMB} MB`,
      freshRss === undefined ? 'n/a' : verdict(freshRss / 1e6 <= TARGETS.rssMB)
    )
    const contextRss: [string, number | undefined][] = [
      ['warm-cache cold run', rssOf(cold)],
      ['`node -e 0`', rssOf(bare)],
      ['floor', rssOf(floor)],
      ['bundle load only', rssOf(load)],
      ['manual pipeline (largest process)', aws ? rssOf(manual) : undefined]
    ]
    row(
      '5. Context: peak RSS of',
      contextRss
        .map(([name, bytes]) => `${name} ${bytes === undefined ? 'n/a' : mb(bytes)}`)
        .join('; ')
    )

    rows.push(...(await signInRows(RUNS, action)))
    const table = [
      '| Measurement | Result: median (min–max) | Target | Status |',
      '| --- | --- | --- | --- |',
      ...rows.map(r => `| ${r.measure} | ${r.result} | ${r.target || '—'} | ${r.status || '—'} |`)
    ].join('\n')
    const notes = [
      `Machine: ${machineLine}.`,
      `Peak RSS and CPU time (user + system, children included) from ${meter === 'time' ? "`/usr/bin/time -f '%M %U %S'`" : 'a `--import bench/rss.mjs` preload (`process.resourceUsage()`)'}; ` +
        `section 1 runs are timed through it, all others are spawned directly. MB = 10^6 bytes.`,
      `Load average (1 min) at start ${loadStart}, at end ${os.loadavg()[0]!.toFixed(2)}: other work on the machine inflates every number.`,
      `Rounds are interleaved (empty-cache cold, warm-cache cold, floor, manual, start-up, load, round trip; 20 roles, 1 role) after one untimed warm-up of each; ` +
        `a fresh signed assertion per run; emulator and children on 127.0.0.1.`,
      `Compile cache: each empty-cache run has \`RUNNER_ENVIRONMENT=github-hosted\` and a TMPDIR of its own, where \`module.enableCompileCache()\` would keep it; ` +
        (freshCacheWritten === 0
          ? 'none wrote a cache there (the loader leaves it off on hosted runners)'
          : freshCacheWritten === RUNS + 1
            ? `each wrote its cache there, so each started empty`
            : `**${freshCacheWritten} of ${RUNS + 1} wrote a cache there: check where the loader keeps it**`) +
        '; all other action runs are self-hosted-like (`RUNNER_ENVIRONMENT=self-hosted`) and share one TMPDIR the warm-ups filled.',
      `"Before" figures: bench/baseline.json (bench/results.md of ${B.generated}, the ncc build). "No worse than today" allows ${(100 * TARGETS.noWorseSlack).toFixed(0)}% for noise, ` +
        `with times as multiples of the same run's floor (today's floor: ${ms(B.floorMs)}; this run's: ${ms(floorMs)}).`,
      `Redeem path (one untimed traced run, empty cache, files recorded by a \`module.registerHooks\` load hook in bench/trace.mjs): ` +
        traced.files.map(f => `\`${f.file}\` ${f.bytes}`).join(', ') +
        ` bytes; not loaded: ${
          distJs
            .filter(f => !traced.files.some(t => t.file === f))
            .map(f => `\`${f}\``)
            .join(', ') || 'nothing'
        }.`,
      `Phases of that traced run: Node bootstrap ${ms(traced.phase.bootstrap)}, importing the bundle ${ms(traced.phase.entryImport)}, ` +
        `action() ${ms(traced.phase.action)} (of which importing lazy chunks ${ms(traced.phase.lazyImport)}). ` +
        `Where a target is missed, \`npm run bench -- --profile\` (bench/profile.md) breaks these down by phase, file, source and built-in.`,
      `A storm run fails only if all ${DEFAULT_ATTEMPTS} attempts are throttled: ` +
        `${(100 * stormRunFails).toFixed(1)}% per run at rate ${STORM_THROTTLE_RATE}, so all ${STORM_RUNS} ` +
        `succeed with probability ${(100 * (1 - stormRunFails) ** STORM_RUNS).toFixed(0)}% (if throttling were independent of the run).`,
      ...(aws && noSign ? ['The AWS CLI needed `--no-sign-request` on this machine.'] : []),
      ...(stormFailures.length > 0
        ? [`Storm failures (${stormFailures.length}): ${[...new Set(stormFailures)].join(' | ')}`]
        : [])
    ]
    const generated = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    const benchSeconds = ((performance.now() - benchStarted) / 1000).toFixed(0)
    const markdown =
      `# Benchmark results\n\nGenerated by \`npm run bench\` on ${generated} (took ${benchSeconds} s).\n\n` +
      `${table}\n\n${notes.map(n => `- ${n}`).join('\n')}\n`
    writeFileSync(RESULTS, await prettierMarkdown(markdown))
    console.log(
      `\n${table}\n\n${notes.map(n => `- ${n}`).join('\n')}\n\nWritten to bench/results.md (${benchSeconds} s).`
    )
  } finally {
    await world.close()
  }
}

/** `npm run bench -- --sign-in`: only the sign-in rows, printed (bench/results.md untouched). */
async function signInOnly(): Promise<void> {
  const dist = await snapshotDist(join(benchRoot, 'dist'))
  const rows = await signInRows(RUNS, join(dist, 'index.js'))
  console.log(
    [
      '| Measurement | Result: median (min–max) | Target | Status |',
      '| --- | --- | --- | --- |',
      ...rows.map(r => `| ${r.measure} | ${r.result} | ${r.target || '—'} | ${r.status || '—'} |`)
    ].join('\n')
  )
}

if (process.argv.includes('--profile')) await runProfile()
else if (process.argv.includes('--sign-in')) await signInOnly()
else await main()
