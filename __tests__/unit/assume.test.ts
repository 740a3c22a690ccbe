import { describe, expect, it } from 'vitest'
import { assumeTarget, type AssumeContext } from '../../src/sts/assume-roles.js'
import { AssertionError } from '../../src/errors/run-errors.js'
import { retryPolicy } from '../../src/sts/retry-policy.js'
import { parseRolePairs } from '../../src/saml/role-attribute.js'
import type { StsClients } from '../../src/sts/sts-client.js'
import { thrown } from '../support/thrown.js'

const [pair] = parseRolePairs([
  'arn:aws:iam::123456789012:role/Late,arn:aws:iam::123456789012:saml-provider/IdP'
]).pairs

function context(deadlineMs: number): AssumeContext {
  return {
    // Any use of the clients would throw: the check must come before any request.
    clients: {} as StsClients,
    assertionBase64: 'PHNhbWxwOlJlc3BvbnNlLz4=',
    durationSeconds: 3600,
    managedSessionPolicies: [],
    verify: false,
    policy: retryPolicy(6, 60),
    deadlineMs,
    log: () => undefined,
    onCredentials: () => undefined
  }
}

describe('assumeTarget', () => {
  it('sends nothing for a role whose turn comes after the assertion expired (beyond the skew)', async () => {
    let error: unknown
    await assumeTarget({ pair: pair! }, context(Date.now() - 61_000)).catch((e: unknown) => {
      error = e
    })
    const failure = thrown(AssertionError, () => {
      throw error
    })
    expect(failure.message).toMatch(
      /^The assertion has expired: it expired before arn:aws:iam::123456789012:role\/Late had its turn; no request was sent\./
    )
  })
})
