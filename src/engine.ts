import { regionalStsEndpoint, resolveRegion } from './plan/arn.js'
import { assumeTargets, type Assumed, type Outcome } from './sts/assume-roles.js'
import { decodeAssertion } from './saml/assertion-decoder.js'
import type { ProfileCredentials } from './aws-files/credentials-file.js'
import type { Settings } from './plan/input-helper.js'
import { actionName, type NameInput } from './errors/named-inputs.js'
import { checkReturnedAccounts, planRun } from './plan/plan.js'
import { preflight } from './saml/preflight.js'
import { checkProxyTransport, proxyFor, withNoProxy } from './sts/proxy.js'
import { retryPolicy } from './sts/retry-policy.js'
import type { Target } from './plan/role-targets.js'
import { parseSamlResponse } from './saml/saml-parser.js'
import { ignoredEndpointSettings, StsClients, type AssumedSession } from './sts/sts-client.js'

/** How the engine talks to its host (the action's runner log, or the CLI's stderr). */
export interface RedeemHooks {
  /** Register secrets before anything can print them. */
  mask: (values: string[]) => void
  notice: (line: string) => void
  warning: (line: string) => void
  info: (line: string) => void
  /** The host's own checks of the plan before any request (the files it will write, say). */
  checkTargets?: (targets: Target[]) => void | Promise<void>
}

export interface Redeemed {
  region: string
  targets: Target[]
  outcomes: Outcome[]
  assumed: Assumed[]
  /** The assertion's SourceIdentity attribute, for the output when STS does not echo it. */
  sourceIdentity?: string
}

/**
 * The engine shared by the action and the CLI: decode and check the assertion, plan the roles,
 * connect, and redeem it once per role. Every secret goes through hooks.mask the moment it exists.
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
  const { targets, warnings } = planRun(checked, saml, settings)
  await hooks.checkTargets?.(targets)
  checked.notices.forEach(hooks.notice)
  checked.warnings.forEach(hooks.warning)
  warnings.forEach(hooks.warning)

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
  const clients = await StsClients.connect({ region, endpoint, proxy })
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
    checkReturnedAccounts(assumed, settings)
    return { region, targets, outcomes, assumed, sourceIdentity: saml.sourceIdentity }
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

/** The step's failure text when some roles failed: each failure, then what succeeded. */
export function failureReport(
  redeemed: Redeemed,
  written: boolean,
  nameInput: NameInput = actionName
): string | undefined {
  const failed = redeemed.outcomes.filter(o => 'error' in o)
  if (failed.length === 0) return undefined
  if (redeemed.targets.length === 1) return failed[0]!.error.wordedFor(nameInput)
  const lines = [`${failed.length} of ${redeemed.targets.length} roles failed.`]
  for (const { error } of failed) lines.push(`- ${error.wordedFor(nameInput)}`)
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
