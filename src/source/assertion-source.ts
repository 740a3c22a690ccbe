import { constants, type Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { AssertionError, InputError, RunError } from '../errors/run-errors.js'
import { named, namedFirst, said, type InputName } from '../errors/named-inputs.js'
import { preflightError } from '../errors/preflight-error.js'
import { MAX_BASE64_LENGTH } from '../saml/assertion-decoder.js'
import type { IdpProviderName, SignInSettings } from '../idp/provider.js'
import type { SignInHooks } from '../idp/sign-in.js'
import { isLoopback } from '../sts/proxy.js'

/** Reads one input, untrimmed, '' when unset (core.getInput with trimWhitespace: false). */
type InputReader = (name: string) => string

/**
 * Where the assertion comes from: an input's text, a file, or a sign-in at the IdP right before
 * the STS call. Exactly one per run.
 */
export type AssertionSource =
  | { source: 'input'; value: string }
  | { source: 'file'; path: string }
  | { source: 'sign-in'; signIn: SignInSettings }

export const IDP_PROVIDERS: readonly IdpProviderName[] = ['form', 'ecp', 'okta']
export const IDP_TIMEOUT_DEFAULT = 30
const IDP_TIMEOUT_MAX = 600
/** Inputs that only make sense with idp-url (provider and timeout have defaults in action.yml). */
const SIGN_IN_ONLY = ['idp-username', 'idp-password', 'idp-otp-secret'] as const

/** The values to mask before anything else is printed: the raw inputs and their normal forms. */
export function signInSecrets(read: InputReader): string[] {
  const password = read('idp-password')
  const seed = read('idp-otp-secret')
  return [password, password.trim(), seed, seed.trim(), normaliseSeed(seed)].filter(
    value => value.trim() !== ''
  )
}

export function getAssertionSource(read: InputReader): AssertionSource {
  // Not trimmed: raw XML must reach STS byte for byte.
  const value = read('saml-assertion')
  const file = read('saml-assertion-file').trim()
  const idpUrl = read('idp-url').trim()
  const hasValue = value.trim() !== ''
  const given = [
    hasValue && named('saml-assertion'),
    file && named('saml-assertion-file'),
    idpUrl && named('idp-url')
  ].filter((name): name is InputName => Boolean(name))
  if (given.length > 1) {
    throw new InputError([
      given.length === 2 ? 'Both ' : '',
      ...given.flatMap((name, i) => (i === 0 ? [name] : [' and ', name])),
      ' are set. Set exactly one of them.',
      ...(idpUrl
        ? said` Each is a source of the assertion: ${named('idp-url')} signs in at the IdP for a fresh one, the others pass one you already have.`
        : [])
    ])
  }
  if (idpUrl) return { source: 'sign-in', signIn: getSignIn(read, idpUrl) }
  const stray = SIGN_IN_ONLY.find(name => read(name).trim() !== '')
  if (stray) {
    throw new InputError(
      said`${namedFirst(stray)} is set but ${named('idp-url')} is not. Set ${named('idp-url')} to sign in at the IdP, or remove ${named(stray)}.`
    )
  }
  // One place strips the prefix, for the action's input and the CLI's file://PATH alike.
  if (file) return { source: 'file', path: file.replace(/^file:\/\//, '') }
  if (hasValue) return { source: 'input', value }
  throw new InputError(
    said`No SAML assertion given. Set ${named('saml-assertion')} (e.g. from a secret or a previous step's output), ${named('saml-assertion-file')} (a path, file:// accepted), or ${named('idp-url')} with ${named('idp-username')} and ${named('idp-password')} to sign in at the IdP. If it comes from a secret, check that the secret exists and is available to this workflow (secrets are empty in pull requests from forks).`
  )
}

function getSignIn(read: InputReader, urlText: string): SignInSettings {
  let url: URL
  try {
    url = new URL(urlText)
  } catch {
    throw new InputError(
      said`${namedFirst('idp-url')} is not a URL: ${JSON.stringify(urlText.slice(0, 200))}. Use the IdP's sign-in URL, e.g. https://idp.example.com/...`
    )
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    // The password and the assertion would cross the network unencrypted.
    throw new InputError(
      said`${namedFirst('idp-url')} uses plain http to ${url.hostname}; the password would cross the network unencrypted. Use https (plain http is allowed only for loopback test IdPs).`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(said`${namedFirst('idp-url')} must be an https URL, not ${url.protocol}.`)
  }
  if (url.username || url.password) {
    throw new InputError(
      said`${namedFirst('idp-url')} holds credentials (user:password@). Pass them as ${named('idp-username')} and ${named('idp-password')} instead.`
    )
  }
  const providerText = read('idp-provider').trim() || 'form'
  const provider = IDP_PROVIDERS.find(name => name === providerText)
  if (!provider) {
    throw new InputError(
      said`${namedFirst('idp-provider')} must be ${IDP_PROVIDERS.join(', ')}, not ${JSON.stringify(providerText.slice(0, 50))}.`
    )
  }
  const username = read('idp-username').trim()
  if (!username) {
    throw new InputError(
      said`${namedFirst('idp-username')} is required with ${named('idp-url')}. If it comes from a secret, check that the secret exists and is available to this workflow.`
    )
  }
  // Not trimmed: a password may end in a space.
  const password = read('idp-password').replace(/\r?\n$/, '')
  if (password === '') {
    throw new InputError(
      said`${namedFirst('idp-password')} is required with ${named('idp-url')}. If it comes from a secret, check that the secret exists and is available to this workflow (secrets are empty in pull requests from forks).`
    )
  }
  const seedText = read('idp-otp-secret')
  const otpSecret = seedText.trim() === '' ? undefined : normaliseSeed(seedText)
  if (otpSecret !== undefined && !/^[A-Z2-7]+=*$/.test(otpSecret)) {
    // Never echo the seed, not even a part of it.
    throw new InputError(
      said`${namedFirst('idp-otp-secret')} is not a base32 TOTP seed (letters A-Z and digits 2-7). Use the seed shown as text when the authenticator was enrolled, not the 6-digit code or the otpauth:// URL.`
    )
  }
  const timeoutText = read('idp-timeout-seconds').trim()
  let timeoutSeconds = IDP_TIMEOUT_DEFAULT
  if (timeoutText !== '') {
    if (!/^\d+$/.test(timeoutText) || Number(timeoutText) < 1) {
      throw new InputError(
        said`${namedFirst('idp-timeout-seconds')} must be a whole number of seconds between 1 and ${IDP_TIMEOUT_MAX}, not ${JSON.stringify(timeoutText.slice(0, 50))}.`
      )
    }
    timeoutSeconds = Math.min(Number(timeoutText), IDP_TIMEOUT_MAX)
  }
  return { provider, url, username, password, otpSecret, timeoutMs: timeoutSeconds * 1000 }
}

/** Authenticator apps show seeds in groups of four, lower or upper case. */
function normaliseSeed(seed: string): string {
  return seed.replace(/[\s-]/g, '').toUpperCase()
}

/** The assertion exactly as supplied: the input's text, or the file's bytes. */
export async function readAssertion(
  source: Exclude<AssertionSource, { source: 'sign-in' }>
): Promise<string | Buffer> {
  if (source.source === 'input') {
    // Before anything masks it: a 200 MB value would make a 200 MB ::add-mask:: line.
    if (source.value.length > MAX_ASSERTION_BYTES) throw tooLarge("'saml-assertion'", 'characters')
    return source.value
  }
  try {
    return await readCapped(source.path)
  } catch (error) {
    if (error instanceof RunError) throw error
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    // A value this long is no path: most likely the assertion itself, which must not be echoed.
    if (source.path.length > 256) {
      throw new InputError(
        said`${named('saml-assertion-file')} holds ${source.path.length} characters, which is no file path (${code}). If it is the assertion itself, pass it as ${named('saml-assertion')} instead.`
      )
    }
    throw new InputError(
      said`Cannot read ${named('saml-assertion-file')} ${JSON.stringify(source.path)} (${code}). Check the path (absolute, or relative to the working directory: the workspace in a workflow) and that whatever writes the file has run.`
    )
  }
}

/**
 * The most an assertion can take in any form STS could accept: 100,000 base64 characters, with
 * room for URL-encoding, line breaks, UTF-16 and an ECP envelope. Nothing longer is read.
 */
const MAX_ASSERTION_BYTES = 4 * MAX_BASE64_LENGTH

/**
 * A regular file only, read no further than the cap: /dev/zero, /dev/urandom or a FIFO would
 * otherwise be read until memory runs out, or forever. O_NONBLOCK keeps a FIFO swapped in after
 * the stat from blocking the open; the descriptor is checked again.
 */
async function readCapped(path: string): Promise<Buffer> {
  const kind = describeKind(await stat(path))
  if (kind) throw notRegular(path, kind)
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const again = describeKind(await handle.stat())
    if (again) throw notRegular(path, again)
    const buffer = Buffer.alloc(MAX_ASSERTION_BYTES + 1)
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > MAX_ASSERTION_BYTES) throw tooLarge("'saml-assertion-file'", 'bytes')
    return buffer.subarray(0, length)
  } finally {
    await handle.close()
  }
}

function describeKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a named pipe (FIFO)'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  return 'not a regular file'
}

function notRegular(path: string, kind: string): InputError {
  const shown = path.length > 256 ? `(a path of ${path.length} characters)` : JSON.stringify(path)
  return new InputError(
    said`${named('saml-assertion-file')} ${shown} is ${kind}, not a regular file. Write the assertion to a file first and pass that file's path.`
  )
}

function tooLarge(input: string, unit: string): AssertionError {
  return preflightError(
    'too-large',
    `${input} holds more than ${MAX_ASSERTION_BYTES.toLocaleString('en-US')} ${unit}, more than any assertion STS accepts; nothing of it was read further, masked or sent`
  )
}

/** The assertion for this run, from whichever source was given; the action and CLI both call this. */
export async function obtainAssertion(
  source: AssertionSource,
  hooks: SignInHooks
): Promise<string | Buffer> {
  if (source.source === 'sign-in') {
    // Loaded on first use only (a chunk of its own in the bundle): runs that only redeem never
    // read, compile or evaluate the HTML parser, the cookie jar's public suffix list or the OTP code.
    const { signIn } = await import('../idp/sign-in.js')
    return signIn(source.signIn, hooks)
  }
  return readAssertion(source)
}
