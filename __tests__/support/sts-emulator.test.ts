// The STS emulator must be as strict as STS: every check is shown to reject with AWS's code, status
// and message, and every fault to behave. Raw fetch/http only, so nothing here hides a wire detail.
import { createHash } from 'node:crypto'
import * as http from 'node:http'
import { DOMParser, XMLSerializer, type Element } from '@xmldom/xmldom'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { deriveSigningKey, signRequest, type SigV4Credentials } from './sigv4.js'
import {
  DEMO_OTHER_PROVIDER_ARN,
  DEMO_PROVIDER_ARN,
  DEMO_ROLE_PAIRS,
  DEMO_ROLES,
  STS_MESSAGES,
  STS_NAMESPACE,
  startDemoWorld,
  startStsEmulator,
  type DemoWorld,
  type EmulatorOptions,
  type StsEmulator
} from './sts-emulator.js'
import {
  OTHER_IDP_CERT_PEM,
  SAML_ASSERTION_NS,
  XMLDSIG_NS,
  createTestIdp,
  type IssueOptions
} from './test-idp.js'

// ---------------------------------------------------------------------------------------------
// helpers

interface Reply {
  status: number
  body: string
  code: string | undefined
  message: string | undefined
  get(name: string): string | undefined
}

const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')

function reply(status: number, body: string): Reply {
  const get = (name: string): string | undefined => {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)
    return m ? unescapeXml(m[1]!) : undefined
  }
  return { status, body, code: get('Code'), message: get('Message'), get }
}

const FORM = 'application/x-www-form-urlencoded; charset=utf-8'

async function post(url: string, params: Record<string, string>): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': FORM },
    body: new URLSearchParams({ Version: '2011-06-15', ...params }).toString()
  })
  return reply(res.status, await res.text())
}

function samlParams(base64: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    Action: 'AssumeRoleWithSAML',
    RoleArn: DEMO_ROLES.deploy,
    PrincipalArn: DEMO_PROVIDER_ARN,
    SAMLAssertion: base64,
    ...extra
  }
}

interface SignedCallOptions {
  date?: Date
  region?: string
  secretAccessKey?: string
  sessionToken?: string | null
  bodyAfterSigning?: string
}

async function signedPost(
  url: string,
  creds: SigV4Credentials,
  params: Record<string, string>,
  o: SignedCallOptions = {}
): Promise<Reply> {
  const body = new URLSearchParams({ Version: '2011-06-15', ...params }).toString()
  const credentials: SigV4Credentials = {
    accessKeyId: creds.accessKeyId,
    secretAccessKey: o.secretAccessKey ?? creds.secretAccessKey
  }
  const token = o.sessionToken === undefined ? creds.sessionToken : o.sessionToken
  if (token !== null && token !== undefined) credentials.sessionToken = token
  const headers = signRequest({
    method: 'POST',
    url,
    headers: { 'content-type': FORM },
    body,
    credentials,
    region: o.region ?? 'us-east-1',
    date: o.date ?? new Date()
  })
  // fetch sets the very same Host itself.
  delete headers.host
  const res = await fetch(url, { method: 'POST', headers, body: o.bodyAfterSigning ?? body })
  return reply(res.status, await res.text())
}

function credsOf(r: Reply): SigV4Credentials {
  return {
    accessKeyId: r.get('AccessKeyId')!,
    secretAccessKey: r.get('SecretAccessKey')!,
    sessionToken: r.get('SessionToken')!
  }
}

function expectError(r: Reply, status: number, code: string, message?: string | RegExp): void {
  expect({ status: r.status, code: r.code }, r.body).toEqual({ status, code })
  expect(r.body).toContain(`<ErrorResponse xmlns="${STS_NAMESPACE}">`)
  expect(r.get('Type')).toBe(status >= 500 ? 'Receiver' : 'Sender')
  expect(r.get('RequestId')).toMatch(/^[0-9a-f-]{36}$/)
  if (typeof message === 'string') expect(r.message).toBe(message)
  else if (message) expect(r.message).toMatch(message)
}

const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64')

// ---------------------------------------------------------------------------------------------

let world: DemoWorld
let sts: StsEmulator
const idp = createTestIdp()
const issue = (o?: IssueOptions): string => idp.issue(o).base64
const assume = (o?: IssueOptions, extra?: Record<string, string>): Promise<Reply> =>
  post(sts.url, samlParams(issue(o), extra))

beforeAll(async () => {
  world = await startDemoWorld()
  sts = world.emulator
})
afterAll(() => world.close())
afterEach(() => {
  sts.clearFaults()
  sts.reset()
})

