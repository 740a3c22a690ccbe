import { InputError } from '../errors/run-errors.js'
import { named, namedFirst, said } from '../errors/named-inputs.js'

/** The parts of an IAM or STS ARN that decisions here depend on. */
export interface Arn {
  partition: string
  service: string
  region: string
  accountId: string
  resource: string
}

export type ArnKind = 'role' | 'saml-provider' | 'policy' | 'assumed-role'

interface PartitionInfo {
  /** Regions of this partition match this pattern. */
  regionPattern: RegExp
  defaultRegion: string
  dnsSuffix: string
}

// Ordered: the more specific prefixes (us-gov, us-iso) must be tried before the commercial one.
const PARTITIONS: Record<string, PartitionInfo> = {
  'aws-us-gov': {
    regionPattern: /^us-gov-[a-z]+-\d+$/,
    defaultRegion: 'us-gov-west-1',
    dnsSuffix: 'amazonaws.com'
  },
  'aws-iso': {
    regionPattern: /^us-iso-[a-z]+-\d+$/,
    defaultRegion: 'us-iso-east-1',
    dnsSuffix: 'c2s.ic.gov'
  },
  'aws-iso-b': {
    regionPattern: /^us-isob-[a-z]+-\d+$/,
    defaultRegion: 'us-isob-east-1',
    dnsSuffix: 'sc2s.sgov.gov'
  },
  'aws-iso-e': {
    regionPattern: /^eu-isoe-[a-z]+-\d+$/,
    defaultRegion: 'eu-isoe-west-1',
    dnsSuffix: 'cloud.adc-e.uk'
  },
  'aws-iso-f': {
    regionPattern: /^us-isof-[a-z]+-\d+$/,
    defaultRegion: 'us-isof-south-1',
    dnsSuffix: 'csp.hci.ic.gov'
  },
  'aws-cn': {
    regionPattern: /^cn-[a-z]+-\d+$/,
    defaultRegion: 'cn-north-1',
    dnsSuffix: 'amazonaws.com.cn'
  },
  'aws-eusc': {
    regionPattern: /^eusc-[a-z]+-[a-z]+-\d+$/,
    defaultRegion: 'eusc-de-east-1',
    dnsSuffix: 'amazonaws.eu'
  },
  aws: {
    regionPattern: /^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/,
    defaultRegion: 'us-east-1',
    dnsSuffix: 'amazonaws.com'
  }
}

const ARN_PATTERN = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:(.+)$/

const RESOURCE_PATTERNS: Record<ArnKind, { service: string; pattern: RegExp }> = {
  role: { service: 'iam', pattern: /^role\/([\w+=,.@/-]+\/)?[\w+=,.@-]{1,64}$/ },
  'saml-provider': { service: 'iam', pattern: /^saml-provider\/[\w.-]{1,128}$/ },
  policy: { service: 'iam', pattern: /^policy\/([\w+=,.@/-]+\/)?[\w+=,.@-]{1,128}$/ },
  'assumed-role': { service: 'sts', pattern: /^assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/ }
}

export function isKnownPartition(partition: string): boolean {
  return Object.hasOwn(PARTITIONS, partition)
}

/** Parse an ARN of the expected kind; undefined when it is not one. */
export function parseArn(value: string, kind: ArnKind): Arn | undefined {
  const match = ARN_PATTERN.exec(value.trim())
  if (!match) return undefined
  const [, partition = '', service = '', region = '', account = '', resource = ''] = match
  const expected = RESOURCE_PATTERNS[kind]
  if (service !== expected.service || !expected.pattern.test(resource)) return undefined
  if (!isKnownPartition(partition)) return undefined
  // Only AWS-managed policies use "aws" in place of the account.
  if (account === 'aws' && kind !== 'policy') return undefined
  if (account === '' || region !== '') return undefined
  return { partition, service, region, accountId: account, resource }
}

