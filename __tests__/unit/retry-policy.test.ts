import { describe, expect, it } from 'vitest'
import { PREFLIGHT_ERRORS, STS_ERRORS } from '../../src/errors/error-catalog.js'
import {
  backoffDelay,
  decideRetry,
  DEFAULT_BUDGET_SECONDS,
  DEFAULT_MAX_ATTEMPTS,
  isRetryable,
  retryPolicy,
  type AttemptOutcome,
  type RetryPolicy
} from '../../src/sts/retry-policy.js'

/** Just below 1: the largest value Math.random can return. */
const ALMOST_ONE = 1 - Number.EPSILON

const RETRYABLE = [
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'IDPCommunicationError',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'http-5xx',
  'network'
]

const NOT_RETRYABLE = [
  // Not STS answering: a retry would replay the assertion to it.
  'bad-response',
  'AccessDenied',
  'ValidationError',
  'InvalidIdentityToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'IDPRejectedClaim',
  'MalformedPolicyDocument',
  'PackedPolicyTooLarge',
  'RegionDisabled',
  'RegionDisabledException'
]

describe('retryPolicy', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_MAX_ATTEMPTS).toBe(6)
    expect(DEFAULT_BUDGET_SECONDS).toBe(60)
  })

  it('builds the whole policy from attempts and budget', () => {
    expect(retryPolicy(6, 60)).toEqual({
      maxAttempts: 6,
      budgetMs: 60_000,
      baseDelayMs: 250,
      maxDelayMs: 8000,
      attemptTimeoutMs: 10_000
    })
  })

  it.each([
    // budget seconds, attempt timeout ms
    [1, 1000], // a third is 333 ms: raised to 1 s
    [2, 1000], // 666 ms: raised to 1 s
    [3, 1000], // exactly 1 s
    [4, 1333], // floor(4000 / 3)
    [15, 5000],
    [30, 10_000], // exactly 10 s
    [31, 10_000], // 10.333 s: capped at 10 s
    [60, 10_000],
    [600, 10_000]
  ])('with a %i s budget an attempt may take %i ms', (budgetSeconds, timeoutMs) => {
    const policy = retryPolicy(3, budgetSeconds)
    expect(policy.attemptTimeoutMs).toBe(timeoutMs)
    expect(policy.budgetMs).toBe(budgetSeconds * 1000)
    expect(policy.maxAttempts).toBe(3)
  })

  it('keeps one attempt as one attempt', () => {
    expect(retryPolicy(1, 60).maxAttempts).toBe(1)
  })
})

describe('isRetryable', () => {
  it.each(RETRYABLE)('retries %s', code => {
    expect(isRetryable(code)).toBe(true)
  })

  it.each(NOT_RETRYABLE)('never retries %s', code => {
    expect(isRetryable(code)).toBe(false)
  })

  it.each(['SomethingNew', 'UnknownError', 'Error', '', 'AccessDeniedException'])(
    'never retries the unknown code %j',
    code => {
      expect(isRetryable(code)).toBe(false)
    }
  )

  it.each(Object.keys(PREFLIGHT_ERRORS))('never retries the pre-flight failure %s', id => {
    expect(isRetryable(id)).toBe(false)
  })

  it('the two lists above are every STS code in the catalog', () => {
    const catalogCodes = STS_ERRORS.flatMap(entry => entry.codes).sort()
    expect([...RETRYABLE, ...NOT_RETRYABLE].sort()).toEqual(catalogCodes)
  })
})

describe('backoffDelay', () => {
  const policy = retryPolicy(6, 60)

  it.each([1, 2, 3, 6, 7, 20])('is 0 for a random 0 (attempt %i)', attempt => {
    expect(backoffDelay(attempt, policy, 0)).toBe(0)
  })

  it.each([
    // failed attempt, ceiling = min(8000, 250 * 2^(n-1))
    [1, 250],
    [2, 500],
    [3, 1000],
    [4, 2000],
    [5, 4000],
    [6, 8000],
    [7, 8000],
    [10, 8000]
  ])('after attempt %i stays just below %i ms', (attempt, ceiling) => {
    expect(backoffDelay(attempt, policy, ALMOST_ONE)).toBe(ceiling - 1)
  })

  it('doubles per attempt until the cap (random 0.5)', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map(n => backoffDelay(n, policy, 0.5))
    expect(delays).toEqual([125, 250, 500, 1000, 2000, 4000, 4000, 4000])
  })

  it('scales linearly with the random value and rounds down', () => {
    expect(backoffDelay(3, policy, 0.25)).toBe(250)
    expect(backoffDelay(3, policy, 0.3337)).toBe(333)
    expect(backoffDelay(1, policy, 0.999)).toBe(249)
  })

  it('uses the policy base and cap', () => {
    const custom: RetryPolicy = { ...policy, baseDelayMs: 100, maxDelayMs: 1000 }
    expect(backoffDelay(1, custom, ALMOST_ONE)).toBe(99)
    expect(backoffDelay(4, custom, ALMOST_ONE)).toBe(799)
    expect(backoffDelay(5, custom, ALMOST_ONE)).toBe(999) // 1600 capped at 1000
  })

  it('stays capped for absurd attempt numbers (2^n overflows to Infinity)', () => {
    expect(backoffDelay(5000, policy, ALMOST_ONE)).toBe(7999)
    expect(backoffDelay(5000, policy, 0)).toBe(0)
  })
})

