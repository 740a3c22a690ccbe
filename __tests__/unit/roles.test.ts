import { thrown as thrownBy } from '../support/thrown.js'
import { describe, expect, it } from 'vitest'
import { parseArn } from '../../src/plan/arn.js'
import { PREFLIGHT_ERRORS } from '../../src/errors/error-catalog.js'
import { AssertionError } from '../../src/errors/run-errors.js'
import {
  checkPairConsistency,
  parseRolePairs,
  selectRolePair,
  type RolePair
} from '../../src/saml/role-attribute.js'

const thrown = (fn: () => unknown): AssertionError => thrownBy(AssertionError, fn)

const ROLE = 'arn:aws:iam::123456789012:role/GitHubDeploy'
const ROLE2 = 'arn:aws:iam::123456789012:role/ReadOnly'
const ROLE3 = 'arn:aws:iam::123456789012:role/team/ops/Admin'
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/ExampleIdP'
const PROVIDER2 = 'arn:aws:iam::123456789012:saml-provider/OtherIdP'

function pair(roleArn: string, principalArn: string): RolePair {
  const { pairs, invalid } = parseRolePairs([`${roleArn},${principalArn}`])
  expect(invalid).toEqual([])
  expect(pairs).toHaveLength(1)
  return pairs[0]!
}

describe('parseRolePairs', () => {
  it('reads "role,provider"', () => {
    expect(parseRolePairs([`${ROLE},${PROVIDER}`])).toEqual({
      pairs: [
        {
          roleArn: ROLE,
          principalArn: PROVIDER,
          role: {
            partition: 'aws',
            service: 'iam',
            region: '',
            accountId: '123456789012',
            resource: 'role/GitHubDeploy'
          },
          principal: {
            partition: 'aws',
            service: 'iam',
            region: '',
            accountId: '123456789012',
            resource: 'saml-provider/ExampleIdP'
          }
        }
      ],
      invalid: []
    })
  })

  it('reads "provider,role" (the other order)', () => {
    const { pairs } = parseRolePairs([`${PROVIDER},${ROLE3}`])
    expect(pairs.map(p => [p.roleArn, p.principalArn])).toEqual([[ROLE3, PROVIDER]])
    expect(pairs[0]!.role.resource).toBe('role/team/ops/Admin')
  })

  it.each([
    `${ROLE}, ${PROVIDER}`,
    `${ROLE} ,${PROVIDER}`,
    `  ${ROLE}  ,  ${PROVIDER}  `,
    `${ROLE},\n\t${PROVIDER}`,
    `${PROVIDER} , ${ROLE}`
  ])('tolerates spaces around the comma: %j', value => {
    const { pairs, invalid } = parseRolePairs([value])
    expect(invalid).toEqual([])
    expect(pairs.map(p => [p.roleArn, p.principalArn])).toEqual([[ROLE, PROVIDER]])
  })

  it('reports junk values in invalid, keeping the good ones', () => {
    const junk = [
      '',
      'admin',
      ROLE,
      `${ROLE},${PROVIDER},extra`,
      `${ROLE},${ROLE2}`,
      `${PROVIDER},${PROVIDER2}`,
      `${ROLE};${PROVIDER}`,
      `arn:aws:iam::123456789012:user/jane,${PROVIDER}`,
      `arn:aws:iam:us-east-1:123456789012:role/X,${PROVIDER}`,
      `arn:aws:iam::12345678901:role/X,${PROVIDER}`,
      `arn:aws:iam::aws:role/X,${PROVIDER}`,
      `arn:aws-xx:iam::123456789012:role/X,arn:aws-xx:iam::123456789012:saml-provider/P`
    ]
    const { pairs, invalid } = parseRolePairs([junk[0]!, `${ROLE},${PROVIDER}`, ...junk.slice(1)])
    expect(pairs.map(p => p.roleArn)).toEqual([ROLE])
    expect(invalid.map(i => i.value)).toEqual(junk)
  })

  it('says why each junk value is not a pair', () => {
    const reasons = (value: string): string | undefined =>
      parseRolePairs([value]).invalid[0]?.reason
    const roleShape = 'arn:aws:iam::ACCOUNT:role/NAME'
    const providerShape = 'arn:aws:iam::ACCOUNT:saml-provider/NAME'
    expect(reasons('')).toBe('it is empty')
    expect(reasons(' , ')).toBe('it is empty')
    expect(reasons('admin')).toBe('it is not two ARNs separated by a comma')
    expect(reasons(ROLE)).toBe('it holds a role ARN but no SAML provider ARN')
    expect(reasons(`${PROVIDER},`)).toBe('it holds a SAML provider ARN but no role ARN')
    expect(reasons(`${ROLE},${PROVIDER},extra`)).toBe('a third part follows the provider ARN')
    expect(reasons(`${ROLE},${PROVIDER},${PROVIDER2}`)).toBe(
      'it has 3 ARNs; expected one role ARN and one provider ARN'
    )
    expect(reasons(`${ROLE},${ROLE2}`)).toBe(`no part is a SAML provider ARN (${providerShape})`)
    expect(reasons(`${PROVIDER},${PROVIDER2}`)).toBe(`no part is a role ARN (${roleShape})`)
    expect(reasons(`arn:aws:iam::12345678901:role/X,${PROVIDER}`)).toBe(
      `no part is a role ARN (${roleShape})`
    )
    expect(reasons('arn:aws-xx:iam::1:role/X,arn:aws-xx:iam::1:saml-provider/P')).toBe(
      `neither part is a role ARN (${roleShape}) or a provider ARN (${providerShape})`
    )
  })

  it.each([
    [`${ROLE},${PROVIDER},`, 'Google Workspace: a trailing comma'],
    [`${ROLE},${PROVIDER}, ,`, 'trailing commas and spaces'],
    [`,${PROVIDER},${ROLE}`, 'a leading comma, provider first'],
    [`\n    ${PROVIDER},\n    ${ROLE}\n  `, 'Okta Identity Engine: newlines and indentation']
  ])('ignores empty parts around the pair: %j (%s)', value => {
    const { pairs, invalid } = parseRolePairs([value])
    expect(invalid).toEqual([])
    expect(pairs.map(p => [p.roleArn, p.principalArn])).toEqual([[ROLE, PROVIDER]])
  })

  it('collapses duplicates, whatever the order or spacing', () => {
    const { pairs, invalid } = parseRolePairs([
      `${ROLE},${PROVIDER}`,
      `${PROVIDER},${ROLE}`,
      ` ${ROLE} , ${PROVIDER} `,
      `${ROLE2},${PROVIDER}`,
      `${ROLE2},${PROVIDER}`
    ])
    expect(invalid).toEqual([])
    expect(pairs.map(p => [p.roleArn, p.principalArn])).toEqual([
      [ROLE, PROVIDER],
      [ROLE2, PROVIDER]
    ])
  })

  it('keeps one role offered through two providers as two pairs', () => {
    const { pairs } = parseRolePairs([`${ROLE},${PROVIDER}`, `${ROLE},${PROVIDER2}`])
    expect(pairs.map(p => [p.roleArn, p.principalArn])).toEqual([
      [ROLE, PROVIDER],
      [ROLE, PROVIDER2]
    ])
  })

  it('returns nothing for no values', () => {
    expect(parseRolePairs([])).toEqual({ pairs: [], invalid: [] })
  })

  it('accepts GovCloud and China pairs', () => {
    const gov = 'arn:aws-us-gov:iam::123456789012:role/Deploy'
    const govProvider = 'arn:aws-us-gov:iam::123456789012:saml-provider/Idp'
    const cn = 'arn:aws-cn:iam::123456789012:role/Deploy'
    const cnProvider = 'arn:aws-cn:iam::123456789012:saml-provider/Idp'
    const { pairs } = parseRolePairs([`${gov},${govProvider}`, `${cnProvider},${cn}`])
    expect(pairs.map(p => [p.role.partition, p.principal.partition])).toEqual([
      ['aws-us-gov', 'aws-us-gov'],
      ['aws-cn', 'aws-cn']
    ])
  })
})

