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
import { accountIdOfAssumedRole } from '../plan/arn.js'
import { proxyAgents, type AgentPair } from './proxy-agents.js'

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
  /** Session tags for the chained session ('role-session-tags', 'transitive-tag-keys'). */
  tags?: { key: string; value: string }[]
  transitiveTagKeys?: string[]
}

export interface StsConnection {
  region: string
  /** The one endpoint every call goes to: the 'sts-endpoint' input or the regional endpoint. */
  endpoint: string
  /** Forward proxy for the endpoint, already chosen (see proxy.ts). */
  proxy?: URL
}

/**
 * Env settings through which the SDK would pick another endpoint. They are ignored (a notice says
 * so): the assertion is a bearer token, and goes only where the endpoint rule checked it may go.
 */
const AMBIENT_ENDPOINT_SETTINGS = [
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL',
  'AWS_USE_FIPS_ENDPOINT',
  'AWS_USE_DUALSTACK_ENDPOINT'
]

/** The ambient endpoint settings present in the env, for the notice that they are ignored. */
export function ignoredEndpointSettings(env: Record<string, string | undefined>): string[] {
  return AMBIENT_ENDPOINT_SETTINGS.filter(name => (env[name] ?? '').trim() !== '')
}

/**
 * Agents shared by every client of a run, so fan-out reuses connections; through a proxy when one
 * is set (CONNECT for https, absolute-form requests for http).
 */
async function requestHandler(connection: StsConnection): Promise<AgentPair> {
  const options = { keepAlive: true, maxSockets: 64 }
  if (connection.proxy) return proxyAgents(connection.proxy, options)
  return { httpAgent: new HttpAgent(options), httpsAgent: new HttpsAgent(options) }
}

/**
 * Every setting the SDK would otherwise look up in the env or the shared config files is given
 * here, so no client reads ~/.aws/config, ~/.aws/credentials or the files AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE name (a FIFO there would hang the run outside the retry budget),
 * and none takes its endpoint from AWS_ENDPOINT_URL* or endpoint_url. Left out, each of region,
 * maxAttempts, retryMode, useFipsEndpoint, useDualstackEndpoint, authSchemePreference,
 * userAgentAppId and disableClockSkewCorrection makes the first send read both files (the tests
 * e2e/no-shared-files and integration/sts-shared-files catch that).
 */
function clientConfig(connection: StsConnection, handler: AgentPair) {
  const none = (): Promise<undefined> => Promise.resolve(undefined)
  return {
    region: connection.region,
    endpoint: connection.endpoint,
    ignoreConfiguredEndpointUrls: true,
    // One attempt per send: retries are decided by our own policy, never nested in the SDK's.
    maxAttempts: 1,
    retryMode: 'standard',
    defaultsMode: 'standard' as const,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    authSchemePreference: () => Promise.resolve([]),
    sigv4aSigningRegionSet: none,
    userAgentAppId: none,
    // The SDK's default (clock-skew correction on), given so it is not looked up.
    disableClockSkewCorrection: false,
    // Every client is given its credentials, so the SDK's default chain (env keys, the shared
    // files, SSO, credential_process, web identity, the container endpoint, IMDS) is never the
    // fallback: asked anyway, this fails at once instead of looking.
    credentialDefaultProvider: () => () =>
      Promise.reject(new Error('STS clients use only the credentials they are given')),
    requestHandler: handler
  }
}

/** The clients of one run: the unsigned SAML client, and signed ones for given credentials. */
export class StsClients {
  private readonly clients: STSClient[] = []
  readonly saml: STSClient

  /** The clients for a connection, once its agents are ready (a proxy's are loaded on demand). */
  static async connect(connection: StsConnection): Promise<StsClients> {
    return new StsClients(connection, await requestHandler(connection))
  }

  private constructor(
    private readonly connection: StsConnection,
    private readonly handler: AgentPair
  ) {
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
      PolicyArns: policyArns(request.managedSessionPolicies),
      Tags: request.tags?.length
        ? request.tags.map(t => ({ Key: t.key, Value: t.value }))
        : undefined,
      TransitiveTagKeys: request.transitiveTagKeys?.length ? request.transitiveTagKeys : undefined
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
}

export async function getCallerIdentity(
  client: STSClient,
  abortSignal: AbortSignal
): Promise<CallerIdentity> {
  const output = await client.send(new GetCallerIdentityCommand({}), { abortSignal })
  if (!output.Account || !output.Arn) {
    throw Object.assign(new Error('The GetCallerIdentity response is incomplete'), {
      $response: output.$metadata
    })
  }
  return { account: output.Account, arn: output.Arn }
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
