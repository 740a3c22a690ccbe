import { describe, expect, it } from 'vitest'
import { RetriesStopped } from '../../src/errors/run-errors.js'
import { retryPolicy, type RetryPolicy } from '../../src/sts/retry-policy.js'
import { withRetry, type RetryHooks } from '../../src/sts/retry.js'

const LABEL = 'AssumeRoleWithSAML arn:aws:iam::123456789012:role/Deploy'

/** A fake clock: time moves only when a test (or the injected sleep) moves it. */
class FakeClock {
  t = 1_700_000_000_000
  readonly sleeps: number[] = []
  readonly log: string[] = []

  hooks(random: number, extra: Partial<RetryHooks> = {}): RetryHooks {
    return {
      log: line => this.log.push(line),
      now: () => this.t,
      sleep: ms => {
        this.sleeps.push(ms)
        this.t += ms
        return Promise.resolve()
      },
      random: () => random,
      ...extra
    }
  }
}

function throttled(message = 'Rate exceeded'): Error {
  return Object.assign(new Error(message), { name: 'Throttling' })
}

/** The attempts' results in order: an Error is thrown, anything else is returned. */
function scripted<T>(...results: (T | Error)[]): {
  attempt: (signal: AbortSignal) => Promise<T>
  calls: () => number
} {
  let n = 0
  return {
    attempt: () => {
      const result = results[n++]
      if (result === undefined) throw new Error(`unexpected attempt ${n}`)
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result)
    },
    calls: () => n
  }
}

async function stopped(promise: Promise<unknown>): Promise<RetriesStopped> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(RetriesStopped)
    return error as RetriesStopped
  }
  throw new Error('expected RetriesStopped, the call succeeded')
}

/** An attempt that never settles on its own; it rejects (as the SDK does) when aborted. */
function hangUntilAborted(seen: AbortSignal[], onAbort?: () => void) {
  return (signal: AbortSignal): Promise<never> => {
    seen.push(signal)
    return new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        onAbort?.()
        reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))
      })
    })
  }
}

