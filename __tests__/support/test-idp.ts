// A test SAML 2.0 identity provider: issues real, xml-crypto-signed AWS SAML Responses, with a switch
// for every way a Response can be wrong, so tests exercise the same bytes a real IdP would post.
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { SignedXml } from 'xml-crypto'

export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role'
export const ROLE_SESSION_NAME_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName'
export const SESSION_DURATION_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/SessionDuration'
export const SOURCE_IDENTITY_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/SourceIdentity'

export const AWS_SAML_ENDPOINT = 'https://signin.aws.amazon.com/saml'
export const DEFAULT_IDP_ISSUER = 'https://idp.example.test/saml'
export const DEFAULT_ROLE_ARN = 'arn:aws:iam::123456789012:role/Deploy'
export const DEFAULT_PRINCIPAL_ARN = 'arn:aws:iam::123456789012:saml-provider/TestIdP'

export const SAML_PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol'
export const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion'
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#'
export const XMLENC_NS = 'http://www.w3.org/2001/04/xmlenc#'
export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success'
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
const ATTRNAME_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri'
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer'
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256'
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#'
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature'

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')

export const IDP_CERT_PEM = fixture('idp-cert.pem')
export const OTHER_IDP_CERT_PEM = fixture('other-idp-cert.pem')
const IDP_KEY_PEM = fixture('idp-key.pem')
const OTHER_IDP_KEY_PEM = fixture('other-idp-key.pem')

export interface RolePairSpec {
  roleArn: string
  principalArn: string
}

export interface IssueOptions {
  roles?: RolePairSpec[]
  providerFirst?: boolean
  roleValueSpacing?: boolean
  rolesInSeparateAttributes?: boolean
  omitRoleAttribute?: boolean
  roleSessionName?: string | null
  sessionDuration?: number | null
  sourceIdentity?: string | null
  nameId?: string
  nameIdFormat?: string
  issuer?: string
  audiences?: string[]
  recipient?: string
  issueInstant?: Date
  notBefore?: Date
  notOnOrAfter?: Date
  /**
   * Namespace style: `saml:` or `saml2:` declared on the Response; `saml2-local` declares `saml2:`
   * on the Response's Issuer and on the Assertion instead (Okta, Shibboleth); `default-ns` puts
   * the assertion elements in a default namespace (ADFS, Entra ID).
   */
  prefix?: 'saml' | 'saml2' | 'saml2-local' | 'default-ns'
  /** Role attribute values exactly as written, instead of ones built from `roles`. */
  roleValues?: string[]
  /** Put the Role attribute after the other attributes (ADFS, Entra ID send it last). */
  roleAttributeLast?: boolean
  /** AttributeValue without xsi:type (Entra ID). */
  untypedValues?: boolean
  signWhat?: 'assertion' | 'response' | 'both'
  signingKey?: 'idp' | 'other'
  tamper?: boolean
  encrypted?: boolean
  notAResponse?: boolean
  extraAttributes?: Record<string, string[]>
  /** Beyond the brief: a non-Success top-level StatusCode (the IdP refused the login). */
  statusCode?: string
  /** Beyond the brief: indent the XML like some IdPs do (whitespace text nodes are signed too). */
  pretty?: boolean
  /** Wrap the Response in a SAML ECP SOAP envelope, as an IdP's ECP endpoint answers. */
  envelope?: EnvelopeOptions
}

export interface EnvelopeOptions {
  /** The SOAP namespace prefix: Shibboleth writes `soap11`, others `S` or `SOAP-ENV`. */
  soapPrefix?: string
  /**
   * Declare the SAML namespaces on the Envelope instead of the Response, and sign the Response in
   * place, so the Response only parses with the declarations it inherits.
   */
  namespacesOnEnvelope?: boolean
}

export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
export const ECP_NS = 'urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp'

function wrapInEnvelope(response: string, e: EnvelopeOptions, extraDecl: string): string {
  const s = e.soapPrefix ?? 'soap11'
  return (
    `<${s}:Envelope xmlns:${s}="${SOAP11_NS}"${extraDecl}>` +
    `<${s}:Header><ecp:Response xmlns:ecp="${ECP_NS}" ${s}:mustUnderstand="1"` +
    ` ${s}:actor="http://schemas.xmlsoap.org/soap/actor/next"` +
    ` AssertionConsumerServiceURL="${AWS_SAML_ENDPOINT}"/></${s}:Header>` +
    `<${s}:Body>${response}</${s}:Body></${s}:Envelope>`
  )
}

