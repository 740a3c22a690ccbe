/**
 * Read-modify-write of one file under its lock, written atomically (temp file in the same
 * directory, fsync, rename, fsync of the directory) with mode 0600, and never through a symlink.
 */
import { constants } from 'node:fs'
import { access, lstat, open, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import {
  errno,
  hostTag,
  processIsGone,
  randomHex,
  READ_NO_FOLLOW,
  sleep,
  WINDOWS
} from './fs-util.js'
import { FileError } from '../errors/run-errors.js'

/** Temp files of a killed writer are harmless; after this long nobody can still rename them. */
const LEFTOVER_STALE_MS = 60_000

/**
 * The shared primitive, called under the file's lock (file-lock.ts): read it (undefined when absent),
 * transform, and write the result atomically with mode 0600; undefined from transform deletes the
 * file. An unchanged result leaves the file alone.
 */
export async function lockedUpdate(
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
 * What lockedUpdate would refuse, found before any request: a symlink or a non-regular file at the
 * path, text that is not UTF-8, a directory that cannot be written. Returns the current text.
 */
export async function readForWrite(path: string): Promise<string | undefined> {
  await refuseLink(path)
  const text = await readText(path)
  await checkDirWritable(path)
  return text
}

/** The nearest directory of the path that exists must be a directory this process can write. */
async function checkDirWritable(path: string): Promise<void> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try {
      if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' })
      // W_OK reports a read-only mount (EROFS) even to root.
      await access(dir, constants.W_OK)
      return
    } catch (error) {
      const code = errno(error) ?? 'error'
      if (code === 'ENOENT' && dirname(dir) !== dir) continue
      throw new FileError(
        `Cannot write ${path}: its directory is not writable (${code} at ${dir}). ` +
          'Make it writable, or point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE at a writable place.',
        'not-writable'
      )
    }
  }
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
    throw new FileError(
      `Refusing to write ${path}: it is a symbolic link, and writing it would replace the link or ` +
        'write through it to another file. Point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE at the real file.',
      'symlink'
    )
  }
  if (kind === 'other') {
    throw new FileError(`Refusing to write ${path}: it is not a regular file`, 'not-regular-file')
  }
}

export async function kindOf(path: string): Promise<'file' | 'symlink' | 'other' | undefined> {
  try {
    const stats = await lstat(path)
    return stats.isSymbolicLink() ? 'symlink' : stats.isFile() ? 'file' : 'other'
  } catch (error) {
    // ENOTDIR: a parent is a file, so nothing can be at the path.
    if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return undefined
    throw error
  }
}

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
    if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return undefined
    if (errno(error) === 'ELOOP') await refuseLink(path)
    throw error
  }
  try {
    // Rewriting undecodable bytes as U+FFFD would corrupt the user's file; a BOM is kept as is.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data)
  } catch {
    throw new FileError(`Refusing to rewrite ${path}: it is not valid UTF-8 text`, 'not-utf8')
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path)
  const owner = await ownerOf(path)
  // The leading dot keeps a leftover out of sight; the pid and host let a sweep tell a dead
  // writer's leftover at once; the random part keeps writers apart.
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${hostTag()}-${randomHex()}`)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(text, 'utf8')
      // The umask may have taken bits away but never adds them; chmod makes it exactly 0600.
      if (!WINDOWS) await handle.chmod(0o600)
      // Run as root (containers, self-hosted runners), the rename would hand the user's file to
      // root and lock its owner out of every profile: the replacement keeps the owner.
      if (owner) await handle.chown(owner.uid, owner.gid)
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

/** The owner of an existing file, when it differs from this process's and can be given. */
async function ownerOf(path: string): Promise<{ uid: number; gid: number } | undefined> {
  if (WINDOWS || process.getuid?.() !== 0) return undefined
  try {
    const stats = await lstat(path)
    return stats.uid === 0 && stats.gid === 0 ? undefined : { uid: stats.uid, gid: stats.gid }
  } catch {
    return undefined
  }
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
 * Remove temp files and set-aside locks that killed writers left behind: a temp file (a full copy
 * of the credentials) at once when its writer on this host is gone, anything else once it is over
 * a minute old, when no live writer can still be about to rename it. Every write and the post
 * step call it.
 */
export async function sweepLeftovers(path: string): Promise<void> {
  const dir = dirname(path)
  const base = basename(path)
  const host = hostTag()
  try {
    for (const name of await readdir(dir)) {
      const temp = name.startsWith(`.${base}.tmp-`)
      if (!temp && !name.startsWith(`${base}.lock.stale-`)) continue
      const writer = temp
        ? /^(\d+)-([0-9a-f]{8})-[0-9a-f]+$/.exec(name.slice(base.length + 6))
        : null
      const pid = Number(writer?.[1])
      const dead = writer?.[2] === host && pid !== process.pid && processIsGone(pid)
      const stats = await lstat(join(dir, name))
      if (stats.isFile() && (dead || Date.now() - stats.mtimeMs > LEFTOVER_STALE_MS)) {
        await unlink(join(dir, name))
      }
    }
  } catch {
    // Tidying up is a courtesy; it must never fail a write.
  }
}
