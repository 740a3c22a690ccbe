import { parseArn, regionalStsEndpoint, resolveRegion } from './plan/arn.js'
import { assumeTargets, type Assumed, type Outcome } from './sts/assume-roles.js'
import { decodeAssertion } from './saml/assertion-decoder.js'
import type { ProfileCredentials } from './aws-files/credentials-file.js'
import { InputError } from './errors/run-errors.js'
import type { Settings } from './plan/input-helper.js'
import { preflight } from './saml/preflight.js'
import { checkProxyTransport, proxyFor, withNoProxy } from './sts/proxy.js'
import { retryPolicy } from './sts/retry-policy.js'
import { planTargets, type Target } from './plan/role-targets.js'
import { parseSamlResponse } from './saml/saml-parser.js'
import { ignoredEndpointSettings, StsClients, type AssumedSession } from './sts/sts-client.js'

/** How the engine talks to its host (the action's runner log, or the CLI's stderr). */
export interface RedeemHooks {
  /** Register secrets before anything can print them. */
  mask: (values: string[]) => void
  notice: (line: string) => void
  warning: (line: string) => void
  info: (line: string) => void
  /** Last word on the plan before any request (the CLI refuses some output modes here). */
  checkTargets?: (targets: Target[]) => void
}

export interface Redeemed {
  region: string
  targets: Target[]
  outcomes: Outcome[]
  assumed: Assumed[]
}

/**
 * The engine shared by the action and the CLI: decode and check the assertion, decide the roles,
 * and redeem it once per role. Every secret goes through hooks.mask the moment it exists.
 */
export async function redeem(
  settings: Settings,
  raw: string | Buffer,
  env: Record<string, string | undefined>,
  hooks: RedeemHooks
): Promise<Redeemed> {
  hooks.mask([raw.toString().trim()])
  const assertion = decodeAssertion(raw)
  hooks.mask(assertion.secrets)

  const saml = parseSamlResponse(assertion.xml)
  if (settings.maskAccountId) hooks.mask(accountIdsIn(settings, saml.roleValues ?? []))
  const checked = preflight(saml, new Date())
  const targets = planTargets(checked.offered, settings)
  checkChainAllowed(settings)
  hooks.checkTargets?.(targets)
  if (targets.length > 1 && settings.exportEnv) {
    throw new InputError(
      `'export-env' cannot export ${targets.length} roles at once; they go to profiles. Remove 'export-env: true'.`
    )
  }
  checked.notices.forEach(hooks.notice)
  checked.warnings.forEach(hooks.warning)

  const partition = targets[0]!.pair.role.partition
  const region = resolveRegion(settings.region, env, partition)
  // The endpoint rule: the input or the partition's regional endpoint, nothing ambient.
  const endpoint = settings.stsEndpoint ?? regionalStsEndpoint(region, partition)
  const ignored = ignoredEndpointSettings(env)
  if (ignored.length > 0) {
    hooks.notice(
      `Ignoring ${ignored.join(', ')}: the assertion goes only to 'sts-endpoint' or the regional endpoint, here ${endpoint}. To use another endpoint, set 'sts-endpoint'.`
    )
  }
  const proxy = proxyFor(new URL(endpoint), settings.httpProxy, withNoProxy(env, settings.noProxy))
  // A proxy password is a secret of its own.
  if (proxy?.password) hooks.mask([proxy.password, safeDecode(proxy.password)])
  checkProxyTransport(new URL(endpoint), proxy)
  const clients = new StsClients({ region, endpoint, proxy })
  try {
    const outcomes = await assumeTargets(
      targets,
      {
        clients,
        assertionBase64: assertion.base64,
        durationSeconds: settings.durationSeconds,
        inlineSessionPolicy: settings.inlineSessionPolicy,
        managedSessionPolicies: settings.managedSessionPolicies,
        chain: settings.chain && {
          ...settings.chain,
          sessionName: settings.chain.sessionName ?? chainSessionName(env)
        },
        verify: settings.verifyCredentials,
        policy: retryPolicy(settings.retry.maxAttempts, settings.retry.budgetSeconds),
        deadlineMs: checked.expiresAt?.getTime(),
        assertionAgeMs: checked.ageMs,
        log: hooks.info,
        onCredentials: (session: AssumedSession) =>
          hooks.mask([session.accessKeyId, session.secretAccessKey, session.sessionToken])
      },
      settings.maxConcurrency
    )
    const assumed = outcomes.filter((o): o is Assumed => 'session' in o)
    checkAccountsAllowed(assumed, settings)
    return { region, targets, outcomes, assumed }
  } finally {
    clients.destroy()
  }
}

