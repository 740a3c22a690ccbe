// The test IdP must emit what a real IdP emits: schema-ordered, really signed AWS SAML Responses.
import { DOMParser, XMLSerializer, type Element } from '@xmldom/xmldom'
import { describe, expect, it } from 'vitest'
import { SignedXml } from 'xml-crypto'
import {
  DEFAULT_IDP_ISSUER,
  IDP_CERT_PEM,
  OTHER_IDP_CERT_PEM,
  ROLE_ATTRIBUTE,
  ROLE_SESSION_NAME_ATTRIBUTE,
  SAML_ASSERTION_NS,
  SAML_PROTOCOL_NS,
  SESSION_DURATION_ATTRIBUTE,
  SOURCE_IDENTITY_ATTRIBUTE,
  XMLDSIG_NS,
  XMLENC_NS,
  ECP_NS,
  SOAP11_NS,
  createTestIdp,
  type IssueOptions
} from './test-idp.js'

const idp = createTestIdp()

function parse(xml: string): Element {
  const root = new DOMParser().parseFromString(xml, 'application/xml').documentElement
  if (!root) throw new Error('no document element')
  return root
}

const kids = (el: Element): Element[] =>
  Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1)

function only(el: Element, local: string, ns = SAML_ASSERTION_NS): Element {
  const found = kids(el).filter(k => k.localName === local && k.namespaceURI === ns)
  expect(found, `exactly one ${local}`).toHaveLength(1)
  return found[0]!
}

function assertionOf(xml: string): Element {
  return only(parse(xml), 'Assertion')
}

function attributes(assertion: Element): Array<{ name: string; values: string[] }> {
  return kids(only(assertion, 'AttributeStatement')).map(a => ({
    name: a.getAttribute('Name') ?? '',
    values: kids(a).map(v => v.textContent ?? '')
  }))
}

/** Verifies the signature enveloped by `el` the way a relying party must: registered cert only. */
function verify(xml: string, el: Element, certPem: string): boolean {
  const sig = only(el, 'Signature', XMLDSIG_NS)
  const verifier = new SignedXml({ publicCert: certPem })
  verifier.loadSignature(sig)
  try {
    return verifier.checkSignature(xml)
  } catch {
    return false
  }
}

const issue = (o?: IssueOptions): string => idp.issue(o).xml

