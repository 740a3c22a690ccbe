import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http'
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https'
import { Secret, TOTP } from 'otpauth'
import { Cookie, CookieJar } from 'tough-cookie'
import type { IdpRequest, IdpResponse, IdpSession, ResponseHeaders } from './provider.js'
import { signInError } from './sign-in-error.js'
import { isLoopback } from '../sts/proxy.js'
import { proxyAgents, type AgentPair } from '../sts/proxy-agents.js'

/** Beyond this a "page" is no sign-in page; reading on would only spend memory. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024
/** Redirects followed within one request; the walker counts its own steps on top. */
const MAX_REDIRECTS = 10
const RETRY_BASE_MS = 250
const RETRY_MAX_MS = 4000

export interface SessionOptions {
  /** Epoch ms by which the whole sign-in must be done (idp-timeout-seconds). */
  deadline: number
  mask: (values: string[]) => void
  info: (line: string) => void
  otpSecret?: string
  /** The proxy for a URL (see sts/proxy.ts), or undefined to connect directly. */
  proxyFor?: (url: URL) => URL | undefined
  maxBodyBytes?: number
  /** Called when a request has been handed to the network, while its answer is awaited. */
  onSent?: () => void
  /**
   * Extra trusted CA certificates (PEM), for tests with a local TLS server. Verification itself
   * is never turned off; on runners, NODE_EXTRA_CA_CERTS does this job.
   */
  ca?: string
}

/** A network fault or a 5xx: worth another attempt while the budget lasts. */
class Transient extends Error {}

/**
 * HTTP to the IdP as the IdpSession contract describes. Redirects are followed here, by hand,
 * because Node's fetch drops the cookies of a 302 (SimpleSAMLphp sets its session cookie on one).
 */
export class HttpIdpSession implements IdpSession {
  private readonly jar = new CookieJar()
  private readonly totp?: TOTP
  /** Proxy agents by proxy URL, loaded with the first request through that proxy. */
  private readonly agents = new Map<string, Promise<AgentPair>>()
  /** Once the sign-in went over https it never falls back to plain http. */
  private secure = false
  /** Requests sent (each redirect and retry counts), for logs and tests. */
  requests = 0

  constructor(private readonly options: SessionOptions) {
    if (options.otpSecret) {
      this.totp = new TOTP({ secret: Secret.fromBase32(options.otpSecret), digits: 6, period: 30 })
    }
  }

  otp(): string | undefined {
    if (!this.totp) return undefined
    const code = this.totp.generate()
    this.options.mask([code])
    return code
  }

  mask(value: string): void {
    if (value.trim() !== '') this.options.mask([value])
  }

  info(line: string): void {
    this.options.info(line)
  }

