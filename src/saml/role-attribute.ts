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

/** A Role attribute value that is not a usable pair, and why, for the log (value untrusted). */
export interface InvalidRoleValue {
  value: string
  reason: string
}

/**
 * Read the Role attribute values. Each holds a role ARN and a SAML provider ARN separated by a
 * comma, in either order, spaces tolerated. Values that are not such a pair are reported, not
 * fatal: IdPs sometimes send extra junk values next to good ones.
 */
export function parseRolePairs(values: string[]): {
  pairs: RolePair[]
  invalid: InvalidRoleValue[]
} {
  const pairs: RolePair[] = []
  const invalid: InvalidRoleValue[] = []
  for (const value of values) {
    const pair = parseRolePair(value)
    if (typeof pair === 'string') {
      invalid.push({ value, reason: pair })
    } else if (
      !pairs.some(p => p.roleArn === pair.roleArn && p.principalArn === pair.principalArn)
    ) {
      pairs.push(pair)
    }
  }
  return { pairs, invalid }
}

const ROLE_SHAPE = 'arn:aws:iam::ACCOUNT:role/NAME'
const PROVIDER_SHAPE = 'arn:aws:iam::ACCOUNT:saml-provider/NAME'

/** The pair, or why the value is not one. */
function parseRolePair(value: string): RolePair | string {
  // Google Workspace sends "role,provider," (AWS accepts it): empty parts around the pair are
  // dropped. A third non-empty part is still refused, as AWS's format says.
  const core = value.replace(/^[\s,]+|[\s,]+$/g, '')
  if (core === '') return 'it is empty'
  // Role names may contain commas: split only at a comma that starts the next ARN.
  const parts = core.split(/\s*,\s*(?=arn:)/).map(part => part.trim())
  if (parts.length === 1) {
    if (parseArn(core, 'role')) return 'it holds a role ARN but no SAML provider ARN'
    if (parseArn(core, 'saml-provider')) return 'it holds a SAML provider ARN but no role ARN'
    return 'it is not two ARNs separated by a comma'
  }
  if (parts.length > 2)
    return `it has ${parts.length} ARNs; expected one role ARN and one provider ARN`
  const [first = '', second = ''] = parts
  for (const [roleArn, principalArn] of [
    [first, second],
    [second, first]
  ] as const) {
    const role = parseArn(roleArn, 'role')
    const principal = parseArn(principalArn, 'saml-provider')
    if (role && principal) return { roleArn, principalArn, role, principal }
  }
  // Provider names cannot hold a comma, so one here starts a third part.
  if (parts.some(part => /^arn:[^,]*:saml-provider\/[^,]*,/.test(part))) {
    return 'a third part follows the provider ARN'
  }
  const hasRole = parts.some(part => parseArn(part, 'role'))
  const hasProvider = parts.some(part => parseArn(part, 'saml-provider'))
  if (!hasRole && !hasProvider) {
    return `neither part is a role ARN (${ROLE_SHAPE}) or a provider ARN (${PROVIDER_SHAPE})`
  }
  return hasRole
    ? `no part is a SAML provider ARN (${PROVIDER_SHAPE})`
    : `no part is a role ARN (${ROLE_SHAPE})`
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
