import { HttpIdpSession } from './idp-session.js'
import { SignInError } from '../errors/run-errors.js'
import type { SignInSettings } from './provider.js'
import { PROVIDERS } from './providers.js'
import { proxyFor } from '../sts/proxy.js'
import { quote } from '../util/log-safety.js'

/** How the sign-in talks to its host (the action's log, or the CLI's stderr). */
export interface SignInHooks {
  /** Register secrets before anything can print them. */
  mask: (values: string[]) => void
  info: (line: string) => void
  env: Record<string, string | undefined>
  /** The `http-proxy` input; else HTTPS_PROXY/HTTP_PROXY from env, NO_PROXY honoured. */
  httpProxy?: string
  /** Called whenever a request is on its way to the IdP: the host may use the wait. */
  whileWaiting?: () => void
}

/**
 * Sign in at the IdP and return the SAMLResponse (base64) it would post to AWS. Every failure is
 * a SignInError, thrown before any request to STS; the password is never sent twice after a
 * refusal (the providers return on the first refusal, the session retries only faults and 5xx).
 * Every value registered as a secret (password, seed, codes, cookies, tokens) is cut out of the
 * error and of every progress line here, in every form a message can quote it: an IdP whose
 * error box echoes the password must not put it on the CLI's stderr, which masks nothing.
 */
export async function signIn(settings: SignInSettings, hooks: SignInHooks): Promise<string> {
  const secrets = new Set<string>()
  const guarded: SignInHooks = {
    ...hooks,
    mask: values => {
      for (const value of values) if (value.trim() !== '') secrets.add(value)
      hooks.mask(values)
    },
    info: line => hooks.info(redactSecrets(line, secrets))
  }
  try {
    return await walk(settings, guarded)
  } catch (error) {
    throw withoutSecrets(error, secrets)
  }
}

async function walk(settings: SignInSettings, hooks: SignInHooks): Promise<string> {
  hooks.mask([settings.password, ...(settings.otpSecret ? [settings.otpSecret] : [])])
  const provider = PROVIDERS[settings.provider]
  const started = Date.now()
  const session = new HttpIdpSession({
    deadline: started + settings.timeoutMs,
    mask: hooks.mask,
    info: hooks.info,
    otpSecret: settings.otpSecret,
    onSent: hooks.whileWaiting,
    proxyFor: url => {
      const proxy = proxyFor(url, hooks.httpProxy, hooks.env)
      // A proxy password is a secret of its own (the engine masks it too, but only later).
      if (proxy?.password) hooks.mask([proxy.password, unescape(proxy.password)])
      return proxy
    }
  })
  hooks.info(
    `Signing in at ${settings.url.host} as ${quote(settings.username)} (${settings.provider}).`
  )
  try {
    const samlResponse = (await provider(settings, session)).replace(/\s+/g, '')
    hooks.mask([samlResponse])
    hooks.info(
      `Signed in: SAMLResponse received after ${session.requests} request(s) in ${((Date.now() - started) / 1000).toFixed(1)}s.`
    )
    return samlResponse
  } finally {
    session.destroy()
  }
}

/** What replaces a secret in a message (the runner's own mask). */
export const REDACTED = '***'
/** quote()'s mark where it cut a long text. */
const TRUNCATED = '…'
/** Shorter starts of a secret before that mark are too likely to be chance to cut. */
const MIN_PARTIAL = 3

/**
 * The text with every secret cut out: as it is, JSON-escaped (quote()), XML-escaped (a SOAP
 * Fault's text), percent- and form-encoded (a URL or form body echoed back).
 * Whitespace may be added, dropped or collapsed anywhere in it (a page's error text is read in
 * pieces at its entities and rejoined with spaces), so it is matched that way too.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret.trim() === '') continue
    const xml = secret
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
    for (const form of [
      secret,
      xml,
      xml.replace(/&apos;/g, '&#39;'),
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2)
    ]) {
      forms.add(form)
      forms.add(JSON.stringify(form).slice(1, -1))
    }
  }
  // Matched in the text with its whitespace taken out, each hit mapped back to the original
  // characters: the same as a pattern with \s* between the characters, but plain string search,
  // so no secret is too long for it (a regular expression of a SAMLResponse's length would not
  // compile, and throwing here would put every secret in the error) and no message is slow.
  const kept: number[] = []
  let bare = ''
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i]!)) continue
    kept.push(i)
    bare += text[i]
  }
  const cut = new Array<boolean>(text.length).fill(false)
  for (const form of forms) {
    const needle = form.replace(/\s+/g, '')
    if (needle === '') continue
    for (let at = bare.indexOf(needle); at >= 0; at = bare.indexOf(needle, at + 1)) {
      cut.fill(true, kept[at], kept[at + needle.length - 1]! + 1)
    }
    // quote() cuts long page text at 300 characters and marks the cut with an ellipsis, so a
    // secret can stand there only in part: its start, right before the mark.
    for (let mark = bare.indexOf(TRUNCATED); mark >= 0; mark = bare.indexOf(TRUNCATED, mark + 1)) {
      for (let length = Math.min(needle.length - 1, mark); length >= MIN_PARTIAL; length--) {
        if (bare.startsWith(needle.slice(0, length), mark - length)) {
          cut.fill(true, kept[mark - length], kept[mark - 1]! + 1)
          break
        }
      }
    }
  }
  let result = ''
  for (let i = 0; i < text.length; i++) {
    if (!cut[i]) result += text[i]
    else if (i === 0 || !cut[i - 1]) result += REDACTED
  }
  return result
}

/** The error with every secret cut out of its message (the same error when none was in it). */
function withoutSecrets(error: unknown, secrets: Set<string>): unknown {
  if (!(error instanceof Error)) return error
  if (error instanceof SignInError) {
    const said = error.said.map(part =>
      typeof part === 'string' ? redactSecrets(part, secrets) : part
    )
    if (said.every((part, i) => part === error.said[i])) return error
    return new SignInError(said, error.code)
  }
  const message = redactSecrets(error.message, secrets)
  if (message !== error.message) {
    error.message = message
    error.stack = `${error.name}: ${message}`
  }
  return error
}

/** Percent-decoding that never throws (a malformed escape stays as it is). */
function unescape(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
