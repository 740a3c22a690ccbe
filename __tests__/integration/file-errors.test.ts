/**
 * A credentials or config file the action must not write is a FileError: its own kind, a catalog
 * entry whose problem starts the message, and exit code 5 from the CLI (not 1, "unexpected").
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  awsFilePaths,
  writeProfiles,
  type AwsFilePaths,
  type ProfileCredentials
} from '../../src/aws-files/credentials-file.js'
import { EXIT, HELP, runCli } from '../../src/cli/cli.js'
import { FILE_ERRORS, type FileErrorId } from '../../src/errors/error-catalog.js'
import { FileError } from '../../src/errors/run-errors.js'
import { DEMO_ROLE_PAIRS } from '../support/sts-emulator.js'
import { useDemoWorld } from '../support/use-demo-world.js'

const POSIX = process.platform !== 'win32'

let dir: string
let paths: AwsFilePaths

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-errors-'))
  const aws = join(dir, 'home', '.aws')
  mkdirSync(aws, { recursive: true })
  paths = awsFilePaths(
    { AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials'), AWS_CONFIG_FILE: join(aws, 'config') },
    join(dir, 'home')
  )
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const profile: ProfileCredentials = {
  profile: 'p',
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiration: new Date('2030-01-02T03:04:05.000Z'),
  region: 'eu-west-1'
}

async function refusal(write: () => Promise<unknown>): Promise<FileError> {
  const error: unknown = await write().then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(FileError)
  return error as FileError
}

/** The catalog's problem, FILE and N filled in, starts the message (the README table says so). */
function expectCatalogued(error: FileError, id: FileErrorId, file: string): void {
  expect(error.code).toBe(id)
  expect(error.kind).toBe('file')
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const start = escape(FILE_ERRORS[id].problem)
    .replaceAll('FILE', escape(file))
    .replace(/\bN\b/, '[0-9.]+')
  expect(error.message).toMatch(new RegExp(`^${start}`))
}

describe('file refusals are FileErrors whose message starts with their catalog entry', () => {
  it.skipIf(!POSIX)('a symlink at the credentials path', async () => {
    writeFileSync(join(dir, 'elsewhere'), '')
    symlinkSync(join(dir, 'elsewhere'), paths.credentials)
    const error = await refusal(() => writeProfiles(paths, [profile]))
    expectCatalogued(error, 'symlink', paths.credentials)
  })

  it('a directory where the config file should be', async () => {
    mkdirSync(paths.config)
    const error = await refusal(() => writeProfiles(paths, [profile]))
    expectCatalogued(error, 'not-regular-file', paths.config)
  })

  it('a credentials file that is not UTF-8', async () => {
    writeFileSync(paths.credentials, Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0xff, 0x0a]))
    const error = await refusal(() => writeProfiles(paths, [profile]))
    expectCatalogued(error, 'not-utf8', paths.credentials)
  })

  it('one path for both files', async () => {
    const same = { credentials: paths.credentials, config: paths.credentials }
    const error = await refusal(() => writeProfiles(same, [profile]))
    expectCatalogued(error, 'same-file', '')
  })

  it('a lock held by a live process past the timeout', async () => {
    // This very process holds it: never judged stale, so the writer must time out.
    const lock = { pid: process.pid, hostname: hostname(), createdAt: new Date().toISOString() }
    writeFileSync(`${paths.credentials}.lock`, JSON.stringify(lock))
    const error = await refusal(() => writeProfiles(paths, [profile], { timeoutMs: 200 }))
    expectCatalogued(error, 'lock-timeout', paths.credentials)
  })

  it('a directory at the lock path', async () => {
    mkdirSync(`${paths.credentials}.lock`)
    const error = await refusal(() => writeProfiles(paths, [profile], { timeoutMs: 200 }))
    expectCatalogued(error, 'lock-not-regular', paths.credentials)
  })
})

describe('the CLI', () => {
  const demo = useDemoWorld()

  it.skipIf(!POSIX)('exits 5 when the credentials file is a symlink, and says why', async () => {
    writeFileSync(join(dir, 'elsewhere'), '')
    symlinkSync(join(dir, 'elsewhere'), paths.credentials)
    const { base64 } = demo.idp().issue({ roles: [DEMO_ROLE_PAIRS[0]!] })
    let stderr = ''
    const code = await runCli(
      [
        '--saml-assertion',
        base64,
        '--profile',
        'p',
        '--sts-endpoint',
        demo.sts().url,
        '--region',
        'eu-west-1'
      ],
      {
        stdout: () => undefined,
        stderr: text => (stderr += text),
        readStdin: () => '',
        env: {
          HOME: join(dir, 'home'),
          AWS_SHARED_CREDENTIALS_FILE: paths.credentials,
          AWS_CONFIG_FILE: paths.config
        },
        version: '0.0.0'
      }
    )
    expect(code).toBe(EXIT.file)
    expect(EXIT.file).toBe(5)
    expect(stderr).toContain(
      `saml-assume-role: Refusing to write ${paths.credentials}: it is a symbolic link`
    )
  })

  it('names exit code 5 in --help', () => {
    expect(HELP).toContain(`${EXIT.file} credentials or config file refused`)
  })
})
