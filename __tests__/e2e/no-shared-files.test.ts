/**
 * The built action (dist/index.js under Node 24) never looks at the shared AWS files for its STS
 * clients: not ~/.aws/config or ~/.aws/credentials, not the files AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE name, not the SSO cache; and it connects nowhere but the endpoint
 * (no IMDS, no container-credentials endpoint). A preload (support/fs-trace.ts) records every
 * path the run touches through fs and every outgoing connection. No 'profile' input, so the
 * action's own writes of the credentials file are not part of the run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ROOT, newRunnerDir, runAction } from '../support/harness.js'
import { DEMO_PROVIDER_ARN, DEMO_ROLES } from '../support/sts-emulator.js'
import { useDemoWorld } from '../support/use-demo-world.js'

const { idp, sts } = useDemoWorld()

const PRELOAD = pathToFileURL(join(ROOT, '__tests__', 'support', 'fs-trace.ts')).href

interface Trace {
  paths: string[]
  connects: string[]
}

/** Shared files with content the SDK would act on (a region, keys, a profile), if it read them. */
function writeSharedFiles(dir: string): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'config'),
    '[default]\nregion = us-east-2\nsdk_ua_app_id = from-config\nmax_attempts = 7\n\n' +
      '[profile other]\nregion = ap-south-1\nretry_mode = adaptive\n'
  )
  writeFileSync(
    join(dir, 'credentials'),
    '[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT00\naws_secret_access_key = secret\n\n' +
      '[other]\naws_access_key_id = AKIAEXAMPLEOTHER0000\naws_secret_access_key = secret\n'
  )
  return dir
}

const MODES = {
  plain: {},
  'chaining with verify-credentials': {
    'chain-role-arn': DEMO_ROLES.readOnly,
    'verify-credentials': 'true'
  }
}

describe.each(Object.entries(MODES))('%s', (_mode, extraInputs) => {
  it.each(['~/.aws', 'AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE'])(
    'touches none of the shared files (%s)',
    async where => {
      const dir = newRunnerDir()
      const home = join(dir, 'home')
      const homeAws = writeSharedFiles(join(home, '.aws'))
      const elsewhere = writeSharedFiles(join(dir, 'aws-elsewhere'))
      const traceFile = join(dir, 'trace.json')
      const viaEnv = where !== '~/.aws'
      const { base64 } = idp().issue({
        roles: [{ roleArn: DEMO_ROLES.deploy, principalArn: DEMO_PROVIDER_ARN }]
      })
      const run = await runAction(
        'dist/index.js',
        {
          'saml-assertion': base64,
          'sts-endpoint': sts().url,
          'aws-region': 'eu-west-1',
          ...extraInputs
        },
        {
          dir,
          env: {
            NODE_OPTIONS: `--import=${PRELOAD}`,
            FS_TRACE_OUT: traceFile,
            ...(viaEnv && {
              AWS_CONFIG_FILE: join(elsewhere, 'config'),
              AWS_SHARED_CREDENTIALS_FILE: join(elsewhere, 'credentials'),
              AWS_PROFILE: 'other'
            })
          }
        }
      )
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
      const chained = 'chain-role-arn' in extraInputs
      expect(sts().requestCount('AssumeRoleWithSAML')).toBe(1)
      expect(sts().requestCount('AssumeRole')).toBe(chained ? 1 : 0)
      expect(sts().requestCount('GetCallerIdentity')).toBe(chained ? 1 : 0)

      const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as Trace
      // The trace saw the run: the action's own file commands are in it.
      expect(trace.paths).toContain(join(dir, 'env'))
      const shared = trace.paths.filter(
        path =>
          path === homeAws ||
          path.startsWith(homeAws + sep) ||
          path === elsewhere ||
          path.startsWith(elsewhere + sep) ||
          path.split(sep).includes('.aws')
      )
      expect(shared).toEqual([])
      // Only the endpoint: an instance-metadata or container-credentials lookup would show here.
      expect(trace.connects).toEqual([new URL(sts().url).host])
    }
  )
})
