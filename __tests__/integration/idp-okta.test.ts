/**
 * The okta provider against the Okta fake (classic authn API, a TOTP factor, the AWS app's embed
 * link, and an Identity Engine org), through the real sign-in engine and session.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { newOtpSecret, type FakeIdp, type FakeUser } from '../support/idp-fakes/fake-server.js'
import { startKeycloak } from '../support/idp-fakes/keycloak.js'
import { OKTA_APP_PATH, startOkta, type OktaOptions } from '../support/idp-fakes/okta.js'
import {
  ALICE,
  expectAllMasked,
  expectNoSecretIn,
  fakeSigner,
  rolesOf,
  secretsOf,
  signInAt
} from '../support/sign-in-harness.js'
import { DEMO_ROLE_PAIRS, DEMO_ROLES } from '../support/sts-emulator.js'

let fake: FakeIdp | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

async function okta(user: FakeUser, more: Partial<OktaOptions> = {}): Promise<FakeIdp> {
  fake = await startOkta({ idp: fakeSigner, user, ...more })
  return fake
}

describe('okta provider', () => {
  it('signs in with the password alone and takes the SAMLResponse from the app link', async () => {
    const user = { ...ALICE, roles: DEMO_ROLE_PAIRS }
    const idp = await okta(user)
    const got = await signInAt(idp, 'okta', ALICE)
    expect(got.error).toBeUndefined()
    // The page writes it with hex entities; what comes back is the exact base64 Okta issued.
    expect(got.saml).toBe(idp.lastSamlResponse())
    expect(rolesOf(got.info)).toEqual([
      DEMO_ROLES.deploy,
      DEMO_ROLES.readOnly,
      DEMO_ROLES.otherDeploy
    ])
    expect(got.info?.roleSessionName).toBe(ALICE.username)
    expect(idp.stats.passwordPosts).toBe(1)
    expect(idp.stats.otpPosts).toBe(0)
    // The session token and the session cookie were masked before anything could print them.
    expectAllMasked(idp, got.masked)
  })

  it('answers MFA_REQUIRED by verifying the TOTP factor with a code computed then', async () => {
    const user = { ...ALICE, otpSecret: newOtpSecret() }
    const idp = await okta(user)
    const got = await signInAt(idp, 'okta', user)
    expect(got.error).toBeUndefined()
    expect(got.saml).toBe(idp.lastSamlResponse())
    expect(idp.stats.otpPosts).toBe(1)
    expect(idp.stats.requests).toContain(`POST /api/v1/authn/factors/uftd8xq2bOTestTotp0h7/verify`)
    expectAllMasked(idp, got.masked)
    expect(got.masked).toContain(user.password)
  })

  it("refuses a wrong password once, quoting Okta's answer, and sends it no second time", async () => {
    const idp = await okta(ALICE)
    const wrong = { ...ALICE, password: 'Tr0ub4dor&3' }
    const got = await signInAt(idp, 'okta', wrong)
    expect(got.error?.code).toBe('idp-credentials-refused')
    expect(got.error?.message).toContain('Okta answered "Authentication failed"')
    expect(idp.stats.passwordPosts).toBe(1)
    expect(idp.stats.requests).not.toContain(`GET ${OKTA_APP_PATH}`)
    expectNoSecretIn(got.error!.message, [...secretsOf(idp, ALICE), wrong.password])
  })

  it('reports a refused code once, without trying another one', async () => {
    const user = { ...ALICE, otpSecret: newOtpSecret() }
    const idp = await okta(user)
    const otherSeed = newOtpSecret()
    const got = await signInAt(idp, 'okta', { ...user, otpSecret: otherSeed })
    expect(got.error?.code).toBe('idp-otp-refused')
    expect(got.error?.message).toContain("Your passcode doesn't match our records")
    expect(idp.stats.passwordPosts).toBe(1)
    expect(idp.stats.otpPosts).toBe(1)
    expectNoSecretIn(got.error!.message, secretsOf(idp, user, otherSeed))
  })

  it('says the account asks for MFA when no seed is given', async () => {
    const idp = await okta({ ...ALICE, otpSecret: newOtpSecret() })
    const got = await signInAt(idp, 'okta', ALICE)
    expect(got.error?.code).toBe('idp-mfa-needs-seed')
    expect(got.error?.message).toContain('"token:software:totp"')
    expect(got.error?.message).toContain('idp-otp-secret')
    expect(idp.stats.otpPosts).toBe(0)
  })

  it('names the factors when the account has none a code can answer', async () => {
    const user = { ...ALICE, otpSecret: newOtpSecret() }
    const idp = await okta(user, { factors: ['push'] })
    const got = await signInAt(idp, 'okta', user)
    expect(got.error?.code).toBe('idp-unsupported')
    expect(got.error?.message).toContain('no token:software:totp factor')
    expect(got.error?.message).toContain('"push"')
    expect(idp.stats.requests.filter(r => r.endsWith('/verify'))).toEqual([])
  })

  it.each([
    ['LOCKED_OUT', 'locked out'],
    ['PASSWORD_EXPIRED', 'password has expired']
  ] as const)('names the account state %s, and sends nothing more', async (state, says) => {
    const idp = await okta(ALICE, { accountState: state })
    const got = await signInAt(idp, 'okta', ALICE)
    expect(got.error?.code).toBe('idp-credentials-refused')
    expect(got.error?.message).toContain(says)
    expect(idp.stats.requests).toEqual(['POST /api/v1/authn'])
    expectNoSecretIn(got.error!.message, secretsOf(idp, ALICE))
    expectAllMasked(idp, got.masked)
  })

  it('says idp-url is no Okta app when the authn API is not there (a Keycloak URL)', async () => {
    fake = await startKeycloak({ idp: fakeSigner, user: ALICE })
    const got = await signInAt(fake, 'okta', ALICE)
    expect(got.error?.code).toBe('idp-page-not-understood')
    expect(got.error?.message).toContain('HTTP 404 without an Okta API answer')
    expect(got.error?.message).toContain("'idp-url' is an Okta app's embed link")
    expect(fake.stats.passwordPosts).toBe(0)
  })

  it('does not send the password again after a 5xx answer to it', async () => {
    const idp = await okta(ALICE, { failFirstAuthn: 503 })
    const got = await signInAt(idp, 'okta', ALICE)
    expect(got.error?.code).toBe('idp-unreachable')
    expect(got.error?.message).toContain('503')
    expect(idp.stats.passwordPosts).toBe(1)
  })

  it('names an Identity Engine org that does not offer the classic authn API', async () => {
    const idp = await okta(ALICE, { pipeline: 'idx' })
    const got = await signInAt(idp, 'okta', ALICE)
    expect(got.error?.code).toBe('idp-unsupported')
    expect(got.error?.message).toContain('Identity Engine')
    expect(got.error?.message).toContain('/api/v1/authn')
    expect(idp.stats.passwordPosts).toBe(1)
    expect(idp.stats.requests).toContain('GET /.well-known/okta-organization')
  })

  it('says which link gave no SAMLResponse when idp-url is not the AWS app', async () => {
    const idp = await okta(ALICE)
    const got = await signInAt(idp, 'okta', ALICE, `${idp.origin}/app/UserHome`)
    expect(got.error?.code).toBe('idp-no-saml-response')
    expect(got.error?.message).toContain(`${idp.origin}/app/UserHome`)
    // The session token rode in the link's query; the message shows the link without it.
    expectNoSecretIn(got.error!.message, secretsOf(idp, ALICE))
  })
})
