import { thrown as thrownBy } from '../support/thrown.js'
import { describe, expect, it } from 'vitest'
import {
  accountIdOfAssumedRole,
  defaultRegionOf,
  isKnownPartition,
  parseArn,
  partitionOfRegion,
  regionalStsEndpoint,
  requireArn,
  resolveRegion,
  roleName
} from '../../src/plan/arn.js'
import { InputError } from '../../src/errors/run-errors.js'

const inputError = (fn: () => unknown): InputError => thrownBy(InputError, fn)

describe('parseArn', () => {
  it('parses a role ARN', () => {
    expect(parseArn('arn:aws:iam::123456789012:role/GitHubDeploy', 'role')).toEqual({
      partition: 'aws',
      service: 'iam',
      region: '',
      accountId: '123456789012',
      resource: 'role/GitHubDeploy'
    })
  })

  it.each([
    ['role/service-role/MyRole', 'MyRole'],
    ['role/a/b/c/Deep.Name', 'Deep.Name'],
    ['role/name+with=all,the.allowed@chars_-', 'name+with=all,the.allowed@chars_-']
  ])('parses a role with path or special characters: %s', (resource, name) => {
    const arn = parseArn(`arn:aws:iam::123456789012:${resource}`, 'role')
    expect(arn?.resource).toBe(resource)
    expect(roleName(arn!)).toBe(name)
  })

  it('takes role names of up to 64 characters', () => {
    expect(parseArn(`arn:aws:iam::123456789012:role/${'r'.repeat(64)}`, 'role')).toBeDefined()
    expect(parseArn(`arn:aws:iam::123456789012:role/${'r'.repeat(65)}`, 'role')).toBeUndefined()
  })

  it('parses a SAML provider ARN', () => {
    expect(
      parseArn('arn:aws:iam::123456789012:saml-provider/Okta.prod-1', 'saml-provider')
    ).toEqual({
      partition: 'aws',
      service: 'iam',
      region: '',
      accountId: '123456789012',
      resource: 'saml-provider/Okta.prod-1'
    })
    expect(parseArn('arn:aws:iam::123456789012:saml-provider/a/b', 'saml-provider')).toBeUndefined()
    expect(
      parseArn(`arn:aws:iam::123456789012:saml-provider/${'p'.repeat(129)}`, 'saml-provider')
    ).toBeUndefined()
  })

  it('parses customer and AWS-managed policy ARNs', () => {
    expect(parseArn('arn:aws:iam::123456789012:policy/team/Deploy', 'policy')).toEqual({
      partition: 'aws',
      service: 'iam',
      region: '',
      accountId: '123456789012',
      resource: 'policy/team/Deploy'
    })
    expect(parseArn('arn:aws:iam::aws:policy/ReadOnlyAccess', 'policy')?.accountId).toBe('aws')
    expect(
      parseArn('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', 'policy')
        ?.resource
    ).toBe('policy/service-role/AWSLambdaBasicExecutionRole')
  })

  it('allows "aws" in place of the account for policies only', () => {
    expect(parseArn('arn:aws:iam::aws:role/Admin', 'role')).toBeUndefined()
    expect(parseArn('arn:aws:iam::aws:saml-provider/Idp', 'saml-provider')).toBeUndefined()
    expect(parseArn('arn:aws:sts::aws:assumed-role/R/s', 'assumed-role')).toBeUndefined()
  })

  it('parses an assumed-role ARN', () => {
    expect(
      parseArn(
        'arn:aws:sts::123456789012:assumed-role/GitHubDeploy/jane@example.com',
        'assumed-role'
      )
    ).toEqual({
      partition: 'aws',
      service: 'sts',
      region: '',
      accountId: '123456789012',
      resource: 'assumed-role/GitHubDeploy/jane@example.com'
    })
    expect(
      parseArn('arn:aws:sts::123456789012:assumed-role/OnlyRole', 'assumed-role')
    ).toBeUndefined()
  })

  it.each([
    'aws',
    'aws-us-gov',
    'aws-cn',
    'aws-iso',
    'aws-iso-b',
    'aws-iso-e',
    'aws-iso-f',
    'aws-eusc'
  ])('accepts partition %s', partition => {
    expect(parseArn(`arn:${partition}:iam::123456789012:role/R`, 'role')?.partition).toBe(partition)
    expect(isKnownPartition(partition)).toBe(true)
  })

  it.each(['aws-xx', 'amazon', 'aws-', 'AWS'])('rejects unknown partition %s', partition => {
    expect(parseArn(`arn:${partition}:iam::123456789012:role/R`, 'role')).toBeUndefined()
  })

  it('does not take inherited object keys for partitions', () => {
    expect(isKnownPartition('constructor')).toBe(false)
    expect(isKnownPartition('toString')).toBe(false)
    expect(isKnownPartition('__proto__')).toBe(false)
  })

  it.each([
    ['the wrong service', 'arn:aws:sts::123456789012:role/R', 'role'],
    [
      'the wrong service for assumed-role',
      'arn:aws:iam::123456789012:assumed-role/R/s',
      'assumed-role'
    ],
    ['another resource type', 'arn:aws:iam::123456789012:user/jane', 'role'],
    ['a role for a provider', 'arn:aws:iam::123456789012:role/R', 'saml-provider'],
    ['a region field', 'arn:aws:iam:us-east-1:123456789012:role/R', 'role'],
    ['a region field on a policy', 'arn:aws:iam:us-east-1:aws:policy/P', 'policy'],
    ['no account', 'arn:aws:iam:::role/R', 'role'],
    ['an 11-digit account', 'arn:aws:iam::12345678901:role/R', 'role'],
    ['a 13-digit account', 'arn:aws:iam::1234567890123:role/R', 'role'],
    ['a name-like account', 'arn:aws:iam::my-account:role/R', 'role'],
    ['no name', 'arn:aws:iam::123456789012:role/', 'role'],
    ['a forbidden character', 'arn:aws:iam::123456789012:role/R!', 'role'],
    ['a space inside', 'arn:aws:iam::123456789012:role/R R', 'role'],
    ['an injected line', 'arn:aws:iam::123456789012:role/R\n::set-env name=X::y', 'role'],
    ['not an ARN', 'GitHubDeploy', 'role'],
    ['an empty string', '', 'role'],
    ['too few fields', 'arn:aws:iam::role/R', 'role']
  ] as const)('rejects %s', (_label, value, kind) => {
    expect(parseArn(value, kind)).toBeUndefined()
  })

  it('ignores surrounding whitespace', () => {
    expect(parseArn('  arn:aws:iam::123456789012:role/R \n', 'role')?.resource).toBe('role/R')
  })
})