export interface IssuedResponse {
  xml: string
  base64: string
  /** For `encrypted`: the signed Assertion that was "encrypted", for an emulator's decryptEncrypted. */
  plaintextAssertion?: string
}

export interface TestIdp {
  issuer: string
  certPem: string
  issue(opts?: IssueOptions): IssuedResponse
}

export function createTestIdp(opts: { issuer?: string } = {}): TestIdp {
  const issuer = opts.issuer ?? DEFAULT_IDP_ISSUER
  return { issuer, certPem: IDP_CERT_PEM, issue: o => issueResponse(issuer, o ?? {}) }
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

// SAML wants xs:dateTime in UTC; millisecond precision is what most IdPs emit.
const instant = (d: Date): string => d.toISOString()
// IDs must be NCNames (cannot start with a digit), hence the underscore.
const newId = (): string => `_${randomUUID().replace(/-/g, '')}`

interface Names {
  p: string // protocol prefix
  a: (local: string) => string // qualified assertion element name
  assertionNsDecl: string // namespace declaration(s) on the Assertion start tag
  responseNsDecl: string // namespace declaration(s) on the Response start tag
  issuerNsDecl: string // extra declaration on the Response-level Issuer
}

function names(prefix: IssueOptions['prefix']): Names {
  if (prefix === 'saml2-local') {
    const decl = ` xmlns:saml2="${SAML_ASSERTION_NS}"`
    return {
      p: 'saml2p',
      a: l => `saml2:${l}`,
      assertionNsDecl: decl,
      responseNsDecl: ` xmlns:saml2p="${SAML_PROTOCOL_NS}"`,
      issuerNsDecl: decl
    }
  }
  if (prefix === 'default-ns') {
    // ADFS style: assertion elements in a default namespace, protocol elements prefixed.
    const decl = ` xmlns="${SAML_ASSERTION_NS}"`
    return {
      p: 'samlp',
      a: l => l,
      assertionNsDecl: decl,
      responseNsDecl: ` xmlns:samlp="${SAML_PROTOCOL_NS}"`,
      issuerNsDecl: decl
    }
  }
  const a = prefix ?? 'saml'
  const p = a === 'saml2' ? 'saml2p' : 'samlp'
  const decl = ` xmlns:${a}="${SAML_ASSERTION_NS}"`
  return {
    p,
    a: l => `${a}:${l}`,
    assertionNsDecl: decl,
    responseNsDecl: ` xmlns:${p}="${SAML_PROTOCOL_NS}"${decl}`,
    issuerNsDecl: ''
  }
}

function attribute(n: Names, name: string, values: string[], untyped = false): string {
  const typed =
    ' xmlns:xs="http://www.w3.org/2001/XMLSchema"' +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string"'
  const vals = values
    .map(
      v =>
        `<${n.a('AttributeValue')}${untyped ? '' : typed}>` +
        `${escapeXml(v)}</${n.a('AttributeValue')}>`
    )
    .join('')
  return `<${n.a('Attribute')} Name="${escapeXml(name)}" NameFormat="${ATTRNAME_URI}">${vals}</${n.a('Attribute')}>`
}

function roleValue(pair: RolePairSpec, o: IssueOptions): string {
  const [first, second] = o.providerFirst
    ? [pair.principalArn, pair.roleArn]
    : [pair.roleArn, pair.principalArn]
  return o.roleValueSpacing ? `${first} , ${second}` : `${first},${second}`
}

function buildAssertion(issuer: string, o: IssueOptions, n: Names, standalone: boolean): string {
  const issued = o.issueInstant ?? new Date()
  const notBefore = o.notBefore ?? new Date(issued.getTime() - 5_000)
  const notOnOrAfter = o.notOnOrAfter ?? new Date(issued.getTime() + 5 * 60_000)
  const recipient = o.recipient ?? AWS_SAML_ENDPOINT
  const audiences = o.audiences ?? [AWS_SAML_ENDPOINT]
  const roles = o.roles ?? [{ roleArn: DEFAULT_ROLE_ARN, principalArn: DEFAULT_PRINCIPAL_ARN }]
  const nameId = o.nameId ?? 'alice@example.com'
  const sessionName = o.roleSessionName === undefined ? 'alice@example.com' : o.roleSessionName

  const attrs: string[] = []
  const attr = (name: string, values: string[]): string =>
    attribute(n, name, values, o.untypedValues)
  const roleAttrs: string[] = []
  if (!o.omitRoleAttribute) {
    const values = o.roleValues ?? roles.map(r => roleValue(r, o))
    if (o.rolesInSeparateAttributes) {
      for (const v of values) roleAttrs.push(attr(ROLE_ATTRIBUTE, [v]))
    } else {
      roleAttrs.push(attr(ROLE_ATTRIBUTE, values))
    }
  }
  if (!o.roleAttributeLast) attrs.push(...roleAttrs)
  if (sessionName !== null) attrs.push(attr(ROLE_SESSION_NAME_ATTRIBUTE, [sessionName]))
  if (o.sessionDuration != null) {
    attrs.push(attr(SESSION_DURATION_ATTRIBUTE, [String(o.sessionDuration)]))
  }
  if (o.sourceIdentity != null) {
    attrs.push(attr(SOURCE_IDENTITY_ATTRIBUTE, [o.sourceIdentity]))
  }
  for (const [name, values] of Object.entries(o.extraAttributes ?? {})) {
    attrs.push(attr(name, values))
  }
  if (o.roleAttributeLast) attrs.push(...roleAttrs)

  const a = n.a
  // The namespace must be declared on the Assertion itself when it is the document root; when
  // nested, prefixed styles inherit it from the Response, but the default-ns style always redeclares.
  const nsDecl = standalone || n.issuerNsDecl !== '' ? n.assertionNsDecl : ''
  return (
    `<${a('Assertion')}${nsDecl} ID="${newId()}" Version="2.0" IssueInstant="${instant(issued)}">` +
    `<${a('Issuer')}>${escapeXml(o.issuer ?? issuer)}</${a('Issuer')}>` +
    `<${a('Subject')}>` +
    `<${a('NameID')} Format="${escapeXml(o.nameIdFormat ?? PERSISTENT)}">${escapeXml(nameId)}</${a('NameID')}>` +
    `<${a('SubjectConfirmation')} Method="${BEARER}">` +
    `<${a('SubjectConfirmationData')} NotOnOrAfter="${instant(notOnOrAfter)}" Recipient="${escapeXml(recipient)}"/>` +
    `</${a('SubjectConfirmation')}>` +
    `</${a('Subject')}>` +
    `<${a('Conditions')} NotBefore="${instant(notBefore)}" NotOnOrAfter="${instant(notOnOrAfter)}">` +
    `<${a('AudienceRestriction')}>` +
    audiences.map(x => `<${a('Audience')}>${escapeXml(x)}</${a('Audience')}>`).join('') +
    `</${a('AudienceRestriction')}>` +
    `</${a('Conditions')}>` +
    `<${a('AuthnStatement')} AuthnInstant="${instant(issued)}" SessionIndex="${newId()}">` +
    `<${a('AuthnContext')}><${a('AuthnContextClassRef')}>` +
    'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport' +
    `</${a('AuthnContextClassRef')}></${a('AuthnContext')}>` +
    `</${a('AuthnStatement')}>` +
    `<${a('AttributeStatement')}>${attrs.join('')}</${a('AttributeStatement')}>` +
    `</${a('Assertion')}>`
  )
}

function encryptedAssertion(n: Names): string {
  // Opaque on purpose: nobody holds a key for it, so only a decrypt hook can make sense of it.
  const cipher = (bytes: number): string => randomBytes(bytes).toString('base64')
  return (
    `<${n.a('EncryptedAssertion')}${n.issuerNsDecl}>` +
    `<xenc:EncryptedData xmlns:xenc="${XMLENC_NS}" Id="${newId()}" Type="${XMLENC_NS}Element">` +
    `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>` +
    `<ds:KeyInfo xmlns:ds="${XMLDSIG_NS}"><xenc:EncryptedKey>` +
    `<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"/>` +
    `<xenc:CipherData><xenc:CipherValue>${cipher(256)}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${cipher(1536)}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData>` +
    `</${n.a('EncryptedAssertion')}>`
  )
}

const byLocalName = (path: string[]): string => path.map(l => `/*[local-name(.)='${l}']`).join('')

function sign(xml: string, target: string[], signingKey: IssueOptions['signingKey']): string {
  const other = signingKey === 'other'
  const signer = new SignedXml({
    privateKey: other ? OTHER_IDP_KEY_PEM : IDP_KEY_PEM,
    // The signer always embeds its own certificate, as real IdPs do; a verifier must not trust it.
    publicCert: other ? OTHER_IDP_CERT_PEM : IDP_CERT_PEM,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N
  })
  signer.addReference({
    xpath: byLocalName(target),
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: SHA256
  })
  // SAML's schema puts ds:Signature right after the signed element's Issuer.
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: byLocalName([...target, 'Issuer']), action: 'after' }
  })
  return signer.getSignedXml()
}

