/**
 * A home directory the step cannot write, as a real non-root user meets it (EACCES): the CLI from
 * dist/ under Node 24, run as uid 1001 by setpriv. Found before any STS request, with a message
 * that names the directory, never a raw "EACCES: permission denied, mkdir".
 */
import { execFile, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, node24 } from '../support/harness.js'
import { makeTempDir } from '../support/temp-dirs.js'
import { useDemoWorld } from '../support/use-demo-world.js'

const { idp, sts } = useDemoWorld()

const canDropPrivileges =
  process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0
if (!canDropPrivileges) {
  console.warn('Not root, or no setpriv: the read-only home test is SKIPPED (not passed).')
}

describe.skipIf(!canDropPrivileges)('a home directory the user cannot write', () => {
  it('is refused before any request, naming the directory, with exit code 5', async () => {
    const dir = makeTempDir('read-only-home-')
    chmodSync(dir, 0o755)
    const home = join(dir, 'home')
    mkdirSync(home, { mode: 0o555 })
    chmodSync(home, 0o555)
    const assertion = join(dir, 'assertion.b64')
    writeFileSync(assertion, idp().issue().base64, { mode: 0o644 })
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>(resolve => {
      const child = execFile(
        'setpriv',
        [
          '--reuid=1001',
          '--regid=1001',
          '--clear-groups',
          node24(),
          join(ROOT, 'dist', 'cli', 'index.js'),
          '--saml-assertion',
          `file://${assertion}`,
          '--sts-endpoint',
          sts().url,
          '--region',
          'eu-west-1',
          '--role-arn',
          'arn:aws:iam::123456789012:role/Deploy',
          '--profile',
          'p'
        ],
        { env: { PATH: process.env.PATH, HOME: home }, timeout: 60_000 },
        (error, _stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stderr: String(stderr) })
      )
      child.stdin?.end()
    })
    expect(stderr).toMatch(/Cannot write .*credentials: its directory is not writable \(EACCES at /)
    expect(stderr).not.toMatch(/EACCES: permission denied/)
    expect(code).toBe(5)
    expect(sts().requestCount()).toBe(0)
  })
})
