/**
 * A cross-process lock beside a file: `<path>.lock`, created exclusively, holding
 * {pid, hostname, createdAt}. Stale locks (old, or of a dead process on this host) are recovered.
 */
import {
  closeSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
  type BigIntStats
} from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { errno, processIsGone, randomHex, READ_NO_FOLLOW, sleep, WINDOWS } from './fs-util.js'
import { FileError } from '../errors/run-errors.js'

/** How long a writer waits for another one before giving up. */
const LOCK_TIMEOUT_MS = 30_000
/** Writers hold the lock for milliseconds; one this old belongs to a hung or vanished process. */
const LOCK_STALE_MS = 30_000
/** A lock is written right after it is created; still empty after this long, its writer died. */
const UNWRITTEN_LOCK_STALE_MS = 2_000
/** Clocks of hosts sharing a home directory differ by seconds; a lock dated later is bogus. */
const FUTURE_SKEW_MS = 10_000

export interface LockOptions {
  /** Wait at most this long for another writer (default 30 s). */
  timeoutMs?: number
  /** Treat a lock older than this as abandoned (default 30 s). */
  staleMs?: number
}

// The lock: `<path>.lock`, created exclusively, holding {pid, hostname, createdAt}

interface LockHolder {
  content: string
  stats: BigIntStats
  pid?: number
  hostname?: string
  createdAt?: number
}

export async function withLock<T>(
  path: string,
  options: LockOptions,
  fn: () => Promise<T>
): Promise<T> {
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
    if (holder === undefined) {
      throw new FileError(
        `Timed out after ${timeoutMs / 1000} s waiting for the lock file ${lockPath}.`,
        'lock-timeout'
      )
    }
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
  // Dated in the future (a clock set wrong, or a forged file): it would never age out.
  if (holder.createdAt - now > FUTURE_SKEW_MS) return true
  return (
    holder.hostname === hostname() &&
    holder.pid !== undefined &&
    holder.pid !== process.pid &&
    processIsGone(holder.pid)
  )
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

function lockTimeout(lockPath: string, holder: LockHolder, timeoutMs: number): FileError {
  if (!holder.stats.isFile()) {
    return new FileError(
      `Cannot lock ${lockPath.slice(0, -'.lock'.length)}: ${lockPath} is not a regular file`,
      'lock-not-regular'
    )
  }
  const held = ['held']
  if (holder.pid !== undefined) held.push(`by process ${holder.pid}`)
  // The hostname comes from the file: shown only when it cannot carry anything else.
  if (holder.hostname && /^[\w.-]{1,255}$/.test(holder.hostname)) held.push(`on ${holder.hostname}`)
  if (holder.createdAt !== undefined) held.push(`since ${new Date(holder.createdAt).toISOString()}`)
  return new FileError(
    `Timed out after ${timeoutMs / 1000} s waiting for the lock file ${lockPath}, ${held.join(' ')}. ` +
      'If no other process is writing the file, delete the lock file.',
    'lock-timeout'
  )
}