describe('test IdP: document shape', () => {
  it('issues a samlp:Response laid out like a real AWS SAML response', () => {
    const { xml, base64 } = idp.issue()
    expect(Buffer.from(base64, 'base64').toString('utf8')).toBe(xml)
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true)

    const root = parse(xml)
    expect(root.namespaceURI).toBe(SAML_PROTOCOL_NS)
    expect(root.localName).toBe('Response')
    expect(root.getAttribute('ID')).toMatch(/^_[0-9a-f]{32}$/)
    expect(root.getAttribute('Version')).toBe('2.0')
    expect(root.getAttribute('Destination')).toBe('https://signin.aws.amazon.com/saml')
    expect(Date.parse(root.getAttribute('IssueInstant') ?? '')).toBeGreaterThan(Date.now() - 60_000)
    expect(kids(root).map(k => k.localName)).toEqual(['Issuer', 'Status', 'Assertion'])
    expect(only(root, 'Issuer').textContent).toBe(DEFAULT_IDP_ISSUER)
    const statusCode = only(only(root, 'Status', SAML_PROTOCOL_NS), 'StatusCode', SAML_PROTOCOL_NS)
    expect(statusCode.getAttribute('Value')).toBe('urn:oasis:names:tc:SAML:2.0:status:Success')

    const assertion = only(root, 'Assertion')
    expect(assertion.getAttribute('ID')).toMatch(/^_[0-9a-f]{32}$/)
    expect(assertion.getAttribute('ID')).not.toBe(root.getAttribute('ID'))
    expect(kids(assertion).map(k => k.localName)).toEqual([
      'Issuer',
      'Signature',
      'Subject',
      'Conditions',
      'AuthnStatement',
      'AttributeStatement'
    ])

    const subject = only(assertion, 'Subject')
    const nameId = only(subject, 'NameID')
    expect(nameId.textContent).toBe('alice@example.com')
    expect(nameId.getAttribute('Format')).toBe(
      'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
    )
    const confirmation = only(subject, 'SubjectConfirmation')
    expect(confirmation.getAttribute('Method')).toBe('urn:oasis:names:tc:SAML:2.0:cm:bearer')
    const data = only(confirmation, 'SubjectConfirmationData')
    expect(data.getAttribute('Recipient')).toBe('https://signin.aws.amazon.com/saml')

    const issued = Date.parse(assertion.getAttribute('IssueInstant') ?? '')
    const conditions = only(assertion, 'Conditions')
    expect(Date.parse(conditions.getAttribute('NotBefore') ?? '')).toBe(issued - 5_000)
    expect(Date.parse(conditions.getAttribute('NotOnOrAfter') ?? '')).toBe(issued + 300_000)
    expect(data.getAttribute('NotOnOrAfter')).toBe(conditions.getAttribute('NotOnOrAfter'))
    expect(only(only(conditions, 'AudienceRestriction'), 'Audience').textContent).toBe(
      'https://signin.aws.amazon.com/saml'
    )

    expect(attributes(assertion)).toEqual([
      {
        name: ROLE_ATTRIBUTE,
        values: [
          'arn:aws:iam::123456789012:role/Deploy,arn:aws:iam::123456789012:saml-provider/TestIdP'
        ]
      },
      { name: ROLE_SESSION_NAME_ATTRIBUTE, values: ['alice@example.com'] }
    ])
  })

  it('embeds the signer certificate in KeyInfo and signs with RSA-SHA256 + exclusive c14n', () => {
    const assertion = assertionOf(issue())
    const sig = only(assertion, 'Signature', XMLDSIG_NS)
    const text = new XMLSerializer().serializeToString(sig)
    expect(text).toContain('Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"')
    expect(text).toContain('Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"')
    expect(text).toContain('Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"')
    expect(text).toContain(`URI="#${assertion.getAttribute('ID')}"`)
    const pemBody = IDP_CERT_PEM.replace(/-----[^-]+-----|\s/g, '')
    const cert = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(text)?.[1]
    expect(cert).toBe(pemBody)
  })

  it('supports the saml2 and default-namespace prefix styles', () => {
    const saml2 = issue({ prefix: 'saml2' })
    expect(saml2).toContain('<saml2p:Response')
    expect(saml2).toContain('<saml2:Assertion')
    expect(assertionOf(saml2).localName).toBe('Assertion')

    const plain = issue({ prefix: 'default-ns' })
    expect(plain).toContain(`<Assertion xmlns="${SAML_ASSERTION_NS}"`)
    expect(plain).toContain(`<Issuer xmlns="${SAML_ASSERTION_NS}">`)
    expect(plain).not.toMatch(/<saml:/)
    const assertion = assertionOf(plain)
    expect(verify(plain, assertion, IDP_CERT_PEM)).toBe(true)
  })

  it('lays out role values as asked', () => {
    const roles = [
      {
        roleArn: 'arn:aws:iam::111111111111:role/A',
        principalArn: 'arn:aws:iam::111111111111:saml-provider/P'
      },
      {
        roleArn: 'arn:aws:iam::222222222222:role/B',
        principalArn: 'arn:aws:iam::222222222222:saml-provider/Q'
      }
    ]
    const role = (o: IssueOptions): Array<{ name: string; values: string[] }> =>
      attributes(assertionOf(issue({ roles, ...o }))).filter(a => a.name === ROLE_ATTRIBUTE)

    expect(role({})).toEqual([
      {
        name: ROLE_ATTRIBUTE,
        values: [
          'arn:aws:iam::111111111111:role/A,arn:aws:iam::111111111111:saml-provider/P',
          'arn:aws:iam::222222222222:role/B,arn:aws:iam::222222222222:saml-provider/Q'
        ]
      }
    ])
    expect(role({ providerFirst: true, roleValueSpacing: true })[0]!.values[0]).toBe(
      'arn:aws:iam::111111111111:saml-provider/P , arn:aws:iam::111111111111:role/A'
    )
    expect(role({ rolesInSeparateAttributes: true }).map(a => a.values.length)).toEqual([1, 1])
    expect(role({ omitRoleAttribute: true })).toEqual([])
  })

  it('sets or omits the optional AWS attributes and subject fields', () => {
    const assertion = assertionOf(
      issue({
        roleSessionName: null,
        sessionDuration: 7200,
        sourceIdentity: 'alice',
        nameId: 'u-123',
        nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
        extraAttributes: { 'https://example.test/groups': ['a', 'b & c'] }
      })
    )
    const byName = new Map(attributes(assertion).map(a => [a.name, a.values]))
    expect(byName.has(ROLE_SESSION_NAME_ATTRIBUTE)).toBe(false)
    expect(byName.get(SESSION_DURATION_ATTRIBUTE)).toEqual(['7200'])
    expect(byName.get(SOURCE_IDENTITY_ATTRIBUTE)).toEqual(['alice'])
    expect(byName.get('https://example.test/groups')).toEqual(['a', 'b & c'])
    const nameId = only(only(assertion, 'Subject'), 'NameID')
    expect(nameId.textContent).toBe('u-123')
    expect(nameId.getAttribute('Format')).toBe(
      'urn:oasis:names:tc:SAML:2.0:nameid-format:transient'
    )
  })

  it('uses the given issuer, audiences, recipient and instants', () => {
    const custom = createTestIdp({ issuer: 'urn:test:issuer' })
    expect(custom.issuer).toBe('urn:test:issuer')
    const issueInstant = new Date('2030-01-02T03:04:05.000Z')
    const xml = custom.issue({
      audiences: ['urn:amazon:webservices', 'https://example.test/sp'],
      recipient: 'https://signin.amazonaws-us-gov.com/saml',
      issueInstant,
      notBefore: new Date('2030-01-02T03:00:00.000Z'),
      notOnOrAfter: new Date('2030-01-02T03:10:00.000Z')
    }).xml
    const root = parse(xml)
    expect(root.getAttribute('IssueInstant')).toBe('2030-01-02T03:04:05.000Z')
    expect(root.getAttribute('Destination')).toBe('https://signin.amazonaws-us-gov.com/saml')
    const assertion = only(root, 'Assertion')
    expect(only(assertion, 'Issuer').textContent).toBe('urn:test:issuer')
    expect(assertion.getAttribute('IssueInstant')).toBe('2030-01-02T03:04:05.000Z')
    const conditions = only(assertion, 'Conditions')
    expect(conditions.getAttribute('NotBefore')).toBe('2030-01-02T03:00:00.000Z')
    expect(conditions.getAttribute('NotOnOrAfter')).toBe('2030-01-02T03:10:00.000Z')
    expect(kids(only(conditions, 'AudienceRestriction')).map(a => a.textContent)).toEqual([
      'urn:amazon:webservices',
      'https://example.test/sp'
    ])
    const data = only(
      only(only(assertion, 'Subject'), 'SubjectConfirmation'),
      'SubjectConfirmationData'
    )
    expect(data.getAttribute('Recipient')).toBe('https://signin.amazonaws-us-gov.com/saml')
    expect(data.getAttribute('NotOnOrAfter')).toBe('2030-01-02T03:10:00.000Z')
    expect(issue({ issuer: 'urn:override' })).toContain('>urn:override</saml:Issuer>')
  })
})

