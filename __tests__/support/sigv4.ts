// AWS Signature Version 4 with node:crypto only: the signer the support tests use, and the pieces the
// STS emulator uses to verify signatures for real. Written from the SigV4 specification.
import { createHash, createHmac } from 'node:crypto'

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256'

export interface SigV4Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface SignRequestInput {
  method: string
  url: string | URL
  headers?: Record<string, string>
  body?: string | Buffer
  credentials: SigV4Credentials
  region: string
  /** Default 'sts'. */
  service?: string
  /** Signing time; default now. */
  date?: Date
  /** Also send (and sign) x-amz-content-sha256, as S3 clients do; STS clients do not. */
  includeContentSha256?: boolean
}

// Headers that proxies or agents may rewrite, so signing them would make signatures fragile.
const UNSIGNABLE = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id'
])

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest()
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters is %XX (upper case). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

/**
 * The canonical URI of a raw (on-the-wire, already percent-encoded) path. Non-S3 services encode
 * each segment once more, so `%2F` in a path becomes `%252F`.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/'
  return rawPath
    .split('/')
    .map(segment => uriEncode(segment))
    .join('/')
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The canonical query string of a raw query (without '?'); X-Amz-Signature is left out. */
export function canonicalQueryString(rawQuery: string): string {
  if (rawQuery === '') return ''
  const pairs: Array<[string, string]> = []
  for (const part of rawQuery.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const key = uriEncode(safeDecode(eq === -1 ? part : part.slice(0, eq)))
    const value = uriEncode(safeDecode(eq === -1 ? '' : part.slice(eq + 1)))
    if (key === 'X-Amz-Signature') continue
    pairs.push([key, value])
  }
  // Sorted by code point of the encoded key, then value (all ASCII after encoding).
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/** Trims a header value and collapses inner runs of spaces, as the canonical form requires. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ')
}

export interface CanonicalRequestParts {
  method: string
  rawPath: string
  rawQuery: string
  /** Lower-case header name -> the values as sent (several for a repeated header). */
  headers: Map<string, string[]>
  /** Lower-case names, in the order given by SignedHeaders (sorted when signing). */
  signedHeaders: string[]
  payloadHash: string
}

export function canonicalRequest(p: CanonicalRequestParts): string {
  const headerLines = p.signedHeaders
    .map(name => `${name}:${(p.headers.get(name) ?? []).map(canonicalHeaderValue).join(',')}\n`)
    .join('')
  return [
    p.method.toUpperCase(),
    canonicalUri(p.rawPath),
    canonicalQueryString(p.rawQuery),
    headerLines,
    p.signedHeaders.join(';'),
    p.payloadHash
  ].join('\n')
}

export function credentialScope(dateStamp: string, region: string, service: string): string {
  return `${dateStamp}/${region}/${service}/aws4_request`
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n')
}

export function deriveSigningKey(
  secretAccessKey: string,
  dateStamp: string,
  region: string,
  service: string
): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, dateStamp)
  const kRegion = hmac(kDate, region)
  const kService = hmac(kRegion, service)
  return hmac(kService, 'aws4_request')
}

export function signatureHex(signingKey: Buffer, toSign: string): string {
  return createHmac('sha256', signingKey).update(toSign, 'utf8').digest('hex')
}

/** 20150830T123600Z */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/**
 * Signs a request with an Authorization header. Returns every header to send (the given ones plus
 * host, x-amz-date, x-amz-security-token and authorization, and x-amz-content-sha256 if asked).
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url
  const service = input.service ?? 'sts'
  const when = amzDate(input.date ?? new Date())
  const dateStamp = when.slice(0, 8)
  const body = input.body ?? ''
  const payloadHash = sha256Hex(body)

  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(input.headers ?? {})) out[k.toLowerCase()] = v
  out.host = url.host
  out['x-amz-date'] = when
  if (input.includeContentSha256) out['x-amz-content-sha256'] = payloadHash
  if (input.credentials.sessionToken) out['x-amz-security-token'] = input.credentials.sessionToken

  const signedHeaders = Object.keys(out)
    .filter(name => !UNSIGNABLE.has(name))
    .sort()
  const headers = new Map(Object.entries(out).map(([k, v]) => [k, [v]]))
  const canonical = canonicalRequest({
    method: input.method,
    rawPath: url.pathname,
    rawQuery: url.search.replace(/^\?/, ''),
    headers,
    signedHeaders,
    payloadHash
  })
  const scope = credentialScope(dateStamp, input.region, service)
  const key = deriveSigningKey(input.credentials.secretAccessKey, dateStamp, input.region, service)
  const signature = signatureHex(key, stringToSign(when, scope, canonical))
  out.authorization =
    `${SIGV4_ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`
  return out
}
