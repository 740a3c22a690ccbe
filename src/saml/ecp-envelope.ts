import type { Element } from '@xmldom/xmldom'
import { preflightError } from '../errors/preflight-error.js'
import { parseXmlDocument } from './xml-document.js'

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
  const root = parseXmlDocument(xml).documentElement
  const soapNs = root?.namespaceURI ?? ''
  if (!root || !SOAP_NS.includes(soapNs) || root.localName !== 'Envelope') {
    throw preflightError('not-saml-response', 'the root element is an Envelope but not SOAP')
  }
  const bodies = elementChildren(root).filter(
    e => e.namespaceURI === soapNs && e.localName === 'Body'
  )
  const body = bodies.length === 1 ? bodies[0] : undefined
  const inBody = body ? elementChildren(body) : []
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
  const [start, end] = elementRange(xml, [root.tagName, body.tagName, response.tagName])
  const text = xml.slice(start, end)
  const inherited = inheritedDeclarations(response)
  if (inherited === '') return text
  const nameEnd = 1 + response.tagName.length
  return text.slice(0, nameEnd) + inherited + text.slice(nameEnd)
}

function elementChildren(parent: Element): Element[] {
  const found: Element[] = []
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) found.push(node as Element)
  }
  return found
}

/**
 * ` xmlns:p="…"` for each declaration made outside the element that the element or its content
 * uses (in an element or attribute name, an xsi:type value, or a signature's PrefixList). Only those: an IdP signs the
 * Response before wrapping it, so declarations it never used must not appear in it.
 */
function inheritedDeclarations(response: Element): string {
  const needed = new Map<string, string>()
  const visit = (element: Element): void => {
    const prefixes = [element.prefix ?? '']
    for (let i = 0; i < element.attributes.length; i++) {
      const attribute = element.attributes.item(i)
      if (!attribute || attribute.name === 'xmlns' || attribute.prefix === 'xmlns') continue
      if (attribute.prefix) prefixes.push(attribute.prefix)
      if (attribute.localName === 'type' && attribute.namespaceURI === XSI_NS) {
        const typePrefix = /^([\w.-]+):/.exec(attribute.value)?.[1]
        if (typePrefix) prefixes.push(typePrefix)
      }
    }
    // A signature's InclusiveNamespaces PrefixList (Okta lists xs) makes exclusive
    // canonicalisation render those declarations too, used or not; they must stay in scope.
    if (element.localName === 'InclusiveNamespaces' && element.namespaceURI === EXC_C14N_NS) {
      for (const listed of (element.getAttribute('PrefixList') ?? '').split(/\s+/)) {
        if (listed !== '') prefixes.push(listed === '#default' ? '' : listed)
      }
    }
    for (const prefix of prefixes) {
      if (prefix === 'xml') continue
      const name = prefix ? `xmlns:${prefix}` : 'xmlns'
      const declaredBy = declaring(element, name)
      if (declaredBy && !within(declaredBy, response)) {
        needed.set(name, declaredBy.getAttribute(name) ?? '')
      }
    }
    elementChildren(element).forEach(visit)
  }
  visit(response)
  const escape = (value: string): string =>
    value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return [...needed].map(([name, value]) => ` ${name}="${escape(value)}"`).join('')
}

/** The nearest element, from this one up, that declares `name` (xmlns or xmlns:p). */
function declaring(element: Element, name: string): Element | undefined {
  for (let node: Element | undefined = element; node; node = parentElement(node)) {
    if (node.hasAttribute(name)) return node
  }
  return undefined
}

function within(node: Element, ancestor: Element): boolean {
  for (let n: Element | undefined = node; n; n = parentElement(n)) if (n === ancestor) return true
  return false
}

function parentElement(node: Element): Element | undefined {
  const parent = node.parentNode
  return parent && parent.nodeType === parent.ELEMENT_NODE ? (parent as Element) : undefined
}

/**
 * Start and end offsets of the one element reached by this path of qualified names from the
 * document element. The document has already parsed, so a simple scan over its markup suffices:
 * comments, CDATA and processing instructions are skipped, and `>` inside quoted attribute values
 * does not end a tag.
 */
function elementRange(xml: string, path: string[]): [number, number] {
  const stack: string[] = []
  let start = -1
  const found: [number, number][] = []
  let i = 0
  for (;;) {
    i = xml.indexOf('<', i)
    if (i === -1) break
    const skip = (open: string, close: string): boolean => {
      if (!xml.startsWith(open, i)) return false
      const at = xml.indexOf(close, i + open.length)
      i = at === -1 ? xml.length : at + close.length
      return true
    }
    if (skip('<!--', '-->') || skip('<![CDATA[', ']]>') || skip('<?', '?>')) continue
    const tagEnd = endOfTag(xml, i)
    const closing = xml[i + 1] === '/'
    const name = /^<\/?([^\s/>]+)/.exec(xml.slice(i, tagEnd))?.[1] ?? ''
    if (closing) {
      stack.pop()
      if (start !== -1 && stack.length === path.length - 1) {
        found.push([start, tagEnd])
        start = -1
      }
    } else {
      const selfClosing = xml[tagEnd - 2] === '/'
      const matches =
        stack.length === path.length - 1 &&
        name === path[path.length - 1] &&
        stack.every((ancestor, depth) => ancestor === path[depth])
      if (matches && selfClosing) found.push([i, tagEnd])
      else if (matches) start = i
      if (!selfClosing) stack.push(name)
    }
    i = tagEnd
  }
  const only = found.length === 1 ? found[0] : undefined
  if (!only) {
    throw preflightError(
      'not-saml-response',
      'the samlp:Response in the SOAP envelope is ambiguous'
    )
  }
  return only
}

/** Offset just past the `>` that ends the tag starting at `from`, skipping quoted values. */
function endOfTag(xml: string, from: number): number {
  let quoteChar = ''
  for (let j = from + 1; j < xml.length; j++) {
    const c = xml[j]
    if (quoteChar) {
      if (c === quoteChar) quoteChar = ''
    } else if (c === '"' || c === "'") {
      quoteChar = c
    } else if (c === '>') {
      return j + 1
    }
  }
  return xml.length
}
