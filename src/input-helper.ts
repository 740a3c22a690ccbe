import { requireArn } from './arn.js'
import { InputError } from './errors.js'

/** Everything a run needs from the workflow, validated once. */
export interface Settings {
  assertion: { source: 'input'; value: string } | { source: 'file'; path: string }
  roleArn?: string
  principalArn?: string
  region?: string
  durationSeconds: number
  /** True when role-duration-seconds was set, rather than defaulted. */
  durationExplicit: boolean
  inlineSessionPolicy?: string
  managedSessionPolicies: string[]
  stsEndpoint?: string
  exportEnv: boolean
  outputCredentials: boolean
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

  const roleArn = input('role-arn')
  if (roleArn) requireArn(roleArn, 'role', 'role-arn')
  const principalArn = input('principal-arn')
  if (principalArn) requireArn(principalArn, 'saml-provider', 'principal-arn')

  const durationText = input('role-duration-seconds')
  return {
    assertion: getAssertionSource(read),
    roleArn,
    principalArn,
    region: input('aws-region'),
    durationSeconds: durationText
      ? parseInteger(durationText, 'role-duration-seconds', DURATION_MIN, DURATION_MAX)
      : DURATION_DEFAULT,
    durationExplicit: durationText !== undefined,
    inlineSessionPolicy: getInlinePolicy(input('inline-session-policy')),
    managedSessionPolicies: getManagedPolicies(input('managed-session-policies')),
    stsEndpoint: getEndpoint(input('sts-endpoint')),
    exportEnv: parseBoolean(read('export-env'), 'export-env', true),
    outputCredentials: parseBoolean(read('output-credentials'), 'output-credentials', false)
  }
}

function getAssertionSource(read: InputReader): Settings['assertion'] {
  // Not trimmed: raw XML must reach STS byte for byte.
  const value = read('saml-assertion')
  const file = read('saml-assertion-file').trim()
  const hasValue = value.trim() !== ''
  if (hasValue && file) {
    throw new InputError(
      "Both 'saml-assertion' and 'saml-assertion-file' are set. Set exactly one of them."
    )
  }
  if (file) return { source: 'file', path: file.replace(/^file:\/\//, '') }
  if (hasValue) return { source: 'input', value }
  throw new InputError(
    "No SAML assertion given. Set 'saml-assertion' (e.g. from a secret or a previous step's output) " +
      "or 'saml-assertion-file' (a path, file:// accepted). If it comes from a secret, check that the " +
      'secret exists and is available to this workflow (secrets are empty in pull requests from forks).'
  )
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
    `Input '${name}' must be 'true' or 'false', not ${JSON.stringify(raw.trim())}.`
  )
}

export function parseInteger(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) {
    throw new InputError(`Input '${name}' must be a whole number, not ${JSON.stringify(text)}.`)
  }
  const value = Number(text)
  if (value < min || value > max) {
    throw new InputError(`Input '${name}' is ${value}; it must be between ${min} and ${max}.`)
  }
  return value
}

function getInlinePolicy(policy: string | undefined): string | undefined {
  if (policy === undefined) return undefined
  if (policy.length > MAX_INLINE_POLICY) {
    throw new InputError(
      `Input 'inline-session-policy' is ${policy.length} characters; STS allows at most ${MAX_INLINE_POLICY}.`
    )
  }
  try {
    JSON.parse(policy)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new InputError(`Input 'inline-session-policy' is not valid JSON: ${reason}.`)
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
      `Input 'managed-session-policies' lists ${arns.length} policies; STS allows at most ${MAX_MANAGED_POLICIES}.`
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
      `Input 'sts-endpoint' is not a URL: ${JSON.stringify(text)}. Use e.g. https://sts.eu-west-1.amazonaws.com.`
    )
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    // The assertion is a bearer credential: only a local emulator may receive it unencrypted.
    throw new InputError(
      `Input 'sts-endpoint' uses plain http to ${url.hostname}; the assertion would cross the network unencrypted. Use https (plain http is allowed only for loopback test endpoints).`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`Input 'sts-endpoint' must be an https URL, not ${url.protocol}.`)
  }
  return url.toString()
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}
