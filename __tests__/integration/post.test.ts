/**
 * The post step in process: the state the main step saved (GITHUB_STATE) comes back as STATE_*
 * env vars, as the runner passes it, and runPost() undoes what the run left behind.
 */
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runPost } from '../../src/action/post.js'
import { parseFileCommands } from '../support/harness.js'
import { useInProcessRunner, type InProcessRun } from '../support/in-process.js'

const { runWith } = useInProcessRunner()

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

  it('removes the credentials even when the main step failed after writing them', async () => {
    // A symlinked config file makes the second write of writeProfiles fail.
    const { mkdirSync } = await import('node:fs')
    const home = join(process.env.GITHUB_STATE!, '..', 'home', '.aws')
    mkdirSync(home, { recursive: true })
    writeFileSync(join(home, 'real-config'), '[default]\nregion = us-east-1\n')
    symlinkSync(join(home, 'real-config'), join(home, 'config'))
    const main = await runWith({ profile: 'half-written' })
    expect(main.error).toMatch(/Refusing to write .*config: it is a symbolic link/)
    const credentials = join(home, 'credentials')
    expect(readFileSync(credentials, 'utf8')).toContain('[half-written]')

    const log = await post(main)
    // The credentials are gone; the symlinked config is refused again, and said so.
    expect(existsSync(credentials)).toBe(false)
    expect(log.join('\n')).toMatch(
      /^::error::Cleanup failed: Refusing to write .*config: it is a symbolic link.*\. Remove the leftover profiles by hand\.$/m
    )
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