/** Parse an ARN named by an input, with an error that says which input and what shape it needs. */
export function requireArn(value: string, kind: ArnKind, inputName: string): Arn {
  const arn = parseArn(value, kind)
  if (!arn) {
    const shapes: Record<ArnKind, string> = {
      role: 'arn:aws:iam::123456789012:role/NAME',
      'saml-provider': 'arn:aws:iam::123456789012:saml-provider/NAME',
      policy: 'arn:aws:iam::123456789012:policy/NAME',
      'assumed-role': 'arn:aws:sts::123456789012:assumed-role/ROLE/SESSION'
    }
    throw new InputError(
      said`${namedFirst(inputName)} is not a valid ${kind} ARN: ${shownValue(value)}. Expected the form ${shapes[kind]}, in a known partition (aws, aws-us-gov, aws-cn, aws-iso*, aws-eusc).`
    )
  }
  return arn
}

/**
 * No ARN is longer than 2048 characters or holds '<': such a value is most likely the assertion
 * given to the wrong input or option, a bearer token that must not be echoed.
 */
function shownValue(value: string): string {
  if (value.length <= 2048 && !value.includes('<')) return JSON.stringify(value)
  return `(a value of ${value.length} characters, not shown: it may be the assertion)`
}

/** The role name (last path segment) of a role ARN. */
export function roleName(arn: Arn): string {
  return arn.resource.slice(arn.resource.lastIndexOf('/') + 1)
}

export function partitionOfRegion(region: string): string | undefined {
  for (const [name, info] of Object.entries(PARTITIONS)) {
    if (info.regionPattern.test(region)) return name
  }
  return undefined
}

export function defaultRegionOf(partition: string): string {
  const info = PARTITIONS[partition]
  if (!info) throw new InputError(`Unknown AWS partition '${partition}'.`)
  return info.defaultRegion
}

/** The regional STS endpoint the SDK would use; known here to decide on a proxy for it. */
export function regionalStsEndpoint(region: string, partition: string): string {
  const info = PARTITIONS[partition]
  if (!info) throw new InputError(`Unknown AWS partition '${partition}'.`)
  return `https://sts.${region}.${info.dnsSuffix}`
}

type RegionSource = 'input' | 'AWS_REGION' | 'AWS_DEFAULT_REGION'

/**
 * The region for the STS call and the exported env: the input, then AWS_REGION, then
 * AWS_DEFAULT_REGION, then the partition's default. It must belong to the role's partition,
 * because STS in one partition cannot issue credentials for another: an input that does not is
 * an error, an env value that does not is skipped.
 */
export function resolveRegion(
  input: string | undefined,
  env: Record<string, string | undefined>,
  partition: string
): string {
  const candidates: [string | undefined, RegionSource][] = [
    [input, 'input'],
    [env.AWS_REGION, 'AWS_REGION'],
    [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION']
  ]
  for (const [value, source] of candidates) {
    const region = value?.trim()
    if (!region) continue
    const regionPartition = partitionOfRegion(region)
    const where = source === 'input' ? namedFirst('aws-region') : `The env variable ${source}`
    if (!regionPartition) {
      throw new InputError(
        said`${where} holds ${JSON.stringify(region)}, which is not an AWS region name (e.g. eu-west-1).`
      )
    }
    // A job may hold credentials of another partition (GovCloud and commercial steps side by
    // side): a region from the env that does not fit is passed over, an explicit one is an error.
    if (regionPartition !== partition && source !== 'input') continue
    if (regionPartition !== partition) {
      throw new InputError(
        said`${where} is ${region}, in partition ${regionPartition}, but the role is in partition ${partition}. Set ${named('aws-region')} to a region of ${partition}, e.g. ${defaultRegionOf(partition)}.`
      )
    }
    return region
  }
  return defaultRegionOf(partition)
}

/** The 12-digit account of an assumed-role ARN as STS returns it. */
export function accountIdOfAssumedRole(assumedRoleArn: string): string | undefined {
  return parseArn(assumedRoleArn, 'assumed-role')?.accountId
}
