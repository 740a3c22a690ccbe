/** Small file-system helpers shared by the atomic writer and the lock. */
import { createHash, randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { hostname } from 'node:os'

export const WINDOWS = process.platform === 'win32'

/** O_NOFOLLOW where the platform has it: a symlink swapped in after a check is not followed. */
export const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)

export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

export function randomHex(): string {
  return randomBytes(8).toString('hex')
}

export function sleep(ms: number): Promise<void> {
  return new Promise(done => setTimeout(done, ms))
}

/** False while the process runs (EPERM: it exists but belongs to another user). */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return errno(error) === 'ESRCH'
  }
}

/** A short tag of this host for file names: a pid means something only on its own host. */
export function hostTag(): string {
  return createHash('sha256').update(hostname()).digest('hex').slice(0, 8)
}
