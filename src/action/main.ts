import * as core from '@actions/core'
import type { Assumed } from '../sts/assume-roles.js'
import { obtainAssertion, signInSecrets } from '../source/assertion-source.js'
import {
  awsFilePaths,
  checkProfileWrites,
  filesToKeep,
  keyFingerprint,
  missingDirs,
  overwroteMessage,
  writeProfiles
} from '../aws-files/credentials-file.js'
import { errorMessage } from '../errors/run-errors.js'
import { getSettings, inputAccountIds } from '../plan/input-helper.js'
import {
  exportSession,
  logSession,
  maskSecrets,
  setSessionOutputs,
  writeSummary
} from './output-helper.js'
import { loadEngine } from '../load-engine.js'
import { saveCleanupState, type CleanupState } from './state-helper.js'
import { withNoProxy } from '../sts/proxy.js'

/** One run of the action: read, check locally, redeem once per role, mask, hand on. */
export async function run(): Promise<void> {
  try {
    const read = (name: string): string => core.getInput(name, { trimWhitespace: false })
    // The IdP password and OTP seed are masked before anything else can print them.
    maskSecrets(signInSecrets(read))
    maskSecrets(inputAccountIds(read))
    const settings = getSettings(read)
    const raw = await obtainAssertion(settings.assertion, {
      mask: maskSecrets,
      info: line => core.info(line),
      env: withNoProxy(process.env, settings.noProxy),
      httpProxy: settings.httpProxy,
      whileWaiting: () => void loadEngine()
    })
    const { failureReport, finalRoleArn, profileWrites, redeem } = await loadEngine()
    const paths = awsFilePaths(process.env)
    const redeemed = await redeem(settings, raw, process.env, {
      mask: maskSecrets,
      notice: line => core.notice(line),
      warning: line => core.warning(line),
      info: line => core.info(line),
      // Local file problems and someone else's profile are found before any STS request.
      checkTargets: async targets => {
        if (settings.profile === undefined) return
        const profiles = targets.map(t => t.profile!)
        await checkProfileWrites(paths, profiles, settings.overwriteProfile)
      }
    })
    const { region, assumed } = redeemed

    // Record what to undo as soon as each thing is done, so the post step can always clean up.
    const cleanup: CleanupState = { profiles: [], exportedEnv: [] }
    if (settings.profile !== undefined && assumed.length > 0) {
      // Saved before writing: should the write fail halfway, the post step still removes what
      // made it to disk (only sections holding this run's keys are ever removed).
      cleanup.files = paths
      cleanup.profiles = assumed.map(a => ({
        profile: a.target.profile!,
        keyFingerprint: keyFingerprint(a.session.accessKeyId)
      }))
      cleanup.createdDirs = await missingDirs(paths)
      cleanup.keepFiles = await filesToKeep(paths)
      saveCleanupState(cleanup)
      const report = await writeProfiles(paths, profileWrites(redeemed), {
        overwrite: settings.overwriteProfile
      })
      if (report.overwritten.length > 0) {
        cleanup.overwritten = report.overwritten
        saveCleanupState(cleanup)
        core.warning(overwroteMessage(report.overwritten, paths.credentials))
      }
      core.setOutput(
        'profiles',
        JSON.stringify(assumed.map(a => profileEntry(a, finalRoleArn(a, settings))))
      )
    }

    const single = redeemed.targets.length === 1 ? assumed[0] : undefined
    if (single) {
      if (settings.exportEnv) {
        cleanup.exportedEnv = exportSession(single.session, region)
        saveCleanupState(cleanup)
      }
      setSessionOutputs(
        single.session,
        {
          roleArn: finalRoleArn(single, settings),
          principalArn: single.target.pair.principalArn,
          sourceIdentity: redeemed.sourceIdentity
        },
        settings.outputCredentials
      )
      if (single.callerArn) core.setOutput('caller-arn', single.callerArn)
    }

    assumed.forEach(({ session }) => logSession(session, region))
    await writeSummary(
      redeemed.outcomes.map(o => ({
        roleArn: o.target.pair.roleArn,
        accountId: 'session' in o ? o.session.accountId : o.target.pair.role.accountId,
        profile: o.target.profile,
        session: 'session' in o ? o.session : undefined
      })),
      region,
      settings.maskAccountId
    )

    const failure = failureReport(redeemed, cleanup.profiles.length > 0)
    if (failure) core.setFailed(failure)
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}

function profileEntry(assumed: Assumed, roleArn: string): Record<string, string> {
  return {
    profile: assumed.target.profile!,
    'role-arn': roleArn,
    'account-id': assumed.session.accountId,
    expiration: assumed.session.expiration.toISOString()
  }
}
