import { thrown as thrownBy } from '../support/thrown.js'
import { describe, expect, it } from 'vitest'
import { decodeAssertion, MAX_BASE64_LENGTH } from '../../src/saml/assertion-decoder.js'
import { preflightError } from '../../src/errors/preflight-error.js'
import { PREFLIGHT_ERRORS } from '../../src/errors/error-catalog.js'
import { AssertionError } from '../../src/errors/run-errors.js'

const thrown = (fn: () => unknown): AssertionError => thrownBy(AssertionError, fn)

/** Small XML whose base64 holds all three of '+', '/' and '='. */
const XML = '<a>???</a>\n'
const B64 = 'PGE+Pz8/PC9hPgo='

/** A realistic-looking Response, long enough for its base64 to wrap over several lines. */
const RESPONSE_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_resp1" Version="2.0" ' +
  'IssueInstant="2024-05-01T12:00:00Z"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">' +
  'https://idp.example.com/metadata</saml:Issuer></samlp:Response>\n'
const RESPONSE_B64 = Buffer.from(RESPONSE_XML, 'utf8').toString('base64')

/** Wrap base64 at 76 characters like `base64` (and most IdPs) do. */
function wrap(base64: string, eol = '\n', width = 76): string {
  return (base64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol)
}

describe('sanity of the fixtures', () => {
  it('uses base64 that holds +, / and =', () => {
    expect(Buffer.from(XML).toString('base64')).toBe(B64)
    expect(B64).toMatch(/\+/)
    expect(B64).toMatch(/\//)
    expect(B64).toMatch(/=$/)
    expect(RESPONSE_B64.length).toBeGreaterThan(3 * 76)
  })
})

describe('preflightError', () => {
  it('builds problem, detail, cause and fix from the catalog', () => {
    const entry = PREFLIGHT_ERRORS.expired
    const error = preflightError('expired', 'it expired yesterday')
    expect(error).toBeInstanceOf(AssertionError)
    expect(error.kind).toBe('assertion')
    expect(error.message).toBe(
      `${entry.problem}: it expired yesterday. ${entry.cause} ${entry.fix}`
    )
  })

  it('ends the problem with a full stop when there is no detail', () => {
    const entry = PREFLIGHT_ERRORS['unsafe-xml']
    expect(preflightError('unsafe-xml').message).toBe(
      `${entry.problem}. ${entry.cause} ${entry.fix}`
    )
  })
})

describe('decodeAssertion: base64', () => {
  it('decodes plain base64', () => {
    expect(decodeAssertion(B64)).toEqual({
      base64: B64,
      xml: XML,
      secrets: [B64]
    })
  })

  it('accepts LF line breaks and surrounding whitespace', () => {
    const wrapped = `\n  ${wrap(RESPONSE_B64)}\n\n`
    const decoded = decodeAssertion(wrapped)
    expect(decoded.base64).toBe(RESPONSE_B64)
    expect(decoded.xml).toBe(RESPONSE_XML)
  })

  it('accepts CRLF line breaks', () => {
    const decoded = decodeAssertion(wrap(RESPONSE_B64, '\r\n'))
    expect(decoded.base64).toBe(RESPONSE_B64)
    expect(decoded.xml).toBe(RESPONSE_XML)
  })

  it('accepts spaces and tabs inside the value', () => {
    const spaced = RESPONSE_B64.replace(/(.{10})/g, '$1 ').replace(/(.{50})/g, '$1\t')
    expect(spaced).toMatch(/ /)
    const decoded = decodeAssertion(spaced)
    expect(decoded.base64).toBe(RESPONSE_B64)
    expect(decoded.xml).toBe(RESPONSE_XML)
  })

  it('accepts a Buffer holding base64', () => {
    const decoded = decodeAssertion(Buffer.from(`${wrap(RESPONSE_B64)}\n`, 'utf8'))
    expect(decoded.base64).toBe(RESPONSE_B64)
  })

  it('ignores a byte order mark before base64 and inside the decoded XML', () => {
    const withBom = Buffer.from(`\uFEFF${XML}`, 'utf8').toString('base64')
    const decoded = decodeAssertion(`\uFEFF${withBom}`)
    expect(decoded.base64).toBe(withBom)
    expect(decoded.xml).toBe(XML)
  })

  it('accepts XML preceded by whitespace once decoded', () => {
    const base64 = Buffer.from(`\n  ${XML}`).toString('base64')
    expect(decodeAssertion(base64).xml).toBe(`\n  ${XML}`)
  })
})

describe('decodeAssertion: base64url tolerance', () => {
  it('turns base64url into the standard alphabet', () => {
    const url = Buffer.from(XML).toString('base64url')
    expect(url).toMatch(/[-_]/)
    const decoded = decodeAssertion(url)
    expect(decoded.base64).toBe(B64)
    expect(decoded.xml).toBe(XML)
  })

  it('restores the padding that base64url leaves off', () => {
    for (const xml of ['<x/>', '<xy/>', '<xyz/>']) {
      const url = Buffer.from(xml).toString('base64url')
      const decoded = decodeAssertion(url)
      expect(decoded.base64).toBe(Buffer.from(xml).toString('base64'))
      expect(decoded.base64.length % 4).toBe(0)
      expect(decoded.xml).toBe(xml)
    }
  })

  it('masks both the base64url as given and the standard form', () => {
    const url = Buffer.from('<x>??>>?</x>').toString('base64url')
    expect(decodeAssertion(url).secrets).toEqual([url, 'PHg+Pz8+Pj88L3g+'])
  })
})

describe('decodeAssertion: URL-encoded', () => {
  const encoded = encodeURIComponent(B64)

  it('sanity: encodeURIComponent escapes +, / and =', () => {
    expect(encoded).toBe('PGE%2BPz8%2FPC9hPgo%3D')
  })

  it('decodes %2B, %2F and %3D without a prefix', () => {
    const decoded = decodeAssertion(encoded)
    expect(decoded).toEqual({
      base64: B64,
      xml: XML,
      secrets: [encoded, B64]
    })
  })

  it('strips a SAMLResponse= prefix', () => {
    const decoded = decodeAssertion(`SAMLResponse=${encoded}`)
    expect(decoded.base64).toBe(B64)
    expect(decoded.xml).toBe(XML)
  })

  it('strips the prefix in any case even without any %XX escape', () => {
    const plain = Buffer.from('<xy/>').toString('base64')
    expect(plain).not.toMatch(/[+/%]/)
    const decoded = decodeAssertion(`samlresponse=${plain}`)
    expect(decoded.base64).toBe(plain)
  })

  it('drops a trailing &RelayState=...', () => {
    const decoded = decodeAssertion(
      `SAMLResponse=${encoded}&RelayState=https%3A%2F%2Fapp.example.com%2F`
    )
    expect(decoded.base64).toBe(B64)
    expect(decoded.xml).toBe(XML)
    expect(decoded.secrets).not.toContain('https://app.example.com/')
  })

  it('takes SAMLResponse from a form body whose other fields come first', () => {
    // The order of AWS's own sign-in page form and of saml2aws's auth0 fixture.
    for (const body of [
      `RelayState=&SAMLResponse=${encoded}`,
      `RelayState=https%3A%2F%2Fapp.example.com%2F&SAMLResponse=${encoded}&x=1`
    ]) {
      const decoded = decodeAssertion(body)
      expect(decoded.base64).toBe(B64)
      expect(decoded.xml).toBe(XML)
    }
    // No %XX escape at all: the field name alone marks it as a form.
    const plain = Buffer.from('<xy/>').toString('base64')
    expect(decodeAssertion(`RelayState=&SAMLResponse=${plain}`).xml).toBe('<xy/>')
  })

  it('reads + as a space (form encoding), so it is dropped like other whitespace', () => {
    // A base64 line break encoded as %0A and a space sent as '+', as a form body would carry them.
    const half = Math.floor(RESPONSE_B64.length / 2)
    const body = `${encodeURIComponent(RESPONSE_B64.slice(0, half))}%0D%0A+${encodeURIComponent(RESPONSE_B64.slice(half))}`
    const decoded = decodeAssertion(`SAMLResponse=${body}`)
    expect(decoded.base64).toBe(RESPONSE_B64)
    expect(decoded.xml).toBe(RESPONSE_XML)
  })

  it('does not take a literal + for the base64 character', () => {
    // 'PGE+Pz8...' sent with '+' unescaped: form decoding reads it as a space, which is dropped.
    const decoded = decodeAssertion(`SAMLResponse=${B64.replace('/', '%2F')}`)
    expect(decoded.base64).toBe('PGEPz8/PC9hPgo==')
    expect(decoded.xml).not.toBe(XML)
  })

  it('refuses a value that looks URL-encoded but does not decode', () => {
    const error = thrown(() => decodeAssertion('SAMLResponse=%E0%A4%A'))
    expect(error.message).toContain('it looks URL-encoded but does not decode')
    expect(error.message).not.toContain('%E0')
  })

  it('masks the value as given, the decoded value and the base64', () => {
    const withBreaks = encodeURIComponent(wrap(RESPONSE_B64))
    const input = `SAMLResponse=${withBreaks}`
    const { secrets } = decodeAssertion(input)
    expect(secrets).toContain(input)
    expect(secrets).toContain(wrap(RESPONSE_B64))
    expect(secrets).toContain(RESPONSE_B64)
  })
})

describe('decodeAssertion: raw XML', () => {
  it('passes a string on byte for byte, declaration and trailing newline included', () => {
    const decoded = decodeAssertion(RESPONSE_XML)
    expect(decoded.base64).toBe(RESPONSE_B64)
    expect(Buffer.from(decoded.base64, 'base64').toString('utf8')).toBe(RESPONSE_XML)
    expect(decoded.xml).toBe(RESPONSE_XML)
  })

  it('keeps leading whitespace and CRLF line endings in the bytes', () => {
    const xml = `  \r\n${RESPONSE_XML.replace(/\n/g, '\r\n')}`
    const decoded = decodeAssertion(xml)
    expect(decoded.base64).toBe(Buffer.from(xml).toString('base64'))
    expect(decoded.xml).toBe(xml)
  })

  it('passes a Buffer on byte for byte, even bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<r>caf'),
      Buffer.from([0xe9]),
      Buffer.from('</r>\n')
    ])
    const decoded = decodeAssertion(bytes)
    expect(decoded.base64).toBe(bytes.toString('base64'))
    expect(Buffer.from(decoded.base64, 'base64').equals(bytes)).toBe(true)
  })

  it('keeps a byte order mark in the bytes sent, but not in the XML text', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(RESPONSE_XML)])
    const decoded = decodeAssertion(bytes)
    expect(decoded.base64).toBe(bytes.toString('base64'))
    expect(decoded.xml).toBe(RESPONSE_XML)
  })

  it('masks the trimmed XML and its base64', () => {
    expect(decodeAssertion(`\n${RESPONSE_XML}`).secrets).toEqual([
      RESPONSE_XML.trim(),
      Buffer.from(`\n${RESPONSE_XML}`).toString('base64')
    ])
  })
})

