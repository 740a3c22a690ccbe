/**
 * Retries, fan-out, chaining and proxy credentials, by fault injection into the strict emulator.
 * The real forward proxy (tinyproxy) runs in __tests__/e2e/tinyproxy.test.ts.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { RolePairSpec } from '../support/test-idp.js'
import type { StsEmulator } from '../support/sts-emulator.js'
import { freePort } from '../support/free-port.js'
import { useInProcessRunner } from '../support/in-process.js'

const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/TestIdP'
const { world, runWith } = useInProcessRunner()
const sts = (): StsEmulator => world().emulator

describe('retries', () => {
  it('succeeds after being throttled 3 times, logging one line per retry', async () => {
    sts().inject({ kind: 'throttle', times: 3 })
    const run = await runWith({})
    expect(run.error).toBeUndefined()
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(4)
    const retries = run.info.filter(line => line.includes('retrying in'))
    expect(retries).toHaveLength(3)
    retries.forEach((line, i) =>
      expect(line).toMatch(
        new RegExp(`attempt ${i + 1} of 6 failed \\(Throttling\\); retrying in \\d+\\.\\d s$`)
      )
    )
    expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    for (const line of retries) expect(line).not.toContain(run.env.AWS_ACCESS_KEY_ID)
  })

  it.each([
    ['ThrottlingException', 400],
    ['RequestLimitExceeded', 400],
    ['TooManyRequestsException', 429]
  ] as const)('retries %s', async (code, status) => {
    sts().inject({ kind: 'throttle', times: 1, code, status })
    expect((await runWith({})).error).toBeUndefined()
    expect(sts().requestCount()).toBe(2)
  })

  it('gives up on a 503 storm after retry-max-attempts requests', async () => {
    sts().inject({ kind: 'status', status: 503, times: 50 })
    const run = await runWith({ 'retry-max-attempts': '4' })
    expect(sts().requestCount()).toBe(4)
    expect(run.error).toMatch(/STS had a server error \(ServiceUnavailable, HTTP 503\)/)
    expect(run.error).toContain('Gave up after 4 attempts: attempts exhausted.')
    expect(run.env).toEqual({})
  })

  it('abandons a hung connection at the attempt timeout and retries', async () => {
    sts().inject({ kind: 'hang', times: 1 })
    // A 3 s budget gives 1 s attempts (a third of the budget, at least 1 s).
    const run = await runWith({ 'retry-budget-seconds': '3' })
    expect(run.error).toBeUndefined()
    expect(sts().requestCount()).toBe(2)
    expect(run.elapsedMs).toBeGreaterThanOrEqual(1000)
    expect(run.info.find(line => line.includes('retrying'))).toMatch(/failed \(TimeoutError\)/)
  })

  it('retries connection resets (answers that are not STS are not: see not-sts.test.ts)', async () => {
    sts().inject({ kind: 'reset', times: 2 })
    const run = await runWith({})
    expect(run.error).toBeUndefined()
    expect(sts().requestCount()).toBe(3)
    expect(run.info.filter(line => line.includes('(ECONNRESET)'))).toHaveLength(2)
  })

  it.each([
    ['AccessDenied', 403],
    ['ValidationError', 400],
    ['InvalidIdentityToken', 400],
    ['ExpiredTokenException', 400],
    ['ExpiredToken', 400],
    ['IDPRejectedClaim', 403],
    ['MalformedPolicyDocument', 400],
    ['PackedPolicyTooLarge', 400],
    ['RegionDisabledException', 403]
  ] as const)('fails %s after exactly one request', async (code, status) => {
    sts().inject({ kind: 'error', times: 5, code, status })
    const run = await runWith({})
    expect(sts().requestCount()).toBe(1)
    expect(run.exitCode).toBe(1)
    expect(run.error).toContain(`(${code}, HTTP ${status})`)
    expect(run.info.filter(line => line.includes('retrying'))).toEqual([])
  })

  it('stops when the time budget is spent', async () => {
    sts().inject({ kind: 'throttle', times: 1000 })
    const run = await runWith({ 'retry-budget-seconds': '2', 'retry-max-attempts': '20' })
    expect(run.error).toMatch(/Gave up after \d+ attempts: budget spent\./)
    // Without the budget, 20 attempts with backoff would take tens of seconds.
    expect(run.elapsedMs).toBeLessThan(4000)
    expect(sts().requestCount()).toBeGreaterThan(1)
    expect(sts().requestCount()).toBeLessThan(20)
  })

  it("stops before the next attempt would start after the assertion's NotOnOrAfter", async () => {
    sts().inject({ kind: 'throttle', times: 1000 })
    const now = Date.now()
    const run = await runWith(
      { 'retry-max-attempts': '20', 'retry-budget-seconds': '60' },
      { issueInstant: new Date(now - 1000), notOnOrAfter: new Date(now + 1500) }
    )
    expect(run.error).toMatch(/Gave up after \d+ attempts: assertion expires\./)
    expect(run.elapsedMs).toBeLessThan(3500)
    const last = sts().requests.at(-1)!
    expect(last.at).toBeLessThan(now + 1500)
  })

  it('makes one attempt with disable-retry', async () => {
    sts().inject({ kind: 'throttle', times: 1 })
    const run = await runWith({ 'disable-retry': 'true' })
    expect(sts().requestCount()).toBe(1)
    expect(run.error).toContain('Retries are disabled (one attempt).')
  })
})

describe('fan-out', () => {
  const roles = (n: number): RolePairSpec[] =>
    Array.from({ length: n }, (_, i) => ({
      roleArn: `arn:aws:iam::123456789012:role/Fan${String(i + 1).padStart(2, '0')}`,
      principalArn: PROVIDER
    }))

  it('assumes 20 roles into profiles; one failure fails the step and names what succeeded', async () => {
    const pairs = roles(20)
    pairs.forEach((pair, i) => sts().registerRole(pair.roleArn, { deny: i === 6 }))
    const run = await runWith(
      {
        'role-arn': pairs.map(p => p.roleArn).join('\n'),
        profile: 'fan-{role-name}',
        'max-concurrency': '5'
      },
      { roles: pairs }
    )
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(20)
    expect(run.error).toMatch(/^1 of 20 roles failed/)
    expect(run.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^1 of 20 roles failed\.\n- AssumeRoleWithSAML arn:aws:iam::123456789012:role\/Fan07: Access denied/
    )
    expect(run.error).toContain(
      'Succeeded (profiles written): arn:aws:iam::123456789012:role/Fan01 -> fan-Fan01'
    )
    const profiles = JSON.parse(run.outputs.profiles!) as Array<Record<string, string>>
    expect(profiles).toHaveLength(19)
    expect(profiles[0]).toEqual({
      profile: 'fan-Fan01',
      'role-arn': 'arn:aws:iam::123456789012:role/Fan01',
      'account-id': '123456789012',
      expiration: expect.stringMatching(/Z$/)
    })
    const credentials = readFileSync(join(run.dir, 'home', '.aws', 'credentials'), 'utf8')
    expect(credentials.match(/^\[fan-Fan\d\d\]$/gm)).toHaveLength(19)
    expect(credentials).not.toContain('[fan-Fan07]')
    expect(run.env).toEqual({})
  })

  it("takes every role the assertion offers with role-arn: '*'", async () => {
    const pairs = roles(3)
    pairs.forEach(pair => sts().registerRole(pair.roleArn))
    const run = await runWith(
      { 'role-arn': '*', profile: '{partition}-{account-id}-{role-name}' },
      { roles: pairs }
    )
    expect(run.error).toBeUndefined()
    const written = JSON.parse(run.outputs.profiles!) as Array<{ profile: string }>
    expect(written.map(p => p.profile)).toEqual([
      'aws-123456789012-Fan01',
      'aws-123456789012-Fan02',
      'aws-123456789012-Fan03'
    ])
  })

  it('requires a profile template that names each role distinctly, before any request', async () => {
    const pairs = roles(2)
    const missing = await runWith({ 'role-arn': '*' }, { roles: pairs })
    expect(missing.error).toMatch(/2 roles were selected, so 'profile' is required/)
    const clash = await runWith({ 'role-arn': '*', profile: 'p-{account-id}' }, { roles: pairs })
    expect(clash.error).toMatch(/gives the same name 'p-123456789012'/)
    expect(sts().requestCount()).toBe(0)
  })
})

describe('role chaining', () => {
  const SPOKE = 'arn:aws:iam::210987654321:role/Spoke'

  it('assumes the chained role with the SAML credentials; outputs describe the final role', async () => {
    sts().registerRole(SPOKE, { externalId: 'ext-123' })
    const run = await runWith({ 'chain-role-arn': SPOKE, 'chain-role-external-id': 'ext-123' })
    expect(run.error).toBeUndefined()
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(1)
    expect(sts().requestCount('AssumeRole')).toBe(1)
    const chained = sts().requests.find(r => r.action === 'AssumeRole')!
    expect(chained.params.RoleSessionName).toBe('gh-4242-1-deploy')
    expect(chained.params.DurationSeconds).toBe('3600')
    expect(String(chained.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIA/)
    expect(run.outputs['role-arn']).toBe(SPOKE)
    expect(run.outputs['aws-account-id']).toBe('210987654321')
    expect(run.outputs['assumed-role-arn']).toBe(
      'arn:aws:sts::210987654321:assumed-role/Spoke/gh-4242-1-deploy'
    )
    const issued = sts().issuedCredentials()
    expect(run.env.AWS_ACCESS_KEY_ID).toBe(issued.at(-1)!.accessKeyId)
    expect(run.env.AWS_ACCESS_KEY_ID).not.toBe(issued[0]!.accessKeyId)
  })

  it('applies session policies to the chained session, the credentials handed on', async () => {
    sts().registerRole(SPOKE)
    const policy =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
    const run = await runWith({
      'chain-role-arn': SPOKE,
      'inline-session-policy': policy,
      'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      profile: 'spoke-{account-id}-{role-name}'
    })
    expect(run.error).toBeUndefined()
    const saml = sts().requests.find(r => r.action === 'AssumeRoleWithSAML')!
    const chained = sts().requests.find(r => r.action === 'AssumeRole')!
    expect(saml.params.Policy).toBeUndefined()
    expect(saml.params['PolicyArns.member.1.arn']).toBeUndefined()
    expect(chained.params.Policy).toBe(policy)
    expect(chained.params['PolicyArns.member.1.arn']).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess')
    // The profile is named after the role the credentials are for.
    expect(JSON.parse(run.outputs.profiles!)[0]).toMatchObject({
      profile: 'spoke-210987654321-Spoke',
      'role-arn': SPOKE,
      'account-id': '210987654321'
    })
  })

  it('refuses chaining from several roles before any request', async () => {
    const run = await runWith(
      { 'chain-role-arn': SPOKE, 'role-arn': '*', profile: 'p-{role-name}' },
      {
        roles: [
          { roleArn: 'arn:aws:iam::123456789012:role/Deploy', principalArn: PROVIDER },
          { roleArn: 'arn:aws:iam::123456789012:role/ReadOnly', principalArn: PROVIDER }
        ]
      }
    )
    expect(run.error).toMatch(/^'chain-role-arn' takes one role to chain from, but 2 were selected/)
    expect(sts().requestCount()).toBe(0)
  })

  it('refuses a chained duration over one hour before any request', async () => {
    const run = await runWith({ 'chain-role-arn': SPOKE, 'chain-role-duration-seconds': '3601' })
    expect(run.error).toBe(
      "Input 'chain-role-duration-seconds' is 3601; it must be between 900 and 3600."
    )
    expect(sts().requestCount()).toBe(0)
  })

  it('reports a chained role that does not trust the SAML role', async () => {
    sts().registerRole(SPOKE, { deny: true })
    const run = await runWith({
      'chain-role-arn': SPOKE,
      'chain-role-session-name': 'matrix-leg-3'
    })
    expect(run.error).toMatch(/^AssumeRole arn:aws:iam::210987654321:role\/Spoke: Access denied/)
    expect(sts().requests.find(r => r.action === 'AssumeRole')!.params.RoleSessionName).toBe(
      'matrix-leg-3'
    )
  })
})

describe('proxy credentials', () => {
  it('masks a proxy password before any other output', async () => {
    const port = await freePort()
    const run = await runWith({
      'http-proxy': `http://deploy:s3cret%40pass@127.0.0.1:${port}`,
      'disable-retry': 'true'
    })
    expect(run.error).toMatch(/STS could not be reached/)
    const lines = run.stdout
    const first = lines.findIndex(line => line.includes('s3cret'))
    expect(lines[first]).toBe('::add-mask::s3cret%2540pass')
    expect(lines.filter(line => line.includes('s3cret@pass'))).toEqual(['::add-mask::s3cret@pass'])
  })
})
