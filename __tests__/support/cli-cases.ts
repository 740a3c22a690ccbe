/**
 * The command-line tool as a user runs it, against the strict STS emulator, with assertions the
 * test IdP really signed: every subcommand and output mode, and the exit codes.
 * __tests__/integration/cli.test.ts runs every case against runCli() from src/ in process (the
 * fast loop); __tests__/e2e/cli.test.ts runs a smoke set (one case per behaviour the bundle could
 * get wrong) against dist/cli/index.js under Node 24, plus credential_process through the real
 * AWS CLI. Cases outside the smoke set are not registered there, so nothing shows as skipped.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT, HELP, runCli as runCliInProcess } from '../../src/cli/cli.js'
import {
  DEMO_PROVIDER_ARN,
  DEMO_ROLES,
  PACKED_POLICY_BUDGET_BYTES,
  startDemoWorld,
  type DemoWorld,
  type IssuedCredentials,
  type StsEmulator
} from './sts-emulator.js'
import { AWS_SAML_ENDPOINT, type IssuedResponse, type TestIdp } from './test-idp.js'
import { ROOT, awsCli, node24, runAwsCli } from './harness.js'
import { requirePeer } from './peers.js'
import { makeTempDir } from './temp-dirs.js'

const CLI = join(ROOT, 'dist', 'cli', 'index.js')
const ACCOUNT = '123456789012'
const DENIED_ROLE = `arn:aws:iam::${ACCOUNT}:role/Denied`
const DEPLOY_SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/alice@example.com`
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
const BOTH = [
  { roleArn: DEMO_ROLES.deploy, principalArn: DEMO_PROVIDER_ARN },
  { roleArn: DEMO_ROLES.readOnly, principalArn: DEMO_PROVIDER_ARN }
]

let world: DemoWorld
let idp: TestIdp
let sts: StsEmulator

interface CliRun {
  code: number
  stdout: string
  stderr: string
  /** Wall clock around the run, to bound the relative times the CLI prints. */
  startedAt: number
  endedAt: number
}

function tempDir(): string {
  return makeTempDir('saml-cli-')
}

/** A fresh, empty HOME, so profiles land in a directory the test owns. */
function newHome(): string {
  const home = join(tempDir(), 'home')
  mkdirSync(home)
  return home
}

export type CliMode = 'dist/cli/index.js under Node 24' | 'runCli() from src, in process'
let mode: CliMode = 'dist/cli/index.js under Node 24'

/**
 * Runs the CLI with only PATH and HOME from outside (no AWS_* variables): the bundle under Node 24,
 * or runCli() in this process with the same env, stdin and arguments.
 */
async function runCli(
  args: string[],
  options: { stdin?: string; home?: string; env?: Record<string, string> } = {}
): Promise<CliRun> {
  const startedAt = Date.now()
  const env = { PATH: process.env.PATH ?? '', HOME: options.home ?? newHome(), ...options.env }
  if (mode === 'runCli() from src, in process') {
    let stdout = ''
    let stderr = ''
    const code = await runCliInProcess(args, {
      stdout: text => (stdout += text),
      stderr: text => (stderr += text),
      readStdin: () => options.stdin ?? '',
      env,
      version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string
    })
    return { code, stdout, stderr, startedAt, endedAt: Date.now() }
  }
  return new Promise(resolvePromise => {
    const child = execFile(
      node24(),
      [CLI, ...args],
      {
        encoding: 'utf8',
        timeout: 30_000,
        maxBuffer: 16 * 1024 * 1024,
        env
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolvePromise({ code, stdout, stderr, startedAt, endedAt: Date.now() })
      }
    )
    // A child that never reads stdin may close it first; that is not a failure of the test.
    child.stdin!.on('error', () => undefined)
    child.stdin!.end(options.stdin ?? '')
  })
}

function writeTemp(text: string, name = 'assertion.txt'): string {
  const path = join(tempDir(), name)
  writeFileSync(path, text)
  return path
}

/** The arguments every assume run shares: the emulator and a fixed region. */
const endpoint = (): string[] => ['--sts-endpoint', sts.url, '--region', 'eu-west-1']

/** Credentials the emulator issued while `action` ran, oldest first. */
async function issuedDuring(action: () => Promise<CliRun>): Promise<[CliRun, IssuedCredentials[]]> {
  const before = sts.issuedCredentials().length
  const run = await action()
  return [run, sts.issuedCredentials().slice(before)]
}

/** STS sends whole seconds; the CLI prints what STS sent. */
const wholeSeconds = (d: Date): string =>
  new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString()

/**
 * Neither the assertion (its base64 or a piece of it, its signature) nor any key the emulator ever
 * issued may appear in `text`. (Plain XML values such as ARNs may: the CLI reports them.)
 */