describe('decodeAssertion: size limit', () => {
  /** Base64 of exactly `length` characters (a multiple of 4) that decodes to XML. */
  function base64OfLength(length: number): string {
    const bytes = (length / 4) * 3
    const xml = `<r>${'x'.repeat(bytes - 8)}</r>\n`
    expect(Buffer.byteLength(xml)).toBe(bytes)
    return Buffer.from(xml).toString('base64')
  }

  it('is 100,000 characters', () => {
    expect(MAX_BASE64_LENGTH).toBe(100_000)
  })

  it('accepts base64 of exactly 100,000 characters', () => {
    const base64 = base64OfLength(100_000)
    expect(base64).toHaveLength(100_000)
    expect(decodeAssertion(base64).base64).toBe(base64)
  })

  it('counts the base64 without its line breaks', () => {
    const base64 = base64OfLength(100_000)
    expect(decodeAssertion(wrap(base64, '\r\n')).base64).toBe(base64)
  })

  it('refuses 100,001 characters without quoting the assertion', () => {
    const base64 = `${base64OfLength(100_000)}A`
    const error = thrown(() => decodeAssertion(base64))
    expect(error.message).toContain(PREFLIGHT_ERRORS['too-large'].problem)
    expect(error.message).toContain('it is 100,001 base64 characters, over the limit of 100,000')
    expect(error.message).not.toContain(base64.slice(0, 20))
    expect(error.message.length).toBeLessThan(600)
  })

  it('measures raw XML by the length of its base64', () => {
    const ok = `<r>${'y'.repeat(75_000 - 8)}</r>\n`
    expect(decodeAssertion(ok).base64).toHaveLength(100_000)
    const tooBig = `<r>${'y'.repeat(75_001 - 8)}</r>\n`
    const error = thrown(() => decodeAssertion(tooBig))
    expect(error.message).toContain('it is 100,004 base64 characters')
    expect(error.message).not.toContain('yyyy')
  })

  it('measures URL-encoded input once decoded', () => {
    const base64 = base64OfLength(100_000)
    expect(decodeAssertion(`SAMLResponse=${encodeURIComponent(base64)}`).base64).toBe(base64)
    const error = thrown(() =>
      decodeAssertion(`SAMLResponse=${encodeURIComponent(`${base64}AAAA`)}`)
    )
    expect(error.message).toContain('it is 100,004 base64 characters')
  })
})

