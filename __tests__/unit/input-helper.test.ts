import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors/run-errors.js'
import { thrown } from '../support/thrown.js'
import {
  CHAIN_DURATION_MAX,
  DURATION_DEFAULT,
  DURATION_MAX,
  DURATION_MIN,
  getSettings,
  parseBoolean,
  parseInteger,
  splitList,
  type InputReader,
  type Settings
} from '../../src/plan/input-helper.js'

const ROLE = 'arn:aws:iam::123456789012:role/GitHubDeploy'
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/ExampleIdP'
const ASSERTION = 'PHNhbWxwOlJlc3BvbnNlLz4='

/** A fake core.getInput: '' for anything not set, values returned untrimmed. */
function reader(inputs: Record<string, string>): InputReader {
  return name => inputs[name] ?? ''
}

function settings(inputs: Record<string, string>): Settings {
  return getSettings(reader({ 'saml-assertion': ASSERTION, ...inputs }))
}

function inputError(inputs: Record<string, string>): InputError {
  try {
    settings(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError, nothing was thrown')
}

describe('getSettings: defaults', () => {
  it('needs only the assertion', () => {
    expect(settings({})).toMatchObject({
      assertion: { source: 'input', value: ASSERTION },
      principalArn: undefined,
      region: undefined,
      durationSeconds: 3600,
      inlineSessionPolicy: undefined,
      managedSessionPolicies: [],
      stsEndpoint: undefined,
      exportEnv: true,
      outputCredentials: false
    })
  })

  it('exports the duration limits', () => {
    expect([DURATION_MIN, DURATION_DEFAULT, DURATION_MAX]).toEqual([900, 3600, 43_200])
  })

  it('reads the region and principal-arn trimmed', () => {
    const s = settings({ 'aws-region': '  eu-west-1\n', 'principal-arn': ` ${PROVIDER} ` })
    expect(s.region).toBe('eu-west-1')
    expect(s.principalArn).toBe(PROVIDER)
  })

  it('takes whitespace-only inputs as unset', () => {
    const s = settings({ 'aws-region': '  ', 'role-duration-seconds': '\n', 'sts-endpoint': ' ' })
    expect(s.region).toBeUndefined()
    expect(s.durationSeconds).toBe(3600)
    expect(s.stsEndpoint).toBeUndefined()
  })
})

describe('parseBoolean', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['False', false],
    ['  true\n', true]
  ])('reads %j as %s', (raw, value) => {
    expect(parseBoolean(raw, 'export-env', !value)).toBe(value)
  })

  it('falls back to the default when empty', () => {
    expect(parseBoolean('', 'x', true)).toBe(true)
    expect(parseBoolean('  ', 'x', false)).toBe(false)
  })

  it.each(['yes', 'no', '1', '0', 'on', 'flase', 'ture', '"false"'])(
    'refuses %j, naming the input',
    raw => {
      const error = thrown(InputError, () => parseBoolean(raw, 'output-credentials', false))
      expect(error.message).toBe(
        `Input 'output-credentials' must be 'true' or 'false', not ${JSON.stringify(raw)}.`
      )
    }
  )

  it('is applied to export-env and output-credentials', () => {
    expect(settings({ 'export-env': 'FALSE', 'output-credentials': 'True' })).toMatchObject({
      exportEnv: false,
      outputCredentials: true
    })
    expect(inputError({ 'export-env': 'flase' }).message).toBe(
      `Input 'export-env' must be 'true' or 'false', not "flase".`
    )
    expect(inputError({ 'output-credentials': 'yes' }).message).toBe(
      `Input 'output-credentials' must be 'true' or 'false', not "yes".`
    )
  })
})

