import { parseXml, XmlElement, XmlError } from '@rgrove/parse-xml'
import { preflightError } from '../errors/preflight-error.js'
import { quote } from '../util/log-safety.js'

const XML_NS = 'http://www.w3.org/XML/1998/namespace'
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

/**
 * Deeper nesting is refused. SAML documents nest about a dozen levels; the parser recurses once
 * per level, so without a bound a deep document would exhaust the stack.
 */
export const MAX_DEPTH = 256

/** An attribute, namespace resolved. */
export interface XmlAttribute {
  /** The name as written, prefix included. */
  readonly name: string
  /** '' when the name has no prefix. */
  readonly prefix: string
  readonly localName: string
  /** null for an unprefixed attribute: a default namespace does not apply to attributes. */
  readonly namespaceURI: string | null
  readonly value: string
}

/** An element of a parsed document, namespace resolved. All names and text are untrusted. */
export interface XmlNode {
  /** The name as written, prefix included. */
  readonly name: string
  /** '' when the name has no prefix. */
  readonly prefix: string
  readonly localName: string
  /** null when the element is in no namespace. */
  readonly namespaceURI: string | null
  readonly attributes: readonly XmlAttribute[]
  /** The element children, in document order. */
  readonly children: readonly XmlNode[]
  readonly parent: XmlNode | undefined
  /** Offsets of the element's first and just past its last character in the parsed string. */
  readonly start: number
  readonly end: number
  /** The text content: every descendant's text and CDATA, concatenated (comments left out). */
  readonly text: string
  /** The value of the attribute of this name as written (prefix included), if present. */
  attribute(name: string): string | undefined
  /** The namespace declared on this element itself for a prefix ('' for xmlns), if any. */
  declared(prefix: string): string | undefined
}

/** A parsed document: only its root element matters here. */
export interface XmlDocument {
  readonly root: XmlNode
}

class Element implements XmlNode {
  readonly children: Element[] = []
  namespaceURI: string | null = null
  attributes: XmlAttribute[] = []
  constructor(
    private readonly source: XmlElement,
    readonly parent: Element | undefined,
    readonly name: string,
    readonly prefix: string,
    readonly localName: string,
    readonly start: number,
    readonly end: number,
    private readonly declarations: Map<string, string> | undefined
  ) {}

  get text(): string {
    return this.source.text
  }

  attribute(name: string): string | undefined {
    // parse-xml keeps attributes in an object without a prototype: no inherited names.
    return this.source.attributes[name]
  }

  declared(prefix: string): string | undefined {
    return this.declarations?.get(prefix)
  }
}

/** Where the parser gave up, and on what; the token is markup from untrusted input (quote it). */
interface ParseFault {
  at?: number
  reason: string
  token?: string
}

class Malformed extends Error {
  constructor(readonly fault: ParseFault) {
    super(fault.reason)
  }
}

/**
 * Parse untrusted XML safely. A DOCTYPE is refused outright, so no entity (internal or external)
 * can be declared or expanded; any entity other than the five predefined ones is an error.
 * Namespaces are resolved as XML Namespaces 1.0 says; an undeclared prefix is an error. A
 * malformed document is reported with a line and column, a fixed phrase and at most the offending
 * markup name, never the parser's own message: that quotes the input, and text content in an
 * assertion can be secret.
 */
export function parseXmlDocument(xml: string): XmlDocument {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw preflightError('unsafe-xml')
  try {
    let root: XmlElement | null
    try {
      root = parseXml(xml, { includeOffsets: true }).root
    } catch (error) {
      throw new Malformed(fromParser(xml, error))
    }
    if (!root) throw new Malformed({ reason: 'no root element' })
    return { root: resolve(xml, root) }
  } catch (error) {
    const fault = error instanceof Malformed ? error.fault : undefined
    throw preflightError('not-saml-response', `the XML is not well-formed${describe(xml, fault)}`)
  }
}

/**
 * The namespace-resolved view of the tree, built without recursion, in document order (so the
 * first fault in the document is the one reported).
 */
