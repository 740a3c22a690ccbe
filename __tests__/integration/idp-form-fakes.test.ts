/**
 * The `form` walker against faithful fakes of the IdPs SimpleSAMLphp cannot show: Keycloak,
 * AD FS and Shibboleth IdP, each with a password, a TOTP second step, a refused password and a
 * refused code, through the real sign-in engine and session.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startAdfs } from '../support/idp-fakes/adfs.js'
import {
  newOtpSecret,
  type FakeIdp,
  type FakeIdpOptions,
  type FakeUser
} from '../support/idp-fakes/fake-server.js'
import { startKeycloak } from '../support/idp-fakes/keycloak.js'
import { startShibboleth } from '../support/idp-fakes/shibboleth.js'
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

interface FakeCase {
  name: string
  start: (opts: FakeIdpOptions) => Promise<FakeIdp>
  /** The IdP's own words for a refused password and a refused code, as its page shows them. */
  refusedPassword: string
  refusedCode: string
}

const CASES: FakeCase[] = [
  {
    name: 'Keycloak',
    start: startKeycloak,
    refusedPassword: 'Invalid username or password.',
    refusedCode: 'Invalid authenticator code.'
  },
  {
    name: 'AD FS',
    start: startAdfs,
    refusedPassword:
      'Incorrect user ID or password. Type the correct user ID and password, and try again.',
    refusedCode: 'The verification code is not valid. Try again.'
  },
  {
    name: 'Shibboleth IdP',
    start: startShibboleth,
    refusedPassword: 'The password you entered was incorrect.',
    refusedCode: 'The token code you entered is incorrect.'
  }
]

describe.each(CASES)('form provider at $name', ({ start, refusedPassword, refusedCode }) => {
  async function begin(user: FakeUser): Promise<FakeIdp> {
    fake = await start({ idp: fakeSigner, user })
    return fake
  }

  it('signs in with the password and takes the SAMLResponse posted to AWS', async () => {
    const idp = await begin({ ...ALICE, roles: DEMO_ROLE_PAIRS })
    const got = await signInAt(idp, 'form', ALICE)
    expect(got.error?.message).toBeUndefined()
    expect(got.saml).toBe(idp.lastSamlResponse())
    expect(rolesOf(got.info)).toEqual([
      DEMO_ROLES.deploy,
      DEMO_ROLES.readOnly,
      DEMO_ROLES.otherDeploy
    ])
    expect(got.info?.roleSessionName).toBe(ALICE.username)
    expect(idp.stats.passwordPosts).toBe(1)
    expectAllMasked(idp, got.masked)
  })

  it('fills the one-time code when the IdP asks for it', async () => {
    const user = { ...ALICE, otpSecret: newOtpSecret() }
    const idp = await begin(user)
    const got = await signInAt(idp, 'form', user)
    expect(got.error?.message).toBeUndefined()
    expect(got.saml).toBe(idp.lastSamlResponse())
    expect(idp.stats.passwordPosts).toBe(1)
    expect(idp.stats.otpPosts).toBe(1)
    expectAllMasked(idp, got.masked)
  })

  it("stops at a refused password, quoting the IdP's text, after exactly one password POST", async () => {
    const idp = await begin(ALICE)
    const wrong = { ...ALICE, password: 'Tr0ub4dor&3' }
    const got = await signInAt(idp, 'form', wrong)
    expect(got.error?.code).toBe('idp-credentials-refused')
    expect(got.error?.message).toContain(JSON.stringify(refusedPassword))
    expect(idp.stats.passwordPosts).toBe(1)
    expect(idp.lastSamlResponse()).toBeUndefined()
    expectNoSecretIn(got.error!.message, [...secretsOf(idp, ALICE), wrong.password])
  })

  it('stops at a refused code without trying another', async () => {
    const user = { ...ALICE, otpSecret: newOtpSecret() }
    const idp = await begin(user)
    const otherSeed = newOtpSecret()
    const got = await signInAt(idp, 'form', { ...user, otpSecret: otherSeed })
    expect(got.error?.code).toBe('idp-otp-refused')
    expect(got.error?.message).toContain(JSON.stringify(refusedCode))
    expect(idp.stats.passwordPosts).toBe(1)
    expect(idp.stats.otpPosts).toBe(1)
    expectNoSecretIn(got.error!.message, secretsOf(idp, user, otherSeed))
  })

  it('says MFA needs idp-otp-secret when the IdP asks for a code and none is set', async () => {
    const idp = await begin({ ...ALICE, otpSecret: newOtpSecret() })
    const got = await signInAt(idp, 'form', ALICE)
    expect(got.error?.code).toBe('idp-mfa-needs-seed')
    expect(idp.stats.otpPosts).toBe(0)
  })
})

describe('form provider, IdP specifics', () => {
  it('signs in at an older Keycloak: its `totp` field, its alert box, its upper-case POST page', async () => {
    const user = { ...ALICE, otpSecret: newOtpSecret() }
    fake = await startKeycloak({ idp: fakeSigner, user, release: 'legacy' })
    const got = await signInAt(fake, 'form', user)
    expect(got.error?.message).toBeUndefined()
    expect(got.saml).toBe(fake.lastSamlResponse())
    expect(fake.stats.otpPosts).toBe(1)
  })

  it("quotes an older Keycloak's alert box for a refused password", async () => {
    fake = await startKeycloak({ idp: fakeSigner, user: ALICE, release: 'legacy' })
    const got = await signInAt(fake, 'form', { ...ALICE, password: 'wrong' })
    expect(got.error?.code).toBe('idp-credentials-refused')
    expect(got.error?.message).toContain('"Invalid username or password."')
    expect(fake.stats.passwordPosts).toBe(1)
  })

  it('does not send the password again after a 5xx answer to it', async () => {
    fake = await startKeycloak({ idp: fakeSigner, user: ALICE, failFirstPasswordPost: 503 })
    const got = await signInAt(fake, 'form', ALICE)
    expect(got.error?.code).toBe('idp-unreachable')
    expect(got.error?.message).toContain('HTTP 503')
    expect(fake.stats.passwordPosts).toBe(1)
  })

  it('walks Shibboleth through its storage pages with the _eventId_proceed event', async () => {
    fake = await startShibboleth({ idp: fakeSigner, user: ALICE })
    const got = await signInAt(fake, 'form', ALICE)
    expect(got.error?.message).toBeUndefined()
    // Redirect, storage read (GET + auto-post), login (GET + POST), storage write, SAML page.
    expect(fake.stats.requests).toEqual([
      'GET /idp/profile/SAML2/Unsolicited/SSO',
      'GET /idp/profile/SAML2/Unsolicited/SSO',
      'POST /idp/profile/SAML2/Unsolicited/SSO',
      'GET /idp/profile/SAML2/Unsolicited/SSO',
      'POST /idp/profile/SAML2/Unsolicited/SSO',
      'GET /idp/profile/SAML2/Unsolicited/SSO',
      'POST /idp/profile/SAML2/Unsolicited/SSO'
    ])
  })
})
