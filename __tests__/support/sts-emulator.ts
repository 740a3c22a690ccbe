// A strict, local AWS STS emulator speaking the Query protocol (form-encoded POST or GET query) on
// 127.0.0.1. It checks a SAML Response the way STS does (signature against the registered IdP
// certificate, issuer, audience, recipient, validity window, role pair, session name, duration,
// session policy) and answers with AWS-shaped XML, so a client tested against it meets the same
// failures it would meet in AWS. Fault injection covers throttling, 5xx, resets, hangs and garbage.
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { deflateRawSync } from 'node:zlib'
import { DOMParser, onWarningStopParsing, type Document, type Element } from '@xmldom/xmldom'
import { SignedXml } from 'xml-crypto'
import {
  SIGV4_ALGORITHM,
  canonicalRequest,
  credentialScope,
  deriveSigningKey,
  sha256Hex,
  signatureHex,
  stringToSign
} from './sigv4.js'
import {
  AWS_SAML_ENDPOINT,
  ROLE_ATTRIBUTE,
  ROLE_SESSION_NAME_ATTRIBUTE,
  SAML_ASSERTION_NS,
  SAML_PROTOCOL_NS,
  SOURCE_IDENTITY_ATTRIBUTE,
  STATUS_SUCCESS,
  XMLDSIG_NS,
  createTestIdp,
  escapeXml,
  type RolePairSpec,
  type TestIdp
} from './test-idp.js'
import { mulberry32 } from './seeded-random.js'

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'
export const STS_API_VERSION = '2011-06-15'
/** The byte budget a packed session policy is measured against (PackedPolicySize = % of it). */
export const PACKED_POLICY_BUDGET_BYTES = 1024

export type Fault =
  | {
      kind: 'throttle'
      times: number
      code?:
        'Throttling' | 'ThrottlingException' | 'RequestLimitExceeded' | 'TooManyRequestsException'
      status?: number
    }
  | { kind: 'status'; status: number; times: number }
  | { kind: 'hang'; times: number }
  | { kind: 'reset'; times: number }
  | { kind: 'garbage'; times: number }
  | { kind: 'error'; times: number; code: string; status: number; message?: string }
  /** Any answer at all: what a captive portal, a misrouted proxy or another service sends. */
  | {
      kind: 'answer'
      times: number
      status: number
      body: string
      contentType?: string
      headers?: Record<string, string>
    }

export interface RecordedRequest {
  action: string
  params: Record<string, string>
  headers: http.IncomingHttpHeaders
  at: number
  /** The request line carried an absolute URI, i.e. it came through an HTTP proxy. */
  viaProxy: boolean
  method: string
  /** The request target as sent (absolute URI when via a proxy). */
  url: string
  /** The region the request was addressed to (SigV4 scope, sts.<region> host, or /<region>/ path). */
  region: string
}

export interface RoleOptions {
  maxSessionDuration?: number
  deny?: boolean
  externalId?: string
}

export interface IssuedCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
  roleArn: string
  /** arn:<partition>:sts::<account>:assumed-role/<RoleName>/<RoleSessionName> */
  arn: string
  /** <RoleId>:<RoleSessionName> */
  assumedRoleId: string
  account: string
  sessionName: string
  /** Issued by AssumeRole (role chaining) rather than AssumeRoleWithSAML. */
  chained: boolean
  sourceIdentity?: string
  /** Session tags an AssumeRole request passed (chaining), and which of them are transitive. */
  tags?: Record<string, string>
  transitiveTagKeys?: string[]
}

export interface StsEmulator {
  url: string
  port: number
  requests: RecordedRequest[]
  requestCount(action?: string): number
  registerProvider(principalArn: string, certPem: string, opts?: { issuer?: string }): void
  registerRole(roleArn: string, opts?: RoleOptions): void
  inject(fault: Fault): void
  setThrottleRate(rate: number, seed?: number): void
  clearFaults(): void
  reset(): void
  close(): Promise<void>
  /** Beyond the brief: every credential set the emulator has issued, oldest first. */
  issuedCredentials(): IssuedCredentials[]
}

export interface EmulatorOptions {
  port?: number
  /** Audience(s) accepted in AudienceRestriction; default https://signin.aws.amazon.com/saml. */
  audience?: string | string[]
  /** Required SubjectConfirmationData Recipient (and Response Destination, when present). */
  recipient?: string
  /** Oldest IssueInstant STS still redeems, in seconds (default 300). */
  maxAssertionAgeSeconds?: number
  now?: () => Date
  idleTimeoutMs?: number
  disabledRegions?: string[]
  /** Returns the decrypted <Assertion> XML of a Response holding an EncryptedAssertion. */
  decryptEncrypted?: (xml: string) => string | undefined
  /** Tolerance for NotBefore / IssueInstant in the future, in seconds (default 0: strict). */
  clockSkewSeconds?: number
  /** Region assumed when a request names none (default us-east-1, the global endpoint's). */
  defaultRegion?: string
}

// ---------------------------------------------------------------------------------------------
// Errors

export class StsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

/** The exact messages the emulator answers with, so tests can match them without retyping. */
export const STS_MESSAGES = {
  signatureInvalid: 'Response signature invalid',
  providerNotFound: "Specified provider doesn't exist.",
  issuerMismatch: 'Issuer not present in specified provider',
  audience: 'Response does not contain the required audience.',
  recipient: 'Response does not contain the required recipient.',
  destination: 'Response Destination does not match the required recipient.',
  expired: 'Response has expired',
  notYetValid: 'Response is not yet valid',
  tooOld: (seconds: number): string =>
    seconds % 60 === 0
      ? `Token must be redeemed within ${seconds / 60} minutes of issuance`
      : `Token must be redeemed within ${seconds} seconds of issuance`,
  notAuthorizedSaml: 'Not authorized to perform sts:AssumeRoleWithSAML',
  sessionNameRequired: 'RoleSessionName is required in AuthnResponse',
  sessionNamePattern: 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}',
  sourceIdentityPattern:
    'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"',
  maxSessionDuration:
    'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  chainedDuration:
    'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
  cannotDecrypt:
    'Unable to process the SAML response: could not decrypt the EncryptedAssertion (no decryption key for this provider)',
  notAResponse: 'Invalid SAML response: the document element is not a samlp:Response',
  malformedPolicy: 'Syntax errors in policy.',
  invalidClientToken: 'The security token included in the request is invalid.',
  expiredClientToken: 'The security token included in the request is expired',
  signatureMismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  missingAuth: 'Request is missing Authentication Token',
  throttled: 'Rate exceeded'
} as const

