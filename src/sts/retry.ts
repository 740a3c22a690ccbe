import { errorCode } from './sts-errors.js'
import { RetriesStopped } from '../errors/run-errors.js'
import { decideRetry, type RetryPolicy } from './retry-policy.js'

export interface RetryHooks {
  /** One line per retry; it must not contain secrets. */
  log: (line: string) => void
  deadlineMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  random?: () => number
}

const timeoutError = (ms: number): Error =>
  Object.assign(new Error(`no answer within ${ms} ms`), { name: 'TimeoutError' })

/**
 * Run `attempt` under the retry policy. Each attempt gets an AbortSignal that fires at the attempt
 * timeout (or when the budget runs out), so a hung connection is abandoned and retried.
 */
export async function withRetry<T>(
  label: string,
  attempt: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks
): Promise<T> {
  const now = hooks.now ?? Date.now
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>(r => setTimeout(r, ms)))
  const random = hooks.random ?? Math.random
  const started = now()
  for (let n = 1; ; n++) {
    const remaining = policy.budgetMs - (now() - started)
    const timeoutMs = Math.max(1, Math.min(policy.attemptTimeoutMs, remaining))
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(timeoutError(timeoutMs)), timeoutMs)
    try {
      return await attempt(controller.signal)
    } catch (caught) {
      // The SDK reports an abort as AbortError; name the real cause.
      const error: unknown = controller.signal.aborted ? controller.signal.reason : caught
      const { code } = errorCode(error)
      const decision = decideRetry(
        {
          attempt: n,
          code,
          elapsedMs: now() - started,
          nowMs: now(),
          deadlineMs: hooks.deadlineMs
        },
        policy,
        random()
      )
      if (!decision.retry) throw new RetriesStopped(error, n, decision.reason)
      const shown = code === 'network' ? networkDetail(error) : code
      hooks.log(
        `${label}: attempt ${n} of ${policy.maxAttempts} failed (${shown}); retrying in ${(decision.delayMs / 1000).toFixed(1)} s`
      )
      await sleep(decision.delayMs)
    } finally {
      clearTimeout(timer)
    }
  }
}

function networkDetail(error: unknown): string {
  const e = error as { name?: string; code?: string }
  return e.code ?? e.name ?? 'network error'
}
