import * as core from '@actions/core'
import type { AwsFilePaths } from '../aws-files/credentials-file.js'

/** What the main step left behind, for the post step to undo. */
export interface CleanupState {
  files?: AwsFilePaths
  /** Profiles written, with a fingerprint of the key ID each held: only a profile still holding
   * that key is removed. */
  profiles: Array<{ profile: string; keyFingerprint: string }>
  /** Profiles whose previous section (keys from elsewhere) this run replaced: not restorable. */
  overwritten?: string[]
  /** Files holding something this action did not write before the run: never deleted afterwards. */
  keepFiles?: string[]
  /** Directories the run created (~/.aws), removed at the end when empty. */
  createdDirs?: string[]
  exportedEnv: string[]
}

const KEY = 'cleanup'

export function saveCleanupState(state: CleanupState): void {
  core.saveState(KEY, JSON.stringify(state))
}

export function loadCleanupState(): CleanupState | undefined {
  const text = core.getState(KEY)
  if (!text) return undefined
  try {
    return JSON.parse(text) as CleanupState
  } catch {
    return undefined
  }
}
