import { spawn } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync
} from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lockedUpdate } from '../../src/aws-files/atomic-file.js'
import { withLock } from '../../src/aws-files/file-lock.js'
import {
  awsFilePaths,
  keyFingerprint,
  removeProfiles,
  writeProfiles,
  type AwsFilePaths,
  type ProfileCredentials
} from '../../src/aws-files/credentials-file.js'
import { validateIni } from '../../src/aws-files/ini.js'
import { readSections } from '../support/ini-sections.js'

const POSIX = process.platform !== 'win32'
const EXPIRATION = new Date('2030-01-02T03:04:05.000Z')

let dir: string
let paths: AwsFilePaths

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'credentials-file-'))
  const aws = join(dir, 'home', '.aws')
  paths = awsFilePaths(
    { AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials'), AWS_CONFIG_FILE: join(aws, 'config') },
    join(dir, 'home')
  )
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function profile(name: string, keyId: string, region = 'eu-west-1'): ProfileCredentials {
  return {
    profile: name,
    accessKeyId: keyId,
    secretAccessKey: `secret/${keyId}`,
    sessionToken: `token-${keyId}`,
    expiration: EXPIRATION,
    region
  }
}

/** What marks a section as written by this action (no secret in it). */
const MARK = 'x_written_by = saml-assume-role'

function section(name: string, keyId: string): string {
  return (
    `[${name}]\naws_access_key_id = ${keyId}\naws_secret_access_key = secret/${keyId}\n` +
    `aws_session_token = token-${keyId}\nx_security_token_expires = 2030-01-02T03:04:05.000Z\n` +
    `${MARK}\n`
  )
}

const read = (path: string): string => readFileSync(path, 'utf8')
const mode = (path: string): number => statSync(path).mode & 0o777
const leftovers = (): string[] =>
  readdirSync(join(dir, 'home', '.aws')).filter(name => name !== 'credentials' && name !== 'config')

function lockFile(path: string, holder: { pid: number; createdAt: Date; hostname?: string }): void {
  writeFileSync(
    `${path}.lock`,
    JSON.stringify({
      ...holder,
      hostname: holder.hostname ?? hostname(),
      createdAt: holder.createdAt
    })
  )
}

/** A process that is alive for as long as the test needs it. */
function liveProcess(): { pid: number; stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
  return { pid: child.pid!, stop: () => child.kill() }
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise(done => child.on('exit', done))
  return child.pid!
}

describe('awsFilePaths', () => {
  it('uses the environment, else ~/.aws, and expands a leading ~', () => {
    const home = resolve('/home/someone')
    expect(awsFilePaths({}, home)).toEqual({
      credentials: join(home, '.aws', 'credentials'),
      config: join(home, '.aws', 'config')
    })
    expect(
      awsFilePaths({ AWS_SHARED_CREDENTIALS_FILE: '~/creds', AWS_CONFIG_FILE: '' }, home)
    ).toEqual({ credentials: join(home, 'creds'), config: join(home, '.aws', 'config') })
    expect(awsFilePaths({ AWS_CONFIG_FILE: 'relative/config' }, home).config).toBe(
      resolve('relative/config')
    )
  })
})

describe('writeProfiles', () => {
  it('creates the files 0600 in a 0700 directory, with the section and the region', async () => {
    await writeProfiles(paths, [profile('SAML-PROFILE', 'ASIAONE')])
    expect(read(paths.credentials)).toBe(section('SAML-PROFILE', 'ASIAONE'))
    expect(read(paths.config)).toBe(`[profile SAML-PROFILE]\nregion = eu-west-1\n${MARK}\n`)
    if (POSIX) {
      expect(mode(paths.credentials)).toBe(0o600)
      expect(mode(paths.config)).toBe(0o600)
      expect(mode(join(dir, 'home', '.aws'))).toBe(0o700)
    }
    expect(leftovers()).toEqual([])
  })

  it('writes [default] to both files for the profile named default', async () => {
    await writeProfiles(paths, [profile('default', 'ASIADEF', 'us-east-2')])
    expect(read(paths.credentials)).toBe(section('default', 'ASIADEF'))
    expect(read(paths.config)).toBe(`[default]\nregion = us-east-2\n${MARK}\n`)
  })

  it('replaces the section on a second write; other profiles survive byte for byte', async () => {
    await writeProfiles(paths, [profile('a', 'ASIAA1'), profile('b', 'ASIAB1', 'us-west-2')])
    const before = read(paths.credentials)
    expect(before).toBe(`${section('a', 'ASIAA1')}\n${section('b', 'ASIAB1')}`)
    await writeProfiles(paths, [profile('a', 'ASIAA2', 'ap-south-1')])
    expect(read(paths.credentials)).toBe(`${section('a', 'ASIAA2')}\n${section('b', 'ASIAB1')}`)
    expect(read(paths.config)).toBe(
      `[profile a]\nregion = ap-south-1\n${MARK}\n\n[profile b]\nregion = us-west-2\n${MARK}\n`
    )
  })

  it("keeps the user's comments, other profiles and config, and heals duplicates (overwrite allowed)", async () => {
    mkdirSync(join(dir, 'home', '.aws'), { recursive: true })
    const userCredentials =
      '# my keys\r\n[default]\r\naws_access_key_id = AKIAUSER\r\n\r\n' +
      '[SAML-PROFILE]\r\naws_access_key_id = OLD1\r\n\r\n[SAML-PROFILE]\r\naws_access_key_id = OLD2\r\n'
    const userConfig = '[default]\nregion = us-east-1\n\n[profile SAML-PROFILE]\noutput = json\n'
    writeFileSync(paths.credentials, userCredentials)
    writeFileSync(paths.config, userConfig)
    await writeProfiles(paths, [profile('SAML-PROFILE', 'ASIANEW')], { overwrite: true })
    expect(read(paths.credentials)).toBe(
      '# my keys\r\n[default]\r\naws_access_key_id = AKIAUSER\r\n\r\n' +
        section('SAML-PROFILE', 'ASIANEW').replace(/\n/g, '\r\n')
    )
    // The user's config section for the profile is theirs: left exactly as it was.
    expect(read(paths.config)).toBe(userConfig)
    expect(validateIni(read(paths.credentials))).toBeUndefined()
  })

  // Creating symlinks on Windows needs a privilege runners may lack.
  it.skipIf(!POSIX)(
    'refuses to write through a symlink, naming it, and leaves the target alone',
    async () => {
      const target = join(dir, 'elsewhere')
      writeFileSync(target, '[mine]\nk = v\n')
      mkdirSync(join(dir, 'home', '.aws'), { recursive: true })
      symlinkSync(target, paths.credentials)
      await expect(writeProfiles(paths, [profile('p', 'ASIAX')])).rejects.toThrow(
        `Refusing to write ${paths.credentials}: it is a symbolic link`
      )
      expect(read(target)).toBe('[mine]\nk = v\n')
      expect(lstatSync(paths.credentials).isSymbolicLink()).toBe(true)
      expect(existsSync(paths.config)).toBe(false)
      expect(leftovers()).toEqual([])
    }
  )

  it.skipIf(!POSIX)('allows a symlinked ~/.aws directory (a dotfiles setup)', async () => {
    const real = join(dir, 'dotfiles-aws')
    mkdirSync(real)
    mkdirSync(join(dir, 'home'))
    symlinkSync(real, join(dir, 'home', '.aws'))
    await writeProfiles(paths, [profile('p', 'ASIAX')])
    expect(read(join(real, 'credentials'))).toBe(section('p', 'ASIAX'))
  })

  it('refuses bad input with messages that hold no secret', async () => {
    const leaky = { ...profile('p', 'ASIAX'), sessionToken: 'TOKEN\n[evil]\nSECRETPART' }
    await expect(writeProfiles(paths, [leaky])).rejects.toThrow(
      /^The value for aws_session_token in \[p\] contains a line break$/
    )
    expect(existsSync(paths.credentials)).toBe(false)
    await expect(writeProfiles(paths, [profile('a]\n[b', 'ASIAX')])).rejects.toThrow(
      /^Invalid profile name "a]\\n\[b"/
    )
    await expect(
      writeProfiles({ credentials: paths.credentials, config: paths.credentials }, [
        profile('p', 'ASIAX')
      ])
    ).rejects.toThrow(/are the same file/)
  })

  it('refuses a file that is not UTF-8 instead of mangling it', async () => {
    mkdirSync(join(dir, 'home', '.aws'), { recursive: true })
    const bytes = Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x6b, 0x3d, 0xff, 0x0a])
    writeFileSync(paths.credentials, bytes)
    await expect(writeProfiles(paths, [profile('p', 'ASIAX')])).rejects.toThrow(
      `Refusing to rewrite ${paths.credentials}: it is not valid UTF-8 text`
    )
    expect(readFileSync(paths.credentials)).toEqual(bytes)
  })
})

