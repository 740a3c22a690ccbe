import { describe, expect, it } from 'vitest'
import { PREFLIGHT_ERRORS } from '../../src/errors/error-catalog.js'
import { AssertionError } from '../../src/errors/run-errors.js'
import { MAX_DEPTH, parseXmlDocument, type XmlNode } from '../../src/saml/xml-document.js'
import { thrown as thrownBy } from '../support/thrown.js'

const notSaml = PREFLIGHT_ERRORS['not-saml-response']

/** The detail in parentheses after "the XML is not well-formed", or '' when there is none. */
function fault(xml: string): string {
  const error = thrownBy(AssertionError, () => parseXmlDocument(xml))
  const prefix = `${notSaml.problem}: the XML is not well-formed`
  expect(error.message.startsWith(prefix)).toBe(true)
  return error.message.slice(prefix.length, error.message.indexOf(`. ${notSaml.cause}`))
}

const names = (nodes: readonly XmlNode[]): string[] => nodes.map(n => n.name)

describe('parseXmlDocument: the namespace-aware view', () => {
  const xml =
    '<?xml version="1.0"?>\n' +
    '<p:Root xmlns:p="urn:p" xmlns="urn:default" p:flag="1" plain="2" xml:lang="en">' +
    '<Child a="x"><Leaf xmlns="">t1<![CDATA[<t2>]]><!-- c --><?pi x?>t3</Leaf></Child>' +
    '<q:Other xmlns:q="urn:q"/>text</p:Root>'
  const { root } = parseXmlDocument(xml)
  const [child, other] = root.children
  const leaf = child?.children[0]

  it('names every element by prefix, local name and namespace URI', () => {
    expect([root.name, root.prefix, root.localName, root.namespaceURI]).toEqual([
      'p:Root',
      'p',
      'Root',
      'urn:p'
    ])
    expect([child?.prefix, child?.localName, child?.namespaceURI]).toEqual([
      '',
      'Child',
      'urn:default'
    ])
    // xmlns="" takes the default namespace away again.
    expect(leaf?.namespaceURI).toBeNull()
    expect(other?.namespaceURI).toBe('urn:q')
  })

  it('resolves attribute namespaces: a prefix applies, the default namespace does not', () => {
    const byName = new Map(root.attributes.map(a => [a.name, a]))
    expect(byName.get('p:flag')).toEqual({
      name: 'p:flag',
      prefix: 'p',
      localName: 'flag',
      namespaceURI: 'urn:p',
      value: '1'
    })
    expect(byName.get('plain')?.namespaceURI).toBeNull()
    expect(byName.get('xml:lang')?.namespaceURI).toBe('http://www.w3.org/XML/1998/namespace')
    expect(byName.get('xmlns:p')).toMatchObject({
      prefix: 'xmlns',
      localName: 'p',
      namespaceURI: 'http://www.w3.org/2000/xmlns/'
    })
    expect(root.attribute('p:flag')).toBe('1')
    expect(root.attribute('flag')).toBeUndefined()
    expect(root.attribute('toString')).toBeUndefined()
  })

  it('keeps element children in order, with their parent', () => {
    expect(names(root.children)).toEqual(['Child', 'q:Other'])
    expect(child?.parent).toBe(root)
    expect(leaf?.parent).toBe(child)
    expect(root.parent).toBeUndefined()
  })

  it('concatenates text and CDATA for text content, leaving out comments and PIs', () => {
    expect(leaf?.text).toBe('t1<t2>t3')
    expect(root.text).toBe('t1<t2>t3text')
  })

  it('gives the declarations made on each element', () => {
    expect(root.declared('p')).toBe('urn:p')
    expect(root.declared('')).toBe('urn:default')
    expect(leaf?.declared('')).toBe('')
    expect(child?.declared('p')).toBeUndefined()
  })

  it('gives offsets that slice out each element exactly as written', () => {
    expect(xml.slice(root.start, root.end)).toBe(xml.slice(xml.indexOf('<p:Root')))
    expect(xml.slice(other!.start, other!.end)).toBe('<q:Other xmlns:q="urn:q"/>')
    expect(xml.slice(leaf!.start, leaf!.end)).toMatch(/^<Leaf xmlns="">t1.*<\/Leaf>$/)
  })

  it('counts offsets in UTF-16 units past characters outside the BMP', () => {
    const doc = '<r>\u{1F600}\u{1F600}<e a="\u{1F600}">x</e></r>'
    const e = parseXmlDocument(doc).root.children[0]!
    expect(doc.slice(e.start, e.end)).toBe('<e a="\u{1F600}">x</e>')
  })

  it('decodes the predefined entities and character references, in text and attributes', () => {
    const doc = parseXmlDocument(
      '<r a="&lt;&amp;&#9;&#x41;&quot;">&lt;&gt;&amp;&quot;&apos;&#64;&#x1F600;</r>'
    )
    expect(doc.root.text).toBe('<>&"\'@\u{1F600}')
    expect(doc.root.attribute('a')).toBe('<&\tA"')
  })

  it('accepts a byte order mark before the XML declaration', () => {
    expect(parseXmlDocument('\uFEFF<?xml version="1.0"?><r/>').root.name).toBe('r')
  })
})

