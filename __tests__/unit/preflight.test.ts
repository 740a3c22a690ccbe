import { thrown as thrownBy } from '../support/thrown.js'
import { describe, expect, it } from 'vitest'
import { PREFLIGHT_ERRORS } from '../../src/errors/error-catalog.js'
import { AssertionError } from '../../src/errors/run-errors.js'
import { assertionExpiry, preflight } from '../../src/saml/preflight.js'
import { CLOCK_SKEW_MS, REDEMPTION_WINDOW_MS } from '../../src/saml/saml-rules.js'
import { formatDuration } from '../../src/util/duration.js'
import { parseSamlResponse, type SamlResponseInfo } from '../../src/saml/saml-parser.js'
import { samlResponse } from '../support/saml-fixtures.js'

const thrown = (fn: () => unknown): AssertionError => thrownBy(AssertionError, fn)

const ROLE = 'arn:aws:iam::123456789012:role/GitHubDeploy'
const ROLE2 = 'arn:aws:iam::123456789012:role/ReadOnly'
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/ExampleIdP'
const OTHER_ACCOUNT_PROVIDER = 'arn:aws:iam::210987654321:saml-provider/ExampleIdP'

/** Issued at 12:00:00, valid 11:55 to 12:05; checked at 12:01. */
const ISSUED = new Date('2024-05-01T12:00:00Z')
const EXPIRES = new Date('2024-05-01T12:05:00Z')
const NOW = new Date('2024-05-01T12:01:00Z')
const at = (iso: string): Date => new Date(iso)

function info(overrides: Partial<SamlResponseInfo> = {}): SamlResponseInfo {
  return {
    encrypted: false,
    issuer: 'https://idp.example.com/metadata',
    nameId: 'jane.doe@example.com',
    nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    responseIssueInstant: ISSUED,
    assertionIssueInstant: ISSUED,
    notBefore: at('2024-05-01T11:55:00Z'),
    notOnOrAfter: EXPIRES,
    audiences: ['https://signin.aws.amazon.com/saml'],
    subjectNotOnOrAfter: EXPIRES,
    roleValues: [`${ROLE},${PROVIDER}`],
    roleSessionName: 'jane.doe@example.com',
    ...overrides
  }
}

function expectNoWorkflowCommand(text: string): void {
  for (const line of text.split(/\r\n|\r|\n/)) expect(line.trimStart()).not.toMatch(/^::/)
}

