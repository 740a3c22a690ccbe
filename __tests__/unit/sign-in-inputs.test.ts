/**
 * The sign-in source of the assertion as built from the inputs: exactly one source, the idp-*
 * inputs validated without ever echoing a secret, and the values masked before anything else.
 */
import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors/run-errors.js'
import { getAssertionSource, signInSecrets } from '../../src/source/assertion-source.js'

const URL_FORM =
  'https://idp.example.com/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices'
const PASSWORD = 'p4ss word '
const SEED = 'jbsw y3dp ehpk 3pxp'

function read(inputs: Record<string, string>): (name: string) => string {
  return name => inputs[name] ?? ''
}

const signIn = (extra: Record<string, string> = {}) => ({
  'idp-url': URL_FORM,
  'idp-username': 'alice',
  'idp-password': PASSWORD,
  ...extra
})

function refused(inputs: Record<string, string>): string {
  try {
    getAssertionSource(read(inputs))
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected an InputError')
}

describe('the sign-in source', () => {
  it('is built from the idp-* inputs, with form and 30 s by default', () => {
    const source = getAssertionSource(read(signIn({ 'idp-otp-secret': SEED })))
    expect(source).toEqual({
      source: 'sign-in',
      signIn: {
        provider: 'form',
        url: new URL(URL_FORM),
        username: 'alice',
        // Not trimmed: a password may end in a space.
        password: PASSWORD,
        otpSecret: 'JBSWY3DPEHPK3PXP',
        timeoutMs: 30_000
      }
    })
  })

  it.each(['ecp', 'okta'])('takes idp-provider %s', provider => {
    const source = getAssertionSource(read(signIn({ 'idp-provider': provider })))
    expect(source.source === 'sign-in' && source.signIn.provider).toBe(provider)
  })

  it('takes idp-timeout-seconds', () => {
    const source = getAssertionSource(read(signIn({ 'idp-timeout-seconds': '90' })))
    expect(source.source === 'sign-in' && source.signIn.timeoutMs).toBe(90_000)
  })

  it.each([
    [
      { 'saml-assertion': 'PHNhbWxwOlJlc3BvbnNlLz4=' },
      "Both 'saml-assertion' and 'idp-url' are set"
    ],
    [{ 'saml-assertion-file': 'a.xml' }, "Both 'saml-assertion-file' and 'idp-url' are set"]
  ])('refuses a second source next to idp-url', (other, message) => {
    const text = refused({ ...signIn(), ...other })
    expect(text).toContain(message)
    expect(text).toContain('Set exactly one of them')
  })

  it('refuses idp-* inputs without idp-url', () => {
    expect(refused({ 'saml-assertion': 'PHNhbWxwOlJlc3BvbnNlLz4=', 'idp-password': 'x' })).toBe(
      "Input 'idp-password' is set but 'idp-url' is not. Set 'idp-url' to sign in at the IdP, or remove 'idp-password'."
    )
  })

  it('accepts the defaults action.yml gives idp-provider and idp-timeout-seconds without idp-url', () => {
    const source = getAssertionSource(
      read({
        'saml-assertion': 'PHNhbWxwOlJlc3BvbnNlLz4=',
        'idp-provider': 'form',
        'idp-timeout-seconds': '30'
      })
    )
    expect(source.source).toBe('input')
  })

  it.each([
    [{ 'idp-url': 'http://idp.example.com/sso' }, 'plain http to idp.example.com'],
    [{ 'idp-url': 'ftp://idp.example.com/' }, 'must be an https URL, not ftp:'],
    [{ 'idp-url': 'https://alice:pw@idp.example.com/' }, 'holds credentials'],
    [{ 'idp-url': 'not a url' }, "Input 'idp-url' is not a URL"],
    [{ 'idp-provider': 'saml2aws' }, 'must be form, ecp, okta, not "saml2aws"'],
    [{ 'idp-username': ' ' }, "Input 'idp-username' is required"],
    [{ 'idp-password': '' }, "Input 'idp-password' is required"],
    [{ 'idp-timeout-seconds': '0' }, "'idp-timeout-seconds' must be a whole number"],
    [{ 'idp-timeout-seconds': '5s' }, "'idp-timeout-seconds' must be a whole number"]
  ])('refuses %o', (bad, message) => {
    expect(refused(signIn(bad))).toContain(message)
  })

  it('allows plain http to loopback (a local test IdP)', () => {
    const source = getAssertionSource(read(signIn({ 'idp-url': 'http://127.0.0.1:8080/sso' })))
    expect(source.source).toBe('sign-in')
  })

  it('refuses a seed that is not base32 without echoing it', () => {
    const text = refused(signIn({ 'idp-otp-secret': 'otpauth://totp/x?secret=ABC1' }))
    expect(text).toContain("'idp-otp-secret' is not a base32 TOTP seed")
    expect(text).not.toContain('ABC1')
    expect(text).not.toContain('otpauth://totp/x')
  })
})

describe('signInSecrets: what is masked before anything else', () => {
  it('masks the password as given and trimmed, and the seed as given and normalised', () => {
    expect(signInSecrets(read(signIn({ 'idp-otp-secret': SEED })))).toEqual([
      PASSWORD,
      PASSWORD.trim(),
      SEED,
      SEED.trim(),
      'JBSWY3DPEHPK3PXP'
    ])
  })

  it('has nothing to mask without sign-in inputs', () => {
    expect(signInSecrets(read({}))).toEqual([])
  })
})
