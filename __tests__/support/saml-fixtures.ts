/**
 * A builder of realistic (unsigned, but shaped like Okta/ADFS/Entra output) SAML 2.0 Response
 * documents for the parser and pre-flight tests.
 */

export const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol'
export const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion'
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#'
export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success'

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/GitHubDeploy'
export const PROVIDER_ARN = 'arn:aws:iam::123456789012:saml-provider/ExampleIdP'
export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role'
export const SESSION_NAME_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName'
export const DURATION_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/SessionDuration'
export const SOURCE_IDENTITY_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/SourceIdentity'

export const ISSUED = '2024-05-01T12:00:00.000Z'
export const EXPIRES = '2024-05-01T12:05:00.000Z'

export interface Attribute {
  name: string
  values: string[]
}

export interface ResponseOptions {
  /** Prefix of the assertion namespace: 'saml', 'saml2', or '' for a default namespace. */
  prefix?: string
  /** Namespace URI bound to the assertion prefix (to test a wrong URI). */
  assertionNs?: string
  /** Namespace URI bound to the protocol prefix. */
  protocolNs?: string
  /** Local name of the root element. */
  rootName?: string
  /** XML declaration, comments or processing instructions before the root. */
  prolog?: string
  /** The StatusCode Value; null to leave out the Status element. */
  status?: string | null
  responseIssueInstant?: string
  responseIssuer?: string | null
  /** Number of Assertion elements. */
  assertions?: number
  /** Number of EncryptedAssertion elements. */
  encryptedAssertions?: number
  assertionIssueInstant?: string
  issuer?: string | null
  nameId?: string | null
  nameIdFormat?: string | null
  recipient?: string | null
  subjectNotOnOrAfter?: string | null
  notBefore?: string | null
  notOnOrAfter?: string | null
  /** One inner list per AudienceRestriction element. */
  audiences?: string[][]
  attributes?: Attribute[]
}

export const DEFAULT_ATTRIBUTES: Attribute[] = [
  { name: ROLE_ATTRIBUTE, values: [`${ROLE_ARN},${PROVIDER_ARN}`] },
  { name: SESSION_NAME_ATTRIBUTE, values: ['jane.doe@example.com'] },
  { name: DURATION_ATTRIBUTE, values: ['3600'] }
]

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

function attr(name: string, value: string | null | undefined): string {
  return value === null || value === undefined ? '' : ` ${name}="${escapeXml(value)}"`
}

