/**
 * The loaders in dist/ turn on V8's compile cache only where the temp dir can outlive the job: not
 * on GitHub-hosted runners (RUNNER_ENVIRONMENT=github-hosted), where every job starts on a fresh VM
 * and the write at exit would only cost time. Run as the runner runs them: dist under Node 24.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runAction } from '../support/harness.js'
import { makeTempDir } from '../support/temp-dirs.js'
import { useDemoWorld } from '../support/use-demo-world.js'

const { idp, sts } = useDemoWorld()

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => join(entry.parentPath, entry.name))
}

async function redeemWith(runnerEnvironment: string | undefined): Promise<string[]> {
  const tmp = makeTempDir('loader-tmp-')
  const run = await runAction(
    'dist/index.js',
    {
      'saml-assertion': idp().issue().base64,
      'role-arn': 'arn:aws:iam::123456789012:role/Deploy',
      'aws-region': 'eu-west-1',
      'sts-endpoint': sts().url
    },
    {
      env: {
        TMPDIR: tmp,
        RUNNER_ENVIRONMENT: runnerEnvironment,
        NODE_COMPILE_CACHE: undefined,
        NODE_DISABLE_COMPILE_CACHE: undefined
      }
    }
  )
  expect(run.code, run.stdout).toBe(0)
  expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
  return filesUnder(tmp).filter(file => file.includes('node-compile-cache'))
}

describe('the dist/ loader and the compile cache', () => {
  it('writes no compile cache on a GitHub-hosted runner, and still redeems', async () => {
    expect(await redeemWith('github-hosted')).toEqual([])
  })

  it('writes the compile cache to the temp dir on a self-hosted runner, and elsewhere', async () => {
    expect((await redeemWith('self-hosted')).length).toBeGreaterThan(0)
    expect((await redeemWith(undefined)).length).toBeGreaterThan(0)
  })
})
