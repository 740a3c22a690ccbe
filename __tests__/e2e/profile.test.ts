/**
 * Named profiles through the runner contract: dist/index.js writes them, the real AWS CLI reads
 * them, and dist/post/index.js removes only what its run wrote.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useDemoWorld } from '../support/use-demo-world.js'
import {
  awsCli,
  newRunnerDir,
  runAction,
  runAwsCli,
  runPostStep,
  type ActionRun
} from '../support/harness.js'
import { motoAvailable, startMoto } from '../support/moto.js'
import { requirePeer } from '../support/peers.js'

const ROLE = 'arn:aws:iam::123456789012:role/Deploy'
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/TestIdP'
const USER_CREDENTIALS = `# my own keys, hand-written
[default]
aws_access_key_id = AKIAUSEROWNKEY000000
aws_secret_access_key = user-own-secret

[other]   ; a second profile of mine
aws_access_key_id = AKIAOTHERKEY00000000
aws_secret_access_key = other-secret
`
const USER_CONFIG = `[default]
region = us-west-2
output = json

[profile other]
region = ap-southeast-2
s3 =
  max_concurrent_requests = 20
`

const { idp, sts } = useDemoWorld()
function homeWithUserFiles(): { dir: string; home: string; credentials: string; config: string } {
  const dir = newRunnerDir()
  const home = join(dir, 'home')
  mkdirSync(join(home, '.aws'), { recursive: true })
  const credentials = join(home, '.aws', 'credentials')
  const config = join(home, '.aws', 'config')
  writeFileSync(credentials, USER_CREDENTIALS)
  writeFileSync(config, USER_CONFIG)
  return { dir, home, credentials, config }
}

function profileRun(dir: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  return runAction(
    'dist/index.js',
    {
      'saml-assertion': idp().issue({ roles: [{ roleArn: ROLE, principalArn: PROVIDER }] }).base64,
      'sts-endpoint': sts().url,
      'aws-region': 'eu-west-1',
      profile: 'SAML-PROFILE',
      ...extra
    },
    { dir }
  )
}

describe('profile written by dist/index.js', () => {
  it('writes, replaces on a second run, keeps the user profiles byte for byte, and is cleaned up', async () => {
    const { dir, credentials, config } = homeWithUserFiles()

    const first = await profileRun(dir)
    expect(first.stdout).not.toContain('::error::')
    expect(first.code).toBe(0)
    expect(first.env).toEqual({}) // profile set, export-env not given: nothing exported
    const firstKey = JSON.parse(first.outputs.profiles!)[0]
    expect(firstKey).toMatchObject({
      profile: 'SAML-PROFILE',
      'role-arn': ROLE,
      'account-id': '123456789012'
    })

    const second = await profileRun(dir)
    expect(second.code).toBe(0)
    const text = readFileSync(credentials, 'utf8')
    expect(text.startsWith(USER_CREDENTIALS)).toBe(true)
    expect(text.match(/\[SAML-PROFILE\]/g)).toHaveLength(1)
    const keys = [...text.matchAll(/aws_access_key_id = (ASIA\w+)/g)].map(m => m[1])
    expect(keys).toHaveLength(1)
    expect(text).toMatch(/x_security_token_expires = \d{4}-\d\d-\d\dT[\d:.]+Z/)
    const configText = readFileSync(config, 'utf8')
    expect(configText.startsWith(USER_CONFIG)).toBe(true)
    expect(configText).toContain('[profile SAML-PROFILE]\nregion = eu-west-1\n')
    if (process.platform !== 'win32') {
      expect(statSync(credentials).mode & 0o777).toBe(0o600)
      expect(statSync(config).mode & 0o777).toBe(0o600)
    }

    // The runner's state (passed to the post step) holds a fingerprint, not the key ID.
    const keyId = keys[0]!
    expect(JSON.stringify(second.state)).toContain('keyFingerprint')
    expect(JSON.stringify(second.state)).not.toContain(keyId)

    // The first run's post step must not remove the profile: the second run replaced it.
    const post = await runPostStep(second)
    expect(post.code).toBe(0)
    expect(readFileSync(credentials, 'utf8')).toBe(USER_CREDENTIALS)
    expect(readFileSync(config, 'utf8')).toBe(USER_CONFIG)
    expect(post.stdout).toContain('Removed profile(s): SAML-PROFILE.')
  })

  it('leaves a profile another run has since replaced, and deletes files it alone created', async () => {
    const dir = newRunnerDir()
    const credentials = join(dir, 'home', '.aws', 'credentials')
    const first = await profileRun(dir)
    expect(first.code).toBe(0)
    expect(existsSync(credentials)).toBe(true)
    if (process.platform !== 'win32')
      expect(statSync(join(dir, 'home', '.aws')).mode & 0o777).toBe(0o700)

    const stateOfFirst = first.state
    const second = await profileRun(dir)
    const replaced = readFileSync(credentials, 'utf8')
    const post = await runPostStep({ ...second, state: stateOfFirst })
    expect(post.code).toBe(0)
    expect(readFileSync(credentials, 'utf8')).toBe(replaced)

    const postOfSecond = await runPostStep(second)
    expect(postOfSecond.code).toBe(0)
    expect(existsSync(credentials)).toBe(false)
    expect(existsSync(join(dir, 'home', '.aws', 'config'))).toBe(false)
  })

  it('blanks exported env vars in the post step, and honours cleanup: false', async () => {
    const dir = newRunnerDir()
    const main = await profileRun(dir, { 'export-env': 'true' })
    expect(main.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    const kept = await runPostStep(main, { cleanup: 'false' })
    expect(kept.stdout).toContain('cleanup is false')
    expect(existsSync(join(dir, 'home', '.aws', 'credentials'))).toBe(true)
    const post = await runPostStep(main)
    expect(post.env).toEqual({
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
      AWS_CREDENTIAL_EXPIRATION: ''
    })
  })

  it('refuses an account outside allowed-account-ids before anything is written or output', async () => {
    const { dir, credentials } = homeWithUserFiles()
    const run = await profileRun(dir, { 'allowed-account-ids': '111111111111, 222222222222' })
    expect(run.code).toBe(1)
    expect(sts().requestCount()).toBe(0)
    expect(run.outputs).toEqual({})
    expect(readFileSync(credentials, 'utf8')).toBe(USER_CREDENTIALS)
    expect(run.stdout).toMatch(
      /::error::Refusing arn:aws:iam::123456789012:role\/Deploy \(account 123456789012\): not in 'allowed-account-ids'/
    )
  })

  it('verify-credentials makes exactly one more call and outputs caller-arn', async () => {
    const dir = newRunnerDir()
    const run = await profileRun(dir, {
      'verify-credentials': 'true',
      'allowed-account-ids': '123456789012'
    })
    expect(run.code).toBe(0)
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(1)
    expect(sts().requestCount('GetCallerIdentity')).toBe(1)
    expect(sts().requestCount()).toBe(2)
    expect(run.outputs['caller-arn']).toBe(run.outputs['assumed-role-arn'])
  })

  it('mask-account-id masks the account before the first line that shows it', async () => {
    const dir = newRunnerDir()
    const run = await profileRun(dir, { 'mask-account-id': 'true' })
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n')
    const first = lines.findIndex(line => line.includes('123456789012'))
    expect(lines[first]).toBe('::add-mask::123456789012')
    expect(run.summary).not.toContain('123456789012')
  })
})

const cli = awsCli()
requirePeer('the AWS CLI', cli !== undefined, 'the AWS CLI interop tests')

describe.skipIf(!cli)(`the real AWS CLI (${cli}) reads the profile`, () => {
  it('signs with the profile keys and the region from our config file, after two runs and a second profile', async () => {
    const { dir, home } = homeWithUserFiles()
    expect((await profileRun(dir)).code).toBe(0)
    expect((await profileRun(dir, { profile: 'SECOND', 'aws-region': 'eu-central-1' })).code).toBe(
      0
    )
    expect((await profileRun(dir)).code).toBe(0)

    for (const [profile, region] of [
      ['SAML-PROFILE', 'eu-west-1'],
      ['SECOND', 'eu-central-1']
    ] as const) {
      sts().reset()
      const result = await runAwsCli(
        cli!,
        [
          'sts',
          'get-caller-identity',
          '--profile',
          profile,
          '--endpoint-url',
          sts().url,
          '--output',
          'json'
        ],
        home
      )
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout).Arn).toBe(
        'arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com'
      )
      // The emulator verified the SigV4 signature; its scope names the region the CLI used.
      const authorization = String(sts().requests[0]!.headers.authorization)
      expect(authorization).toMatch(
        new RegExp(`Credential=ASIA\\w+/\\d{8}/${region}/sts/aws4_request`)
      )
    }
  })
})

describe.skipIf(!cli)(`the real AWS CLI (${cli}) and a profile the user owns`, () => {
  it('a refused run leaves it working; an overwrite keeps its config, and the CLI signs with the new keys', async () => {
    const { dir, home, credentials } = homeWithUserFiles()
    const get = async (key: string): Promise<string> =>
      (await runAwsCli(cli!, ['configure', 'get', key, '--profile', 'other'], home)).stdout.trim()

    const refused = await profileRun(dir, { profile: 'other' })
    expect(refused.code).toBe(1)
    expect(refused.stdout).toMatch(/::error::Refusing to overwrite a profile in .* \[other\]/)
    expect(sts().requestCount()).toBe(0)
    expect(readFileSync(credentials, 'utf8')).toBe(USER_CREDENTIALS)
    expect(await get('aws_access_key_id')).toBe('AKIAOTHERKEY00000000')

    const overwritten = await profileRun(dir, { profile: 'other', 'overwrite-profile': 'true' })
    expect(overwritten.code).toBe(0)
    expect(overwritten.stdout).toMatch(/::warning::Overwrote \[other\]/)
    expect(await get('aws_access_key_id')).toMatch(/^ASIA/)
    // The user's config for the profile is untouched: their region, not the run's.
    expect(await get('region')).toBe('ap-southeast-2')
    sts().reset()
    const identity = await runAwsCli(
      cli!,
      ['sts', 'get-caller-identity', '--profile', 'other', '--endpoint-url', sts().url],
      home
    )
    expect(identity.stderr).toBe('')
    expect(identity.code).toBe(0)
    expect(String(sts().requests[0]!.headers.authorization)).toMatch(
      /Credential=ASIA\w+\/\d{8}\/ap-southeast-2\//
    )

    const post = await runPostStep(overwritten)
    expect(post.stdout).toMatch(/::warning::Removed other, which this run had overwritten/)
    expect(await get('region')).toBe('ap-southeast-2')
  })
})

describe.skipIf(!cli || !motoAvailable)('the real AWS CLI against moto', () => {
  it('get-caller-identity --profile SAML-PROFILE succeeds with credentials moto issued', async () => {
    const moto = await startMoto()
    try {
      const { dir, home } = homeWithUserFiles()
      const write = (profile: string, region: string): Promise<ActionRun> =>
        runAction(
          'dist/index.js',
          {
            'saml-assertion': idp().issue().base64,
            'sts-endpoint': moto.url,
            'aws-region': region,
            profile
          },
          { dir }
        )
      expect((await write('SAML-PROFILE', 'eu-west-1')).code).toBe(0)
      expect((await write('between', 'us-east-2')).code).toBe(0)
      expect((await write('SAML-PROFILE', 'eu-west-1')).code).toBe(0)
      const result = await runAwsCli(
        cli!,
        ['sts', 'get-caller-identity', '--profile', 'SAML-PROFILE', '--endpoint-url', moto.url],
        home
      )
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout).Arn).toMatch(
        /^arn:aws:sts::123456789012:assumed-role\/Deploy\//
      )
      const region = await runAwsCli(
        cli!,
        ['configure', 'get', 'region', '--profile', 'SAML-PROFILE'],
        home
      )
      expect(region.stdout.trim()).toBe('eu-west-1')
    } finally {
      moto.stop()
    }
  })
})
