/**
 * Every failure the action can report, with its cause and fix. The code builds its messages from
 * this table and the README's troubleshooting section is generated from it, so the two agree.
 */
export interface CatalogEntry {
  /** Error codes as STS sends them, or a pre-flight check's id. */
  codes: string[]
  stage: 'sign-in' | 'pre-flight' | 'sts' | 'file'
  problem: string
  cause: string
  fix: string
  /** Worth another attempt (throttling, server and network faults). */
  retryable: boolean
}

export const PREFLIGHT_ERRORS = {
  'not-saml-response': {
    codes: ['not-saml-response'],
    stage: 'pre-flight',
    problem: 'The input is not a SAML Response',
    cause:
      'The value is not base64, URL-encoded or XML of a samlp:Response (a copy error, or a different field was copied).',
    fix: 'Pass the SAMLResponse form field exactly as the IdP posted it to https://signin.aws.amazon.com/saml.',
    retryable: false
  },
  'unsafe-xml': {
    codes: ['unsafe-xml'],
    stage: 'pre-flight',
    problem: 'The assertion XML contains a DOCTYPE or entity declaration',
    cause: 'IdPs never send one; it is how XXE and entity-expansion attacks start.',
    fix: 'Check where the assertion comes from; it was not produced by a SAML IdP.',
    retryable: false
  },
  'too-large': {
    codes: ['too-large'],
    stage: 'pre-flight',
    problem: 'The assertion is larger than STS accepts',
    cause: 'STS takes at most 100,000 base64 characters.',
    fix: 'Reduce the attributes the IdP sends to AWS (group lists are the usual culprit).',
    retryable: false
  },
  'idp-status': {
    codes: ['idp-status'],
    stage: 'pre-flight',
    problem: 'The IdP reported a failed login',
    cause: 'The Response Status is not Success, so it holds no usable assertion.',
    fix: 'Fix the sign-in at the IdP and take a fresh SAMLResponse.',
    retryable: false
  },
  expired: {
    codes: ['expired'],
    stage: 'pre-flight',
    problem: 'The assertion has expired',
    cause:
      'Its NotOnOrAfter has passed (beyond a 60-second clock-skew allowance). IdPs issue assertions valid for about 5 minutes.',
    fix: 'Fetch a fresh assertion in the same job, right before this step.',
    retryable: false
  },
  'not-yet-valid': {
    codes: ['not-yet-valid'],
    stage: 'pre-flight',
    problem: 'The assertion is not valid yet',
    cause:
      'Its NotBefore is in the future beyond a 60-second clock-skew allowance: the IdP clock or this runner clock is wrong.',
    fix: 'Check the clocks (NTP) of the IdP and the runner.',
    retryable: false
  },
  'no-role-attribute': {
    codes: ['no-role-attribute'],
    stage: 'pre-flight',
    problem: 'The assertion offers no AWS role',
    cause:
      'It has no https://aws.amazon.com/SAML/Attributes/Role attribute with a "role ARN,provider ARN" value.',
    fix: 'Map the Role attribute in the IdP application for AWS, and assign the user or group a role.',
    retryable: false
  },
  'role-values-invalid': {
    codes: ['role-values-invalid'],
    stage: 'pre-flight',
    problem: 'No value of the Role attribute is a usable role',
    cause:
      'Each value must be a role ARN and a SAML provider ARN of one account, separated by a comma, in either order.',
    fix: 'Correct the Role attribute mapping in the IdP so each value reads arn:aws:iam::ACCOUNT:role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME.',
    retryable: false
  },
  'role-not-offered': {
    codes: ['role-not-offered'],
    stage: 'pre-flight',
    problem: 'The requested role is not in the assertion',
    cause: "'role-arn' names a role the IdP did not grant this user.",
    fix: 'Use one of the roles listed, or grant the role in the IdP.',
    retryable: false
  },
  'role-ambiguous': {
    codes: ['role-ambiguous'],
    stage: 'pre-flight',
    problem: 'The assertion offers several roles',
    cause: "No 'role-arn' was given to choose between them.",
    fix: "Set 'role-arn' to one of the roles listed.",
    retryable: false
  },
  'principal-mismatch': {
    codes: ['principal-mismatch'],
    stage: 'pre-flight',
    problem: "'principal-arn' does not match the assertion",
    cause: 'The assertion pairs the role with a different SAML provider.',
    fix: "Remove 'principal-arn' (it is read from the assertion) or correct it.",
    retryable: false
  },
  'bad-role-pair': {
    codes: ['bad-role-pair'],
    stage: 'pre-flight',
    problem: 'A role pair mixes partitions or accounts',
    cause: 'The role ARN and the SAML provider ARN must be in the same partition and account.',
    fix: 'Correct the Role attribute mapping in the IdP.',
    retryable: false
  },
  'bad-session-name': {
    codes: ['bad-session-name'],
    stage: 'pre-flight',
    problem: 'The RoleSessionName attribute is missing or invalid',
    cause:
      'STS requires https://aws.amazon.com/SAML/Attributes/RoleSessionName, 2-64 characters of [A-Za-z0-9_+=,.@-].',
    fix: 'Map RoleSessionName in the IdP to a value like the user e-mail or login name.',
    retryable: false
  },
  'encrypted-needs-arns': {
    codes: ['encrypted-needs-arns'],
    stage: 'pre-flight',
    problem: 'An encrypted assertion needs both role-arn and principal-arn',
    cause: 'The roles in an EncryptedAssertion cannot be read locally.',
    fix: "Set both 'role-arn' and 'principal-arn'.",
    retryable: false
  },
  'encrypted-no-wildcard': {
    codes: ['encrypted-no-wildcard'],
    stage: 'pre-flight',
    problem: "role-arn '*' cannot be used with an encrypted assertion",
    cause: "The roles in an EncryptedAssertion cannot be read locally, so '*' cannot be expanded.",
    fix: "List the role ARNs in 'role-arn', one per line, with 'principal-arn'.",
    retryable: false
  }
} as const satisfies Record<string, CatalogEntry>

