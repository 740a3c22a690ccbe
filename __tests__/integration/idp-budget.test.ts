/**
 * idp-timeout-seconds is the budget for the whole sign-in, not for each request: an IdP that
 * never answers, one that stops half-way through a body, and one that is slow on every step all
 * fail within the budget (plus a little slack), with the IdP named and no STS request made.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { SignInError } from '../../src/errors/run-errors.js'
import { signIn } from '../../src/idp/sign-in.js'
import { useInProcessRunner } from '../support/in-process.js'

const servers: Array<Server | TcpServer> = []
const sockets: Socket[] = []

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
})

async function listen(server: Server | TcpServer): Promise<string> {
  servers.push(server)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Accepts connections and never says a word. */
function silent(): Promise<string> {
  return listen(createTcpServer(socket => sockets.push(socket)))
}

function http(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  return listen(
    createServer((req, res) => {
      sockets.push(req.socket)
      req.resume()
      req.on('end', () => handler(req, res))
    })
  )
}

const LOGIN_PAGE =
  '<html><title>Sign in</title><form method="post" action="/login">' +
  '<input name="username"><input type="password" name="password"></form></html>'

async function timedSignIn(
  origin: string,
  timeoutMs: number
): Promise<{ error: SignInError; elapsed: number }> {
  const started = Date.now()
  try {
    await signIn(
      {
        provider: 'form',
        url: new URL(`${origin}/start`),
        username: 'alice',
        password: 'pw-budget-test',
        timeoutMs
      },
      { mask: () => undefined, info: () => undefined, env: {} }
    )
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError)
    return { error: error as SignInError, elapsed: Date.now() - started }
  }
  throw new Error('expected the sign-in to fail')
}

describe('idp-timeout-seconds bounds the whole sign-in', () => {
  it('an IdP that accepts the connection and never answers', async () => {
    const { error, elapsed } = await timedSignIn(await silent(), 1500)
    expect(error.code).toBe('idp-unreachable')
    expect(error.message).toContain('within idp-timeout-seconds')
    expect(elapsed).toBeGreaterThanOrEqual(1400)
    expect(elapsed).toBeLessThan(2500)
  })

  it('an IdP that sends its headers and part of a body, then stalls', async () => {
    const origin = await http((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.write('<html><title>Sign in</title>')
    })
    const { error, elapsed } = await timedSignIn(origin, 1500)
    expect(error.code).toBe('idp-unreachable')
    expect(elapsed).toBeLessThan(2500)
  })

  it('an IdP slow on every step: the budget is spent across steps, not per request', async () => {
    // Each answer takes 1 s; the budget of 1.5 s runs out during the password POST.
    let posts = 0
    const origin = await http((req, res) => {
      if (req.method === 'POST') posts++
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/html' })
        res.end(LOGIN_PAGE)
      }, 1000)
    })
    const { error, elapsed } = await timedSignIn(origin, 1500)
    expect(error.code).toBe('idp-unreachable')
    expect(elapsed).toBeLessThan(2500)
    expect(posts).toBe(1)
  })
})

describe('the action with a hanging IdP', () => {
  const { world, runWith } = useInProcessRunner()

  it('fails within idp-timeout-seconds with a clear error and no STS request', async () => {
    const origin = await silent()
    const started = Date.now()
    const result = await runWith({
      'saml-assertion': '',
      'idp-url': `${origin}/start`,
      'idp-username': 'alice',
      'idp-password': 'pw-budget-test',
      'idp-timeout-seconds': '2',
      'role-arn': '*'
    })
    const elapsed = Date.now() - started
    expect(result.error).toMatch(/within idp-timeout-seconds/)
    expect(elapsed).toBeLessThan(3500)
    expect(world().emulator.requestCount()).toBe(0)
  })
})