describe('AssumeRoleWithSAML: accepted responses', () => {
  it('redeems a valid assertion with AWS-shaped credentials', async () => {
    const before = Date.now()
    const r = await assume({ sourceIdentity: 'alice' })
    expect(r.status, r.body).toBe(200)
    expect(r.body).toMatch(
      new RegExp(`^<AssumeRoleWithSAMLResponse xmlns="${STS_NAMESPACE.replace(/[./]/g, '\\$&')}">`)
    )
    expect(r.body).toContain('<AssumeRoleWithSAMLResult>')
    expect(r.get('RequestId')).toMatch(/^[0-9a-f-]{36}$/)
    expect(r.get('AccessKeyId')).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(r.get('SecretAccessKey')).toMatch(/^[A-Za-z0-9+/]{40}$/)
    expect(r.get('SessionToken')!.length).toBeGreaterThan(400)
    const expiration = Date.parse(r.get('Expiration')!)
    expect(r.get('Expiration')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(expiration).toBeGreaterThanOrEqual(before + 3600_000 - 1000)
    expect(expiration).toBeLessThanOrEqual(Date.now() + 3600_000)
    expect(r.get('Arn')).toBe('arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com')
    expect(r.get('AssumedRoleId')).toMatch(/^AROA[A-Z2-7]{17}:alice@example\.com$/)
    expect(r.get('Issuer')).toBe(idp.issuer)
    expect(r.get('Audience')).toBe('https://signin.aws.amazon.com/saml')
    expect(r.get('Subject')).toBe('alice@example.com')
    expect(r.get('SubjectType')).toBe('persistent')
    expect(r.get('SourceIdentity')).toBe('alice')
    expect(r.get('PackedPolicySize')).toBeUndefined()
    const qualifier = createHash('sha1')
      .update(`${idp.issuer}123456789012/TestIdP`)
      .digest('base64')
    expect(r.get('NameQualifier')).toBe(qualifier)

    expect(sts.requestCount()).toBe(1)
    expect(sts.requestCount('AssumeRoleWithSAML')).toBe(1)
    expect(sts.requests[0]).toMatchObject({
      action: 'AssumeRoleWithSAML',
      method: 'POST',
      viaProxy: false,
      region: 'us-east-1'
    })
    expect(sts.requests[0]!.params.RoleArn).toBe(DEMO_ROLES.deploy)
  })

  it.each<[string, IssueOptions]>([
    ['saml2 prefixes', { prefix: 'saml2' }],
    ['default namespace', { prefix: 'default-ns' }],
    ['a signed Response', { signWhat: 'response' }],
    ['both signed', { signWhat: 'both' }],
    ['pretty-printed XML', { pretty: true, signWhat: 'both' }],
    [
      'provider-first, spaced values in separate attributes',
      {
        providerFirst: true,
        roleValueSpacing: true,
        rolesInSeparateAttributes: true,
        roles: DEMO_ROLE_PAIRS
      }
    ]
  ])('accepts %s', async (_name, o) => {
    const r = await assume(o)
    expect(r.status, r.body).toBe(200)
    expect(r.get('Arn')).toBe('arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com')
  })

  it('accepts the Query protocol as a GET query string too', async () => {
    const q = new URLSearchParams({ Version: '2011-06-15', ...samlParams(issue()) })
    const res = await fetch(`${sts.url}?${q.toString()}`)
    expect(res.status).toBe(200)
    expect(sts.requests[0]!.method).toBe('GET')
  })

  it('honours DurationSeconds up to the role maximum, and a session policy', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]
    })
    const r = await post(
      sts.url,
      samlParams(issue({ roles: DEMO_ROLE_PAIRS }), {
        RoleArn: DEMO_ROLES.readOnly,
        DurationSeconds: '43200',
        Policy: policy,
        'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess'
      })
    )
    expect(r.status, r.body).toBe(200)
    expect(Date.parse(r.get('Expiration')!)).toBeGreaterThan(Date.now() + 43100_000)
    const size = Number(r.get('PackedPolicySize'))
    expect(size).toBeGreaterThan(0)
    expect(size).toBeLessThan(50)
  })

  it('redeems in the second account against its own provider', async () => {
    const r = await post(
      sts.url,
      samlParams(issue({ roles: DEMO_ROLE_PAIRS }), {
        RoleArn: DEMO_ROLES.otherDeploy,
        PrincipalArn: DEMO_OTHER_PROVIDER_ARN
      })
    )
    expect(r.status, r.body).toBe(200)
    expect(r.get('Arn')).toBe('arn:aws:sts::210987654321:assumed-role/Deploy/alice@example.com')
    const qualifier = createHash('sha1')
      .update(`${idp.issuer}210987654321/TestIdP`)
      .digest('base64')
    expect(r.get('NameQualifier')).toBe(qualifier)
  })

  it('decrypts an EncryptedAssertion only through the decrypt hook', async () => {
    const encrypted = idp.issue({ encrypted: true })
    expectError(
      await post(sts.url, samlParams(encrypted.base64)),
      400,
      'InvalidIdentityToken',
      /could not decrypt/
    )
    const other = await startDemoWorld({ decryptEncrypted: () => encrypted.plaintextAssertion })
    try {
      const r = await post(other.emulator.url, samlParams(encrypted.base64))
      expect(r.status, r.body).toBe(200)
    } finally {
      await other.close()
    }
  })
})

