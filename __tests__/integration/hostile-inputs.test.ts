/**
 * Inputs a careless user or an attacker gives: nothing secret is echoed, account IDs stay masked,
 * and misleading messages say what is really wrong.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/cli.js'
import { useInProcessRunner } from '../support/in-process.js'

const { world, runWith } = useInProcessRunner()

async function cli(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = ''
  let stdout = ''
  const code = await runCli(argv, {
    stdout: text => (stdout += text),
    stderr: text => (stderr += text),
    readStdin: () => '',
    env: { HOME: process.env.HOME },
    version: 'test'
  })
  return { code, stderr, stdout }
}

describe('the CLI never echoes what may be the assertion', () => {
  it.each([
    ['base64', () => world().idp.issue({}).base64],
    ['XML', () => world().idp.issue({}).xml],
    ['a form body', () => `SAMLResponse=${encodeURIComponent(world().idp.issue({}).base64)}`],
    ['a short base64-looking value', () => 'PHNhbWxwOlJlc3BvbnNl']
  ])('an unknown positional that is %s', async (_, value) => {
    const assertion = value()
    const run = await cli([assertion, '--region', 'eu-west-1'])
    expect(run.code).toBe(2)
    expect(run.stderr).not.toContain(assertion.slice(0, 12))
    expect(run.stderr).toMatch(/Unknown command \(\d+ characters, not shown/)
    expect(run.stderr).toMatch(/--saml-assertion/)
  })

  it('nor the assertion given to --role-arn by mistake', async () => {
    const assertion = world().idp.issue({}).base64
    const run = await cli(['--saml-assertion', assertion, '--role-arn', assertion])
    expect(run.code).toBe(2)
    expect(run.stderr).not.toContain(assertion.slice(0, 40))
    expect(run.stderr).toMatch(/not shown: it may be the assertion/)
  })

  it('still names a short, plain unknown command', async () => {
    const run = await cli(['rolez'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Unknown command "rolez"')
  })
})

describe('mask-account-id', () => {
  it('masks the account ID of an invalid role-arn before the message that quotes it', async () => {
    const run = await runWith({
      'role-arn': 'arn:aws:iam::123456789012:role/',
      'mask-account-id': 'true'
    })
    expect(run.error).toBeDefined()
    const first = run.stdout.findIndex(line => line.includes('123456789012'))
    expect(run.stdout[first]).toBe('::add-mask::123456789012')
  })

  it('masks the account IDs of every ARN input and allowed-account-ids', async () => {
    const run = await runWith({
      'principal-arn': 'arn:aws:iam::210987654321:saml-provider/',
      'chain-role-arn': 'arn:aws:iam::111122223333:role/Next',
      'allowed-account-ids': '444455556666',
      'mask-account-id': 'true'
    })
    expect(run.error).toBeDefined()
    for (const id of ['210987654321', '111122223333', '444455556666']) {
      const first = run.stdout.findIndex(line => line.includes(id))
      expect(run.stdout[first]).toBe(`::add-mask::${id}`)
    }
  })
})

describe('messages that say what is really wrong', () => {
  it.each([
    [
      'UTF-16LE',
      (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    ],
    [
      'UTF-16BE',
      (text: string) => {
        const body = Buffer.from(text, 'utf16le').swap16()
        return Buffer.concat([Buffer.from([0xfe, 0xff]), body])
      }
    ]
  ])('reads a %s file with a BOM (PowerShell `>` writes them)', async (_, encode) => {
    const file = join(process.env.HOME!, 'assertion.txt')
    mkdirSync(process.env.HOME!, { recursive: true })
    writeFileSync(file, encode(`${world().idp.issue({}).base64}\r\n`))
    const run = await runWith({ 'saml-assertion': '', 'saml-assertion-file': file })
    expect(run.error).toBeUndefined()
    expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
  })

  it("says role-arn '*' cannot be expanded for an encrypted assertion, when principal-arn is set", async () => {
    const run = await runWith(
      {
        'role-arn': '*',
        'principal-arn': 'arn:aws:iam::123456789012:saml-provider/TestIdP',
        profile: 'p-{role-name}'
      },
      { encrypted: true }
    )
    expect(run.error).not.toMatch(/needs both role-arn and principal-arn/)
    expect(run.error).toMatch(/^role-arn '\*' cannot be used with an encrypted assertion/)
    expect(world().emulator.requestCount()).toBe(0)
  })
})

describe('hostile XML is refused before any request, saying where, quoting no text', () => {
  const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol'
  const secret = 'SECRET-in-the-text'
  const base64 = (xml: string): string => Buffer.from(xml).toString('base64')

  it.each([
    [
      'elements nested 24,000 deep (past any recursive parser stack)',
      `<samlp:Response xmlns:samlp="${PROTOCOL}">${secret}${'<a>'.repeat(24_000)}`,
      /^The input is not a SAML Response: the XML is not well-formed \(nested too deeply at line 1, column \d+, at "<a"\)/
    ],
    [
      'an undefined entity',
      `<samlp:Response xmlns:samlp="${PROTOCOL}">${secret}&ent;</samlp:Response>`,
      /^The input is not a SAML Response: the XML is not well-formed \(unknown entity at line 1, column 86, at "&ent;"\)/
    ],
    [
      'an entity declared for expansion',
      `<!DOCTYPE r [<!ENTITY e "${secret}">]><samlp:Response xmlns:samlp="${PROTOCOL}">&e;</samlp:Response>`,
      /^The assertion XML contains a DOCTYPE or entity declaration/
    ]
  ])('%s', async (_label, xml, message) => {
    const run = await runWith({ 'saml-assertion': base64(xml) })
    expect(run.error).toMatch(message)
    expect(run.stdout.join('')).not.toContain(secret)
    expect(world().emulator.requestCount()).toBe(0)
  })
})

describe('size caps before anything is read in full, masked or sent', () => {
  const longest = (lines: string[]): number => Math.max(0, ...lines.map(line => line.length))

  it.each([
    ['/dev/zero', () => '/dev/zero', /is a device, not a regular file/],
    ['/dev/urandom', () => '/dev/urandom', /is a device, not a regular file/],
    [
      'a FIFO',
      () => {
        const fifo = join(process.env.HOME!, 'assertion.fifo')
        mkdirSync(process.env.HOME!, { recursive: true })
        expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
        return fifo
      },
      /is a named pipe \(FIFO\), not a regular file/
    ],
    [
      'a directory',
      () => {
        mkdirSync(process.env.HOME!, { recursive: true })
        return process.env.HOME!
      },
      /is a directory, not a regular file/
    ]
  ])('refuses %s as saml-assertion-file', async (_, path, message) => {
    const run = await runWith({ 'saml-assertion': '', 'saml-assertion-file': path() })
    expect(run.error).toMatch(message)
    expect(longest(run.stdout)).toBeLessThan(2_000)
    expect(world().emulator.requestCount()).toBe(0)
  })

  it('stops reading a 10 MB file at the cap: no mask line of its size, no request', async () => {
    const file = join(process.env.HOME!, 'big.b64')
    mkdirSync(process.env.HOME!, { recursive: true })
    writeFileSync(file, 'A'.repeat(10 * 1024 * 1024))
    const run = await runWith({ 'saml-assertion': '', 'saml-assertion-file': file })
    expect(run.error).toMatch(
      /^The assertion is larger than STS accepts: 'saml-assertion-file' holds more than 400,000 bytes/
    )
    expect(longest(run.stdout)).toBeLessThan(2_000)
    expect(world().emulator.requestCount()).toBe(0)
  })

  it('caps the input the same way, before masking it', async () => {
    const run = await runWith({ 'saml-assertion': 'A'.repeat(1_000_000) })
    expect(run.error).toMatch(
      /^The assertion is larger than STS accepts: 'saml-assertion' holds more than 400,000/
    )
    expect(longest(run.stdout)).toBeLessThan(2_000)
    expect(world().emulator.requestCount()).toBe(0)
  })
})