export type PreflightErrorId = keyof typeof PREFLIGHT_ERRORS

/** Sign-in at the IdP (inputs idp-*): every one of these ends the run before any STS request. */
export const SIGN_IN_ERRORS = {
  'idp-credentials-refused': {
    codes: ['idp-credentials-refused'],
    stage: 'sign-in',
    problem: 'The IdP refused the username or password',
    cause:
      'The sign-in page came back with an error (quoted as the IdP wrote it). A refused password is never retried, so the account is not locked out by retries.',
    fix: "Check the secrets behind 'idp-username' and 'idp-password' (sign in by hand once with the same values).",
    retryable: false
  },
  'idp-mfa-needs-seed': {
    codes: ['idp-mfa-needs-seed'],
    stage: 'sign-in',
    problem: 'The IdP asks for a one-time code, but no idp-otp-secret is set',
    cause: 'The account has MFA (TOTP) enrolled.',
    fix: "Store the authenticator's base32 seed as a secret and pass it as 'idp-otp-secret', or use an account without MFA for automation.",
    retryable: false
  },
  'idp-otp-refused': {
    codes: ['idp-otp-refused'],
    stage: 'sign-in',
    problem: 'The IdP refused the one-time code',
    cause:
      "The code computed from 'idp-otp-secret' was not accepted: a wrong seed, a runner clock off by more than 30 seconds, or a code already used.",
    fix: "Check the seed in 'idp-otp-secret' (the one shown at enrolment) and the runner clock.",
    retryable: false
  },
  'idp-page-not-understood': {
    codes: ['idp-page-not-understood'],
    stage: 'sign-in',
    problem: 'A sign-in page was not understood',
    cause:
      'The page has no form the walker can fill (username, password, one-time code) or submit on its own; its title, URL (without query) and field names are shown.',
    fix: "Check that 'idp-url' is the IdP-initiated sign-on URL of the AWS application, and that 'idp-provider' fits the IdP. IdPs that need a browser (CAPTCHA, device checks) cannot be scripted.",
    retryable: false
  },
  'idp-too-many-steps': {
    codes: ['idp-too-many-steps'],
    stage: 'sign-in',
    problem: 'Sign-in took too many steps',
    cause:
      'More than 15 pages or redirects without reaching the form that posts to AWS: a loop, or a flow that needs a browser.',
    fix: "Check 'idp-url', and sign in by hand once to see the pages this account goes through.",
    retryable: false
  },
  'idp-unreachable': {
    codes: ['idp-unreachable'],
    stage: 'sign-in',
    problem: 'The IdP could not be reached',
    cause:
      'A network failure, DNS, proxy, TLS certificate error or server error that lasted for the whole idp-timeout-seconds.',
    fix: "Check 'idp-url', the runner's network access to the IdP (self-hosted runners for an internal IdP) and the proxy settings; raise 'idp-timeout-seconds' for a slow IdP.",
    retryable: true
  },
  'idp-insecure': {
    codes: ['idp-insecure'],
    stage: 'sign-in',
    problem: 'The IdP sent the sign-in somewhere unsafe',
    cause:
      'A redirect from https to plain http, plain http to a host other than loopback, or a page larger than 5 MB.',
    fix: 'Fix the IdP so every sign-in URL is https; check that idp-url points at the IdP itself.',
    retryable: false
  },
  'idp-no-saml-response': {
    codes: ['idp-no-saml-response'],
    stage: 'sign-in',
    problem: 'Sign-in ended without a SAMLResponse for AWS',
    cause:
      'The IdP signed the user in but did not post a SAMLResponse to an AWS sign-in endpoint (the user is not assigned the AWS application, or the IdP answered with an error).',
    fix: "Assign the user (or a group) to the AWS application in the IdP, and check the application's ACS URL is https://signin.aws.amazon.com/saml.",
    retryable: false
  },
  'idp-unsupported': {
    codes: ['idp-unsupported'],
    stage: 'sign-in',
    problem: "The IdP does not offer the flow 'idp-provider' names",
    cause:
      'For example an ECP endpoint that is switched off, or an Okta org on Identity Engine without the classic authn API.',
    fix: "Choose the 'idp-provider' the IdP supports (form works for most), or enable the flow at the IdP.",
    retryable: false
  }
} as const satisfies Record<string, CatalogEntry>

