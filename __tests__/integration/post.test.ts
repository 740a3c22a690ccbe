/**
 * The post step in process: the state the main step saved (GITHUB_STATE) comes back as STATE_*
 * env vars, as the runner passes it, and runPost() undoes what the run left behind.
 */
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runPost } from '../../src/action/post.js'
import { parseFileCommands } from '../support/harness.js'
import { useInProcessRunner, type InProcessRun } from '../support/in-process.js'

const { runWith, world } = useInProcessRunner()

async function post(main: InProcessRun, inputs: Record<string, string> = {}): Promise<string[]> {
  const state = parseFileCommands(readFileSync(join(main.dir, 'state'), 'utf8'))
  for (const [name, value] of Object.entries(state)) process.env[`STATE_${name}`] = value
  for (const [name, value] of Object.entries(inputs))
    process.env[`INPUT_${name.toUpperCase()}`] = value
  const written = (process.stdout.write as unknown as { mock: { calls: unknown[][] } }).mock.calls
  const before = written.length
  writeFileSync(join(main.dir, 'env'), '')
  await runPost()
  return written.slice(before).map(call => String(call[0]).trimEnd())
}

describe('runPost()', () => {
  it('removes the profile it wrote and blanks the env it exported', async () => {
    const main = await runWith({ profile: 'post-test', 'export-env': 'true' })
    expect(main.error).toBeUndefined()
    const credentials = join(main.dir, 'home', '.aws', 'credentials')
    expect(readFileSync(credentials, 'utf8')).toContain('[post-test]')

    const log = await post(main)
    expect(log).toContain('Removed profile(s): post-test.')
    expect(existsSync(credentials)).toBe(false)
    const env = parseFileCommands(readFileSync(join(main.dir, 'env'), 'utf8'))
    expect(env.AWS_ACCESS_KEY_ID).toBe('')
    expect(env.AWS_SESSION_TOKEN).toBe('')
  })

  it('leaves a profile that another run replaced', async () => {
    const first = await runWith({ profile: 'shared' })
    const state = readFileSync(join(first.dir, 'state'), 'utf8')
    const credentials = join(first.dir, 'home', '.aws', 'credentials')
    writeFileSync(credentials, '[shared]\naws_access_key_id = ASIAOTHERRUN00000000\n')
    const log = await post({ ...first, dir: first.dir }, {})
    expect(state).toContain('cleanup')
    expect(log.join('\n')).toContain('Did not remove profile(s) shared')
    expect(readFileSync(credentials, 'utf8')).toContain('ASIAOTHERRUN00000000')
  })

  it('does nothing with cleanup: false', async () => {
    const main = await runWith({ profile: 'kept' })
    expect(await post(main, { cleanup: 'false' })).toContain(
      'cleanup is false: leaving profiles and env vars in place.'
    )
    expect(existsSync(join(main.dir, 'home', '.aws', 'credentials'))).toBe(true)
  })

  it('has nothing to do when the main step failed before writing anything', async () => {
    const failed = await runWith({ 'role-arn': 'arn:aws:iam::123456789012:role/NotOffered' })
    expect(failed.error).toMatch(/The requested role is not in the assertion/)
    expect(await post(failed)).toContain('Nothing to clean up.')
  })

  it('refuses a symlinked config file before any request: no credentials written, nothing to clean up', async () => {
    const home = join(process.env.GITHUB_STATE!, '..', 'home', '.aws')
    mkdirSync(home, { recursive: true })
    writeFileSync(join(home, 'real-config'), '[default]\nregion = us-east-1\n')
    symlinkSync(join(home, 'real-config'), join(home, 'config'))
    const main = await runWith({ profile: 'half-written' })
    expect(main.error).toMatch(/Refusing to write .*config: it is a symbolic link/)
    expect(world().emulator.requestCount()).toBe(0)
    expect(existsSync(join(home, 'credentials'))).toBe(false)

    const log = await post(main)
    expect(log).toContain('Nothing to clean up.')
    expect(log.join('\n')).not.toMatch(/Cleanup failed|by hand/)
  })

  it('reports a failed cleanup as an error annotation without failing the job', async () => {
    const main = await runWith({ profile: 'linked' })
    const credentials = join(main.dir, 'home', '.aws', 'credentials')
    const real = join(main.dir, 'elsewhere')
    writeFileSync(real, readFileSync(credentials))
    rmSync(credentials)
    symlinkSync(real, credentials)
    const log = await post(main)
    expect(log.join('\n')).toMatch(/^::error::Cleanup failed: Refusing to write .*symbolic link/m)
    expect(process.exitCode).toBeUndefined()
  })
})

