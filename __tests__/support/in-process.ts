/**
 * Runs the action's run() inside the test process, against the strict emulator over HTTP, with the
 * runner's file commands in a temp dir. Faster than the dist/ child process of __tests__/e2e, and
 * it lets coverage see the I/O modules. Call at the top of a test file: it registers the hooks.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, vi } from 'vitest'
import { run } from '../../src/action/main.js'
import type { DemoWorld } from './sts-emulator.js'
import { useDemoWorld } from './use-demo-world.js'
import type { IssueOptions } from './test-idp.js'
import { inputEnv, newRunnerDir, parseFileCommands } from './harness.js'

export interface InProcessRun {
  error?: string
  notices: string[]
  warnings: string[]
  /** Plain log lines (core.info). */
  info: string[]
  /** Every line written to stdout, in order. */
  stdout: string[]
  env: Record<string, string>
  outputs: Record<string, string>
  exitCode: number | undefined
  dir: string
  elapsedMs: number
}

export function useInProcessRunner(): {
  world: () => DemoWorld
  runWith: (inputs: Record<string, string>, issue?: IssueOptions) => Promise<InProcessRun>
} {
  const demo = useDemoWorld()
  let stdout: string[] = []
  let dir = ''
  const saved = { ...process.env }

  beforeEach(() => {
    dir = newRunnerDir()
    for (const key of Object.keys(process.env)) {
      if (/^(INPUT_|AWS_|HTTPS?_PROXY|NO_PROXY)/i.test(key)) delete process.env[key]
    }
    Object.assign(process.env, {
      HOME: join(dir, 'home'),
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'deploy',
      GITHUB_ENV: join(dir, 'env'),
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STATE: join(dir, 'state'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary')
    })
    stdout = []
    vi.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      stdout.push(String(chunk))
      return true
    })
  })
  afterEach(() => {
    vi.restoreAllMocks()
    process.exitCode = undefined
    // Restore in place: replacing process.env with a plain object would detach it from the real
    // environment that os.homedir() reads.
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  })

  async function runWith(
    inputs: Record<string, string>,
    issue: IssueOptions = {}
  ): Promise<InProcessRun> {
    const all: Record<string, string> = {
      'saml-assertion': demo.idp().issue(issue).base64,
      'sts-endpoint': demo.sts().url,
      'aws-region': 'eu-west-1',
      ...inputs
    }
    Object.assign(process.env, inputEnv(all))
    stdout = []
    const started = Date.now()
    await run()
    const elapsedMs = Date.now() - started
    const lines = stdout.join('').split('\n')
    const pick = (prefix: string): string[] =>
      lines.filter(line => line.startsWith(prefix)).map(line => line.slice(prefix.length))
    return {
      error: pick('::error::')[0]?.replace(/%0A/g, '\n'),
      notices: pick('::notice::'),
      warnings: pick('::warning::'),
      info: lines.filter(line => line !== '' && !line.startsWith('::')),
      stdout: lines,
      env: parseFileCommands(readFileSync(join(dir, 'env'), 'utf8')),
      outputs: parseFileCommands(readFileSync(join(dir, 'output'), 'utf8')),
      exitCode: process.exitCode as number | undefined,
      dir,
      elapsedMs
    }
  }

  return { world: demo.world, runWith }
}
