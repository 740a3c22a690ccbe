import * as core from '@actions/core'
import { resolveRegion } from './arn.js'
import { readAssertion } from './assertion-source.js'
import { decodeAssertion } from './assertion-decoder.js'
import { errorMessage } from './errors.js'
import { getSettings } from './input-helper.js'
import {
  exportSession,
  logSession,
  maskSecrets,
  maskSession,
  setSessionOutputs,
  writeSummary
} from './output-helper.js'
import { preflight } from './preflight.js'
import { parseSamlResponse } from './saml-parser.js'
import { assumeRoleWithSaml, createSamlClient } from './sts-client.js'
import { classifyStsError } from './sts-errors.js'

/** One run of the action: read, check locally, redeem once, mask, hand on. */
export async function run(): Promise<void> {
  try {
    const settings = getSettings(name => core.getInput(name, { trimWhitespace: false }))

    // The assertion is a bearer credential: mask every form of it before anything can echo it.
    const raw = await readAssertion(settings.assertion)
    maskSecrets([raw.toString().trim()])
    const assertion = decodeAssertion(raw)
    maskSecrets(assertion.secrets)

    const saml = parseSamlResponse(assertion.xml)
    const checked = preflight(saml, settings, new Date())
    checked.notices.forEach(line => core.notice(line))
    checked.warnings.forEach(line => core.warning(line))

    const { pair } = checked
    const { region } = resolveRegion(settings.region, process.env, pair.role.partition)
    const client = createSamlClient({ region, endpoint: settings.stsEndpoint })
    const session = await assumeRoleWithSaml(client, {
      roleArn: pair.roleArn,
      principalArn: pair.principalArn,
      samlAssertionBase64: assertion.base64,
      durationSeconds: settings.durationSeconds,
      inlineSessionPolicy: settings.inlineSessionPolicy,
      managedSessionPolicies: settings.managedSessionPolicies
    }).catch((error: unknown) => {
      throw classifyStsError(error, {
        durationSeconds: settings.durationSeconds,
        assertionAgeMs: checked.ageMs
      })
    })
    maskSession(session)

    if (settings.exportEnv) exportSession(session, region)
    setSessionOutputs(session, pair, settings.outputCredentials)
    logSession(session, region)
    await writeSummary(session, region)
  } catch (error) {
    core.setFailed(errorMessage(error))
  }
}
