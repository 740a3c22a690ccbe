import { preflightError } from '../errors/preflight-error.js'
import { parseXmlDocument, type XmlNode } from './xml-document.js'

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol'
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion'
const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success'

export const AWS_ATTRIBUTE = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  sessionDuration: 'https://aws.amazon.com/SAML/Attributes/SessionDuration',
  sourceIdentity: 'https://aws.amazon.com/SAML/Attributes/SourceIdentity'
} as const

/** What the pre-flight checks and the log need from a SAML Response. All text is untrusted. */
export interface SamlResponseInfo {
  encrypted: boolean
  issuer?: string
  nameId?: string
  nameIdFormat?: string
  responseIssueInstant?: Date
  assertionIssueInstant?: Date
  notBefore?: Date
  notOnOrAfter?: Date
  audiences: string[]
  subjectNotOnOrAfter?: Date
  /** Raw values of every Role attribute; undefined when there is no Role attribute at all. */
  roleValues?: string[]
  roleSessionName?: string
  sessionDuration?: string
  sourceIdentity?: string
}

/**
 * Parse a SAML 2.0 Response safely (see parseXmlDocument: no DOCTYPE, located errors). Elements
 * are matched by namespace URI, so any prefix (`saml:`, `saml2:`, a default namespace) works.
 */
export function parseSamlResponse(xml: string): SamlResponseInfo {
  const { root } = parseXmlDocument(xml)
  if (root.namespaceURI !== PROTOCOL_NS || root.localName !== 'Response') {
    throw preflightError(
      'not-saml-response',
      `the root element is <${root.localName}>, not a samlp:Response`
    )
  }

  const statusCode = child(child(root, PROTOCOL_NS, 'Status'), PROTOCOL_NS, 'StatusCode')
  const status = statusCode?.attribute('Value')
  if (status && status !== STATUS_SUCCESS) {
    throw preflightError('idp-status', `status ${JSON.stringify(status)}`)
  }

  const assertions = children(root, ASSERTION_NS, 'Assertion')
  const encrypted = children(root, ASSERTION_NS, 'EncryptedAssertion')
  if (assertions.length + encrypted.length !== 1) {
    throw preflightError(
      'not-saml-response',
      `it holds ${assertions.length + encrypted.length} assertions; AWS expects exactly one`
    )
  }
  const responseInfo = {
    responseIssueInstant: date(root.attribute('IssueInstant')),
    issuer: text(child(root, ASSERTION_NS, 'Issuer'))
  }
  const assertion = assertions[0]
  if (!assertion) return { encrypted: true, audiences: [], ...responseInfo }

  const subject = child(assertion, ASSERTION_NS, 'Subject')
  const nameId = child(subject, ASSERTION_NS, 'NameID')
  const confirmationData = child(
    child(subject, ASSERTION_NS, 'SubjectConfirmation'),
    ASSERTION_NS,
    'SubjectConfirmationData'
  )
  const conditions = child(assertion, ASSERTION_NS, 'Conditions')
  const audiences = children(conditions, ASSERTION_NS, 'AudienceRestriction').flatMap(restriction =>
    children(restriction, ASSERTION_NS, 'Audience').map(text).filter(isString)
  )
  const attributes = readAttributes(assertion)

  return {
    encrypted: false,
    issuer: text(child(assertion, ASSERTION_NS, 'Issuer')) ?? responseInfo.issuer,
    nameId: text(nameId),
    nameIdFormat: nameId?.attribute('Format') || undefined,
    responseIssueInstant: responseInfo.responseIssueInstant,
    assertionIssueInstant: date(assertion.attribute('IssueInstant')),
    notBefore: date(conditions?.attribute('NotBefore')),
    notOnOrAfter: date(conditions?.attribute('NotOnOrAfter')),
    audiences,
    subjectNotOnOrAfter: date(confirmationData?.attribute('NotOnOrAfter')),
    roleValues: attributes.get(AWS_ATTRIBUTE.role),
    roleSessionName: attributes.get(AWS_ATTRIBUTE.roleSessionName)?.[0],
    sessionDuration: attributes.get(AWS_ATTRIBUTE.sessionDuration)?.[0],
    sourceIdentity: attributes.get(AWS_ATTRIBUTE.sourceIdentity)?.[0]
  }
}

/** Attribute values by attribute Name; several attributes of one Name are merged. */
function readAttributes(assertion: XmlNode): Map<string, string[]> {
  const values = new Map<string, string[]>()
  for (const statement of children(assertion, ASSERTION_NS, 'AttributeStatement')) {
    for (const attribute of children(statement, ASSERTION_NS, 'Attribute')) {
      const name = attribute.attribute('Name') ?? ''
      const list = values.get(name) ?? []
      list.push(...children(attribute, ASSERTION_NS, 'AttributeValue').map(v => text(v) ?? ''))
      values.set(name, list)
    }
  }
  return values
}

function children(parent: XmlNode | undefined, ns: string, localName: string): XmlNode[] {
  return (parent?.children ?? []).filter(e => e.namespaceURI === ns && e.localName === localName)
}

function child(parent: XmlNode | undefined, ns: string, localName: string): XmlNode | undefined {
  return children(parent, ns, localName)[0]
}

function text(element: XmlNode | undefined): string | undefined {
  const value = element?.text.trim()
  return value ? value : undefined
}

function date(value: string | undefined): Date | undefined {
  if (!value) return undefined
  const parsed = new Date(value)
  return Number.isNaN(parsed.getTime()) ? undefined : parsed
}

function isString(value: string | undefined): value is string {
  return value !== undefined
}
