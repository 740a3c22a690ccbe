import type { AssumedSession } from './sts-client.js'

/**
 * The env variables the AWS SDKs and CLI read, for a session: what the action exports for later
 * steps and the CLI prints as export lines. Pure, so both hosts share it.
 */
export function sessionEnv(session: AssumedSession, region: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_CREDENTIAL_EXPIRATION: session.expiration.toISOString()
  }
}
