import { parseArn, type Arn } from '../plan/arn.js'
import { preflightError } from '../errors/preflight-error.js'
import { quote } from '../util/log-safety.js'

/** One "role ARN,provider ARN" value of the AWS Role attribute. */
export interface RolePair {
  roleArn: string
  principalArn: string
  role: Arn
  principal: Arn
}

/**
 * Read the Role attribute values. Each holds a role ARN and a SAML provider ARN separated by a
 * comma, in either order, spaces tolerated. Values that are not such a pair are reported, not
 * fatal: IdPs sometimes send extra junk values next to good ones.
 */
export function parseRolePairs(values: string[]): { pairs: RolePair[]; invalid: string[] } {
  const pairs: RolePair[] = []
  const invalid: string[] = []
  for (const value of values) {
    const pair = parseRolePair(value)
    if (!pair) {
      invalid.push(value)
    } else if (
      !pairs.some(p => p.roleArn === pair.roleArn && p.principalArn === pair.principalArn)
    ) {
      pairs.push(pair)
    }
  }
  return { pairs, invalid }
}

function parseRolePair(value: string): RolePair | undefined {
  // Role names may contain commas: split only at a comma that starts the next ARN.
  const parts = value.split(/,\s*(?=arn:)/).map(part => part.trim())
  if (parts.length !== 2) return undefined
  for (const [roleArn, principalArn] of [
    [parts[0] ?? '', parts[1] ?? ''],
    [parts[1] ?? '', parts[0] ?? '']
  ] as const) {
    const role = parseArn(roleArn, 'role')
    const principal = parseArn(principalArn, 'saml-provider')
    if (role && principal) return { roleArn, principalArn, role, principal }
  }
  return undefined
}

/** A pair is usable only if role and provider live in one partition and one account. */
export function checkPairConsistency(pair: RolePair): void {
  const { role, principal } = pair
  if (role.partition !== principal.partition || role.accountId !== principal.accountId) {
    throw preflightError(
      'bad-role-pair',
      `role ${pair.roleArn} is in ${role.partition}/${role.accountId} but provider ` +
        `${pair.principalArn} is in ${principal.partition}/${principal.accountId}`
    )
  }
}

/**
 * Choose the pair to assume: the one named by role-arn, or the only one offered. principal-arn,
 * when given, must agree with the pair's provider.
 */
export function selectRolePair(
  pairs: RolePair[],
  wanted: { roleArn?: string; principalArn?: string }
): RolePair {
  const offered = (): string => pairs.map(p => `\n  - ${p.roleArn}`).join('')
  let candidates = pairs
  if (wanted.roleArn) {
    candidates = pairs.filter(p => p.roleArn === wanted.roleArn)
    if (candidates.length === 0) {
      throw preflightError(
        'role-not-offered',
        `${wanted.roleArn} is not among the ${pairs.length} role(s) the assertion offers:${offered()}\n`
      )
    }
  } else if (new Set(pairs.map(p => p.roleArn)).size > 1) {
    throw preflightError(
      'role-ambiguous',
      `choose one of the ${pairs.length} roles with 'role-arn':${offered()}\n`
    )
  }
  if (wanted.principalArn) {
    const match = candidates.find(p => p.principalArn === wanted.principalArn)
    if (!match) {
      throw preflightError(
        'principal-mismatch',
        `the assertion pairs ${candidates[0]?.roleArn} with ${candidates
          .map(p => p.principalArn)
          .join(' or ')}, not ${quote(wanted.principalArn)}`
      )
    }
    return match
  }
  // A role offered through two providers needs principal-arn to pick one.
  if (candidates.length > 1) {
    throw preflightError(
      'principal-mismatch',
      `${candidates[0]?.roleArn} is offered through ${candidates.length} providers; set 'principal-arn' to one of: ${candidates
        .map(p => p.principalArn)
        .join(', ')}`
    )
  }
  const chosen = candidates[0]
  if (!chosen) throw preflightError('no-role-attribute')
  return chosen
}