/** What goes into the credentials and config files: one profile per role that succeeded. */
export function profileWrites(redeemed: Redeemed): ProfileCredentials[] {
  return redeemed.assumed.map(({ target, session }) => ({
    ...session,
    profile: target.profile!,
    region: redeemed.region
  }))
}

/** With chaining, the credentials are for the chained role. */
export function finalRoleArn(assumed: Assumed, settings: Settings): string {
  return settings.chain?.roleArn ?? assumed.target.pair.roleArn
}

/** Every account ID the run could print, for mask-account-id. */
function accountIdsIn(settings: Settings, roleValues: string[]): string[] {
  const text = [
    ...roleValues,
    ...(settings.roleArns === '*' ? [] : settings.roleArns),
    settings.principalArn ?? '',
    settings.chain?.roleArn ?? ''
  ].join(' ')
  return [...new Set(text.match(/\b\d{12}\b/g) ?? [])]
}

function checkChainAllowed(settings: Settings): void {
  const chain = settings.chain
  const chained = chain && parseArn(chain.roleArn, 'role')
  if (
    chain &&
    chained &&
    settings.allowedAccountIds.length > 0 &&
    !settings.allowedAccountIds.includes(chained.accountId)
  ) {
    throw new InputError(
      `Refusing chain-role-arn ${chain.roleArn}: account ${chained.accountId} is not in 'allowed-account-ids'. Nothing was assumed.`
    )
  }
}

/** STS decides the account; check what it returned too, before anything is written or exported. */
function checkAccountsAllowed(assumed: Assumed[], settings: Settings): void {
  if (settings.allowedAccountIds.length === 0) return
  const outside = assumed.filter(a => !settings.allowedAccountIds.includes(a.session.accountId))
  if (outside.length > 0) {
    throw new InputError(
      `STS returned credentials for account(s) ${outside.map(a => a.session.accountId).join(', ')}, not in 'allowed-account-ids'. Nothing was exported or written.`
    )
  }
}

/** The step's failure text when some roles failed: each failure, then what succeeded. */
export function failureReport(redeemed: Redeemed, written: boolean): string | undefined {
  const failed = redeemed.outcomes.filter(o => 'error' in o)
  if (failed.length === 0) return undefined
  if (redeemed.targets.length === 1) return failed[0]!.error.message
  const lines = [`${failed.length} of ${redeemed.targets.length} roles failed.`]
  for (const { error } of failed) lines.push(`- ${error.message}`)
  const ok = redeemed.assumed.map(a => `${a.target.pair.roleArn} -> ${a.target.profile}`)
  lines.push(
    ok.length > 0
      ? `Succeeded${written ? ' (profiles written)' : ''}: ${ok.join(', ')}.`
      : 'None succeeded.'
  )
  return lines.join('\n')
}

/**
 * The chained session's name when none is given: one per run and attempt, so CloudTrail tells
 * matrix jobs apart (with SAML alone they all share the assertion's RoleSessionName).
 */
export function chainSessionName(env: Record<string, string | undefined>): string {
  const parts = ['gh', env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, env.GITHUB_JOB]
  const name = parts
    .filter((part): part is string => Boolean(part))
    .join('-')
    .replace(/[^\w+=,.@-]/g, '-')
    .slice(0, 64)
  return name.length >= 2 && name !== 'gh' ? name : `gh-${process.pid}-${Date.now()}`.slice(0, 64)
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