const validation = (message: string): StsError => new StsError('ValidationError', 400, message)
const invalidToken = (message: string): StsError =>
  new StsError('InvalidIdentityToken', 400, message)
const expiredToken = (message: string): StsError =>
  new StsError('ExpiredTokenException', 400, message)
const accessDenied = (message: string): StsError => new StsError('AccessDenied', 403, message)

// ---------------------------------------------------------------------------------------------
// ARNs

const ROLE_ARN_RE = /^arn:(aws[\w-]*):iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/
const PROVIDER_ARN_RE = /^arn:(aws[\w-]*):iam::(\d{12}):saml-provider\/([\w.-]{1,128})$/
const POLICY_ARN_RE = /^arn:(aws[\w-]*):iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/
const REGION_RE = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/

interface RoleArnParts {
  partition: string
  account: string
  name: string
}

function parseRoleArn(arn: string): RoleArnParts | undefined {
  const m = ROLE_ARN_RE.exec(arn)
  return m ? { partition: m[1]!, account: m[2]!, name: m[4]! } : undefined
}

function parseProviderArn(arn: string): { account: string; name: string } | undefined {
  const m = PROVIDER_ARN_RE.exec(arn)
  return m ? { account: m[2]!, name: m[3]! } : undefined
}

// ---------------------------------------------------------------------------------------------
// Random identifiers shaped like AWS's

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const randomFrom = (alphabet: string, length: number): string =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('')

function newCredentials(): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  return {
    accessKeyId: `ASIA${randomFrom(BASE32, 16)}`,
    // 30 random bytes are exactly 40 base64 characters, with '+' and '/' like real secrets.
    secretAccessKey: randomBytes(30).toString('base64'),
    // Real tokens are several hundred base64 characters and start the same way.
    sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(612).toString('base64')}`
  }
}

// AWS timestamps carry whole seconds.
const awsTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

// ---------------------------------------------------------------------------------------------
// XML helpers

function parseXml(xml: string): Document {
  // No DTDs at all: entity tricks have no place in a SAML response.
  if (/<!DOCTYPE/i.test(xml)) throw invalidToken('Invalid SAML response: DTDs are not allowed')
  try {
    return new DOMParser({ onError: onWarningStopParsing }).parseFromString(xml, 'application/xml')
  } catch {
    throw invalidToken('Invalid SAML response: the document is not well-formed XML')
  }
}

function childElements(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = []
  for (const node of Array.from(el.childNodes)) {
    if (node.nodeType !== 1) continue
    const child = node as Element
    if (child.namespaceURI === ns && child.localName === local) out.push(child)
  }
  return out
}

const firstChild = (el: Element | undefined, ns: string, local: string): Element | undefined =>
  el ? childElements(el, ns, local)[0] : undefined

const textOf = (el: Element | undefined): string => (el?.textContent ?? '').trim()

function parseInstant(value: string | null, what: string): Date {
  const d = value ? new Date(value) : undefined
  if (!d || Number.isNaN(d.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(value ?? '')) {
    throw invalidToken(`Invalid SAML response: ${what} is not a valid xs:dateTime`)
  }
  return d
}

const optionalInstant = (el: Element, attr: string, what: string): Date | undefined =>
  el.hasAttribute(attr) ? parseInstant(el.getAttribute(attr), what) : undefined

/**
 * The verdict of a signature check is a pure function of (document, element ID, certificate).
 * Fan-out redeems one assertion for many roles at once; real STS checks those on its own machines,
 * while this emulator shares the client's two cores, so it remembers recent verdicts rather than
 * make the benchmark measure RSA and canonicalisation instead of the action.
 */
const signatureVerdicts = new Map<string, string | undefined>()

function checkedSignature(
  xml: string,
  id: string,
  certPem: string,
  signature: Element
): string | undefined {
  const key = createHash('sha256')
    .update(xml)
    .update('\0')
    .update(id)
    .update('\0')
    .update(certPem)
    .digest('hex')
  if (signatureVerdicts.has(key)) return signatureVerdicts.get(key)
  let verdict: string | undefined
  const verifier = new SignedXml({ publicCert: certPem })
  try {
    verifier.loadSignature(signature)
    if (verifier.checkSignature(xml)) {
      const signed = verifier.getSignedReferences()
      verdict = signed.length === 1 ? signed[0] : undefined
    }
  } catch {
    verdict = undefined
  }
  if (signatureVerdicts.size >= 256) signatureVerdicts.clear()
  signatureVerdicts.set(key, verdict)
  return verdict
}

/**
 * Verifies the enveloped signature that is a direct child of `el`, against `certPem` only (never a
 * certificate embedded in KeyInfo). Returns the signed content re-parsed from what xml-crypto
 * actually digested, so every value read afterwards is covered by the signature (no wrapping).
 */
function verifiedCopy(xml: string, el: Element, certPem: string): Element | 'unsigned' | 'invalid' {
  const signatures = childElements(el, XMLDSIG_NS, 'Signature')
  if (signatures.length === 0) return 'unsigned'
  const id = el.getAttribute('ID')
  if (signatures.length > 1 || !id) return 'invalid'
  // The one Reference must point at the element that envelops the signature.
  const signedInfo = firstChild(signatures[0], XMLDSIG_NS, 'SignedInfo')
  const references = signedInfo ? childElements(signedInfo, XMLDSIG_NS, 'Reference') : []
  if (references.length !== 1 || references[0]!.getAttribute('URI') !== `#${id}`) return 'invalid'
  const signedReference = checkedSignature(xml, id, certPem, signatures[0]!)
  if (signedReference === undefined) return 'invalid'
  let copy: Element | null
  try {
    copy = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
      signedReference,
      'application/xml'
    ).documentElement
  } catch {
    return 'invalid'
  }
  if (
    !copy ||
    copy.namespaceURI !== el.namespaceURI ||
    copy.localName !== el.localName ||
    copy.getAttribute('ID') !== id
  ) {
    return 'invalid'
  }
  return copy
}

