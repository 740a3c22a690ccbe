import { preflightError } from '../errors/preflight-error.js'
import { isSoapEnvelope, unwrapEnvelope } from './ecp-envelope.js'

/** STS refuses SAMLAssertion values longer than this. */
export const MAX_BASE64_LENGTH = 100_000

export interface DecodedAssertion {
  /** The SAMLAssertion parameter for STS: base64 of the exact XML bytes. */
  base64: string
  /** The XML, for local pre-flight checks. */
  xml: string
  /**
   * Every form of the assertion that appeared, to mask. Each is a replayable credential until it
   * expires, so each gets its own ::add-mask:: line.
   */
  secrets: string[]
  /** Set when the input was a SOAP envelope (SAML ECP) and `xml` is the Response taken from it. */
  envelope?: 'soap'
}

const BOM = '\uFEFF'

/**
 * Turn the assertion as a user supplied it into what STS takes. Accepts the base64 the IdP posts
 * (line breaks allowed), the URL-encoded form body copied from browser dev tools (with or without
 * `SAMLResponse=`), or raw XML. Raw XML is passed on byte for byte: one changed byte breaks the
 * signature. Any of these may hold a SAML ECP SOAP envelope instead of a bare Response; then STS
 * gets the Response inside it (see unwrapEnvelope).
 */
export function decodeAssertion(input: string | Buffer): DecodedAssertion {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : fromUtf16(input)
  const text = bytes.toString('utf8')
  const trimmed = text.replace(BOM, '').trim()
  if (trimmed === '') throw preflightError('not-saml-response', 'the assertion is empty')

  if (trimmed.startsWith('<')) {
    const xml = text.replace(BOM, '')
    if (isSoapEnvelope(xml)) return fromEnvelope(xml, [trimmed])
    const base64 = bytes.toString('base64')
    checkLength(base64)
    return { base64, xml, secrets: [trimmed, base64] }
  }

  const urlEncoded = /(^|&)SAMLResponse=/i.test(trimmed) || /%[0-9A-Fa-f]{2}/.test(trimmed)
  let candidate = trimmed
  const secrets = [trimmed]
  if (urlEncoded) {
    candidate = formDecode(trimmed)
    secrets.push(candidate)
  }
  const base64 = candidate.replace(/\s+/g, '')
  checkLength(base64)
  // Some tools hand out base64url; STS wants the standard alphabet.
  const standard = base64.replace(/-/g, '+').replace(/_/g, '/')
  const unpadded = standard.replace(/=+$/, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(standard) || unpadded.length % 4 === 1) {
    throw preflightError(
      'not-saml-response',
      'it is neither XML nor valid base64 (check that the whole value was copied)'
    )
  }
  // base64url usually comes unpadded; STS takes standard base64, which is padded.
  const padded = unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '=')
  const xml = Buffer.from(padded, 'base64').toString('utf8').replace(BOM, '')
  if (!xml.trimStart().startsWith('<')) {
    throw preflightError('not-saml-response', 'the base64 does not decode to XML')
  }
  secrets.push(padded, ...longLines(trimmed))
  if (isSoapEnvelope(xml)) return fromEnvelope(xml, secrets)
  return {
    base64: padded,
    xml,
    secrets: unique(secrets)
  }
}

/** The Response inside an envelope, base64 of its exact bytes; every form seen stays masked. */
function fromEnvelope(envelope: string, seen: string[]): DecodedAssertion {
  const xml = unwrapEnvelope(envelope)
  const base64 = Buffer.from(xml, 'utf8').toString('base64')
  checkLength(base64)
  return {
    base64,
    xml,
    secrets: unique([...seen, envelope.trim(), xml, base64]),
    envelope: 'soap'
  }
}

/**
 * A file in UTF-16 with a byte order mark (what PowerShell's `>` writes) holds the same text:
 * read as UTF-8 it would look like neither XML nor base64.
 */
function fromUtf16(bytes: Buffer): Buffer {
  const body = bytes.subarray(2, 2 + ((bytes.length - 2) & ~1))
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(body.toString('utf16le'), 'utf8')
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return Buffer.from(Buffer.from(body).swap16().toString('utf16le'), 'utf8')
  }
  return bytes
}

function checkLength(base64: string): void {
  if (base64.length > MAX_BASE64_LENGTH) {
    throw preflightError(
      'too-large',
      `it is ${base64.length.toLocaleString('en-US')} base64 characters, over the limit of 100,000`
    )
  }
}

/**
 * application/x-www-form-urlencoded: `+` is a space (browsers send a literal plus as %2B). A form
 * body's fields come in any order (`RelayState=&SAMLResponse=…` is common), so the SAMLResponse
 * field is taken wherever it is; a value without one is the encoded assertion alone.
 */
function formDecode(value: string): string {
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '))
    } catch {
      throw preflightError('not-saml-response', 'it looks URL-encoded but does not decode')
    }
  }
  const fields = value.split('&')
  const field = fields.find(f => /^SAMLResponse=/i.test(f))
  return decode(field === undefined ? (fields[0] ?? '') : field.slice(field.indexOf('=') + 1))
}

/**
 * A base64 value with line breaks may be echoed line by line (a `cat` of the file, say), so each
 * substantial line is masked too. Short lines are skipped: masking "==" would blank every "==".
 */
function longLines(value: string): string[] {
  const lines = value.split(/\r?\n/).map(line => line.trim())
  return lines.length > 1 ? lines.filter(line => line.length >= 16) : []
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(value => value !== ''))]
}
