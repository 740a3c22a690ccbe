import { describe, expect, it } from 'vitest'
import {
  catalogEntryFor,
  PREFLIGHT_ERRORS,
  STS_ERRORS,
  UNKNOWN_STS_ERROR,
  type CatalogEntry
} from '../../src/errors/error-catalog.js'
import { RetriesStopped, StsError } from '../../src/errors/run-errors.js'
import { classifyStsError, errorCode } from '../../src/sts/sts-errors.js'

/**
 * An error shaped like the AWS SDK v3 throws for an STS error answer: a ServiceException with
 * name, $fault and $metadata, and the raw response attached non-enumerably by the SDK's
 * deserializer middleware (as @smithy/core does for every error it rethrows).
 */
function sdkError(name: string, message: string, status = 400, fault = 'client'): Error {
  const error = Object.assign(new Error(message), {
    name,
    $fault: fault,
    $metadata: {
      httpStatusCode: status,
      requestId: 'c6104cbe-af31-11e0-8154-cbc7ccf896c7',
      attempts: 1
    }
  })
  Object.defineProperty(error, '$response', {
    value: { statusCode: status, headers: {}, body: '' },
    enumerable: false
  })
  return error
}

function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, errno: -104, syscall: 'read' })
}

function entry(code: string): CatalogEntry {
  const found = catalogEntryFor(code)
  expect(found).toBeDefined()
  return found!
}

describe('the error catalog', () => {
  const entries: [string, CatalogEntry][] = [
    ...Object.entries(PREFLIGHT_ERRORS),
    ...STS_ERRORS.map((e): [string, CatalogEntry] => [e.codes.join('/'), e]),
    ['unknown', UNKNOWN_STS_ERROR]
  ]

  it.each(entries)('%s has a problem, a cause and a fix', (_id, e) => {
    expect(e.problem.trim()).not.toBe('')
    expect(e.cause.trim()).not.toBe('')
    expect(e.fix.trim()).not.toBe('')
    // The messages are built as "problem: detail cause fix" and "Likely cause: ... Fix: ...".
    expect(e.problem).not.toMatch(/[.:]$/)
    expect(e.cause).toMatch(/[.)]$/)
    expect(e.fix).toMatch(/[.)]$/)
  })

  it('keys each pre-flight entry by its own code', () => {
    for (const [id, e] of Object.entries(PREFLIGHT_ERRORS)) {
      expect(e.codes).toEqual([id])
      expect(e.stage).toBe('pre-flight')
      expect(e.retryable).toBe(false)
    }
  })

  it('gives each STS code to one entry only', () => {
    const codes = STS_ERRORS.flatMap(e => e.codes)
    expect(new Set(codes).size).toBe(codes.length)
    for (const e of STS_ERRORS) {
      expect(e.stage).toBe('sts')
      expect(e.codes.length).toBeGreaterThan(0)
    }
  })

  it('marks exactly the transient failures retryable', () => {
    const retryable = STS_ERRORS.filter(e => e.retryable).flatMap(e => e.codes)
    expect(retryable.sort()).toEqual(
      [
        'IDPCommunicationError',
        'Throttling',
        'ThrottlingException',
        'RequestLimitExceeded',
        'TooManyRequestsException',
        'ServiceUnavailable',
        'InternalFailure',
        'InternalError',
        'http-5xx',
        'network'
      ].sort()
    )
    expect(UNKNOWN_STS_ERROR.retryable).toBe(false)
  })

  it('finds entries by code and nothing for an unknown code', () => {
    expect(catalogEntryFor('ExpiredTokenException')).toBe(catalogEntryFor('ExpiredToken'))
    expect(catalogEntryFor('NoSuchCode')).toBeUndefined()
    expect(catalogEntryFor('')).toBeUndefined()
  })
})