export function samlResponse(options: ResponseOptions = {}): string {
  const o = {
    prefix: 'saml',
    assertionNs: ASSERTION_NS,
    protocolNs: PROTOCOL_NS,
    rootName: 'Response',
    prolog: '<?xml version="1.0" encoding="UTF-8"?>\n',
    status: STATUS_SUCCESS,
    responseIssueInstant: ISSUED,
    responseIssuer: 'http://www.okta.com/exk1abcdEFGH',
    assertions: 1,
    encryptedAssertions: 0,
    assertionIssueInstant: ISSUED,
    issuer: 'http://www.okta.com/exk1abcdEFGH',
    nameId: 'jane.doe@example.com',
    nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    recipient: 'https://signin.aws.amazon.com/saml',
    subjectNotOnOrAfter: EXPIRES,
    notBefore: '2024-05-01T11:55:00.000Z',
    notOnOrAfter: EXPIRES,
    audiences: [['https://signin.aws.amazon.com/saml']],
    attributes: DEFAULT_ATTRIBUTES,
    ...options
  }
  // With a default namespace, assertion elements carry no prefix and declare it themselves.
  const a = (name: string): string => (o.prefix ? `${o.prefix}:${name}` : name)
  const declare = o.prefix ? ` xmlns:${o.prefix}="${o.assertionNs}"` : ` xmlns="${o.assertionNs}"`
  const declareOnEach = o.prefix ? '' : declare

  // The Response's Issuer declares the assertion namespace itself, as Okta and Entra write it.
  const issuer = (value: string | null, ns: string): string =>
    value === null ? '' : `<${a('Issuer')}${ns}>${escapeXml(value)}</${a('Issuer')}>`

  const status =
    o.status === null
      ? ''
      : `<samlp:Status><samlp:StatusCode Value="${escapeXml(o.status)}"/></samlp:Status>`

  const subject = [
    `<${a('Subject')}>`,
    o.nameId === null
      ? ''
      : `<${a('NameID')}${attr('Format', o.nameIdFormat)}>${escapeXml(o.nameId)}</${a('NameID')}>`,
    `<${a('SubjectConfirmation')} Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">`,
    `<${a('SubjectConfirmationData')}${attr('NotOnOrAfter', o.subjectNotOnOrAfter)}${attr('Recipient', o.recipient)}/>`,
    `</${a('SubjectConfirmation')}>`,
    `</${a('Subject')}>`
  ].join('\n')

  const conditions = [
    `<${a('Conditions')}${attr('NotBefore', o.notBefore)}${attr('NotOnOrAfter', o.notOnOrAfter)}>`,
    ...o.audiences.map(
      list =>
        `<${a('AudienceRestriction')}>${list
          .map(audience => `<${a('Audience')}>${escapeXml(audience)}</${a('Audience')}>`)
          .join('')}</${a('AudienceRestriction')}>`
    ),
    `</${a('Conditions')}>`
  ].join('\n')

  const attributes = [
    `<${a('AttributeStatement')}>`,
    ...o.attributes.map(attribute =>
      [
        `<${a('Attribute')} Name="${escapeXml(attribute.name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">`,
        ...attribute.values.map(
          value =>
            `<${a('AttributeValue')} xmlns:xs="http://www.w3.org/2001/XMLSchema" ` +
            `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">` +
            `${escapeXml(value)}</${a('AttributeValue')}>`
        ),
        `</${a('Attribute')}>`
      ].join('\n')
    ),
    `</${a('AttributeStatement')}>`
  ].join('\n')

  const assertion = (index: number): string =>
    [
      `<${a('Assertion')}${declare} ID="_assertion${index}" IssueInstant="${o.assertionIssueInstant}" Version="2.0">`,
      issuer(o.issuer, declareOnEach),
      `<ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo><ds:Reference URI="#_assertion${index}"/></ds:SignedInfo>` +
        '<ds:SignatureValue>c2lnbmF0dXJl</ds:SignatureValue></ds:Signature>',
      subject,
      conditions,
      `<${a('AuthnStatement')} AuthnInstant="${ISSUED}" SessionIndex="_session1">` +
        `<${a('AuthnContext')}><${a('AuthnContextClassRef')}>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</${a('AuthnContextClassRef')}></${a('AuthnContext')}>` +
        `</${a('AuthnStatement')}>`,
      attributes,
      `</${a('Assertion')}>`
    ].join('\n')

  const encrypted = (index: number): string =>
    `<${a('EncryptedAssertion')}${declare}><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" ` +
    `Id="_enc${index}" Type="http://www.w3.org/2001/04/xmlenc#Element"><xenc:CipherData>` +
    `<xenc:CipherValue>Y2lwaGVydGV4dA==</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></${a('EncryptedAssertion')}>`

  const root = `samlp:${o.rootName}`
  return [
    `${o.prolog}<${root} xmlns:samlp="${o.protocolNs}" ID="_response1" Version="2.0" ` +
      `IssueInstant="${o.responseIssueInstant}" Destination="https://signin.aws.amazon.com/saml">`,
    issuer(o.responseIssuer, declare),
    status,
    ...Array.from({ length: o.assertions }, (_, i) => assertion(i + 1)),
    ...Array.from({ length: o.encryptedAssertions }, (_, i) => encrypted(i + 1)),
    `</${root}>`,
    ''
  ].join('\n')
}
