/**
 * The ecp provider's answers, against a local HTTP server speaking the shapes ECP endpoints send:
 * the SOAP envelope on success (returned whole, for the decoder to unwrap), 401, a SOAP Fault, a
 * failed Response status, an ACS that is not AWS, and an HTML page. Success through a real IdP:
 * __tests__/e2e/simplesamlphp.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { SignInError } from '../../src/errors/run-errors.js'
import { AWS_ACS_URL, ecpProvider } from '../../src/idp/ecp-provider.js'
import { HttpIdpSession } from '../../src/idp/idp-session.js'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise(resolve => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

interface Seen {
  headers: IncomingMessage['headers']
  body: string
}

async function endpoint(
  answer: (res: ServerResponse) => void
): Promise<{ url: URL; seen: Seen[] }> {
  const seen: Seen[] = []
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      seen.push({ headers: req.headers, body })
      answer(res)
    })
  })
  await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return { url: new URL(`http://127.0.0.1:${port}/idp/profile/SAML2/SOAP/ECP`), seen }
}

const envelope = (inner: string, acs = AWS_ACS_URL): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header>` +
  `<ecp:Response xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" S:mustUnderstand="1" S:actor="http://schemas.xmlsoap.org/soap/actor/next" AssertionConsumerServiceURL="${acs}"/>` +
  `</S:Header><S:Body>${inner}</S:Body></S:Envelope>`

const response = (status = 'urn:oasis:names:tc:SAML:2.0:status:Success', message = ''): string =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0">` +
  `<samlp:Status><samlp:StatusCode Value="${status}"/>${message ? `<samlp:StatusMessage>${message}</samlp:StatusMessage>` : ''}</samlp:Status></samlp:Response>`

async function signIn(url: URL, password = 'ecp-password'): Promise<string> {
  const session = new HttpIdpSession({
    deadline: Date.now() + 10_000,
    mask: () => undefined,
    info: () => undefined
  })
  try {
    return await ecpProvider(
      { provider: 'ecp', url, username: 'alice', password, timeoutMs: 10_000 },
      session
    )
  } finally {
    session.destroy()
  }
}

async function refused(url: URL): Promise<SignInError> {
  try {
    await signIn(url)
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError)
    return error as SignInError
  }
  throw new Error('expected a SignInError')
}

describe('idp-provider ecp', () => {
  it('posts an AuthnRequest from AWS with PAOS and HTTP Basic, and returns the envelope', async () => {
    const answer = envelope(response())
    const { url, seen } = await endpoint(res => {
      res.writeHead(200, { 'content-type': 'text/xml' })
      res.end(answer)
    })
    const saml = await signIn(url)
    expect(Buffer.from(saml, 'base64').toString('utf8')).toBe(answer)
    expect(seen).toHaveLength(1)
    const [request] = seen
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from('alice:ecp-password').toString('base64')}`
    )
    expect(request!.headers['content-type']).toBe('text/xml; charset=utf-8')
    expect(request!.headers.paos).toContain('urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp')
    expect(request!.body).toContain('<saml:Issuer>urn:amazon:webservices</saml:Issuer>')
    expect(request!.body).toContain(
      `AssertionConsumerServiceURL="${AWS_ACS_URL}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:PAOS"`
    )
  })

  it('reads 401 as a refused password, sent once', async () => {
    const { url, seen } = await endpoint(res => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="idp"' })
      res.end()
    })
    const error = await refused(url)
    expect(error.code).toBe('idp-credentials-refused')
    expect(error.message).not.toContain('ecp-password')
    expect(seen).toHaveLength(1)
  })

  it('reads a failed Response status as a refusal, quoting the IdP', async () => {
    const { url } = await endpoint(res =>
      res.end(envelope(response('urn:oasis:names:tc:SAML:2.0:status:Responder', 'WRONGUSERPASS')))
    )
    const error = await refused(url)
    expect(error.code).toBe('idp-credentials-refused')
    expect(error.message).toContain('status "Responder" and "WRONGUSERPASS"')
  })

  it('reports a SOAP Fault with its faultstring', async () => {
    const { url } = await endpoint(res =>
      res.end(
        envelope(
          '<S:Fault><faultcode>S:Server</faultcode><faultstring>ECP is not enabled for this SP</faultstring></S:Fault>'
        )
      )
    )
    const error = await refused(url)
    expect(error.code).toBe('idp-no-saml-response')
    expect(error.message).toContain('"ECP is not enabled for this SP"')
  })

  it('refuses a Response the IdP addresses to anyone but AWS', async () => {
    const { url } = await endpoint(res =>
      res.end(envelope(response(), 'https://sp.example.org/Shibboleth.sso/SAML2/ECP'))
    )
    const error = await refused(url)
    expect(error.code).toBe('idp-no-saml-response')
    expect(error.message).toContain('"https://sp.example.org/Shibboleth.sso/SAML2/ECP", not to AWS')
  })

  it('names an endpoint that answers with HTML instead of SOAP', async () => {
    const { url } = await endpoint(res => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html><title>Login</title></html>')
    })
    const error = await refused(url)
    expect(error.code).toBe('idp-page-not-understood')
    expect(error.message).toContain('not a SOAP envelope')
  })

  it('says an endpoint answering 404 is no ECP endpoint', async () => {
    const { url } = await endpoint(res => {
      res.writeHead(404)
      res.end('not found')
    })
    expect((await refused(url)).code).toBe('idp-unsupported')
  })
})
