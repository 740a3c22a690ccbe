import * as core from '@actions/core'
import { quote, summaryCell } from './log-safety.js'
import type { AssumedSession } from './sts-client.js'

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

export function maskSession(session: AssumedSession): void {
  maskSecrets([session.accessKeyId, session.secretAccessKey, session.sessionToken])
}

/** Env vars the AWS SDKs and CLI read, for every later step of the job. */
export function exportSession(session: AssumedSession, region: string): void {
  core.exportVariable('AWS_ACCESS_KEY_ID', session.accessKeyId)
  core.exportVariable('AWS_SECRET_ACCESS_KEY', session.secretAccessKey)
  core.exportVariable('AWS_SESSION_TOKEN', session.sessionToken)
  core.exportVariable('AWS_REGION', region)
  core.exportVariable('AWS_DEFAULT_REGION', region)
  core.exportVariable('AWS_CREDENTIAL_EXPIRATION', session.expiration.toISOString())
}

export function setSessionOutputs(
  session: AssumedSession,
  pair: { roleArn: string; principalArn: string },
  withCredentials: boolean
): void {
  const outputs: Record<string, string> = {
    'aws-account-id': session.accountId,
    'assumed-role-arn': session.assumedRoleArn,
    'assumed-role-id': session.assumedRoleId,
    'role-arn': pair.roleArn,
    'principal-arn': pair.principalArn,
    expiration: session.expiration.toISOString(),
    subject: session.subject ?? '',
    'subject-type': session.subjectType ?? '',
    issuer: session.issuer ?? '',
    audience: session.audience ?? '',
    'name-qualifier': session.nameQualifier ?? '',
    'source-identity': session.sourceIdentity ?? '',
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

export async function writeSummary(session: AssumedSession, region: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary
    .addHeading('AWS credentials from SAML', 3)
    .addTable([
      [
        { data: 'Role', header: true },
        { data: 'Account', header: true },
        { data: 'Region', header: true },
        { data: 'Expires', header: true },
        { data: 'Subject', header: true }
      ],
      [
        summaryCell(session.assumedRoleArn),
        session.accountId,
        region,
        session.expiration.toISOString(),
        summaryCell(session.subject ?? '')
      ]
    ])
    .write()
}
