import { catalogEntryFor } from '../errors/error-catalog.js'
import type { RetriesStopped } from '../errors/run-errors.js'

/** How hard to try one STS call. Pure data; the loop that applies it is in retry.ts. */
export interface RetryPolicy {
  maxAttempts: number
  /** Total time for all attempts and sleeps of one call. */
  budgetMs: number
  baseDelayMs: number
  maxDelayMs: number
  /** Longest a single attempt may take before it is abandoned (a hung connection). */
  attemptTimeoutMs: number
}

export const DEFAULT_MAX_ATTEMPTS = 6
export const DEFAULT_BUDGET_SECONDS = 60

export function retryPolicy(maxAttempts: number, budgetSeconds: number): RetryPolicy {
  const budgetMs = budgetSeconds * 1000
  return {
    maxAttempts,
    budgetMs,
    baseDelayMs: 250,
    maxDelayMs: 8000,
    // A third of the budget, within 1-10 s: several tries fit, and a hang never eats the budget.
    attemptTimeoutMs: Math.min(10_000, Math.max(1000, Math.floor(budgetMs / 3)))
  }
}

/** Only transient failures are retried; everything the caller must fix fails on the first answer. */
export function isRetryable(code: string): boolean {
  return catalogEntryFor(code)?.retryable ?? false
}

/** Capped exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(n-1))). */
export function backoffDelay(failedAttempt: number, policy: RetryPolicy, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1))
  return Math.floor(random * ceiling)
}

export type StopReason = RetriesStopped['reason']

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: StopReason }

export interface AttemptOutcome {
  /** 1-based number of the attempt that just failed. */
  attempt: number
  code: string
  /** Time since the first attempt started. */
  elapsedMs: number
  nowMs: number
  /** The assertion's NotOnOrAfter: an attempt starting later is bound to fail. */
  deadlineMs?: number
}

export function decideRetry(
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  random: number
): RetryDecision {
  if (!isRetryable(outcome.code)) return { retry: false, reason: 'not retryable' }
  if (outcome.attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts exhausted' }
  const delayMs = backoffDelay(outcome.attempt, policy, random)
  if (outcome.elapsedMs + delayMs >= policy.budgetMs)
    return { retry: false, reason: 'budget spent' }
  if (outcome.deadlineMs !== undefined && outcome.nowMs + delayMs >= outcome.deadlineMs) {
    return { retry: false, reason: 'assertion expires' }
  }
  return { retry: true, delayMs }
}