describe('decideRetry', () => {
  const policy = retryPolicy(6, 60) // budget 60 000 ms
  const START = 1_700_000_000_000

  function outcome(overrides: Partial<AttemptOutcome> = {}): AttemptOutcome {
    return { attempt: 1, code: 'Throttling', elapsedMs: 0, nowMs: START, ...overrides }
  }

  it('retries a retryable failure with the backoff delay', () => {
    expect(decideRetry(outcome(), policy, 0.5)).toEqual({ retry: true, delayMs: 125 })
    expect(decideRetry(outcome({ attempt: 3 }), policy, 0.5)).toEqual({
      retry: true,
      delayMs: 500
    })
    expect(decideRetry(outcome({ attempt: 2, code: 'network' }), policy, 0)).toEqual({
      retry: true,
      delayMs: 0
    })
  })

  it('stops at once for a failure that is not retryable', () => {
    expect(decideRetry(outcome({ code: 'AccessDenied' }), policy, 0.5)).toEqual({
      retry: false,
      reason: 'not retryable'
    })
    expect(decideRetry(outcome({ code: 'SomethingNew' }), policy, 0.5)).toEqual({
      retry: false,
      reason: 'not retryable'
    })
  })

  it('says "not retryable" before anything else', () => {
    const everythingWrong = outcome({
      code: 'ValidationError',
      attempt: 6,
      elapsedMs: 60_000,
      deadlineMs: START
    })
    expect(decideRetry(everythingWrong, policy, 0.5)).toEqual({
      retry: false,
      reason: 'not retryable'
    })
  })

  it('stops when exactly maxAttempts have failed, not one before', () => {
    expect(decideRetry(outcome({ attempt: 5 }), policy, 0.5)).toEqual({
      retry: true,
      delayMs: 2000
    })
    expect(decideRetry(outcome({ attempt: 6 }), policy, 0.5)).toEqual({
      retry: false,
      reason: 'attempts exhausted'
    })
    expect(decideRetry(outcome({ attempt: 7 }), policy, 0.5)).toEqual({
      retry: false,
      reason: 'attempts exhausted'
    })
  })

  it('with one attempt allowed, never retries', () => {
    expect(decideRetry(outcome(), retryPolicy(1, 60), 0)).toEqual({
      retry: false,
      reason: 'attempts exhausted'
    })
  })

  it('stops when elapsed + delay reaches the budget', () => {
    // attempt 1, random 0.5: delay 125 ms
    expect(decideRetry(outcome({ elapsedMs: 59_874 }), policy, 0.5)).toEqual({
      retry: true,
      delayMs: 125
    })
    expect(decideRetry(outcome({ elapsedMs: 59_875 }), policy, 0.5)).toEqual({
      retry: false,
      reason: 'budget spent'
    })
    expect(decideRetry(outcome({ elapsedMs: 70_000 }), policy, 0)).toEqual({
      retry: false,
      reason: 'budget spent'
    })
  })

  it('stops when the next attempt would start at or after the assertion deadline', () => {
    expect(decideRetry(outcome({ deadlineMs: START + 126 }), policy, 0.5)).toEqual({
      retry: true,
      delayMs: 125
    })
    expect(decideRetry(outcome({ deadlineMs: START + 125 }), policy, 0.5)).toEqual({
      retry: false,
      reason: 'assertion expires'
    })
    expect(decideRetry(outcome({ deadlineMs: START - 1 }), policy, 0)).toEqual({
      retry: false,
      reason: 'assertion expires'
    })
  })

  it('ignores the deadline when there is none', () => {
    expect(decideRetry(outcome({ deadlineMs: undefined }), policy, 0.5)).toEqual({
      retry: true,
      delayMs: 125
    })
  })

  it('checks attempts before the budget, and the budget before the deadline', () => {
    const late = { elapsedMs: 60_000, deadlineMs: START }
    expect(decideRetry(outcome({ attempt: 6, ...late }), policy, 0.5)).toEqual({
      retry: false,
      reason: 'attempts exhausted'
    })
    expect(decideRetry(outcome({ attempt: 2, ...late }), policy, 0.5)).toEqual({
      retry: false,
      reason: 'budget spent'
    })
  })
})
