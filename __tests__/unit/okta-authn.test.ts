import { describe, expect, it } from 'vitest'
import { readAuthnAnswer, readPipeline } from '../../src/idp/okta-authn.js'

const ORG = new URL('https://example.okta.com')

const mfa = (verifyHref: unknown): string =>
  JSON.stringify({
    stateToken: '00state',
    status: 'MFA_REQUIRED',
    _embedded: {
      factors: [
        { factorType: 'push', _links: { verify: { href: `${ORG.origin}/push` } } },
        { factorType: 'token:software:totp', _links: { verify: { href: verifyHref } } }
      ]
    }
  })

describe('readAuthnAnswer', () => {
  it('reads SUCCESS with its session token', () => {
    const body = JSON.stringify({ status: 'SUCCESS', sessionToken: '20111abc' })
    expect(readAuthnAnswer(200, body, ORG)).toEqual({ kind: 'success', sessionToken: '20111abc' })
  })

  it("reads MFA_REQUIRED with the TOTP factor's verify link and every factor type", () => {
    const href = `${ORG.origin}/api/v1/authn/factors/uft1/verify`
    expect(readAuthnAnswer(200, mfa(href), ORG)).toEqual({
      kind: 'mfa',
      stateToken: '00state',
      verify: new URL(href),
      factorTypes: ['push', 'token:software:totp']
    })
  })

  it('does not follow a verify link to another origin: the state token and code would go there', () => {
    const step = readAuthnAnswer(200, mfa('https://evil.example/verify'), ORG)
    expect(step).toMatchObject({ kind: 'mfa', verify: undefined })
  })

  it('reads an Okta error with its causes', () => {
    const body = JSON.stringify({
      errorCode: 'E0000068',
      errorSummary: 'Invalid Passcode/Answer',
      errorCauses: [{ errorSummary: "Your passcode doesn't match our records." }]
    })
    expect(readAuthnAnswer(403, body, ORG)).toEqual({
      kind: 'error',
      httpStatus: 403,
      code: 'E0000068',
      summary: "Invalid Passcode/Answer: Your passcode doesn't match our records."
    })
  })

  it('reads a state it cannot finish, and tells a non-Okta answer apart', () => {
    expect(readAuthnAnswer(200, '{"status":"LOCKED_OUT"}', ORG)).toEqual({
      kind: 'state',
      status: 'LOCKED_OUT'
    })
    expect(readAuthnAnswer(502, '<html>Bad gateway</html>', ORG)).toEqual({
      kind: 'not-okta',
      httpStatus: 502
    })
    expect(readAuthnAnswer(200, '[]', ORG)).toEqual({ kind: 'not-okta', httpStatus: 200 })
  })
})

describe('readPipeline', () => {
  it('reads the pipeline only from a 200 JSON answer', () => {
    expect(readPipeline(200, '{"id":"00o1","pipeline":"idx"}')).toBe('idx')
    expect(readPipeline(200, '{"pipeline":"v1"}')).toBe('v1')
    expect(readPipeline(404, '{"pipeline":"idx"}')).toBeUndefined()
    expect(readPipeline(200, 'not json')).toBeUndefined()
  })
})
