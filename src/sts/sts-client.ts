import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import {
  AssumeRoleCommand,
  AssumeRoleWithSAMLCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumedRoleUser,
  type Credentials
} from '@aws-sdk/client-sts'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { accountIdOfAssumedRole } from '../plan/arn.js'

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

export interface ChainRequest {
  roleArn: string
  sessionName: string
  externalId?: string
  durationSeconds: number
  inlineSessionPolicy?: string
  managedSessionPolicies?: string[]
}

export interface StsConnection {
  region: string
  endpoint?: string
  /** Forward proxy for the endpoint, already chosen (see proxy.ts). */
  proxy?: URL
}

/**
 * Agents shared by every client of a run, so fan-out reuses connections; through a proxy when one
 * is set (CONNECT for https, absolute-form requests for http).
 */
function requestHandler(connection: StsConnection): {
  httpAgent: HttpAgent
  httpsAgent: HttpsAgent
} {
  const options = { keepAlive: true, maxSockets: 64 }
  if (connection.proxy) {
    return {
      httpAgent: new HttpProxyAgent(connection.proxy, options),
      httpsAgent: new HttpsProxyAgent(connection.proxy, options)
    }
  }
  return { httpAgent: new HttpAgent(options), httpsAgent: new HttpsAgent(options) }
}

function clientConfig(connection: StsConnection, handler: ReturnType<typeof requestHandler>) {
  return {
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    // One attempt per send: retries are decided by our own policy, never nested in the SDK's.
    maxAttempts: 1,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: handler
  }
}

/** The clients of one run: the unsigned SAML client, and signed ones for given credentials. */
export class StsClients {
  private readonly handler: ReturnType<typeof requestHandler>
  private readonly clients: STSClient[] = []
  readonly saml: STSClient

  constructor(private readonly connection: StsConnection) {
    this.handler = requestHandler(connection)
    // AssumeRoleWithSAML is unsigned by design: this client never looks for credentials, so
    // ambient AWS_* keys, AWS_PROFILE or a broken ~/.aws/config can neither be used nor break it.
    this.saml = this.track(
      new STSClient({
        ...clientConfig(connection, this.handler),
        credentials: () => Promise.reject(new Error('AssumeRoleWithSAML must not be signed')),
        httpAuthSchemeProvider: () => [{ schemeId: 'smithy.api#noAuth' }]
      })
    )
  }

  /** A client signing with the given temporary credentials (role chaining, verification). */
  signedBy(session: AssumedSession): STSClient {
    return this.track(
      new STSClient({
        ...clientConfig(this.connection, this.handler),
        credentials: {
          accessKeyId: session.accessKeyId,
          secretAccessKey: session.secretAccessKey,
          sessionToken: session.sessionToken
        }
      })
    )
  }

  /** Close every connection, so the process can exit as soon as the work is done. */
  destroy(): void {
    for (const client of this.clients) client.destroy()
    this.handler.httpAgent.destroy()
    this.handler.httpsAgent.destroy()
  }

  private track(client: STSClient): STSClient {
    this.clients.push(client)
    return client
  }
}

export async function assumeRoleWithSaml(
  client: STSClient,
  request: SamlRequest,
  abortSignal: AbortSignal
): Promise<AssumedSession> {
  const output = await client.send(
    new AssumeRoleWithSAMLCommand({
      RoleArn: request.roleArn,
      PrincipalArn: request.principalArn,
      SAMLAssertion: request.samlAssertionBase64,
      DurationSeconds: request.durationSeconds,
      Policy: request.inlineSessionPolicy,
      PolicyArns: policyArns(request.managedSessionPolicies)
    }),
    { abortSignal }
  )
  return {
    ...toSession(output.Credentials, output.AssumedRoleUser),
    subject: output.Subject,
    subjectType: output.SubjectType,
    issuer: output.Issuer,
    audience: output.Audience,
    nameQualifier: output.NameQualifier,
    sourceIdentity: output.SourceIdentity,
    packedPolicySize: output.PackedPolicySize
  }
}

/** AssumeRole with the SAML session's credentials (hub and spoke). */
export async function assumeChainedRole(
  client: STSClient,
  request: ChainRequest,
  abortSignal: AbortSignal
): Promise<AssumedSession> {
  const output = await client.send(
    new AssumeRoleCommand({
      RoleArn: request.roleArn,
      RoleSessionName: request.sessionName,
      ExternalId: request.externalId,
      DurationSeconds: request.durationSeconds,
      Policy: request.inlineSessionPolicy,
      PolicyArns: policyArns(request.managedSessionPolicies)
    }),
    { abortSignal }
  )
  return {
    ...toSession(output.Credentials, output.AssumedRoleUser),
    sourceIdentity: output.SourceIdentity,
    packedPolicySize: output.PackedPolicySize
  }
}

export interface CallerIdentity {
  account: string
  arn: string
  userId: string
}

export async function getCallerIdentity(
  client: STSClient,
  abortSignal: AbortSignal
): Promise<CallerIdentity> {
  const output = await client.send(new GetCallerIdentityCommand({}), { abortSignal })
  if (!output.Account || !output.Arn || !output.UserId) {
    throw Object.assign(new Error('The GetCallerIdentity response is incomplete'), {
      $response: output.$metadata
    })
  }
  return { account: output.Account, arn: output.Arn, userId: output.UserId }
}

function policyArns(arns: string[] | undefined): Array<{ arn: string }> | undefined {
  return arns && arns.length > 0 ? arns.map(arn => ({ arn })) : undefined
}

function toSession(
  credentials: Credentials | undefined,
  user: AssumedRoleUser | undefined
): Pick<
  AssumedSession,
  | 'accessKeyId'
  | 'secretAccessKey'
  | 'sessionToken'
  | 'expiration'
  | 'assumedRoleArn'
  | 'assumedRoleId'
  | 'accountId'
> {
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
    // Marked like an unreadable response, so it is classified as one.
    throw Object.assign(new Error('The STS response lacks credentials or the assumed role'), {
      $response: {}
    })
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
    assumedRoleArn: user.Arn,
    assumedRoleId: user.AssumedRoleId,
    accountId
  }
}
