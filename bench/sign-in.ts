/**
 * The sign-in rows of `npm run bench` (alone: `npm run bench -- --sign-in`): sign-in at
 * SimpleSAMLphp plus one AssumeRoleWithSAML, by dist/index.js under Node 24 as the runner runs it,
 * against bench/sign-in-floor.mjs making the same HTTP requests bare, interleaved in one run, for
 * the form and ecp providers. Target: at most 1.5× the floor.
 */
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, actionEnv, node24, parseFileCommands } from '../__tests__/support/harness.js'
import {
  AWS_AUDIENCES,
  SSP_PROVIDER_ARN,
  SSP_ROLES,
  SSP_USER,
  simpleSamlPhpFound,
  startSimpleSamlPhp,
  trustSimpleSamlPhp,
  type SimpleSamlPhp
} from '../__tests__/support/simplesamlphp.js'
import { startStsEmulator } from '../__tests__/support/sts-emulator.js'
import { makeTempDir } from '../__tests__/support/temp-dirs.js'

export const SIGN_IN_OVER_FLOOR = 1.5

export interface SignInRow {
  measure: string
  result: string
  target: string
  status: string
}

const FLOOR = join(ROOT, 'bench', 'sign-in-floor.mjs')

/** Wall time of one child from spawn to exit, and the access key it exported. */
function timedRun(
  script: string,
  env: Record<string, string>
): Promise<{ ms: number; key?: string }> {
  const dir = env.RUNNER_TEMP!
  for (const file of ['env', 'output', 'state', 'summary']) writeFileSync(join(dir, file), '')
  const started = performance.now()
  return new Promise((resolve, reject) => {
    execFile(node24(), [script], { env, cwd: dir, timeout: 30_000 }, (error, _stdout, stderr) => {
      const ms = performance.now() - started
      if (error) return reject(new Error(`${script} failed: ${stderr.trim() || error.message}`))
      const key = parseFileCommands(readFileSync(join(dir, 'env'), 'utf8')).AWS_ACCESS_KEY_ID
      resolve({ ms, key })
    })
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const spread = (values: number[]): string =>
  `${Math.round(median(values))} ms (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})`

/** `action`: the loader of the bench's snapshot of dist/ (its lazy sign-in chunk beside it). */
export async function signInRows(runs: number, action: string): Promise<SignInRow[]> {
  if (!simpleSamlPhpFound()) {
    return [
      {
        measure: '6. Sign-in + redeem through SimpleSAMLphp',
        result: 'n/a (SimpleSAMLphp or PHP not installed)',
        target: `≤ ${SIGN_IN_OVER_FLOOR}× floor`,
        status: 'n/a'
      }
    ]
  }
  const ssp: SimpleSamlPhp = await startSimpleSamlPhp()
  const sts = await startStsEmulator({ audience: AWS_AUDIENCES })
  trustSimpleSamlPhp(sts, ssp)
  try {
    const envFor = (flow: 'form' | 'ecp'): Record<string, string> => {
      const env = actionEnv(makeTempDir('saml-bench-signin-'), {
        'idp-url': flow === 'form' ? ssp.formUrl : ssp.ecpUrl,
        'idp-provider': flow,
        'idp-username': SSP_USER.username,
        'idp-password': SSP_USER.password,
        'role-arn': SSP_ROLES.deploy,
        'sts-endpoint': sts.url,
        'aws-region': 'eu-west-1'
      })
      return { ...env, BENCH_FLOW: flow, BENCH_PRINCIPAL_ARN: SSP_PROVIDER_ARN }
    }
    const samples = {
      form: { action: [] as number[], floor: [] as number[] },
      ecp: { action: [] as number[], floor: [] as number[] }
    }
    for (let round = -1; round < runs; round++) {
      for (const flow of ['form', 'ecp'] as const) {
        const env = envFor(flow)
        const a = await timedRun(action, env)
        const f = await timedRun(FLOOR, env)
        if (!a.key?.startsWith('ASIA') || !f.key?.startsWith('ASIA')) {
          throw new Error(`sign-in bench (${flow}): no credentials exported`)
        }
        // Round -1 warms the compile cache and SimpleSAMLphp's opcode cache, untimed.
        if (round >= 0) {
          samples[flow].action.push(a.ms)
          samples[flow].floor.push(f.ms)
        }
      }
    }
    const rows: SignInRow[] = []
    for (const flow of ['form', 'ecp'] as const) {
      const { action: a, floor: f } = samples[flow]
      const over = median(a) / median(f)
      rows.push(
        {
          measure: `6. Sign-in (${flow}) + redeem through SimpleSAMLphp, dist/index.js, compile cache warm (n=${runs})`,
          result: spread(a),
          target: '',
          status: ''
        },
        {
          measure: `6. Floor: \`bench/sign-in-floor.mjs\`, the same requests bare (${flow}) (n=${runs})`,
          result: spread(f),
          target: '',
          status: ''
        },
        {
          measure: `6. Sign-in (${flow}) / floor`,
          result: `${over.toFixed(2)}×`,
          target: `≤ ${SIGN_IN_OVER_FLOOR}×`,
          status: over <= SIGN_IN_OVER_FLOOR ? 'target met' : 'target missed'
        }
      )
    }
    return rows
  } finally {
    await sts.close()
    await ssp.close()
  }
}
