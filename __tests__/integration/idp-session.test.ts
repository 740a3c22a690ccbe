/**
 * The IdP session's rules, against local HTTP(S) servers on 127.0.0.1: cookies kept across a
 * 302 and masked, https never falling back to http, the body cap, retries of faults and 5xx
 * within the budget, and never a second request with a password in it.
 */
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SignInError } from '../../src/errors/run-errors.js'
import { HttpIdpSession, type SessionOptions } from '../../src/idp/idp-session.js'
import { formProvider } from '../../src/idp/form-provider.js'
import { ROOT } from '../support/harness.js'

const TLS = {
  key: readFileSync(join(ROOT, '__tests__', 'fixtures', 'tls-key.pem'), 'utf8'),
  cert: readFileSync(join(ROOT, '__tests__', 'fixtures', 'tls-cert.pem'), 'utf8')
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void
const servers: Server[] = []

async function serve(handler: Handler, tls = false): Promise<string> {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()))
  }
  const server = tls ? createTlsServer(TLS, listener) : createServer(listener)
  servers.push(server)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections?.()
    await new Promise(resolve => server.close(resolve))
  }
})

function session(options: Partial<SessionOptions> = {}): {
  session: HttpIdpSession
  masked: string[]
  log: string[]
} {
  const masked: string[] = []
  const log: string[] = []
  const s = new HttpIdpSession({
    deadline: Date.now() + 10_000,
    mask: values => masked.push(...values),
    info: line => log.push(line),
    ...options
  })
  return { session: s, masked, log }
}

async function failure(promise: Promise<unknown>): Promise<SignInError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError)
    return error as SignInError
  }
  throw new Error('expected a SignInError')
}

describe('cookies', () => {
  it('keeps a cookie set on a 302 and sends it after the redirect; the value is masked', async () => {
    const seen: (string | undefined)[] = []
    const origin = await serve((req, res) => {
      seen.push(req.headers.cookie)
      if (req.url === '/start') {
        res.writeHead(302, {
          location: '/next',
          'set-cookie': 'IDPSESSION=s3cr3t-session-value; Path=/; HttpOnly'
        })
        res.end()
      } else {
        res.end('<html><title>next</title></html>')
      }
    })
    const { session: s, masked } = session()
    const response = await s.request(`${origin}/start`)
    expect(response.status).toBe(200)
    expect(response.url.pathname).toBe('/next')
    expect(seen).toEqual([undefined, 'IDPSESSION=s3cr3t-session-value'])
    expect(masked).toContain('s3cr3t-session-value')
    // Cookies never reach the providers as headers they could print.
    expect(response.headers.get('set-cookie')).toBeNull()
    s.destroy()
  })

  it('keeps cookies per host: one IdP does not get another one’s cookie', async () => {
    const seen: (string | undefined)[] = []
    const other = await serve((req, res) => {
      seen.push(req.headers.cookie)
      res.end('ok')
    })
    const first = await serve((_req, res) => {
      res.writeHead(302, {
        location: `${other.replace('127.0.0.1', 'localhost')}/`,
        'set-cookie': 'A=first-idp-cookie; Path=/'
      })
      res.end()
    })
    const { session: s } = session()
    await s.request(`${first}/`)
    expect(seen).toEqual([undefined])
    s.destroy()
  })
})