function resolve(xml: string, sourceRoot: XmlElement): Element {
  const root = resolveElement(xml, sourceRoot, undefined)
  // Parallel stacks of what is left to visit: a source element, its parent's view, its depth.
  const sources: XmlElement[] = []
  const parents: Element[] = []
  const depths: number[] = []
  const pushChildren = (source: XmlElement, parent: Element, depth: number): void => {
    for (let i = source.children.length - 1; i >= 0; i--) {
      const child = source.children[i]
      if (child instanceof XmlElement) {
        sources.push(child)
        parents.push(parent)
        depths.push(depth + 1)
      }
    }
  }
  pushChildren(sourceRoot, root, 1)
  for (let source = sources.pop(); source; source = sources.pop()) {
    const parent = parents.pop()!
    const depth = depths.pop()!
    if (depth > MAX_DEPTH) throw tagFault(xml, source.start, 'nested too deeply')
    const element = resolveElement(xml, source, parent)
    parent.children.push(element)
    pushChildren(source, element, depth)
  }
  return root
}

function resolveElement(xml: string, source: XmlElement, parent: Element | undefined): Element {
  const at = source.start
  const attributes = source.attributes
  const names = Object.keys(attributes)

  let declarations: Map<string, string> | undefined
  for (const name of names) {
    if (!isDeclaration(name)) continue
    const value = attributes[name] ?? ''
    const prefix = name === 'xmlns' ? '' : name.slice(6)
    if (name !== 'xmlns' && !isNcName(prefix)) throw attributeFault(xml, at, 'malformed name', name)
    // The two reserved namespaces: xml is bound to its own and nothing else; xmlns never.
    const reserved =
      prefix === 'xmlns' || value === XMLNS_NS || (prefix === 'xml') !== (value === XML_NS)
    if (reserved) throw attributeFault(xml, at, 'misused reserved namespace', name)
    declarations ??= new Map()
    declarations.set(prefix, value)
  }

  const [prefix, localName] = splitName(source.name) ?? []
  if (prefix === undefined || localName === undefined) throw tagFault(xml, at, 'malformed name')
  const element = new Element(
    source,
    parent,
    source.name,
    prefix,
    localName,
    at,
    Math.min(source.end, xml.length),
    declarations
  )
  const namespace = lookup(element, prefix)
  if (namespace === undefined) {
    const reason = prefix === 'xmlns' ? 'misused reserved namespace' : 'undeclared namespace prefix'
    throw tagFault(xml, at, reason)
  }
  element.namespaceURI = namespace

  let seen: Set<string> | undefined
  for (const name of names) {
    const value = attributes[name] ?? ''
    if (isDeclaration(name)) {
      const declaresDefault = name === 'xmlns'
      element.attributes.push({
        name,
        prefix: declaresDefault ? '' : 'xmlns',
        localName: declaresDefault ? name : name.slice(6),
        namespaceURI: XMLNS_NS,
        value
      })
      continue
    }
    const colon = name.indexOf(':')
    if (colon === -1) {
      element.attributes.push({ name, prefix: '', localName: name, namespaceURI: null, value })
      continue
    }
    const [attributePrefix, attributeLocal] = splitName(name) ?? []
    if (attributePrefix === undefined || attributeLocal === undefined) {
      throw attributeFault(xml, at, 'malformed name', name)
    }
    const found = lookup(element, attributePrefix)
    if (found === undefined || found === null) {
      throw attributeFault(xml, at, 'undeclared namespace prefix', name)
    }
    // Two prefixes for one namespace can give one attribute twice under different names.
    const key = `${found} ${attributeLocal}`
    seen ??= new Set()
    if (seen.has(key)) throw tagFault(xml, at, 'an attribute appears twice')
    seen.add(key)
    element.attributes.push({
      name,
      prefix: attributePrefix,
      localName: attributeLocal,
      namespaceURI: found,
      value
    })
  }
  return element
}

function isDeclaration(name: string): boolean {
  return name.startsWith('xmlns') && (name.length === 5 || name[5] === ':')
}

/** A fault in the start tag at `at`, shown by the tag's name. */
function tagFault(xml: string, at: number, reason: string): Malformed {
  return new Malformed({ at, reason, token: tokenAt(xml, `<${NAME}`, at) })
}

/** A fault in one attribute of the start tag at `tagStart`, shown by the attribute's name. */
function attributeFault(xml: string, tagStart: number, reason: string, name: string): Malformed {
  const at = attributeOffset(xml, tagStart, name)
  return new Malformed({ at, reason, token: tokenAt(xml, NAME, at) })
}

