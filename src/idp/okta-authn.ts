/**
 * Reading the answers of Okta's classic Authentication API (`/api/v1/authn` and a factor's verify
 * link) into the next step of the sign-in. Pure: the okta provider does the HTTP. Every string
 * here comes from the IdP and is untrusted; tokens are secrets the caller masks.
 */

/** The factor type of an authenticator-app TOTP (Okta Verify's code, Google Authenticator, ...). */
export const TOTP_FACTOR_TYPE = 'token:software:totp'

export type AuthnStep =
  /** Signed in: the one-time session token that the app link redeems. */
  | { kind: 'success'; sessionToken: string }
  /** Password accepted, a second factor is due; `verify` is the TOTP factor's link, if enrolled. */
  | { kind: 'mfa'; stateToken: string; verify?: URL; factorTypes: string[] }
  /** A transaction state this sign-in cannot finish without a person (LOCKED_OUT, ...). */
  | { kind: 'state'; status: string; stateToken?: string }
  /** An Okta error object: `E0000004` for refused credentials, `E0000068` for a refused code. */
  | { kind: 'error'; httpStatus: number; code: string; summary: string }
  /** Not an answer of the Authentication API at all (an HTML page, a proxy's error). */
  | { kind: 'not-okta'; httpStatus: number }

interface AuthnJson {
  status?: unknown
  sessionToken?: unknown
  stateToken?: unknown
  errorCode?: unknown
  errorSummary?: unknown
  errorCauses?: unknown
  _embedded?: { factors?: unknown }
}

interface FactorJson {
  factorType?: unknown
  _links?: { verify?: { href?: unknown } }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined

/** Reads one answer of `/api/v1/authn` or of a factor's verify link. */
export function readAuthnAnswer(httpStatus: number, body: string, org: URL): AuthnStep {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return { kind: 'not-okta', httpStatus }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'not-okta', httpStatus }
  }
  const json = parsed as AuthnJson
  const errorCode = text(json.errorCode)
  if (errorCode !== undefined) {
    return { kind: 'error', httpStatus, code: errorCode, summary: errorSummary(json) }
  }
  const status = text(json.status)
  if (status === undefined) return { kind: 'not-okta', httpStatus }
  const sessionToken = text(json.sessionToken)
  if (status === 'SUCCESS' && sessionToken !== undefined) return { kind: 'success', sessionToken }
  const stateToken = text(json.stateToken)
  if (status === 'MFA_REQUIRED' && stateToken !== undefined) {
    const factors = Array.isArray(json._embedded?.factors)
      ? (json._embedded.factors as FactorJson[])
      : []
    const totp = factors.find(f => f.factorType === TOTP_FACTOR_TYPE)
    return {
      kind: 'mfa',
      stateToken,
      verify: verifyLink(totp, org),
      factorTypes: factors.map(f => text(f.factorType) ?? '?')
    }
  }
  return stateToken === undefined
    ? { kind: 'state', status }
    : { kind: 'state', status, stateToken }
}

/** Okta's summary plus its causes, which hold the specific reason ("Your passcode doesn't match"). */
function errorSummary(json: AuthnJson): string {
  const causes = Array.isArray(json.errorCauses)
    ? (json.errorCauses as { errorSummary?: unknown }[])
        .map(cause => text(cause?.errorSummary))
        .filter((summary): summary is string => summary !== undefined)
    : []
  return [text(json.errorSummary) ?? '', ...causes].filter(part => part !== '').join(': ')
}

/**
 * The factor's verify link, only if it stays on the org's own origin: the stateToken and the
 * code are sent there, so a link elsewhere is not followed.
 */
function verifyLink(factor: FactorJson | undefined, org: URL): URL | undefined {
  const href = text(factor?._links?.verify?.href)
  if (href === undefined) return undefined
  try {
    const url = new URL(href, org)
    return url.origin === org.origin ? url : undefined
  } catch {
    return undefined
  }
}

/** What `/.well-known/okta-organization` says: `idx` is Identity Engine, `v1` Classic. */
export function readPipeline(httpStatus: number, body: string): string | undefined {
  if (httpStatus !== 200) return undefined
  try {
    const parsed = JSON.parse(body) as { pipeline?: unknown }
    return text(parsed?.pipeline)
  } catch {
    return undefined
  }
}