describe('removeProfiles', () => {
  it('removes only sections that still hold our key id, and their config', async () => {
    mkdirSync(join(dir, 'home', '.aws'), { recursive: true })
    writeFileSync(paths.credentials, '# keep me\n[user]\naws_access_key_id = AKIAUSER\n')
    writeFileSync(paths.config, '[profile kept-settings]\noutput = json\n')
    await writeProfiles(paths, [
      profile('ours', 'ASIAOURS'),
      profile('replaced', 'ASIAOLD'),
      profile('kept-settings', 'ASIAKS')
    ])
    // Another run took over one of them since.
    await writeProfiles(paths, [profile('replaced', 'ASIATHEIRS')])

    const result = await removeProfiles(paths, [
      { profile: 'ours', keyFingerprint: keyFingerprint('ASIAOURS') },
      { profile: 'replaced', keyFingerprint: keyFingerprint('ASIAOLD') },
      { profile: 'kept-settings', keyFingerprint: keyFingerprint('ASIAKS') },
      { profile: 'never-written', keyFingerprint: keyFingerprint('ASIANONE') }
    ])
    expect(result).toEqual({
      removed: ['ours', 'kept-settings'],
      skipped: ['replaced', 'never-written']
    })
    expect(read(paths.credentials)).toBe(
      `# keep me\n[user]\naws_access_key_id = AKIAUSER\n\n${section('replaced', 'ASIATHEIRS')}`
    )
    // The user's own config section for kept-settings was never touched, and stays.
    expect(read(paths.config)).toBe(
      `[profile kept-settings]\noutput = json\n\n[profile replaced]\nregion = eu-west-1\n${MARK}\n`
    )
  })

  it('deletes a file that is left with nothing but whitespace and comments', async () => {
    await writeProfiles(paths, [profile('a', 'ASIAA'), profile('b', 'ASIAB')])
    expect(
      await removeProfiles(paths, [
        { profile: 'a', keyFingerprint: keyFingerprint('ASIAA') },
        { profile: 'b', keyFingerprint: keyFingerprint('ASIAB') }
      ])
    ).toEqual({ removed: ['a', 'b'], skipped: [] })
    expect(existsSync(paths.credentials)).toBe(false)
    expect(existsSync(paths.config)).toBe(false)
    expect(leftovers()).toEqual([])
  })

  it('does nothing when there is no credentials file', async () => {
    expect(
      await removeProfiles(paths, [{ profile: 'a', keyFingerprint: keyFingerprint('ASIAA') }])
    ).toEqual({
      removed: [],
      skipped: ['a']
    })
    expect(existsSync(join(dir, 'home', '.aws'))).toBe(false)
  })
})