function expectNoSecrets(text: string, assertion?: IssuedResponse): void {
  if (assertion) {
    for (let i = 0; i + 32 <= assertion.base64.length; i += 16) {
      expect(text).not.toContain(assertion.base64.slice(i, i + 32))
    }
    const signature = /<ds:SignatureValue>([^<]+)</.exec(assertion.xml)?.[1]
    expect(signature?.length).toBeGreaterThan(100)
    expect(text).not.toContain(signature!.slice(0, 40))
  }
  for (const c of sts.issuedCredentials()) {
    expect(text).not.toContain(c.accessKeyId)
    expect(text).not.toContain(c.secretAccessKey)
    expect(text).not.toContain(c.sessionToken.slice(0, 64))
  }
}

/** Sections of an INI file as the AWS CLI reads it: `[name]` then `key = value` lines. */
function iniSections(path: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {}
  let current: Record<string, string> | undefined
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const header = /^\[(.+)\]$/.exec(line.trim())
    if (header) {
      current = sections[header[1]!] = {}
      continue
    }
    const entry = /^([\w-]+)\s*=\s*(.*)$/.exec(line)
    if (entry && current) current[entry[1]!] = entry[2]!
  }
  return sections
}

/** "1m 31s" / "15m 2s" / "42s" / "1h 5m" (formatDuration) back to seconds. */
function seconds(text: string): number {
  const m = /^(?:(\d+)h )?(?:(\d+)m ?)?(?:(\d+)s)?$/.exec(text)
  if (!m || text === '') throw new Error(`not a duration: ${text}`)
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
}

/** The whole seconds between `from` and `to` the CLI could have printed during `run`. */
function expectElapsed(text: string, run: CliRun, from: number, sign: 1 | -1): void {
  const bounds = [run.startedAt, run.endedAt].map(t => Math.round((sign * (t - from)) / 1000))
  expect(seconds(text)).toBeGreaterThanOrEqual(Math.min(...bounds))
  expect(seconds(text)).toBeLessThanOrEqual(Math.max(...bounds))
}

/** Parses a `roles` report into its fields, checking the line structure on the way. */
function parseReport(stdout: string): {
  fields: Record<string, string>
  roles: string[]
  lines: string[]
} {
  const lines = stdout.split('\n')
  expect(lines.at(-1)).toBe('')
  const fields: Record<string, string> = {}
  for (const line of lines.slice(0, 6)) {
    const m = /^(Issuer|Subject|Session|Issued|Expires|Partition): {1,6}(.*)$/.exec(line)
    expect(m, line).not.toBeNull()
    fields[m![1]!] = m![2]!
  }
  const count = /^Roles \((\d+)\):$/.exec(lines[6] ?? '')
  expect(count, lines[6]).not.toBeNull()
  const roles = lines.slice(7, -1)
  expect(roles).toHaveLength(Number(count![1]))
  return { fields, roles, lines }
}

const roleLine = (roleArn: string): string => `  ${roleArn}  via ${DEMO_PROVIDER_ARN}`

