/**
 * The planning step: from the checked assertion and the settings to the roles to assume. Every
 * check that needs both (which roles, their accounts, the outputs they go to, the session length
 * the IdP allows) happens here, before any request, so a refused plan leaves nothing behind.
 */
import { parseArn } from './arn.js'
import { InputError } from '../errors/run-errors.js'
import { named, said } from '../errors/named-inputs.js'
import type { Settings } from './input-helper.js'
import { planTargets, type Target } from './role-targets.js'
import type { PreflightResult } from '../saml/preflight.js'
import type { SamlResponseInfo } from '../saml/saml-parser.js'

export interface Plan {
  targets: Target[]
  /** Lines for the log, already safe to print. */
  warnings: string[]
}

export function planRun(
  checked: PreflightResult,
  saml: SamlResponseInfo,
  settings: Settings
): Plan {
  const targets = planTargets(checked.offered, settings)
  checkChainAllowed(settings)
  checkOneSession(targets.length, settings)
  return { targets, warnings: sessionDurationWarnings(saml, settings.durationSeconds) }
}

/** allowed-account-ids holds for the chained role too: its account is in its ARN. */
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
      said`Refusing chain-role-arn ${chain.roleArn}: account ${chained.accountId} is not in ${named('allowed-account-ids')}. Nothing was assumed.`
    )
  }
}

/** Env variables and a credential_process answer hold one session; several go to profiles. */
function checkOneSession(count: number, settings: Settings): void {
  if (count <= 1) return
  const output = settings.cliOutput
  if (output === 'env' || output === 'credential-process') {
    throw new InputError(
      `--output ${output} takes one role; with several, use --profile (and --output json to print them).`
    )
  }
  if (settings.exportEnv) {
    throw new InputError(
      said`${named('export-env')} cannot export ${count} roles at once; they go to profiles. Remove 'export-env: true'.`
    )
  }
}

/**
 * The IdP's SessionDuration attribute says how long it wants sessions to last. AWS applies it to
 * console sign-ins; for API credentials role-duration-seconds decides, so asking for more than the
 * IdP allows is worth a warning rather than a silent longer session.
 */
function sessionDurationWarnings(saml: SamlResponseInfo, durationSeconds: number): string[] {
  const text = saml.sessionDuration?.trim()
  if (text === undefined || !/^\d{1,6}$/.test(text)) return []
  const allowed = Number(text)
  if (durationSeconds <= allowed) return []
  return [
    `'role-duration-seconds' asks for ${durationSeconds} s, but the IdP's SessionDuration attribute allows ${allowed} s. ` +
      `Lower 'role-duration-seconds' to ${allowed} or less to keep to the IdP's session policy.`
  ]
}

/** STS decides the account; check what it returned too, before anything is written or exported. */
export function checkReturnedAccounts(
  assumed: Array<{ session: { accountId: string } }>,
  settings: Pick<Settings, 'allowedAccountIds'>
): void {
  if (settings.allowedAccountIds.length === 0) return
  const outside = assumed.filter(a => !settings.allowedAccountIds.includes(a.session.accountId))
  if (outside.length > 0) {
    throw new InputError(
      said`STS returned credentials for account(s) ${outside.map(a => a.session.accountId).join(', ')}, not in ${named('allowed-account-ids')}. Nothing was exported or written.`
    )
  }
}
