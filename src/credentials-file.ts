/**
 * The AWS shared credentials and config files are shared state: other steps, other jobs on a
 * self-hosted runner and the user all write them. So every change is read-modify-write under a
 * cross-process lock, written atomically (temp file, fsync, rename), and never through a symlink.
 */
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  constants,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
  type BigIntStats
} from 'node:fs'
import { lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises'
import { homedir, hostname } from 'node:os'
import { basename, dirname, join, resolve, sep } from 'node:path'
import {
  hasContent,
  isValidProfileName,
  removeSections,
  upsertSections,
  validateIni,
  type SectionUpdate
} from './ini.js'

const WINDOWS = process.platform === 'win32'

/** How long a writer waits for another one before giving up. */
const LOCK_TIMEOUT_MS = 30_000
/** Writers hold the lock for milliseconds; one this old belongs to a hung or vanished process. */
const LOCK_STALE_MS = 30_000
/** A lock is written right after it is created; still empty after this long, its writer died. */
const UNWRITTEN_LOCK_STALE_MS = 2_000
/** Temp files of a killed writer are harmless; after this long nobody can still rename them. */
const LEFTOVER_STALE_MS = 60_000

export interface AwsFilePaths {
  credentials: string
  config: string
}

export interface ProfileCredentials {
  profile: string
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
  region: string
}

export interface LockOptions {
  /** Wait at most this long for another writer (default 30 s). */
  timeoutMs?: number
  /** Treat a lock older than this as abandoned (default 30 s). */
  staleMs?: number
}

/** Where the AWS CLI looks: the environment overrides, else ~/.aws. */
export function awsFilePaths(env: NodeJS.ProcessEnv, home: string = homedir()): AwsFilePaths {
  const pick = (configured: string | undefined, fallback: string): string =>
    resolve(expandHome(configured || fallback, home))
  return {
    credentials: pick(env.AWS_SHARED_CREDENTIALS_FILE, join(home, '.aws', 'credentials')),
    config: pick(env.AWS_CONFIG_FILE, join(home, '.aws', 'config'))
  }
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home
  if (path.startsWith('~/') || path.startsWith(`~${sep}`)) return join(home, path.slice(2))
  return path
}

/**
 * Write every profile's credentials (and its region to the config file) in one atomic write per
 * file, holding both locks: credentials first, then config, always in that order.
 */
export async function writeProfiles(
  paths: AwsFilePaths,
  profiles: ProfileCredentials[],
  options: LockOptions = {}
): Promise<void> {
  if (profiles.length === 0) return
  const credentialUpdates: SectionUpdate[] = []
  const configUpdates: SectionUpdate[] = []
  for (const p of profiles) {
    checkProfileName(p.profile)
    if (p.region === '') throw new Error(`No region for profile ${p.profile}`)
    if (Number.isNaN(p.expiration.getTime())) {
      throw new Error(`Invalid expiration for profile ${p.profile}`)
    }
    credentialUpdates.push({
      header: p.profile,
      entries: [
        ['aws_access_key_id', p.accessKeyId],
        ['aws_secret_access_key', p.secretAccessKey],
        ['aws_session_token', p.sessionToken],
        // Ignored by the AWS CLI; saml2aws writes the same key, so tools that read it keep working.
        ['x_security_token_expires', p.expiration.toISOString()]
      ]
    })
    // The user's own settings for the profile (output, cli_pager, s3 ...) stay.
    configUpdates.push({
      header: configHeader(p.profile),
      entries: [['region', p.region]],
      keepOtherKeys: true
    })
  }
  const { credentials, config } = distinctPaths(paths)
  await withLock(credentials, options, () =>
    withLock(config, options, async () => {
      await lockedUpdate(credentials, current =>
        checked(credentials, current, upsertSections(current ?? '', credentialUpdates))
      )
      await lockedUpdate(config, current =>
        checked(config, current, upsertSections(current ?? '', configUpdates))
      )
    })
  )
}

/**
 * Remove the profiles this run wrote, but only those that still hold this run's access key id:
 * another run may have replaced one since, and then it is theirs. A config section goes only with
 * its credentials, and only when it holds nothing but the region we wrote. A file left with
 * nothing but whitespace and comments is deleted.
 */
export async function removeProfiles(
  paths: AwsFilePaths,
  written: Array<{ profile: string; accessKeyId: string }>,
  options: LockOptions = {}
): Promise<{ removed: string[]; skipped: string[] }> {
  written.forEach(entry => checkProfileName(entry.profile))
  const keyIds = new Map(written.map(entry => [entry.profile, entry.accessKeyId]))
  const { credentials, config } = distinctPaths(paths)
  let removed: string[] = []
  if ((await kindOf(credentials)) !== undefined) {
    const configExists = (await kindOf(config)) !== undefined
    await withLock(credentials, options, async () => {
      await lockedUpdate(credentials, current => {
        if (current === undefined) return undefined
        const result = removeSections(
          current,
          [...keyIds.keys()],
          (profile, entries) => entries.get('aws_access_key_id') !== keyIds.get(profile)
        )
        removed = result.removed
        return afterRemoval(current, result)
      })
      if (removed.length === 0 || !configExists) return
      await withLock(config, options, () =>
        lockedUpdate(config, current => {
          if (current === undefined) return undefined
          const result = removeSections(current, removed.map(configHeader), (_, entries) =>
            [...entries.keys()].some(key => key !== 'region')
          )
          return afterRemoval(current, result)
        })
      )
    })
  }
  const skipped = [...keyIds.keys()].filter(profile => !removed.includes(profile))
  return { removed: [...keyIds.keys()].filter(profile => removed.includes(profile)), skipped }
}

/**
 * The shared primitive: under the file's lock, read it (undefined when absent), transform, and
 * write the result atomically with mode 0600; undefined from transform deletes the file. An
 * unchanged result leaves the file alone.
 */
export async function updateFile(
  path: string,
  transform: (current: string | undefined) => string | undefined,
  options: LockOptions = {}
): Promise<void> {
  const target = resolve(path)
  await withLock(target, options, () => lockedUpdate(target, transform))
}

function configHeader(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`
}

function checkProfileName(profile: string): void {
  // A name with a bracket or a line break could inject sections into the file.
  if (!isValidProfileName(profile)) {
    throw new Error(
      `Invalid profile name ${JSON.stringify(profile.slice(0, 80))}: use 1-64 letters, digits and + = , . @ _ -`
    )
  }
}

function distinctPaths(paths: AwsFilePaths): AwsFilePaths {
  const credentials = resolve(paths.credentials)
  const config = resolve(paths.config)
  if (credentials === config) {
    throw new Error(`The credentials file and the config file are the same file (${credentials})`)
  }
  return { credentials, config }
}

function afterRemoval(
  current: string,
  result: { text: string; removed: string[] }
): string | undefined {
  if (result.removed.length === 0) return current
  return hasContent(result.text) ? result.text : undefined
}

/** Never make a parseable file unparseable (a file that was broken already is still written). */
function checked(path: string, before: string | undefined, after: string): string {
  const problem = validateIni(after)
  if (problem !== undefined && (before === undefined || validateIni(before) === undefined)) {
    throw new Error(`Refusing to write ${path}: the result would not parse (${problem})`)
  }
  return after
}

// ---------------------------------------------------------------------------------------------
// Read, write, delete

async function lockedUpdate(
  path: string,
  transform: (current: string | undefined) => string | undefined
): Promise<void> {
  await refuseLink(path)
  const current = await readText(path)
  const next = transform(current)
  await sweepLeftovers(path)
  if (next === current) return
  if (next === undefined) {
    await unlink(path)
    await syncDir(dirname(path))
    return
  }
  await writeAtomically(path, next)
}

/**
 * Renaming over a symlink would silently replace the user's link (say, into a dotfiles repo), and
 * reading through it would copy whatever it points at. So a symlink at the path itself is refused.
 * A symlinked parent directory is allowed: it is a common dotfiles setup, the rename still happens
 * inside the directory the user chose, and whoever controls that directory controls the file
 * anyway.
 */
async function refuseLink(path: string): Promise<void> {
  const kind = await kindOf(path)
  if (kind === 'symlink') {
    throw new Error(
      `Refusing to write ${path}: it is a symbolic link, and writing it would replace the link or ` +
        'write through it to another file. Point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE at the real file.'
    )
  }
  if (kind === 'other') throw new Error(`Refusing to write ${path}: it is not a regular file`)
}

async function kindOf(path: string): Promise<'file' | 'symlink' | 'other' | undefined> {
  try {
    const stats = await lstat(path)
    return stats.isSymbolicLink() ? 'symlink' : stats.isFile() ? 'file' : 'other'
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    throw error
  }
}

/** O_NOFOLLOW where the platform has it: a symlink swapped in after the check is not followed. */
const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)

async function readText(path: string): Promise<string | undefined> {
  let data: Buffer
  try {
    const handle = await open(path, READ_NO_FOLLOW)
    try {
      data = await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    if (errno(error) === 'ELOOP') await refuseLink(path)
    throw error
  }
  try {
    // Rewriting undecodable bytes as U+FFFD would corrupt the user's file; a BOM is kept as is.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data)
  } catch {
    throw new Error(`Refusing to rewrite ${path}: it is not valid UTF-8 text`)
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path)
  // The leading dot keeps a leftover out of sight; the random part keeps writers apart.
  const temp = join(dir, `.${basename(path)}.tmp-${randomHex()}`)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(text, 'utf8')
      // The umask may have taken bits away but never adds them; chmod makes it exactly 0600.
      if (!WINDOWS) await handle.chmod(0o600)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await renameOver(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  }
  await syncDir(dir)
}

/** On Windows a virus scanner or indexer holding the target open makes rename fail for a moment. */
async function renameOver(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to)
      return
    } catch (error) {
      const busy = ['EPERM', 'EACCES', 'EBUSY'].includes(errno(error) ?? '')
      if (!WINDOWS || !busy || attempt >= 10) throw error
      await sleep(20 * (attempt + 1))
    }
  }
}

/** Make the rename itself durable. Windows cannot open a directory for this (and needs not). */
async function syncDir(dir: string): Promise<void> {
  if (WINDOWS) return
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch (error) {
    // Some file systems do not support fsync on a directory; the data itself is already synced.
    if (!['EINVAL', 'ENOTSUP', 'EPERM', 'EISDIR', 'EACCES'].includes(errno(error) ?? ''))
      throw error
  }
}

/**
 * Remove temp files and set-aside locks that killed writers left behind. Called under the lock,
 * and only for those over a minute old, so no live writer can still be about to rename one.
 */
async function sweepLeftovers(path: string): Promise<void> {
  const dir = dirname(path)
  const base = basename(path)
  try {
    for (const name of await readdir(dir)) {
      if (!name.startsWith(`.${base}.tmp-`) && !name.startsWith(`${base}.lock.stale-`)) continue
      const stats = await lstat(join(dir, name))
      if (stats.isFile() && Date.now() - stats.mtimeMs > LEFTOVER_STALE_MS) {
        await unlink(join(dir, name))
      }
    }
  } catch {
    // Tidying up is a courtesy; it must never fail a write.
  }
}

// ---------------------------------------------------------------------------------------------
// The lock: `<path>.lock`, created exclusively, holding {pid, hostname, createdAt}

interface LockHolder {
  content: string
  stats: BigIntStats
  pid?: number
  hostname?: string
  createdAt?: number
}

async function withLock<T>(path: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  // mode only applies to directories this creates: an existing ~/.aws keeps the user's mode.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const lockPath = `${path}.lock`
  const mine = await acquireLock(lockPath, options)
  try {
    return await fn()
  } finally {
    releaseLock(lockPath, mine)
  }
}

async function acquireLock(lockPath: string, options: LockOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? LOCK_TIMEOUT_MS
  const staleMs = options.staleMs ?? LOCK_STALE_MS
  const deadline = Date.now() + timeoutMs
  for (let attempt = 0; ; attempt++) {
    const mine = tryCreateLock(lockPath)
    if (mine !== undefined) return mine
    const holder = inspectLock(lockPath)
    // Released between our two looks: try again at once.
    if (holder === undefined && Date.now() < deadline) continue
    if (holder === undefined) throw new Error(`Timed out waiting for the lock file ${lockPath}`)
    if (isStale(holder, staleMs) && breakLock(lockPath, holder)) continue
    if (Date.now() >= deadline) throw lockTimeout(lockPath, holder, timeoutMs)
    // Randomized so that waiters woken together do not collide again.
    await sleep(Math.min(100, 4 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()))
  }
}

/**
 * Synchronous on purpose: no other task of this process can run between creating the file and
 * writing its content, which keeps the window in which a kill leaves an empty lock tiny.
 */
function tryCreateLock(lockPath: string): string | undefined {
  const content = JSON.stringify({
    pid: process.pid,
    hostname: hostname(),
    createdAt: new Date().toISOString()
  })
  let fd: number
  try {
    fd = openSync(lockPath, 'wx', 0o600)
  } catch (error) {
    // On Windows a lock that is being deleted cannot be created again for a moment.
    if (errno(error) === 'EEXIST' || (WINDOWS && errno(error) === 'EPERM')) return undefined
    throw error
  }
  try {
    writeSync(fd, content)
  } catch (error) {
    closeSync(fd)
    unlinkSync(lockPath)
    throw error
  }
  closeSync(fd)
  return content
}

function inspectLock(lockPath: string): LockHolder | undefined {
  let stats: BigIntStats
  let content = ''
  try {
    stats = lstatSync(lockPath, { bigint: true })
    if (stats.isFile()) content = readNoFollowSync(lockPath)
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    throw error
  }
  const holder: LockHolder = { content, stats }
  try {
    const parsed = JSON.parse(content) as { pid?: unknown; hostname?: unknown; createdAt?: unknown }
    if (typeof parsed.pid === 'number' && Number.isSafeInteger(parsed.pid) && parsed.pid > 0) {
      holder.pid = parsed.pid
    }
    if (typeof parsed.hostname === 'string') holder.hostname = parsed.hostname
    const createdAt = typeof parsed.createdAt === 'string' ? Date.parse(parsed.createdAt) : NaN
    if (!Number.isNaN(createdAt)) holder.createdAt = createdAt
  } catch {
    // Empty or cut short: judged by its age on disk below.
  }
  return holder
}

function isStale(holder: LockHolder, staleMs: number): boolean {
  if (!holder.stats.isFile()) return false
  const now = Date.now()
  if (holder.createdAt === undefined) {
    return now - Number(holder.stats.mtimeMs) > Math.min(staleMs, UNWRITTEN_LOCK_STALE_MS)
  }
  if (now - holder.createdAt > staleMs) return true
  return (
    holder.hostname === hostname() &&
    holder.pid !== undefined &&
    holder.pid !== process.pid &&
    processIsGone(holder.pid)
  )
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return errno(error) === 'ESRCH'
  }
}

/**
 * Two waiters may judge the same lock stale. Deleting it outright could delete the fresh lock the
 * other one has just taken, so it is first renamed to a unique name, then checked to be the very
 * lock judged stale (same inode, same content) before it is deleted; a fresh one is put back.
 */
function breakLock(lockPath: string, holder: LockHolder): boolean {
  const aside = `${lockPath}.stale-${randomHex()}`
  try {
    const now = lstatSync(lockPath, { bigint: true })
    if (now.ino !== holder.stats.ino || now.mtimeNs !== holder.stats.mtimeNs) return false
    renameSync(lockPath, aside)
  } catch (error) {
    return errno(error) === 'ENOENT'
  }
  let same: boolean
  try {
    same =
      lstatSync(aside, { bigint: true }).ino === holder.stats.ino &&
      readNoFollowSync(aside) === holder.content
  } catch {
    same = false
  }
  try {
    if (!same) linkSync(aside, lockPath)
    unlinkSync(aside)
  } catch {
    // Best effort; a leftover is swept later, and a lock we failed to put back expires.
  }
  return same
}

function releaseLock(lockPath: string, mine: string): void {
  try {
    // If ours was broken as stale and someone else holds the lock now, theirs must stay.
    if (readNoFollowSync(lockPath) === mine) unlinkSync(lockPath)
  } catch {
    // Gone already, or unreadable: it expires on its own.
  }
}

function readNoFollowSync(path: string): string {
  const fd = openSync(path, READ_NO_FOLLOW)
  try {
    return readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}

function lockTimeout(lockPath: string, holder: LockHolder, timeoutMs: number): Error {
  if (!holder.stats.isFile()) {
    return new Error(
      `Cannot lock ${lockPath.slice(0, -'.lock'.length)}: ${lockPath} is not a regular file`
    )
  }
  const held = ['held']
  if (holder.pid !== undefined) held.push(`by process ${holder.pid}`)
  // The hostname comes from the file: shown only when it cannot carry anything else.
  if (holder.hostname && /^[\w.-]{1,255}$/.test(holder.hostname)) held.push(`on ${holder.hostname}`)
  if (holder.createdAt !== undefined) held.push(`since ${new Date(holder.createdAt).toISOString()}`)
  return new Error(
    `Timed out after ${timeoutMs / 1000} s waiting for the lock file ${lockPath}, ${held.join(' ')}. ` +
      'If no other process is writing the file, delete the lock file.'
  )
}

// ---------------------------------------------------------------------------------------------

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function randomHex(): string {
  return randomBytes(8).toString('hex')
}

function sleep(ms: number): Promise<void> {
  return new Promise(done => setTimeout(done, ms))
}
