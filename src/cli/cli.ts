import { parseArgs } from 'node:util'
import { decodeAssertion } from '../saml/assertion-decoder.js'
import { getAssertionSource, obtainAssertion } from '../source/assertion-source.js'
import type { SignInHooks } from '../idp/sign-in.js'
import type { Assumed } from '../sts/assume-roles.js'
import {
  awsFilePaths,
  checkProfileWrites,
  overwroteMessage,
  writeProfiles
} from '../aws-files/credentials-file.js'
import { InputError, RunError } from '../errors/run-errors.js'
import { CATALOG_INPUTS } from '../errors/error-catalog.js'
import {
  actionName,
  namedIn,
  render as renderSaid,
  type NameInput
} from '../errors/named-inputs.js'
import { getSettings, type Settings } from '../plan/input-helper.js'
import { quote } from '../util/log-safety.js'
import { sessionEnv } from '../sts/session-env.js'
import { assertionExpiry } from '../saml/preflight.js'
import { formatDuration } from '../util/duration.js'
import { loadEngine } from '../load-engine.js'
import { parseRolePairs } from '../saml/role-attribute.js'
import { parseSamlResponse } from '../saml/saml-parser.js'

/** Distinct exit codes, so scripts can tell what to fix. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  assertion: 3,
  sts: 4,
  file: 5,
  'sign-in': 6
} as const

/** The IdP password and OTP seed come from these (or the password from stdin), never argv. */
export const PASSWORD_ENV = 'SAML_ASSUME_ROLE_IDP_PASSWORD'
export const OTP_SECRET_ENV = 'SAML_ASSUME_ROLE_IDP_OTP_SECRET'

export const HELP = `saml-assume-role: redeem a SAML assertion with AWS STS AssumeRoleWithSAML.

Usage:
  saml-assume-role --saml-assertion SOURCE [--role-arn ARN ...] [options]
  saml-assume-role --idp-url URL --idp-username NAME [--role-arn ARN ...] [options]
  saml-assume-role roles SOURCE          list the roles in the assertion (no STS call)
  saml-assume-role -h | --help | --version

SOURCE is file://PATH, - (standard input), or the assertion itself; base64, URL-encoded
(as copied from browser dev tools, SAMLResponse= allowed) or XML.

Options:
  --saml-assertion SOURCE        the SAMLResponse (or sign in with --idp-url)
  --idp-url URL                  sign in at the IdP for a fresh assertion: the IdP-initiated
                                 sign-on URL of the AWS app (form), the ECP endpoint (ecp),
                                 or the app's embed link (okta)
  --idp-provider P               form (default), ecp or okta
  --idp-username NAME            the IdP user; the password comes from the env variable
                                 ${PASSWORD_ENV} or standard input, the
                                 TOTP seed (MFA) from ${OTP_SECRET_ENV},
                                 never from the command line (ps shows it)
  --idp-timeout-seconds N        budget for the whole sign-in (default 30)
  --idp-password                 refused: the command line is visible to every user (ps);
                                 use ${PASSWORD_ENV} or standard input
  --idp-otp-secret               refused likewise: use ${OTP_SECRET_ENV}
  --role-arn ARN                 role to assume; repeat for several, or '*' for every role
                                 offered; optional when the assertion offers one role
  --principal-arn ARN            SAML provider ARN (default: from the assertion)
  --profile NAME                 write the credentials as this profile (~/.aws/credentials,
                                 region to ~/.aws/config); a template with several roles:
                                 {account-id}, {role-name}, {partition}
  --overwrite-profile            replace a profile this tool did not write (refused
                                 otherwise: it may hold your long-term keys)
  --region R                     region for STS and the profile (default: AWS_REGION,
                                 AWS_DEFAULT_REGION, then the partition's default)
  --duration-seconds N           session length, 900-43200 (default 3600)
  --sts-endpoint URL             custom STS endpoint (VPC, FIPS, emulator)
  --output MODE                  env (export lines), json (the STS response fields) or
                                 credential-process (for credential_process in ~/.aws/config);
                                 default: env, or nothing with --profile
  --inline-session-policy JSON   IAM policy limiting the session
  --managed-session-policies A   comma-separated policy ARNs limiting the session
  --chain-role-arn ARN           then assume this role with the SAML credentials
  --chain-role-session-name N    session name for the chained role
  --chain-role-external-id ID    external ID for the chained role
  --chain-role-duration-seconds N  900-3600 (default 3600)
  --role-session-tags JSON       session tags for the chained role, e.g. '{"team":"ops"}'
  --transitive-tag-keys K        comma-separated tag names passed on from the chained role
  --verify                       check the credentials with GetCallerIdentity
  --allowed-account-ids IDS      refuse roles in any other account
  --http-proxy URL               proxy for STS (default: HTTPS_PROXY / HTTP_PROXY; NO_PROXY honoured)
  --retry-max-attempts N         attempts per call for transient errors (default 6)
  --retry-budget-seconds N       time per call across attempts (default 60)
  --disable-retry                one attempt per call
  --max-concurrency N            roles assumed at once (default 8)

Exit codes: 0 success, 2 usage error, 3 assertion rejected locally (no STS call),
4 STS or network error, 5 credentials or config file refused (symlink, lock, ...),
6 sign-in at the IdP failed (no STS call), 1 unexpected error.
`

