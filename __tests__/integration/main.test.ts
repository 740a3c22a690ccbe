/**
 * run() in-process against the strict emulator over HTTP: the real SDK's errors, classified. The
 * runner contract itself (dist under Node 24, masking order) is covered in __tests__/e2e.
 */
import { describe, expect, it } from 'vitest'
import { DEMO_ROLES, type StsEmulator } from '../support/sts-emulator.js'
import { freePort } from '../support/free-port.js'
import { useInProcessRunner } from '../support/in-process.js'

const ROLE = 'arn:aws:iam::123456789012:role/Deploy'
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/TestIdP'

const { world, runWith } = useInProcessRunner()
const sts = (): StsEmulator => world().emulator

describe('run() against the strict emulator', () => {
  it('succeeds and exports credentials', async () => {
    const result = await runWith({})
    expect(result.error).toBeUndefined()
    expect(result.exitCode).toBeUndefined()
    expect(result.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    expect(sts().requestCount()).toBe(1)
  })

  it('sends inline and managed session policies', async () => {
    const policy =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
    const result = await runWith({
      'inline-session-policy': policy,
      'managed-session-policies':
        'arn:aws:iam::aws:policy/ReadOnlyAccess,\narn:aws:iam::123456789012:policy/Extra'
    })
    expect(result.error).toBeUndefined()
    const params = sts().requests[0]!.params
    expect(params.Policy).toBe(policy)
    expect(params['PolicyArns.member.1.arn']).toBe('arn:aws:iam::aws:policy/ReadOnlyAccess')
    expect(params['PolicyArns.member.2.arn']).toBe('arn:aws:iam::123456789012:policy/Extra')
  })

  it('maps a tampered signature to InvalidIdentityToken with the metadata fix', async () => {
    const result = await runWith({}, { tamper: true })
    expect(result.exitCode).toBe(1)
    expect(result.error).toMatch(
      /^AssumeRoleWithSAML \S+: STS rejected the assertion as invalid \(InvalidIdentityToken, HTTP 400\)/
    )
    expect(result.error).toContain('Fix: Upload the current IdP metadata')
    expect(sts().requestCount()).toBe(1)
  })

  it('maps a trust-policy denial to AccessDenied', async () => {
    const denied = 'arn:aws:iam::123456789012:role/Denied'
    sts().registerRole(denied, { deny: true })
    const result = await runWith(
      { 'role-arn': denied },
      { roles: [{ roleArn: denied, principalArn: PROVIDER }] }
    )
    expect(result.error).toMatch(
      /^AssumeRoleWithSAML \S+: Access denied by the role trust policy \(AccessDenied, HTTP 403\)/
    )
    expect(sts().requestCount()).toBe(1)
  })

  it('repeats the assertion age when STS answers ExpiredToken', async () => {
    const issueInstant = new Date(Date.now() - 6 * 60_000)
    const result = await runWith(
      {},
      { issueInstant, notOnOrAfter: new Date(Date.now() + 5 * 60_000) }
    )
    expect(result.warnings.join('\n')).toMatch(/issued 6m \ds ago/)
    expect(result.error).toMatch(
      /^AssumeRoleWithSAML \S+: STS says the assertion has expired \(ExpiredToken/
    )
    expect(result.error).toMatch(/The assertion was issued 6m \ds before this call\./)
  })

  it.each([
    [
      'IDPRejectedClaim',
      403,
      /^AssumeRoleWithSAML \S+: The IdP rejected the claim \(IDPRejectedClaim, HTTP 403\)/
    ],
    ['MalformedPolicyDocument', 400, /^AssumeRoleWithSAML \S+: The session policy is malformed/],
    [
      'PackedPolicyTooLarge',
      400,
      /^AssumeRoleWithSAML \S+: The session policies and tags are too large/
    ],
    [
      'RegionDisabledException',
      403,
      /^AssumeRoleWithSAML \S+: STS is not activated in this region/
    ],
    [
      'Throttling',
      400,
      /^AssumeRoleWithSAML \S+: STS throttled the request \(Throttling, HTTP 400\)/
    ],
    ['IDPCommunicationError', 400, /^AssumeRoleWithSAML \S+: STS could not reach the IdP/],
    [
      'SomethingNew',
      400,
      /^AssumeRoleWithSAML \S+: STS refused the request \(SomethingNew, HTTP 400\)/
    ]
  ])('maps %s (retries disabled)', async (code, status, expected) => {
    sts().inject({ kind: 'error', times: 1, code, status, message: `${code} from the emulator` })
    const result = await runWith({ 'disable-retry': 'true' })
    expect(result.error).toMatch(expected)
    expect(result.error).toContain(`STS said: "${code} from the emulator"`)
  })

  it('maps server errors, resets and garbage bodies (retries disabled)', async () => {
    const once = { 'disable-retry': 'true' }
    sts().inject({ kind: 'status', status: 503, times: 1 })
    expect((await runWith(once)).error).toMatch(
      /^AssumeRoleWithSAML \S+: STS had a server error \(ServiceUnavailable, HTTP 503\)/
    )
    sts().inject({ kind: 'reset', times: 1 })
    expect((await runWith(once)).error).toMatch(/^AssumeRoleWithSAML \S+: STS could not be reached/)
    sts().inject({ kind: 'garbage', times: 1 })
    expect((await runWith(once)).error).toMatch(
      /^AssumeRoleWithSAML \S+: STS sent a response that could not be read/
    )
    expect(sts().requestCount()).toBe(3)
  })

  it('passes an encrypted assertion through with one notice, and requires both ARNs', async () => {
    const missing = await runWith({}, { encrypted: true })
    expect(missing.error).toMatch(/^An encrypted assertion needs both role-arn and principal-arn/)
    expect(sts().requestCount()).toBe(0)

    const result = await runWith(
      { 'role-arn': ROLE, 'principal-arn': PROVIDER },
      { encrypted: true }
    )
    expect(result.notices).toHaveLength(1)
    expect(result.notices[0]).toContain(
      'local checks of expiry, roles and session name were skipped'
    )
    expect(sts().requestCount()).toBe(1)
  })

  it('reports an unreadable assertion file as an input error', async () => {
    const result = await runWith({
      'saml-assertion': '',
      'saml-assertion-file': '/nonexistent/missing.log'
    })
    expect(result.error).toMatch(/^Cannot read 'saml-assertion-file' ".*missing.log" \(ENOENT\)/)
  })
})

describe('configure-aws-credentials parity', () => {
  it('sets aws-expiration exactly as CAC writes it (JSON of the Date) beside expiration', async () => {
    const result = await runWith({})
    expect(result.error).toBeUndefined()
    expect(result.outputs.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    // What @actions/core's setOutput writes for a Date: the ISO time inside double quotes.
    expect(result.outputs['aws-expiration']).toBe(`"${result.outputs.expiration}"`)
  })

  it('passes role-session-tags and transitive-tag-keys to the chained AssumeRole only', async () => {
    const result = await runWith({
      'chain-role-arn': DEMO_ROLES.otherDeploy,
      'role-session-tags': '{"team": "platform", "ticket": 4711}',
      'transitive-tag-keys': 'team'
    })
    expect(result.error).toBeUndefined()
    const saml = sts().requests.find(r => r.action === 'AssumeRoleWithSAML')!
    expect(Object.keys(saml.params).filter(k => /Tag/.test(k))).toEqual([])
    const chained = sts()
      .issuedCredentials()
      .find(c => c.chained)!
    expect(chained.tags).toEqual({ team: 'platform', ticket: '4711' })
    expect(chained.transitiveTagKeys).toEqual(['team'])
  })

  it('refuses tags without a chained role before any request', async () => {
    const result = await runWith({ 'role-session-tags': '{"team": "platform"}' })
    expect(result.error).toBe("Input 'role-session-tags' needs 'chain-role-arn'.")
    expect(sts().requestCount()).toBe(0)
  })

  it('lets no-proxy exempt the STS endpoint from http-proxy', async () => {
    const deadProxy = `http://127.0.0.1:${await freePort()}`
    // The control: without no-proxy the run goes to the dead proxy.
    const proxied = await runWith({ 'http-proxy': deadProxy, 'disable-retry': 'true' })
    expect(proxied.error).toMatch(/STS could not be reached/)
    expect(sts().requestCount()).toBe(0)
    const bypassed = await runWith({
      'http-proxy': deadProxy,
      'no-proxy': 'example.invalid, 127.0.0.1',
      'disable-retry': 'true'
    })
    expect(bypassed.error).toBeUndefined()
    expect(sts().requests[0]!.viaProxy).toBe(false)
  })
})
