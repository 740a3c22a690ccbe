/**
 * The contract between the sign-in engine and each IdP provider (form, ecp, okta). A provider
 * walks its IdP's flow through the given session and returns the SAMLResponse (base64) that the
 * IdP would post to AWS. Everything after that is the redeeming engine that already exists.
 */

/** Which flow to speak to the IdP (input `idp-provider`). */
export type IdpProviderName = 'form' | 'ecp' | 'okta'

/** Validated sign-in settings, built once from the inputs (or the CLI's options). */
export interface SignInSettings {
  provider: IdpProviderName
  /** Where sign-in starts (input `idp-url`). */
  url: URL
  username: string
  password: string
  /** Base32 TOTP seed (RFC 6238); undefined when MFA is not configured. */
  otpSecret?: string
  /** Budget for the whole sign-in, retries included (input `idp-timeout-seconds`). */
  timeoutMs: number
}

/** One HTTP answer, body already read (and capped). */
export interface IdpResponse {
  /** The URL that answered (after any redirects the session followed). */
  url: URL
  status: number
  /** Response headers (Set-Cookie excluded: cookies stay in the session's jar). */
  headers: ResponseHeaders
  body: string
}

/**
 * The part of the Fetch API's Headers a provider needs. Not Headers itself: Node loads its fetch
 * implementation on first use of that global, which costs a cold run about 25 ms.
 */
export interface ResponseHeaders {
  /** The header's value (several joined with ", "), or null; the name is case-insensitive. */
  get(name: string): string | null
}

export interface IdpRequest {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string | URLSearchParams
  /** HTTP Basic credentials (ECP). Masked like the password. */
  basicAuth?: { username: string; password: string }
  /**
   * The request carries the password or a one-time code: it is retried only when it cannot have
   * reached the IdP (connection refused), never after an answer, because an IdP may answer a
   * refused password with a 5xx and a retry can lock the account.
   */
  carriesSecret?: boolean
}

/**
 * HTTP to the IdP with an in-memory cookie jar (per domain), redirects followed with cookies
 * kept, TLS always verified, plain http only to loopback, https→http redirects refused, response
 * bodies capped, network faults and 5xx retried within the sign-in budget, and every cookie and
 * token masked before anything can print it.
 */
export interface IdpSession {
  request(url: URL | string, init?: IdpRequest): Promise<IdpResponse>
  /** The current TOTP code, computed now; undefined when no seed was given. Masked. */
  otp(): string | undefined
  /** Register a secret found in a page (a token, a code) before anything can print it. */
  mask(value: string): void
  /** A progress line for the log (never a secret, never raw page text at the start of a line). */
  info(line: string): void
}

/** A provider signs in and returns the SAMLResponse as base64, or throws a SignInError. */
export type SignInProvider = (settings: SignInSettings, session: IdpSession) => Promise<string>
