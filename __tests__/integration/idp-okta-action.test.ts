/**
 * The whole action with `idp-provider: okta`: run() signs in at the Okta fake (password and TOTP),
 * redeems the fresh SAMLResponse at the strict STS emulator, and hands the credentials on through
 * the runner's file commands. A refused password costs no STS request.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { newOtpSecret, type FakeIdp } from '../support/idp-fakes/fake-server.js'
import { startOkta } from '../support/idp-fakes/okta.js'
import { useInProcessRunner } from '../support/in-process.js'
import { secretsOf } from '../support/sign-in-harness.js'
import { DEMO_ROLE_PAIRS, DEMO_ROLES } from '../support/sts-emulator.js'

const { world, runWith } = useInProcessRunner()

const user = {
  username: 'alice@example.com',
  password: 'p4ss:with "quotes" & %0A',
  otpSecret: newOtpSecret(),
  roles: DEMO_ROLE_PAIRS
}

let okta: FakeIdp | undefined
afterEach(async () => {
  await okta?.close()
  okta = undefined
})

function signInInputs(fake: FakeIdp, password = user.password): Record<string, string> {
  return {
    // The runner leaves an unset input empty; the sign-in is the only source of the assertion.
    'saml-assertion': '',
    'idp-url': fake.startUrl,
    'idp-provider': 'okta',
    'idp-username': user.username,
    'idp-password': password,
    'idp-otp-secret': user.otpSecret,
    'role-arn': DEMO_ROLES.deploy
  }
}

describe('run() with idp-provider okta', () => {
  it('signs in, redeems the fresh assertion once and exports the credentials', async () => {
    // The fake signs with the demo world's IdP key, which the emulator's SAML providers trust.
    okta = await startOkta({ idp: world().idp, user })
    const result = await runWith(signInInputs(okta))
    expect(result.error).toBeUndefined()
    expect(result.exitCode).toBeUndefined()
    expect(result.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    expect(world().emulator.requestCount('AssumeRoleWithSAML')).toBe(1)
    expect(world().emulator.requestCount()).toBe(1)
    expect(okta.stats.passwordPosts).toBe(1)
    expect(okta.stats.otpPosts).toBe(1)

    // The password's mask comes first; no secret is printed anywhere but in a mask line.
    // (The runner's command escaping writes % as %25.)
    expect(result.stdout[0]).toBe(`::add-mask::${user.password.replace(/%/g, '%25')}`)
    const printed = result.stdout.filter(line => !line.startsWith('::add-mask::')).join('\n')
    const secrets = [...secretsOf(okta, user), okta.lastSamlResponse()!]
    for (const secret of secrets) expect(printed).not.toContain(secret)
    const masks = result.stdout.filter(line => line.startsWith('::add-mask::'))
    for (const secret of [user.otpSecret, okta.lastSamlResponse()!]) {
      expect(masks).toContain(`::add-mask::${secret}`)
    }
  })

  it('fans out over every role of one sign-in', async () => {
    okta = await startOkta({ idp: world().idp, user })
    const result = await runWith({
      ...signInInputs(okta),
      'role-arn': '*',
      profile: '{account-id}-{role-name}'
    })
    expect(result.error).toBeUndefined()
    const written = JSON.parse(result.outputs.profiles!) as Array<{ profile: string }>
    expect(written.map(p => p.profile).sort()).toEqual([
      '123456789012-Deploy',
      '123456789012-ReadOnly',
      '210987654321-Deploy'
    ])
    expect(world().emulator.requestCount('AssumeRoleWithSAML')).toBe(3)
    expect(okta.stats.passwordPosts).toBe(1)
    expect(okta.stats.otpPosts).toBe(1)
  })

  it('fails on a refused password with Okta quoted, before any STS request', async () => {
    okta = await startOkta({ idp: world().idp, user })
    const wrong = 'not-the-password'
    const result = await runWith(signInInputs(okta, wrong))
    expect(result.exitCode).toBe(1)
    expect(result.error).toContain('Okta answered "Authentication failed"')
    expect(world().emulator.requestCount()).toBe(0)
    expect(okta.stats.passwordPosts).toBe(1)
    expect(result.env.AWS_ACCESS_KEY_ID).toBeUndefined()
    expect(result.stdout.filter(line => !line.startsWith('::add-mask::')).join('\n')).not.toContain(
      wrong
    )
  })
})
