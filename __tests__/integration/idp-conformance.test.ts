/**
 * Conformance with real IdPs' Response shapes. Each row is built by the project's test IdP from
 * the facts of one IdP's output (namespace prefixes, attribute order, value forms, envelopes),
 * freshly signed, and redeemed by run() against the strict emulator, which verifies the signature
 * over the bytes it receives. No other project's files are copied.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { describeRoles } from '../../src/cli/cli.js'
import { decodeAssertion } from '../../src/saml/assertion-decoder.js'
import { parseRolePairs } from '../../src/saml/role-attribute.js'
import { parseSamlResponse } from '../../src/saml/saml-parser.js'
import { useInProcessRunner } from '../support/in-process.js'
import {
  DEMO_ACCOUNT_ID,
  DEMO_OTHER_ACCOUNT_ID,
  DEMO_ROLES,
  type StsEmulator
} from '../support/sts-emulator.js'
import {
  SAML_ASSERTION_NS,
  SAML_PROTOCOL_NS,
  type IssueOptions,
  type IssuedResponse
} from '../support/test-idp.js'

const { world, runWith } = useInProcessRunner()
const sts = (): StsEmulator => world().emulator

/** What STS received as SAMLAssertion, decoded. */
const sentAssertion = (): string =>
  Buffer.from(sts().requests[0]!.params.SAMLAssertion ?? '', 'base64').toString('utf8')