describe('AssumeRoleWithSAML: rejections', () => {
  it.each<[string, IssueOptions]>([
    ['tampered after signing', { tamper: true }],
    ['tampered Response signature', { signWhat: 'response', tamper: true }],
    ['signed by another key', { signingKey: 'other' }],
    ['Response signed by another key', { signWhat: 'response', signingKey: 'other' }]
  ])('rejects a response %s', async (_name, o) => {
    expectError(await assume(o), 400, 'InvalidIdentityToken', STS_MESSAGES.signatureInvalid)
  })

  it('rejects an unsigned response', async () => {
    const xml = idp.issue().xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
    expect(xml).not.toContain('Signature')
    expectError(
      await post(sts.url, samlParams(b64(xml))),
      400,
      'InvalidIdentityToken',
      STS_MESSAGES.signatureInvalid
    )
  })

  it('trusts only the registered certificate, never the one in KeyInfo', async () => {
    const other = await startStsEmulator()
    try {
      other.registerProvider(DEMO_PROVIDER_ARN, OTHER_IDP_CERT_PEM)
      other.registerRole(DEMO_ROLES.deploy)
      const ok = await post(other.url, samlParams(issue({ signingKey: 'other' })))
      expect(ok.status, ok.body).toBe(200)
      expectError(
        await post(other.url, samlParams(issue())),
        400,
        'InvalidIdentityToken',
        STS_MESSAGES.signatureInvalid
      )
    } finally {
      await other.close()
    }
  })

  describe('signature wrapping', () => {
    const parser = new DOMParser()
    const serialize = (el: unknown): string => new XMLSerializer().serializeToString(el as Element)
    const kids = (el: Element, local: string): Element[] =>
      Array.from(el.childNodes).filter(
        (n): n is Element => n.nodeType === 1 && (n as Element).localName === local
      )

    /** A signed response plus an evil copy of its assertion naming a different user. */
    function prepare(): { root: Element; original: Element; evil: Element } {
      const doc = parser.parseFromString(idp.issue().xml, 'application/xml')
      const root = doc.documentElement!
      const original = kids(root, 'Assertion')[0]!
      const evil = original.cloneNode(true) as Element
      evil.setAttribute('ID', '_evil')
      for (const v of Array.from(
        evil.getElementsByTagNameNS(SAML_ASSERTION_NS, 'AttributeValue')
      )) {
        if (v.textContent === 'alice@example.com') v.textContent = 'mallory'
      }
      return { root, original, evil }
    }

    it('accepts the untouched document after a DOM round trip (control)', async () => {
      const { root } = prepare()
      const r = await post(sts.url, samlParams(b64(serialize(root))))
      expect(r.status, r.body).toBe(200)
    })

    it('rejects an evil assertion wrapping the signed one, carrying its signature', async () => {
      const { root, original, evil } = prepare()
      root.replaceChild(evil, original)
      // The copied Signature still references the original, now hidden inside the evil one.
      evil.appendChild(original)
      const r = await post(sts.url, samlParams(b64(serialize(root))))
      expectError(r, 400, 'InvalidIdentityToken', STS_MESSAGES.signatureInvalid)
      expect(r.body).not.toContain('mallory')
    })

    it('rejects an evil unsigned assertion with the signed one moved aside', async () => {
      const { root, original, evil } = prepare()
      const sig = kids(evil, 'Signature')[0]!
      evil.removeChild(sig)
      root.replaceChild(evil, original)
      const extensions = root.ownerDocument!.createElementNS(
        'urn:oasis:names:tc:SAML:2.0:protocol',
        'samlp:Extensions'
      )
      extensions.appendChild(original)
      root.insertBefore(extensions, kids(root, 'Status')[0]!)
      expectError(
        await post(sts.url, samlParams(b64(serialize(root)))),
        400,
        'InvalidIdentityToken',
        STS_MESSAGES.signatureInvalid
      )
    })

    it('rejects an evil assertion holding a signature whose signed content hides inside it', async () => {
      const { root, original, evil } = prepare()
      evil.removeChild(kids(evil, 'Signature')[0]!)
      // Move the genuine signature into the evil assertion and tuck the (now signature-less, so
      // still digest-valid) original into its ds:Object: the signature verifies, but over content
      // that is not the assertion a naive reader would take its data from.
      const sig = kids(original, 'Signature')[0]!
      original.removeChild(sig)
      evil.insertBefore(sig, kids(evil, 'Subject')[0]!)
      const object = root.ownerDocument!.createElementNS(XMLDSIG_NS, 'ds:Object')
      sig.appendChild(object)
      root.replaceChild(evil, original)
      object.appendChild(original)
      const r = await post(sts.url, samlParams(b64(serialize(root))))
      expectError(r, 400, 'InvalidIdentityToken', STS_MESSAGES.signatureInvalid)
      expect(r.body).not.toContain('mallory')
    })

    it('rejects an evil assertion reusing the signed ID', async () => {
      const { root, original, evil } = prepare()
      evil.setAttribute('ID', original.getAttribute('ID')!)
      const sig = kids(evil, 'Signature')[0]!
      // The genuine assertion hides inside the evil one's Signature, a classic wrapping spot.
      const object = root.ownerDocument!.createElementNS(XMLDSIG_NS, 'ds:Object')
      sig.appendChild(object)
      root.replaceChild(evil, original)
      object.appendChild(original)
      expectError(
        await post(sts.url, samlParams(b64(serialize(root)))),
        400,
        'InvalidIdentityToken',
        STS_MESSAGES.signatureInvalid
      )
    })

    it('rejects a second assertion next to the signed one', async () => {
      const { root, evil } = prepare()
      evil.removeChild(kids(evil, 'Signature')[0]!)
      root.appendChild(evil)
      expectError(
        await post(sts.url, samlParams(b64(serialize(root)))),
        400,
        'InvalidIdentityToken',
        /exactly one Assertion/
      )
    })
  })

  it('rejects an unregistered provider', async () => {
    const r = await post(
      sts.url,
      samlParams(issue(), { PrincipalArn: 'arn:aws:iam::123456789012:saml-provider/Nobody' })
    )
    expectError(r, 400, 'InvalidIdentityToken', STS_MESSAGES.providerNotFound)
  })

  it('rejects an issuer the provider was not registered with', async () => {
    expectError(
      await assume({ issuer: 'https://evil.example.test/saml' }),
      400,
      'InvalidIdentityToken',
      STS_MESSAGES.issuerMismatch
    )
  })

  it('rejects a wrong audience and a wrong recipient', async () => {
    expectError(
      await assume({ audiences: ['https://example.test/not-aws'] }),
      400,
      'InvalidIdentityToken',
      STS_MESSAGES.audience
    )
    expectError(
      await assume({ recipient: 'https://example.test/acs' }),
      400,
      'InvalidIdentityToken',
      STS_MESSAGES.recipient
    )
  })

  it('rejects an expired, a not-yet-valid and a too-old assertion', async () => {
    const now = Date.now()
    expectError(
      await assume({
        issueInstant: new Date(now - 120_000),
        notOnOrAfter: new Date(now - 1_000)
      }),
      400,
      'ExpiredTokenException',
      STS_MESSAGES.expired
    )
    expectError(
      await assume({ notBefore: new Date(now + 60_000) }),
      400,
      'InvalidIdentityToken',
      STS_MESSAGES.notYetValid
    )
    const tooOld = await assume({
      issueInstant: new Date(now - 301_000),
      notOnOrAfter: new Date(now + 600_000)
    })
    expectError(tooOld, 400, 'ExpiredTokenException', STS_MESSAGES.tooOld(300))
    expect(tooOld.message).toBe('Token must be redeemed within 5 minutes of issuance')
  })

  it('applies maxAssertionAgeSeconds and an injected clock', async () => {
    const issued = new Date('2031-03-01T10:00:00.000Z')
    let clock = issued.getTime() + 30_000
    const other = await startDemoWorld({ maxAssertionAgeSeconds: 60, now: () => new Date(clock) })
    try {
      const assertion = other.idp.issue({ issueInstant: issued }).base64
      const ok = await post(other.emulator.url, samlParams(assertion))
      expect(ok.status, ok.body).toBe(200)
      expect(ok.get('Expiration')).toBe('2031-03-01T11:00:30Z')
      clock = issued.getTime() + 61_000
      expectError(
        await post(other.emulator.url, samlParams(assertion)),
        400,
        'ExpiredTokenException',
        'Token must be redeemed within 1 minutes of issuance'
      )
    } finally {
      await other.close()
    }
  })

  it('denies a role pair the assertion does not grant', async () => {
    expectError(
      await post(sts.url, samlParams(issue(), { RoleArn: DEMO_ROLES.readOnly })),
      403,
      'AccessDenied',
      STS_MESSAGES.notAuthorizedSaml
    )
    expectError(
      await assume({ omitRoleAttribute: true }),
      403,
      'AccessDenied',
      STS_MESSAGES.notAuthorizedSaml
    )
    // A granted pair whose provider is in another account than the role is not trusted.
    const crossed = issue({
      roles: [{ roleArn: DEMO_ROLES.otherDeploy, principalArn: DEMO_PROVIDER_ARN }]
    })
    expectError(
      await post(sts.url, samlParams(crossed, { RoleArn: DEMO_ROLES.otherDeploy })),
      403,
      'AccessDenied',
      STS_MESSAGES.notAuthorizedSaml
    )
  })

  it('denies unregistered and denying roles', async () => {
    const ghost = 'arn:aws:iam::123456789012:role/Ghost'
    const denying = 'arn:aws:iam::123456789012:role/Locked'
    sts.registerRole(denying, { deny: true })
    for (const roleArn of [ghost, denying]) {
      const r = await post(
        sts.url,
        samlParams(issue({ roles: [{ roleArn, principalArn: DEMO_PROVIDER_ARN }] }), {
          RoleArn: roleArn
        })
      )
      expectError(r, 403, 'AccessDenied', STS_MESSAGES.notAuthorizedSaml)
    }
  })

  it('validates DurationSeconds against the API range and the role maximum', async () => {
    for (const d of ['899', '43201']) {
      expectError(
        await assume({}, { DurationSeconds: d }),
        400,
        'ValidationError',
        new RegExp(`Value '${d}' at 'durationSeconds' failed to satisfy constraint`)
      )
    }
    const r = await assume({}, { DurationSeconds: '3601' })
    expectError(r, 400, 'ValidationError')
    expect(r.message).toBe(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'
    )
  })

  it('requires a well-formed RoleSessionName and SourceIdentity', async () => {
    expectError(
      await assume({ roleSessionName: null }),
      400,
      'InvalidIdentityToken',
      'RoleSessionName is required in AuthnResponse'
    )
    for (const name of ['a', 'alice smith', 'x'.repeat(65), 'alice/ops']) {
      expectError(
        await assume({ roleSessionName: name }),
        400,
        'InvalidIdentityToken',
        'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}'
      )
    }
    expectError(
      await assume({ sourceIdentity: 'aws:alice' }),
      400,
      'InvalidIdentityToken',
      STS_MESSAGES.sourceIdentityPattern
    )
  })

  it('validates the session policy', async () => {
    expectError(
      await assume({}, { Policy: '{"Statement": [' }),
      400,
      'MalformedPolicyDocument',
      'Syntax errors in policy.'
    )
    expectError(await assume({}, { Policy: '[1,2]' }), 400, 'MalformedPolicyDocument')
    expectError(
      await assume({}, { Policy: 'x'.repeat(2049) }),
      400,
      'ValidationError',
      /length less than or equal to 2048/
    )
    // High-entropy resources barely compress, so the packed form overflows its budget.
    const resources = Array.from({ length: 20 }, (_, i) =>
      createHash('sha512').update(String(i)).digest('base64')
    )
    const big = JSON.stringify({
      Statement: [{ Effect: 'Allow', Action: '*', Resource: resources }]
    })
    expect(big.length).toBeLessThanOrEqual(2048)
    expectError(
      await assume({}, { Policy: big }),
      400,
      'PackedPolicyTooLarge',
      /^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/
    )
  })

  it('rejects an oversized, non-base64 or non-Response SAMLAssertion', async () => {
    expectError(
      await post(sts.url, samlParams('A'.repeat(100_004))),
      400,
      'ValidationError',
      /'SAMLAssertion' failed to satisfy constraint: Member must have length less than or equal to 100000/
    )
    // A '+' that was not form-encoded arrives as a space: STS must not guess.
    const withSpace = issue().replace('+', ' ')
    expectError(
      await post(sts.url, samlParams(withSpace.includes(' ') ? withSpace : `${withSpace} `)),
      400,
      'InvalidIdentityToken',
      /not valid base64/
    )
    expectError(
      await assume({ notAResponse: true }),
      400,
      'InvalidIdentityToken',
      STS_MESSAGES.notAResponse
    )
    expectError(
      await post(sts.url, samlParams(b64('<not xml'))),
      400,
      'InvalidIdentityToken',
      /not well-formed/
    )
  })

  it('reports an IdP that refused the login as IDPRejectedClaim', async () => {
    expectError(
      await assume({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }),
      403,
      'IDPRejectedClaim'
    )
  })

  it('requires RoleArn, PrincipalArn and SAMLAssertion', async () => {
    const params = samlParams(issue())
    delete params.PrincipalArn
    expectError(
      await post(sts.url, params),
      400,
      'ValidationError',
      "1 validation error detected: Value null at 'principalArn' failed to satisfy constraint: Member must not be null"
    )
  })

  it('refuses a disabled region', async () => {
    const other = await startDemoWorld({ disabledRegions: ['eu-south-1'] })
    try {
      const base64 = other.idp.issue().base64
      expectError(
        await post(`${other.emulator.url}eu-south-1/`, samlParams(base64)),
        403,
        'RegionDisabledException',
        /^STS is not activated in this region for account:123456789012\./
      )
      expect(other.emulator.requests[0]!.region).toBe('eu-south-1')
      const ok = await post(`${other.emulator.url}eu-west-1/`, samlParams(base64))
      expect(ok.status, ok.body).toBe(200)
    } finally {
      await other.close()
    }
  })
})