describe('getSettings: the assertion source', () => {
  it('refuses both saml-assertion and saml-assertion-file', () => {
    expect(inputError({ 'saml-assertion-file': 'a.xml' }).message).toBe(
      "Both 'saml-assertion' and 'saml-assertion-file' are set. Set exactly one of them."
    )
  })

  it('refuses neither, explaining where secrets may be missing', () => {
    const error = inputError({ 'saml-assertion': '' })
    expect(error.message).toContain("No SAML assertion given. Set 'saml-assertion'")
    expect(error.message).toContain("'saml-assertion-file' (a path, file:// accepted)")
    expect(error.message).toContain('secrets are empty in pull requests from forks')
  })

  it('takes a whitespace-only saml-assertion as unset', () => {
    expect(inputError({ 'saml-assertion': ' \n ' }).message).toContain('No SAML assertion given')
    expect(
      getSettings(reader({ 'saml-assertion': '\n', 'saml-assertion-file': 'a.b64' })).assertion
    ).toEqual({ source: 'file', path: 'a.b64' })
  })

  it('reads a file path, trimmed', () => {
    expect(
      getSettings(reader({ 'saml-assertion-file': '  out/assertion.xml\n' })).assertion
    ).toEqual({ source: 'file', path: 'out/assertion.xml' })
  })

  it.each([
    ['file:///tmp/assertion.xml', '/tmp/assertion.xml'],
    ['file://out/assertion.b64', 'out/assertion.b64'],
    ['/abs/file://x', '/abs/file://x']
  ])('strips a file:// prefix from %s', (raw, path) => {
    expect(getSettings(reader({ 'saml-assertion-file': raw })).assertion).toEqual({
      source: 'file',
      path
    })
  })

  it('does not trim the raw assertion', () => {
    const xml = '  <?xml version="1.0"?>\n<samlp:Response/>\n\n'
    expect(settings({ 'saml-assertion': xml }).assertion).toEqual({ source: 'input', value: xml })
  })
})

describe('role-duration-seconds', () => {
  it.each([
    ['900', 900],
    ['3600', 3600],
    ['43200', 43_200],
    [' 7200 ', 7200],
    ['0900', 900]
  ])('accepts %j', (text, value) => {
    expect(settings({ 'role-duration-seconds': text }).durationSeconds).toBe(value)
  })

  it.each([
    ['899', "Input 'role-duration-seconds' is 899; it must be between 900 and 43200."],
    ['43201', "Input 'role-duration-seconds' is 43201; it must be between 900 and 43200."],
    ['0', "Input 'role-duration-seconds' is 0; it must be between 900 and 43200."],
    ['12.5', `Input 'role-duration-seconds' must be a whole number, not "12.5".`],
    ['abc', `Input 'role-duration-seconds' must be a whole number, not "abc".`],
    ['-900', `Input 'role-duration-seconds' must be a whole number, not "-900".`],
    ['1e4', `Input 'role-duration-seconds' must be a whole number, not "1e4".`],
    ['3600s', `Input 'role-duration-seconds' must be a whole number, not "3600s".`],
    ['0x384', `Input 'role-duration-seconds' must be a whole number, not "0x384".`]
  ])('refuses %j', (text, message) => {
    expect(inputError({ 'role-duration-seconds': text }).message).toBe(message)
  })

  it('parseInteger checks the bounds inclusively', () => {
    expect(parseInteger('5', 'n', 5, 6)).toBe(5)
    expect(parseInteger('6', 'n', 5, 6)).toBe(6)
    expect(() => parseInteger('7', 'n', 5, 6)).toThrow(
      "Input 'n' is 7; it must be between 5 and 6."
    )
    expect(() => parseInteger('', 'n', 5, 6)).toThrow(`Input 'n' must be a whole number, not "".`)
  })
})

describe('inline-session-policy', () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]
  })

  function policyOfLength(length: number): string {
    const empty = '{"Version":"2012-10-17","Statement":[],"Sid":""}'
    return `${empty.slice(0, -2)}${'x'.repeat(length - empty.length)}"}`
  }

  it('accepts a JSON policy, trimmed', () => {
    expect(settings({ 'inline-session-policy': `\n${policy}\n` }).inlineSessionPolicy).toBe(policy)
  })

  it('accepts exactly 2048 characters', () => {
    const padded = policyOfLength(2048)
    expect(padded).toHaveLength(2048)
    expect(settings({ 'inline-session-policy': padded }).inlineSessionPolicy).toBe(padded)
  })

  it('refuses more than 2048 characters', () => {
    const long = policyOfLength(2049)
    expect(long).toHaveLength(2049)
    expect(inputError({ 'inline-session-policy': long }).message).toBe(
      "Input 'inline-session-policy' is 2049 characters; STS allows at most 2048."
    )
  })

  it('refuses invalid JSON, with the parser reason', () => {
    const error = inputError({ 'inline-session-policy': "{'Version': '2012-10-17'}" })
    expect(error.message).toMatch(/^Input 'inline-session-policy' is not valid JSON: .+\.$/)
  })
})

