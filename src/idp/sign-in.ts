import { HttpIdpSession } from './idp-session.js'
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
 */
export async function signIn(settings: SignInSettings, hooks: SignInHooks): Promise<string> {
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

/** Percent-decoding that never throws (a malformed escape stays as it is). */
function unescape(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
