/**
 * The action (in process) through a real forward proxy: tinyproxy as a child process on 127.0.0.1.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StsEmulator } from '../support/sts-emulator.js'
import { freePort } from '../support/free-port.js'
import { useInProcessRunner } from '../support/in-process.js'
import { requirePeer } from '../support/peers.js'

const { world, runWith } = useInProcessRunner()
const sts = (): StsEmulator => world().emulator

const found = await new Promise<boolean>(resolve => {
  const probe = spawn('tinyproxy', ['-v'], { stdio: 'ignore' })
  probe.on('error', () => resolve(false))
  probe.on('exit', code => resolve(code === 0))
})
const tinyproxy = requirePeer('tinyproxy', found, 'the forward proxy tests')

describe.skipIf(!tinyproxy)('through a real forward proxy (tinyproxy on 127.0.0.1)', () => {
  async function withProxy(
    test: (proxyUrl: string, log: () => string) => Promise<void>
  ): Promise<void> {
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'saml-action-tinyproxy-'))
    const conf = join(dir, 'tinyproxy.conf')
    writeFileSync(
      conf,
      `Port ${port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nLogLevel Info\nMaxClients 20\n`
    )
    let log = ''
    // `timeout` stops it by itself even if this process dies first.
    const proxy = spawn('timeout', ['60', 'tinyproxy', '-d', '-c', conf])
    proxy.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()))
    proxy.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()))
    try {
      for (let i = 0; i < 50 && !log.includes('listening on'); i++) {
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      await test(`http://127.0.0.1:${port}`, () => log)
    } finally {
      proxy.kill()
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it('sends the STS request through the http-proxy input', async () => {
    await withProxy(async (proxyUrl, log) => {
      const run = await runWith({ 'http-proxy': proxyUrl })
      expect(run.error).toBeUndefined()
      expect(sts().requests).toHaveLength(1)
      // tinyproxy forwards in origin form but marks what it forwarded with a Via header.
      expect(String(sts().requests[0]!.headers.via)).toMatch(/tinyproxy/)
      expect(log()).toMatch(/Request \(file descriptor \d+\): POST http:\/\/127\.0\.0\.1:\d+\//)
    })
  })

  it('uses HTTP_PROXY from the env, and NO_PROXY bypasses it', async () => {
    await withProxy(async proxyUrl => {
      process.env.HTTP_PROXY = proxyUrl
      expect((await runWith({})).error).toBeUndefined()
      expect(String(sts().requests[0]!.headers.via)).toMatch(/tinyproxy/)

      sts().reset()
      process.env.NO_PROXY = 'example.com,127.0.0.1'
      expect((await runWith({})).error).toBeUndefined()
      expect(sts().requests[0]!.headers.via).toBeUndefined()
    })
  })
})