describe('requireArn', () => {
  it('returns the parsed ARN', () => {
    expect(requireArn('arn:aws-cn:iam::123456789012:role/R', 'role', 'role-arn').partition).toBe(
      'aws-cn'
    )
  })

  it.each([
    ['role', 'role-arn', 'arn:aws:iam::123456789012:role/NAME'],
    ['saml-provider', 'principal-arn', 'arn:aws:iam::123456789012:saml-provider/NAME'],
    ['policy', 'managed-session-policies', 'arn:aws:iam::123456789012:policy/NAME'],
    ['assumed-role', 'some-input', 'arn:aws:sts::123456789012:assumed-role/ROLE/SESSION']
  ] as const)('names the input and the %s shape', (kind, input, shape) => {
    const error = inputError(() => requireArn('nope"\n', kind, input))
    expect(error.kind).toBe('usage')
    expect(error.message).toBe(
      `Input '${input}' is not a valid ${kind} ARN: "nope\\"\\n". Expected the form ${shape}, in a known partition (aws, aws-us-gov, aws-cn, aws-iso*, aws-eusc).`
    )
  })
})

describe('partitions and regions', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['ap-southeast-5', 'aws'],
    ['me-central-1', 'aws'],
    ['il-central-1', 'aws'],
    ['mx-central-1', 'aws'],
    ['ca-west-1', 'aws'],
    ['af-south-1', 'aws'],
    ['sa-east-1', 'aws'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc']
  ])('puts %s in %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition)
  })

  it.each([
    '',
    'us-east',
    'US-EAST-1',
    'useast1',
    'xx-east-1',
    'us-east-1a',
    'eu-west-1 x',
    'global'
  ])('knows no partition for %j', region => {
    expect(partitionOfRegion(region)).toBeUndefined()
  })

  it('gives each partition a default region', () => {
    expect(defaultRegionOf('aws')).toBe('us-east-1')
    expect(defaultRegionOf('aws-us-gov')).toBe('us-gov-west-1')
    expect(defaultRegionOf('aws-cn')).toBe('cn-north-1')
  })

  it('refuses an unknown partition', () => {
    expect(inputError(() => defaultRegionOf('aws-xx')).message).toBe(
      "Unknown AWS partition 'aws-xx'."
    )
  })
})