describe('managed-session-policies', () => {
  const policies = Array.from(
    { length: 10 },
    (_, i) => `arn:aws:iam::123456789012:policy/Policy${i}`
  )

  it('reads a comma-separated list', () => {
    expect(
      settings({
        'managed-session-policies': `${policies[0]}, ${policies[1]} ,arn:aws:iam::aws:policy/ReadOnlyAccess`
      }).managedSessionPolicies
    ).toEqual([policies[0], policies[1], 'arn:aws:iam::aws:policy/ReadOnlyAccess'])
  })

  it('reads a newline-separated list with blank lines', () => {
    expect(
      settings({ 'managed-session-policies': `\n${policies[0]}\n\n  ${policies[1]}\r\n` })
        .managedSessionPolicies
    ).toEqual([policies[0], policies[1]])
  })

  it('accepts 10 policies', () => {
    expect(
      settings({ 'managed-session-policies': policies.join('\n') }).managedSessionPolicies
    ).toEqual(policies)
  })

  it('refuses 11 policies', () => {
    const eleven = [...policies, 'arn:aws:iam::aws:policy/ReadOnlyAccess'].join(',')
    expect(inputError({ 'managed-session-policies': eleven }).message).toBe(
      "Input 'managed-session-policies' lists 11 policies; STS allows at most 10."
    )
  })

  it('refuses an ARN that is not a policy, naming the input', () => {
    const error = inputError({ 'managed-session-policies': `${policies[0]},${ROLE}` })
    expect(error.message).toBe(
      `Input 'managed-session-policies' is not a valid policy ARN: ${JSON.stringify(ROLE)}. ` +
        'Expected the form arn:aws:iam::123456789012:policy/NAME, in a known partition (aws, aws-us-gov, aws-cn, aws-iso*, aws-eusc).'
    )
  })

  it('splitList drops empty items', () => {
    expect(splitList(undefined)).toEqual([])
    expect(splitList(' , \n,')).toEqual([])
    expect(splitList('a,,b\n c ')).toEqual(['a', 'b', 'c'])
  })
})

describe('sts-endpoint', () => {
  it.each([
    ['https://sts.eu-west-1.amazonaws.com', 'https://sts.eu-west-1.amazonaws.com/'],
    ['https://sts.us-gov-west-1.amazonaws.com/', 'https://sts.us-gov-west-1.amazonaws.com/'],
    [
      'https://vpce-1a2b3c.sts.eu-west-1.vpce.amazonaws.com',
      'https://vpce-1a2b3c.sts.eu-west-1.vpce.amazonaws.com/'
    ],
    ['http://127.0.0.1:4566', 'http://127.0.0.1:4566/'],
    ['http://127.0.0.2:8080/', 'http://127.0.0.2:8080/'],
    ['http://localhost:4566', 'http://localhost:4566/'],
    ['http://[::1]:4566', 'http://[::1]:4566/']
  ])('accepts %s', (url, normalised) => {
    expect(settings({ 'sts-endpoint': url }).stsEndpoint).toBe(normalised)
  })

  it.each([
    'http://example.com',
    'http://sts.amazonaws.com',
    'http://127.0.0.1.nip.io:4566',
    'http://localhost.example.com'
  ])('refuses plain http to %s', url => {
    const host = new URL(url).hostname
    expect(inputError({ 'sts-endpoint': url }).message).toBe(
      `Input 'sts-endpoint' uses plain http to ${host}; the assertion would cross the network unencrypted. Use https (plain http is allowed only for loopback test endpoints).`
    )
  })

  it.each(['not a url', 'sts.eu-west-1.amazonaws.com', '//sts.amazonaws.com'])(
    'refuses %j as not a URL',
    text => {
      expect(inputError({ 'sts-endpoint': text }).message).toBe(
        `Input 'sts-endpoint' is not a URL: ${JSON.stringify(text)}. Use e.g. https://sts.eu-west-1.amazonaws.com.`
      )
    }
  )

  it.each([
    ['ftp://sts.amazonaws.com', 'ftp:'],
    ['file:///etc/passwd', 'file:']
  ])('refuses another scheme: %s', (url, scheme) => {
    expect(inputError({ 'sts-endpoint': url }).message).toBe(
      `Input 'sts-endpoint' must be an https URL, not ${scheme}.`
    )
  })
})