/** CLI option -> action input, so both build their settings in one place (input-helper). */
const STRING_OPTIONS: Record<string, string> = {
  'principal-arn': 'principal-arn',
  profile: 'profile',
  region: 'aws-region',
  'duration-seconds': 'role-duration-seconds',
  'sts-endpoint': 'sts-endpoint',
  'inline-session-policy': 'inline-session-policy',
  'managed-session-policies': 'managed-session-policies',
  'chain-role-arn': 'chain-role-arn',
  'chain-role-session-name': 'chain-role-session-name',
  'chain-role-external-id': 'chain-role-external-id',
  'chain-role-duration-seconds': 'chain-role-duration-seconds',
  'role-session-tags': 'role-session-tags',
  'transitive-tag-keys': 'transitive-tag-keys',
  'allowed-account-ids': 'allowed-account-ids',
  'http-proxy': 'http-proxy',
  'retry-max-attempts': 'retry-max-attempts',
  'retry-budget-seconds': 'retry-budget-seconds',
  'max-concurrency': 'max-concurrency',
  'idp-url': 'idp-url',
  'idp-provider': 'idp-provider',
  'idp-username': 'idp-username',
  'idp-timeout-seconds': 'idp-timeout-seconds'
}

/** Inputs the CLI takes from env variables, for the messages it shares with the action. */
const ENV_FOR_INPUT: Record<string, string> = {
  'idp-password': PASSWORD_ENV,
  'idp-otp-secret': OTP_SECRET_ENV
}

/** Action input -> CLI option, for the messages the CLI shares with the action. */
const OPTION_FOR_INPUT: Record<string, string> = {
  ...Object.fromEntries(Object.entries(STRING_OPTIONS).map(([option, input]) => [input, option])),
  'role-arn': 'role-arn',
  'saml-assertion': 'saml-assertion',
  'saml-assertion-file': 'saml-assertion',
  'verify-credentials': 'verify',
  'disable-retry': 'disable-retry',
  'overwrite-profile': 'overwrite-profile'
}

/** The CLI's name for an input in the messages it shares with the action: its option, or its env variable. */
const cliName: NameInput = name => {
  const option = OPTION_FOR_INPUT[name.input]
  const envName = ENV_FOR_INPUT[name.input]
  return option ? `--${option}` : envName ? `the env variable ${envName}` : actionName(name)
}

/** A failure in the CLI's words: run errors name their inputs as options. */
function cliMessage(error: unknown): string {
  if (error instanceof RunError) return error.wordedFor(cliName)
  return error instanceof Error ? error.message : String(error)
}

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  readStdin: () => string
  env: Record<string, string | undefined>
  version: string
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        'saml-assertion': { type: 'string' },
        'role-arn': { type: 'string', multiple: true },
        output: { type: 'string' },
        verify: { type: 'boolean' },
        'disable-retry': { type: 'boolean' },
        'overwrite-profile': { type: 'boolean' },
        // Declared only to refuse them with a clear message: secrets never go on argv.
        'idp-password': { type: 'string' },
        'idp-otp-secret': { type: 'string' },
        ...Object.fromEntries(Object.keys(STRING_OPTIONS).map(name => [name, { type: 'string' }]))
      } as const
    })
    if (values.help) {
      io.stdout(HELP)
      return EXIT.ok
    }
    if (values.version) {
      io.stdout(`${io.version}\n`)
      return EXIT.ok
    }
    if (positionals[0] === 'roles') {
      if (positionals.length !== 2) throw new InputError('Usage: saml-assume-role roles SOURCE')
      const inputs = sourceInputs(positionals[1]!, io)
      const source = getAssertionSource(name => inputs[name] ?? '')
      io.stdout(describeRoles(await obtainAssertion(source, stderrHooks(io)), new Date()))
      return EXIT.ok
    }
    if (positionals.length > 0) {
      throw new InputError(`Unknown command ${shownArgument(positionals[0]!)}. See --help.`)
    }
    return await assume(values, io)
  } catch (error) {
    const usage =
      error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')
    io.stderr(`saml-assume-role: ${cliMessage(error)}\n`)
    if (usage) return EXIT.usage
    if (error instanceof RunError) return EXIT[error.kind]
    return EXIT.unexpected
  }
}

