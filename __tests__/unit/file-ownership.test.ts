/**
 * What a write leaves behind and whose it is: the owner of a replaced file, temp files of killed
 * writers, locks dated in the future, and the ~/.aws directory a run created.
 */
import { spawn } from 'node:child_process'
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { createHash } from 'node:crypto'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  awsFilePaths,
  keyFingerprint,
  removeProfiles,
  writeProfiles,
  type AwsFilePaths,
  type ProfileCredentials
} from '../../src/aws-files/credentials-file.js'

const ROOT = process.getuid?.() === 0
if (!ROOT) console.warn('Not running as root: the file owner test is SKIPPED (not passed).')

let dir: string
let aws: string
let paths: AwsFilePaths

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-ownership-'))
  aws = join(dir, 'home', '.aws')
  paths = awsFilePaths({}, join(dir, 'home'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function profile(name: string, keyId: string): ProfileCredentials {
  return {
    profile: name,
    accessKeyId: keyId,
    secretAccessKey: `secret/${keyId}`,
    sessionToken: `token-${keyId}`,
    expiration: new Date('2030-01-02T03:04:05.000Z'),
    region: 'eu-west-1'
  }
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise(done => child.on('exit', done))
  return child.pid!
}

/** A temp file named the way a writer with this pid on this host names it. */
function tempOf(pid: number, file = 'credentials'): string {
  const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8)
  return `.${file}.tmp-${pid}-${host}-0123456789abcdef`
}

describe.skipIf(!ROOT)('the owner of a replaced file (as root)', () => {
  it('keeps the uid and gid of a file that existed', async () => {
    mkdirSync(aws, { recursive: true })
    writeFileSync(paths.credentials, '[mine]\nregion = x\n', { mode: 0o600 })
    writeFileSync(paths.config, '[profile mine]\nregion = x\n', { mode: 0o600 })
    chownSync(paths.credentials, 1001, 1002)
    chownSync(paths.config, 1003, 1004)
    await writeProfiles(paths, [profile('p', 'ASIA1')])
    expect(statSync(paths.credentials)).toMatchObject({ uid: 1001, gid: 1002 })
    expect(statSync(paths.config)).toMatchObject({ uid: 1003, gid: 1004 })
    expect(statSync(paths.credentials).mode & 0o777).toBe(0o600)
  })
})

describe('temp files of killed writers', () => {
  it('are removed by the next write at once when their writer is gone; a live writer’s stay', async () => {
    mkdirSync(aws, { recursive: true })
    const dead = tempOf(await deadPid())
    const live = tempOf(process.pid)
    for (const name of [dead, live])
      writeFileSync(join(aws, name), 'the whole file', { mode: 0o600 })
    await writeProfiles(paths, [profile('p', 'ASIA1')])
    expect(readdirSync(aws).filter(name => name.includes('.tmp-'))).toEqual([live])
  })

  it('are removed by the post step, even when there is nothing else to remove', async () => {
    mkdirSync(aws, { recursive: true })
    const dead = tempOf(await deadPid())
    const deadConfig = tempOf(await deadPid(), 'config')
    writeFileSync(join(aws, dead), 'the whole file', { mode: 0o600 })
    writeFileSync(join(aws, deadConfig), 'the whole file', { mode: 0o600 })
    await removeProfiles(paths, [{ profile: 'p', keyFingerprint: keyFingerprint('ASIA1') }])
    expect(readdirSync(aws).filter(name => name.includes('.tmp-'))).toEqual([])
  })
})

describe('a lock dated in the future', () => {
  it('is stale: the write proceeds instead of timing out', async () => {
    mkdirSync(aws, { recursive: true })
    // pid 1 is alive on every host, so only the date can make the lock stale.
    writeFileSync(
      `${paths.credentials}.lock`,
      JSON.stringify({
        pid: 1,
        hostname: hostname(),
        createdAt: new Date(Date.now() + 3_600_000).toISOString()
      })
    )
    await writeProfiles(paths, [profile('p', 'ASIA1')], { timeoutMs: 1_500 })
    expect(existsSync(`${paths.credentials}.lock`)).toBe(false)
  })
})