describe('regionalStsEndpoint', () => {
  it.each([
    ['eu-west-1', 'aws', 'https://sts.eu-west-1.amazonaws.com'],
    ['us-gov-west-1', 'aws-us-gov', 'https://sts.us-gov-west-1.amazonaws.com'],
    ['cn-north-1', 'aws-cn', 'https://sts.cn-north-1.amazonaws.com.cn']
  ])('is the STS host of %s in %s', (region, partition, endpoint) => {
    expect(regionalStsEndpoint(region, partition)).toBe(endpoint)
  })

  it('refuses an unknown partition', () => {
    expect(inputError(() => regionalStsEndpoint('us-east-1', 'aws-xx')).message).toBe(
      "Unknown AWS partition 'aws-xx'."
    )
  })
})

describe('resolveRegion', () => {
  const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' }

  it('prefers the input', () => {
    expect(resolveRegion('ap-south-1', env, 'aws')).toBe('ap-south-1')
  })

  it('then AWS_REGION', () => {
    expect(resolveRegion(undefined, env, 'aws')).toBe('eu-west-1')
    expect(resolveRegion('  ', env, 'aws')).toBe('eu-west-1')
  })

  it('then AWS_DEFAULT_REGION', () => {
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-central-1' }, 'aws')).toBe(
      'eu-central-1'
    )
    expect(resolveRegion('', { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-central-1' }, 'aws')).toBe(
      'eu-central-1'
    )
  })

  it.each([
    ['aws', 'us-east-1'],
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-cn', 'cn-north-1']
  ])('then the default of partition %s', (partition, region) => {
    expect(resolveRegion(undefined, {}, partition)).toBe(region)
  })

  it('trims the value', () => {
    expect(resolveRegion(' eu-north-1\n', {}, 'aws')).toBe('eu-north-1')
  })

  it('takes a region of the role partition from the environment', () => {
    expect(resolveRegion(undefined, { AWS_REGION: 'us-gov-east-1' }, 'aws-us-gov')).toBe(
      'us-gov-east-1'
    )
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'cn-northwest-1' }, 'aws-cn')).toBe(
      'cn-northwest-1'
    )
  })

  it('refuses an input region of another partition', () => {
    expect(inputError(() => resolveRegion('us-east-1', {}, 'aws-us-gov')).message).toBe(
      "Input 'aws-region' is us-east-1, in partition aws, but the role is in partition aws-us-gov. " +
        "Set 'aws-region' to a region of aws-us-gov, e.g. us-gov-west-1."
    )
  })

  it('passes over an env region of another partition (a job may mix partitions)', () => {
    expect(resolveRegion(undefined, { AWS_REGION: 'cn-north-1' }, 'aws')).toBe('us-east-1')
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-west-1' }, 'aws-cn')).toBe(
      'cn-north-1'
    )
  })

  it('falls through to a later env source when an earlier one is of another partition', () => {
    expect(
      resolveRegion(
        undefined,
        { AWS_REGION: 'us-gov-west-1', AWS_DEFAULT_REGION: 'us-east-2' },
        'aws'
      )
    ).toBe('us-east-2')
  })

  it('refuses strings that are not region names', () => {
    expect(inputError(() => resolveRegion('Frankfurt', {}, 'aws')).message).toBe(
      `Input 'aws-region' holds "Frankfurt", which is not an AWS region name (e.g. eu-west-1).`
    )
    expect(
      inputError(() => resolveRegion(undefined, { AWS_REGION: 'eu-west-1a' }, 'aws')).message
    ).toBe(
      'The env variable AWS_REGION holds "eu-west-1a", which is not an AWS region name (e.g. eu-west-1).'
    )
    expect(
      inputError(() =>
        resolveRegion(undefined, { AWS_DEFAULT_REGION: 'x\n::stop-commands::' }, 'aws')
      ).message
    ).toContain('holds "x\\n::stop-commands::"')
  })
})

describe('accountIdOfAssumedRole', () => {
  it('returns the account of an assumed-role ARN', () => {
    expect(accountIdOfAssumedRole('arn:aws:sts::123456789012:assumed-role/Deploy/jane')).toBe(
      '123456789012'
    )
    expect(accountIdOfAssumedRole('arn:aws-us-gov:sts::210987654321:assumed-role/R/s')).toBe(
      '210987654321'
    )
  })

  it.each([
    'arn:aws:iam::123456789012:role/Deploy',
    'arn:aws:sts::123456789012:federated-user/jane',
    'arn:aws:sts::aws:assumed-role/R/s',
    'garbage',
    ''
  ])('returns undefined for %j', arn => {
    expect(accountIdOfAssumedRole(arn)).toBeUndefined()
  })
})