describe('test IdP: signatures', () => {
  it('signs the assertion so that only the registered certificate verifies it', () => {
    const xml = issue()
    const assertion = assertionOf(xml)
    expect(verify(xml, assertion, IDP_CERT_PEM)).toBe(true)
    expect(verify(xml, assertion, OTHER_IDP_CERT_PEM)).toBe(false)
  })

  it('signs with the other key when asked, still embedding the signer certificate', () => {
    const xml = issue({ signingKey: 'other' })
    const assertion = assertionOf(xml)
    expect(verify(xml, assertion, IDP_CERT_PEM)).toBe(false)
    expect(verify(xml, assertion, OTHER_IDP_CERT_PEM)).toBe(true)
    expect(xml).toContain(OTHER_IDP_CERT_PEM.replace(/-----[^-]+-----|\s/g, ''))
  })

  it('breaks the signature when tampering', () => {
    const xml = issue({ tamper: true })
    expect(xml).toContain('>mallory@example.com</saml:NameID>')
    expect(verify(xml, assertionOf(xml), IDP_CERT_PEM)).toBe(false)
    const response = issue({ signWhat: 'response', tamper: true })
    expect(verify(response, parse(response), IDP_CERT_PEM)).toBe(false)
  })

  it('signs the response, or both, with the Signature right after the Issuer', () => {
    const response = issue({ signWhat: 'response' })
    const root = parse(response)
    expect(kids(root).map(k => k.localName)).toEqual(['Issuer', 'Signature', 'Status', 'Assertion'])
    expect(verify(response, root, IDP_CERT_PEM)).toBe(true)
    expect(kids(only(root, 'Assertion')).map(k => k.localName)).not.toContain('Signature')

    const both = issue({ signWhat: 'both' })
    const bothRoot = parse(both)
    expect(verify(both, bothRoot, IDP_CERT_PEM)).toBe(true)
    expect(verify(both, only(bothRoot, 'Assertion'), IDP_CERT_PEM)).toBe(true)
  })

  it('stays valid when pretty-printed', () => {
    const xml = issue({ pretty: true, signWhat: 'both' })
    expect(xml.split('\n').length).toBeGreaterThan(20)
    const root = parse(xml)
    expect(verify(xml, root, IDP_CERT_PEM)).toBe(true)
    expect(verify(xml, only(root, 'Assertion'), IDP_CERT_PEM)).toBe(true)
  })

  it('emits an opaque EncryptedAssertion, keeping the signed plaintext aside', () => {
    const { xml, plaintextAssertion } = idp.issue({ encrypted: true })
    const root = parse(xml)
    expect(kids(root).map(k => k.localName)).toEqual(['Issuer', 'Status', 'EncryptedAssertion'])
    const data = only(only(root, 'EncryptedAssertion'), 'EncryptedData', XMLENC_NS)
    const cipher =
      /<xenc:CipherValue>([^<]+)<\/xenc:CipherValue><\/xenc:CipherData><\/xenc:EncryptedData>/.exec(
        new XMLSerializer().serializeToString(data)
      )?.[1]
    expect(cipher).toMatch(/^[A-Za-z0-9+/]{2000,}={0,2}$/)
    expect(xml).not.toContain('alice@example.com')
    const plain = parse(plaintextAssertion!)
    expect(plain.localName).toBe('Assertion')
    expect(verify(plaintextAssertion!, plain, IDP_CERT_PEM)).toBe(true)
  })

  it('can emit a bare signed Assertion as the document root', () => {
    const xml = issue({ notAResponse: true })
    const root = parse(xml)
    expect(root.localName).toBe('Assertion')
    expect(root.namespaceURI).toBe(SAML_ASSERTION_NS)
    expect(verify(xml, root, IDP_CERT_PEM)).toBe(true)
  })

  it('can report a non-Success status', () => {
    const xml = issue({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' })
    expect(xml).toContain('StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"')
  })

  it('writes Role values as given, after the other attributes, untyped, when told to', () => {
    const values = ['arn:aws:iam::1:role/A,arn:aws:iam::1:saml-provider/P,', '\n  x\n']
    const xml = issue({ roleValues: values, roleAttributeLast: true, untypedValues: true })
    const attrs = attributes(assertionOf(xml))
    expect(attrs.map(a => a.name)).toEqual([ROLE_SESSION_NAME_ATTRIBUTE, ROLE_ATTRIBUTE])
    expect(attrs[1]!.values).toEqual(values)
    expect(xml).not.toContain('xsi:type')
  })

  it('saml2-local declares saml2: on the Issuer and the Assertion, not on the Response', () => {
    const xml = issue({ prefix: 'saml2-local' })
    expect(xml).toMatch(/<saml2p:Response xmlns:saml2p="[^"]+" ID=/)
    expect(xml).toContain(`<saml2:Issuer xmlns:saml2="${SAML_ASSERTION_NS}">`)
    expect(xml).toContain(`<saml2:Assertion xmlns:saml2="${SAML_ASSERTION_NS}" ID=`)
    const root = parse(xml)
    expect(verify(xml, only(root, 'Assertion'), IDP_CERT_PEM)).toBe(true)
  })

  it.each([false, true])(
    'wraps the Response in an ECP SOAP envelope, signed in place (namespaces on the envelope: %s)',
    namespacesOnEnvelope => {
      const xml = issue({ envelope: { soapPrefix: 'S', namespacesOnEnvelope }, signWhat: 'both' })
      const envelope = parse(xml)
      expect([envelope.localName, envelope.namespaceURI]).toEqual(['Envelope', SOAP11_NS])
      const [header, body] = kids(envelope)
      expect(kids(header!).map(k => [k.localName, k.namespaceURI])).toEqual([['Response', ECP_NS]])
      const response = only(body!, 'Response', SAML_PROTOCOL_NS)
      expect(verify(xml, response, IDP_CERT_PEM)).toBe(true)
      expect(verify(xml, only(response, 'Assertion'), IDP_CERT_PEM)).toBe(true)
      expect(/<samlp:Response ID=/.test(xml)).toBe(namespacesOnEnvelope)
    }
  )
})