describe('errorCode', () => {
  it.each([
    ['IDPRejectedClaimException', 'IDPRejectedClaim'],
    ['InvalidIdentityTokenException', 'InvalidIdentityToken'],
    ['ExpiredTokenException', 'ExpiredTokenException'],
    ['MalformedPolicyDocumentException', 'MalformedPolicyDocument'],
    ['PackedPolicyTooLargeException', 'PackedPolicyTooLarge'],
    ['RegionDisabledException', 'RegionDisabledException'],
    ['IDPCommunicationErrorException', 'IDPCommunicationError'],
    ['AccessDenied', 'AccessDenied'],
    ['ValidationError', 'ValidationError'],
    ['Throttling', 'Throttling'],
    ['ThrottlingException', 'ThrottlingException']
  ])('maps the SDK name %s to %s', (name, code) => {
    expect(errorCode(sdkError(name, 'x'))).toEqual({ code, status: 400 })
  })

  it('keeps the status of a modelled error even when it is 5xx', () => {
    expect(errorCode(sdkError('InternalFailure', 'x', 500, 'server'))).toEqual({
      code: 'InternalFailure',
      status: 500
    })
  })

  it.each([500, 502, 503, 504])('maps an unmodelled HTTP %i to http-5xx', status => {
    expect(errorCode(sdkError('Error', 'x', status, 'server'))).toEqual({
      code: 'http-5xx',
      status
    })
    expect(errorCode({ $metadata: { httpStatusCode: status } })).toEqual({
      code: 'http-5xx',
      status
    })
  })

  it('maps an unmodelled HTTP 429 to Throttling', () => {
    expect(errorCode({ name: 'Unknown', $metadata: { httpStatusCode: 429 } })).toEqual({
      code: 'Throttling',
      status: 429
    })
  })

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE'])(
    'maps a Node %s to network',
    code => {
      expect(errorCode(networkError(code, `connect ${code} 52.94.0.1:443`))).toEqual({
        code: 'network',
        status: undefined
      })
    }
  )

  it.each(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException'])(
    'maps an error named %s to network',
    name => {
      expect(errorCode(Object.assign(new Error('timed out'), { name })).code).toBe('network')
    }
  )

  it('maps a plain Error or TypeError without a response to network', () => {
    expect(errorCode(new Error('socket hang up'))).toEqual({ code: 'network', status: undefined })
    expect(errorCode(new TypeError('fetch failed')).code).toBe('network')
  })

  it('maps an unreadable body to bad-response', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected token <'), {
      $metadata: { httpStatusCode: 200 }
    })
    expect(errorCode(syntax)).toEqual({ code: 'bad-response', status: 200 })
    expect(
      errorCode(
        Object.assign(new Error('Deserialization error: to see the raw response, inspect...'), {
          $metadata: { httpStatusCode: 200 }
        })
      ).code
    ).toBe('bad-response')
    // What sts-client.ts throws for a 200 answer without credentials.
    expect(
      errorCode(Object.assign(new Error('The STS response lacks credentials'), { $response: {} }))
        .code
    ).toBe('bad-response')
  })

  it('takes an SDK error without an STS code (a proxy page) for a bad response', () => {
    // The SDK names an error answer it finds no code in 'Unknown' (or 'UnknownError').
    expect(errorCode(sdkError('Unknown', 'Unknown', 403))).toEqual({
      code: 'bad-response',
      status: 403
    })
    expect(errorCode(sdkError('UnknownError', 'UnknownError', 407)).code).toBe('bad-response')
  })

  it('keeps an unknown STS error code as it is', () => {
    expect(errorCode(sdkError('InvalidParameterValue', 'bad value'))).toEqual({
      code: 'InvalidParameterValue',
      status: 400
    })
    expect(errorCode({ name: 'SomethingNew', $metadata: { httpStatusCode: 403 } })).toEqual({
      code: 'SomethingNew',
      status: 403
    })
  })

  it('names a plain Error with a 4xx status by its name', () => {
    expect(
      errorCode(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 403 } }))
    ).toEqual({ code: 'Error', status: 403 })
  })

  it.each([undefined, null, 'a string', 42])('survives a thrown %j', value => {
    expect(errorCode(value)).toEqual({ code: 'network', status: undefined })
  })

  it('survives a non-string name', () => {
    expect(() => errorCode({ name: 403, $metadata: { httpStatusCode: 403 } })).not.toThrow()
  })
})

