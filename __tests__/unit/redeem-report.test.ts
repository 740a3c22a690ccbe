import { describe, expect, it } from 'vitest'
import type { Assumed, Outcome } from '../../src/sts/assume-roles.js'
import { StsError } from '../../src/errors/run-errors.js'
import type { Settings } from '../../src/plan/input-helper.js'
import { chainSessionName, failureReport, finalRoleArn, type Redeemed } from '../../src/engine.js'
import type { Target } from '../../src/plan/role-targets.js'
import { parseRolePairs } from '../../src/saml/role-attribute.js'
import type { AssumedSession } from '../../src/sts/sts-client.js'

const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/ExampleIdP'
const role = (name: string): string => `arn:aws:iam::123456789012:role/${name}`

function target(name: string, profile?: string): Target {
  const { pairs } = parseRolePairs([`${role(name)},${PROVIDER}`])
  expect(pairs).toHaveLength(1)
  return profile === undefined ? { pair: pairs[0]! } : { pair: pairs[0]!, profile }
}

function session(name: string): AssumedSession {
  return {
    accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
    secretAccessKey: 'secret',
    sessionToken: 'token',
    expiration: new Date('2030-01-01T00:00:00Z'),
    assumedRoleArn: `arn:aws:sts::123456789012:assumed-role/${name}/jane`,
    assumedRoleId: 'AROAEXAMPLE:jane',
    accountId: '123456789012'
  }
}

function ok(t: Target): Assumed {
  return { target: t, session: session(t.pair.role.resource) }
}

function failed(t: Target, message: string): Outcome {
  return { target: t, error: new StsError(message, 'AccessDenied', false, 403) }
}

function redeemed(targets: Target[], outcomes: Outcome[]): Redeemed {
  return {
    region: 'us-east-1',
    targets,
    outcomes,
    assumed: outcomes.filter((o): o is Assumed => 'session' in o)
  }
}

function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    assertion: { source: 'input', value: 'x' },
    roleArns: [],
    durationSeconds: 3600,
    managedSessionPolicies: [],
    exportEnv: true,
    outputCredentials: false,
    overwriteProfile: false,
    verifyCredentials: false,
    allowedAccountIds: [],
    maskAccountId: false,
    retry: { maxAttempts: 6, budgetSeconds: 60 },
    maxConcurrency: 4,
    ...overrides
  }
}

describe('failureReport', () => {
  it('is undefined when every role succeeded', () => {
    const one = target('Deploy')
    expect(failureReport(redeemed([one], [ok(one)]), true)).toBeUndefined()
    const many = [target('A', 'a'), target('B', 'b'), target('C', 'c')]
    expect(failureReport(redeemed(many, many.map(ok)), false)).toBeUndefined()
  })

  it('is undefined when there was nothing to do', () => {
    expect(failureReport(redeemed([], []), true)).toBeUndefined()
  })

  it('is exactly the error message for a single role', () => {
    const one = target('Deploy')
    const message = 'Access denied by the role trust policy (AccessDenied, HTTP 403). Fix: ...'
    expect(failureReport(redeemed([one], [failed(one, message)]), true)).toBe(message)
    expect(failureReport(redeemed([one], [failed(one, message)]), false)).toBe(message)
  })

  it('lists each failure, then what succeeded and was written', () => {
    const targets = ['A', 'B', 'C', 'D', 'E'].map(n => target(n, `p-${n}`))
    const [a, b, c, d, e] = targets as [Target, Target, Target, Target, Target]
    const outcomes = [ok(a), failed(b, 'B was denied.'), ok(c), failed(d, 'D timed out.'), ok(e)]
    expect(failureReport(redeemed(targets, outcomes), true)).toBe(
      [
        '2 of 5 roles failed.',
        '- B was denied.',
        '- D timed out.',
        `Succeeded (profiles written): ${role('A')} -> p-A, ${role('C')} -> p-C, ${role('E')} -> p-E.`
      ].join('\n')
    )
  })

  it('does not claim profiles were written when they were not', () => {
    const targets = [target('A', 'p-A'), target('B', 'p-B')]
    const outcomes = [failed(targets[0]!, 'A failed.'), ok(targets[1]!)]
    expect(failureReport(redeemed(targets, outcomes), false)).toBe(
      ['1 of 2 roles failed.', '- A failed.', `Succeeded: ${role('B')} -> p-B.`].join('\n')
    )
  })

  it('says when none succeeded', () => {
    const targets = [target('A', 'p-A'), target('B', 'p-B'), target('C', 'p-C')]
    const outcomes = targets.map(t => failed(t, `${t.profile} failed.`))
    const expected = [
      '3 of 3 roles failed.',
      '- p-A failed.',
      '- p-B failed.',
      '- p-C failed.',
      'None succeeded.'
    ].join('\n')
    expect(failureReport(redeemed(targets, outcomes), true)).toBe(expected)
    expect(failureReport(redeemed(targets, outcomes), false)).toBe(expected)
  })

  it('keeps a multi-line error message whole', () => {
    const targets = [target('A', 'p-A'), target('B', 'p-B')]
    const outcomes = [failed(targets[0]!, 'line one\nline two'), ok(targets[1]!)]
    expect(failureReport(redeemed(targets, outcomes), true)).toBe(
      [
        '1 of 2 roles failed.',
        '- line one\nline two',
        `Succeeded (profiles written): ${role('B')} -> p-B.`
      ].join('\n')
    )
  })
})

describe('finalRoleArn', () => {
  const assumed = ok(target('Deploy'))

  it('is the SAML role without chaining', () => {
    expect(finalRoleArn(assumed, settings())).toBe(role('Deploy'))
  })

  it('is the chained role with chaining', () => {
    const chained = 'arn:aws:iam::210987654321:role/Target'
    expect(
      finalRoleArn(assumed, settings({ chain: { roleArn: chained, durationSeconds: 900 } }))
    ).toBe(chained)
  })
})

describe('chainSessionName', () => {
  it('names a chained session after the run, attempt and job', () => {
    expect(
      chainSessionName({
        GITHUB_RUN_ID: '9876543210',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_JOB: 'deploy prod'
      })
    ).toBe('gh-9876543210-2-deploy-prod')
    expect(chainSessionName({ GITHUB_RUN_ID: '1', GITHUB_JOB: 'j'.repeat(100) })).toHaveLength(64)
    expect(chainSessionName({})).toMatch(/^gh-\d+-\d+$/)
  })
})
