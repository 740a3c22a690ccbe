import { preflightError } from '../errors/preflight-error.js'
import { parseXmlDocument, type XmlNode } from './xml-document.js'

const SOAP_NS = [
  'http://schemas.xmlsoap.org/soap/envelope/', // SOAP 1.1, what the SAML ECP profile uses
  'http://www.w3.org/2003/05/soap-envelope' // SOAP 1.2
]
const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol'
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'
const EXC_C14N_NS = 'http://www.w3.org/2001/10/xml-exc-c14n#'

/** Cheap test, before any parsing: is the document element an `Envelope` (any prefix)? */
export function isSoapEnvelope(xml: string): boolean {
  const start = xml
    .replace(/^\uFEFF?\s*(<\?[\s\S]*?\?>\s*)?/, '')
    .replace(/^(<!--[\s\S]*?-->\s*)*/, '')
  return /^<([A-Za-z_][\w.-]*:)?Envelope[\s/>]/.test(start)
}

/**
 * The samlp:Response inside a SAML ECP SOAP envelope (what an IdP's ECP endpoint returns), as
 * the exact characters of that element in the envelope: the signature covers those bytes, so
 * re-serialising could break it.
 *
 * One addition is needed when the Response relies on namespace declarations made on the envelope
 * (a prefix declared on `S:Envelope` and used inside, say): those declarations are copied onto the
 * Response's start tag, or the extracted element would not even parse. That leaves the signature
 * intact: exclusive canonicalisation (what SAML IdPs sign with) renders a used prefix's
 * declaration on the element that uses it, wherever it was declared. A self-contained Response
 * (the usual case: the IdP signs it, then wraps it) is passed on unchanged.
 */
export function unwrapEnvelope(xml: string): string {
  const { root } = parseXmlDocument(xml)
  const soapNs = root.namespaceURI ?? ''
  if (!SOAP_NS.includes(soapNs) || root.localName !== 'Envelope') {
    throw preflightError('not-saml-response', 'the root element is an Envelope but not SOAP')
  }
  const bodies = root.children.filter(e => e.namespaceURI === soapNs && e.localName === 'Body')
  const body = bodies.length === 1 ? bodies[0] : undefined
  const inBody = body?.children ?? []
  const responses = inBody.filter(e => e.namespaceURI === PROTOCOL_NS && e.localName === 'Response')
  const response = responses.length === 1 ? responses[0] : undefined
  if (!body || !response) {
    const fault = inBody.some(e => e.localName === 'Fault')
    throw preflightError(
      'not-saml-response',
      fault
        ? 'the SOAP envelope holds a Fault from the IdP, not a samlp:Response (the ECP login failed)'
        : `the SOAP envelope holds ${responses.length} samlp:Response elements in its Body; expected exactly one`
    )
  }
  // The parser's offsets: the element's characters exactly as the envelope holds them.
  const text = xml.slice(response.start, response.end)
  const inherited = inheritedDeclarations(response)
  if (inherited === '') return text
  const nameEnd = 1 + response.name.length
  return text.slice(0, nameEnd) + inherited + text.slice(nameEnd)
}

/**
 * ` xmlns:p="…"` for each declaration made outside the element that the element or its content
 * uses (in an element or attribute name, an xsi:type value, or a signature's PrefixList). Only those: an IdP signs the
 * Response before wrapping it, so declarations it never used must not appear in it.
 */
function inheritedDeclarations(response: XmlNode): string {
  const needed = new Map<string, string>()
  // The document's depth is bounded (MAX_DEPTH), so this recursion is too.
  const visit = (element: XmlNode): void => {
    const prefixes = [element.prefix]
    for (const attribute of element.attributes) {
      if (attribute.name === 'xmlns' || attribute.prefix === 'xmlns') continue
      if (attribute.prefix) prefixes.push(attribute.prefix)
      if (attribute.localName === 'type' && attribute.namespaceURI === XSI_NS) {
        const typePrefix = /^([\w.-]+):/.exec(attribute.value)?.[1]
        if (typePrefix) prefixes.push(typePrefix)
      }
    }
    // A signature's InclusiveNamespaces PrefixList (Okta lists xs) makes exclusive
    // canonicalisation render those declarations too, used or not; they must stay in scope.
    if (element.localName === 'InclusiveNamespaces' && element.namespaceURI === EXC_C14N_NS) {
      for (const listed of (element.attribute('PrefixList') ?? '').split(/\s+/)) {
        if (listed !== '') prefixes.push(listed === '#default' ? '' : listed)
      }
    }
    for (const prefix of prefixes) {
      if (prefix === 'xml') continue
      const declaredBy = declaring(element, prefix)
      if (declaredBy && !within(declaredBy, response)) {
        needed.set(prefix ? `xmlns:${prefix}` : 'xmlns', declaredBy.declared(prefix) ?? '')
      }
    }
    element.children.forEach(visit)
  }
  visit(response)
  const escape = (value: string): string =>
    value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return [...needed].map(([name, value]) => ` ${name}="${escape(value)}"`).join('')
}

/** The nearest element, from this one up, that declares the prefix ('' for xmlns). */
function declaring(element: XmlNode, prefix: string): XmlNode | undefined {
  for (let node: XmlNode | undefined = element; node; node = node.parent) {
    if (node.declared(prefix) !== undefined) return node
  }
  return undefined
}

function within(node: XmlNode, ancestor: XmlNode): boolean {
  for (let n: XmlNode | undefined = node; n; n = n.parent) if (n === ancestor) return true
  return false
}