describe('transport rules', () => {
  it('refuses plain http to a host other than loopback, before any request', async () => {
    const { session: s } = session()
    const error = await failure(s.request('http://idp.example.com/login'))
    expect(error.code).toBe('idp-insecure')
    expect(error.message).toContain('Plain http to idp.example.com is refused')
    expect(s.requests).toBe(0)
  })

  it('refuses a redirect from https to http, even on loopback', async () => {
    let plainHits = 0
    const plain = await serve((_req, res) => {
      plainHits++
      res.end('plain')
    })
    const secure = await serve((_req, res) => {
      res.writeHead(302, { location: `${plain}/landing?token=abc` })
      res.end()
    }, true)
    const { session: s } = session({ ca: TLS.cert })
    const error = await failure(s.request(`${secure}/start`))
    expect(error.code).toBe('idp-insecure')
    expect(error.message).toContain('A redirect leads from https to plain http')
    expect(error.message).not.toContain('token=abc')
    expect(plainHits).toBe(0)
    s.destroy()
  })

  it('verifies TLS: an untrusted certificate fails at once, without retries', async () => {
    let hits = 0
    const secure = await serve((_req, res) => {
      hits++
      res.end('never')
    }, true)
    const { session: s } = session()
    const error = await failure(s.request(`${secure}/`))
    expect(error.code).toBe('idp-unreachable')
    expect(error.message).toMatch(/TLS error from 127\.0\.0\.1:\d+ \(\w+/)
    expect(s.requests).toBe(1)
    expect(hits).toBe(0)
  })

  it('caps the body it reads', async () => {
    const origin = await serve((_req, res) => {
      res.end('x'.repeat(200_000))
    })
    const { session: s } = session({ maxBodyBytes: 100_000 })
    const error = await failure(s.request(`${origin}/big`))
    expect(error.code).toBe('idp-insecure')
    expect(error.message).toContain('no sign-in page is that large')
    s.destroy()
  })
})

describe('retries', () => {
  it('retries 5xx answers within the budget', async () => {
    let hits = 0
    const origin = await serve((_req, res) => {
      hits++
      res.writeHead(hits < 3 ? 503 : 200)
      res.end(hits < 3 ? 'busy' : 'fine')
    })
    const { session: s, log } = session()
    const response = await s.request(`${origin}/`)
    expect(response.body).toBe('fine')
    expect(hits).toBe(3)
    expect(log.filter(line => line.includes('HTTP 503'))).toHaveLength(2)
    s.destroy()
  })

  it('retries a refused connection, and reports the IdP unreachable when the budget is spent', async () => {
    const { session: s } = session({ deadline: Date.now() + 1500 })
    // A port nothing listens on: bind, note it, close.
    const origin = await serve((_req, res) => res.end())
    await new Promise(resolve => servers.pop()!.close(resolve))
    const error = await failure(s.request(`${origin}/`))
    expect(error.code).toBe('idp-unreachable')
    // Windows answers a closed port only after its SYN retries (about 2 s): one attempt, or none.
    if (process.platform !== 'win32') {
      expect(error.message).toContain('ECONNREFUSED')
      expect(s.requests).toBeGreaterThan(1)
    }
  })

  it('never repeats a request that carries the password, whatever the answer', async () => {
    let posts = 0
    const origin = await serve((_req, res) => {
      posts++
      res.writeHead(500)
      res.end('<html><title>Error</title><p class="error">Account locked?</p></html>')
    })
    const { session: s } = session()
    const response = await s.request(`${origin}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'alice', password: 'pw' }),
      carriesSecret: true
    })
    expect(response.status).toBe(500)
    expect(posts).toBe(1)
    s.destroy()
  })

  it('the form walker sends a refused password exactly once', async () => {
    let passwordPosts = 0
    const page = (error: string): string =>
      `<html><head><title>Sign in</title></head><body>${error}
      <form method="post" action="/login"><input type="hidden" name="execution" value="e1s1-state-token-0123456789">
      <input name="username"><input type="password" name="password">
      <button type="submit" name="login">Sign in</button></form></body></html>`
    const origin = await serve((req, res, body) => {
      if (req.method === 'POST') {
        if (new URLSearchParams(body).has('password')) passwordPosts++
        res.end(page('<span class="kc-feedback-text">Invalid username or password.</span>'))
      } else {
        res.end(page(''))
      }
    })
    const { session: s, masked } = session()
    const error = await failure(
      formProvider(
        {
          provider: 'form',
          url: new URL(`${origin}/start`),
          username: 'alice',
          password: 'wrong-password',
          timeoutMs: 10_000
        },
        s
      )
    )
    expect(error.code).toBe('idp-credentials-refused')
    expect(error.message).toContain('"Invalid username or password."')
    expect(error.message).not.toContain('wrong-password')
    expect(passwordPosts).toBe(1)
    // The IdP's state token was masked before it was sent.
    expect(masked).toContain('e1s1-state-token-0123456789')
    s.destroy()
  })
})

describe('one-time codes', () => {
  it('computes a 6-digit code from the seed when asked, and masks it', () => {
    const { session: s, masked } = session({ otpSecret: 'JBSWY3DPEHPK3PXP' })
    const code = s.otp()
    expect(code).toMatch(/^\d{6}$/)
    expect(masked).toContain(code)
  })

  it('has none without a seed', () => {
    expect(session().session.otp()).toBeUndefined()
  })
})

describe('proxies', () => {
  it('refuses a plain-http IdP through a proxy on another host (the password would cross it)', async () => {
    const { session: s } = session({
      proxyFor: () => new URL('http://user:proxy-pw@proxy.example.com:3128')
    })
    const error = await failure(s.request('http://127.0.0.1:9/login'))
    expect(error.code).toBe('idp-insecure')
    expect(error.message).toContain('through the proxy proxy.example.com:3128')
    expect(error.message).not.toContain('proxy-pw')
  })

  it('sends requests through the proxy it is given', async () => {
    const seen: string[] = []
    // A forward proxy for plain http sees the absolute URL in the request line.
    const proxy = await serve((req, res) => {
      seen.push(req.url ?? '')
      res.end('via proxy')
    })
    const { session: s } = session({ proxyFor: () => new URL(proxy) })
    const response = await s.request('http://127.0.0.1:9/page?x=1')
    expect(response.body).toBe('via proxy')
    expect(seen).toEqual(['http://127.0.0.1:9/page?x=1'])
    s.destroy()
  })
})

describe('the walk’s limits', () => {
  const settings = (origin: string) => ({
    provider: 'form' as const,
    url: new URL(`${origin}/start`),
    username: 'alice',
    password: 'pw',
    timeoutMs: 10_000
  })

  it('gives up after 15 steps of auto-post forms going round', async () => {
    let hits = 0
    const origin = await serve((_req, res) => {
      hits++
      res.end(
        '<html><title>Hop</title><form method="post" action="/hop"><input type="hidden" name="RelayState" value="x"></form></html>'
      )
    })
    const { session: s } = session()
    const error = await failure(formProvider(settings(origin), s))
    expect(error.code).toBe('idp-too-many-steps')
    expect(error.message).toContain('after 15 steps')
    expect(hits).toBe(16)
    s.destroy()
  })

  it('gives up on a redirect loop', async () => {
    const origin = await serve((req, res) => {
      res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' })
      res.end()
    })
    const { session: s } = session()
    const error = await failure(s.request(`${origin}/a`))
    expect(error.code).toBe('idp-too-many-steps')
    expect(s.requests).toBe(11)
    s.destroy()
  })
})
