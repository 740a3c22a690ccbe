/**
 * The built action (dist/index.js) under Node 24, as the runner runs it, against the strict STS
 * emulator over real HTTP.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useDemoWorld } from '../support/use-demo-world.js'
import { maskViolations, newRunnerDir, runAction } from '../support/harness.js'

const ROLE = 'arn:aws:iam::123456789012:role/Deploy'
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/TestIdP'
const READONLY = 'arn:aws:iam::123456789012:role/ReadOnly'

const { idp, sts } = useDemoWorld()

const base = (): Record<string, string> => ({
  'sts-endpoint': sts().url,
  'aws-region': 'eu-west-1',
  'export-env': 'true',
  'output-credentials': 'false',
  'role-duration-seconds': '3600'
})

describe('dist/index.js under Node 24, happy path', () => {
  it('exports exactly the six variables, sets the outputs, and masks every secret first', async () => {
    const { base64 } = idp().issue({ roles: [{ roleArn: ROLE, principalArn: PROVIDER }] })
    const run = await runAction('dist/index.js', { ...base(), 'saml-assertion': base64 })

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(sts().requestCount()).toBe(1)
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(1)

    const sent = sts().requests[0]!
    expect(sent.params.RoleArn).toBe(ROLE)
    expect(sent.params.PrincipalArn).toBe(PROVIDER)
    expect(sent.params.SAMLAssertion).toBe(base64)
    expect(sent.params.DurationSeconds).toBe('3600')
    expect(sent.headers.authorization).toBeUndefined()

    expect(Object.keys(run.env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_CREDENTIAL_EXPIRATION',
      'AWS_DEFAULT_REGION',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN'
    ])
    expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA[A-Z0-9]{16}$/)
    expect(run.env.AWS_SECRET_ACCESS_KEY).toHaveLength(40)
    expect(run.env.AWS_REGION).toBe('eu-west-1')
    expect(run.env.AWS_DEFAULT_REGION).toBe('eu-west-1')
    const expiresIn = Date.parse(run.env.AWS_CREDENTIAL_EXPIRATION!) - Date.now()
    expect(expiresIn).toBeGreaterThan(3500_000)
    expect(expiresIn).toBeLessThanOrEqual(3600_000)

    expect(run.outputs).toMatchObject({
      'aws-account-id': '123456789012',
      'assumed-role-arn': 'arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com',
      'role-arn': ROLE,
      'principal-arn': PROVIDER,
      expiration: run.env.AWS_CREDENTIAL_EXPIRATION,
      subject: 'alice@example.com',
      issuer: 'https://idp.example.test/saml',
      audience: 'https://signin.aws.amazon.com/saml'
    })
    expect(run.outputs['assumed-role-id']).toMatch(/^AROA[A-Z0-9]+:alice@example.com$/)
    expect(run.outputs['name-qualifier']).toMatch(/^[A-Za-z0-9+/=]{20,}$/)
    expect(run.outputs).not.toHaveProperty('aws-secret-access-key')

    const secrets = {
      assertion: base64,
      'access key id': run.env.AWS_ACCESS_KEY_ID!,
      'secret access key': run.env.AWS_SECRET_ACCESS_KEY!,
      'session token': run.env.AWS_SESSION_TOKEN!
    }
    expect(maskViolations(run.stdout, secrets)).toEqual([])
    for (const secret of Object.values(secrets)) {
      expect(run.summary).not.toContain(secret)
      expect(run.stderr).not.toContain(secret)
    }
    expect(run.summary).toContain('arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com')
    expect(run.summary).toContain('123456789012')
  })

  it('sets credential outputs only when asked, and exports nothing with export-env false', async () => {
    const { base64 } = idp().issue()
    const run = await runAction('dist/index.js', {
      ...base(),
      'saml-assertion': base64,
      'export-env': 'false',
      'output-credentials': 'true'
    })
    expect(run.code).toBe(0)
    expect(run.env).toEqual({})
    expect(run.outputs['aws-access-key-id']).toMatch(/^ASIA/)
    expect(run.outputs['aws-secret-access-key']).toHaveLength(40)
    expect(
      maskViolations(run.stdout, {
        key: run.outputs['aws-access-key-id']!,
        secret: run.outputs['aws-secret-access-key']!,
        token: run.outputs['aws-session-token']!
      })
    ).toEqual([])
  })

  it('reads the assertion from a file (file:// accepted) in URL-encoded dev-tools form', async () => {
    const { base64 } = idp().issue()
    const dir = newRunnerDir()
    const form = `SAMLResponse=${encodeURIComponent(base64)}&RelayState=`
    const file = join(dir, 'samlresponse.log')
    writeFileSync(file, `${form}\n`)
    const run = await runAction(
      'dist/index.js',
      { ...base(), 'saml-assertion-file': `file://${file}` },
      { dir }
    )
    expect(run.code).toBe(0)
    expect(sts().requests[0]!.params.SAMLAssertion).toBe(base64)
    expect(
      maskViolations(run.stdout, { 'url-encoded assertion': form, assertion: base64 })
    ).toEqual([])
  })

  it('sends raw XML byte for byte', async () => {
    const { xml } = idp().issue({ prefix: 'saml2' })
    const run = await runAction('dist/index.js', { ...base(), 'saml-assertion': xml })
    expect(run.code).toBe(0)
    expect(Buffer.from(sts().requests[0]!.params.SAMLAssertion!, 'base64').toString('utf8')).toBe(
      xml
    )
  })

  it('does not sign the call and ignores ambient credentials, AWS_PROFILE and a broken config', async () => {
    const dir = newRunnerDir()
    mkdirSync(join(dir, 'home', '.aws'), { recursive: true })
    writeFileSync(join(dir, 'home', '.aws', 'config'), '[profile broken\nregion = = =\n[[[\n')
    writeFileSync(join(dir, 'home', '.aws', 'credentials'), 'not an ini file at all\n[x')
    const run = await runAction(
      'dist/index.js',
      { ...base(), 'saml-assertion': idp().issue().base64 },
      {
        dir,
        env: {
          AWS_PROFILE: 'does-not-exist',
          AWS_ACCESS_KEY_ID: 'AKIAAMBIENTAMBIENT00',
          AWS_SECRET_ACCESS_KEY: 'ambient-secret-ambient-secret-ambient-00',
          AWS_SESSION_TOKEN: 'ambient-token',
          AWS_CONFIG_FILE: join(dir, 'home', '.aws', 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'home', '.aws', 'credentials')
        }
      }
    )
    expect(run.stdout).not.toContain('::error::')
    expect(run.code).toBe(0)
    const headers = sts().requests[0]!.headers
    expect(headers.authorization).toBeUndefined()
    expect(headers['x-amz-security-token']).toBeUndefined()
    expect(JSON.stringify(headers)).not.toContain('AMBIENT')
    expect(run.env.AWS_ACCESS_KEY_ID).not.toBe('AKIAAMBIENTAMBIENT00')
  })

  it('takes the region from AWS_REGION when the input is absent', async () => {
    const inputs = { ...base(), 'saml-assertion': idp().issue().base64 }
    delete (inputs as Record<string, string>)['aws-region']
    const run = await runAction('dist/index.js', inputs, { env: { AWS_REGION: 'eu-central-1' } })
    expect(run.code).toBe(0)
    expect(run.env.AWS_REGION).toBe('eu-central-1')
  })
})

describe('dist/index.js failures', () => {
  it('fails pre-flight with no request for an expired assertion, and says when it expired', async () => {
    const issued = new Date(Date.now() - 20 * 60_000)
    const { base64 } = idp().issue({
      issueInstant: issued,
      notOnOrAfter: new Date(issued.getTime() + 5 * 60_000)
    })
    const run = await runAction('dist/index.js', { ...base(), 'saml-assertion': base64 })
    expect(run.code).toBe(1)
    expect(sts().requestCount()).toBe(0)
    expect(run.stdout).toMatch(
      /::error::The assertion has expired: it expired at \S+Z, 15m \ds ago/
    )
    const shown = run.stdout.split('\n').filter(line => !line.startsWith('::add-mask::'))
    expect(shown.join('\n')).not.toContain(base64.slice(20, 80))
    expect(maskViolations(run.stdout, { assertion: base64 })).toEqual([])
    expect(run.env).toEqual({})
  })

  it('lists the offered roles when the assertion offers several and role-arn is absent', async () => {
    const { base64 } = idp().issue({
      roles: [
        { roleArn: ROLE, principalArn: PROVIDER },
        { roleArn: READONLY, principalArn: PROVIDER }
      ]
    })
    const run = await runAction('dist/index.js', { ...base(), 'saml-assertion': base64 })
    expect(run.code).toBe(1)
    expect(sts().requestCount()).toBe(0)
    const error = run.stdout.split('\n').find(line => line.startsWith('::error::'))!
    expect(error).toContain('several roles')
    expect(error).toContain(ROLE)
    expect(error).toContain(READONLY)
  })

  it('states plainly when the duration exceeds the role MaxSessionDuration (one request)', async () => {
    const run = await runAction('dist/index.js', {
      ...base(),
      'saml-assertion': idp().issue().base64,
      'role-duration-seconds': '43200'
    })
    expect(run.code).toBe(1)
    expect(sts().requestCount()).toBe(1)
    expect(run.stdout).toMatch(
      /::error::AssumeRoleWithSAML \S+: STS rejected a parameter \(ValidationError, HTTP 400\)\..*'role-duration-seconds' \(43200 s\) is longer than the role's MaxSessionDuration/
    )
  })

  it('rejects a strict-boolean typo before anything else', async () => {
    const run = await runAction('dist/index.js', {
      ...base(),
      'saml-assertion': idp().issue().base64,
      'export-env': 'flase'
    })
    expect(run.code).toBe(1)
    expect(sts().requestCount()).toBe(0)
    expect(run.stdout).toContain(
      `::error::Input 'export-env' must be 'true' or 'false', not "flase".`
    )
  })

  it('never lets assertion text start a log line (workflow-command injection)', async () => {
    const evil = 'x\n::set-env name=PWNED::1\n::add-mask::y'
    const { base64 } = idp().issue({
      roles: [{ roleArn: ROLE, principalArn: PROVIDER }],
      nameId: evil,
      roleSessionName: 'bad session name\n::warning::injected'
    })
    const run = await runAction('dist/index.js', { ...base(), 'saml-assertion': base64 })
    expect(run.code).toBe(1)
    expect(
      run.stdout.split('\n').filter(line => /^::(set-env|warning::injected)/.test(line))
    ).toEqual([])
    expect(run.stdout).toContain('RoleSessionName attribute is missing or invalid')
  })
})
