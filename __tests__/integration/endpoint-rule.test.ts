/**
 * The unsigned SAML call goes to exactly one endpoint: the 'sts-endpoint' input or the partition's
 * regional endpoint. Ambient endpoint settings and the shared config files are never read.
 */
import { closeSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/cli.js'
import { useInProcessRunner } from '../support/in-process.js'

const { world, runWith } = useInProcessRunner()

/** A loopback forward proxy that records what it is asked for and forwards nothing. */
async function captureProxy(): Promise<{ url: string; seen: string[]; close: () => void }> {
  const seen: string[] = []
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      seen.push(
        `${req.method} ${req.url}${body.includes('SAMLAssertion') ? ' with SAMLAssertion' : ''}`
      )
      res.writeHead(502).end()
    })
  })
  server.on('connect', (req: IncomingMessage, socket) => {
    seen.push(`CONNECT ${req.url}`)
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections()
      server.close()
    }
  }
}

const fifos: string[] = []
afterEach(() => {
  // Release any reader still blocked on a FIFO, so no thread of this process stays stuck.
  for (const fifo of fifos.splice(0)) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
    } catch {
      // ENXIO: nobody is reading it, as it should be.
    }
  }
})

describe('the endpoint rule', () => {
  it('ignores AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL, with a notice, and proxies only the regional URL', async () => {
    const proxy = await captureProxy()
    try {
      process.env.AWS_ENDPOINT_URL_STS = 'http://sts.example.invalid/'
      process.env.AWS_ENDPOINT_URL = 'http://all.example.invalid/'
      process.env.HTTPS_PROXY = proxy.url
      process.env.HTTP_PROXY = proxy.url
      const run = await runWith({ 'sts-endpoint': '', 'disable-retry': 'true' })
      expect(proxy.seen.join('\n')).not.toContain('example.invalid')
      expect(proxy.seen).toEqual(['CONNECT sts.eu-west-1.amazonaws.com:443'])
      expect(run.error).toMatch(/HTTP 403/)
      expect(run.env).toEqual({})
      expect(run.notices.join('\n')).toMatch(
        /Ignoring AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL: .*https:\/\/sts\.eu-west-1\.amazonaws\.com/
      )
    } finally {
      proxy.close()
    }
  })

  it('holds for the CLI too', async () => {
    const proxy = await captureProxy()
    try {
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_STS: 'http://sts.example.invalid/',
        HTTPS_PROXY: proxy.url,
        HTTP_PROXY: proxy.url
      })
      let stderr = ''
      const code = await runCli(
        [
          '--saml-assertion',
          world().idp.issue({}).base64,
          '--region',
          'eu-west-1',
          '--disable-retry'
        ],
        {
          stdout: () => undefined,
          stderr: text => (stderr += text),
          readStdin: () => '',
          // The real CLI's env is process.env, which the SDK reads as well.
          env: process.env,
          version: 'test'
        }
      )
      expect(proxy.seen).toEqual(['CONNECT sts.eu-west-1.amazonaws.com:443'])
      expect(code).toBe(4)
      expect(stderr).toMatch(/^notice: Ignoring AWS_ENDPOINT_URL_STS: /m)
    } finally {
      proxy.close()
    }
  })

  it('ignores endpoint_url and services in the shared config file', async () => {
    const proxy = await captureProxy()
    try {
      const aws = join(process.env.HOME!, '.aws')
      mkdirSync(aws, { recursive: true })
      writeFileSync(
        join(aws, 'config'),
        '[default]\nendpoint_url = http://cfg.example.invalid/\nservices = s\n\n[services s]\nsts =\n  endpoint_url = http://svc.example.invalid/\n'
      )
      process.env.HTTPS_PROXY = proxy.url
      process.env.HTTP_PROXY = proxy.url
      await runWith({ 'sts-endpoint': '', 'disable-retry': 'true' })
      expect(proxy.seen).toEqual(['CONNECT sts.eu-west-1.amazonaws.com:443'])
    } finally {
      proxy.close()
    }
  })

  it('reads neither ~/.aws/config nor ~/.aws/credentials for the unsigned call (FIFOs there)', async () => {
    const aws = join(process.env.HOME!, '.aws')
    mkdirSync(aws, { recursive: true })
    for (const name of ['config', 'credentials']) {
      const fifo = join(aws, name)
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
      fifos.push(fifo)
    }
    const run = await runWith({ 'verify-credentials': 'true' })
    expect(run.error).toBeUndefined()
    expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    expect(world().emulator.requestCount('AssumeRoleWithSAML')).toBe(1)
  }, 15_000)
})