/**
 * An unknown argument as it may be echoed: a long value, or one that looks like base64, XML or a
 * form body, is most likely the assertion itself (a bearer token), so only its length is shown.
 */
function shownArgument(value: string): string {
  const secretLooking =
    value.length > 32 || /[<=%]/.test(value) || /^[A-Za-z0-9+/_-]{16,}$/.test(value)
  if (!secretLooking) return JSON.stringify(value)
  return `(${value.length} characters, not shown: to pass the assertion, use --saml-assertion)`
}

async function assume(
  values: Record<string, string | string[] | boolean | undefined>,
  io: CliIo
): Promise<number> {
  for (const secret of ['idp-password', 'idp-otp-secret']) {
    if (values[secret] !== undefined) {
      throw new InputError(
        `--${secret} is not accepted: the command line is visible to every user (ps). Set the env variable ${ENV_FOR_INPUT[secret]}${secret === 'idp-password' ? ' or pipe the password on standard input' : ''}.`
      )
    }
  }
  const source = values['saml-assertion']
  const signingIn = typeof values['idp-url'] === 'string'
  if (typeof source !== 'string' && !signingIn) {
    throw new InputError(
      '--saml-assertion (file://PATH, - for stdin, or the value) or --idp-url is required. See --help.'
    )
  }
  const output = (values.output as string | undefined) ?? (values.profile ? 'none' : 'env')
  if (!['env', 'json', 'credential-process', 'none'].includes(output)) {
    throw new InputError(
      `--output must be env, json or credential-process, not ${JSON.stringify(output)}.`
    )
  }
  const inputs: Record<string, string> = {
    ...(typeof source === 'string' ? sourceInputs(source, io) : {}),
    ...(signingIn ? signInInputs(io) : {}),
    'role-arn': ((values['role-arn'] as string[] | undefined) ?? []).join('\n'),
    'export-env': 'false',
    'verify-credentials': values.verify ? 'true' : 'false',
    'disable-retry': values['disable-retry'] ? 'true' : 'false',
    'overwrite-profile': values['overwrite-profile'] ? 'true' : 'false'
  }
  for (const [option, input] of Object.entries(STRING_OPTIONS)) {
    const value = values[option]
    if (typeof value === 'string') inputs[input] = value
  }
  const settings = getSettings(name => inputs[name] ?? '')
  const paths = awsFilePaths(io.env)
  const raw = await obtainAssertion(settings.assertion, {
    ...stderrHooks(io),
    httpProxy: settings.httpProxy,
    whileWaiting: () => void loadEngine()
  })
  const { failureReport, profileWrites, redeem } = await loadEngine()
  // The plan refuses several roles for an output that holds one session, before any request.
  const cliOutput = output as NonNullable<Settings['cliOutput']>
  const redeemed = await redeem({ ...settings, cliOutput }, raw, io.env, {
    mask: () => undefined,
    notice: line => io.stderr(`notice: ${line}\n`),
    warning: line => io.stderr(`warning: ${line}\n`),
    info: line => io.stderr(`${line}\n`),
    // Local file problems and someone else's profile are found before any STS request.
    checkTargets: async targets => {
      if (settings.profile === undefined) return
      const profiles = targets.map(t => t.profile!)
      await checkProfileWrites(paths, profiles, settings.overwriteProfile)
    }
  })
  const { assumed, region } = redeemed
  if (settings.profile !== undefined && assumed.length > 0) {
    const report = await writeProfiles(paths, profileWrites(redeemed), {
      overwrite: settings.overwriteProfile
    })
    if (report.overwritten.length > 0) {
      const overwrote = overwroteMessage(report.overwritten, paths.credentials)
      io.stderr(`warning: ${renderSaid(namedIn(overwrote, CATALOG_INPUTS), cliName)}\n`)
    }
    for (const a of assumed) {
      io.stderr(
        `Wrote profile ${a.target.profile} (${a.session.assumedRoleArn}, expires ${a.session.expiration.toISOString()}).\n`
      )
    }
  }
  if (output !== 'none' && assumed.length > 0) io.stdout(render(output, assumed, region))
  const failure = failureReport(redeemed, settings.profile !== undefined, cliName)
  if (failure) {
    io.stderr(`saml-assume-role: ${failure}\n`)
    return EXIT.sts
  }
  return EXIT.ok
}