/** The namespace a prefix stands for here: null for no namespace, undefined if undeclared. */
function lookup(element: Element, prefix: string): string | null | undefined {
  if (prefix === 'xml') return XML_NS
  if (prefix === 'xmlns') return undefined
  for (let e: Element | undefined = element; e; e = e.parent) {
    const declared = e.declared(prefix)
    // An empty value undeclares: the default namespace becomes none, a prefix unusable.
    if (declared !== undefined)
      return declared === '' ? (prefix === '' ? null : undefined) : declared
  }
  return prefix === '' ? null : undefined
}

/** [prefix, local name] of a qualified name, or undefined when it is not one (`a:b:c`, `:a`). */
function splitName(name: string): [string, string] | undefined {
  const colon = name.indexOf(':')
  if (colon === -1) return ['', name]
  const prefix = name.slice(0, colon)
  const local = name.slice(colon + 1)
  return isNcName(prefix) && isNcName(local) ? [prefix, local] : undefined
}

function isNcName(name: string): boolean {
  if (name === '' || name.includes(':')) return false
  // The parser has checked the characters of the whole name; a part after a colon must also start
  // with a character that may start a name.
  const c = name.charCodeAt(0)
  const nameCharOnly =
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0xb7 ||
    (c >= 0x300 && c <= 0x36f) ||
    c === 0x203f ||
    c === 0x2040
  return !nameCharOnly
}

/** Offset of the attribute `name` in the well-formed start tag at `tagStart`. */
function attributeOffset(xml: string, tagStart: number, name: string): number {
  const tagName = /<[^\s/>]+/y
  tagName.lastIndex = tagStart
  if (!tagName.exec(xml)) return tagStart
  const attribute = /\s+([^\s=]+)\s*=\s*(?:"[^"]*"|'[^']*')/y
  attribute.lastIndex = tagName.lastIndex
  for (let m = attribute.exec(xml); m; m = attribute.exec(xml)) {
    if (m[1] === name) return m.index + m[0].indexOf(name)
  }
  return tagStart
}

/** A markup name as shown in a fault: plain characters, bounded, so it cannot carry much. */
const NAME = '[A-Za-z_:][\\w.:-]{0,80}'