export type SignInErrorId = keyof typeof SIGN_IN_ERRORS

export const STS_ERRORS: CatalogEntry[] = [
  {
    codes: ['IDPRejectedClaim'],
    stage: 'sts',
    problem: 'The IdP rejected the claim',
    cause:
      'STS could not validate the assertion with the IdP (for example a disabled user or a revoked session).',
    fix: 'Sign in again at the IdP and use a fresh assertion; check the user is active.',
    retryable: false
  },
  {
    codes: ['InvalidIdentityToken'],
    stage: 'sts',
    problem: 'STS rejected the assertion as invalid',
    cause:
      'Bad signature (IdP certificate rotated), issuer or audience not matching the SAML provider in IAM, the provider not found, or a bad RoleSessionName.',
    fix: 'Upload the current IdP metadata to the IAM SAML provider named by principal-arn; the audience must be https://signin.aws.amazon.com/saml.',
    retryable: false
  },
  {
    codes: ['ExpiredToken', 'ExpiredTokenException'],
    stage: 'sts',
    problem: 'STS says the assertion has expired',
    cause:
      'The assertion was redeemed too late: past NotOnOrAfter, or more than about 5 minutes after it was issued.',
    fix: 'Fetch the assertion in the same job right before this step; check the runner clock.',
    retryable: false
  },
  {
    codes: ['MalformedPolicyDocument'],
    stage: 'sts',
    problem: 'The session policy is malformed',
    cause:
      "'inline-session-policy' is not a valid IAM policy document, or a managed policy ARN does not exist.",
    fix: 'Validate the policy with IAM Access Analyzer, and check each managed-session-policies ARN.',
    retryable: false
  },
  {
    codes: ['PackedPolicyTooLarge'],
    stage: 'sts',
    problem: 'The session policies and tags are too large',
    cause:
      'After packing, the inline policy, managed policy ARNs and session tags exceed the STS limit.',
    fix: 'Shorten the inline policy, pass fewer managed policies, or have the IdP send fewer session tags.',
    retryable: false
  },
  {
    codes: ['RegionDisabled', 'RegionDisabledException'],
    stage: 'sts',
    problem: 'STS is not activated in this region',
    cause: 'The account has not enabled STS (or the opt-in region) for the region used.',
    fix: "Activate the region in IAM account settings, or set 'aws-region' to an enabled region.",
    retryable: false
  },
  {
    codes: ['AccessDenied'],
    stage: 'sts',
    problem: 'Access denied by the role trust policy',
    cause:
      'The role does not trust this SAML provider for sts:AssumeRoleWithSAML, or a condition (SAML:aud, tags) fails.',
    fix: 'Allow sts:AssumeRoleWithSAML for the provider in the role trust policy, with SAML:aud = https://signin.aws.amazon.com/saml (add sts:TagSession / sts:SetSourceIdentity if the IdP sends them).',
    retryable: false
  },
  {
    codes: ['ValidationError'],
    stage: 'sts',
    problem: 'STS rejected a parameter',
    cause:
      'A parameter is out of range: most often the requested duration exceeds the role MaxSessionDuration.',
    fix: "Lower 'role-duration-seconds' or raise the role Maximum session duration in IAM.",
    retryable: false
  },
  {
    codes: ['IDPCommunicationError'],
    stage: 'sts',
    problem: 'STS could not reach the IdP',
    cause: 'A transient failure between STS and the identity provider.',
    fix: 'Retry the job; if it persists, check the IdP status.',
    retryable: true
  },
  {
    codes: [
      'Throttling',
      'ThrottlingException',
      'RequestLimitExceeded',
      'TooManyRequestsException'
    ],
    stage: 'sts',
    problem: 'STS throttled the request',
    cause: 'Too many STS calls at once for this account (matrix jobs share its rate limit).',
    fix: 'Lower the matrix max-parallel, or let the action retry with a larger budget.',
    retryable: true
  },
  {
    codes: ['ServiceUnavailable', 'InternalFailure', 'InternalError', 'http-5xx'],
    stage: 'sts',
    problem: 'STS had a server error',
    cause: 'A transient fault on the AWS side.',
    fix: 'Retry the job; check the AWS Health Dashboard if it persists.',
    retryable: true
  },
  {
    codes: ['network'],
    stage: 'sts',
    problem: 'STS could not be reached',
    cause: 'A network failure, timeout, proxy or DNS problem, or a wrong sts-endpoint.',
    fix: "Check network access to the STS endpoint, the proxy settings and 'sts-endpoint'.",
    retryable: true
  },
  {
    codes: ['bad-response'],
    stage: 'sts',
    problem: 'STS sent a response that could not be read',
    cause:
      'Something between the runner and STS (a proxy or captive portal) returned a non-STS answer: an HTML page, a redirect, or a 200 without credentials.',
    fix: "Check the proxy settings and 'sts-endpoint'. Not retried: each retry would send the assertion to whatever answered.",
    // Not transient, and a retry replays the bearer assertion to something that is not STS.
    retryable: false
  }
]