describe('classifyStsError', () => {
  function expectFix(error: StsError, e: CatalogEntry): void {
    expect(error.message).toContain(`Likely cause: ${e.cause}`)
    expect(error.message).toMatch(/ Fix: \S/)
    expect(error.message.endsWith(`Fix: ${e.fix}`)).toBe(true)
  }

  it('explains IDPRejectedClaim', () => {
    const error = classifyStsError(
      sdkError('IDPRejectedClaimException', 'Error retrieving information from the IdP.')
    )
    const e = entry('IDPRejectedClaim')
    expect(error).toBeInstanceOf(StsError)
    expect(error.kind).toBe('sts')
    expect(error.code).toBe('IDPRejectedClaim')
    expect(error.retryable).toBe(false)
    expect(error.httpStatus).toBe(400)
    expect(error.message).toBe(
      `${e.problem} (IDPRejectedClaim, HTTP 400). STS said: "Error retrieving information from the IdP.". ` +
        `Likely cause: ${e.cause} Fix: ${e.fix}`
    )
  })

  it('explains InvalidIdentityToken', () => {
    const error = classifyStsError(
      sdkError('InvalidIdentityTokenException', "Specified provider doesn't exist.")
    )
    expect(error.code).toBe('InvalidIdentityToken')
    expect(error.message).toContain(
      'STS rejected the assertion as invalid (InvalidIdentityToken, HTTP 400).'
    )
    expect(error.message).toContain('STS said: "Specified provider doesn\'t exist.".')
    expectFix(error, entry('InvalidIdentityToken'))
  })

  it('repeats the assertion age for ExpiredToken', () => {
    const error = classifyStsError(sdkError('ExpiredTokenException', 'Token has expired.'), {
      assertionAgeMs: 372_000
    })
    expect(error.code).toBe('ExpiredTokenException')
    expect(error.retryable).toBe(false)
    expect(error.message).toContain(
      'STS says the assertion has expired (ExpiredTokenException, HTTP 400).'
    )
    expect(error.message).toContain('The assertion was issued 6m 12s before this call.')
    expectFix(error, entry('ExpiredToken'))
  })

  it('does not invent an age for ExpiredToken when none is known', () => {
    const error = classifyStsError(sdkError('ExpiredToken', 'Token has expired.'))
    expect(error.message).not.toContain('before this call')
  })

  it.each([
    [
      'MalformedPolicyDocumentException',
      'MalformedPolicyDocument',
      'The session policy is malformed'
    ],
    [
      'PackedPolicyTooLargeException',
      'PackedPolicyTooLarge',
      'The session policies and tags are too large'
    ],
    ['RegionDisabledException', 'RegionDisabledException', 'STS is not activated in this region'],
    ['AccessDenied', 'AccessDenied', 'Access denied by the role trust policy']
  ])('explains %s', (name, code, problem) => {
    const error = classifyStsError(sdkError(name, 'Some message from STS'))
    expect(error.code).toBe(code)
    expect(error.retryable).toBe(false)
    expect(
      error.message.startsWith(`${problem} (${code}, HTTP 400). STS said: "Some message from STS".`)
    ).toBe(true)
    expectFix(error, entry(code))
  })

  it('says plainly that role-duration-seconds exceeds MaxSessionDuration', () => {
    const error = classifyStsError(
      sdkError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'
      ),
      { durationSeconds: 43_200 }
    )
    expect(error.code).toBe('ValidationError')
    expect(error.retryable).toBe(false)
    expect(error.message).toContain(
      "The requested 'role-duration-seconds' (43200 s) is longer than the role's MaxSessionDuration."
    )
    expectFix(error, entry('ValidationError'))
    expect(error.message).toContain("Lower 'role-duration-seconds'")
  })

  it('does not blame the duration for another ValidationError', () => {
    const error = classifyStsError(
      sdkError('ValidationError', "1 validation error detected: Value at 'roleArn' failed"),
      { durationSeconds: 3600 }
    )
    expect(error.message).not.toContain("The requested 'role-duration-seconds'")
    expect(error.message).not.toContain('(3600 s)')
  })

  it('leaves out the requested value when it is not known', () => {
    const error = classifyStsError(
      sdkError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'
      )
    )
    expect(error.message).toContain(
      "The requested 'role-duration-seconds' is longer than the role's MaxSessionDuration."
    )
  })

  it.each([
    ['Throttling', 'Rate exceeded', 400],
    ['ThrottlingException', 'Rate exceeded', 400],
    ['IDPCommunicationErrorException', 'IdP unreachable', 400],
    ['ServiceUnavailable', 'Service unavailable', 503],
    ['InternalFailure', 'Internal failure', 500]
  ])('marks %s retryable', (name, message, status) => {
    const error = classifyStsError(sdkError(name, message, status))
    expect(error.retryable).toBe(true)
    expect(error.httpStatus).toBe(status)
    expect(error.message).toMatch(/ Fix: \S/)
  })

  it('marks an unmodelled HTTP 503 retryable as a server error', () => {
    const error = classifyStsError(sdkError('Error', '', 503, 'server'))
    expect(error.code).toBe('http-5xx')
    expect(error.retryable).toBe(true)
    expect(error.message).toBe(
      `STS had a server error (HTTP 503). Likely cause: ${entry('http-5xx').cause} Fix: ${entry('http-5xx').fix}`
    )
  })

  it.each([
    ['ECONNRESET', networkError('ECONNRESET', 'read ECONNRESET')],
    ['ECONNREFUSED', networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4566')],
    [
      'TimeoutError',
      Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' })
    ]
  ])('marks a network error (%s) retryable', (_label, error) => {
    const classified = classifyStsError(error)
    expect(classified.code).toBe('network')
    expect(classified.retryable).toBe(true)
    expect(classified.httpStatus).toBeUndefined()
    expect(classified.message).toBe(
      `STS could not be reached. STS said: ${JSON.stringify(error.message)}. ` +
        `Likely cause: ${entry('network').cause} Fix: ${entry('network').fix}`
    )
  })

  it('marks an unreadable answer not retryable (it is not STS answering)', () => {
    const error = classifyStsError(
      Object.assign(new SyntaxError('Unexpected token < in XML'), {
        $metadata: { httpStatusCode: 200 }
      })
    )
    expect(error.code).toBe('bad-response')
    expect(error.retryable).toBe(false)
    expect(error.message.startsWith('STS sent a response that could not be read (HTTP 200).')).toBe(
      true
    )
  })

  it('reports an unknown STS code as such, not retryable', () => {
    const error = classifyStsError(sdkError('InvalidParameterValue', 'Something is off.'))
    expect(error.code).toBe('InvalidParameterValue')
    expect(error.retryable).toBe(false)
    expect(error.message).toBe(
      `STS refused the request (InvalidParameterValue, HTTP 400). STS said: "Something is off.". ` +
        `Likely cause: ${UNKNOWN_STS_ERROR.cause} Fix: ${UNKNOWN_STS_ERROR.fix}`
    )
  })

  it('classifies something that is not an Error', () => {
    const error = classifyStsError('boom')
    expect(error.code).toBe('network')
    expect(error.message).not.toContain('STS said')
    expect(error.message).toMatch(/ Fix: \S/)
  })

  it('quotes and cuts what STS said', () => {
    const said = `line1\n::set-env name=X::y\n${'z'.repeat(1000)}`
    const error = classifyStsError(sdkError('AccessDenied', said))
    expect(error.message).toContain(`STS said: ${JSON.stringify(said.slice(0, 500))}.`)
    expect(error.message).not.toContain('z'.repeat(501))
    expect(error.message.split('\n')).toHaveLength(1)
  })

  it('includes a Fix: part in every message', () => {
    const samples: unknown[] = [
      ...STS_ERRORS.flatMap(e => e.codes).map(code => sdkError(code, 'm')),
      sdkError('Nope', 'm'),
      new Error('x'),
      undefined
    ]
    for (const sample of samples) {
      const { message } = classifyStsError(sample, { durationSeconds: 3600, assertionAgeMs: 1000 })
      expect(message).toMatch(/ Fix: \S.*$/)
      expect(message).toMatch(/Likely cause: \S/)
    }
  })

  describe('after retries', () => {
    const throttled = sdkError('Throttling', 'Rate exceeded')

    it('classifies the last error and says why it stopped', () => {
      const error = classifyStsError(new RetriesStopped(throttled, 6, 'attempts exhausted'))
      expect(error.code).toBe('Throttling')
      expect(error.message).toContain('STS throttled the request (Throttling, HTTP 400).')
      expect(error.message).toContain('Gave up after 6 attempts: attempts exhausted.')
      expectFix(error, entry('Throttling'))
    })

    it('says nothing about retries for an error that was not retryable', () => {
      const denied = sdkError('AccessDenied', 'Not authorized')
      const error = classifyStsError(new RetriesStopped(denied, 1, 'not retryable'))
      expect(error.code).toBe('AccessDenied')
      expect(error.message).not.toContain('Gave up')
    })
  })
})