function render(output: string, assumed: Assumed[], region: string): string {
  if (output === 'json') {
    const docs = assumed.map(({ session: s }) => ({
      Credentials: {
        AccessKeyId: s.accessKeyId,
        SecretAccessKey: s.secretAccessKey,
        SessionToken: s.sessionToken,
        Expiration: s.expiration.toISOString()
      },
      AssumedRoleUser: { Arn: s.assumedRoleArn, AssumedRoleId: s.assumedRoleId },
      Subject: s.subject,
      SubjectType: s.subjectType,
      Issuer: s.issuer,
      Audience: s.audience,
      NameQualifier: s.nameQualifier,
      SourceIdentity: s.sourceIdentity,
      PackedPolicySize: s.packedPolicySize
    }))
    return `${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`
  }
  const session = assumed[0]!.session
  if (output === 'credential-process') {
    return `${JSON.stringify({
      Version: 1,
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration.toISOString()
    })}\n`
  }
  return Object.entries(sessionEnv(session, region))
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('')
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

/** `-` is standard input, `file://PATH` a file (read as the action reads one), else the value. */
function sourceInputs(source: string, io: CliIo): Record<string, string> {
  if (source === '-') return { 'saml-assertion': io.readStdin() }
  if (source.startsWith('file://')) return { 'saml-assertion-file': source }
  return { 'saml-assertion': source }
}

/** The password from the env variable, else the first line of standard input; the seed from env. */
function signInInputs(io: CliIo): Record<string, string> {
  const password = io.env[PASSWORD_ENV] ?? io.readStdin().split(/\r?\n/)[0] ?? ''
  return { 'idp-password': password, 'idp-otp-secret': io.env[OTP_SECRET_ENV] ?? '' }
}

function stderrHooks(io: CliIo): SignInHooks {
  // Nothing to mask on a terminal: the CLI never prints a secret to stderr.
  return { mask: () => undefined, info: line => io.stderr(`${line}\n`), env: io.env }
}

/** The `roles` report: what the assertion offers and how long it is good for. */
export function describeRoles(raw: string | Buffer, now: Date): string {
  const saml = parseSamlResponse(decodeAssertion(raw).xml)
  if (saml.encrypted) {
    return 'The assertion is encrypted (EncryptedAssertion): its roles cannot be read locally.\n'
  }
  const { pairs, invalid } = parseRolePairs(saml.roleValues ?? [])
  const issued = saml.assertionIssueInstant ?? saml.responseIssueInstant
  const expiry = assertionExpiry(saml)
  const lines = [
    `Issuer:     ${quote(saml.issuer)}`,
    `Subject:    ${quote(saml.nameId)}${saml.nameIdFormat ? ` (${quote(saml.nameIdFormat)})` : ''}`,
    `Session:    ${quote(saml.roleSessionName)}`,
    `Issued:     ${issued ? `${issued.toISOString()} (${formatDuration(now.getTime() - issued.getTime())} ago)` : 'unknown'}`,
    `Expires:    ${
      expiry
        ? `${expiry.toISOString()} (${
            expiry.getTime() > now.getTime()
              ? `${formatDuration(expiry.getTime() - now.getTime())} left`
              : `expired ${formatDuration(now.getTime() - expiry.getTime())} ago`
          })`
        : 'unknown'
    }`,
    `Partition:  ${[...new Set(pairs.map(p => p.role.partition))].join(', ') || 'unknown'}`,
    `Roles (${pairs.length}):`,
    ...pairs.map(p => `  ${p.roleArn}  via ${p.principalArn}`)
  ]
  if (invalid.length > 0) {
    lines.push(
      `Ignored Role values (${invalid.length}):`,
      ...invalid.map(i => `  ${quote(i.value)}: ${i.reason}`)
    )
  }
  return `${lines.join('\n')}\n`
}