describe('role-arn and principal-arn', () => {
  it('refuses a role-arn that is not a role ARN', () => {
    expect(inputError({ 'role-arn': 'GitHubDeploy' }).message).toBe(
      `Input 'role-arn' is not a valid role ARN: "GitHubDeploy". ` +
        'Expected the form arn:aws:iam::123456789012:role/NAME, in a known partition (aws, aws-us-gov, aws-cn, aws-iso*, aws-eusc).'
    )
  })

  it('refuses a provider ARN given as role-arn', () => {
    expect(inputError({ 'role-arn': PROVIDER }).message).toContain(
      `Input 'role-arn' is not a valid role ARN: ${JSON.stringify(PROVIDER)}.`
    )
  })

  it('refuses a principal-arn that is not a SAML provider ARN', () => {
    expect(inputError({ 'principal-arn': ROLE }).message).toBe(
      `Input 'principal-arn' is not a valid saml-provider ARN: ${JSON.stringify(ROLE)}. ` +
        'Expected the form arn:aws:iam::123456789012:saml-provider/NAME, in a known partition (aws, aws-us-gov, aws-cn, aws-iso*, aws-eusc).'
    )
  })

  it('refuses a principal-arn with a region', () => {
    expect(
      inputError({ 'principal-arn': 'arn:aws:iam:us-east-1:123456789012:saml-provider/Idp' })
        .message
    ).toContain("Input 'principal-arn' is not a valid saml-provider ARN")
  })

  it('reads role-arn as one ARN per line, duplicates dropped', () => {
    const other = 'arn:aws:iam::123456789012:role/a,b'
    expect(settings({ 'role-arn': ` ${ROLE} ` }).roleArns).toEqual([ROLE])
    expect(settings({ 'role-arn': `${ROLE}\n\n${other}\r\n${ROLE}\n` }).roleArns).toEqual([
      ROLE,
      other
    ])
    expect(settings({}).roleArns).toEqual([])
    expect(settings({ 'role-arn': ' * ' }).roleArns).toBe('*')
  })

  it('names the bad line of a role-arn list', () => {
    expect(inputError({ 'role-arn': `${ROLE}\nnot-an-arn` }).message).toContain(
      `Input 'role-arn' is not a valid role ARN: "not-an-arn".`
    )
  })
})

