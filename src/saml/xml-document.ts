import { DOMParser, type Document } from '@xmldom/xmldom'
import { preflightError } from '../errors/preflight-error.js'
import { quote } from '../util/log-safety.js'

/** Where the parser gave up, and on what; the token is untrusted input (quote it). */
interface ParseFault {
  line?: number
  column?: number
  reason: string
  token?: string
}

/**
 * Parse untrusted XML safely. A DOCTYPE is refused outright, so no entity (internal or external)
 * can be declared or expanded. A malformed document is reported with the parser's line and column
 * and the offending tag or entity name, never the parser's own message: that quotes the input,
 * and text content in an assertion can be secret.
 */
export function parseXmlDocument(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw preflightError('unsafe-xml')
  let fault: ParseFault | undefined
  const parser = new DOMParser({
    locator: true,
    onError: (level, message, context) => {
      if (level === 'warning') return
      const locator = (context as { locator?: { lineNumber?: number; columnNumber?: number } })
        ?.locator
      fault = locate(xml, message, locator?.lineNumber, locator?.columnNumber)
      throw new Error('malformed')
    }
  })
  let doc: Document | undefined
  try {
    doc = parser.parseFromString(xml, 'text/xml')
  } catch {
    // fault is set by onError; anything else thrown is reported without detail.
  }
  if (!doc || fault) {
    throw preflightError('not-saml-response', `the XML is not well-formed${describe(fault)}`)
  }
  return doc
}

function describe(fault: ParseFault | undefined): string {
  if (!fault) return ''
  const where = fault.line && fault.column ? ` at line ${fault.line}, column ${fault.column}` : ''
  const token = fault.token === undefined ? '' : `, at ${quote(fault.token)}`
  return ` (${fault.reason}${where}${token})`
}

/** The parser's message names the kind of fault; only a fixed phrase for it is shown. */
const REASONS: [RegExp, string][] = [
  [
    /prefix is non-null and namespace is null|namespace.*prefix|unbound/i,
    'undeclared namespace prefix'
  ],
  [/tag mismatch|end tag|unclosed|not closed/i, 'tags do not match'],
  [/redefined|duplicate/i, 'an attribute appears twice'],
  [/entity/i, 'unknown entity'],
  [/missing root|no root/i, 'no root element'],
  [/only one element|hierarchy/i, 'more than one root element'],
  [/attribute/i, 'malformed attribute'],
  [/invalid|unexpected|illegal/i, 'unexpected character']
]

function locate(xml: string, message: string, line?: number, column?: number): ParseFault {
  const reason = REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? 'malformed markup'
  if (!line || !column) return { reason }
  const lineStarts = [0]
  for (let i = xml.indexOf('\n'); i !== -1; i = xml.indexOf('\n', i + 1)) lineStarts.push(i + 1)
  const from = (lineStarts[line - 1] ?? 0) + column - 1
  const found = offendingToken(xml, from, reason, message)
  if (!found) return { line, column, reason }
  // The parser's position can be the start of the text or tag before the fault; the token's own
  // position is more useful.
  let tokenLine = line
  while ((lineStarts[tokenLine] ?? Infinity) <= found.at) tokenLine++
  return {
    line: tokenLine,
    column: found.at - (lineStarts[tokenLine - 1] ?? 0) + 1,
    reason,
    token: found.token
  }
}

const PREDEFINED_ENTITY = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/

/**
 * The first tag or entity at or after the parser's position that fits the fault. Only markup names
 * are shown: text content could be a secret value.
 */
function offendingToken(
  xml: string,
  from: number,
  reason: string,
  message: string
): { at: number; token: string } | undefined {
  const search = (
    pattern: RegExp,
    accept: (match: RegExpExecArray) => { at: number; token: string } | string | undefined
  ): { at: number; token: string } | undefined => {
    pattern.lastIndex = Math.max(from, 0)
    for (let m = pattern.exec(xml); m; m = pattern.exec(xml)) {
      const found = accept(m)
      if (typeof found === 'string') return { at: m.index, token: found }
      if (found) return found
    }
    return undefined
  }
  if (reason === 'unknown entity') {
    return search(/&[\w.#:-]{1,60};?/g, m => (PREDEFINED_ENTITY.test(m[0]) ? undefined : m[0]))
  }
  if (reason === 'tags do not match') {
    // The message names the end tag found ("b" != "c"); a name is markup, not content.
    const named = /!=\s*"([\w.:-]{1,80})"/.exec(message)?.[1]
    return search(/<\/([A-Za-z_][\w.:-]{0,80})/g, m =>
      named === undefined || m[1] === named ? m[0] : undefined
    )
  }
  return search(/<([A-Za-z_][\w.:-]{0,80})([^>]*)/g, m => {
    const name = m[1] ?? ''
    if (reason !== 'undeclared namespace prefix' || name.includes(':')) return `<${name}`
    // The element is fine; one of its attributes has the undeclared prefix.
    const attributes = m[2] ?? ''
    for (const a of attributes.matchAll(/\s([A-Za-z_][\w.-]*:[\w.-]+)\s*=/g)) {
      const qname = a[1] ?? ''
      const prefix = qname.slice(0, qname.indexOf(':'))
      if (prefix !== 'xmlns' && !attributes.includes(`xmlns:${prefix}=`)) {
        return { at: m.index + 1 + name.length + a.index + 1, token: qname }
      }
    }
    return undefined
  })
}