describe('parseXmlDocument: namespace faults', () => {
  it.each([
    [
      'an undeclared element prefix',
      '<r>\n <x:e/></r>',
      ' (undeclared namespace prefix at line 2, column 2, at "<x:e")'
    ],
    [
      'an undeclared attribute prefix',
      '<r  x:a="1"/>',
      ' (undeclared namespace prefix at line 1, column 5, at "x:a")'
    ],
    [
      'a prefix undeclared with xmlns:p=""',
      '<p:r xmlns:p="urn:p"><p:e xmlns:p=""/></p:r>',
      ' (undeclared namespace prefix at line 1, column 22, at "<p:e")'
    ],
    [
      'an attribute given twice through two prefixes of one namespace',
      '<r xmlns:a="urn:x" xmlns:b="urn:x" a:id="1" b:id="2"/>',
      ' (an attribute appears twice at line 1, column 1, at "<r")'
    ],
    [
      'the xml prefix bound elsewhere',
      '<r xmlns:xml="urn:x"/>',
      ' (misused reserved namespace at line 1, column 4, at "xmlns:xml")'
    ],
    [
      'the xmlns prefix declared',
      '<r xmlns:xmlns="urn:x"/>',
      ' (misused reserved namespace at line 1, column 4, at "xmlns:xmlns")'
    ],
    [
      'another prefix bound to the XML namespace',
      '<r xmlns:x="http://www.w3.org/XML/1998/namespace"/>',
      ' (misused reserved namespace at line 1, column 4, at "xmlns:x")'
    ],
    [
      'an element in the xmlns prefix',
      '<xmlns:r/>',
      ' (misused reserved namespace at line 1, column 1, at "<xmlns:r")'
    ],
    [
      'a name with two colons',
      '<a:b:c xmlns:a="urn:a"/>',
      ' (malformed name at line 1, column 1, at "<a:b:c")'
    ],
    ['a name ending in a colon', '<r><b:/></r>', ' (malformed name at line 1, column 4, at "<b:")'],
    [
      'an attribute name with an empty prefix',
      '<r :a="1"/>',
      ' (malformed name at line 1, column 4, at ":a")'
    ]
  ])('refuses %s', (_label, xml, detail) => {
    expect(fault(xml)).toBe(detail)
  })

  it('accepts a prefix bound again deeper, and xml: without a declaration', () => {
    const { root } = parseXmlDocument(
      '<p:r xmlns:p="urn:one" xml:space="preserve"><p:e xmlns:p="urn:two"/><p:f/></p:r>'
    )
    expect(root.children.map(e => e.namespaceURI)).toEqual(['urn:two', 'urn:one'])
  })
})

