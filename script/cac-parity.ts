/**
 * What this action does with each input and output of aws-actions/configure-aws-credentials
 * (CAC), so a workflow moving over can change one line and check the rest. The names are CAC's
 * action.yml (names only, as of its v5 line); the README table is generated from this by
 * `npm run docs`, and a test checks every "same" or "other name" entry against action.yml.
 */

export const CAC_INPUTS = [
  'aws-region',
  'aws-profile',
  'overwrite-aws-profile',
  'role-to-assume',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'web-identity-token-file',
  'role-chaining',
  'audience',
  'http-proxy',
  'no-proxy',
  'mask-aws-account-id',
  'role-duration-seconds',
  'role-external-id',
  'role-session-name',
  'role-skip-session-tagging',
  'transitive-tag-keys',
  'inline-session-policy',
  'managed-session-policies',
  'output-credentials',
  'output-env-credentials',
  'unset-current-credentials',
  'disable-retry',
  'retry-max-attempts',
  'special-characters-workaround',
  'use-existing-credentials',
  'allowed-account-ids',
  'force-skip-oidc',
  'action-timeout-s',
  'custom-tags',
  'sts-endpoint'
] as const

export const CAC_OUTPUTS = [
  'aws-account-id',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'aws-expiration'
] as const

export type Parity =
  | { kind: 'same'; note?: string }
  | { kind: 'other name'; here: string; note?: string }
  | { kind: 'not applicable to SAML'; why: string }
  | { kind: 'not supported'; why: string }

const NO_KEYS =
  'the credential this action starts from is the SAML assertion (saml-assertion, saml-assertion-file or idp-url), not access keys'

export const CAC_INPUT_PARITY: Record<(typeof CAC_INPUTS)[number], Parity> = {
  'aws-region': { kind: 'same' },
  'aws-profile': {
    kind: 'other name',
    here: 'profile',
    note: 'merged into the shared files in place, atomically, with the region; may name several roles through a template'
  },
  'overwrite-aws-profile': {
    kind: 'other name',
    here: 'overwrite-profile',
    note: 'a profile this action wrote is always updated; one it did not write is refused unless this is true (CAC refuses any existing profile)'
  },
  'role-to-assume': {
    kind: 'other name',
    here: 'role-arn',
    note: 'a full ARN, one the assertion offers; optional when it offers one role'
  },
  'aws-access-key-id': { kind: 'not applicable to SAML', why: NO_KEYS },
  'aws-secret-access-key': { kind: 'not applicable to SAML', why: NO_KEYS },
  'aws-session-token': { kind: 'not applicable to SAML', why: NO_KEYS },
  'web-identity-token-file': {
    kind: 'not applicable to SAML',
    why: 'a web identity (OIDC) token is redeemed with AssumeRoleWithWebIdentity; this action redeems a SAML assertion'
  },
  'role-chaining': {
    kind: 'other name',
    here: 'chain-role-arn',
    note: 'chains from the SAML session, not from credentials already in the environment'
  },
  audience: {
    kind: 'not applicable to SAML',
    why: "the OIDC token's audience; a SAML assertion's audience is set by the IdP and checked by STS"
  },
  'http-proxy': { kind: 'same' },
  'no-proxy': { kind: 'same', note: 'stands in for NO_PROXY when set' },
  'mask-aws-account-id': { kind: 'other name', here: 'mask-account-id' },
  'role-duration-seconds': {
    kind: 'same',
    note: 'for the SAML session; chain-role-duration-seconds for a chained one'
  },
  'role-external-id': {
    kind: 'other name',
    here: 'chain-role-external-id',
    note: 'AssumeRoleWithSAML takes no ExternalId; only the chained AssumeRole does'
  },
  'role-session-name': {
    kind: 'other name',
    here: 'chain-role-session-name',
    note: "for the chained role; the SAML session's name is the assertion's RoleSessionName attribute"
  },
  'role-skip-session-tagging': {
    kind: 'not applicable to SAML',
    why: "this action adds no session tags of its own to skip; the SAML call's tags come from the IdP's PrincipalTag attributes"
  },
  'transitive-tag-keys': { kind: 'same', note: 'for the chained role (with role-session-tags)' },
  'inline-session-policy': { kind: 'same' },
  'managed-session-policies': { kind: 'same' },
  'output-credentials': { kind: 'same' },
  'output-env-credentials': { kind: 'other name', here: 'export-env' },
  'unset-current-credentials': {
    kind: 'not supported',
    why: 'the variables this action exports replace earlier values, and its post step removes what it wrote; it does not clear variables set by other steps'
  },
  'disable-retry': { kind: 'same' },
  'retry-max-attempts': {
    kind: 'same',
    note: 'default 6, and only transient errors are retried, within retry-budget-seconds'
  },
  'special-characters-workaround': {
    kind: 'not supported',
    why: 'it calls STS again until the secret key has no special characters; here each call would replay the assertion'
  },
  'use-existing-credentials': {
    kind: 'not supported',
    why: "the step's purpose is to redeem this assertion for its roles; credentials already in the environment are neither checked nor kept"
  },
  'allowed-account-ids': { kind: 'same' },
  'force-skip-oidc': {
    kind: 'not applicable to SAML',
    why: 'no OIDC token is ever requested'
  },
  'action-timeout-s': {
    kind: 'not supported',
    why: "bounded instead by retry-budget-seconds per STS call, idp-timeout-seconds for sign-in and the assertion's own expiry; use the job's timeout-minutes for a hard limit"
  },
  'custom-tags': {
    kind: 'other name',
    here: 'role-session-tags',
    note: "same JSON object; for the chained role, as the SAML call's tags come from the IdP"
  },
  'sts-endpoint': { kind: 'same' }
}

export const CAC_OUTPUT_PARITY: Record<(typeof CAC_OUTPUTS)[number], Parity> = {
  'aws-account-id': { kind: 'same' },
  'aws-access-key-id': { kind: 'same', note: 'with output-credentials, as in CAC' },
  'aws-secret-access-key': { kind: 'same', note: 'with output-credentials, as in CAC' },
  'aws-session-token': { kind: 'same', note: 'with output-credentials, as in CAC' },
  'aws-expiration': {
    kind: 'same',
    note: 'the same JSON text CAC writes, on every run; expiration has the plain ISO 8601 time'
  }
}

interface ActionNames {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}

const cell = (text: string): string => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim()

/**
 * The README table. Throws when an entry names an input or output this action.yml lacks, so the
 * table cannot promise what the action does not have.
 */
export function cacParityTable(action: ActionNames): string {
  const row = (kind: 'input' | 'output', name: string, parity: Parity): string => {
    const ours = kind === 'input' ? action.inputs : action.outputs
    const here = parity.kind === 'same' ? name : parity.kind === 'other name' ? parity.here : ''
    if (here !== '' && !Object.hasOwn(ours, here)) {
      throw new Error(`CAC parity: ${kind} '${name}' maps to '${here}', which action.yml lacks`)
    }
    const said =
      parity.kind === 'same' || parity.kind === 'other name' ? `\`${here}\`` : parity.kind
    const note = 'why' in parity ? parity.why : (parity.note ?? '')
    return `| ${kind} | \`${name}\` | ${parity.kind === 'other name' ? 'other name: ' : ''}${said} | ${cell(note)} |`
  }
  return [
    '| | configure-aws-credentials | here | notes |',
    '| --- | --- | --- | --- |',
    ...CAC_INPUTS.map(name => row('input', name, CAC_INPUT_PARITY[name])),
    ...CAC_OUTPUTS.map(name => row('output', name, CAC_OUTPUT_PARITY[name]))
  ].join('\n')
}