describe('checkPairConsistency', () => {
  const entry = PREFLIGHT_ERRORS['bad-role-pair']

  it('accepts role and provider of one partition and account', () => {
    expect(() => checkPairConsistency(pair(ROLE, PROVIDER))).not.toThrow()
  })

  it('refuses an account mismatch, naming both', () => {
    const other = 'arn:aws:iam::210987654321:saml-provider/ExampleIdP'
    const error = thrown(() => checkPairConsistency(pair(ROLE, other)))
    expect(error.message).toBe(
      `${entry.problem}: role ${ROLE} is in aws/123456789012 but provider ${other} is in aws/210987654321. ${entry.cause} ${entry.fix}`
    )
  })

  it('refuses a partition mismatch', () => {
    const gov = 'arn:aws-us-gov:iam::123456789012:saml-provider/ExampleIdP'
    const error = thrown(() => checkPairConsistency(pair(ROLE, gov)))
    expect(error.message).toContain(
      `role ${ROLE} is in aws/123456789012 but provider ${gov} is in aws-us-gov/123456789012`
    )
  })
})

describe('selectRolePair', () => {
  const pairs = parseRolePairs([
    `${ROLE},${PROVIDER}`,
    `${ROLE2},${PROVIDER}`,
    `${ROLE3},${PROVIDER}`
  ]).pairs

  it('picks the role named by role-arn', () => {
    const chosen = selectRolePair(pairs, { roleArn: ROLE2 })
    expect([chosen.roleArn, chosen.principalArn]).toEqual([ROLE2, PROVIDER])
  })

  it('picks the only role when role-arn is not set', () => {
    const only = [pair(ROLE3, PROVIDER)]
    expect(selectRolePair(only, {})).toBe(only[0])
    expect(selectRolePair(only, { roleArn: '', principalArn: '' })).toBe(only[0])
  })

  it('refuses several roles without role-arn, listing all of them', () => {
    const entry = PREFLIGHT_ERRORS['role-ambiguous']
    const error = thrown(() => selectRolePair(pairs, {}))
    expect(error.message).toBe(
      `${entry.problem}: choose one of the 3 roles with 'role-arn':\n  - ${ROLE}\n  - ${ROLE2}\n  - ${ROLE3}\n ${entry.cause} ${entry.fix}`
    )
  })

  it('refuses a role that is not offered, listing the offered roles', () => {
    const entry = PREFLIGHT_ERRORS['role-not-offered']
    const wanted = 'arn:aws:iam::123456789012:role/NotGranted'
    const error = thrown(() => selectRolePair(pairs, { roleArn: wanted }))
    expect(error.message).toBe(
      `${entry.problem}: ${wanted} is not among the 3 role(s) the assertion offers:\n  - ${ROLE}\n  - ${ROLE2}\n  - ${ROLE3}\n ${entry.cause} ${entry.fix}`
    )
  })

  it('compares role ARNs exactly (no case folding, no prefix match)', () => {
    expect(() => selectRolePair(pairs, { roleArn: ROLE.toLowerCase() })).toThrow(
      PREFLIGHT_ERRORS['role-not-offered'].problem
    )
    expect(() => selectRolePair(pairs, { roleArn: ROLE.slice(0, -1) })).toThrow(
      PREFLIGHT_ERRORS['role-not-offered'].problem
    )
  })

  it('accepts a principal-arn that agrees with the assertion', () => {
    const chosen = selectRolePair(pairs, { roleArn: ROLE, principalArn: PROVIDER })
    expect([chosen.roleArn, chosen.principalArn]).toEqual([ROLE, PROVIDER])
  })

  it('refuses a principal-arn that disagrees, quoting it', () => {
    const entry = PREFLIGHT_ERRORS['principal-mismatch']
    const error = thrown(() => selectRolePair(pairs, { roleArn: ROLE, principalArn: PROVIDER2 }))
    expect(error.message).toBe(
      `${entry.problem}: the assertion pairs ${ROLE} with ${PROVIDER}, not ${JSON.stringify(PROVIDER2)}. ${entry.cause} ${entry.fix}`
    )
  })

  describe('one role through two providers', () => {
    const twice = parseRolePairs([`${ROLE},${PROVIDER}`, `${ROLE},${PROVIDER2}`]).pairs

    it('needs principal-arn to choose, listing both providers', () => {
      const entry = PREFLIGHT_ERRORS['principal-mismatch']
      const error = thrown(() => selectRolePair(twice, {}))
      expect(error.message).toBe(
        `${entry.problem}: ${ROLE} is offered through 2 providers; set 'principal-arn' to one of: ${PROVIDER}, ${PROVIDER2}. ${entry.cause} ${entry.fix}`
      )
      expect(() => selectRolePair(twice, { roleArn: ROLE })).toThrow(
        "is offered through 2 providers; set 'principal-arn'"
      )
    })

    it('is not ambiguous about the role without role-arn', () => {
      expect(thrown(() => selectRolePair(twice, {})).message).not.toContain(
        PREFLIGHT_ERRORS['role-ambiguous'].problem
      )
    })

    it('uses principal-arn to pick the provider', () => {
      expect(selectRolePair(twice, { principalArn: PROVIDER2 }).principalArn).toBe(PROVIDER2)
      expect(selectRolePair(twice, { roleArn: ROLE, principalArn: PROVIDER }).principalArn).toBe(
        PROVIDER
      )
    })

    it('lists both providers when principal-arn matches neither', () => {
      const third = 'arn:aws:iam::123456789012:saml-provider/Third'
      expect(() => selectRolePair(twice, { principalArn: third })).toThrow(
        `the assertion pairs ${ROLE} with ${PROVIDER} or ${PROVIDER2}, not ${JSON.stringify(third)}`
      )
    })
  })

  it('refuses an empty list as offering no role', () => {
    const entry = PREFLIGHT_ERRORS['no-role-attribute']
    expect(thrown(() => selectRolePair([], {})).message).toBe(
      `${entry.problem}. ${entry.cause} ${entry.fix}`
    )
  })

  it('keeps parsed ARNs on the chosen pair', () => {
    const chosen = selectRolePair(pairs, { roleArn: ROLE3 })
    expect(chosen.role).toEqual(parseArn(ROLE3, 'role'))
    expect(chosen.principal).toEqual(parseArn(PROVIDER, 'saml-provider'))
  })
})