describe('other actions', () => {
  async function session(extra: Record<string, string> = {}): Promise<SigV4Credentials> {
    const r = await assume({}, extra)
    expect(r.status, r.body).toBe(200)
    return credsOf(r)
  }

  it('answers InvalidAction and MissingAction', async () => {
    expectError(
      await post(sts.url, { Action: 'GetSessionTokenz' }),
      400,
      'InvalidAction',
      'Could not find operation GetSessionTokenz for version 2011-06-15'
    )
    const res = await fetch(sts.url, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'Action=GetCallerIdentity'
    })
    expectError(
      reply(res.status, await res.text()),
      400,
      'InvalidAction',
      'Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED'
    )
    expectError(await post(sts.url, {}), 400, 'MissingAction')
  })

  it('GetCallerIdentity accepts a correct SigV4 signature made with issued credentials', async () => {
    const creds = await session()
    const r = await signedPost(
      sts.url,
      creds,
      { Action: 'GetCallerIdentity' },
      { region: 'eu-west-1' }
    )
    expect(r.status, r.body).toBe(200)
    expect(r.body).toContain(`<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">`)
    expect(r.get('Arn')).toBe('arn:aws:sts::123456789012:assumed-role/Deploy/alice@example.com')
    expect(r.get('Account')).toBe('123456789012')
    expect(r.get('UserId')).toMatch(/^AROA[A-Z2-7]{17}:alice@example\.com$/)
    expect(sts.requests.at(-1)!.region).toBe('eu-west-1')
  })

  it('GetCallerIdentity rejects bad signatures and unknown or stale credentials', async () => {
    const creds = await session()
    const call = (o: SignedCallOptions, c = creds): Promise<Reply> =>
      signedPost(sts.url, c, { Action: 'GetCallerIdentity' }, o)

    expectError(
      await call({ secretAccessKey: 'x'.repeat(40) }),
      403,
      'SignatureDoesNotMatch',
      STS_MESSAGES.signatureMismatch
    )
    expectError(
      await call({ bodyAfterSigning: 'Action=GetCallerIdentity&Version=2011-06-15&X=1' }),
      403,
      'SignatureDoesNotMatch'
    )
    expectError(
      await call({ date: new Date(Date.now() - 20 * 60_000) }),
      403,
      'SignatureDoesNotMatch',
      /^Signature expired: \d{8}T\d{6}Z is now earlier than/
    )
    expectError(
      await call({}, { ...creds, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }),
      403,
      'InvalidClientTokenId',
      'The security token included in the request is invalid.'
    )
    expectError(await call({ sessionToken: null }), 403, 'InvalidClientTokenId')
    expectError(await call({ sessionToken: 'IQoJb3JpZ2luX2VjWRONG' }), 403, 'InvalidClientTokenId')
    expectError(
      await post(sts.url, { Action: 'GetCallerIdentity' }),
      403,
      'MissingAuthenticationToken'
    )
  })

  it('GetCallerIdentity rejects expired credentials', async () => {
    let clock = Date.now()
    const other = await startDemoWorld({ now: () => new Date(clock) })
    try {
      const r = await post(
        other.emulator.url,
        samlParams(other.idp.issue({ issueInstant: new Date(clock) }).base64, {
          DurationSeconds: '900'
        })
      )
      expect(r.status, r.body).toBe(200)
      clock += 901_000
      expectError(
        await signedPost(
          other.emulator.url,
          credsOf(r),
          { Action: 'GetCallerIdentity' },
          { date: new Date(clock) }
        ),
        403,
        'ExpiredToken',
        'The security token included in the request is expired'
      )
    } finally {
      await other.close()
    }
  })

  it('AssumeRole chains from an issued session, within the 1 hour chaining limit', async () => {
    const creds = await session({ DurationSeconds: '900' })
    const ok = await signedPost(sts.url, creds, {
      Action: 'AssumeRole',
      RoleArn: DEMO_ROLES.readOnly,
      RoleSessionName: 'chained-session'
    })
    expect(ok.status, ok.body).toBe(200)
    expect(ok.body).toContain(`<AssumeRoleResponse xmlns="${STS_NAMESPACE}">`)
    expect(ok.get('Arn')).toBe('arn:aws:sts::123456789012:assumed-role/ReadOnly/chained-session')
    expect(ok.get('AccessKeyId')).toMatch(/^ASIA[A-Z2-7]{16}$/)

    // The chained credentials work in turn.
    const who = await signedPost(sts.url, credsOf(ok), { Action: 'GetCallerIdentity' })
    expect(who.get('Arn')).toBe('arn:aws:sts::123456789012:assumed-role/ReadOnly/chained-session')

    expectError(
      await signedPost(sts.url, creds, {
        Action: 'AssumeRole',
        RoleArn: DEMO_ROLES.readOnly,
        RoleSessionName: 'too-long',
        DurationSeconds: '3601'
      }),
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'
    )
  })

  it('AssumeRole enforces ExternalId, deny and registration', async () => {
    const creds = await session()
    const guarded = 'arn:aws:iam::123456789012:role/Guarded'
    sts.registerRole(guarded, { externalId: 'secret-ext-id' })
    const call = (roleArn: string, extra: Record<string, string> = {}): Promise<Reply> =>
      signedPost(sts.url, creds, {
        Action: 'AssumeRole',
        RoleArn: roleArn,
        RoleSessionName: 'ci',
        ...extra
      })
    const denied = new RegExp(
      `^User: arn:aws:sts::123456789012:assumed-role/Deploy/alice@example\\.com is not authorized to perform: sts:AssumeRole on resource: `
    )
    expectError(await call(guarded), 403, 'AccessDenied', denied)
    expectError(await call(guarded, { ExternalId: 'wrong-id' }), 403, 'AccessDenied', denied)
    expect((await call(guarded, { ExternalId: 'secret-ext-id' })).status).toBe(200)
    expectError(await call('arn:aws:iam::123456789012:role/Ghost'), 403, 'AccessDenied', denied)
    expectError(
      await call(DEMO_ROLES.readOnly, { RoleSessionName: 'bad name' }),
      400,
      'ValidationError',
      /at 'roleSessionName' failed to satisfy constraint/
    )
  })

  it('AssumeRole checks session tags as STS does and records them on the session', async () => {
    const creds = await session()
    const call = (extra: Record<string, string>): Promise<Reply> =>
      signedPost(sts.url, creds, {
        Action: 'AssumeRole',
        RoleArn: DEMO_ROLES.readOnly,
        RoleSessionName: 'tagged',
        ...extra
      })
    const tag = (n: number, key: string, value: string): Record<string, string> => ({
      [`Tags.member.${n}.Key`]: key,
      [`Tags.member.${n}.Value`]: value
    })
    const ok = await call({
      ...tag(1, 'team', 'ops'),
      ...tag(2, 'ticket', '42'),
      'TransitiveTagKeys.member.1': 'team'
    })
    expect(ok.status, ok.body).toBe(200)
    const issued = sts.issuedCredentials().find(c => c.accessKeyId === ok.get('AccessKeyId'))!
    expect(issued.tags).toEqual({ team: 'ops', ticket: '42' })
    expect(issued.transitiveTagKeys).toEqual(['team'])

    expectError(
      await call({ ...tag(1, 'team', 'ops'), 'TransitiveTagKeys.member.1': 'project' }),
      400,
      'InvalidParameterValue',
      'The specified transitive tag key must be included in the requested tags.'
    )
    expectError(
      await call({ ...tag(1, 'Team', 'a'), ...tag(2, 'team', 'b') }),
      400,
      'InvalidParameterValue',
      /Duplicate tag keys/
    )
    expectError(await call(tag(1, 'a;b', 'x')), 400, 'ValidationError', /tags\.1\.member\.key/)
    const many = Object.assign(
      {},
      ...Array.from({ length: 51 }, (_, i) => tag(i + 1, `k${i}`, 'v'))
    )
    expectError(await call(many), 400, 'ValidationError', /length less than or equal to 50/)
  })
})