/** One locked read-modify-write, as writeProfiles and removeProfiles make them. */
const updateFile = (path: string, transform: (current?: string) => string | undefined) =>
  withLock(resolve(path), {}, () => lockedUpdate(resolve(path), transform))

describe('lockedUpdate', () => {
  it('passes undefined for a missing file, deletes on undefined, leaves an unchanged file alone', async () => {
    const file = join(dir, 'new', 'file')
    const seen: Array<string | undefined> = []
    await updateFile(file, current => {
      seen.push(current)
      return 'one\n'
    })
    const written = statSync(file).mtimeMs
    await updateFile(file, current => current)
    expect(statSync(file).mtimeMs).toBe(written)
    await updateFile(file, current => {
      seen.push(current)
      return undefined
    })
    expect(seen).toEqual([undefined, 'one\n'])
    expect(existsSync(file)).toBe(false)
    expect(readdirSync(join(dir, 'new'))).toEqual([])
  })

  it('removes temp files that killed writers left over a minute ago, and only those', async () => {
    await writeProfiles(paths, [profile('p', 'ASIA1')])
    const aws = join(dir, 'home', '.aws')
    const old = join(aws, '.credentials.tmp-0123456789abcdef')
    const fresh = join(aws, '.credentials.tmp-fedcba9876543210')
    const oldLock = join(aws, 'credentials.lock.stale-0123456789abcdef')
    for (const file of [old, fresh, oldLock]) writeFileSync(file, 'partial')
    const twoMinutesAgo = new Date(Date.now() - 120_000)
    utimesSync(old, twoMinutesAgo, twoMinutesAgo)
    utimesSync(oldLock, twoMinutesAgo, twoMinutesAgo)
    await writeProfiles(paths, [profile('p', 'ASIA2')])
    expect(leftovers()).toEqual(['.credentials.tmp-fedcba9876543210'])
  })
})

