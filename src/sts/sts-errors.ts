import {
  CATALOG_INPUTS,
  catalogEntryFor,
  UNKNOWN_STS_ERROR,
  type CatalogEntry
} from '../errors/error-catalog.js'
import { namedIn } from '../errors/named-inputs.js'
import { RetriesStopped, StsError } from '../errors/run-errors.js'
import { formatDuration } from '../util/duration.js'

/** What the message can say about the request, besides the error itself. */
export interface ErrorContext {
  durationSeconds?: number
  assertionAgeMs?: number
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException'
])

interface SdkLikeError {
  name?: string
  code?: string
  message?: string
  $fault?: string
  $metadata?: { httpStatusCode?: number }
  $response?: unknown
}

/** The STS error code of an SDK or network error, normalised to what STS sends on the wire. */
export function errorCode(error: unknown): { code: string; status?: number } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkLikeError
  const status = e.$metadata?.httpStatusCode
  const name = typeof e.name === 'string' ? e.name : ''
  if (e.code && NETWORK_CODES.has(e.code)) return { code: 'network', status }
  if (NETWORK_CODES.has(name)) return { code: 'network', status }
  // The SDK names modelled errors FooException; STS sends Foo (or FooException for a few).
  if (catalogEntryFor(name)) return { code: name, status }
  const bare = name.replace(/Exception$/, '')
  if (bare && catalogEntryFor(bare)) return { code: bare, status }
  if (status !== undefined && status >= 500) return { code: 'http-5xx', status }
  if (status === 429) return { code: 'Throttling', status }
  // A body the SDK could not parse arrives as a plain Error carrying the raw response. The SDK
  // attaches $response to STS's own error answers too: those carry $fault and a real code.
  const stsAnswered = e.$fault !== undefined && name !== 'Unknown' && name !== 'UnknownError'
  if (
    (e.$response !== undefined && !stsAnswered) ||
    name === 'SyntaxError' ||
    /deserializ/i.test(e.message ?? '')
  ) {
    return { code: 'bad-response', status }
  }
  if (name === 'Error' || name === '' || name === 'TypeError') {
    return { code: status === undefined ? 'network' : name, status }
  }
  return { code: name, status }
}

/**
 * Turn any failure of an STS call into one message that names the problem, quotes what STS said
 * and gives the likely fix. STS messages hold no secrets, but they are quoted as untrusted text.
 */
export function classifyStsError(caught: unknown, context: ErrorContext = {}): StsError {
  const error = caught instanceof RetriesStopped ? caught.last : caught
  const { code, status } = errorCode(error)
  const entry: CatalogEntry = catalogEntryFor(code) ?? UNKNOWN_STS_ERROR
  const said = error instanceof Error && error.message ? error.message : ''
  const label = code === 'network' || code === 'bad-response' || code === 'http-5xx' ? '' : code
  const head = [label, status !== undefined ? `HTTP ${status}` : ''].filter(Boolean).join(', ')

  const parts = [`${entry.problem}${head ? ` (${head})` : ''}.`]
  if (said) parts.push(`STS said: ${JSON.stringify(said.slice(0, 500))}.`)
  parts.push(...specifics(code, said, context))
  if (caught instanceof RetriesStopped && caught.reason !== 'not retryable') {
    parts.push(
      caught.attempts === 1 && caught.reason === 'attempts exhausted'
        ? 'Retries are disabled (one attempt).'
        : `Gave up after ${caught.attempts} attempts: ${caught.reason}.`
    )
  }
  parts.push(`Likely cause: ${entry.cause}`, `Fix: ${entry.fix}`)
  return new StsError(namedIn(parts.join(' '), CATALOG_INPUTS), code, entry.retryable, status)
}

function specifics(code: string, said: string, context: ErrorContext): string[] {
  if (code === 'ValidationError' && /MaxSessionDuration/i.test(said)) {
    const asked = context.durationSeconds !== undefined ? ` (${context.durationSeconds} s)` : ''
    return [
      `The requested 'role-duration-seconds'${asked} is longer than the role's MaxSessionDuration.`
    ]
  }
  if (
    (code === 'ExpiredToken' || code === 'ExpiredTokenException') &&
    context.assertionAgeMs !== undefined
  ) {
    return [`The assertion was issued ${formatDuration(context.assertionAgeMs)} before this call.`]
  }
  return []
}
