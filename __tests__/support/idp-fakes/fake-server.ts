/**
 * What every IdP fake shares: a node:http server on 127.0.0.1 that stops by itself, request
 * bodies and cookies read the way the IdPs read them, TOTP checked with RFC 6238, and the last
 * page of every flow: an auto-post form carrying a real signed SAMLResponse to AWS.
 * The fakes speak plain http on loopback, so their cookies leave out the `Secure` flag the real
 * IdPs set over https.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import { escapeXml, type IssueOptions, type RolePairSpec, type TestIdp } from '../test-idp.js'

/** The one account each fake knows. */
export interface FakeUser {
  username: string
  password: string
  /** Base32 TOTP seed: when set, the IdP asks for a code after the password. */
  otpSecret?: string
  roles?: RolePairSpec[]
}

export interface FakeIdpOptions {
  /** Signs the final SAMLResponse (the demo world's IdP, so the STS emulator trusts it). */
  idp: TestIdp
  user: FakeUser
  /** Extra switches for the issued Response. */
  issue?: IssueOptions
}

/** What the tests read back from a fake. */
export interface FakeIdpStats {
  /** Requests that carried the password field (a refused password must come exactly once). */
  passwordPosts: number
  /** Requests that carried an OTP code. */
  otpPosts: number
  /** Every request, as `METHOD /path` (no query: it can hold tokens). */
  requests: string[]
  /** Every session id, cookie value and token handed out: none may show up in a message. */
  secrets: string[]
}

export interface FakeIdp {
  /** Where sign-in starts: the value for `idp-url`. */
  startUrl: string
  origin: string
  stats: FakeIdpStats
  /** The last SAMLResponse handed out (base64), to compare with what the provider returned. */
  lastSamlResponse(): string | undefined
  close(): Promise<void>
}

export interface FakeRequest {
  method: string
  url: URL
  headers: IncomingMessage['headers']
  cookies: Map<string, string>
  body: string
  /** The body as a form, when it is one. */
  form: URLSearchParams
}

export type FakeHandler = (req: FakeRequest, res: ServerResponse) => void | Promise<void>

/** Starts a fake on an ephemeral port. The server does not keep the process alive. */
export async function startFakeServer(
  handler: FakeHandler,
  stats: FakeIdpStats
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const body = Buffer.concat(chunks).toString('utf8')
      const isForm = (req.headers['content-type'] ?? '').startsWith(
        'application/x-www-form-urlencoded'
      )
      stats.requests.push(`${req.method ?? 'GET'} ${url.pathname}`)
      const fake: FakeRequest = {
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
        cookies: parseCookies(req.headers.cookie),
        body,
        form: new URLSearchParams(isForm ? body : '')
      }
      Promise.resolve(handler(fake, res)).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`fake IdP bug: ${String(error)}`)
      })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  server.unref()
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

export function newStats(): FakeIdpStats {
  return { passwordPosts: 0, otpPosts: 0, requests: [], secrets: [] }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const jar = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return jar
}

/** A session id or token the IdP hands out (a cookie value, a bearer token); kept in `secrets`. */
export function token(stats: FakeIdpStats, bytes = 18): string {
  const value = opaque(bytes)
  stats.secrets.push(value)
  return value
}

/** A random value that grants nothing on its own (a form's step key, a request id). */
export function opaque(bytes = 12): string {
  return randomBytes(bytes).toString('base64url')
}

/** RFC 6238 with the authenticator-app defaults (SHA-1, 6 digits, 30 s), one step of drift. */
export function totpAccepts(secret: string, code: string): boolean {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 })
  return totp.validate({ token: code, window: 1 }) !== null
}

/** A fresh seed for a test user. */
export function newOtpSecret(): string {
  return new Secret({ size: 20 }).base32
}

/** The code an authenticator app shows for `secret` now (or at `timestamp`). */
export function currentOtp(secret: string, timestamp = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp
  })
}

export function html(
  res: ServerResponse,
  body: string,
  opts: { status?: number; cookies?: string[] } = {}
): void {
  res.writeHead(opts.status ?? 200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    ...(opts.cookies ? { 'set-cookie': opts.cookies } : {})
  })
  res.end(body)
}

export function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  res.writeHead(302, { location, ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}) })
  res.end()
}

export function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' })
  res.end(JSON.stringify(value))
}

/** Escapes text and attribute values the way template engines do by default. */
export const escapeHtml = escapeXml

/** Issues the signed Response the IdP would post to AWS for this user. */
export function issueFor(opts: FakeIdpOptions): string {
  const issue: IssueOptions = { roleSessionName: opts.user.username, ...opts.issue }
  if (opts.user.roles) issue.roles = opts.user.roles
  return opts.idp.issue(issue).base64
}
