import { mapWithConcurrency } from './concurrency.js'
import { RunError, StsError } from '../errors/run-errors.js'
import { named, said } from '../errors/named-inputs.js'
import { preflightError } from '../errors/preflight-error.js'
import { CLOCK_SKEW_MS } from '../saml/saml-rules.js'
import { withRetry } from './retry.js'
import type { RetryPolicy } from './retry-policy.js'
import type { Target } from '../plan/role-targets.js'
import {
  assumeChainedRole,
  assumeRoleWithSaml,
  getCallerIdentity,
  type AssumedSession,
  type ChainRequest,
  type StsClients
} from './sts-client.js'
import { classifyStsError } from './sts-errors.js'

/** What every role of one run shares. */
export interface AssumeContext {
  clients: StsClients
  assertionBase64: string
  durationSeconds: number
  inlineSessionPolicy?: string
  managedSessionPolicies: string[]
  chain?: ChainRequest
  verify: boolean
  policy: RetryPolicy
  /** The assertion's NotOnOrAfter, after which no SAML request is worth starting. */
  deadlineMs?: number
  assertionAgeMs?: number
  log: (line: string) => void
  /** Called with each new set of credentials before anything else sees them (to mask them). */
  onCredentials: (session: AssumedSession) => void
}

export interface Assumed {
  target: Target
  session: AssumedSession
  /** The GetCallerIdentity ARN, when verification was asked for. */
  callerArn?: string
}

export type Outcome = Assumed | { target: Target; error: RunError }

/**
 * Redeem the assertion for one role: one AssumeRoleWithSAML, then AssumeRole on the chained role if
 * asked, then GetCallerIdentity if asked. Each call has its own retries.
 */
export async function assumeTarget(target: Target, ctx: AssumeContext): Promise<Assumed> {
  const { pair } = target
  // A role queued behind max-concurrency may get its turn after the assertion has expired (with
  // the same clock-skew allowance as the pre-flight check).
  if (ctx.deadlineMs !== undefined && Date.now() >= ctx.deadlineMs + CLOCK_SKEW_MS) {
    throw preflightError(
      'expired',
      `it expired before ${pair.roleArn} had its turn; no request was sent`
    )
  }
  // Session policies limit the credentials handed on: with chaining, the chained session's.
  const policies = {
    inlineSessionPolicy: ctx.inlineSessionPolicy,
    managedSessionPolicies: ctx.managedSessionPolicies
  }
  const samlPolicies = ctx.chain ? { managedSessionPolicies: [] } : policies
  const samlSession = await call(
    `AssumeRoleWithSAML ${pair.roleArn}`,
    signal =>
      assumeRoleWithSaml(
        ctx.clients.saml,
        {
          roleArn: pair.roleArn,
          principalArn: pair.principalArn,
          samlAssertionBase64: ctx.assertionBase64,
          durationSeconds: ctx.durationSeconds,
          ...samlPolicies
        },
        signal
      ),
    ctx,
    ctx.deadlineMs
  )
  ctx.onCredentials(samlSession)

  let session = samlSession
  const chain = ctx.chain
  if (chain) {
    const chained = await call(
      `AssumeRole ${chain.roleArn}`,
      signal =>
        assumeChainedRole(ctx.clients.signedBy(samlSession), { ...chain, ...policies }, signal),
      ctx
    )
    ctx.onCredentials(chained)
    // The SAML facts (subject, issuer) still describe who is behind the chained session.
    session = { ...samlSession, ...definedOnly(chained) }
  }

  if (!ctx.verify) return { target, session }
  const identity = await call(
    'GetCallerIdentity',
    signal => getCallerIdentity(ctx.clients.signedBy(session), signal),
    ctx
  )
  if (identity.account !== session.accountId || identity.arn !== session.assumedRoleArn) {
    throw new StsError(
      said`Verification failed: the new credentials belong to ${identity.arn} (account ${identity.account}), not ${session.assumedRoleArn} (account ${session.accountId}). Check ${named('sts-endpoint')} and any proxy: they may point to the wrong service.`,
      'VerificationFailed',
      false
    )
  }
  return { target, session, callerArn: identity.arn }
}

/**
 * Assume every target, at most `concurrency` at once. One failure does not stop the others: the
 * caller reports which roles succeeded.
 */
export async function assumeTargets(
  targets: Target[],
  ctx: AssumeContext,
  concurrency: number
): Promise<Outcome[]> {
  return mapWithConcurrency(targets, concurrency, async (target): Promise<Outcome> => {
    try {
      return await assumeTarget(target, ctx)
    } catch (error) {
      return { target, error: asRunError(error) }
    }
  })
}

async function call<T>(
  label: string,
  attempt: (signal: AbortSignal) => Promise<T>,
  ctx: AssumeContext,
  deadlineMs?: number
): Promise<T> {
  try {
    return await withRetry(label, attempt, ctx.policy, { log: ctx.log, deadlineMs })
  } catch (error) {
    const classified = classifyStsError(error, {
      durationSeconds: ctx.durationSeconds,
      assertionAgeMs: ctx.assertionAgeMs
    })
    throw new StsError(
      [`${label}: `, ...classified.said],
      classified.code,
      classified.retryable,
      classified.httpStatus
    )
  }
}

function asRunError(error: unknown): RunError {
  return error instanceof RunError ? error : classifyStsError(error)
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