describe('constants and helpers', () => {
  it('allows 60 s of clock skew and a 5 minute redemption window', () => {
    expect(CLOCK_SKEW_MS).toBe(60_000)
    expect(REDEMPTION_WINDOW_MS).toBe(300_000)
  })

  it.each([
    [0, '0s'],
    [499, '0s'],
    [500, '1s'],
    [59_000, '59s'],
    [60_000, '1m 0s'],
    [61_000, '1m 1s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 0m'],
    [5_430_000, '1h 30m'],
    [-90_000, '1m 30s']
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it('takes the earlier of the two expiry times', () => {
    const early = at('2024-05-01T12:02:00Z')
    expect(assertionExpiry(info({ subjectNotOnOrAfter: early }))).toEqual(early)
    expect(assertionExpiry(info({ notOnOrAfter: early }))).toEqual(early)
    expect(assertionExpiry(info({ notOnOrAfter: undefined }))).toEqual(EXPIRES)
    expect(assertionExpiry(info({ subjectNotOnOrAfter: undefined }))).toEqual(EXPIRES)
    expect(
      assertionExpiry(info({ notOnOrAfter: undefined, subjectNotOnOrAfter: undefined }))
    ).toBeUndefined()
  })
})

describe('preflight: a good assertion', () => {
  it('returns the offered pairs, the age, the expiry and no warnings', () => {
    const result = preflight(info(), NOW)
    expect(result.offered?.map(p => [p.roleArn, p.principalArn])).toEqual([[ROLE, PROVIDER]])
    expect(result.ageMs).toBe(60_000)
    expect(result.expiresAt).toEqual(EXPIRES)
    expect(result.warnings).toEqual([])
    expect(result.notices).toEqual([])
  })

  it('reports the earlier expiry as expiresAt', () => {
    const early = at('2024-05-01T12:03:00Z')
    expect(preflight(info({ subjectNotOnOrAfter: early }), NOW).expiresAt).toEqual(early)
    expect(
      preflight(info({ notOnOrAfter: undefined, subjectNotOnOrAfter: undefined }), NOW).expiresAt
    ).toBeUndefined()
  })

  it('uses the Response IssueInstant when the Assertion has none', () => {
    const result = preflight(
      info({ assertionIssueInstant: undefined, responseIssueInstant: at('2024-05-01T11:59:30Z') }),
      NOW
    )
    expect(result.ageMs).toBe(90_000)
  })

  it('leaves the age undefined without any IssueInstant', () => {
    const result = preflight(
      info({ assertionIssueInstant: undefined, responseIssueInstant: undefined }),
      NOW
    )
    expect(result.ageMs).toBeUndefined()
    expect(result.warnings).toEqual([])
  })

  it('works end to end from parsed XML', () => {
    const parsed = parseSamlResponse(samlResponse())
    const result = preflight(parsed, NOW)
    expect(result.offered?.map(p => [p.roleArn, p.principalArn])).toEqual([[ROLE, PROVIDER]])
    expect(result.warnings).toEqual([])
  })

  it('offers every valid pair, duplicates collapsed, without choosing one', () => {
    const result = preflight(
      info({
        roleValues: [`${ROLE},${PROVIDER}`, `${PROVIDER}, ${ROLE2}`, `${ROLE} , ${PROVIDER}`]
      }),
      NOW
    )
    expect(result.offered?.map(p => [p.roleArn, p.principalArn])).toEqual([
      [ROLE, PROVIDER],
      [ROLE2, PROVIDER]
    ])
    expect(result.warnings).toEqual([])
  })
})

describe('preflight: validity window', () => {
  const expired = PREFLIGHT_ERRORS.expired

  it('refuses an assertion expired beyond the skew, saying when and how long ago', () => {
    const error = thrown(() => preflight(info(), at('2024-05-01T12:07:30Z')))
    expect(error.message).toBe(
      `${expired.problem}: it expired at 2024-05-01T12:05:00.000Z, 2m 30s ago. ${expired.cause} ${expired.fix}`
    )
  })

  it('reports hours for a long-expired assertion', () => {
    expect(thrown(() => preflight(info(), at('2024-05-01T15:35:00Z'))).message).toContain(
      'it expired at 2024-05-01T12:05:00.000Z, 3h 30m ago'
    )
  })

  it('accepts an assertion within the skew after expiry', () => {
    expect(() => preflight(info(), at('2024-05-01T12:05:59.999Z'))).not.toThrow()
    expect(() => preflight(info(), at('2024-05-01T12:05:00Z'))).not.toThrow()
  })

  it('refuses exactly at the end of the skew', () => {
    expect(thrown(() => preflight(info(), at('2024-05-01T12:06:00Z'))).message).toContain(
      'it expired at 2024-05-01T12:05:00.000Z, 1m 0s ago'
    )
  })

  it('uses the SubjectConfirmationData NotOnOrAfter when it is earlier', () => {
    const error = thrown(() =>
      preflight(
        info({ subjectNotOnOrAfter: at('2024-05-01T12:01:00Z') }),
        at('2024-05-01T12:03:00Z')
      )
    )
    expect(error.message).toContain('it expired at 2024-05-01T12:01:00.000Z, 2m 0s ago')
  })

  it('uses the Conditions NotOnOrAfter when the subject has none', () => {
    const error = thrown(() =>
      preflight(
        info({ subjectNotOnOrAfter: undefined, notOnOrAfter: at('2024-05-01T12:00:30Z') }),
        at('2024-05-01T12:02:00Z')
      )
    )
    expect(error.message).toContain('it expired at 2024-05-01T12:00:30.000Z, 1m 30s ago')
  })

  it('does not check expiry when neither time is stated', () => {
    const result = preflight(
      info({ notOnOrAfter: undefined, subjectNotOnOrAfter: undefined }),
      at('2024-05-01T12:04:00Z')
    )
    expect(result.offered?.map(p => p.roleArn)).toEqual([ROLE])
    expect(result.expiresAt).toBeUndefined()
  })

  it('refuses an assertion not valid yet beyond the skew', () => {
    const entry = PREFLIGHT_ERRORS['not-yet-valid']
    const error = thrown(() => preflight(info({ notBefore: at('2024-05-01T12:03:00Z') }), NOW))
    expect(error.message).toBe(
      `${entry.problem}: it is valid from 2024-05-01T12:03:00.000Z, 2m 0s from now. ${entry.cause} ${entry.fix}`
    )
  })

  it('accepts a NotBefore within the skew', () => {
    expect(() => preflight(info({ notBefore: at('2024-05-01T12:02:00Z') }), NOW)).not.toThrow()
    expect(() => preflight(info({ notBefore: at('2024-05-01T12:01:59Z') }), NOW)).not.toThrow()
  })

  it('checks the validity window before the roles', () => {
    const error = thrown(() =>
      preflight(info({ roleValues: undefined }), at('2024-05-01T13:00:00Z'))
    )
    expect(error.message).toContain(expired.problem)
  })
})

describe('preflight: roles', () => {
  const noRole = PREFLIGHT_ERRORS['no-role-attribute']

  it('refuses an assertion without a Role attribute', () => {
    expect(thrown(() => preflight(info({ roleValues: undefined }), NOW)).message).toBe(
      `${noRole.problem}. ${noRole.cause} ${noRole.fix}`
    )
  })

  const badValues = PREFLIGHT_ERRORS['role-values-invalid']

  it('refuses a Role attribute with no value, without claiming there is none', () => {
    expect(thrown(() => preflight(info({ roleValues: [] }), NOW)).message).toBe(
      `${badValues.problem}: the Role attribute has no value. ${badValues.cause} ${badValues.fix}`
    )
    expect(badValues.cause).not.toMatch(/no .*Role attribute/)
    expect(badValues.fix).not.toMatch(/Map the Role attribute/)
  })

  it('refuses when no Role value is a valid pair, naming each value (quoted) and why', () => {
    const error = thrown(() =>
      preflight(info({ roleValues: ['admin', `${ROLE},${ROLE2}`, '\n::error::x'] }), NOW)
    )
    expect(error.message).toBe(
      `${badValues.problem}: none of its 3 Role value(s) is a "role ARN,provider ARN" pair:\n` +
        '  - "admin": it is not two ARNs separated by a comma\n' +
        `  - ${JSON.stringify(`${ROLE},${ROLE2}`)}: no part is a SAML provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME)\n` +
        '  - "\\n::error::x": it is not two ARNs separated by a comma\n' +
        ` ${badValues.cause} ${badValues.fix}`
    )
    expect(error.message.split('\n').some(line => line.startsWith('::'))).toBe(false)
  })

  it('warns about each junk value, quoted, with why, and goes on with the good one', () => {
    const result = preflight(info({ roleValues: ['admin', `${ROLE},${PROVIDER}`, '  '] }), NOW)
    expect(result.offered?.map(p => p.roleArn)).toEqual([ROLE])
    expect(result.warnings).toEqual([
      'Ignoring a Role attribute value that is not "role ARN,provider ARN": "admin" (it is not two ARNs separated by a comma)',
      'Ignoring a Role attribute value that is not "role ARN,provider ARN": "  " (it is empty)'
    ])
  })

  it('accepts the Google Workspace form with a trailing comma', () => {
    const result = preflight(info({ roleValues: [`${ROLE},${PROVIDER},`] }), NOW)
    expect(result.offered?.map(p => [p.roleArn, p.principalArn])).toEqual([[ROLE, PROVIDER]])
    expect(result.warnings).toEqual([])
  })

  it('leaves the choice among several roles to role selection', () => {
    const two = info({ roleValues: [`${ROLE},${PROVIDER}`, `${ROLE2},${PROVIDER}`] })
    expect(preflight(two, NOW).offered?.map(p => p.roleArn)).toEqual([ROLE, ROLE2])
  })

  it('leaves the account check of a pair to role selection', () => {
    const result = preflight(info({ roleValues: [`${ROLE},${OTHER_ACCOUNT_PROVIDER}`] }), NOW)
    expect(result.offered?.map(p => p.principalArn)).toEqual([OTHER_ACCOUNT_PROVIDER])
  })
})

describe('preflight: RoleSessionName', () => {
  const entry = PREFLIGHT_ERRORS['bad-session-name']

  it('refuses a missing RoleSessionName', () => {
    expect(thrown(() => preflight(info({ roleSessionName: undefined }), NOW)).message).toBe(
      `${entry.problem}: it is missing. ${entry.cause} ${entry.fix}`
    )
  })

  it.each([
    ['too short', 'j'],
    ['empty', ''],
    ['with a space', 'jane doe'],
    ['with a slash', 'corp/jane'],
    ['with a colon', 'corp:jane'],
    ['non-ASCII', 'jäne'],
    ['65 characters', 'a'.repeat(65)]
  ])('refuses one %s, quoting it', (_label, name) => {
    expect(thrown(() => preflight(info({ roleSessionName: name }), NOW)).message).toBe(
      `${entry.problem}: found ${JSON.stringify(name)}. ${entry.cause} ${entry.fix}`
    )
  })

  it.each([
    ['2 characters', 'jd'],
    ['64 characters', 'a'.repeat(64)],
    ['every allowed character', 'Jane_Doe+1=2,x.y@example-corp']
  ])('accepts one of %s', (_label, name) => {
    expect(() => preflight(info({ roleSessionName: name }), NOW)).not.toThrow()
  })
})

describe('preflight: warnings', () => {
  it('warns (does not fail) when the assertion is older than 5 minutes', () => {
    const result = preflight(
      info({
        assertionIssueInstant: at('2024-05-01T11:50:00Z'),
        notOnOrAfter: at('2024-05-01T13:00:00Z'),
        subjectNotOnOrAfter: undefined
      }),
      at('2024-05-01T11:57:30Z')
    )
    expect(result.ageMs).toBe(450_000)
    expect(result.warnings).toEqual([
      'The assertion was issued 7m 30s ago. STS is reported to reject assertions redeemed more than 5 minutes after issue; fetch it right before this step.'
    ])
  })

  it('does not warn at exactly 5 minutes', () => {
    const result = preflight(info(), at('2024-05-01T12:05:00Z'))
    expect(result.ageMs).toBe(REDEMPTION_WINDOW_MS)
    expect(result.warnings).toEqual([])
  })

  it('warns about an audience that is not AWS, quoting it', () => {
    const result = preflight(info({ audiences: ['https://example.com/app', 'urn:other'] }), NOW)
    expect(result.warnings).toEqual([
      'The assertion\'s audience is "https://example.com/app", "urn:other"; AWS expects https://signin.aws.amazon.com/saml. STS will likely reject it.'
    ])
  })

  it.each([
    'https://signin.aws.amazon.com/saml',
    'https://us-east-1.signin.aws.amazon.com/saml',
    'https://signin.amazonaws-us-gov.com/saml',
    'https://signin.amazonaws.cn/saml',
    'urn:amazon:webservices',
    'urn:amazon:webservices:govcloud',
    'urn:amazon:webservices:cn'
  ])('accepts the AWS audience %s', audience => {
    expect(preflight(info({ audiences: [audience] }), NOW).warnings).toEqual([])
  })

  it('accepts a list with one AWS audience among others', () => {
    const result = preflight(
      info({ audiences: ['https://example.com/app', 'https://signin.aws.amazon.com/saml'] }),
      NOW
    )
    expect(result.warnings).toEqual([])
  })

  it.each([
    'https://signin.aws.amazon.com/saml/extra',
    'http://signin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com.evil.example/saml',
    'https://evil.example/?https://signin.aws.amazon.com/saml'
  ])('does not take %s for an AWS audience', audience => {
    expect(preflight(info({ audiences: [audience] }), NOW).warnings).toHaveLength(1)
  })

  it('does not warn about a missing audience', () => {
    expect(preflight(info({ audiences: [] }), NOW).warnings).toEqual([])
  })
})

describe('preflight: encrypted assertions', () => {
  const encrypted: SamlResponseInfo = {
    encrypted: true,
    audiences: [],
    responseIssueInstant: ISSUED
  }
  const NOTICE =
    'The assertion is encrypted (EncryptedAssertion): local checks of expiry, roles and session name were skipped; STS will check it.'

  it('offers no pairs and notes that the checks were skipped', () => {
    expect(preflight(encrypted, NOW)).toEqual({
      ageMs: 60_000,
      warnings: [],
      notices: [NOTICE]
    })
  })

  it('skips the expiry, role and session name checks', () => {
    const unreadable: SamlResponseInfo = {
      ...encrypted,
      notOnOrAfter: at('2024-05-01T10:00:00Z'),
      notBefore: at('2024-05-03T00:00:00Z'),
      roleSessionName: 'x'
    }
    const result = preflight(unreadable, at('2024-05-02T00:00:00Z'))
    expect(result.offered).toBeUndefined()
    expect(result.notices).toEqual([NOTICE])
  })
})

describe('preflight: untrusted text in the log', () => {
  const injection = 'x\n::set-env name=X::y'

  it('quotes a hostile RoleSessionName in the error', () => {
    const error = thrown(() => preflight(info({ roleSessionName: injection }), NOW))
    expect(error.message).toContain('found "x\\n::set-env name=X::y"')
    expectNoWorkflowCommand(error.message)
  })

  it('does not print a hostile NameID at all', () => {
    const result = preflight(info({ nameId: injection, issuer: injection }), NOW)
    expect(result.warnings).toEqual([])
    expect(result.notices).toEqual([])
  })

  it('quotes hostile Role values and audiences in warnings', () => {
    const result = preflight(
      info({
        roleValues: [`\r\n::add-mask::\n::set-env name=X::y`, `${ROLE},${PROVIDER}`],
        audiences: [injection, '::warning::pwned'],
        assertionIssueInstant: at('2024-05-01T11:00:00Z'),
        notOnOrAfter: at('2024-05-01T13:00:00Z'),
        subjectNotOnOrAfter: undefined
      }),
      NOW
    )
    expect(result.warnings).toHaveLength(3)
    expect(result.warnings[0]).toMatch(/^The assertion was issued 1h 1m ago/)
    expect(result.warnings[1]).toContain('"\\r\\n::add-mask::\\n::set-env name=X::y"')
    expect(result.warnings[2]).toContain('"x\\n::set-env name=X::y", "::warning::pwned"')
    for (const line of [...result.warnings, ...result.notices]) expectNoWorkflowCommand(line)
  })

  it('cuts a very long untrusted value', () => {
    const result = preflight(info({ roleValues: ['j'.repeat(5000), `${ROLE},${PROVIDER}`] }), NOW)
    expect(result.warnings[0]).toContain(`"${'j'.repeat(300)}…"`)
    // 300 characters of the value, the fixed text and the reason.
    expect(result.warnings[0]!.length).toBeLessThan(500)
  })
})
