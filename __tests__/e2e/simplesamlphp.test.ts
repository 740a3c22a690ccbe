/**
 * Sign-in inside the step against a real IdP: SimpleSAMLphp (Debian's package) on 127.0.0.1,
 * then the strict STS emulator trusting its certificate, through the built action and CLI
 * (dist/ under Node 24) and the real AWS CLI's credential_process.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ROOT, awsCli, maskViolations, node24, runAction, runAwsCli } from '../support/harness.js'
import { requirePeer } from '../support/peers.js'
import {
  AWS_AUDIENCES,
  SSP_PROVIDER_ARN,
  SSP_ROLES,
  SSP_USER,
  requireSimpleSamlPhp,
  startSimpleSamlPhp,
  trustSimpleSamlPhp,
  type SimpleSamlPhp
} from '../support/simplesamlphp.js'
import { startStsEmulator, type StsEmulator } from '../support/sts-emulator.js'
import { makeTempDir } from '../support/temp-dirs.js'

const found = requireSimpleSamlPhp('the SimpleSAMLphp sign-in tests')
const SESSION_ARN = 'arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com'
const SPOKE = 'arn:aws:iam::210987654321:role/Spoke'

describe.skipIf(!found)('sign-in at SimpleSAMLphp, then STS (dist/ under Node 24)', () => {
  let ssp: SimpleSamlPhp
  let sts: StsEmulator
  let passwordsBefore = 0

  beforeAll(async () => {
    ssp = await startSimpleSamlPhp()
    sts = await startStsEmulator({ audience: AWS_AUDIENCES })
    trustSimpleSamlPhp(sts, ssp)
    sts.registerRole(SPOKE)
  })
  afterAll(async () => {
    await sts?.close()
    await ssp?.close()
  })
  beforeEach(() => {
    sts.reset()
    passwordsBefore = ssp.passwordRequests()
  })
  const passwordsSent = (): number => ssp.passwordRequests() - passwordsBefore

  const inputs = (provider: 'form' | 'ecp', password = SSP_USER.password) => ({
    'idp-url': provider === 'form' ? ssp.formUrl : ssp.ecpUrl,
    'idp-provider': provider,
    'idp-username': SSP_USER.username,
    'idp-password': password,
    'sts-endpoint': sts.url,
    'aws-region': 'eu-west-1'
  })

  it.each(['form', 'ecp'] as const)(
    '%s: signs in, redeems once, exports the credentials; the password is masked first',
    async provider => {
      const run = await runAction('dist/index.js', {
        ...inputs(provider),
        'role-arn': SSP_ROLES.deploy
      })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(sts.requestCount()).toBe(1)
      expect(sts.requestCount('AssumeRoleWithSAML')).toBe(1)
      expect(passwordsSent()).toBe(1)
      const call = sts.requests[0]!
      expect(call.params.RoleArn).toBe(SSP_ROLES.deploy)
      expect(call.params.PrincipalArn).toBe(SSP_PROVIDER_ARN)
      // STS got the Response itself (for ECP: taken out of the SOAP envelope).
      const xml = Buffer.from(String(call.params.SAMLAssertion), 'base64').toString('utf8')
      expect(xml).toMatch(/^<samlp:Response /)
      expect(xml).toContain(ssp.entityId)

      expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
      expect(run.env.AWS_SECRET_ACCESS_KEY).toHaveLength(40)
      expect(run.outputs['assumed-role-arn']).toBe(SESSION_ARN)

      // The password's ::add-mask:: line is the very first output.
      expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${SSP_USER.password}`)
      expect(
        maskViolations(run.stdout, {
          password: SSP_USER.password,
          secretKey: run.env.AWS_SECRET_ACCESS_KEY!,
          sessionToken: run.env.AWS_SESSION_TOKEN!
        })
      ).toEqual([])
      // The Response's base64 may first show inside the mask line of a larger secret (the ECP
      // envelope's base64 holds it when the Response starts on a 3-byte boundary): only mask
      // lines may hold it.
      const samlResponse = String(call.params.SAMLAssertion)
      const holding = run.stdout.split('\n').filter(line => line.includes(samlResponse))
      expect(holding).toContain(`::add-mask::${samlResponse}`)
      expect(holding.every(line => line.startsWith('::add-mask::'))).toBe(true)
      expect(run.stdout).toContain(`Signing in at 127.0.0.1:`)
      for (const file of [run.summary, JSON.stringify(run.outputs)]) {
        expect(file).not.toContain(SSP_USER.password)
      }
    }
  )

  it.each(['form', 'ecp'] as const)(
    '%s: a wrong password fails clearly, after one password request and no STS request',
    async provider => {
      const wrong = 'not-alices-password'
      const run = await runAction('dist/index.js', {
        ...inputs(provider, wrong),
        'role-arn': SSP_ROLES.deploy
      })
      expect(run.code).toBe(1)
      expect(sts.requestCount()).toBe(0)
      expect(passwordsSent()).toBe(1)
      const failure = run.stdout.split('\n').find(line => line.startsWith('::error::'))
      expect(failure).toContain('The IdP refused the username or password')
      expect(failure).toContain(
        provider === 'form' ? 'Incorrect username or password' : 'WRONGUSERPASS'
      )
      expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${wrong}`)
      expect(run.stdout.split('\n').filter(line => line.includes(wrong))).toEqual([
        `::add-mask::${wrong}`
      ])
      expect(Object.keys(run.env)).toEqual([])
    }
  )

  it('fan-out: every role of the user from one sign-in, into profiles', async () => {
    const run = await runAction('dist/index.js', {
      ...inputs('form'),
      'role-arn': '*',
      profile: 'ssp-{role-name}'
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(passwordsSent()).toBe(1)
    expect(sts.requestCount('AssumeRoleWithSAML')).toBe(2)
    expect(sts.requests.map(r => r.params.RoleArn).sort()).toEqual(
      [SSP_ROLES.deploy, SSP_ROLES.readOnly].sort()
    )
    const profiles = JSON.parse(run.outputs.profiles!) as { profile: string }[]
    expect(profiles.map(p => p.profile).sort()).toEqual(['ssp-Deploy', 'ssp-ReadOnly'])
    const credentials = readFileSync(join(run.dir, 'home', '.aws', 'credentials'), 'utf8')
    expect(credentials).toContain('[ssp-Deploy]')
    expect(credentials).toContain('[ssp-ReadOnly]')
  })

  it('chaining: the role signed in for assumes the next one, from one sign-in', async () => {
    const run = await runAction('dist/index.js', {
      ...inputs('ecp'),
      'role-arn': SSP_ROLES.deploy,
      'chain-role-arn': SPOKE
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(passwordsSent()).toBe(1)
    expect(sts.requestCount('AssumeRoleWithSAML')).toBe(1)
    expect(sts.requestCount('AssumeRole')).toBe(1)
    expect(run.outputs['assumed-role-arn']).toMatch(
      /^arn:aws:sts::210987654321:assumed-role\/Spoke\//
    )
    expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
  })

  const cli = awsCli()
  const cliFound = requirePeer(
    'the AWS CLI',
    cli !== undefined,
    'the credential_process sign-in test'
  )
  it.skipIf(!cliFound)(
    'credential_process: the real AWS CLI runs the CLI, which signs in for fresh credentials',
    async () => {
      const dir = makeTempDir('ssp-cp-')
      const home = join(dir, 'home')
      mkdirSync(home)
      const command = [
        node24(),
        join(ROOT, 'dist', 'cli', 'index.js'),
        '--idp-url',
        ssp.formUrl,
        '--idp-username',
        SSP_USER.username,
        '--role-arn',
        SSP_ROLES.deploy,
        '--sts-endpoint',
        sts.url,
        '--region',
        'eu-west-1',
        '--output',
        'credential-process'
      ]
      const config = join(dir, 'config')
      writeFileSync(
        config,
        `[profile signin]\ncredential_process = ${command.join(' ')}\nregion = eu-west-1\n`
      )
      const result = await runAwsCli(
        cli!,
        ['sts', 'get-caller-identity', '--profile', 'signin', '--endpoint-url', sts.url],
        home,
        {
          AWS_CONFIG_FILE: config,
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
          // Inherited by credential_process; never on its command line.
          SAML_ASSUME_ROLE_IDP_PASSWORD: SSP_USER.password
        }
      )
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ Account: '123456789012', Arn: SESSION_ARN })
      expect(passwordsSent()).toBe(1)
      expect(sts.requestCount('AssumeRoleWithSAML')).toBe(1)
      expect(sts.requestCount('GetCallerIdentity')).toBe(1)
      expect(readFileSync(config, 'utf8')).not.toContain(SSP_USER.password)
    }
  )
})
