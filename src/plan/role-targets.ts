import { parseArn, roleName, type Arn } from './arn.js'
import { preflightError } from '../errors/preflight-error.js'
import { InputError } from '../errors/run-errors.js'
import { named, namedFirst, said } from '../errors/named-inputs.js'
import { isValidProfileName } from '../aws-files/ini.js'
import { checkPairConsistency, selectRolePair, type RolePair } from '../saml/role-attribute.js'

/** One role to assume in this run, and the profile it goes to (if any). */
export interface Target {
  pair: RolePair
  profile?: string
}

export interface TargetSettings {
  roleArns: string[] | '*'
  principalArn?: string
  profile?: string
  allowedAccountIds: string[]
  /** With chaining, the profile describes the chained role: its name fills the template. */
  chain?: { roleArn: string }
}

/**
 * Decide what to assume: the roles named by role-arn (or every role offered for '*', or the only
 * one), each with its provider, its profile name, and checked against allowed-account-ids, all
 * before any request. `offered` is undefined for an encrypted assertion: then the inputs must name
 * everything.
 */
export function planTargets(offered: RolePair[] | undefined, settings: TargetSettings): Target[] {
  const pairs = offered ? selectPairs(offered, settings) : pairsFromInputs(settings)
  pairs.forEach(checkPairConsistency)

  const partitions = new Set(pairs.map(pair => pair.role.partition))
  if (partitions.size > 1) {
    throw new InputError(
      `The roles span partitions (${[...partitions].join(', ')}); one step works in one partition. Split them into separate steps.`
    )
  }
  if (settings.allowedAccountIds.length > 0) {
    const outside = pairs.filter(pair => !settings.allowedAccountIds.includes(pair.role.accountId))
    if (outside.length > 0) {
      const refused = outside.map(p => `${p.roleArn} (account ${p.role.accountId})`).join(', ')
      throw new InputError(
        said`Refusing ${refused}: not in ${named('allowed-account-ids')} (${settings.allowedAccountIds.join(', ')}). Nothing was assumed.`
      )
    }
  }
  if (settings.chain && pairs.length > 1) {
    throw new InputError(
      said`${named('chain-role-arn')} takes one role to chain from, but ${pairs.length} were selected. Set ${named('role-arn')} to the hub role.`
    )
  }
  const chained = settings.chain ? parseArn(settings.chain.roleArn, 'role') : undefined
  return assignProfiles(pairs, settings.profile, chained)
}

function selectPairs(offered: RolePair[], settings: TargetSettings): RolePair[] {
  const principalArn = settings.principalArn
  if (settings.roleArns === '*') {
    const roles = [...new Set(offered.map(pair => pair.roleArn))]
    return roles.map(roleArn => selectRolePair(offered, { roleArn, principalArn }))
  }
  if (settings.roleArns.length === 0) return [selectRolePair(offered, { principalArn })]
  return settings.roleArns.map(roleArn => selectRolePair(offered, { roleArn, principalArn }))
}

function pairsFromInputs(settings: TargetSettings): RolePair[] {
  const principal = settings.principalArn
    ? parseArn(settings.principalArn, 'saml-provider')
    : undefined
  // Both ARNs may well be set: the wildcard is what cannot work here.
  if (settings.roleArns === '*') throw preflightError('encrypted-no-wildcard')
  if (settings.roleArns.length === 0 || !principal || !settings.principalArn) {
    throw preflightError('encrypted-needs-arns')
  }
  const principalArn = settings.principalArn
  return settings.roleArns.map(roleArn => {
    const role = parseArn(roleArn, 'role')
    if (!role) throw preflightError('encrypted-needs-arns')
    return { roleArn, principalArn, role, principal }
  })
}

/** Expand the profile template per role; several roles need distinct profiles. */
function assignProfiles(
  pairs: RolePair[],
  template: string | undefined,
  chained: Arn | undefined
): Target[] {
  if (template === undefined) {
    if (pairs.length > 1) {
      throw new InputError(
        said`${pairs.length} roles were selected, so ${named('profile')} is required: a template such as 'deploy-{account-id}' or '{account-id}-{role-name}' names one profile per role.`
      )
    }
    return pairs.map(pair => ({ pair }))
  }
  const targets = pairs.map(pair => ({
    pair,
    profile: expandProfile(template, chained ?? pair.role)
  }))
  const seen = new Map<string, string>()
  for (const { pair, profile } of targets) {
    if (!isValidProfileName(profile)) {
      throw new InputError(
        said`${namedFirst('profile')} gives ${JSON.stringify(profile)} for ${pair.roleArn}; a profile name may hold only letters, digits and _+=,.@- (at most 64).`
      )
    }
    const other = seen.get(profile)
    if (other) {
      throw new InputError(
        said`${namedFirst('profile')} gives the same name '${profile}' to ${other} and ${pair.roleArn}. Add {role-name} or {account-id} to the template.`
      )
    }
    seen.set(profile, pair.roleArn)
  }
  return targets
}

/** The profile name for a role: {account-id}, {role-name} and {partition} filled in. */
export function expandProfile(template: string, role: Arn): string {
  return template
    .replace(/\{account-id\}/g, role.accountId)
    .replace(/\{role-name\}/g, roleName(role))
    .replace(/\{partition\}/g, role.partition)
}