// ---------------------------------------------------------------------------------------------
// Response XML

function element(name: string, value: string | number | undefined, indent: string): string {
  return value === undefined ? '' : `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`
}

function successXml(action: string, resultBody: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${STS_NAMESPACE}">\n` +
    `  <${action}Result>\n${resultBody}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`
  )
}

function errorXml(code: string, status: number, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n` +
    `  <Error>\n` +
    `    <Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>\n` +
    `    <Code>${escapeXml(code)}</Code>\n` +
    `    <Message>${escapeXml(message)}</Message>\n` +
    `  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`
  )
}

function credentialsXml(c: IssuedCredentials): string {
  return (
    `    <Credentials>\n` +
    element('AccessKeyId', c.accessKeyId, '      ') +
    element('SecretAccessKey', c.secretAccessKey, '      ') +
    element('SessionToken', c.sessionToken, '      ') +
    element('Expiration', awsTime(c.expiration), '      ') +
    `    </Credentials>\n`
  )
}

function assumedRoleUserXml(c: IssuedCredentials): string {
  return (
    `    <AssumedRoleUser>\n` +
    element('Arn', c.arn, '      ') +
    element('AssumedRoleId', c.assumedRoleId, '      ') +
    `    </AssumedRoleUser>\n`
  )
}

// ---------------------------------------------------------------------------------------------
// The emulator

interface RoleRecord extends Required<Omit<RoleOptions, 'externalId'>> {
  arn: RoleArnParts
  roleArn: string
  roleId: string
  externalId?: string
}

interface ProviderRecord {
  certPem: string
  issuer?: string
  account: string
  name: string
}

interface RequestContext {
  req: http.IncomingMessage
  rawBody: Buffer
  rawTarget: string
  params: Record<string, string>
  region: string
  requestId: string
}

const MAX_BODY_BYTES = 1024 * 1024

export async function startStsEmulator(opts: EmulatorOptions = {}): Promise<StsEmulator> {
  const now = opts.now ?? ((): Date => new Date())
  const audiences = [opts.audience ?? AWS_SAML_ENDPOINT].flat()
  const recipient = opts.recipient ?? AWS_SAML_ENDPOINT
  const maxAgeSeconds = opts.maxAssertionAgeSeconds ?? 300
  const skewMs = (opts.clockSkewSeconds ?? 0) * 1000
  const defaultRegion = opts.defaultRegion ?? 'us-east-1'
  const disabledRegions = new Set(opts.disabledRegions ?? [])

  const providers = new Map<string, ProviderRecord>()
  const roles = new Map<string, RoleRecord>()
  const issued = new Map<string, IssuedCredentials>()
  const requests: RecordedRequest[] = []
  const faults: Array<{ fault: Fault; remaining: number }> = []
  const sockets = new Set<Socket>()
  let throttleRate = 0
  let random: () => number = Math.random
  let idleTimer: NodeJS.Timeout | undefined
  let closing: Promise<void> | undefined

  // ---- request plumbing ----------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    void handle(req, res)
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    // Open keep-alive or hung sockets must not keep a test process alive either.
    socket.unref()
    socket.on('close', () => sockets.delete(socket))
  })

  function touch(): void {
    if (opts.idleTimeoutMs === undefined) return
    if (idleTimer) clearTimeout(idleTimer)
    idleTimer = setTimeout(() => void close(), opts.idleTimeoutMs)
    idleTimer.unref()
  }

  function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    return new Promise(resolve => {
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_BODY_BYTES) chunks.push(chunk)
      })
      req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined))
      req.on('error', () => resolve(undefined))
    })
  }

  function send(
    res: http.ServerResponse,
    status: number,
    body: string,
    requestId: string,
    contentType = 'text/xml'
  ): void {
    if (res.destroyed) return
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
      date: new Date().toUTCString()
    })
    res.end(body)
  }

  function sendError(res: http.ServerResponse, e: StsError, requestId: string): void {
    send(res, e.status, errorXml(e.code, e.status, e.message, requestId), requestId)
  }

  function regionOf(req: http.IncomingMessage, rawTarget: string): string {
    const auth = req.headers.authorization ?? ''
    const scoped = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(auth)
    if (scoped) return scoped[1]!
    const host = /^sts\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$/i.exec(
      req.headers.host ?? ''
    )
    if (host && REGION_RE.test(host[1]!)) return host[1]!
    const first = splitTarget(rawTarget).path.split('/')[1] ?? ''
    return REGION_RE.test(first) ? first : defaultRegion
  }

  function takeFault(): Fault | undefined {
    const head = faults[0]
    if (!head) return undefined
    head.remaining--
    if (head.remaining <= 0) faults.shift()
    return head.fault
  }

  function applyFault(
    fault: Fault,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    id: string
  ) {
    switch (fault.kind) {
      case 'throttle':
        return sendError(
          res,
          new StsError(fault.code ?? 'Throttling', fault.status ?? 400, STS_MESSAGES.throttled),
          id
        )
      case 'status': {
        const code = fault.status === 503 ? 'ServiceUnavailable' : 'InternalFailure'
        const message =
          fault.status === 503
            ? 'Service Unavailable'
            : 'The request processing has failed because of an unknown error, exception or failure.'
        return sendError(res, new StsError(code, fault.status, message), id)
      }
      case 'error':
        return sendError(
          res,
          new StsError(fault.code, fault.status, fault.message ?? fault.code),
          id
        )
      case 'garbage':
        return send(
          res,
          200,
          'upstream connect error or disconnect/reset before headers. reset reason: overflow\n',
          id,
          'text/plain'
        )
      case 'answer':
        if (res.destroyed) return
        res.writeHead(fault.status, {
          'content-type': fault.contentType ?? 'text/html',
          'content-length': Buffer.byteLength(fault.body),
          ...fault.headers
        })
        res.end(fault.body)
        return
      case 'reset':
        // An RST, not a clean FIN, so clients see ECONNRESET as with a dropped connection.
        req.socket.resetAndDestroy()
        return
      case 'hang':
        // Never answer; close() destroys the socket.
        return
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID()
    const rawBody = await readBody(req)
    touch()
    const rawTarget = req.url ?? '/'
    const viaProxy = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawTarget)
    const params: Record<string, string> = {}
    for (const [k, v] of new URLSearchParams(splitTarget(rawTarget).query)) params[k] = v
    const contentType = req.headers['content-type'] ?? ''
    if (rawBody && /^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      for (const [k, v] of new URLSearchParams(rawBody.toString('utf8'))) params[k] = v
    }
    const region = regionOf(req, rawTarget)
    requests.push({
      action: params.Action ?? '',
      params,
      headers: req.headers,
      at: Date.now(),
      viaProxy,
      method: req.method ?? 'GET',
      url: rawTarget,
      region
    })

    const fault = takeFault()
    if (fault) return applyFault(fault, req, res, requestId)
    if (throttleRate > 0 && random() < throttleRate) {
      return applyFault({ kind: 'throttle', times: 1 }, req, res, requestId)
    }

    try {
      if (!rawBody) throw validation('Request body too large or unreadable')
      const ctx: RequestContext = { req, rawBody, rawTarget, params, region, requestId }
      const body = dispatch(ctx)
      send(res, 200, body, requestId)
    } catch (e) {
      if (e instanceof StsError) return sendError(res, e, requestId)
      const message = e instanceof Error ? e.message : String(e)
      sendError(res, new StsError('InternalFailure', 500, `Emulator bug: ${message}`), requestId)
    }
  }

  function dispatch(ctx: RequestContext): string {
    const { Action: action, Version: version } = ctx.params
    if (!action) throw new StsError('MissingAction', 400, 'Missing Action')
    if (version !== STS_API_VERSION) {
      throw new StsError(
        'InvalidAction',
        400,
        `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`
      )
    }
    switch (action) {
      case 'AssumeRoleWithSAML':
        return assumeRoleWithSaml(ctx)
      case 'AssumeRole':
        return assumeRole(ctx)
      case 'GetCallerIdentity':
        return getCallerIdentity(ctx)
      default:
        throw new StsError(
          'InvalidAction',
          400,
          `Could not find operation ${action} for version ${STS_API_VERSION}`
        )
    }
  }

  // ---- shared parameter checks -------------------------------------------------------------

  function required(params: Record<string, string>, name: string, member: string): string {
    const value = params[name]
    if (value === undefined) {
      throw validation(
        `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`
      )
    }
    return value
  }

  function lengthCheck(value: string, member: string, min: number, max: number): void {
    if (value.length < min) {
      throw validation(
        `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`
      )
    }
    if (value.length > max) {
      throw validation(
        `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`
      )
    }
  }

  function durationParam(params: Record<string, string>): number {
    const raw = params.DurationSeconds
    if (raw === undefined) return 3600
    if (!/^\d+$/.test(raw)) {
      throw validation(`Value '${raw}' for parameter DurationSeconds is invalid`)
    }
    const value = Number(raw)
    if (value < 900) {
      throw validation(
        `1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`
      )
    }
    if (value > 43200) {
      throw validation(
        `1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`
      )
    }
    return value
  }

  /** Tags / TransitiveTagKeys of an AssumeRole request, checked as STS checks them. */
  function sessionTags(
    params: Record<string, string>
  ): Pick<IssuedCredentials, 'tags' | 'transitiveTagKeys'> | undefined {
    const members = (prefix: string, field = ''): string[] =>
      Object.keys(params)
        .map(k => new RegExp(`^${prefix}\\.member\\.(\\d+)${field.replace('.', '\\.')}$`).exec(k))
        .filter((m): m is RegExpExecArray => m !== null)
        .sort((x, y) => Number(x[1]) - Number(y[1]))
        .map(m => params[m[0]]!)
    const keys = members('Tags', '.Key')
    const values = members('Tags', '.Value')
    const transitive = members('TransitiveTagKeys')
    if (keys.length === 0 && transitive.length === 0) return undefined
    if (keys.length > 50) {
      throw validation(
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
      )
    }
    const text = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u
    const tags: Record<string, string> = {}
    keys.forEach((key, i) => {
      const value = values[i] ?? ''
      if (key.length < 1 || key.length > 128 || !text.test(key)) {
        throw validation(
          `1 validation error detected: Value at 'tags.${i + 1}.member.key' failed to satisfy constraint`
        )
      }
      if (value.length > 256 || !text.test(value)) {
        throw validation(
          `1 validation error detected: Value at 'tags.${i + 1}.member.value' failed to satisfy constraint`
        )
      }
      if (Object.keys(tags).some(k => k.toLowerCase() === key.toLowerCase())) {
        throw new StsError(
          'InvalidParameterValue',
          400,
          'Duplicate tag keys found. Please note that Tag keys are case insensitive.'
        )
      }
      tags[key] = value
    })
    for (const key of transitive) {
      if (!Object.keys(tags).some(k => k.toLowerCase() === key.toLowerCase())) {
        throw new StsError(
          'InvalidParameterValue',
          400,
          'The specified transitive tag key must be included in the requested tags.'
        )
      }
    }
    return { tags, transitiveTagKeys: transitive }
  }

  /** Validates Policy / PolicyArns and returns PackedPolicySize (undefined when none given). */
  function sessionPolicy(params: Record<string, string>): number | undefined {
    const policy = params.Policy
    const arnKeys = Object.keys(params).filter(k => /^PolicyArns\.member\.\d+\.arn$/.test(k))
    const arns = arnKeys.map(k => params[k]!)
    if (arns.length > 10) {
      throw validation(
        "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10"
      )
    }
    for (const arn of arns) {
      if (!POLICY_ARN_RE.test(arn)) throw validation(`Invalid ARN: ${arn}`)
    }
    let compact = ''
    if (policy !== undefined) {
      lengthCheck(policy, 'policy', 1, 2048)
      let parsed: unknown
      try {
        parsed = JSON.parse(policy)
      } catch {
        throw new StsError('MalformedPolicyDocument', 400, STS_MESSAGES.malformedPolicy)
      }
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        Array.isArray(parsed) ||
        !('Statement' in parsed)
      ) {
        throw new StsError('MalformedPolicyDocument', 400, STS_MESSAGES.malformedPolicy)
      }
      compact = JSON.stringify(parsed)
    }
    if (policy === undefined && arns.length === 0) return undefined
    // AWS packs (compresses) policies and ARNs into a binary form with a fixed budget.
    const packed = deflateRawSync(Buffer.from([compact, ...arns].join('\n'), 'utf8')).length
    const percent = Math.max(1, Math.ceil((packed * 100) / PACKED_POLICY_BUDGET_BYTES))
    if (percent > 100) {
      throw new StsError(
        'PackedPolicyTooLarge',
        400,
        `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`
      )
    }
    return percent
  }

  function checkRegion(region: string, account: string): void {
    if (disabledRegions.has(region)) {
      throw new StsError(
        'RegionDisabledException',
        403,
        `STS is not activated in this region for account:${account}. Your account administrator can activate STS in this region using the IAM Console.`
      )
    }
  }

  function issue(
    role: RoleRecord,
    sessionName: string,
    durationSeconds: number,
    chained: boolean,
    sourceIdentity: string | undefined,
    notAfter?: Date
  ): IssuedCredentials {
    let expiration = new Date(now().getTime() + durationSeconds * 1000)
    if (notAfter && notAfter < expiration) expiration = notAfter
    const creds: IssuedCredentials = {
      ...newCredentials(),
      expiration,
      roleArn: role.roleArn,
      arn: `arn:${role.arn.partition}:sts::${role.arn.account}:assumed-role/${role.arn.name}/${sessionName}`,
      assumedRoleId: `${role.roleId}:${sessionName}`,
      account: role.arn.account,
      sessionName,
      chained
    }
    if (sourceIdentity !== undefined) creds.sourceIdentity = sourceIdentity
    issued.set(creds.accessKeyId, creds)
    return creds
  }

  // ---- AssumeRoleWithSAML --------------------------------------------------------------------

  function assumeRoleWithSaml(ctx: RequestContext): string {
    const p = ctx.params
    const roleArn = required(p, 'RoleArn', 'roleArn')
    const principalArn = required(p, 'PrincipalArn', 'principalArn')
    const assertion = required(p, 'SAMLAssertion', 'sAMLAssertion')
    lengthCheck(roleArn, 'roleArn', 20, 2048)
    lengthCheck(principalArn, 'principalArn', 20, 2048)
    lengthCheck(assertion, 'SAMLAssertion', 4, 100000)
    const durationSeconds = durationParam(p)
    const roleParts = parseRoleArn(roleArn)
    if (!roleParts || !parseProviderArn(principalArn)) throw validation('Request ARN is invalid')
    const packedPolicySize = sessionPolicy(p)
    checkRegion(ctx.region, roleParts.account)

    const provider = providers.get(principalArn)
    if (!provider) throw invalidToken(STS_MESSAGES.providerNotFound)

    // Line breaks are tolerated (MIME-style base64); anything else, e.g. a '+' that was sent
    // unencoded and arrived as a space, is not.
    const b64 = assertion.replace(/\r?\n/g, '')
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) {
      throw invalidToken('Invalid SAML response: SAMLAssertion is not valid base64')
    }
    const xml = Buffer.from(b64, 'base64').toString('utf8')
    const doc = parseXml(xml)
    const root = doc.documentElement
    if (!root || root.namespaceURI !== SAML_PROTOCOL_NS || root.localName !== 'Response') {
      throw invalidToken(STS_MESSAGES.notAResponse)
    }

    const statusCode = firstChild(
      firstChild(root, SAML_PROTOCOL_NS, 'Status'),
      SAML_PROTOCOL_NS,
      'StatusCode'
    )
    const statusValue = statusCode?.getAttribute('Value') ?? ''
    if (statusValue !== STATUS_SUCCESS) {
      throw new StsError(
        'IDPRejectedClaim',
        403,
        `The identity provider reported that authentication failed (StatusCode ${statusValue || 'missing'}).`
      )
    }

    const plain = childElements(root, SAML_ASSERTION_NS, 'Assertion')
    const encrypted = childElements(root, SAML_ASSERTION_NS, 'EncryptedAssertion')
    if (plain.length + encrypted.length !== 1) {
      throw invalidToken('Invalid SAML response: it must contain exactly one Assertion')
    }

    const responseCopy = verifiedCopy(xml, root, provider.certPem)
    if (responseCopy === 'invalid') throw invalidToken(STS_MESSAGES.signatureInvalid)

    let assertionEl: Element
    if (encrypted.length === 1) {
      const decrypted = opts.decryptEncrypted?.(xml)
      if (decrypted === undefined) throw invalidToken(STS_MESSAGES.cannotDecrypt)
      const decryptedRoot = parseXml(decrypted).documentElement
      if (
        !decryptedRoot ||
        decryptedRoot.namespaceURI !== SAML_ASSERTION_NS ||
        decryptedRoot.localName !== 'Assertion'
      ) {
        throw invalidToken(STS_MESSAGES.cannotDecrypt)
      }
      const copy = verifiedCopy(decrypted, decryptedRoot, provider.certPem)
      if (copy === 'invalid') throw invalidToken(STS_MESSAGES.signatureInvalid)
      // Unsigned plaintext is acceptable only inside a signed Response.
      if (copy === 'unsigned' && responseCopy === 'unsigned') {
        throw invalidToken(STS_MESSAGES.signatureInvalid)
      }
      assertionEl = copy === 'unsigned' ? decryptedRoot : copy
    } else {
      const copy = verifiedCopy(xml, plain[0]!, provider.certPem)
      if (copy === 'invalid') throw invalidToken(STS_MESSAGES.signatureInvalid)
      if (copy !== 'unsigned') {
        assertionEl = copy
      } else if (responseCopy !== 'unsigned') {
        const signedAssertions = childElements(responseCopy, SAML_ASSERTION_NS, 'Assertion')
        if (signedAssertions.length !== 1) throw invalidToken(STS_MESSAGES.signatureInvalid)
        assertionEl = signedAssertions[0]!
      } else {
        throw invalidToken(STS_MESSAGES.signatureInvalid)
      }
    }

    // From here on every value comes from signed content.
    const A = SAML_ASSERTION_NS
    const issuer = textOf(firstChild(assertionEl, A, 'Issuer'))
    if (!issuer) throw invalidToken('Invalid SAML response: the Assertion has no Issuer')
    const responseIssuer = firstChild(root, A, 'Issuer')
    if (provider.issuer !== undefined && issuer !== provider.issuer) {
      throw invalidToken(STS_MESSAGES.issuerMismatch)
    }
    if (responseIssuer && textOf(responseIssuer) !== issuer) {
      throw invalidToken(STS_MESSAGES.issuerMismatch)
    }

    const at = now().getTime()
    const issueInstant = parseInstant(assertionEl.getAttribute('IssueInstant'), 'IssueInstant')
    const subject = firstChild(assertionEl, A, 'Subject')
    const nameId = firstChild(subject, A, 'NameID')
    const subjectValue = textOf(nameId)
    if (!nameId || !subjectValue) {
      throw invalidToken('Invalid SAML response: the Assertion has no Subject NameID')
    }

    // A bearer SubjectConfirmation addressed to the AWS endpoint, still within its window.
    const confirmations = subject ? childElements(subject, A, 'SubjectConfirmation') : []
    const bearer = confirmations
      .filter(c => c.getAttribute('Method') === 'urn:oasis:names:tc:SAML:2.0:cm:bearer')
      .map(c => firstChild(c, A, 'SubjectConfirmationData'))
      .filter((d): d is Element => d !== undefined && d.getAttribute('Recipient') === recipient)
    const confirmation = bearer[0]
    if (!confirmation) throw invalidToken(STS_MESSAGES.recipient)
    const destination = root.getAttribute('Destination')
    if (destination && destination !== recipient) throw invalidToken(STS_MESSAGES.destination)

    const conditions = firstChild(assertionEl, A, 'Conditions')
    if (!conditions) throw invalidToken(STS_MESSAGES.audience)
    const notBefore = optionalInstant(conditions, 'NotBefore', 'Conditions/@NotBefore')
    const notOnOrAfter = optionalInstant(conditions, 'NotOnOrAfter', 'Conditions/@NotOnOrAfter')
    const confirmNotOnOrAfter = optionalInstant(
      confirmation,
      'NotOnOrAfter',
      'SubjectConfirmationData/@NotOnOrAfter'
    )
    const confirmNotBefore = optionalInstant(
      confirmation,
      'NotBefore',
      'SubjectConfirmationData/@NotBefore'
    )
    if (!confirmNotOnOrAfter) {
      throw invalidToken('Invalid SAML response: SubjectConfirmationData has no NotOnOrAfter')
    }
    for (const limit of [notOnOrAfter, confirmNotOnOrAfter]) {
      if (limit && at >= limit.getTime()) throw expiredToken(STS_MESSAGES.expired)
    }
    for (const start of [notBefore, confirmNotBefore, issueInstant]) {
      if (start && start.getTime() > at + skewMs) throw invalidToken(STS_MESSAGES.notYetValid)
    }
    if (at - issueInstant.getTime() > maxAgeSeconds * 1000) {
      throw expiredToken(STS_MESSAGES.tooOld(maxAgeSeconds))
    }
    const audienceValues = childElements(conditions, A, 'AudienceRestriction').flatMap(r =>
      childElements(r, A, 'Audience').map(a => textOf(a))
    )
    if (!audienceValues.some(a => audiences.includes(a))) {
      throw invalidToken(STS_MESSAGES.audience)
    }

    const attributes = new Map<string, string[]>()
    for (const statement of childElements(assertionEl, A, 'AttributeStatement')) {
      for (const attr of childElements(statement, A, 'Attribute')) {
        const name = attr.getAttribute('Name') ?? ''
        const values = childElements(attr, A, 'AttributeValue').map(v => textOf(v))
        attributes.set(name, [...(attributes.get(name) ?? []), ...values])
      }
    }

    // The requested pair must be one the IdP granted: "role,provider" in either order. Empty
    // parts around the pair (Google Workspace's trailing comma) are reported to be accepted.
    const granted = (attributes.get(ROLE_ATTRIBUTE) ?? []).some(value => {
      const parts = value
        .replace(/^[\s,]+|[\s,]+$/g, '')
        .split(',')
        .map(s => s.trim())
      if (parts.length !== 2) return false
      return (
        (parts[0] === roleArn && parts[1] === principalArn) ||
        (parts[0] === principalArn && parts[1] === roleArn)
      )
    })
    if (!granted) throw accessDenied(STS_MESSAGES.notAuthorizedSaml)
    const role = roles.get(roleArn)
    // The role's trust policy must name this provider: same account, not denied.
    if (!role || role.deny || role.arn.account !== provider.account) {
      throw accessDenied(STS_MESSAGES.notAuthorizedSaml)
    }

    const sessionNames = attributes.get(ROLE_SESSION_NAME_ATTRIBUTE)
    const sessionName = sessionNames?.[0]
    if (sessionName === undefined) throw invalidToken(STS_MESSAGES.sessionNameRequired)
    if (!SESSION_NAME_RE.test(sessionName)) throw invalidToken(STS_MESSAGES.sessionNamePattern)
    const sourceIdentity = attributes.get(SOURCE_IDENTITY_ATTRIBUTE)?.[0]
    if (
      sourceIdentity !== undefined &&
      (!SESSION_NAME_RE.test(sourceIdentity) || /^aws:/i.test(sourceIdentity))
    ) {
      throw invalidToken(STS_MESSAGES.sourceIdentityPattern)
    }

    if (durationSeconds > role.maxSessionDuration) {
      throw validation(STS_MESSAGES.maxSessionDuration)
    }

    // SessionNotOnOrAfter in the AuthnStatement caps the session, as STS documents.
    const authn = firstChild(assertionEl, A, 'AuthnStatement')
    const sessionNotOnOrAfter = authn
      ? optionalInstant(authn, 'SessionNotOnOrAfter', 'AuthnStatement/@SessionNotOnOrAfter')
      : undefined
    const creds = issue(
      role,
      sessionName,
      durationSeconds,
      false,
      sourceIdentity,
      sessionNotOnOrAfter
    )

    const nameQualifier = createHash('sha1')
      .update(`${issuer}${provider.account}/${provider.name}`, 'utf8')
      .digest('base64')
    const format =
      nameId.getAttribute('Format') ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient'
    const subjectType = format.replace(/^urn:oasis:names:tc:SAML:2\.0:nameid-format:/, '')
    const audienceOut = confirmation.getAttribute('Recipient') ?? recipient
    const body =
      element('Issuer', issuer, '    ') +
      assumedRoleUserXml(creds) +
      credentialsXml(creds) +
      element('Audience', audienceOut, '    ') +
      element('SubjectType', subjectType, '    ') +
      element('PackedPolicySize', packedPolicySize, '    ') +
      element('NameQualifier', nameQualifier, '    ') +
      element('SourceIdentity', sourceIdentity, '    ') +
      element('Subject', subjectValue, '    ')
    return successXml('AssumeRoleWithSAML', body, ctx.requestId)
  }

  // ---- SigV4-authenticated actions -----------------------------------------------------------

  function authenticate(ctx: RequestContext): IssuedCredentials {
    const { req } = ctx
    const auth = req.headers.authorization
    if (!auth) throw new StsError('MissingAuthenticationToken', 403, STS_MESSAGES.missingAuth)
    if (!auth.startsWith(`${SIGV4_ALGORITHM} `)) {
      throw new StsError(
        'IncompleteSignature',
        400,
        `Unsupported AWS 'algorithm': '${auth.split(' ')[0]}'`
      )
    }
    const fields = new Map<string, string>()
    for (const part of auth.slice(SIGV4_ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=')
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
    }
    for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
      if (!fields.get(name)) {
        throw new StsError(
          'IncompleteSignature',
          400,
          `Authorization header requires '${name}' parameter.`
        )
      }
    }
    const credential = fields.get('Credential')!.split('/')
    const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator] = credential
    if (credential.length !== 5 || terminator !== 'aws4_request' || !scopeRegion || !scopeDate) {
      throw new StsError(
        'IncompleteSignature',
        400,
        `Credential should be scoped correctly: '${fields.get('Credential')}'.`
      )
    }
    const creds = issued.get(accessKeyId ?? '')
    if (!creds) throw new StsError('InvalidClientTokenId', 403, STS_MESSAGES.invalidClientToken)
    const token = req.headers['x-amz-security-token']
    if (token !== creds.sessionToken) {
      throw new StsError('InvalidClientTokenId', 403, STS_MESSAGES.invalidClientToken)
    }
    const nowDate = now()
    if (nowDate >= creds.expiration) {
      throw new StsError('ExpiredToken', 403, STS_MESSAGES.expiredClientToken)
    }
    if (scopeService !== 'sts') {
      throw new StsError(
        'SignatureDoesNotMatch',
        403,
        "Credential should be scoped to correct service: 'sts'."
      )
    }
    const amz = req.headers['x-amz-date']
    if (typeof amz !== 'string' || !/^\d{8}T\d{6}Z$/.test(amz)) {
      throw new StsError(
        'IncompleteSignature',
        400,
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
      )
    }
    if (amz.slice(0, 8) !== scopeDate) {
      throw new StsError(
        'SignatureDoesNotMatch',
        403,
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amz.slice(0, 8)}', from '${amz}'.`
      )
    }
    const signedAt = Date.parse(
      `${amz.slice(0, 4)}-${amz.slice(4, 6)}-${amz.slice(6, 8)}T${amz.slice(9, 11)}:${amz.slice(11, 13)}:${amz.slice(13, 15)}Z`
    )
    const fifteen = 15 * 60_000
    const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '')
    if (signedAt < nowDate.getTime() - fifteen) {
      throw new StsError(
        'SignatureDoesNotMatch',
        403,
        `Signature expired: ${amz} is now earlier than ${stamp(nowDate.getTime() - fifteen)} (${stamp(nowDate.getTime())} - 15 min.)`
      )
    }
    if (signedAt > nowDate.getTime() + fifteen) {
      throw new StsError(
        'SignatureDoesNotMatch',
        403,
        `Signature not yet current: ${amz} is still later than ${stamp(nowDate.getTime() + fifteen)} (${stamp(nowDate.getTime())} + 15 min.)`
      )
    }

    const signedHeaders = fields.get('SignedHeaders')!.split(';')
    if (!signedHeaders.includes('host')) {
      throw new StsError('SignatureDoesNotMatch', 403, STS_MESSAGES.signatureMismatch)
    }
    const headers = new Map<string, string[]>()
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!.toLowerCase()
      headers.set(name, [...(headers.get(name) ?? []), req.rawHeaders[i + 1]!])
    }
    const payloadHash = sha256Hex(ctx.rawBody)
    const declared = req.headers['x-amz-content-sha256']
    if (typeof declared === 'string' && declared !== payloadHash) {
      throw new StsError(
        'XAmzContentSHA256Mismatch',
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed."
      )
    }
    const { path, query } = splitTarget(ctx.rawTarget)
    const canonical = canonicalRequest({
      method: req.method ?? 'GET',
      rawPath: path,
      rawQuery: query,
      headers,
      signedHeaders,
      payloadHash
    })
    const key = deriveSigningKey(creds.secretAccessKey, scopeDate, scopeRegion, 'sts')
    const expected = Buffer.from(
      signatureHex(
        key,
        stringToSign(amz, credentialScope(scopeDate, scopeRegion, 'sts'), canonical)
      ),
      'utf8'
    )
    const given = Buffer.from(fields.get('Signature')!, 'utf8')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new StsError('SignatureDoesNotMatch', 403, STS_MESSAGES.signatureMismatch)
    }
    return creds
  }

  function getCallerIdentity(ctx: RequestContext): string {
    const caller = authenticate(ctx)
    const body =
      element('Arn', caller.arn, '    ') +
      element('UserId', caller.assumedRoleId, '    ') +
      element('Account', caller.account, '    ')
    return successXml('GetCallerIdentity', body, ctx.requestId)
  }

  function assumeRole(ctx: RequestContext): string {
    const caller = authenticate(ctx)
    const p = ctx.params
    const roleArn = required(p, 'RoleArn', 'roleArn')
    const sessionName = required(p, 'RoleSessionName', 'roleSessionName')
    lengthCheck(roleArn, 'roleArn', 20, 2048)
    lengthCheck(sessionName, 'roleSessionName', 2, 64)
    if (!SESSION_NAME_RE.test(sessionName)) {
      throw validation(
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`
      )
    }
    if (p.ExternalId !== undefined) lengthCheck(p.ExternalId, 'externalId', 2, 1224)
    const durationSeconds = durationParam(p)
    const roleParts = parseRoleArn(roleArn)
    if (!roleParts) throw validation('Request ARN is invalid')
    const packedPolicySize = sessionPolicy(p)
    const tags = sessionTags(p)
    checkRegion(ctx.region, roleParts.account)

    const role = roles.get(roleArn)
    const denied = `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`
    if (!role || role.deny) throw accessDenied(denied)
    if (role.externalId !== undefined && p.ExternalId !== role.externalId) {
      throw accessDenied(denied)
    }
    // Every session this emulator issues is a role session, so AssumeRole is always chaining.
    if (durationSeconds > 3600) throw validation(STS_MESSAGES.chainedDuration)
    if (durationSeconds > role.maxSessionDuration) throw validation(STS_MESSAGES.maxSessionDuration)

    const creds = issue(role, sessionName, durationSeconds, true, caller.sourceIdentity)
    if (tags) Object.assign(creds, tags)
    const body =
      element('SourceIdentity', creds.sourceIdentity, '    ') +
      assumedRoleUserXml(creds) +
      credentialsXml(creds) +
      element('PackedPolicySize', packedPolicySize, '    ')
    return successXml('AssumeRole', body, ctx.requestId)
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  function close(): Promise<void> {
    closing ??= new Promise<void>(resolve => {
      if (idleTimer) clearTimeout(idleTimer)
      server.close(() => resolve())
      // Hung and keep-alive sockets would otherwise hold close() open forever.
      for (const socket of sockets) socket.destroy()
      server.closeAllConnections()
    })
    return closing
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.unref()
  touch()
  const port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    requestCount: action =>
      action === undefined ? requests.length : requests.filter(r => r.action === action).length,
    registerProvider(principalArn, certPem, o = {}) {
      const parts = parseProviderArn(principalArn)
      if (!parts) throw new Error(`not a SAML provider ARN: ${principalArn}`)
      const record: ProviderRecord = { certPem, account: parts.account, name: parts.name }
      if (o.issuer !== undefined) record.issuer = o.issuer
      providers.set(principalArn, record)
    },
    registerRole(roleArn, o = {}) {
      const arn = parseRoleArn(roleArn)
      if (!arn) throw new Error(`not a role ARN: ${roleArn}`)
      const maxSessionDuration = o.maxSessionDuration ?? 3600
      if (maxSessionDuration < 3600 || maxSessionDuration > 43200) {
        throw new Error('maxSessionDuration must be 3600..43200 seconds, as in IAM')
      }
      const record: RoleRecord = {
        arn,
        roleArn,
        roleId: `AROA${randomFrom(BASE32, 17)}`,
        maxSessionDuration,
        deny: o.deny ?? false
      }
      if (o.externalId !== undefined) record.externalId = o.externalId
      roles.set(roleArn, record)
    },
    inject(fault) {
      if (fault.times > 0) faults.push({ fault, remaining: fault.times })
    },
    setThrottleRate(rate, seed) {
      throttleRate = Math.min(Math.max(rate, 0), 1)
      // Seeded so benchmark runs throttle the same requests.
      random = seed === undefined ? Math.random : mulberry32(seed)
    },
    clearFaults() {
      faults.length = 0
      throttleRate = 0
    },
    reset() {
      requests.length = 0
    },
    close,
    issuedCredentials: () => [...issued.values()]
  }
}

/** Splits a request target (origin-form or absolute-form) into its raw path and query. */
function splitTarget(target: string): { path: string; query: string } {
  const withoutOrigin = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
  const noFragment = withoutOrigin.split('#')[0] ?? ''
  const q = noFragment.indexOf('?')
  const path = q === -1 ? noFragment : noFragment.slice(0, q)
  return { path: path === '' ? '/' : path, query: q === -1 ? '' : noFragment.slice(q + 1) }
}

// ---------------------------------------------------------------------------------------------
// A ready-made world for the demo, the benchmark and end-to-end tests

export const DEMO_ACCOUNT_ID = '123456789012'
export const DEMO_OTHER_ACCOUNT_ID = '210987654321'
export const DEMO_PROVIDER_ARN = `arn:aws:iam::${DEMO_ACCOUNT_ID}:saml-provider/TestIdP`
export const DEMO_OTHER_PROVIDER_ARN = `arn:aws:iam::${DEMO_OTHER_ACCOUNT_ID}:saml-provider/TestIdP`
export const DEMO_ROLES = {
  deploy: `arn:aws:iam::${DEMO_ACCOUNT_ID}:role/Deploy`,
  readOnly: `arn:aws:iam::${DEMO_ACCOUNT_ID}:role/ReadOnly`,
  otherDeploy: `arn:aws:iam::${DEMO_OTHER_ACCOUNT_ID}:role/Deploy`
} as const
/** Every role pair of the demo world, as an IdP would list them for a user who may use them all. */
export const DEMO_ROLE_PAIRS: RolePairSpec[] = [
  { roleArn: DEMO_ROLES.deploy, principalArn: DEMO_PROVIDER_ARN },
  { roleArn: DEMO_ROLES.readOnly, principalArn: DEMO_PROVIDER_ARN },
  { roleArn: DEMO_ROLES.otherDeploy, principalArn: DEMO_OTHER_PROVIDER_ARN }
]

export interface DemoWorld {
  idp: TestIdp
  emulator: StsEmulator
  close(): Promise<void>
}

/**
 * The test IdP plus an emulator that trusts it for both demo accounts. Roles: Deploy (1 h max) and
 * ReadOnly (12 h max) in 123456789012, Deploy (1 h max) in 210987654321.
 */
export async function startDemoWorld(opts: EmulatorOptions = {}): Promise<DemoWorld> {
  const idp = createTestIdp()
  const emulator = await startStsEmulator(opts)
  emulator.registerProvider(DEMO_PROVIDER_ARN, idp.certPem, { issuer: idp.issuer })
  emulator.registerProvider(DEMO_OTHER_PROVIDER_ARN, idp.certPem, { issuer: idp.issuer })
  emulator.registerRole(DEMO_ROLES.deploy)
  emulator.registerRole(DEMO_ROLES.readOnly, { maxSessionDuration: 43200 })
  emulator.registerRole(DEMO_ROLES.otherDeploy)
  return { idp, emulator, close: () => emulator.close() }
}
