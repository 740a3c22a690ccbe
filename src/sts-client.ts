import {
  AssumeRoleWithSAMLCommand,
  STSClient,
  type AssumeRoleWithSAMLCommandOutput
} from '@aws-sdk/client-sts'
import { accountIdOfAssumedRole } from './arn.js'

/** Temporary credentials and what STS said about the session. */
export interface AssumedSession {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
  assumedRoleArn: string
  assumedRoleId: string
  accountId: string
  subject?: string
  subjectType?: string
  issuer?: string
  audience?: string
  nameQualifier?: string
  sourceIdentity?: string
  packedPolicySize?: number
}

export interface SamlRequest {
  roleArn: string
  principalArn: string
  samlAssertionBase64: string
  durationSeconds: number
  inlineSessionPolicy?: string
  managedSessionPolicies: string[]
}

export interface StsConnection {
  region: string
  endpoint?: string
}

/**
 * A client for AssumeRoleWithSAML. The call is unsigned by design, so the client is built never to
 * look for credentials: ambient AWS_* keys, AWS_PROFILE or a broken ~/.aws/config can neither be
 * used nor break it.
 */
export function createSamlClient(connection: StsConnection): STSClient {
  return new STSClient({
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    // One attempt per send: retries are decided by our own policy, never nested in the SDK's.
    maxAttempts: 1,
    credentials: () => Promise.reject(new Error('AssumeRoleWithSAML must not be signed')),
    httpAuthSchemeProvider: () => [{ schemeId: 'smithy.api#noAuth' }],
    useFipsEndpoint: false,
    useDualstackEndpoint: false
  })
}

export async function assumeRoleWithSaml(
  client: STSClient,
  request: SamlRequest,
  abortSignal?: AbortSignal
): Promise<AssumedSession> {
  const output = await client.send(
    new AssumeRoleWithSAMLCommand({
      RoleArn: request.roleArn,
      PrincipalArn: request.principalArn,
      SAMLAssertion: request.samlAssertionBase64,
      DurationSeconds: request.durationSeconds,
      Policy: request.inlineSessionPolicy,
      PolicyArns:
        request.managedSessionPolicies.length > 0
          ? request.managedSessionPolicies.map(arn => ({ arn }))
          : undefined
    }),
    abortSignal ? { abortSignal } : {}
  )
  return toSession(output)
}

function toSession(output: AssumeRoleWithSAMLCommandOutput): AssumedSession {
  const credentials = output.Credentials
  const user = output.AssumedRoleUser
  const accountId = user?.Arn ? accountIdOfAssumedRole(user.Arn) : undefined
  if (
    !credentials?.AccessKeyId ||
    !credentials.SecretAccessKey ||
    !credentials.SessionToken ||
    !credentials.Expiration ||
    !user?.Arn ||
    !user.AssumedRoleId ||
    !accountId
  ) {
    throw Object.assign(new Error('The STS response lacks credentials or the assumed role'), {
      $response: output.$metadata
    })
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
    assumedRoleArn: user.Arn,
    assumedRoleId: user.AssumedRoleId,
    accountId,
    subject: output.Subject,
    subjectType: output.SubjectType,
    issuer: output.Issuer,
    audience: output.Audience,
    nameQualifier: output.NameQualifier,
    sourceIdentity: output.SourceIdentity,
    packedPolicySize: output.PackedPolicySize
  }
}