function tamperNameId(xml: string): string {
  // Changes signed content after signing, so every digest over the NameID breaks.
  const re = /(<(?:[A-Za-z0-9_-]+:)?NameID\b[^>]*>)([^<]*)(<)/
  if (!re.test(xml)) throw new Error('tamper: no NameID to alter')
  return xml.replace(re, (_m, open: string, text: string, close: string) => {
    return `${open}${text === 'mallory@example.com' ? 'eve@example.com' : 'mallory@example.com'}${close}`
  })
}

function indent(xml: string): string {
  // Indents element-only content; text-bearing elements stay on one line.
  let depth = 0
  return xml
    .replace(/>\s*</g, '>\n<')
    .split('\n')
    .map(line => {
      if (/^<\//.test(line)) depth--
      const out = '  '.repeat(Math.max(depth, 0)) + line
      if (/^<[^!?/][^>]*[^/]>$/.test(line) && !/<\//.test(line)) depth++
      return out
    })
    .join('\n')
}

function issueResponse(issuer: string, o: IssueOptions): IssuedResponse {
  const n = names(o.prefix)
  const signWhat = o.signWhat ?? 'assertion'
  const decl = '<?xml version="1.0" encoding="UTF-8"?>'
  let plaintextAssertion: string | undefined

  let xml: string
  if (o.notAResponse) {
    xml = decl + buildAssertion(issuer, o, n, true)
    if (o.pretty) xml = indent(xml)
    xml = sign(xml, ['Assertion'], o.signingKey)
  } else {
    const issued = o.issueInstant ?? new Date()
    let inner: string
    if (o.encrypted) {
      inner = encryptedAssertion(n)
      let plain = buildAssertion(issuer, o, n, true)
      if (signWhat !== 'response') plain = sign(plain, ['Assertion'], o.signingKey)
      plaintextAssertion = plain
    } else {
      inner = buildAssertion(issuer, o, n, false)
    }
    const a = n.a
    const inherit = o.envelope?.namespacesOnEnvelope === true
    const response =
      `<${n.p}:Response${inherit ? '' : n.responseNsDecl} ID="${newId()}" Version="2.0"` +
      ` IssueInstant="${instant(issued)}" Destination="${escapeXml(o.recipient ?? AWS_SAML_ENDPOINT)}">` +
      `<${a('Issuer')}${n.issuerNsDecl}>${escapeXml(o.issuer ?? issuer)}</${a('Issuer')}>` +
      `<${n.p}:Status><${n.p}:StatusCode Value="${escapeXml(o.statusCode ?? STATUS_SUCCESS)}"/></${n.p}:Status>` +
      inner +
      `</${n.p}:Response>`
    xml =
      decl +
      (o.envelope
        ? wrapInEnvelope(response, o.envelope, inherit ? n.responseNsDecl : '')
        : response)
    if (o.pretty) xml = indent(xml)
    // Signed in place: inside an envelope the signature covers the Response as it sits there.
    const path = o.envelope ? ['Envelope', 'Body', 'Response'] : ['Response']
    if (!o.encrypted && (signWhat === 'assertion' || signWhat === 'both')) {
      xml = sign(xml, [...path, 'Assertion'], o.signingKey)
    }
    // Response last, so its signature also covers the assertion's signature ('both').
    if (signWhat === 'response' || signWhat === 'both') {
      xml = sign(xml, path, o.signingKey)
    }
  }
  if (o.tamper) {
    if (o.encrypted) throw new Error('tamper: an encrypted assertion has no NameID to alter')
    xml = tamperNameId(xml)
  }
  const issuedResponse: IssuedResponse = {
    xml,
    base64: Buffer.from(xml, 'utf8').toString('base64')
  }
  if (plaintextAssertion !== undefined) issuedResponse.plaintextAssertion = plaintextAssertion
  return issuedResponse
}