describe('a profile of the same name', () => {
  const OTHER =
    '# my long-term keys\n[other]\naws_access_key_id = AKIAUSERSOWNKEY00000\naws_secret_access_key = users/own/secret\n'
  const OTHER_CONFIG = '[profile other]\nregion = eu-central-1\noutput = json\n'

  function userFiles(): { credentials: string; config: string } {
    const aws = join(process.env.HOME!, '.aws')
    mkdirSync(aws, { recursive: true })
    const files = { credentials: join(aws, 'credentials'), config: join(aws, 'config') }
    writeFileSync(files.credentials, OTHER)
    writeFileSync(files.config, OTHER_CONFIG)
    return files
  }

  it('is refused before any STS request when this action did not write it', async () => {
    const files = userFiles()
    const main = await runWith({ profile: 'other' })
    expect(main.error).toMatch(
      /^Refusing to overwrite a profile in .*credentials that this action did not write: \[other\]/
    )
    expect(main.error).toContain("'overwrite-profile'")
    expect(world().emulator.requestCount()).toBe(0)
    expect(readFileSync(files.credentials, 'utf8')).toBe(OTHER)
    expect(readFileSync(files.config, 'utf8')).toBe(OTHER_CONFIG)
    expect(await post(main)).toContain('Nothing to clean up.')
    expect(readFileSync(files.credentials, 'utf8')).toBe(OTHER)
  })

  it('[default] too', async () => {
    const aws = join(process.env.HOME!, '.aws')
    mkdirSync(aws, { recursive: true })
    writeFileSync(join(aws, 'credentials'), '[default]\naws_access_key_id = AKIADEFAULT000000000\n')
    const main = await runWith({ profile: 'default' })
    expect(main.error).toMatch(/that this action did not write: \[default\]/)
    expect(world().emulator.requestCount()).toBe(0)
  })

  it('with overwrite-profile: replaced, config kept, and the post step says it is not restored', async () => {
    const files = userFiles()
    const main = await runWith({ profile: 'other', 'overwrite-profile': 'true' })
    expect(main.error).toBeUndefined()
    expect(main.warnings.join('\n')).toMatch(/Overwrote \[other\] in .*credentials/)
    expect(readFileSync(files.credentials, 'utf8')).not.toContain('AKIAUSERSOWNKEY00000')
    // The user's config section is theirs: region and output stay as they were.
    expect(readFileSync(files.config, 'utf8')).toBe(OTHER_CONFIG)

    const log = (await post(main)).join('\n')
    expect(log).toContain('Removed profile(s): other.')
    expect(log).toMatch(/::warning::.*other.*which this run had overwritten.*not restored/)
    expect(readFileSync(files.config, 'utf8')).toBe(OTHER_CONFIG)
  })

  it('a profile this action wrote is replaced by the next run without asking', async () => {
    expect((await runWith({ profile: 'mine' })).error).toBeUndefined()
    const credentials = join(process.env.HOME!, '.aws', 'credentials')
    expect(readFileSync(credentials, 'utf8')).toMatch(/^x_written_by = saml-assume-role$/m)
    expect((await runWith({ profile: 'mine' })).error).toBeUndefined()
  })

  it('two paths naming one file are refused before any request', async () => {
    const aws = join(process.env.HOME!, '.aws')
    mkdirSync(aws, { recursive: true })
    writeFileSync(join(aws, 'credentials'), '')
    linkSync(join(aws, 'credentials'), join(aws, 'config'))
    const main = await runWith({ profile: 'p' })
    expect(main.error).toMatch(/^The credentials file and the config file are the same file/)
    expect(world().emulator.requestCount()).toBe(0)
  })

  it.each([
    ['a directory', (path: string) => mkdirSync(path), /it is not a regular file/],
    [
      'not UTF-8',
      (path: string) => writeFileSync(path, Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0xff])),
      /not valid UTF-8/
    ]
  ])('a credentials file that is %s is refused before any request', async (_, make, message) => {
    const aws = join(process.env.HOME!, '.aws')
    mkdirSync(aws, { recursive: true })
    make(join(aws, 'credentials'))
    const main = await runWith({ profile: 'p' })
    expect(main.error).toMatch(message)
    expect(world().emulator.requestCount()).toBe(0)
  })

  it('/dev/null as the credentials file is refused before any request', async () => {
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null'
    const main = await runWith({ profile: 'p' })
    expect(main.error).toMatch(/^Refusing to write \/dev\/null: it is not a regular file/)
    expect(world().emulator.requestCount()).toBe(0)
  })

  it('a home that cannot be written is refused before any request, without a raw EACCES', async () => {
    // A file where the home directory should be: nothing can be created under it, even by root.
    writeFileSync(join(process.env.HOME!, '..', 'not-a-dir'), '')
    process.env.HOME = join(process.env.HOME!, '..', 'not-a-dir')
    const main = await runWith({ profile: 'p' })
    expect(main.error).toMatch(/^Cannot write .*credentials: its directory is not writable/)
    expect(world().emulator.requestCount()).toBe(0)
  })
})