/** The parser's message names the kind of fault; only a fixed phrase for it is shown. */
type Where = 'here' | 'tag' | 'end-tag' | 'entity' | 'reference' | 'comment' | 'after-root' | 'root'
const REASONS: [RegExp, string, Where][] = [
  [/^Missing end tag/, 'tags do not match', 'end-tag'],
  [/^Unclosed end tag/, 'malformed end tag', 'tag'],
  [/^Unclosed start tag/, 'malformed start tag', 'tag'],
  [/^Duplicate attribute/, 'an attribute appears twice', 'tag'],
  [
    /^(Attribute value|Unclosed attribute|Unescaped `<`|Value of the `xml:space`)/,
    'malformed attribute',
    'tag'
  ],
  [/^Named entity isn't defined/, 'unknown entity', 'entity'],
  [
    /^(Unterminated reference|Invalid character reference|Character reference)/,
    'malformed reference',
    'reference'
  ],
  [/^Root element is missing/, 'no root element', 'root'],
  [/^Extra content at the end/, 'more than one root element', 'after-root'],
  [/^XML declaration isn't allowed here/, 'misplaced XML declaration', 'here'],
  [
    /^(Invalid XML declaration|XML version|Invalid character in (version|encoding)|Only "yes" and "no"|Invalid or unclosed XML declaration)/,
    'malformed XML declaration',
    'here'
  ],
  [
    /^(Invalid processing instruction|Whitespace is required after a processing|Unterminated processing)/,
    'malformed processing instruction',
    'here'
  ],
  [/^(Unclosed comment|The string `--`)/, 'malformed comment', 'comment'],
  [
    /^(Unclosed CDATA|Element content may not contain the CDATA)/,
    'malformed CDATA section',
    'here'
  ],
  [/^Invalid character$/, 'a character XML does not allow', 'here']
]

function fromParser(xml: string, error: unknown): ParseFault {
  // The parser recurses per level: past a few thousand the stack runs out (a RangeError), or a
  // larger stack lets it reach a fault further on. Either way the first fault is the nesting.
  const deep = tooDeep(xml)
  const nestedTooDeeply = (): ParseFault => ({
    at: deep,
    reason: 'nested too deeply',
    token: tokenAt(xml, `<${NAME}`, deep ?? 0)
  })
  if (error instanceof RangeError)
    return deep === undefined ? { reason: 'malformed markup' } : nestedTooDeeply()
  if (!(error instanceof XmlError)) return { reason: 'malformed markup' }
  // Only the message's first words are read: after them it quotes the input.
  const kind = error.message.replace(/ \(line \d+, column \d+\)[\s\S]*$/, '')
  const [, reason = 'malformed markup', where = 'here'] =
    REASONS.find(([pattern]) => pattern.test(kind)) ?? []
  const at = codePointsToOffset(xml, error.pos)
  if (deep !== undefined && deep < at) return nestedTooDeeply()
  switch (where) {
    case 'end-tag':
      return { at, reason, token: tokenAt(xml, `</${NAME}`, at) }
    case 'tag': {
      // No '<' can occur inside a tag, so the last one before the fault starts it.
      const start = Math.max(xml.lastIndexOf('<', at - 1), 0)
      return { at: start, reason, token: tokenAt(xml, `</?${NAME}`, start) }
    }
    case 'reference':
      // Its text is not shown (it may be content, a password's `&` and what follows), only where.
      return { at: Math.max(xml.lastIndexOf('&', at - 1), 0), reason }
    case 'comment':
      return { at: Math.max(xml.lastIndexOf('<!--', at), 0), reason }
    case 'entity':
      return { at, reason, token: tokenAt(xml, '&[\\w.:-]{1,60};', at) }
    case 'after-root': {
      const token = tokenAt(xml, `<${NAME}`, at)
      return token ? { at, reason, token } : { at, reason: 'text after the root element' }
    }
    case 'root':
      // Text where the root element should be is left unlocated: it is content, not markup.
      return xml[at] === '<' ? { at, reason: 'malformed markup' } : { reason }
    default:
      return { at, reason }
  }
}

/** The markup name matching `pattern` at `from`, if any. */
function tokenAt(xml: string, pattern: string, from: number): string | undefined {
  const sticky = new RegExp(pattern, 'y')
  sticky.lastIndex = from
  return sticky.exec(xml)?.[0]
}

function describe(xml: string, fault: ParseFault | undefined): string {
  if (!fault) return ''
  let where = ''
  if (fault.at !== undefined) {
    const { line, column } = lineAndColumn(xml, fault.at)
    where = ` at line ${line}, column ${column}`
  }
  const token = fault.token === undefined ? '' : `, at ${quote(fault.token)}`
  return ` (${fault.reason}${where}${token})`
}

/** Line and column (in UTF-16 units, as editors count) of an offset; CRLF, CR and LF end lines. */
function lineAndColumn(xml: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < xml.length; i++) {
    const c = xml.charCodeAt(i)
    if (c === 10 || (c === 13 && xml.charCodeAt(i + 1) !== 10)) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

/** The parser counts positions in code points; the string is indexed in UTF-16 units. */
function codePointsToOffset(xml: string, codePoints: number): number {
  if (!/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(xml)) return codePoints
  let offset = 0
  for (let n = 0; n < codePoints && offset < xml.length; n++) {
    offset += (xml.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1
  }
  return offset
}

/**
 * Offset of the first start tag nested deeper than MAX_DEPTH. Comments, CDATA and processing
 * instructions are skipped, and `>` inside a quoted attribute value does not end a tag.
 */
function tooDeep(xml: string): number | undefined {
  let depth = 0
  for (let i = xml.indexOf('<'); i !== -1; i = xml.indexOf('<', i)) {
    const skipTo = (open: string, close: string): boolean => {
      if (!xml.startsWith(open, i)) return false
      const at = xml.indexOf(close, i + open.length)
      i = at === -1 ? xml.length : at + close.length
      return true
    }
    if (skipTo('<!--', '-->') || skipTo('<![CDATA[', ']]>') || skipTo('<?', '?>')) continue
    const end = endOfTag(xml, i)
    if (xml[i + 1] === '/') depth--
    else if (depth + 1 > MAX_DEPTH) return i
    else if (xml[end - 2] !== '/') depth++
    i = end
  }
  return undefined
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