describe('decodeAssertion: refusals', () => {
  const notSaml = PREFLIGHT_ERRORS['not-saml-response']

  it.each([
    ['empty', ''],
    ['whitespace', ' \r\n\t '],
    ['a lone byte order mark', '\uFEFF']
  ])('refuses %s input', (_label, input) => {
    const error = thrown(() => decodeAssertion(input))
    expect(error.message).toBe(
      `${notSaml.problem}: the assertion is empty. ${notSaml.cause} ${notSaml.fix}`
    )
  })

  it('refuses an empty Buffer', () => {
    expect(thrown(() => decodeAssertion(Buffer.alloc(0))).message).toContain(
      'the assertion is empty'
    )
  })

  it.each([
    ['garbage text', 'this is not an assertion at all!'],
    ['JSON', '{"SAMLResponse":"PGE+"}'],
    ['base64 with a bad character', 'PGE+Pz8*PC9hPgo='],
    ['base64 with padding in the middle', 'PGE=Pz8/PC9hPgo='],
    ['base64 of impossible length', 'PGE+P'],
    ['padding after an impossible length', 'PGE+P='],
    ['too much padding', 'PGE+Pz8/PC9hPg==='],
    ['a password-looking secret', 'hunter2-S3cr3t!']
  ])('refuses %s without echoing it', (_label, input) => {
    const error = thrown(() => decodeAssertion(input))
    expect(error.message).toContain(
      `${notSaml.problem}: it is neither XML nor valid base64 (check that the whole value was copied)`
    )
    expect(error.message).not.toContain(input)
  })

  it('refuses base64 that decodes to something other than XML', () => {
    const json = Buffer.from('{"not":"xml"}').toString('base64')
    const error = thrown(() => decodeAssertion(json))
    expect(error.message).toContain(`${notSaml.problem}: the base64 does not decode to XML`)
    expect(error.message).not.toContain(json)
  })

  it('refuses base64 of binary data', () => {
    const binary = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]).toString('base64')
    expect(thrown(() => decodeAssertion(binary)).message).toContain(
      'the base64 does not decode to XML'
    )
  })
})