describe('the ~/.aws directory the run created', () => {
  it('is removed by the post step when it is empty at the end', async () => {
    const aws = join(process.env.HOME!, '.aws')
    expect(existsSync(aws)).toBe(false)
    const main = await runWith({ profile: 'p' })
    expect(existsSync(aws)).toBe(true)
    const log = (await post(main)).join('\n')
    expect(existsSync(aws)).toBe(false)
    expect(log).toMatch(/Removed the empty directories this run created: .*\.aws\b/)
  })

  it('stays when something else is in it, or when it existed before', async () => {
    const aws = join(process.env.HOME!, '.aws')
    const main = await runWith({ profile: 'p' })
    writeFileSync(join(aws, 'sso-cache'), '')
    await post(main)
    expect(existsSync(join(aws, 'sso-cache'))).toBe(true)

    rmSync(join(aws, 'sso-cache'))
    const again = await runWith({ profile: 'p' })
    await post(again)
    expect(existsSync(aws)).toBe(true)
  })
})

describe('files that existed before the run', () => {
  it('are never deleted by the post step, even when only comments are left in them', async () => {
    const aws = join(process.env.HOME!, '.aws')
    mkdirSync(aws, { recursive: true })
    const credentials = join(aws, 'credentials')
    const config = join(aws, 'config')
    writeFileSync(credentials, '# my notes: keys live in the vault\n')
    writeFileSync(config, '# managed by hand\n')
    const main = await runWith({ profile: 'p' })
    expect(main.error).toBeUndefined()
    expect(readFileSync(credentials, 'utf8')).toContain('[p]')
    expect(readFileSync(config, 'utf8')).toContain('[profile p]')

    const log = (await post(main)).join('\n')
    expect(log).toContain('Removed profile(s): p.')
    expect(readFileSync(credentials, 'utf8')).toBe('# my notes: keys live in the vault\n')
    expect(readFileSync(config, 'utf8')).toBe('# managed by hand\n')
  })

  it('a file holding only what an earlier run of the action wrote is still deleted', async () => {
    const first = await runWith({ profile: 'earlier' })
    expect(first.error).toBeUndefined()
    // The earlier run's post step never ran; this run replaces its profile, then cleans up.
    const main = await runWith({ profile: 'earlier' })
    await post(main)
    const aws = join(process.env.HOME!, '.aws')
    expect(existsSync(join(aws, 'credentials'))).toBe(false)
    expect(existsSync(join(aws, 'config'))).toBe(false)
  })
})