export const UNKNOWN_STS_ERROR: CatalogEntry = {
  codes: [],
  stage: 'sts',
  problem: 'STS refused the request',
  cause: 'An error this action does not know.',
  fix: 'Read the code and message from STS above; see the AWS STS AssumeRoleWithSAML documentation.',
  retryable: false
}

export function catalogEntryFor(code: string): CatalogEntry | undefined {
  return STS_ERRORS.find(entry => entry.codes.includes(code))
}

/**
 * The credentials and config files (profile, and the post step's cleanup). Each message starts
 * with `problem`, FILE standing for the path; nothing is written when one is thrown.
 */
export const FILE_ERRORS = {
  symlink: {
    codes: ['symlink'],
    stage: 'file',
    problem: 'Refusing to write FILE: it is a symbolic link',
    cause: 'Writing it would replace the link, or write through it to another file.',
    fix: 'Point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE at the real file.',
    retryable: false
  },
  'not-regular-file': {
    codes: ['not-regular-file'],
    stage: 'file',
    problem: 'Refusing to write FILE: it is not a regular file',
    cause: 'The path names a directory, a device or a pipe.',
    fix: 'Point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE at a regular file.',
    retryable: false
  },
  'not-utf8': {
    codes: ['not-utf8'],
    stage: 'file',
    problem: 'Refusing to rewrite FILE: it is not valid UTF-8 text',
    cause: 'Rewriting it would corrupt the bytes that are not UTF-8.',
    fix: 'Save the file as UTF-8 (the AWS CLI reads it so too), or point the action at another file.',
    retryable: false
  },
  'would-not-parse': {
    codes: ['would-not-parse'],
    stage: 'file',
    problem: 'Refusing to write FILE: the result would not parse',
    cause:
      'The file holds something the AWS CLI could not read together with the new profile (the message names the line), such as a hand-edited line next to it.',
    fix: 'Fix the line the message names by hand, then run again.',
    retryable: false
  },
  'same-file': {
    codes: ['same-file'],
    stage: 'file',
    problem: 'The credentials file and the config file are the same file',
    cause: 'AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE name one path.',
    fix: 'Point them at two different files.',
    retryable: false
  },
  'not-writable': {
    codes: ['not-writable'],
    stage: 'file',
    problem: 'Cannot write FILE: its directory is not writable',
    cause:
      'The home directory (or the one AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE names) is read-only, missing its parent, or not a directory.',
    fix: 'Make it writable, or point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE at a writable place.',
    retryable: false
  },
  'profile-exists': {
    codes: ['profile-exists'],
    stage: 'file',
    problem: 'Refusing to overwrite a profile in FILE that this action did not write',
    cause:
      'The section holds keys from elsewhere (your long-term keys, another tool): overwriting it, and removing it after the job, would destroy them.',
    fix: "Choose another 'profile', or set 'overwrite-profile' to true to replace it (the previous section is not restored afterwards).",
    retryable: false
  },
  'lock-timeout': {
    codes: ['lock-timeout'],
    stage: 'file',
    problem: 'Timed out after N s waiting for the lock file FILE.lock',
    cause:
      'Another writer held the lock for 30 seconds (the message names its process), or a lock was left behind on a shared disk.',
    fix: 'If no other process is writing the file, delete the lock file.',
    retryable: false
  },
  'lock-not-regular': {
    codes: ['lock-not-regular'],
    stage: 'file',
    problem: 'Cannot lock FILE: FILE.lock is not a regular file',
    cause: 'Something other than a lock file (a directory, a symlink) sits at the lock path.',
    fix: 'Remove FILE.lock by hand; this action never creates anything else there.',
    retryable: false
  }
} as const satisfies Record<string, CatalogEntry>

export type FileErrorId = keyof typeof FILE_ERRORS

/**
 * The inputs that catalog texts, and the details that go with them, name: each written 'name' in
 * the action's words, so messages built from the catalog keep them apart for the CLI (namedIn).
 * A test keeps the list complete.
 */
export const CATALOG_INPUTS: readonly string[] = [
  'saml-assertion',
  'saml-assertion-file',
  'role-arn',
  'principal-arn',
  'role-duration-seconds',
  'inline-session-policy',
  'aws-region',
  'sts-endpoint',
  'profile',
  'overwrite-profile',
  'idp-url',
  'idp-provider',
  'idp-username',
  'idp-password',
  'idp-otp-secret',
  'idp-timeout-seconds'
]
