import * as core from '@actions/core'
import { quote, summaryCell } from '../util/log-safety.js'
import type { AssumedSession } from '../sts/sts-client.js'
import { sessionEnv } from '../sts/session-env.js'

/**
 * Register values with the runner's log masker. Must run before anything that could print them:
 * the runner only hides a value from the lines that follow its ::add-mask:: line.
 */
export function maskSecrets(values: Iterable<string>): void {
  for (const value of values) {
    if (value.trim() === '' || masked.has(value)) continue
    masked.add(value)
    core.setSecret(value)
  }
}

/** Values already registered in this process; one ::add-mask:: line each is enough. */
const masked = new Set<string>()

/** Export for every later step of the job; returns the names exported (for the post step). */
export function exportSession(session: AssumedSession, region: string): string[] {
  const env = sessionEnv(session, region)
  for (const [name, value] of Object.entries(env)) core.exportVariable(name, value)
  return Object.keys(env)
}

export function setSessionOutputs(
  session: AssumedSession,
  pair: { roleArn: string; principalArn: string; sourceIdentity?: string },
  withCredentials: boolean
): void {
  const outputs: Record<string, string> = {
    'aws-account-id': session.accountId,
    'assumed-role-arn': session.assumedRoleArn,
    'assumed-role-id': session.assumedRoleId,
    'role-arn': pair.roleArn,
    'principal-arn': pair.principalArn,
    expiration: session.expiration.toISOString(),
    // configure-aws-credentials' name and format: it passes the SDK's Date to core.setOutput,
    // which writes JSON, so its value is the ISO time in double quotes. Kept identical so a
    // workflow moving over reads the same text.
    'aws-expiration': JSON.stringify(session.expiration),
    subject: session.subject ?? '',
    'subject-type': session.subjectType ?? '',
    issuer: session.issuer ?? '',
    audience: session.audience ?? '',
    'name-qualifier': session.nameQualifier ?? '',
    // STS echoes the assertion's SourceIdentity; an endpoint that does not still gets it set.
    'source-identity': session.sourceIdentity ?? pair.sourceIdentity ?? '',
    'packed-policy-size': session.packedPolicySize?.toString() ?? ''
  }
  if (withCredentials) {
    outputs['aws-access-key-id'] = session.accessKeyId
    outputs['aws-secret-access-key'] = session.secretAccessKey
    outputs['aws-session-token'] = session.sessionToken
  }
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}

/** One log line about the session; subject text is quoted (it comes from the assertion). */
export function logSession(session: AssumedSession, region: string): void {
  core.info(
    `Assumed ${session.assumedRoleArn} in ${region} for subject ${quote(session.subject)}; ` +
      `credentials expire ${session.expiration.toISOString()}.`
  )
}

export interface SummaryRow {
  roleArn: string
  accountId: string
  profile?: string
  session?: AssumedSession
}

/** A short table for the job summary: role, account, expiry and subject; never a secret. */
export async function writeSummary(
  rows: SummaryRow[],
  region: string,
  hideAccounts: boolean
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  // With mask-account-id the summary must not reveal accounts either, ARNs included.
  const shown = (text: string): string =>
    summaryCell(hideAccounts ? text.replace(/\b\d{12}\b/g, '***') : text)
  const header = ['Role', 'Account', 'Profile', 'Region', 'Expires', 'Subject'].map(data => ({
    data,
    header: true
  }))
  await core.summary
    .addHeading('AWS credentials from SAML', 3)
    .addTable([
      header,
      ...rows.map(row => [
        shown(row.session?.assumedRoleArn ?? row.roleArn),
        shown(row.accountId),
        shown(row.profile ?? '(env)'),
        region,
        row.session ? row.session.expiration.toISOString() : 'failed',
        summaryCell(row.session?.subject ?? '')
      ])
    ])
    .write()
}
