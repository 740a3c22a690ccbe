import { requireArn } from './arn.js'
import { getAssertionSource, type AssertionSource } from '../source/assertion-source.js'
import { InputError } from '../errors/run-errors.js'
import { named, namedFirst, said } from '../errors/named-inputs.js'
import { parseSessionTags, parseTransitiveTagKeys, type SessionTag } from './session-tags.js'
import { SESSION_NAME } from '../saml/saml-rules.js'
import { isLoopback } from '../sts/proxy.js'
import { DEFAULT_BUDGET_SECONDS, DEFAULT_MAX_ATTEMPTS } from '../sts/retry-policy.js'

/** Everything a run needs from the workflow, validated once. */
export interface Settings {
  assertion: AssertionSource
  /** The roles to assume: none (the assertion's only role), some, or every role offered. */
  roleArns: string[] | '*'
  principalArn?: string
  region?: string
  durationSeconds: number
  inlineSessionPolicy?: string
  managedSessionPolicies: string[]
  stsEndpoint?: string
  exportEnv: boolean
  outputCredentials: boolean
  /** Profile name, or a template with {account-id}, {role-name}, {partition}. */
  profile?: string
  /** Replace a profile section this action did not write (it is not restored afterwards). */
  overwriteProfile: boolean
  verifyCredentials: boolean
  allowedAccountIds: string[]
  maskAccountId: boolean
  retry: { maxAttempts: number; budgetSeconds: number }
  maxConcurrency: number
  /** The CLI's --output (the action has export-env instead): env and credential-process take one session. */
  cliOutput?: 'env' | 'json' | 'credential-process' | 'none'
  chain?: ChainSettings
  httpProxy?: string
  /** Hosts that bypass the proxy; stands in for NO_PROXY when set. */
  noProxy?: string
}

export interface ChainSettings {
  roleArn: string
  /** Undefined: derived from the run (see chainSessionName in engine.ts). */
  sessionName?: string
  externalId?: string
  durationSeconds: number
  /** 'role-session-tags' and 'transitive-tag-keys', for the chained AssumeRole only. */
  tags?: SessionTag[]
  transitiveTagKeys?: string[]
}

/** Reads one input, untrimmed, '' when unset (core.getInput with trimWhitespace: false). */
export type InputReader = (name: string) => string

export const DURATION_MIN = 900
export const DURATION_MAX = 43_200
export const DURATION_DEFAULT = 3600
const MAX_INLINE_POLICY = 2048
const MAX_MANAGED_POLICIES = 10

export function getSettings(read: InputReader): Settings {
  const input = (name: string): string | undefined => read(name).trim() || undefined

  const principalArn = input('principal-arn')
  if (principalArn) requireArn(principalArn, 'saml-provider', 'principal-arn')

  const durationText = input('role-duration-seconds')
  const profile = input('profile')
  const exportEnvText = read('export-env')
  const retryDisabled = parseBoolean(read('disable-retry'), 'disable-retry', false)
  // The post step reads 'cleanup' itself; checked here too, so a typo fails this step, not that one.
  parseBoolean(read('cleanup'), 'cleanup', true)
  return {
    assertion: getAssertionSource(read),
    roleArns: getRoleArns(input('role-arn')),
    principalArn,
    region: input('aws-region'),
    durationSeconds: durationText
      ? parseInteger(durationText, 'role-duration-seconds', DURATION_MIN, DURATION_MAX)
      : DURATION_DEFAULT,
    inlineSessionPolicy: getInlinePolicy(input('inline-session-policy')),
    managedSessionPolicies: getManagedPolicies(input('managed-session-policies')),
    stsEndpoint: getEndpoint(input('sts-endpoint')),
    // Writing a profile is a choice of where the credentials go: env export then needs asking for.
    exportEnv: parseBoolean(exportEnvText, 'export-env', profile === undefined),
    outputCredentials: parseBoolean(read('output-credentials'), 'output-credentials', false),
    profile,
    overwriteProfile: parseBoolean(read('overwrite-profile'), 'overwrite-profile', false),
    verifyCredentials: parseBoolean(read('verify-credentials'), 'verify-credentials', false),
    allowedAccountIds: getAccountIds(input('allowed-account-ids')),
    maskAccountId: parseBoolean(read('mask-account-id'), 'mask-account-id', false),
    retry: {
      maxAttempts: retryDisabled
        ? 1
        : optionalInteger(
            input('retry-max-attempts'),
            'retry-max-attempts',
            1,
            20,
            DEFAULT_MAX_ATTEMPTS
          ),
      budgetSeconds: optionalInteger(
        input('retry-budget-seconds'),
        'retry-budget-seconds',
        1,
        900,
        DEFAULT_BUDGET_SECONDS
      )
    },
    maxConcurrency: optionalInteger(input('max-concurrency'), 'max-concurrency', 1, 64, 8),
    chain: getChain(input),
    httpProxy: input('http-proxy'),
    noProxy: input('no-proxy')
  }
}

/**
 * With mask-account-id, the account IDs in the inputs: masked before the inputs are validated,
 * because a validation message quotes the input it refuses.
 */
export function inputAccountIds(read: InputReader): string[] {
  if (read('mask-account-id').trim().toLowerCase() !== 'true') return []
  const text = ['role-arn', 'principal-arn', 'chain-role-arn', 'allowed-account-ids']
    .map(read)
    .join(' ')
  return [...new Set(text.match(/(?<!\d)\d{12}(?!\d)/g) ?? [])]
}

