/**
 * The IdP session on redirects after a request that carries a secret: a 307/308 repeats the
 * password, so that hop is never retried either; HTTP Basic credentials (ECP) never follow a
 * redirect to another origin. And the body cap holds for a chunked answer with no length.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { SignInError } from '../../src/errors/run-errors.js'
import { HttpIdpSession } from '../../src/idp/idp-session.js'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void
const servers: Server[] = []

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()))
  })
  servers.push(server)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
})

function newSession(maxBodyBytes?: number): HttpIdpSession {
  return new HttpIdpSession({
    deadline: Date.now() + 10_000,
    mask: () => undefined,
    info: () => undefined,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes })
  })
}

describe('a request that carries a secret, redirected', () => {
  it.each([307, 308])(
    'a %i repeats the password once: a 5xx behind it is not retried',
    async status => {
      const bodies: string[] = []
      const origin = await serve((req, res, body) => {
        if (req.url === '/login') {
          res.writeHead(status, { location: '/login2' })
          res.end()
          return
        }
        bodies.push(body)
        res.writeHead(503)
        res.end('busy')
      })
      const s = newSession()
      const response = await s.request(`${origin}/login`, {
        method: 'POST',
        body: new URLSearchParams({ username: 'alice', password: 'pw-307' }),
        carriesSecret: true
      })
      expect(response.status).toBe(503)
      expect(bodies).toEqual(['username=alice&password=pw-307'])
      s.destroy()
    }
  )

  it('a 302 turns it into a GET without the password, which may be retried', async () => {
    let gets = 0
    const origin = await serve((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(302, { location: '/next' })
        res.end()
        return
      }
      gets++
      res.writeHead(gets < 2 ? 503 : 200)
      res.end('ok')
    })
    const s = newSession()
    const response = await s.request(`${origin}/login`, {
      method: 'POST',
      body: new URLSearchParams({ password: 'pw' }),
      carriesSecret: true
    })
    expect(response.status).toBe(200)
    expect(gets).toBe(2)
    s.destroy()
  })

  it('HTTP Basic credentials do not follow a redirect to another origin', async () => {
    const seen: Array<string | undefined> = []
    const other = await serve((req, res) => {
      seen.push(req.headers.authorization)
      res.end('elsewhere')
    })
    const origin = await serve((req, res) => {
      seen.push(req.headers.authorization)
      res.writeHead(307, { location: `${other}/ecp` })
      res.end()
    })
    const s = newSession()
    const response = await s.request(`${origin}/ecp`, {
      method: 'POST',
      body: '<S:Envelope/>',
      basicAuth: { username: 'alice', password: 'basic-pw' },
      carriesSecret: true
    })
    expect(response.body).toBe('elsewhere')
    expect(seen).toEqual([`Basic ${Buffer.from('alice:basic-pw').toString('base64')}`, undefined])
    s.destroy()
  })
})

describe('the body cap', () => {
  it('holds for a chunked answer that has no length and never ends', async () => {
    let written = 0
    const origin = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer)
        res.write('x'.repeat(16_384))
        written += 16_384
      }, 1)
      res.on('close', () => clearInterval(timer))
    })
    const s = newSession(100_000)
    const error = await s.request(`${origin}/`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SignInError)
    expect((error as SignInError).message).toContain('no sign-in page is that large')
    expect(written).toBeLessThan(10 * 100_000)
    s.destroy()
  })
})