  async request(target: URL | string, init: IdpRequest = {}): Promise<IdpResponse> {
    let url = new URL(target)
    let method = init.method ?? 'GET'
    let body = init.body === undefined ? undefined : String(init.body)
    let contentType =
      init.body instanceof URLSearchParams ? 'application/x-www-form-urlencoded' : undefined
    const origin = url.origin
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      this.checkTransport(url, hop > 0)
      // Basic credentials go only to the origin they were given for, as fetch and browsers do.
      const basicAuth = url.origin === origin ? init.basicAuth : undefined
      // The secret goes with a redirect that repeats the body (307/308) or the credentials: such a
      // hop is sent once too. A 301/302/303 turns it into a GET without the secret.
      const once =
        init.carriesSecret === true && (hop === 0 || body !== undefined || basicAuth !== undefined)
      const hopInit = { ...init, basicAuth }
      const response = await this.withRetry(url, once, () =>
        this.send(url, method, body, contentType, hopInit)
      )
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) {
        return response
      }
      url = new URL(location, url)
      // 307/308 repeat the request as it was; the others become a GET without a body.
      if (response.status !== 307 && response.status !== 308) {
        method = 'GET'
        body = undefined
        contentType = undefined
      }
    }
    throw signInError(
      'idp-too-many-steps',
      `More than ${MAX_REDIRECTS} redirects in a row, last to ${withoutQuery(url)}`
    )
  }

  /** Drop pooled connections (keep-alive) so the process can exit. */
  destroy(): void {
    for (const loading of this.agents.values()) {
      // A load that failed has already failed its request; there is nothing to drop.
      loading.then(
        agents => {
          agents.httpAgent.destroy()
          agents.httpsAgent.destroy()
        },
        () => undefined
      )
    }
    this.agents.clear()
  }

  private checkTransport(url: URL, redirected: boolean): void {
    if (url.protocol === 'https:') {
      this.secure = true
      return
    }
    if (url.protocol !== 'http:') {
      throw signInError('idp-insecure', `The sign-in led to a ${url.protocol} URL`)
    }
    if (this.secure) {
      throw signInError(
        'idp-insecure',
        `${redirected ? 'A redirect' : 'A form'} leads from https to plain http (${withoutQuery(url)}); refused, it would send the session unencrypted`
      )
    }
    if (!isLoopback(url.hostname)) {
      throw signInError(
        'idp-insecure',
        `Plain http to ${url.hostname} is refused; only loopback test IdPs may use http`
      )
    }
  }

  private async withRetry(
    url: URL,
    once: boolean,
    attempt: () => Promise<IdpResponse>
  ): Promise<IdpResponse> {
    for (let tries = 1; ; tries++) {
      let fault: string
      try {
        const response = await attempt()
        if (response.status < 500 || once) return response
        fault = `HTTP ${response.status}`
        // 5xx: retried below while time is left; the last answer is reported if none is.
        if (!this.timeLeft(backoff(tries))) {
          throw signInError(
            'idp-unreachable',
            `${withoutQuery(url)} answered ${fault} (${tries} attempt(s) within idp-timeout-seconds)`
          )
        }
      } catch (error) {
        if (!(error instanceof Transient)) throw error
        fault = error.message
        // A refused connection never reached the IdP; anything later might have.
        if (!this.timeLeft(backoff(tries)) || (once && fault !== 'ECONNREFUSED')) {
          throw signInError(
            'idp-unreachable',
            `${withoutQuery(url)}: ${fault} (${tries} attempt(s) within idp-timeout-seconds)`
          )
        }
      }
      this.options.info(`IdP: ${fault} from ${url.host}; trying again.`)
      await new Promise(resolve => setTimeout(resolve, backoff(tries)))
    }
  }

  private timeLeft(waitMs: number): boolean {
    return Date.now() + waitMs < this.options.deadline
  }

  private async send(
    url: URL,
    method: string,
    body: string | undefined,
    contentType: string | undefined,
    init: IdpRequest
  ): Promise<IdpResponse> {
    const remaining = this.options.deadline - Date.now()
    if (remaining <= 0) {
      return Promise.reject(
        signInError('idp-unreachable', `No answer from ${url.host} within idp-timeout-seconds`)
      )
    }
    const headers: Record<string, string> = {
      'user-agent': 'saml-assume-role',
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      ...init.headers
    }
    const cookies = this.jar.getCookieStringSync(url)
    if (cookies) headers.cookie = cookies
    if (contentType && !hasHeader(headers, 'content-type')) headers['content-type'] = contentType
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    if (init.basicAuth) {
      const token = Buffer.from(`${init.basicAuth.username}:${init.basicAuth.password}`).toString(
        'base64'
      )
      this.options.mask([init.basicAuth.password, token])
      headers.authorization = `Basic ${token}`
    }
    const cap = this.options.maxBodyBytes ?? MAX_BODY_BYTES
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const agent = await this.agentFor(url)
    this.requests++
    return new Promise<IdpResponse>((resolve, reject) => {
      const req = send(
        url,
        // TLS is always verified: rejectUnauthorized stays at its default (true).
        {
          method,
          headers,
          agent,
          signal: AbortSignal.timeout(remaining),
          ...(this.options.ca && url.protocol === 'https:' ? { ca: this.options.ca } : {})
        },
        res => {
          this.keepCookies(res, url)
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > cap) {
              res.destroy()
              reject(
                signInError(
                  'idp-insecure',
                  `${withoutQuery(url)} sent more than ${Math.round(cap / 1024 / 1024)} MB; no sign-in page is that large`
                )
              )
              return
            }
            chunks.push(chunk)
          })
          res.on('end', () =>
            resolve({
              url,
              status: res.statusCode ?? 0,
              headers: toHeaders(res),
              body: Buffer.concat(chunks).toString('utf8')
            })
          )
          res.on('error', error => reject(this.fault(error, url)))
        }
      )
      req.on('error', error => reject(this.fault(error, url)))
      if (this.options.onSent) req.once('finish', this.options.onSent)
      req.end(body)
    })
  }

  /** Cookies are kept in memory only, and masked the moment they arrive. */
  private keepCookies(res: IncomingMessage, url: URL): void {
    for (const header of res.headers['set-cookie'] ?? []) {
      const cookie = Cookie.parse(header)
      if (!cookie) continue
      if (cookie.value.length >= 4) this.options.mask([cookie.value, safeDecode(cookie.value)])
      this.jar.setCookieSync(cookie, url, { ignoreError: true })
    }
  }

  private fault(error: Error, url: URL): Error {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (error.name === 'TimeoutError' || error.name === 'AbortError') {
      return signInError('idp-unreachable', `No answer from ${url.host} within idp-timeout-seconds`)
    }
    // Certificate problems are no network fault: another attempt would fail the same way.
    if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) {
      return signInError(
        'idp-unreachable',
        `TLS error from ${url.host} (${code}): the certificate is not trusted. For an internal CA, set NODE_EXTRA_CA_CERTS on the runner`
      )
    }
    if (code === 'ENOTFOUND') {
      return signInError('idp-unreachable', `${url.hostname} is not a known host (DNS)`)
    }
    return new Transient(code || error.message)
  }

  private async agentFor(url: URL): Promise<HttpAgent | HttpsAgent | undefined> {
    const proxy = this.options.proxyFor?.(url)
    if (!proxy) return undefined
    if (url.protocol === 'http:' && !isLoopback(proxy.hostname)) {
      // The loopback exception is for a local test IdP: through a remote proxy the password
      // would cross the network unencrypted after all.
      throw signInError(
        'idp-insecure',
        `The plain-http IdP ${url.host} would be reached through the proxy ${proxy.host}; exclude ${url.hostname} with NO_PROXY or use https`
      )
    }
    let loading = this.agents.get(proxy.href)
    if (!loading) {
      loading = proxyAgents(proxy)
      this.agents.set(proxy.href, loading)
    }
    const agents = await loading
    return url.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent
  }
}

function backoff(tries: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (tries - 1))
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some(key => key.toLowerCase() === name)
}

function toHeaders(res: IncomingMessage): ResponseHeaders {
  // Node gives the names in lower case, and joins repeated headers except Set-Cookie.
  const values = new Map<string, string>()
  for (const [name, value] of Object.entries(res.headers)) {
    if (name === 'set-cookie' || value === undefined) continue
    values.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return { get: name => values.get(name.toLowerCase()) ?? null }
}

/** A URL for messages: no query or fragment, which may hold tokens. */
export function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