describe('decodeAssertion: secrets', () => {
  it('masks the trimmed input, the normalised base64 and each long line', () => {
    const wrapped = wrap(RESPONSE_B64, '\r\n')
    const lines = wrapped.split('\r\n')
    const { secrets } = decodeAssertion(`  ${wrapped}\r\n`)
    expect(secrets).toEqual([wrapped, RESPONSE_B64, ...lines.filter(line => line.length >= 16)])
  })

  it('skips short lines such as a lone padding line', () => {
    const base64 = Buffer.from(`${XML}${XML}`).toString('base64')
    const split = `${base64.slice(0, -2)}\n${base64.slice(-2)}`
    expect(base64.slice(-2)).toBe('==')
    const { secrets } = decodeAssertion(split)
    expect(secrets).not.toContain('==')
    for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(16)
  })

  it('lists each secret once and never an empty one', () => {
    const { secrets } = decodeAssertion(`${B64}\n\n`)
    expect(secrets).toEqual([B64])
    expect(new Set(secrets).size).toBe(secrets.length)
    expect(secrets).not.toContain('')
  })

  it('masks every line that is long enough, with its surrounding spaces trimmed', () => {
    const line1 = RESPONSE_B64.slice(0, 40)
    const line2 = RESPONSE_B64.slice(40)
    const { secrets } = decodeAssertion(`${line1}   \n   ${line2}`)
    expect(secrets).toContain(line1)
    expect(secrets).toContain(line2)
    expect(secrets).toContain(RESPONSE_B64)
  })
})