describe('faults', () => {
  const attempt = (): Promise<Reply> => post(sts.url, { Action: 'NoSuchAction' })

  it('throttles N requests, then serves', async () => {
    sts.inject({ kind: 'throttle', times: 2 })
    expectError(await assume(), 400, 'Throttling', 'Rate exceeded')
    expectError(await assume(), 400, 'Throttling', 'Rate exceeded')
    expect((await assume()).status).toBe(200)
    expect(sts.requestCount('AssumeRoleWithSAML')).toBe(3)
  })

  it('applies faults in FIFO order with the requested codes and statuses', async () => {
    sts.inject({ kind: 'throttle', times: 1, code: 'ThrottlingException', status: 429 })
    sts.inject({ kind: 'status', status: 503, times: 1 })
    sts.inject({ kind: 'status', status: 500, times: 1 })
    sts.inject({
      kind: 'error',
      times: 1,
      code: 'IDPCommunicationError',
      status: 400,
      message: 'x'
    })
    expectError(await attempt(), 429, 'ThrottlingException')
    expectError(await attempt(), 503, 'ServiceUnavailable')
    expectError(await attempt(), 500, 'InternalFailure')
    expectError(await attempt(), 400, 'IDPCommunicationError', 'x')
    expectError(await attempt(), 400, 'InvalidAction')
  })

  it('clearFaults drops queued faults', async () => {
    sts.inject({ kind: 'status', status: 500, times: 5 })
    sts.clearFaults()
    expectError(await attempt(), 400, 'InvalidAction')
  })

  it('answers garbage with a 200 that is not XML', async () => {
    sts.inject({ kind: 'garbage', times: 1 })
    const res = await fetch(sts.url, { method: 'POST', body: 'Action=GetCallerIdentity' })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toMatch(/^\s*</)
  })

  it('sends any answer: status, body, content type and headers as given', async () => {
    sts.inject({
      kind: 'answer',
      times: 1,
      status: 302,
      body: '<html>Moved</html>',
      headers: { location: 'https://portal.example.test/' }
    })
    const res = await fetch(sts.url, {
      method: 'POST',
      body: 'Action=GetCallerIdentity',
      redirect: 'manual'
    })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('https://portal.example.test/')
    expect(res.headers.get('content-type')).toBe('text/html')
    expect(await res.text()).toBe('<html>Moved</html>')
  })

  it('resets the connection', async () => {
    sts.inject({ kind: 'reset', times: 1 })
    const err = await fetch(sts.url, { method: 'POST', body: 'Action=X' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TypeError)
    expect(String((err as { cause?: { code?: string } }).cause?.code)).toMatch(
      /ECONNRESET|UND_ERR_SOCKET/
    )
    expectError(await attempt(), 400, 'InvalidAction')
  })

  it('hangs until close() releases the socket', async () => {
    const other = await startStsEmulator()
    other.inject({ kind: 'hang', times: 1 })
    let settled = false
    const pending = fetch(other.url, { method: 'POST', body: 'Action=X' }).then(
      () => 'answered',
      () => 'failed'
    )
    void pending.then(() => (settled = true))
    await new Promise(r => setTimeout(r, 300))
    expect(settled).toBe(false)
    expect(other.requestCount()).toBe(1)
    const started = Date.now()
    await other.close()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(await pending).toBe('failed')
  })

  it('throttles a seeded share of requests deterministically', async () => {
    const pattern = async (): Promise<string> => {
      const e = await startStsEmulator()
      try {
        e.setThrottleRate(0.5, 1234)
        let out = ''
        for (let i = 0; i < 24; i++) {
          out += (await post(e.url, { Action: 'Nope' })).code === 'Throttling' ? 'T' : '.'
        }
        return out
      } finally {
        await e.close()
      }
    }
    const a = await pattern()
    expect(a).toMatch(/T/)
    expect(a).toMatch(/\./)
    expect(await pattern()).toBe(a)
  })
})

describe('server behaviour', () => {
  it('records requests that arrive through an HTTP proxy (absolute URI)', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: sts.port,
            method: 'GET',
            path: 'http://sts.eu-west-3.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15',
            headers: { host: 'sts.eu-west-3.amazonaws.com' }
          },
          res => {
            let text = ''
            res.on('data', (c: Buffer) => (text += c.toString()))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
          }
        )
        req.on('error', reject)
        req.end()
      }
    )
    expectError(reply(status, body), 403, 'MissingAuthenticationToken')
    expect(sts.requests[0]).toMatchObject({
      viaProxy: true,
      region: 'eu-west-3',
      action: 'GetCallerIdentity'
    })
  })

  it('closes itself after idleTimeoutMs', async () => {
    const e = await startStsEmulator({ idleTimeoutMs: 150 })
    expectError(await post(e.url, { Action: 'Nope' }), 400, 'InvalidAction')
    await new Promise(r => setTimeout(r, 400))
    const err = await fetch(e.url).catch((x: unknown) => x)
    expect(String((err as { cause?: { code?: string } }).cause?.code)).toBe('ECONNREFUSED')
    await e.close()
  })

  it('listens on the port it was given', async () => {
    const probe = await startStsEmulator()
    const port = probe.port
    await probe.close()
    const e = await startStsEmulator({ port } satisfies EmulatorOptions)
    try {
      expect(e.port).toBe(port)
      expect(e.url).toBe(`http://127.0.0.1:${port}/`)
    } finally {
      await e.close()
    }
  })
})

describe('sigv4 helper', () => {
  // Known answers from the SigV4 documentation and its test suite ("get-vanilla").
  it('derives the documented signing key', () => {
    const key = deriveSigningKey(
      'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      '20120215',
      'us-east-1',
      'iam'
    )
    expect(key.toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d'
    )
  })

  it('signs the get-vanilla request as the test suite does', () => {
    const headers = signRequest({
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
      },
      region: 'us-east-1',
      service: 'service',
      date: new Date('2015-08-30T12:36:00Z')
    })
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'
    )
  })
})