describe('withRetry', () => {
  it('returns the first success without retrying or logging', async () => {
    const clock = new FakeClock()
    const { attempt, calls } = scripted('ok')
    await expect(withRetry(LABEL, attempt, retryPolicy(6, 60), clock.hooks(0.5))).resolves.toBe(
      'ok'
    )
    expect(calls()).toBe(1)
    expect(clock.log).toEqual([])
    expect(clock.sleeps).toEqual([])
  })

  it('passes each attempt a fresh signal that has not fired', async () => {
    const clock = new FakeClock()
    const signals: AbortSignal[] = []
    let n = 0
    const result = await withRetry(
      LABEL,
      signal => {
        signals.push(signal)
        expect(signal.aborted).toBe(false)
        return ++n < 2 ? Promise.reject(throttled()) : Promise.resolve(n)
      },
      retryPolicy(6, 60),
      clock.hooks(0.5)
    )
    expect(result).toBe(2)
    expect(signals).toHaveLength(2)
    expect(signals[0]).not.toBe(signals[1])
    // A settled attempt's timer is cleared: nothing aborts it afterwards.
    expect(signals.every(s => !s.aborted)).toBe(true)
  })

  it('clears the timer of an attempt that settled: its signal never fires later', async () => {
    const clock = new FakeClock()
    const signals: AbortSignal[] = []
    const policy: RetryPolicy = { ...retryPolicy(3, 60), attemptTimeoutMs: 20 }
    let n = 0
    await withRetry(
      LABEL,
      signal => {
        signals.push(signal)
        return ++n < 2 ? Promise.reject(throttled()) : Promise.resolve('ok')
      },
      policy,
      clock.hooks(0)
    )
    await new Promise(resolve => setTimeout(resolve, 80))
    expect(signals).toHaveLength(2)
    expect(signals.map(s => s.aborted)).toEqual([false, false])
  })

  it('retries throttling twice, then succeeds, sleeping the decided delays', async () => {
    const clock = new FakeClock()
    const { attempt, calls } = scripted<string>(throttled(), throttled(), 'credentials')
    const result = await withRetry(LABEL, attempt, retryPolicy(6, 60), clock.hooks(0.8))
    expect(result).toBe('credentials')
    expect(calls()).toBe(3)
    // random 0.8: 0.8 * 250 and 0.8 * 500
    expect(clock.sleeps).toEqual([200, 400])
    expect(clock.log).toEqual([
      `${LABEL}: attempt 1 of 6 failed (Throttling); retrying in 0.2 s`,
      `${LABEL}: attempt 2 of 6 failed (Throttling); retrying in 0.4 s`
    ])
  })

  it('formats longer delays in seconds with one decimal', async () => {
    const clock = new FakeClock()
    const policy: RetryPolicy = { ...retryPolicy(3, 60), baseDelayMs: 2000 }
    const { attempt } = scripted<string>(throttled(), throttled(), 'ok')
    await withRetry('X', attempt, policy, clock.hooks(0.8))
    expect(clock.sleeps).toEqual([1600, 3200])
    expect(clock.log).toEqual([
      'X: attempt 1 of 3 failed (Throttling); retrying in 1.6 s',
      'X: attempt 2 of 3 failed (Throttling); retrying in 3.2 s'
    ])
  })

  it('stops at once on a failure that is not retryable, with the original error', async () => {
    const clock = new FakeClock()
    const denied = Object.assign(new Error('Not authorized to perform sts:AssumeRoleWithSAML'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 }
    })
    const { attempt, calls } = scripted<string>(denied, 'never reached')
    const error = await stopped(withRetry(LABEL, attempt, retryPolicy(6, 60), clock.hooks(0.5)))
    expect(error.attempts).toBe(1)
    expect(error.reason).toBe('not retryable')
    expect(error.last).toBe(denied)
    expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithSAML')
    expect(calls()).toBe(1)
    expect(clock.log).toEqual([])
    expect(clock.sleeps).toEqual([])
  })

  it('stops after maxAttempts with the last error', async () => {
    const clock = new FakeClock()
    const errors = [throttled('first'), throttled('second'), throttled('third')]
    const { attempt, calls } = scripted<string>(...errors)
    const error = await stopped(withRetry(LABEL, attempt, retryPolicy(3, 60), clock.hooks(0.8)))
    expect(error.attempts).toBe(3)
    expect(error.reason).toBe('attempts exhausted')
    expect(error.last).toBe(errors[2])
    expect(error.message).toBe('third')
    expect(calls()).toBe(3)
    expect(clock.sleeps).toEqual([200, 400])
    expect(clock.log).toEqual([
      `${LABEL}: attempt 1 of 3 failed (Throttling); retrying in 0.2 s`,
      `${LABEL}: attempt 2 of 3 failed (Throttling); retrying in 0.4 s`
    ])
  })

  it('makes one attempt only when retries are disabled', async () => {
    const clock = new FakeClock()
    const { attempt, calls } = scripted<string>(throttled(), 'never reached')
    const error = await stopped(withRetry(LABEL, attempt, retryPolicy(1, 60), clock.hooks(0)))
    expect(error.attempts).toBe(1)
    expect(error.reason).toBe('attempts exhausted')
    expect(calls()).toBe(1)
    expect(clock.log).toEqual([])
  })

  it('stops when the next delay would overrun the budget', async () => {
    const clock = new FakeClock()
    let n = 0
    // Each attempt takes 400 ms of fake time. Budget 1000 ms, random 0.8.
    const attempt = (): Promise<string> => {
      n++
      clock.t += 400
      return Promise.reject(throttled(`slow ${n}`))
    }
    const error = await stopped(withRetry(LABEL, attempt, retryPolicy(6, 1), clock.hooks(0.8)))
    // attempt 1 fails at 400 ms, +200 ms delay < 1000: retry. attempt 2 fails at 1000 ms.
    expect(error.attempts).toBe(2)
    expect(error.reason).toBe('budget spent')
    expect(error.message).toBe('slow 2')
    expect(n).toBe(2)
    expect(clock.sleeps).toEqual([200])
    expect(clock.log).toEqual([`${LABEL}: attempt 1 of 6 failed (Throttling); retrying in 0.2 s`])
  })

  it('stops when the next attempt would start after the assertion expires', async () => {
    const clock = new FakeClock()
    const { attempt, calls } = scripted<string>(throttled(), throttled('late'), 'never reached')
    const hooks = clock.hooks(0.8, { deadlineMs: clock.t + 300 })
    const error = await stopped(withRetry(LABEL, attempt, retryPolicy(6, 60), hooks))
    // attempt 1: now + 200 < deadline, retry; attempt 2: now (200) + 400 >= 300.
    expect(error.attempts).toBe(2)
    expect(error.reason).toBe('assertion expires')
    expect(error.message).toBe('late')
    expect(calls()).toBe(2)
    expect(clock.sleeps).toEqual([200])
  })

  it.each([
    [
      'a socket error code',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      'ECONNRESET'
    ],
    ['a DNS failure', Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }), 'ENOTFOUND'],
    [
      'a TimeoutError',
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      'TimeoutError'
    ],
    ['a bare TypeError (fetch failed)', new TypeError('fetch failed'), 'TypeError']
  ])('retries %s and logs what it was', async (_label, failure, shown) => {
    const clock = new FakeClock()
    const { attempt, calls } = scripted<string>(failure, 'ok')
    await expect(withRetry(LABEL, attempt, retryPolicy(6, 60), clock.hooks(0.8))).resolves.toBe(
      'ok'
    )
    expect(calls()).toBe(2)
    expect(clock.log).toEqual([`${LABEL}: attempt 1 of 6 failed (${shown}); retrying in 0.2 s`])
  })

  it('logs "network error" for a rejection that is not an Error', async () => {
    const clock = new FakeClock()
    let n = 0
    const attempt = (): Promise<string> =>
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      ++n === 1 ? Promise.reject('socket hang up') : Promise.resolve('ok')
    await withRetry(LABEL, attempt, retryPolicy(6, 60), clock.hooks(0.8))
    expect(n).toBe(2)
    expect(clock.log).toEqual([
      `${LABEL}: attempt 1 of 6 failed (network error); retrying in 0.2 s`
    ])
  })

  it('logs the normalised code for a server error', async () => {
    const clock = new FakeClock()
    const fault = Object.assign(new Error('Service Unavailable'), {
      name: 'Error',
      $metadata: { httpStatusCode: 503 }
    })
    const { attempt } = scripted<string>(fault, 'ok')
    await withRetry(LABEL, attempt, retryPolicy(6, 60), clock.hooks(0.8))
    expect(clock.log).toEqual([`${LABEL}: attempt 1 of 6 failed (http-5xx); retrying in 0.2 s`])
  })

  it('aborts an attempt that never answers, and reports a TimeoutError', async () => {
    const seen: AbortSignal[] = []
    const started = Date.now()
    // Real clock: a 1 s budget gives 1 s attempts; after a 1 s hang the budget is spent.
    const error = await stopped(
      withRetry(LABEL, hangUntilAborted(seen), retryPolicy(2, 1), { log: () => undefined })
    )
    const took = Date.now() - started
    expect(seen).toHaveLength(1)
    expect(seen[0]!.aborted).toBe(true)
    expect(error.attempts).toBe(1)
    expect(error.reason).toBe('budget spent')
    // The abort reason is reported, not the SDK's generic AbortError.
    expect(error.last).toBeInstanceOf(Error)
    expect((error.last as Error).name).toBe('TimeoutError')
    expect(error.message).toBe('no answer within 1000 ms')
    expect(seen[0]!.reason).toBe(error.last)
    expect(took).toBeGreaterThanOrEqual(990)
    expect(took).toBeLessThan(5000)
  })

  it('classifies the abort reason, not what the aborted attempt threw', async () => {
    const clock = new FakeClock()
    const seen: AbortSignal[] = []
    // Short attempts; the fake clock stands still, so the budget is never the limit.
    const policy: RetryPolicy = { ...retryPolicy(3, 60), attemptTimeoutMs: 50 }
    let n = 0
    const attempt = (signal: AbortSignal): Promise<string> => {
      n++
      if (n > 1) return Promise.resolve('second time lucky')
      seen.push(signal)
      return new Promise((_resolve, reject) => {
        // What the attempt throws on abort is not retryable; the timeout behind it is.
        signal.addEventListener('abort', () =>
          reject(Object.assign(new Error('denied'), { name: 'AccessDenied' }))
        )
      })
    }
    await expect(withRetry(LABEL, attempt, policy, clock.hooks(0.8))).resolves.toBe(
      'second time lucky'
    )
    expect(n).toBe(2)
    expect(seen[0]!.aborted).toBe(true)
    expect((seen[0]!.reason as Error).name).toBe('TimeoutError')
    expect((seen[0]!.reason as Error).message).toBe('no answer within 50 ms')
    expect(clock.log).toEqual([`${LABEL}: attempt 1 of 3 failed (TimeoutError); retrying in 0.2 s`])
  })

  it('cuts the attempt timeout to what is left of the budget', async () => {
    const clock = new FakeClock()
    const seen: AbortSignal[] = []
    const start = clock.t
    let n = 0
    const attempt = (signal: AbortSignal): Promise<string> => {
      n++
      if (n === 1) {
        // Attempt 1 uses all but 30 ms of the 60 s budget; random 0 gives a 0 ms delay.
        clock.t = start + 59_970
        return Promise.reject(throttled())
      }
      return hangUntilAborted(seen, () => (clock.t += 30))(signal)
    }
    const error = await stopped(withRetry(LABEL, attempt, retryPolicy(6, 60), clock.hooks(0)))
    expect(error.attempts).toBe(2)
    expect(error.reason).toBe('budget spent')
    expect(error.message).toBe('no answer within 30 ms')
    expect(seen[0]!.aborted).toBe(true)
  })

  it('gives an attempt at least 1 ms when the budget is already overrun', async () => {
    const clock = new FakeClock()
    const seen: AbortSignal[] = []
    let n = 0
    const attempt = (signal: AbortSignal): Promise<string> => {
      n++
      return n === 1 ? Promise.reject(throttled()) : hangUntilAborted(seen)(signal)
    }
    // A sleep that oversleeps far past the budget.
    const hooks = clock.hooks(0, {
      sleep: () => {
        clock.t += 120_000
        return Promise.resolve()
      }
    })
    const error = await stopped(withRetry(LABEL, attempt, retryPolicy(6, 60), hooks))
    expect(error.attempts).toBe(2)
    expect(error.reason).toBe('budget spent')
    expect(error.message).toBe('no answer within 1 ms')
  })

  it('works with the default clock, sleep and random', async () => {
    const log: string[] = []
    const { attempt, calls } = scripted<string>(throttled(), 'ok')
    const started = Date.now()
    await expect(
      withRetry('D', attempt, retryPolicy(2, 60), { log: l => log.push(l) })
    ).resolves.toBe('ok')
    expect(calls()).toBe(2)
    expect(log).toHaveLength(1)
    expect(log[0]).toMatch(/^D: attempt 1 of 2 failed \(Throttling\); retrying in 0\.[0-2] s$/)
    // The first delay is below 250 ms.
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
