import * as core from '@actions/core'
import { removeEmptyDirs, removeProfiles } from '../aws-files/credentials-file.js'
import { errorMessage } from '../errors/run-errors.js'
import { parseBoolean } from '../plan/input-helper.js'
import { loadCleanupState } from './state-helper.js'

/**
 * The post step (post-if: always()): undo what the main step left on the runner, which matters on
 * self-hosted runners where the home directory outlives the job.
 */
export async function runPost(): Promise<void> {
  try {
    if (!parseBoolean(core.getInput('cleanup'), 'cleanup', true)) {
      core.info('cleanup is false: leaving profiles and env vars in place.')
      return
    }
    const state = loadCleanupState()
    if (!state || (state.profiles.length === 0 && state.exportedEnv.length === 0)) {
      core.info('Nothing to clean up.')
      return
    }
    if (state.files && state.profiles.length > 0) {
      const { removed, skipped } = await removeProfiles(state.files, state.profiles, {
        keep: state.keepFiles
      })
      if (removed.length > 0) core.info(`Removed profile(s): ${removed.join(', ')}.`)
      if (skipped.length > 0) {
        core.info(
          `Did not remove profile(s) ${skipped.join(', ')}: they are gone, or hold another run's credentials now.`
        )
      }
      const lost = (state.overwritten ?? []).filter(profile => removed.includes(profile))
      if (lost.length > 0) {
        core.warning(
          `Removed ${lost.join(', ')}, which this run had overwritten: the section it replaced is not restored.`
        )
      }
      const dirs = await removeEmptyDirs(state.createdDirs ?? [])
      if (dirs.length > 0)
        core.info(`Removed the empty directories this run created: ${dirs.join(', ')}.`)
    }
    for (const name of state.exportedEnv) core.exportVariable(name, '')
    if (state.exportedEnv.length > 0) {
      core.info(`Blanked ${state.exportedEnv.join(', ')} for the remaining steps.`)
    }
  } catch (error) {
    // A failed cleanup leaves credentials behind: say so loudly, but do not fail a finished job.
    const reason = errorMessage(error).replace(/\.$/, '')
    core.error(`Cleanup failed: ${reason}. Remove the leftover profiles by hand.`)
  }
}

/** The name @github/local-action calls in a post entrypoint (`npm run local-action`). */
export const run = runPost