describe('parseXmlDocument: located faults that show markup, never text', () => {
  const secret = 'SECRET-value'
  it.each([
    [
      'an undefined entity in an attribute',
      `<r a="${secret}&foo;"/>`,
      ' (unknown entity at line 1, column 19, at "&foo;")'
    ],
    [
      'an unterminated reference',
      `<r>${secret} & more</r>`,
      ' (malformed reference at line 1, column 17)'
    ],
    [
      'an unterminated reference that looks like a word',
      `<r>p&${secret}</r>`,
      ' (malformed reference at line 1, column 5)'
    ],
    [
      'a character reference to a character XML does not allow',
      '<r>&#0;</r>',
      ' (malformed reference at line 1, column 4)'
    ],
    [
      'a control character',
      `<r>${secret}\u0001</r>`,
      ' (a character XML does not allow at line 1, column 16)'
    ],
    [
      'text after the root element',
      `<r/>${secret}`,
      ' (text after the root element at line 1, column 5)'
    ],
    [
      'a comment that is not closed',
      `<r>${secret}<!-- </r>`,
      ' (malformed comment at line 1, column 16)'
    ],
    [
      'an attribute without quotes',
      `<r a=${secret}/>`,
      ' (malformed attribute at line 1, column 1, at "<r")'
    ],
    [
      'a start tag that is not closed',
      `<r><e a="${secret}" <f/></e></r>`,
      ' (malformed start tag at line 1, column 4, at "<e")'
    ],
    [
      'an end tag with an attribute',
      `<r>${secret}</r a="1">`,
      ' (malformed end tag at line 1, column 16, at "</r")'
    ],
    [
      'an XML declaration that is not first',
      `\n<?xml version="1.0"?><r>${secret}</r>`,
      ' (misplaced XML declaration at line 2, column 1)'
    ],
    [
      'a CDATA end in text',
      `<r>${secret}]]></r>`,
      ' (malformed CDATA section at line 1, column 16)'
    ],
    [
      'CRLF line ends',
      `<r>\r\n<a>\r\n${secret}</b></r>`,
      ' (tags do not match at line 3, column 13, at "</b")'
    ],
    [
      'CR line ends',
      `<r>\r<a>\r${secret}</b></r>`,
      ' (tags do not match at line 3, column 13, at "</b")'
    ],
    [
      'characters outside the BMP before the fault (columns in UTF-16 units, as editors count)',
      `<r>\u{1F600}\u{1F600}${secret}&nope;</r>`,
      ' (unknown entity at line 1, column 20, at "&nope;")'
    ],
    [
      'a document that ends inside a start tag',
      '<r a="1"',
      ' (malformed start tag at line 1, column 1, at "<r")'
    ],
    [
      'a document that ends inside an element',
      `<r><e>${secret}`,
      ' (tags do not match at line 1, column 7)'
    ],
    ['only a comment', '<!-- c -->', ' (no root element)'],
    ['a root that is not an element', '<1r/>', ' (malformed markup at line 1, column 1)']
  ])('refuses %s', (_label, xml, detail) => {
    expect(fault(xml)).toBe(detail)
    expect(thrownBy(AssertionError, () => parseXmlDocument(xml)).message).not.toContain('SECRET')
  })
})

describe('parseXmlDocument: nesting', () => {
  const nested = (depth: number, closed = true): string =>
    '<a>'.repeat(depth) + (closed ? '</a>'.repeat(depth) : '')

  it(`accepts elements nested ${MAX_DEPTH} deep`, () => {
    let node: XmlNode | undefined = parseXmlDocument(nested(MAX_DEPTH)).root
    let depth = 0
    for (; node; node = node.children[0]) depth++
    expect(depth).toBe(MAX_DEPTH)
  })

  const prolog = '<a x=">"><!-- <b> --><![CDATA[<c>]]><?p <d>?>'
  it.each([
    ['one level deeper than that', '', nested(MAX_DEPTH + 1)],
    ['100,000 deep (deep enough to exhaust the stack of a recursive parser)', '', nested(100_000)],
    ['100,000 deep and never closed', '', nested(100_000, false)],
    ['100,000 deep, with comments, CDATA and a quoted ">" on the way', prolog, nested(100_000)]
  ])('refuses elements nested %s, saying where, without a crash', (_label, before, after) => {
    // The first element too deep: the root of `before` is one level.
    const column = before.length + (MAX_DEPTH - (before ? 1 : 0)) * 3 + 1
    expect(fault(before + after)).toBe(` (nested too deeply at line 1, column ${column}, at "<a")`)
  })
})
