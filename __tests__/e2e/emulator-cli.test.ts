/**
 * The emulator's command line (__tests__/support/emulator-cli.ts) as scripts and people start it: a
 * child process under tsx that serves the demo world, writes an assertion, and exits by itself.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DEMO_PROVIDER_ARN, DEMO_ROLES } from '../support/sts-emulator.js'
import { makeTempDir } from '../support/temp-dirs.js'

describe('emulator-cli', () => {
  it('starts the demo world, writes an assertion, and exits by itself', async () => {
    const dir = makeTempDir('sts-cli-')
    const out = join(dir, 'assertion.b64')
    const cli = fileURLToPath(new URL('../support/emulator-cli.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--assertion-out', out, '--lifetime-seconds', '3'],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    try {
      const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
      const line = await new Promise<string>((resolve, reject) => {
        let buf = ''
        child.stdout.on('data', (c: Buffer) => {
          buf += c.toString()
          const nl = buf.indexOf('\n')
          if (nl !== -1) resolve(buf.slice(0, nl))
        })
        child.on('exit', () => reject(new Error(`cli exited early: ${buf}`)))
      })
      const info = JSON.parse(line) as { url: string; assertionFile: string }
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      expect(info.assertionFile).toBe(out)
      const assertion = readFileSync(out, 'utf8').trim()
      const res = await fetch(info.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          Version: '2011-06-15',
          Action: 'AssumeRoleWithSAML',
          RoleArn: DEMO_ROLES.readOnly,
          PrincipalArn: DEMO_PROVIDER_ARN,
          SAMLAssertion: assertion
        }).toString()
      })
      const body = await res.text()
      expect(res.status, body).toBe(200)
      expect(body).toContain('<AssumeRoleWithSAMLResult>')
      expect(await exited).toBe(0)
    } finally {
      child.kill()
    }
  })
})
