import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors/run-errors.js'
import type { Settings } from '../../src/plan/input-helper.js'
import { checkReturnedAccounts, planRun } from '../../src/plan/plan.js'
import type { PreflightResult } from '../../src/saml/preflight.js'
import { parseRolePairs } from '../../src/saml/role-attribute.js'
import type { SamlResponseInfo } from '../../src/saml/saml-parser.js'
import { thrown } from '../support/thrown.js'

const ACCOUNT = '123456789012'
const DEPLOY = `arn:aws:iam::${ACCOUNT}:role/Deploy`
const READ_ONLY = `arn:aws:iam::${ACCOUNT}:role/ReadOnly`
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/ExampleIdP`
const HUB = 'arn:aws:iam::210987654321:role/Hub'

const offered = parseRolePairs([`${DEPLOY},${PROVIDER}`, `${READ_ONLY},${PROVIDER}`]).pairs
const checked: PreflightResult = { offered, warnings: [], notices: [] }
const saml = (overrides: Partial<SamlResponseInfo> = {}): SamlResponseInfo => ({
  encrypted: false,
  audiences: [],
  ...overrides
})

function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    assertion: { source: 'input', value: 'x' },
    roleArns: [DEPLOY],
    durationSeconds: 3600,
    managedSessionPolicies: [],
    exportEnv: false,
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

const both = { roleArns: [DEPLOY, READ_ONLY], profile: 'p-{role-name}' }

describe('planRun: the checks before any request', () => {
  it('plans the roles named', () => {
    const plan = planRun(checked, saml(), settings(both))
    expect(plan.targets.map(t => [t.pair.roleArn, t.profile])).toEqual([
      [DEPLOY, 'p-Deploy'],
      [READ_ONLY, 'p-ReadOnly']
    ])
    expect(plan.warnings).toEqual([])
  })

  it('refuses export-env with several roles', () => {
    const error = thrown(InputError, () =>
      planRun(checked, saml(), settings({ ...both, exportEnv: true }))
    )
    expect(error.message).toBe(
      "'export-env' cannot export 2 roles at once; they go to profiles. Remove 'export-env: true'."
    )
  })

  it.each(['env', 'credential-process'] as const)(
    "refuses the CLI's --output %s with several roles",
    cliOutput => {
      const error = thrown(InputError, () =>
        planRun(checked, saml(), settings({ ...both, cliOutput }))
      )
      expect(error.message).toBe(
        `--output ${cliOutput} takes one role; with several, use --profile (and --output json to print them).`
      )
    }
  )

  it('lets one role go to env and several to profiles with --output json', () => {
    expect(planRun(checked, saml(), settings({ exportEnv: true })).targets).toHaveLength(1)
    expect(
      planRun(checked, saml(), settings({ cliOutput: 'credential-process' })).targets
    ).toHaveLength(1)
    expect(planRun(checked, saml(), settings({ ...both, cliOutput: 'json' })).targets).toHaveLength(
      2
    )
  })

  it('refuses a chained role outside allowed-account-ids', () => {
    const error = thrown(InputError, () =>
      planRun(
        checked,
        saml(),
        settings({
          allowedAccountIds: [ACCOUNT],
          chain: { roleArn: HUB, durationSeconds: 3600 }
        })
      )
    )
    expect(error.message).toBe(
      `Refusing chain-role-arn ${HUB}: account 210987654321 is not in 'allowed-account-ids'. Nothing was assumed.`
    )
  })

  it('refuses a role outside allowed-account-ids', () => {
    expect(() =>
      planRun(checked, saml(), settings({ allowedAccountIds: ['210987654321'] }))
    ).toThrow(/^Refusing arn:aws:iam::123456789012:role\/Deploy \(account 123456789012\)/)
  })
})

describe("planRun: the IdP's SessionDuration", () => {
  it('warns when role-duration-seconds asks for more than the IdP allows', () => {
    const plan = planRun(checked, saml({ sessionDuration: '1800' }), settings())
    expect(plan.warnings).toEqual([
      "'role-duration-seconds' asks for 3600 s, but the IdP's SessionDuration attribute allows 1800 s. " +
        "Lower 'role-duration-seconds' to 1800 or less to keep to the IdP's session policy."
    ])
  })

  it.each([['3600'], ['43200'], [' 7200 '], ['an hour'], ['-1'], ['']])(
    'says nothing for SessionDuration %j',
    sessionDuration => {
      expect(planRun(checked, saml({ sessionDuration }), settings()).warnings).toEqual([])
    }
  )
})

describe('checkReturnedAccounts', () => {
  const assumed = (accountId: string): { session: { accountId: string } } => ({
    session: { accountId }
  })

  it('accepts any account without allowed-account-ids, and the allowed ones with it', () => {
    expect(() => checkReturnedAccounts([assumed('999999999999')], settings())).not.toThrow()
    expect(() =>
      checkReturnedAccounts([assumed(ACCOUNT)], settings({ allowedAccountIds: [ACCOUNT] }))
    ).not.toThrow()
  })

  it('refuses credentials STS issued for another account', () => {
    const error = thrown(InputError, () =>
      checkReturnedAccounts(
        [assumed(ACCOUNT), assumed('999999999999')],
        settings({ allowedAccountIds: [ACCOUNT] })
      )
    )
    expect(error.message).toBe(
      "STS returned credentials for account(s) 999999999999, not in 'allowed-account-ids'. Nothing was exported or written."
    )
  })
})