describe('Shibboleth ECP: a SOAP envelope around the Response', () => {
  it('redeems the Response inside, as it sits in the envelope (base64 from the provider)', async () => {
    const issued = world().idp.issue({ prefix: 'saml2', envelope: {} })
    expect(issued.xml).toMatch(/<soap11:Envelope[^>]*><soap11:Header><ecp:Response /)
    const result = await runWith({ 'saml-assertion': issued.base64 })
    expect(result.error).toBeUndefined()
    expect(result.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    const inner = /<saml2p:Response[\s\S]*<\/saml2p:Response>/.exec(issued.xml)![0]
    expect(sentAssertion()).toBe(inner)
  })

  it('redeems a Response that only parses with the declarations it inherits', async () => {
    const issued = world().idp.issue({
      envelope: { soapPrefix: 'S', namespacesOnEnvelope: true },
      signWhat: 'both'
    })
    // Sanity: the Response as it sits in the envelope declares nothing itself.
    const slice = /<samlp:Response[\s\S]*<\/samlp:Response>/.exec(issued.xml)![0]
    expect(slice).toMatch(/^<samlp:Response ID=/)
    const result = await runWith({ 'saml-assertion': issued.xml })
    expect(result.error).toBeUndefined()
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(1)
    // The used declarations, and nothing else (not the SOAP prefix), added to the start tag.
    expect(sentAssertion()).toBe(
      slice.replace(
        '<samlp:Response ',
        `<samlp:Response xmlns:samlp="${SAML_PROTOCOL_NS}" xmlns:saml="${SAML_ASSERTION_NS}" `
      )
    )
  })

  it('would fail without them: the bare element does not parse, and the error says why', async () => {
    const issued = world().idp.issue({ envelope: { namespacesOnEnvelope: true } })
    const slice = /<samlp:Response[\s\S]*<\/samlp:Response>/.exec(issued.xml)![0]
    const result = await runWith({ 'saml-assertion': slice })
    expect(result.error).toContain(
      'the XML is not well-formed (undeclared namespace prefix at line 1, column 1, at "<samlp:Response")'
    )
    expect(sts().requestCount()).toBe(0)
  })

  it('reaches STS with a broken signature as broken (nothing re-signed or repaired)', async () => {
    const result = await runWith({}, { envelope: {}, tamper: true })
    expect(result.error).toMatch(/InvalidIdentityToken/)
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(1)
  })

  it('masks the envelope before anything else is printed', async () => {
    const issued = world().idp.issue({ envelope: {} })
    const result = await runWith({ 'saml-assertion': issued.base64 })
    const firstOther = result.stdout.findIndex(
      line => line !== '' && !line.startsWith('::add-mask::')
    )
    const masks = result.stdout.slice(0, firstOther).map(line => line.slice('::add-mask::'.length))
    expect(masks).toContain(issued.base64)
    expect(masks).toContain(sentAssertion())
    expect(masks).toContain(sts().requests[0]!.params.SAMLAssertion)
  })
})

const A = DEMO_ACCOUNT_ID
const B = DEMO_OTHER_ACCOUNT_ID
const role = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`
const provider = (account: string, name: string): string =>
  `arn:aws:iam::${account}:saml-provider/${name}`
const DEPLOY = DEMO_ROLES.deploy
const READ_ONLY = DEMO_ROLES.readOnly
const pairs = (via: string, ...roles: string[]) =>
  roles.map(r => ({ roleArn: r, principalArn: via }))

interface Row {
  /** The IdP and the shape of its Response. */
  shape: string
  /** The facts the test IdP builds it from. */
  facts: IssueOptions
  /** What the user passes as saml-assertion (default: the base64 the IdP posts). */
  as?: (issued: IssuedResponse) => string
  inputs?: Record<string, string>
  /** Role ARNs offered, in order, and the Role values ignored. */
  roles: string[]
  ignored?: string[]
  /** The role STS is asked for, or the error that stops the run before any request. */
  assumes?: string
  error?: string | RegExp
}

/** Providers the rows' roles go through; each trusts the test IdP in the emulator. */
const PROVIDERS = {
  adfs: provider(A, 'ADFS'),
  ping: provider(A, 'PingFederate'),
  entra: provider(A, 'EntraID'),
  netiqA: provider(A, 'NetIQ'),
  netiqB: provider(B, 'NetIQ'),
  shibboleth: provider(A, 'Shibboleth'),
  google: provider(A, 'GoogleWorkspace'),
  okta: provider(A, 'Okta'),
  onelogin: provider(A, 'OneLogin')
}
const NETIQ_ROLES = [
  ...['Deploy', 'ReadOnly', 'Audit', 'Billing', 'DBA', 'Network', 'Security', 'Support'].map(n =>
    role(A, n)
  ),
  role(A, 'team/platform/Operator'),
  role(A, 'Admin,Break-Glass'),
  role(A, 'Developer'),
  role(B, 'Deploy'),
  role(B, 'ReadOnly')
]

const TABLE: Row[] = [
  {
    shape: 'ADFS: saml2: prefixes, Role after the other claims, two roles',
    facts: {
      prefix: 'saml2',
      roleAttributeLast: true,
      roles: pairs(PROVIDERS.adfs, DEPLOY, READ_ONLY),
      extraAttributes: { 'http://schemas.xmlsoap.org/claims/Group': ['Domain Users', 'AWS-Deploy'] }
    },
    inputs: { 'role-arn': DEPLOY },
    roles: [DEPLOY, READ_ONLY],
    assumes: DEPLOY
  },
  {
    shape: 'ADFS: saml2: prefix used but never declared',
    facts: { prefix: 'saml2', roles: pairs(PROVIDERS.adfs, DEPLOY) },
    as: issued =>
      Buffer.from(issued.xml.replace(` xmlns:saml2="${SAML_ASSERTION_NS}"`, '')).toString('base64'),
    roles: [],
    error:
      /the XML is not well-formed \(undeclared namespace prefix at line 1, column \d+, at "<saml2:Issuer"\)/
  },
  {
    shape: 'PingFederate: saml: prefixes, the Response signed, SessionDuration',
    facts: {
      prefix: 'saml',
      signWhat: 'response',
      sessionDuration: 3600,
      roles: pairs(PROVIDERS.ping, DEPLOY)
    },
    roles: [DEPLOY],
    assumes: DEPLOY
  },
  {
    shape: 'Entra ID: default namespace, untyped values, tenant claims first, Role last',
    facts: {
      prefix: 'default-ns',
      untypedValues: true,
      roleAttributeLast: true,
      roleSessionName: 'alice@contoso.example',
      extraAttributes: {
        'http://schemas.microsoft.com/identity/claims/tenantid': [
          '00000000-0000-4000-8000-000000000001'
        ],
        'http://schemas.microsoft.com/identity/claims/displayname': ['Alice Example']
      },
      roles: pairs(PROVIDERS.entra, DEPLOY, READ_ONLY)
    },
    inputs: { 'role-arn': READ_ONLY },
    roles: [DEPLOY, READ_ONLY],
    assumes: READ_ONLY
  },
  {
    shape: 'NetIQ: 13 roles in two accounts, indented XML (signed whitespace)',
    facts: {
      prefix: 'saml',
      pretty: true,
      roles: NETIQ_ROLES.map(r => ({
        roleArn: r,
        principalArn: r.includes(`::${B}:`) ? PROVIDERS.netiqB : PROVIDERS.netiqA
      }))
    },
    inputs: { 'role-arn': role(B, 'Deploy') },
    roles: NETIQ_ROLES,
    assumes: role(B, 'Deploy')
  },
  {
    shape: 'Shibboleth ECP: SOAP envelope, saml2: declared per element',
    facts: { prefix: 'saml2-local', envelope: {}, roles: pairs(PROVIDERS.shibboleth, DEPLOY) },
    roles: [DEPLOY],
    assumes: DEPLOY
  },
  {
    shape: 'Shibboleth ECP: raw envelope XML, SAML namespaces declared on the envelope',
    facts: {
      prefix: 'saml2',
      envelope: { soapPrefix: 'S', namespacesOnEnvelope: true },
      signWhat: 'both',
      roles: pairs(PROVIDERS.shibboleth, DEPLOY)
    },
    as: issued => issued.xml,
    roles: [DEPLOY],
    assumes: DEPLOY
  },
  {
    shape: 'Google Workspace: saml2: prefixes, the Response signed',
    facts: { prefix: 'saml2', signWhat: 'response', roles: pairs(PROVIDERS.google, DEPLOY) },
    roles: [DEPLOY],
    assumes: DEPLOY
  },
  {
    shape: 'Google Workspace: "role,provider," with a trailing comma, both ARNs given',
    facts: {
      prefix: 'saml2',
      signWhat: 'response',
      roleValues: [`${DEPLOY},${PROVIDERS.google},`, `${READ_ONLY},${PROVIDERS.google},`]
    },
    inputs: { 'role-arn': READ_ONLY, 'principal-arn': PROVIDERS.google },
    roles: [DEPLOY, READ_ONLY],
    assumes: READ_ONLY
  },
  {
    shape: 'Okta: saml2: declared per element, provider first',
    facts: {
      prefix: 'saml2-local',
      providerFirst: true,
      roles: pairs(PROVIDERS.okta, DEPLOY, READ_ONLY)
    },
    inputs: { 'role-arn': DEPLOY },
    roles: [DEPLOY, READ_ONLY],
    assumes: DEPLOY
  },
  {
    shape: 'Okta Identity Engine: a newline and indentation inside the value',
    facts: {
      prefix: 'saml2-local',
      roleValues: [`\n            ${PROVIDERS.okta},\n            ${DEPLOY}\n          `]
    },
    roles: [DEPLOY],
    assumes: DEPLOY
  },
  {
    shape: "Okta via AWS's sign-in form body: RelayState=&SAMLResponse=…",
    facts: { prefix: 'saml2-local', providerFirst: true, roles: pairs(PROVIDERS.okta, DEPLOY) },
    as: issued => `RelayState=&SAMLResponse=${encodeURIComponent(issued.base64)}`,
    roles: [DEPLOY],
    assumes: DEPLOY
  },
  {
    shape: 'OneLogin: provider first, a single role, no role-arn needed',
    facts: { prefix: 'saml', providerFirst: true, roles: pairs(PROVIDERS.onelogin, DEPLOY) },
    roles: [DEPLOY],
    assumes: DEPLOY
  },
  {
    shape: 'OneLogin: a malformed value next to nothing usable',
    facts: { prefix: 'saml', roleValues: [`${PROVIDERS.onelogin};${DEPLOY}`] },
    roles: [],
    ignored: [`${PROVIDERS.onelogin};${DEPLOY}`],
    error: `No value of the Role attribute is a usable role: none of its 1 Role value(s) is a "role ARN,provider ARN" pair:\n  - ${JSON.stringify(`${PROVIDERS.onelogin};${DEPLOY}`)}: it is not two ARNs separated by a comma\n`
  },
  {
    shape: 'OneLogin: the Role attribute sent empty (no role assigned)',
    facts: { prefix: 'saml', roleValues: [''] },
    roles: [],
    ignored: [''],
    error:
      'No value of the Role attribute is a usable role: none of its 1 Role value(s) is a "role ARN,provider ARN" pair:\n  - "": it is empty\n'
  }
]

describe('conformance: one row per IdP shape, freshly signed, redeemed against the strict emulator', () => {
  beforeAll(() => {
    const { idp, emulator } = world()
    for (const arn of Object.values(PROVIDERS)) {
      emulator.registerProvider(arn, idp.certPem, { issuer: idp.issuer })
    }
  })

  it.each(TABLE.map(row => [row.shape, row] as const))('%s', async (_shape, row) => {
    const issued = world().idp.issue(row.facts)
    const input = row.as ? row.as(issued) : issued.base64

    // What the action reads from it: the table's roles and ignored values.
    if (row.roles.length > 0 || row.ignored) {
      const saml = parseSamlResponse(decodeAssertion(input).xml)
      const { pairs: offered, invalid } = parseRolePairs(saml.roleValues ?? [])
      expect(offered.map(p => p.roleArn)).toEqual(row.roles)
      expect(invalid.map(i => i.value)).toEqual(row.ignored ?? [])
      // The CLI's `roles` report lists both, untrusted values quoted.
      const report = describeRoles(input, new Date())
      for (const r of row.roles) expect(report).toContain(`  ${r}  via `)
      for (const value of row.ignored ?? [])
        expect(report).toContain(`  ${JSON.stringify(value)}: `)
    }

    const result = await runWith({ 'saml-assertion': input, ...row.inputs })
    if (row.assumes) {
      expect(result.error).toBeUndefined()
      expect(result.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
      const call = sts().requests.find(r => r.action === 'AssumeRoleWithSAML')!
      expect(call.params.RoleArn).toBe(row.assumes)
    } else {
      expect(result.exitCode).toBe(1)
      if (typeof row.error === 'string') expect(result.error).toContain(row.error)
      else expect(result.error).toMatch(row.error!)
      expect(sts().requestCount()).toBe(0)
    }
  })

  it('covers every IdP the issue names', () => {
    const shapes = TABLE.map(row => row.shape).join('\n')
    for (const idp of [
      'ADFS',
      'PingFederate',
      'Entra ID',
      'NetIQ',
      'Shibboleth ECP',
      'Google',
      'Okta',
      'Okta Identity Engine',
      'OneLogin'
    ]) {
      expect(shapes).toContain(idp)
    }
    expect(NETIQ_ROLES).toHaveLength(13)
  })
})
