import { preflightError } from '../errors/preflight-error.js'
import { formatDuration } from '../util/duration.js'
import { CLOCK_SKEW_MS, REDEMPTION_WINDOW_MS, SESSION_NAME } from './saml-rules.js'
import { quote } from '../util/log-safety.js'
import { parseRolePairs, type RolePair } from './role-attribute.js'
import type { SamlResponseInfo } from './saml-parser.js'

const AWS_AUDIENCE =
  /^(https:\/\/([a-z0-9-]+\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)\/saml|urn:amazon:webservices(:govcloud|:cn)?)$/

export interface PreflightResult {
  /** Every role pair the assertion offers; undefined when it is encrypted and cannot be read. */
  offered?: RolePair[]
  /** Age of the assertion at check time, when known. */
  ageMs?: number
  /** The assertion's NotOnOrAfter: no request may start after it. */
  expiresAt?: Date
  /** Lines for the log, already safe to print. */
  warnings: string[]
  notices: string[]
}

/**
 * The local checks that catch a doomed request before it reaches STS: expiry, roles and session
 * name. Pure: the clock is passed in. Which of the offered roles to assume is decided by
 * role-targets.ts.
 */
export function preflight(info: SamlResponseInfo, now: Date): PreflightResult {
  const warnings: string[] = []
  const notices: string[] = []
  const issuedAt = info.assertionIssueInstant ?? info.responseIssueInstant
  const ageMs = issuedAt ? now.getTime() - issuedAt.getTime() : undefined

  // The Response's IssueInstant is readable even when the assertion is encrypted.
  if (ageMs !== undefined && ageMs > REDEMPTION_WINDOW_MS) {
    warnings.push(
      `The assertion was issued ${formatDuration(ageMs)} ago. STS is reported to reject assertions redeemed more than 5 minutes after issue; fetch it right before this step.`
    )
  }
  if (info.encrypted) {
    notices.push(
      'The assertion is encrypted (EncryptedAssertion): local checks of expiry, roles and session name were skipped; STS will check it.'
    )
    return { ageMs, warnings, notices }
  }

  checkValidityWindow(info, now)

  if (info.roleValues === undefined) throw preflightError('no-role-attribute')
  const { pairs, invalid } = parseRolePairs(info.roleValues)
  if (pairs.length === 0) {
    // The attribute is there, so say what is wrong with each value rather than that it is missing.
    const detail =
      invalid.length === 0
        ? 'the Role attribute has no value'
        : `none of its ${invalid.length} Role value(s) is a "role ARN,provider ARN" pair:${invalid
            .map(i => `\n  - ${quote(i.value)}: ${i.reason}`)
            .join('')}\n`
    throw preflightError('role-values-invalid', detail)
  }
  for (const { value, reason } of invalid) {
    warnings.push(
      `Ignoring a Role attribute value that is not "role ARN,provider ARN": ${quote(value)} (${reason})`
    )
  }

  if (info.roleSessionName === undefined || !SESSION_NAME.test(info.roleSessionName)) {
    const found =
      info.roleSessionName === undefined ? 'it is missing' : `found ${quote(info.roleSessionName)}`
    throw preflightError('bad-session-name', found)
  }

  if (info.audiences.length > 0 && !info.audiences.some(a => AWS_AUDIENCE.test(a))) {
    warnings.push(
      `The assertion's audience is ${info.audiences.map(quote).join(', ')}; AWS expects https://signin.aws.amazon.com/saml. STS will likely reject it.`
    )
  }
  return { offered: pairs, ageMs, expiresAt: assertionExpiry(info), warnings, notices }
}

function checkValidityWindow(info: SamlResponseInfo, now: Date): void {
  const expiry = assertionExpiry(info)
  if (expiry && now.getTime() >= expiry.getTime() + CLOCK_SKEW_MS) {
    throw preflightError(
      'expired',
      `it expired at ${expiry.toISOString()}, ${formatDuration(now.getTime() - expiry.getTime())} ago`
    )
  }
  if (info.notBefore && info.notBefore.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw preflightError(
      'not-yet-valid',
      `it is valid from ${info.notBefore.toISOString()}, ${formatDuration(info.notBefore.getTime() - now.getTime())} from now`
    )
  }
}

/** The assertion's NotOnOrAfter (the earlier of the two places it can be stated). */
export function assertionExpiry(info: SamlResponseInfo): Date | undefined {
  const ends = [info.notOnOrAfter, info.subjectNotOnOrAfter].filter(
    (d): d is Date => d !== undefined
  )
  return ends.length > 0 ? new Date(Math.min(...ends.map(d => d.getTime()))) : undefined
}