/** Every option the parser in src/cli/cli.ts accepts, read from its source (long names and shorts). */
function parserOptions(): { long: string[]; short: string[] } {
  const source = readFileSync(join(ROOT, 'src', 'cli', 'cli.ts'), 'utf8')
  const stringOptions = /const STRING_OPTIONS[^{]*\{([^}]*)\}/.exec(source)?.[1]
  const parseOptions = /parseArgs\(\{[\s\S]*?options: \{([\s\S]*?)\n\s*\} as const/.exec(
    source
  )?.[1]
  if (!stringOptions || !parseOptions) throw new Error('src/cli/cli.ts: option tables not found')
  const keys = (block: string): string[] =>
    [...block.matchAll(/^\s*'?([a-z][a-z-]*)'?: /gm)].map(m => m[1]!)
  return {
    long: [...keys(parseOptions), ...keys(stringOptions)],
    short: [...parseOptions.matchAll(/short: '(\w)'/g)].map(m => m[1]!)
  }
}

/** Registers the CLI cases for one mode: all of them in process, the smoke set against dist/. */
export function describeCli(current: CliMode): void {
  mode = current
  const full = current === 'runCli() from src, in process'
  if (!full && !existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run package\` first.`)
  beforeAll(async () => {
    world = await startDemoWorld()
    idp = world.idp
    sts = world.emulator
    sts.registerRole(DENIED_ROLE, { deny: true })
  })
  afterAll(async () => {
    await world.close()
  })
  beforeEach(() => {
    sts.reset()
    sts.clearFaults()
  })
  describeCases(full)
  if (!full) describeCredentialProcess()
}

function describeCases(full: boolean): void {
  describe('--help and --version', () => {
    it('--help and -h print the full help, naming every option the parser accepts and the exit codes', async () => {
      const { long, short } = parserOptions()
      // The extraction itself must work: a few options every version has, and no duplicates.
      expect(long).toEqual(
        expect.arrayContaining(['help', 'version', 'saml-assertion', 'role-arn', 'output'])
      )
      expect(long).toEqual(
        expect.arrayContaining(['duration-seconds', 'max-concurrency', 'verify'])
      )
      expect(long.length).toBeGreaterThanOrEqual(23)
      expect(new Set(long).size).toBe(long.length)
      expect(short).toEqual(['h'])

      const help = await runCli(['--help'])
      expect(help.stderr).toBe('')
      expect(help.code).toBe(0)
      expect(help.stdout).toBe(HELP) // the bundle is current with the source
      const dashH = await runCli(['-h'])
      expect(dashH.code).toBe(0)
      expect(dashH.stdout).toBe(help.stdout)

      for (const name of long) {
        if (name === 'help' || name === 'version') {
          expect(help.stdout).toMatch(new RegExp(`(^|\\s)--${name}(\\s|$)`, 'm'))
        } else {
          // An Options line: the option, maybe its VALUE, then at least two spaces and a description.
          expect(help.stdout, `--${name} has no help line`).toMatch(
            new RegExp(`^ {2}--${name}(?: [A-Z]+)? {2,}\\S`, 'm')
          )
        }
      }
      for (const letter of short) expect(help.stdout).toMatch(new RegExp(`(^|\\s)-${letter}\\s`))

      // The bundle accepts every option read from the source (parseArgs is strict: an unknown one
      // would exit 2 before --help is looked at).
      const all = long.flatMap(name =>
        ['help', 'version', 'verify', 'disable-retry'].includes(name)
          ? [`--${name}`]
          : [`--${name}`, 'x']
      )
      const accepted = await runCli([...all, '--help'])
      expect(accepted.stderr).toBe('')
      expect(accepted.code).toBe(0)

      // Exit codes: distinct, and each explained.
      expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length)
      const text = help.stdout.replace(/\s+/g, ' ')
      expect(text).toContain(`${EXIT.ok} success`)
      expect(text).toContain(`${EXIT.usage} usage error`)
      expect(text).toContain(`${EXIT.assertion} assertion rejected locally (no STS call)`)
      expect(text).toContain(`${EXIT.sts} STS or network error`)
      expect(text).toContain(`${EXIT.unexpected} unexpected error`)
      expect(sts.requestCount()).toBe(0)
    })

    it('--version prints the package version', async () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        version: string
      }
      const run = await runCli(['--version'])
      expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
    })
  })

  describe('roles SOURCE: what the assertion offers, without calling STS', () => {
    const sources: Array<[string, (a: IssuedResponse) => { arg: string; stdin?: string }]> = [
      ['file://PATH (XML)', a => ({ arg: `file://${writeTemp(a.xml)}` })],
      // As `base64` prints it: wrapped at 76 columns, trailing newline.
      [
        '- (stdin, wrapped base64)',
        a => ({ arg: '-', stdin: `${a.base64.replace(/.{76}/g, '$&\n')}\n` })
      ],
      ['the base64 itself', a => ({ arg: a.base64 })]
    ]

    it.each(sources)(
      '%s: every role and provider, issuer, subject, age, time left, partition',
      async (_, source) => {
        const issuedAt = Date.now() - 90_000
        const assertion = idp.issue({ roles: BOTH, issueInstant: new Date(issuedAt) })
        const { arg, stdin } = source(assertion)
        const run = await runCli(['roles', arg], { stdin })
        expect(run.stderr).toBe('')
        expect(run.code).toBe(0)
        const { fields, roles } = parseReport(run.stdout)
        expect(fields.Issuer).toBe('"https://idp.example.test/saml"')
        expect(fields.Subject).toBe(`"alice@example.com" ("${PERSISTENT}")`)
        expect(fields.Session).toBe('"alice@example.com"')
        expect(fields.Partition).toBe('aws')
        expect(roles).toEqual([roleLine(DEMO_ROLES.deploy), roleLine(DEMO_ROLES.readOnly)])

        const issued = /^(\S+) \((.+) ago\)$/.exec(fields.Issued!)
        expect(issued?.[1]).toBe(new Date(issuedAt).toISOString())
        expectElapsed(issued![2]!, run, issuedAt, 1)
        const expiresAt = issuedAt + 5 * 60_000
        const expires = /^(\S+) \((.+) left\)$/.exec(fields.Expires!)
        expect(expires?.[1]).toBe(new Date(expiresAt).toISOString())
        expectElapsed(expires![2]!, run, expiresAt, -1)

        expect(sts.requestCount()).toBe(0)
        expectNoSecrets(run.stdout + run.stderr, assertion)
      }
    )

    if (full)
      it('an expired assertion still lists, with how long ago it expired', async () => {
        const issuedAt = Date.now() - 20 * 60_000
        const assertion = idp.issue({ issueInstant: new Date(issuedAt) })
        const run = await runCli(['roles', `file://${writeTemp(assertion.base64)}`])
        expect(run.stderr).toBe('')
        expect(run.code).toBe(0)
        const { fields, roles } = parseReport(run.stdout)
        expect(roles).toEqual([roleLine(DEMO_ROLES.deploy)])
        const expiresAt = issuedAt + 5 * 60_000
        const expired = /^(\S+) \(expired (.+) ago\)$/.exec(fields.Expires!)
        expect(expired?.[1]).toBe(new Date(expiresAt).toISOString())
        expectElapsed(expired![2]!, run, expiresAt, 1)
        expect(seconds(expired![2]!)).toBeGreaterThanOrEqual(15 * 60)
        expect(sts.requestCount()).toBe(0)
      })

    if (full)
      it('untrusted text with line breaks and workflow commands never starts a line', async () => {
        const nameId = 'mallory\n::set-env name=AWS_ACCESS_KEY_ID::AKIAEVIL'
        const issuer = 'https://idp.example.test/saml\n::add-mask::x'
        const sessionName = 'alice\n::error::pwned'
        const assertion = idp.issue({ nameId, issuer, roleSessionName: sessionName })
        const run = await runCli(['roles', '-'], { stdin: assertion.base64 })
        expect(run.code).toBe(0)
        const { fields } = parseReport(run.stdout)
        expect(fields.Subject).toBe(`${JSON.stringify(nameId)} ("${PERSISTENT}")`)
        expect(fields.Issuer).toBe(JSON.stringify(issuer))
        expect(fields.Session).toBe(JSON.stringify(sessionName))
        for (const line of `${run.stdout}\n${run.stderr}`.split(/\r?\n|\r/)) {
          expect(line.trimStart().startsWith('::'), line).toBe(false)
        }
        expect(sts.requestCount()).toBe(0)
      })

    if (full)
      it('lists the Role values it ignored, quoted, each with why', async () => {
        const good = `${DEMO_ROLES.deploy},${DEMO_PROVIDER_ARN}`
        const assertion = idp.issue({ roleValues: [good, 'admin', `${DEMO_ROLES.readOnly},`] })
        const run = await runCli(['roles', assertion.base64])
        expect(run.code).toBe(0)
        expect(run.stdout).toContain(
          `Roles (1):\n${roleLine(DEMO_ROLES.deploy)}\nIgnored Role values (2):\n` +
            '  "admin": it is not two ARNs separated by a comma\n' +
            `  ${JSON.stringify(`${DEMO_ROLES.readOnly},`)}: it holds a role ARN but no SAML provider ARN\n`
        )
      })
  })

  describe('assume: output modes', () => {
    if (full)
      it('--role-session-tags and --transitive-tag-keys tag the chained session only', async () => {
        const [run, issued] = await issuedDuring(() =>
          runCli([
            '--saml-assertion',
            idp.issue().base64,
            ...endpoint(),
            '--chain-role-arn',
            DEMO_ROLES.otherDeploy,
            '--role-session-tags',
            '{"team":"ops","ticket":42}',
            '--transitive-tag-keys',
            'team',
            '--output',
            'json'
          ])
        )
        expect(run.code, run.stderr).toBe(0)
        expect(issued.map(c => [c.chained, c.tags, c.transitiveTagKeys])).toEqual([
          [false, undefined, undefined],
          [true, { team: 'ops', ticket: '42' }, ['team']]
        ])
      })

    it('--output env (the default without --profile): export lines a shell evaluates to the issued credentials', async () => {
      const assertion = idp.issue()
      const [run, issued] = await issuedDuring(() =>
        runCli(['--saml-assertion', assertion.base64, ...endpoint()])
      )
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(issued).toHaveLength(1)
      const creds = issued[0]!
      expect(creds.roleArn).toBe(DEMO_ROLES.deploy)
      const names = [
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'AWS_REGION',
        'AWS_DEFAULT_REGION',
        'AWS_CREDENTIAL_EXPIRATION'
      ]
      const lines = run.stdout.split('\n')
      expect(lines.pop()).toBe('')
      expect(lines.map(line => /^export (\w+)=/.exec(line)?.[1])).toEqual(names)

      const file = writeTemp(run.stdout, 'exports.sh')
      const script = `set -eu; eval "$(cat "$1")"; printf '%s\\0' ${names.map(n => `"$${n}"`).join(' ')}`
      const evaluated = await new Promise<string>((resolvePromise, reject) => {
        execFile(
          'bash',
          ['-c', script, 'bash', file],
          { env: { PATH: process.env.PATH ?? '' } },
          (e, out) => (e ? reject(new Error(`bash: ${e.message}`)) : resolvePromise(out))
        )
      })
      expect(evaluated.split('\0').slice(0, -1)).toEqual([
        creds.accessKeyId,
        creds.secretAccessKey,
        creds.sessionToken,
        'eu-west-1',
        'eu-west-1',
        wholeSeconds(creds.expiration)
      ])

      expect(sts.requestCount()).toBe(1)
      const request = sts.requests[0]!
      expect(request.action).toBe('AssumeRoleWithSAML')
      expect(request.params).toMatchObject({
        RoleArn: DEMO_ROLES.deploy,
        PrincipalArn: DEMO_PROVIDER_ARN,
        SAMLAssertion: assertion.base64,
        DurationSeconds: '3600'
      })
    })

    if (full)
      it('--output json: the STS response fields', async () => {
        const assertion = idp.issue({ sourceIdentity: 'alice-src' })
        const policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]
        })
        const [run, issued] = await issuedDuring(() =>
          runCli([
            '--saml-assertion',
            `file://${writeTemp(assertion.xml)}`,
            ...endpoint(),
            '--output',
            'json',
            '--duration-seconds',
            '1800',
            '--inline-session-policy',
            policy
          ])
        )
        expect(run.stderr).toBe('')
        expect(run.code).toBe(0)
        expect(issued).toHaveLength(1)
        const creds = issued[0]!
        const packed = deflateRawSync(Buffer.from(policy, 'utf8')).length
        expect(JSON.parse(run.stdout)).toEqual({
          Credentials: {
            AccessKeyId: creds.accessKeyId,
            SecretAccessKey: creds.secretAccessKey,
            SessionToken: creds.sessionToken,
            Expiration: wholeSeconds(creds.expiration)
          },
          AssumedRoleUser: { Arn: DEPLOY_SESSION_ARN, AssumedRoleId: creds.assumedRoleId },
          Subject: 'alice@example.com',
          SubjectType: 'persistent',
          Issuer: idp.issuer,
          Audience: AWS_SAML_ENDPOINT,
          NameQualifier: createHash('sha1')
            .update(`${idp.issuer}${ACCOUNT}/TestIdP`, 'utf8')
            .digest('base64'),
          SourceIdentity: 'alice-src',
          PackedPolicySize: Math.max(1, Math.ceil((packed * 100) / PACKED_POLICY_BUDGET_BYTES))
        })
        expect(creds.assumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:alice@example\.com$/)
        // 1800 s from when STS issued them.
        const expiration = creds.expiration.getTime()
        expect(expiration).toBeGreaterThanOrEqual(run.startedAt + 1_800_000)
        expect(expiration).toBeLessThanOrEqual(run.endedAt + 1_800_000)
        expect(sts.requestCount()).toBe(1)
        expect(sts.requests[0]!.params).toMatchObject({ DurationSeconds: '1800', Policy: policy })
      })

    it('--output credential-process: exactly the five fields credential_process takes', async () => {
      const assertion = idp.issue()
      const [run, issued] = await issuedDuring(() =>
        runCli([
          '--saml-assertion',
          assertion.base64,
          ...endpoint(),
          '--output',
          'credential-process'
        ])
      )
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(issued).toHaveLength(1)
      const creds = issued[0]!
      expect(run.stdout).toBe(
        `${JSON.stringify({
          Version: 1,
          AccessKeyId: creds.accessKeyId,
          SecretAccessKey: creds.secretAccessKey,
          SessionToken: creds.sessionToken,
          Expiration: wholeSeconds(creds.expiration)
        })}\n`
      )
      expect(sts.requestCount()).toBe(1)
    })

    const stdinForms: Array<[string, (a: IssuedResponse) => string]> = [
      ['base64', a => `${a.base64}\n`],
      ['URL-encoded (SAMLResponse=)', a => `SAMLResponse=${encodeURIComponent(a.base64)}`],
      ['raw XML', a => a.xml]
    ]
    if (full)
      it.each(stdinForms)('--saml-assertion - reads %s from stdin', async (_, form) => {
        const assertion = idp.issue()
        const [run, issued] = await issuedDuring(() =>
          runCli(['--saml-assertion', '-', ...endpoint(), '--output', 'credential-process'], {
            stdin: form(assertion)
          })
        )
        expect(run.stderr).toBe('')
        expect(run.code).toBe(0)
        expect(issued).toHaveLength(1)
        expect(JSON.parse(run.stdout).AccessKeyId).toBe(issued[0]!.accessKeyId)
        expect(sts.requestCount()).toBe(1)
        // STS got the IdP's exact bytes, whatever form they came in.
        expect(sts.requests[0]!.params.SAMLAssertion).toBe(assertion.base64)
      })
  })

  describe('assume: profiles', () => {
    it('refuses a profile it did not write (exit 5, no STS call) unless --overwrite-profile', async () => {
      const home = newHome()
      mkdirSync(join(home, '.aws'), { recursive: true })
      writeFileSync(
        join(home, '.aws', 'credentials'),
        '[mine]\naws_access_key_id = AKIAUSERKEY000000000\n'
      )
      const args = (): string[] => [
        '--saml-assertion',
        idp.issue().base64,
        ...endpoint(),
        '--profile',
        'mine'
      ]
      const [refused, none] = await issuedDuring(() => runCli(args(), { home }))
      expect(refused.code).toBe(EXIT.file)
      expect(none).toHaveLength(0)
      expect(refused.stderr).toMatch(/Refusing to overwrite a profile in .* \[mine\]/)
      expect(refused.stderr).toContain('--overwrite-profile')
      const [replaced, issued] = await issuedDuring(() =>
        runCli([...args(), '--overwrite-profile'], { home })
      )
      expect(replaced.code).toBe(0)
      expect(issued).toHaveLength(1)
      expect(replaced.stderr).toMatch(/^warning: Overwrote \[mine\]/m)
    })

    it('--profile NAME --region eu-west-1 writes ~/.aws/credentials and ~/.aws/config, prints nothing on stdout', async () => {
      const home = newHome()
      const assertion = idp.issue()
      const [run, issued] = await issuedDuring(() =>
        runCli(['--saml-assertion', assertion.base64, ...endpoint(), '--profile', 'saml-cli'], {
          home
        })
      )
      expect(run.code).toBe(0)
      expect(run.stdout).toBe('')
      expect(issued).toHaveLength(1)
      const creds = issued[0]!
      expect(run.stderr).toBe(
        `Wrote profile saml-cli (${DEPLOY_SESSION_ARN}, expires ${wholeSeconds(creds.expiration)}).\n`
      )
      const credentials = join(home, '.aws', 'credentials')
      const config = join(home, '.aws', 'config')
      const written = iniSections(credentials)
      expect(Object.keys(written)).toEqual(['saml-cli'])
      expect(written['saml-cli']).toMatchObject({
        aws_access_key_id: creds.accessKeyId,
        aws_secret_access_key: creds.secretAccessKey,
        aws_session_token: creds.sessionToken
      })
      expect(iniSections(config)).toEqual({
        'profile saml-cli': { region: 'eu-west-1', x_written_by: 'saml-assume-role' }
      })
      if (process.platform !== 'win32') {
        expect(statSync(credentials).mode & 0o777).toBe(0o600)
        expect(statSync(config).mode & 0o777).toBe(0o600)
      }
      expect(sts.requestCount()).toBe(1)
    })

    if (full)
      it("several --role-arn with --profile 'p-{role-name}' write one profile per role", async () => {
        const home = newHome()
        const assertion = idp.issue({ roles: BOTH })
        const [run, issued] = await issuedDuring(() =>
          runCli(
            [
              '--saml-assertion',
              assertion.base64,
              ...endpoint(),
              '--role-arn',
              DEMO_ROLES.deploy,
              '--role-arn',
              DEMO_ROLES.readOnly,
              '--profile',
              'p-{role-name}'
            ],
            { home }
          )
        )
        expect(run.code).toBe(0)
        expect(run.stdout).toBe('')
        expect(run.stderr).toMatch(/^Wrote profile p-Deploy \(/m)
        expect(run.stderr).toMatch(/^Wrote profile p-ReadOnly \(/m)
        expect(issued.map(c => c.roleArn).sort()).toEqual([DEMO_ROLES.deploy, DEMO_ROLES.readOnly])
        const credentials = iniSections(join(home, '.aws', 'credentials'))
        expect(Object.keys(credentials).sort()).toEqual(['p-Deploy', 'p-ReadOnly'])
        for (const [profile, roleArn] of [
          ['p-Deploy', DEMO_ROLES.deploy],
          ['p-ReadOnly', DEMO_ROLES.readOnly]
        ] as const) {
          const creds = issued.find(c => c.roleArn === roleArn)!
          expect(credentials[profile]).toMatchObject({
            aws_access_key_id: creds.accessKeyId,
            aws_secret_access_key: creds.secretAccessKey,
            aws_session_token: creds.sessionToken
          })
        }
        expect(iniSections(join(home, '.aws', 'config'))).toEqual({
          'profile p-Deploy': { region: 'eu-west-1', x_written_by: 'saml-assume-role' },
          'profile p-ReadOnly': { region: 'eu-west-1', x_written_by: 'saml-assume-role' }
        })
        expect(sts.requestCount('AssumeRoleWithSAML')).toBe(2)
        expect(sts.requestCount()).toBe(2)
        expect(sts.requests.map(r => r.params.RoleArn).sort()).toEqual([
          DEMO_ROLES.deploy,
          DEMO_ROLES.readOnly
        ])
      })

    if (full)
      it("--role-arn '*' --profile with --output json prints one document per role", async () => {
        const home = newHome()
        const assertion = idp.issue({ roles: BOTH })
        const [run, issued] = await issuedDuring(() =>
          runCli(
            [
              '--saml-assertion',
              assertion.base64,
              ...endpoint(),
              '--role-arn',
              '*',
              '--profile',
              '{account-id}-{role-name}',
              '--output',
              'json'
            ],
            { home }
          )
        )
        expect(run.code).toBe(0)
        const docs = JSON.parse(run.stdout) as Array<{
          Credentials: { AccessKeyId: string }
          AssumedRoleUser: { Arn: string }
        }>
        expect(docs.map(d => d.AssumedRoleUser.Arn)).toEqual([
          DEPLOY_SESSION_ARN,
          `arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnly/alice@example.com`
        ])
        expect(docs.map(d => d.Credentials.AccessKeyId).sort()).toEqual(
          issued.map(c => c.accessKeyId).sort()
        )
        expect(Object.keys(iniSections(join(home, '.aws', 'credentials'))).sort()).toEqual([
          `${ACCOUNT}-Deploy`,
          `${ACCOUNT}-ReadOnly`
        ])
        expect(sts.requestCount()).toBe(2)
      })

    const two = ['--role-arn', DEMO_ROLES.deploy, '--role-arn', DEMO_ROLES.readOnly]
    const takesOneRole = (mode: string): string =>
      `--output ${mode} takes one role; with several, use --profile (and --output json to print them).`
    // Without --profile, the engine's own check (several roles need a profile) speaks first.
    const needsProfile =
      "2 roles were selected, so --profile is required: a template such as 'deploy-{account-id}' or '{account-id}-{role-name}' names one profile per role."
    const oneRoleOnly: Array<[string, string, string[]]> = [
      [
        '--output env, two --role-arn, --profile',
        takesOneRole('env'),
        [...two, '--output', 'env', '--profile', 'p-{role-name}']
      ],
      ['env by default, two --role-arn, no --profile', needsProfile, two],
      [
        "--output credential-process, --role-arn '*', --profile",
        takesOneRole('credential-process'),
        ['--role-arn', '*', '--output', 'credential-process', '--profile', 'p-{role-name}']
      ],
      [
        "--output credential-process, --role-arn '*', no --profile",
        needsProfile,
        ['--role-arn', '*', '--output', 'credential-process']
      ]
    ]
    if (full)
      it.each(oneRoleOnly)(
        '%s: usage error before any request or file',
        async (_, message, args) => {
          const home = newHome()
          const assertion = idp.issue({ roles: BOTH })
          const run = await runCli(['--saml-assertion', assertion.base64, ...endpoint(), ...args], {
            home
          })
          expect(run.stdout).toBe('')
          expect(run.stderr).toBe(`saml-assume-role: ${message}\n`)
          expect(run.code).toBe(2)
          expect(sts.requestCount()).toBe(0)
          expect(existsSync(join(home, '.aws'))).toBe(false)
        }
      )
  })

  describe('exit codes', () => {
    const usageErrors: Array<[string, (assertion: string) => string[], string]> = [
      ['an unknown option', a => ['--saml-assertion', a, '--bogus'], "Unknown option '--bogus'"],
      [
        'no --saml-assertion',
        () => [],
        '--saml-assertion (file://PATH, - for stdin, or the value) or --idp-url is required. See --help.\n'
      ],
      [
        'a bad --output',
        a => ['--saml-assertion', a, '--output', 'yaml'],
        '--output must be env, json or credential-process, not "yaml".\n'
      ],
      [
        'a non-numeric --duration-seconds',
        a => ['--saml-assertion', a, '--duration-seconds', 'abc'],
        '--duration-seconds must be a whole number, not "abc".\n'
      ],
      [
        'an out-of-range --duration-seconds',
        a => ['--saml-assertion', a, '--duration-seconds', '100'],
        '--duration-seconds is 100; it must be between 900 and 43200.\n'
      ],
      [
        'an assertion file that does not exist',
        () => ['--saml-assertion', 'file:///nonexistent/samlresponse.log'],
        'Cannot read --saml-assertion "/nonexistent/samlresponse.log" (ENOENT).'
      ],
      [
        'a file:// value too long to be a path (the assertion pasted by mistake)',
        a => ['--saml-assertion', `file://${a}`],
        'characters, which is no file path'
      ]
    ]
    it.each(usageErrors)('%s exits 2 (usage)', async (_, args, message) => {
      const assertion = idp.issue()
      const run = await runCli([...endpoint(), ...args(assertion.base64)])
      expect(run.stdout).toBe('')
      expect(run.stderr.startsWith('saml-assume-role: ')).toBe(true)
      expect(run.stderr).toContain(message)
      expect(run.stderr.split('\n')).toHaveLength(2) // one line, newline-terminated
      expect(run.code).toBe(2)
      expect(sts.requestCount()).toBe(0)
      expectNoSecrets(run.stderr, assertion)
    })

    it('an expired assertion exits 3 (assertion) without a request', async () => {
      const issuedAt = Date.now() - 20 * 60_000
      const assertion = idp.issue({ issueInstant: new Date(issuedAt) })
      const run = await runCli(['--saml-assertion', assertion.base64, ...endpoint()])
      expect(run.stdout).toBe('')
      expect(run.stderr).toContain(
        `saml-assume-role: The assertion has expired: it expired at ${new Date(issuedAt + 5 * 60_000).toISOString()}, `
      )
      expect(run.code).toBe(3)
      expect(sts.requestCount()).toBe(0)
      expectNoSecrets(run.stderr, assertion)
    })

    if (full)
      it('a role the assertion does not offer exits 3 (assertion) without a request', async () => {
        const assertion = idp.issue()
        const nope = `arn:aws:iam::${ACCOUNT}:role/Nope`
        const run = await runCli([
          '--saml-assertion',
          assertion.base64,
          ...endpoint(),
          '--role-arn',
          nope
        ])
        expect(run.stdout).toBe('')
        expect(run.stderr).toContain(`${nope} is not among the 1 role(s) the assertion offers:`)
        expect(run.stderr).toContain(`  - ${DEMO_ROLES.deploy}\n`)
        // The CLI names its own option, not the action's input.
        expect(run.stderr).toContain('--role-arn names a role the IdP did not grant this user.')
        expect(run.code).toBe(3)
        expect(sts.requestCount()).toBe(0)
        expectNoSecrets(run.stderr, assertion)
      })

    it('a role whose trust policy denies the provider exits 4 (STS) after exactly one request', async () => {
      const assertion = idp.issue({
        roles: [{ roleArn: DENIED_ROLE, principalArn: DEMO_PROVIDER_ARN }]
      })
      const [run, issued] = await issuedDuring(() =>
        runCli(['--saml-assertion', assertion.base64, ...endpoint()])
      )
      expect(run.stdout).toBe('')
      expect(run.stderr).toContain(`saml-assume-role: AssumeRoleWithSAML ${DENIED_ROLE}: `)
      expect(run.stderr).toContain('(AccessDenied, HTTP 403)')
      expect(run.stderr).toContain('STS said: "Not authorized to perform sts:AssumeRoleWithSAML"')
      expect(run.code).toBe(4)
      expect(issued).toHaveLength(0)
      expect(sts.requestCount('AssumeRoleWithSAML')).toBe(1)
      expect(sts.requestCount()).toBe(1)
      expectNoSecrets(run.stderr, assertion)
    })

    if (full)
      it('an error STS answers with exits 4 (STS) after exactly one request', async () => {
        sts.inject({
          kind: 'error',
          times: 1,
          code: 'IDPRejectedClaim',
          status: 403,
          message: 'The user account is disabled'
        })
        const assertion = idp.issue()
        const run = await runCli([
          '--saml-assertion',
          assertion.base64,
          ...endpoint(),
          '--output',
          'json'
        ])
        expect(run.stdout).toBe('')
        expect(run.stderr).toContain(`saml-assume-role: AssumeRoleWithSAML ${DEMO_ROLES.deploy}: `)
        expect(run.stderr).toContain('(IDPRejectedClaim, HTTP 403)')
        expect(run.stderr).toContain('STS said: "The user account is disabled"')
        expect(run.code).toBe(4)
        expect(sts.requestCount()).toBe(1)
        expectNoSecrets(run.stderr, assertion)
      })

    it('a successful run leaves no key or assertion on stderr, and untrusted text starts no line', async () => {
      const nameId = 'mallory\n::set-env name=AWS_ACCESS_KEY_ID::AKIAEVIL'
      const assertion = idp.issue({ nameId })
      const run = await runCli([
        '--saml-assertion',
        assertion.base64,
        ...endpoint(),
        '--output',
        'json'
      ])
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout).Subject).toBe(nameId)
      for (const line of `${run.stdout}\n${run.stderr}`.split(/\r?\n|\r/)) {
        expect(line.trimStart().startsWith('::'), line).toBe(false)
      }
      expectNoSecrets(run.stderr, assertion)
    })
  })
}

