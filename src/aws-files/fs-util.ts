/** Small file-system helpers shared by the atomic writer and the lock. */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'

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