describe('decodeAssertion: SAML ECP SOAP envelope', () => {
  const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'
  const ECP_HEADER =
    '<ecp:Response xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" S:mustUnderstand="1"' +
    ' AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml"/>'
  /** The Response exactly as the envelope holds it: odd spacing, a comment, a '>' in a value. */
  const INNER =
    '<samlp:Response  xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1"\n' +
    '    Version="2.0" Destination="https://signin.aws.amazon.com/saml?a=1&amp;b=>">' +
    '<!-- <samlp:Response> in a comment --><saml:Issuer>https://idp.example.com/</saml:Issuer>' +
    '<x:Ext xmlns:x="urn:x"><![CDATA[</samlp:Response>]]></x:Ext></samlp:Response>'
  const envelope = (prefix = 'S', inner = INNER): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<${prefix}:Envelope xmlns:${prefix}="${SOAP}"` +
    ` xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">\n` +
    `<${prefix}:Header>${ECP_HEADER.replace(/S:/g, `${prefix}:`)}</${prefix}:Header>\n` +
    `<${prefix}:Body>${inner}</${prefix}:Body></${prefix}:Envelope>\n`
  /** INNER with what it inherits from the envelope declared on its start tag. */
  const UNWRAPPED = INNER.replace(
    '<samlp:Response ',
    `<samlp:Response xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" `
  )

  it('sends the Response inside it, characters as they were, plus inherited declarations', () => {
    const decoded = decodeAssertion(envelope())
    expect(decoded.envelope).toBe('soap')
    expect(decoded.xml).toBe(UNWRAPPED)
    expect(Buffer.from(decoded.base64, 'base64').toString('utf8')).toBe(UNWRAPPED)
  })

  it('adds nothing to a Response that declares its own namespaces', () => {
    const own = INNER.replace(
      '<saml:Issuer>',
      '<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
    )
    const bare = `<soap11:Envelope xmlns:soap11="${SOAP}"><soap11:Header/><soap11:Body>${own}</soap11:Body></soap11:Envelope>`
    expect(decodeAssertion(bare).xml).toBe(own)
    expect(Buffer.from(decodeAssertion(bare).base64, 'base64').toString('utf8')).toBe(own)
  })

  it('keeps in scope what an xsi:type value or a signature PrefixList names, and no more', () => {
    const inner =
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r2">' +
      '<ds:Transform xmlns:ds="http://www.w3.org/2000/09/xmldsig#">' +
      '<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs #default"/>' +
      '</ds:Transform><v xmlns="urn:v" xsi:type="t:code">x</v></samlp:Response>'
    const xml =
      `<S:Envelope xmlns:S="${SOAP}" xmlns:xs="urn:xs" xmlns:t="urn:t" xmlns:unused="urn:u"` +
      ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:default">` +
      `<S:Body>${inner}</S:Body></S:Envelope>`
    const added = /^<samlp:Response([^>]*) ID=/.exec(decodeAssertion(xml).xml)![1]!
    expect(added.trim().split(' ').sort()).toEqual(
      [
        'xmlns="urn:default"',
        'xmlns:t="urn:t"',
        'xmlns:xs="urn:xs"',
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'
      ].sort()
    )
  })

  it('accepts any SOAP prefix and the envelope in base64 or URL-encoded form', () => {
    const xml = envelope('SOAP-ENV')
    const fromBase64 = decodeAssertion(Buffer.from(xml).toString('base64'))
    expect(fromBase64.xml).toBe(UNWRAPPED)
    const fromForm = decodeAssertion(
      `RelayState=&SAMLResponse=${encodeURIComponent(Buffer.from(xml).toString('base64'))}`
    )
    expect(fromForm.base64).toBe(fromBase64.base64)
  })

  it('accepts a SOAP 1.2 envelope, a byte order mark and a comment before it', () => {
    const soap12 =
      '\uFEFF<?xml version="1.0"?>\n<!-- from the IdP -->\n' +
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"' +
      ` xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><env:Body>${INNER}</env:Body></env:Envelope>`
    const decoded = decodeAssertion(Buffer.from(soap12))
    expect(decoded.envelope).toBe('soap')
    expect(decoded.xml).toBe(UNWRAPPED)
  })

  it('cuts the Response out exactly past CRLF line ends and characters outside the BMP', () => {
    // The parser counts in code points; the slice must still land on the Response's own characters.
    const inner = INNER.replace(
      'https://idp.example.com/',
      'https://idp.example.com/\u{1F600}\u{1F600}'
    )
    const xml = envelope('S', inner)
      .replace(/\n/g, '\r\n')
      .replace('<S:Header>', '<S:Header>\u{1F600}')
    const unwrapped = inner
      .replace(/\n/g, '\r\n')
      .replace(
        '<samlp:Response ',
        '<samlp:Response xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
      )
    expect(decodeAssertion(xml).xml).toBe(unwrapped)
    expect(Buffer.from(decodeAssertion(xml).base64, 'base64').toString('utf8')).toBe(unwrapped)
  })

  it('masks the envelope in every form it appeared in, and the Response sent', () => {
    const xml = envelope()
    const asBase64 = Buffer.from(xml).toString('base64')
    const { secrets, base64 } = decodeAssertion(wrap(asBase64))
    expect(secrets).toEqual(expect.arrayContaining([asBase64, xml.trim(), UNWRAPPED, base64]))
    expect(secrets).toEqual(expect.arrayContaining(wrap(asBase64).split('\n').slice(0, 2)))
  })

  it('refuses an envelope holding a SOAP Fault, without quoting it', () => {
    const fault = `<S:Fault><faultcode>S:Server</faultcode><faultstring>secret-ish</faultstring></S:Fault>`
    const error = thrown(() => decodeAssertion(envelope('S', fault)))
    expect(error.message).toContain('holds a Fault from the IdP')
    expect(error.message).not.toContain('secret-ish')
  })

  it('refuses an envelope with no Response, or with two', () => {
    expect(thrown(() => decodeAssertion(envelope('S', '<x/>'))).message).toContain(
      'holds 0 samlp:Response elements'
    )
    expect(thrown(() => decodeAssertion(envelope('S', INNER + INNER))).message).toContain(
      'holds 2 samlp:Response elements'
    )
  })

  it('refuses an Envelope that is not SOAP, and a malformed one with its position', () => {
    expect(thrown(() => decodeAssertion('<Envelope><Body/></Envelope>')).message).toContain(
      'not SOAP'
    )
    const broken = envelope().replace('</S:Body>', '</S:Bod>')
    expect(thrown(() => decodeAssertion(broken)).message).toMatch(
      /not well-formed \(tags do not match at line 5, column \d+, at "<\/S:Bod"\)/
    )
  })
})