/** One ARN per line (role names may contain commas), or '*' for every role offered. */
function getRoleArns(text: string | undefined): string[] | '*' {
  if (text === '*') return '*'
  const arns = (text ?? '')
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '')
  for (const arn of arns) requireArn(arn, 'role', 'role-arn')
  return [...new Set(arns)]
}

function getAccountIds(text: string | undefined): string[] {
  const ids = splitList(text)
  for (const id of ids) {
    if (!/^\d{12}$/.test(id)) {
      throw new InputError(
        said`${namedFirst('allowed-account-ids')} holds ${JSON.stringify(id)}; each entry must be a 12-digit AWS account ID.`
      )
    }
  }
  return ids
}

export const CHAIN_DURATION_MAX = 3600

function getChain(input: (name: string) => string | undefined): ChainSettings | undefined {
  const roleArn = input('chain-role-arn')
  const others = [
    'chain-role-session-name',
    'chain-role-external-id',
    'chain-role-duration-seconds',
    // The SAML call takes its session tags from the IdP; only AssumeRole takes them as input.
    'role-session-tags',
    'transitive-tag-keys'
  ]
  if (!roleArn) {
    const stray = others.find(name => input(name) !== undefined)
    if (stray) throw new InputError(said`${namedFirst(stray)} needs ${named('chain-role-arn')}.`)
    return undefined
  }
  requireArn(roleArn, 'role', 'chain-role-arn')
  const sessionName = input('chain-role-session-name')
  if (sessionName !== undefined && !SESSION_NAME.test(sessionName)) {
    throw new InputError(
      said`${namedFirst('chain-role-session-name')} must be 2-64 characters of letters, digits and _+=,.@- (got ${JSON.stringify(sessionName)}).`
    )
  }
  const tags = parseSessionTags(input('role-session-tags'))
  const externalId = input('chain-role-external-id')
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    throw new InputError(
      said`${namedFirst('chain-role-external-id')} must be 2-1224 characters of letters, digits and _+=,.@:/-.`
    )
  }
  return {
    roleArn,
    sessionName,
    externalId,
    tags,
    transitiveTagKeys: parseTransitiveTagKeys(input('transitive-tag-keys'), tags),
    // STS caps a chained session at one hour, whatever the role allows.
    durationSeconds: optionalInteger(
      input('chain-role-duration-seconds'),
      'chain-role-duration-seconds',
      DURATION_MIN,
      CHAIN_DURATION_MAX,
      CHAIN_DURATION_MAX
    )
  }
}

function optionalInteger(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number
): number {
  return text === undefined ? fallback : parseInteger(text, name, min, max)
}

/**
 * Booleans are parsed strictly: a typo must not silently flip a security-relevant switch (the
 * official action once treated `false` as true for one of its inputs).
 */
export function parseBoolean(raw: string, name: string, fallback: boolean): boolean {
  const value = raw.trim().toLowerCase()
  if (value === '') return fallback
  if (value === 'true') return true
  if (value === 'false') return false
  throw new InputError(
    said`${namedFirst(name)} must be 'true' or 'false', not ${JSON.stringify(raw.trim())}.`
  )
}

export function parseInteger(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) {
    throw new InputError(
      said`${namedFirst(name)} must be a whole number, not ${JSON.stringify(text)}.`
    )
  }
  const value = Number(text)
  if (value < min || value > max) {
    throw new InputError(
      said`${namedFirst(name)} is ${value}; it must be between ${min} and ${max}.`
    )
  }
  return value
}

function getInlinePolicy(policy: string | undefined): string | undefined {
  if (policy === undefined) return undefined
  if (policy.length > MAX_INLINE_POLICY) {
    throw new InputError(
      said`${namedFirst('inline-session-policy')} is ${policy.length} characters; STS allows at most ${MAX_INLINE_POLICY}.`
    )
  }
  try {
    JSON.parse(policy)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new InputError(said`${namedFirst('inline-session-policy')} is not valid JSON: ${reason}.`)
  }
  return policy
}

/** Comma- or newline-separated list, empty items dropped. */
export function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\n,]/)
    .map(item => item.trim())
    .filter(item => item !== '')
}

function getManagedPolicies(text: string | undefined): string[] {
  const arns = splitList(text)
  if (arns.length > MAX_MANAGED_POLICIES) {
    throw new InputError(
      said`${namedFirst('managed-session-policies')} lists ${arns.length} policies; STS allows at most ${MAX_MANAGED_POLICIES}.`
    )
  }
  for (const arn of arns) requireArn(arn, 'policy', 'managed-session-policies')
  return arns
}

function getEndpoint(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InputError(
      said`${namedFirst('sts-endpoint')} is not a URL: ${JSON.stringify(text)}. Use e.g. https://sts.eu-west-1.amazonaws.com.`
    )
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    // The assertion is a bearer credential: only a local emulator may receive it unencrypted.
    throw new InputError(
      said`${namedFirst('sts-endpoint')} uses plain http to ${url.hostname}; the assertion would cross the network unencrypted. Use https (plain http is allowed only for loopback test endpoints).`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(
      said`${namedFirst('sts-endpoint')} must be an https URL, not ${url.protocol}.`
    )
  }
  return url.toString()
}