/** A word for credential_process (split like a POSIX shell by the AWS CLI). */
const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`

function describeCredentialProcess(): void {
  const cli = awsCli()
  const found = requirePeer('the AWS CLI', cli !== undefined, 'the credential_process interop test')
  describe.skipIf(!found)(`credential_process with the real AWS CLI (${cli})`, () => {
    it('get-caller-identity --profile cp runs the CLI for credentials and signs with them', async () => {
      const dir = tempDir()
      const home = join(dir, 'home')
      mkdirSync(home)
      const assertionFile = join(dir, 'assertion.b64')
      writeFileSync(assertionFile, `${idp.issue().base64}\n`)
      const command = [
        node24(),
        CLI,
        '--saml-assertion',
        `file://${assertionFile}`,
        '--sts-endpoint',
        sts.url,
        '--region',
        'eu-west-1',
        '--output',
        'credential-process'
      ]
      const config = join(dir, 'config')
      writeFileSync(
        config,
        `[profile cp]\ncredential_process = ${command.map(shellWord).join(' ')}\nregion = eu-west-1\n`
      )
      const before = sts.issuedCredentials().length
      const result = await runAwsCli(
        cli!,
        [
          'sts',
          'get-caller-identity',
          '--profile',
          'cp',
          '--endpoint-url',
          sts.url,
          '--output',
          'json'
        ],
        home,
        { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials') }
      )
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const issued = sts.issuedCredentials().slice(before)
      expect(issued).toHaveLength(1)
      expect(JSON.parse(result.stdout)).toEqual({
        UserId: issued[0]!.assumedRoleId,
        Account: ACCOUNT,
        Arn: DEPLOY_SESSION_ARN
      })
      expect(sts.requestCount('AssumeRoleWithSAML')).toBe(1)
      expect(sts.requestCount('GetCallerIdentity')).toBe(1)
      expect(sts.requestCount()).toBe(2)
      // Signed (the emulator verified SigV4) with the issued key, in the profile's region.
      const call = sts.requests.find(r => r.action === 'GetCallerIdentity')!
      expect(String(call.headers.authorization)).toMatch(
        new RegExp(`Credential=${issued[0]!.accessKeyId}/\\d{8}/eu-west-1/sts/aws4_request`)
      )
      expect(call.headers['x-amz-security-token']).toBe(issued[0]!.sessionToken)
    })
  })
}