describe('the lock', () => {
  it('is recovered when it is older than 30 s', async () => {
    await writeProfiles(paths, [profile('p', 'ASIA1')])
    const live = liveProcess()
    try {
      lockFile(paths.credentials, { pid: live.pid, createdAt: new Date(Date.now() - 60_000) })
      const started = Date.now()
      await writeProfiles(paths, [profile('p', 'ASIA2')])
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      live.stop()
    }
    expect(read(paths.credentials)).toBe(section('p', 'ASIA2'))
    expect(leftovers()).toEqual([])
  })

  it('is recovered when its process on this host is gone', async () => {
    await writeProfiles(paths, [profile('p', 'ASIA1')])
    lockFile(paths.credentials, { pid: await deadPid(), createdAt: new Date() })
    lockFile(paths.config, { pid: await deadPid(), createdAt: new Date() })
    const started = Date.now()
    await writeProfiles(paths, [profile('p', 'ASIA2')])
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(read(paths.credentials)).toBe(section('p', 'ASIA2'))
    expect(leftovers()).toEqual([])
  })

  it('is recovered when it was created but never written (writer killed in between)', async () => {
    await writeProfiles(paths, [profile('p', 'ASIA1')])
    writeFileSync(`${paths.credentials}.lock`, '')
    const threeSecondsAgo = new Date(Date.now() - 3_000)
    utimesSync(`${paths.credentials}.lock`, threeSecondsAgo, threeSecondsAgo)
    await writeProfiles(paths, [profile('p', 'ASIA2')])
    expect(read(paths.credentials)).toBe(section('p', 'ASIA2'))
  })

  it('makes a writer wait while a live process holds it, then proceed once released', async () => {
    await writeProfiles(paths, [profile('p', 'ASIA1')])
    const live = liveProcess()
    try {
      lockFile(paths.credentials, { pid: live.pid, createdAt: new Date() })
      const started = Date.now()
      let finished = 0
      const writing = writeProfiles(paths, [profile('p', 'ASIA2')]).then(() => {
        finished = Date.now()
      })
      await new Promise(done => setTimeout(done, 600))
      expect(finished).toBe(0)
      expect(read(paths.credentials)).toBe(section('p', 'ASIA1'))
      rmSync(`${paths.credentials}.lock`)
      await writing
      expect(finished - started).toBeGreaterThanOrEqual(600)
      expect(finished - started).toBeLessThan(3_000)
    } finally {
      live.stop()
    }
    expect(read(paths.credentials)).toBe(section('p', 'ASIA2'))
  })

  it('gives up after the timeout with a message that names the lock file and its holder', async () => {
    const live = liveProcess()
    try {
      mkdirSync(join(dir, 'home', '.aws'), { recursive: true })
      const createdAt = new Date()
      lockFile(paths.credentials, { pid: live.pid, createdAt })
      await expect(
        writeProfiles(paths, [profile('p', 'ASIA1')], { timeoutMs: 300 })
      ).rejects.toThrow(
        `Timed out after 0.3 s waiting for the lock file ${paths.credentials}.lock, held by process ` +
          `${live.pid} on ${hostname()} since ${createdAt.toISOString()}.`
      )
    } finally {
      live.stop()
    }
    // Someone else's lock stays.
    expect(existsSync(`${paths.credentials}.lock`)).toBe(true)
    expect(existsSync(paths.credentials)).toBe(false)
  })

  it('serializes writers within one process too', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => writeProfiles(paths, [profile(`p${i}`, `ASIA${i}`)]))
    )
    const sections = readSections(read(paths.credentials))
    expect(sections.size).toBe(10)
    for (let i = 0; i < 10; i++) {
      expect(sections.get(`p${i}`)?.get('aws_access_key_id')).toBe(`ASIA${i}`)
    }
    expect(validateIni(read(paths.config))).toBeUndefined()
  })
})
