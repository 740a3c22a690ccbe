import { describe, expect, it } from 'vitest'
import { parseArn } from '../../src/plan/arn.js'
import { PREFLIGHT_ERRORS } from '../../src/errors/error-catalog.js'
import { AssertionError, InputError } from '../../src/errors/run-errors.js'
import { expandProfile, planTargets, type TargetSettings } from '../../src/plan/role-targets.js'
import { parseRolePairs, type RolePair } from '../../src/saml/role-attribute.js'
import { thrown } from '../support/thrown.js'

const ACCOUNT = '123456789012'
const OTHER_ACCOUNT = '210987654321'
const DEPLOY = `arn:aws:iam::${ACCOUNT}:role/Deploy`
const READ_ONLY = `arn:aws:iam::${ACCOUNT}:role/ReadOnly`
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/team/ops/Admin`
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/ExampleIdP`
const PROVIDER2 = `arn:aws:iam::${ACCOUNT}:saml-provider/OtherIdP`
const OTHER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/Deploy`
const OTHER_PROVIDER = `arn:aws:iam::${OTHER_ACCOUNT}:saml-provider/ExampleIdP`
const CN_ROLE = `arn:aws-cn:iam::${ACCOUNT}:role/Deploy`
const CN_PROVIDER = `arn:aws-cn:iam::${ACCOUNT}:saml-provider/ExampleIdP`
const GOV_ROLE = `arn:aws-us-gov:iam::${ACCOUNT}:role/Deploy`
const GOV_PROVIDER = `arn:aws-us-gov:iam::${ACCOUNT}:saml-provider/ExampleIdP`

const ENCRYPTED_NEEDS_ARNS = [
  `${PREFLIGHT_ERRORS['encrypted-needs-arns'].problem}.`,
  PREFLIGHT_ERRORS['encrypted-needs-arns'].cause,
  PREFLIGHT_ERRORS['encrypted-needs-arns'].fix
].join(' ')

/** Role attribute values, as the IdP sends them: "role,provider". */
function offer(...values: [string, string][]): RolePair[] {
  const { pairs, invalid } = parseRolePairs(values.map(([role, provider]) => `${role},${provider}`))
  expect(invalid).toEqual([])
  expect(pairs).toHaveLength(values.length)
  return pairs
}

function pairOf(role: string, provider: string): RolePair {
  return offer([role, provider])[0]!
}

function settings(overrides: Partial<TargetSettings> = {}): TargetSettings {
  return { roleArns: [], allowedAccountIds: [], ...overrides }
}

describe('planTargets: which roles', () => {
  it('takes the only role offered when none is named', () => {
    const offered = offer([DEPLOY, PROVIDER])
    const targets = planTargets(offered, settings())
    expect(targets).toEqual([{ pair: offered[0] }])
    expect(targets[0]!.profile).toBeUndefined()
  })

  it('refuses to guess between several offered roles when none is named', () => {
    const offered = offer([DEPLOY, PROVIDER], [READ_ONLY, PROVIDER])
    const error = thrown(AssertionError, () => planTargets(offered, settings()))
    expect(error.message).toContain(PREFLIGHT_ERRORS['role-ambiguous'].problem)
  })

  it("takes every offered role once, in the assertion's order, for '*'", () => {
    const offered = offer([READ_ONLY, PROVIDER], [DEPLOY, PROVIDER], [ADMIN, PROVIDER])
    const targets = planTargets(offered, settings({ roleArns: '*', profile: '{role-name}' }))
    expect(targets).toEqual([
      { pair: offered[0], profile: 'ReadOnly' },
      { pair: offered[1], profile: 'Deploy' },
      { pair: offered[2], profile: 'Admin' }
    ])
  })

  it("with '*', takes a role offered through two providers once, through principal-arn", () => {
    const offered = offer([DEPLOY, PROVIDER], [DEPLOY, PROVIDER2], [READ_ONLY, PROVIDER2])
    const targets = planTargets(
      offered,
      settings({ roleArns: '*', principalArn: PROVIDER2, profile: '{role-name}' })
    )
    expect(targets).toEqual([
      { pair: offered[1], profile: 'Deploy' },
      { pair: offered[2], profile: 'ReadOnly' }
    ])
  })

  it("with '*', refuses a role offered through two providers without principal-arn", () => {
    const offered = offer([DEPLOY, PROVIDER], [DEPLOY, PROVIDER2])
    const error = thrown(AssertionError, () =>
      planTargets(offered, settings({ roleArns: '*', profile: '{role-name}' }))
    )
    expect(error.message).toContain(PREFLIGHT_ERRORS['principal-mismatch'].problem)
    expect(error.message).toContain(`${PROVIDER}, ${PROVIDER2}`)
  })

  it('takes the named roles in the order named', () => {
    const offered = offer([DEPLOY, PROVIDER], [READ_ONLY, PROVIDER], [ADMIN, PROVIDER])
    const targets = planTargets(
      offered,
      settings({ roleArns: [ADMIN, DEPLOY], profile: 'p-{role-name}' })
    )
    expect(targets).toEqual([
      { pair: offered[2], profile: 'p-Admin' },
      { pair: offered[0], profile: 'p-Deploy' }
    ])
  })

  it('refuses a named role the assertion does not offer', () => {
    const offered = offer([DEPLOY, PROVIDER])
    const error = thrown(AssertionError, () =>
      planTargets(offered, settings({ roleArns: [READ_ONLY] }))
    )
    expect(error.message).toContain(PREFLIGHT_ERRORS['role-not-offered'].problem)
    expect(error.message).toContain(READ_ONLY)
  })

  it('refuses a pair whose role and provider are in different accounts', () => {
    const offered = offer([DEPLOY, OTHER_PROVIDER])
    const error = thrown(AssertionError, () => planTargets(offered, settings()))
    expect(error.message).toBe(
      `${PREFLIGHT_ERRORS['bad-role-pair'].problem}: role ${DEPLOY} is in aws/${ACCOUNT} but provider ${OTHER_PROVIDER} is in aws/${OTHER_ACCOUNT}. ` +
        `${PREFLIGHT_ERRORS['bad-role-pair'].cause} ${PREFLIGHT_ERRORS['bad-role-pair'].fix}`
    )
  })
})

describe('planTargets: an encrypted assertion', () => {
  it('builds the pairs from role-arn and principal-arn', () => {
    const targets = planTargets(
      undefined,
      settings({ roleArns: [DEPLOY, READ_ONLY], principalArn: PROVIDER, profile: '{role-name}' })
    )
    expect(targets).toEqual([
      { pair: pairOf(DEPLOY, PROVIDER), profile: 'Deploy' },
      { pair: pairOf(READ_ONLY, PROVIDER), profile: 'ReadOnly' }
    ])
    expect(targets[0]!.pair).toEqual({
      roleArn: DEPLOY,
      principalArn: PROVIDER,
      role: parseArn(DEPLOY, 'role'),
      principal: parseArn(PROVIDER, 'saml-provider')
    })
  })

  it('takes a single role without a profile', () => {
    expect(
      planTargets(undefined, settings({ roleArns: [DEPLOY], principalArn: PROVIDER }))
    ).toEqual([{ pair: pairOf(DEPLOY, PROVIDER) }])
  })

  it.each<[string, Partial<TargetSettings>]>([
    ['no role-arn', { principalArn: PROVIDER }],
    ['no principal-arn', { roleArns: [DEPLOY] }],
    ['a principal-arn that is not a provider ARN', { roleArns: [DEPLOY], principalArn: DEPLOY }],
    ['a role-arn that is not a role ARN', { roleArns: [PROVIDER], principalArn: PROVIDER }],
    ['neither', {}]
  ])('refuses %s', (_label, overrides) => {
    const error = thrown(AssertionError, () => planTargets(undefined, settings(overrides)))
    expect(error.message).toBe(ENCRYPTED_NEEDS_ARNS)
  })

  it("refuses role-arn '*' for what it is, though both ARNs are set", () => {
    const error = thrown(AssertionError, () =>
      planTargets(undefined, settings({ roleArns: '*', principalArn: PROVIDER }))
    )
    expect(error.message).toMatch(/^role-arn '\*' cannot be used with an encrypted assertion/)
  })

  it('still checks that role and provider share an account', () => {
    const error = thrown(AssertionError, () =>
      planTargets(undefined, settings({ roleArns: [OTHER_ROLE], principalArn: PROVIDER }))
    )
    expect(error.message).toContain(PREFLIGHT_ERRORS['bad-role-pair'].problem)
  })

  it('still applies allowed-account-ids', () => {
    const error = thrown(InputError, () =>
      planTargets(
        undefined,
        settings({ roleArns: [DEPLOY], principalArn: PROVIDER, allowedAccountIds: [OTHER_ACCOUNT] })
      )
    )
    expect(error.message).toContain(`Refusing ${DEPLOY} (account ${ACCOUNT})`)
  })
})

describe('planTargets: checks before any request', () => {
  it('refuses roles in more than one partition', () => {
    const offered = offer([DEPLOY, PROVIDER], [CN_ROLE, CN_PROVIDER])
    const error = thrown(InputError, () =>
      planTargets(offered, settings({ roleArns: '*', profile: '{partition}-{role-name}' }))
    )
    expect(error.message).toBe(
      'The roles span partitions (aws, aws-cn); one step works in one partition. Split them into separate steps.'
    )
  })

  it('refuses a role outside allowed-account-ids, naming role and account', () => {
    const offered = offer([DEPLOY, PROVIDER], [OTHER_ROLE, OTHER_PROVIDER])
    const error = thrown(InputError, () =>
      planTargets(
        offered,
        settings({ roleArns: '*', profile: '{account-id}', allowedAccountIds: [ACCOUNT] })
      )
    )
    expect(error.message).toBe(
      `Refusing ${OTHER_ROLE} (account ${OTHER_ACCOUNT}): not in 'allowed-account-ids' (${ACCOUNT}). Nothing was assumed.`
    )
  })

  it('lists every refused role and every allowed account', () => {
    const offered = offer([DEPLOY, PROVIDER], [READ_ONLY, PROVIDER])
    const error = thrown(InputError, () =>
      planTargets(
        offered,
        settings({
          roleArns: '*',
          profile: '{role-name}',
          allowedAccountIds: [OTHER_ACCOUNT, '111122223333']
        })
      )
    )
    expect(error.message).toBe(
      `Refusing ${DEPLOY} (account ${ACCOUNT}), ${READ_ONLY} (account ${ACCOUNT}): ` +
        `not in 'allowed-account-ids' (${OTHER_ACCOUNT}, 111122223333). Nothing was assumed.`
    )
  })

  it('accepts roles in the allowed accounts', () => {
    const offered = offer([DEPLOY, PROVIDER], [OTHER_ROLE, OTHER_PROVIDER])
    const targets = planTargets(
      offered,
      settings({
        roleArns: '*',
        profile: '{account-id}',
        allowedAccountIds: [OTHER_ACCOUNT, ACCOUNT]
      })
    )
    expect(targets.map(t => t.profile)).toEqual([ACCOUNT, OTHER_ACCOUNT])
  })

  it('requires a profile for several roles', () => {
    const offered = offer([DEPLOY, PROVIDER], [READ_ONLY, PROVIDER])
    const error = thrown(InputError, () => planTargets(offered, settings({ roleArns: '*' })))
    expect(error.message).toBe(
      "2 roles were selected, so 'profile' is required: a template such as 'deploy-{account-id}' or '{account-id}-{role-name}' names one profile per role."
    )
  })
})

describe('planTargets: profile names', () => {
  it('gives a single role the profile as it is', () => {
    const offered = offer([DEPLOY, PROVIDER])
    expect(planTargets(offered, settings({ profile: 'ci' }))).toEqual([
      { pair: offered[0], profile: 'ci' }
    ])
  })

  it('expands {account-id}, {role-name} and {partition} per role', () => {
    const offered = offer([ADMIN, PROVIDER], [OTHER_ROLE, OTHER_PROVIDER])
    const targets = planTargets(
      offered,
      settings({ roleArns: '*', profile: '{partition}.{account-id}.{role-name}' })
    )
    expect(targets.map(t => t.profile)).toEqual([
      `aws.${ACCOUNT}.Admin`,
      `aws.${OTHER_ACCOUNT}.Deploy`
    ])
  })

  it('uses the partition of the roles', () => {
    const offered = offer([GOV_ROLE, GOV_PROVIDER])
    expect(planTargets(offered, settings({ profile: '{partition}-{role-name}' }))).toEqual([
      { pair: offered[0], profile: 'aws-us-gov-Deploy' }
    ])
  })

  it.each([
    ['a b', 'a b'],
    ['x]', 'x]'],
    ['[{role-name}', '[Deploy'],
    ['{role-name}/{account-id}', `Deploy/${ACCOUNT}`],
    ['', ''],
    ['DEFAULT', 'DEFAULT']
  ])('refuses the template %j, which gives %j', (template, profile) => {
    const offered = offer([DEPLOY, PROVIDER])
    const error = thrown(InputError, () => planTargets(offered, settings({ profile: template })))
    expect(error.message).toBe(
      `Input 'profile' gives ${JSON.stringify(profile)} for ${DEPLOY}; a profile name may hold only letters, digits and _+=,.@- (at most 64).`
    )
  })

  it('refuses a profile name longer than 64 characters after expansion', () => {
    const longRole = `arn:aws:iam::${ACCOUNT}:role/${'R'.repeat(60)}`
    const offered = offer([longRole, PROVIDER])
    expect(planTargets(offered, settings({ profile: 'ab-{role-name}' }))[0]!.profile).toBe(
      `ab-${'R'.repeat(60)}` // 63 characters
    )
    const error = thrown(InputError, () =>
      planTargets(offered, settings({ profile: 'abcde-{role-name}' }))
    )
    expect(error.message).toBe(
      `Input 'profile' gives "abcde-${'R'.repeat(60)}" for ${longRole}; a profile name may hold only letters, digits and _+=,.@- (at most 64).`
    )
  })

  it('refuses two roles that get the same profile, naming both', () => {
    const offered = offer([DEPLOY, PROVIDER], [READ_ONLY, PROVIDER], [ADMIN, PROVIDER])
    const error = thrown(InputError, () =>
      planTargets(
        offered,
        settings({ roleArns: [READ_ONLY, ADMIN], profile: 'deploy-{account-id}' })
      )
    )
    expect(error.message).toBe(
      `Input 'profile' gives the same name 'deploy-${ACCOUNT}' to ${READ_ONLY} and ${ADMIN}. Add {role-name} or {account-id} to the template.`
    )
  })

  it('refuses a fixed profile name for several roles', () => {
    const offered = offer([DEPLOY, PROVIDER], [OTHER_ROLE, OTHER_PROVIDER])
    const error = thrown(InputError, () =>
      planTargets(offered, settings({ roleArns: '*', profile: 'shared' }))
    )
    expect(error.message).toBe(
      `Input 'profile' gives the same name 'shared' to ${DEPLOY} and ${OTHER_ROLE}. Add {role-name} or {account-id} to the template.`
    )
  })

  it('tells roles of the same name in two accounts apart by {account-id}', () => {
    const offered = offer([DEPLOY, PROVIDER], [OTHER_ROLE, OTHER_PROVIDER])
    const error = thrown(InputError, () =>
      planTargets(offered, settings({ roleArns: '*', profile: '{role-name}' }))
    )
    expect(error.message).toContain(`'Deploy' to ${DEPLOY} and ${OTHER_ROLE}`)
    const targets = planTargets(
      offered,
      settings({ roleArns: '*', profile: '{account-id}-{role-name}' })
    )
    expect(targets.map(t => t.profile)).toEqual([`${ACCOUNT}-Deploy`, `${OTHER_ACCOUNT}-Deploy`])
  })
})

describe('expandProfile', () => {
  const admin = pairOf(ADMIN, PROVIDER).role

  it('replaces each placeholder', () => {
    expect(expandProfile('{account-id}', admin)).toBe(ACCOUNT)
    expect(expandProfile('{role-name}', admin)).toBe('Admin')
    expect(expandProfile('{partition}', admin)).toBe('aws')
    expect(expandProfile('{partition}', pairOf(CN_ROLE, CN_PROVIDER).role)).toBe('aws-cn')
  })

  it('takes the last path segment as the role name', () => {
    expect(expandProfile('x-{role-name}', admin)).toBe('x-Admin')
    expect(expandProfile('x-{role-name}', pairOf(DEPLOY, PROVIDER).role)).toBe('x-Deploy')
  })

  it('replaces every occurrence', () => {
    expect(expandProfile('{role-name}-{role-name}@{account-id}.{account-id}', admin)).toBe(
      `Admin-Admin@${ACCOUNT}.${ACCOUNT}`
    )
  })

  it('leaves other text and unknown placeholders alone', () => {
    expect(expandProfile('deploy', admin)).toBe('deploy')
    expect(expandProfile('{region}-{ROLE-NAME}-{account_id}', admin)).toBe(
      '{region}-{ROLE-NAME}-{account_id}'
    )
  })
})