describe('profiles, accounts, retries and chaining', () => {
  it('has defaults for each', () => {
    expect(settings({})).toMatchObject({
      profile: undefined,
      verifyCredentials: false,
      allowedAccountIds: [],
      maskAccountId: false,
      retry: { maxAttempts: 6, budgetSeconds: 60 },
      maxConcurrency: 8,
      chain: undefined,
      httpProxy: undefined,
      noProxy: undefined
    })
  })

  it('reads no-proxy beside http-proxy', () => {
    expect(
      settings({ 'http-proxy': 'http://proxy:3128', 'no-proxy': ' .internal, 10.0.0.1 ' })
    ).toMatchObject({ httpProxy: 'http://proxy:3128', noProxy: '.internal, 10.0.0.1' })
  })

  it('stops exporting env by default once a profile is written, unless asked', () => {
    expect(settings({ profile: 'deploy' })).toMatchObject({ profile: 'deploy', exportEnv: false })
    expect(settings({ profile: 'deploy', 'export-env': 'true' }).exportEnv).toBe(true)
  })

  it('reads strict booleans for the other switches', () => {
    expect(
      settings({
        'verify-credentials': 'TRUE',
        'mask-account-id': 'true',
        cleanup: 'false'
      })
    ).toMatchObject({ verifyCredentials: true, maskAccountId: true })
    expect(inputError({ cleanup: 'no' }).message).toBe(
      `Input 'cleanup' must be 'true' or 'false', not "no".`
    )
    expect(inputError({ 'disable-retry': '1' }).message).toBe(
      `Input 'disable-retry' must be 'true' or 'false', not "1".`
    )
  })

  it('reads allowed-account-ids as a list of 12-digit IDs', () => {
    expect(
      settings({ 'allowed-account-ids': '123456789012,\n 210987654321 ' }).allowedAccountIds
    ).toEqual(['123456789012', '210987654321'])
    expect(inputError({ 'allowed-account-ids': '123456789012,12345' }).message).toBe(
      `Input 'allowed-account-ids' holds "12345"; each entry must be a 12-digit AWS account ID.`
    )
  })

  it('bounds the retry settings, and disable-retry means one attempt', () => {
    expect(settings({ 'retry-max-attempts': '20', 'retry-budget-seconds': '900' }).retry).toEqual({
      maxAttempts: 20,
      budgetSeconds: 900
    })
    expect(settings({ 'disable-retry': 'true', 'retry-max-attempts': '5' }).retry.maxAttempts).toBe(
      1
    )
    expect(inputError({ 'retry-max-attempts': '21' }).message).toBe(
      "Input 'retry-max-attempts' is 21; it must be between 1 and 20."
    )
    expect(inputError({ 'retry-budget-seconds': '0' }).message).toBe(
      "Input 'retry-budget-seconds' is 0; it must be between 1 and 900."
    )
    expect(inputError({ 'max-concurrency': '65' }).message).toBe(
      "Input 'max-concurrency' is 65; it must be between 1 and 64."
    )
  })

  it('reads a chained role with defaults', () => {
    expect(settings({ 'chain-role-arn': ROLE }).chain).toEqual({
      roleArn: ROLE,
      sessionName: undefined,
      externalId: undefined,
      tags: [],
      transitiveTagKeys: [],
      durationSeconds: CHAIN_DURATION_MAX
    })
    expect(CHAIN_DURATION_MAX).toBe(3600)
  })

  it('reads and checks the chained role settings', () => {
    expect(
      settings({
        'chain-role-arn': ROLE,
        'chain-role-session-name': 'deploy@ci',
        'chain-role-external-id': 'urn:ext/id-1',
        'chain-role-duration-seconds': '900'
      }).chain
    ).toEqual({
      roleArn: ROLE,
      sessionName: 'deploy@ci',
      externalId: 'urn:ext/id-1',
      tags: [],
      transitiveTagKeys: [],
      durationSeconds: 900
    })
    expect(inputError({ 'chain-role-arn': PROVIDER }).message).toContain(
      "Input 'chain-role-arn' is not a valid role ARN"
    )
    expect(inputError({ 'chain-role-arn': ROLE, 'chain-role-session-name': 'a b' }).message).toBe(
      `Input 'chain-role-session-name' must be 2-64 characters of letters, digits and _+=,.@- (got "a b").`
    )
    expect(inputError({ 'chain-role-arn': ROLE, 'chain-role-external-id': 'x' }).message).toBe(
      "Input 'chain-role-external-id' must be 2-1224 characters of letters, digits and _+=,.@:/-."
    )
    expect(
      inputError({ 'chain-role-arn': ROLE, 'chain-role-duration-seconds': '3601' }).message
    ).toBe("Input 'chain-role-duration-seconds' is 3601; it must be between 900 and 3600.")
  })

  it('reads session tags and transitive keys for the chained role (CAC custom-tags)', () => {
    const chain = settings({
      'chain-role-arn': ROLE,
      'role-session-tags': '{"team": "ops", "ticket": 42, "urgent": true, "empty": ""}',
      'transitive-tag-keys': 'team,\nticket'
    }).chain
    expect(chain?.tags).toEqual([
      { key: 'team', value: 'ops' },
      { key: 'ticket', value: '42' },
      { key: 'urgent', value: 'true' },
      { key: 'empty', value: '' }
    ])
    expect(chain?.transitiveTagKeys).toEqual(['team', 'ticket'])
  })

  it.each([
    ['not json', "Input 'role-session-tags' is not valid JSON."],
    ['["a"]', "Input 'role-session-tags' must be a JSON object"],
    [
      '{"a": {"b": 1}}',
      'Input \'role-session-tags\': the value of "a" must be a string, number or boolean.'
    ],
    ['{"": "x"}', 'Input \'role-session-tags\': tag name "" must be 1-128'],
    [`{"${'k'.repeat(129)}": "x"}`, 'must be 1-128 letters'],
    ['{"a;b": "x"}', 'tag name "a;b" must be 1-128 letters, digits, spaces or _.:/=+-@.'],
    ['{"aws:x": "y"}', 'tag name "aws:x" uses the reserved prefix aws:.'],
    [`{"a": "${'v'.repeat(257)}"}`, 'the value of "a" must be 0-256'],
    ['{"a": "new\\nline"}', 'the value of "a" must be 0-256'],
    ['{"Team": "a", "team": "b"}', 'tag name "team" appears twice (names ignore case).'],
    [
      JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))),
      "Input 'role-session-tags' has 51 tags; STS allows at most 50."
    ]
  ])('refuses role-session-tags %s', (tags, message) => {
    expect(inputError({ 'chain-role-arn': ROLE, 'role-session-tags': tags }).message).toContain(
      message
    )
  })

  it('refuses a transitive key that is not a session tag', () => {
    expect(
      inputError({
        'chain-role-arn': ROLE,
        'role-session-tags': '{"team": "ops"}',
        'transitive-tag-keys': 'team, project'
      }).message
    ).toBe(
      `Input 'transitive-tag-keys' names "project", not among the tags of 'role-session-tags'. Add the tag there or remove the name.`
    )
  })

  it.each([
    'chain-role-session-name',
    'chain-role-external-id',
    'chain-role-duration-seconds',
    'role-session-tags',
    'transitive-tag-keys'
  ])('refuses %s without chain-role-arn', name => {
    expect(inputError({ [name]: 'value' }).message).toBe(`Input '${name}' needs 'chain-role-arn'.`)
  })
})
