import { describe, expect, it } from 'vitest'
import {
  hasContent,
  isValidProfileName,
  removeSections,
  upsertSections,
  validateIni
} from '../../src/aws-files/ini.js'
import { readSections } from '../support/ini-sections.js'

const NEW: Array<[string, string]> = [
  ['aws_access_key_id', 'ASIANEW'],
  ['aws_secret_access_key', 'new/secret+key'],
  ['aws_session_token', 'newtoken==']
]
const NEW_LINES =
  'aws_access_key_id = ASIANEW\naws_secret_access_key = new/secret+key\naws_session_token = newtoken==\n'

/** A user's file as it is found in the wild: comments, odd spacing, unknown keys, nested values. */
const USER_FILE = [
  '# Managed by hand. Do not touch my comments.',
  '',
  '[default]',
  'aws_access_key_id=AKIADEFAULT',
  'aws_secret_access_key  =  defaultsecret',
  '; a semicolon comment',
  '',
  '[SAML-PROFILE]',
  'aws_access_key_id = ASIAOLD',
  'aws_secret_access_key = oldsecret',
  'aws_session_token = oldtoken',
  '',
  '# the next one is for the build box',
  '[build]',
  'aws_access_key_id = AKIABUILD',
  'unknown_key = kept',
  's3 =',
  '  max_concurrent_requests = 20',
  '  max_queue_size = 1000',
  ''
].join('\n')

describe('upsertSections', () => {
  it('replaces a section in place and keeps everything else byte for byte', () => {
    const result = upsertSections(USER_FILE, [{ header: 'SAML-PROFILE', entries: NEW }])
    expect(result).toBe(
      USER_FILE.replace(
        'aws_access_key_id = ASIAOLD\naws_secret_access_key = oldsecret\naws_session_token = oldtoken\n',
        NEW_LINES
      )
    )
    expect(validateIni(result)).toBeUndefined()
  })

  it('writes exactly the given entries, dropping stale keys of that section', () => {
    const text = '[p]\naws_security_token = stale\naws_access_key_id = OLD\n\n[q]\nk = v\n'
    expect(upsertSections(text, [{ header: 'p', entries: [['aws_access_key_id', 'NEW']] }])).toBe(
      '[p]\naws_access_key_id = NEW\n\n[q]\nk = v\n'
    )
  })

  it('keeps comments inside the replaced section, and the comment that introduces the next', () => {
    const text = '[p]\n# note\nold = 1\n# between\nold2 = 2\n\n# about q\n[q]\nk = v\n'
    expect(upsertSections(text, [{ header: 'p', entries: [['a', 'b']] }])).toBe(
      '[p]\n# note\na = b\n# between\n\n# about q\n[q]\nk = v\n'
    )
  })

  it('heals the duplicate sections that appending tools leave behind', () => {
    const awk =
      '[default]\nregion = us-east-1\n\n[SAML-PROFILE]\naws_access_key_id = FIRST\n\n' +
      '[other]\nk = v\n\n[SAML-PROFILE]\naws_access_key_id = SECOND\n\n[SAML-PROFILE]\naws_access_key_id = THIRD\n'
    expect(validateIni(awk)).toMatch(/duplicate section \[SAML-PROFILE\]/)
    const healed = upsertSections(awk, [{ header: 'SAML-PROFILE', entries: NEW }])
    expect(healed).toBe(
      `[default]\nregion = us-east-1\n\n[SAML-PROFILE]\n${NEW_LINES}\n[other]\nk = v\n`
    )
    expect(validateIni(healed)).toBeUndefined()
  })

  it('appends new sections after one blank line, in order', () => {
    const text = '[a]\nk = v\n'
    expect(
      upsertSections(text, [
        { header: 'b', entries: [['x', '1']] },
        { header: 'profile c', entries: [['region', 'eu-west-1']] }
      ])
    ).toBe('[a]\nk = v\n\n[b]\nx = 1\n\n[profile c]\nregion = eu-west-1\n')
    expect(upsertSections('[a]\nk = v\n\n', [{ header: 'b', entries: [['x', '1']] }])).toBe(
      '[a]\nk = v\n\n[b]\nx = 1\n'
    )
    expect(upsertSections('', [{ header: 'b', entries: [['x', '1']] }])).toBe('[b]\nx = 1\n')
  })

  it('preserves CRLF line endings, and uses them for new lines', () => {
    const text = '# c\r\n[a]\r\nk = old\r\n\r\n[b]\r\nx = 1\r\n'
    expect(upsertSections(text, [{ header: 'a', entries: [['k', 'new']] }])).toBe(
      '# c\r\n[a]\r\nk = new\r\n\r\n[b]\r\nx = 1\r\n'
    )
    expect(upsertSections(text, [{ header: 'c', entries: [['k', 'v']] }])).toBe(
      `${text}\r\n[c]\r\nk = v\r\n`
    )
  })

  it('keeps a missing final newline missing', () => {
    expect(upsertSections('[a]\nk = old', [{ header: 'a', entries: [['k', 'new']] }])).toBe(
      '[a]\nk = new'
    )
    expect(upsertSections('[a]\nk = v', [{ header: 'b', entries: [['k', 'v']] }])).toBe(
      '[a]\nk = v\n\n[b]\nk = v'
    )
    expect(
      upsertSections('[a]\nk = v\n\n[b]\nx = 1', [{ header: 'b', entries: [['x', '2']] }])
    ).toBe('[a]\nk = v\n\n[b]\nx = 2')
  })

  it('keeps nested continuation lines of other sections, even ones that look like headers', () => {
    const text =
      '[profile a]\ns3 =\n  max_concurrent_requests = 20\n  [looks-like-a-header] = 1\nregion = x\n'
    expect(readSections(text).get('profile a')?.get('s3')).toBe(
      '\nmax_concurrent_requests = 20\n[looks-like-a-header] = 1'
    )
    const result = upsertSections(text, [{ header: 'profile b', entries: [['region', 'y']] }])
    expect(result).toBe(`${text}\n[profile b]\nregion = y\n`)
    expect(readSections(result).has('looks-like-a-header')).toBe(false)
  })

  it('with keepOtherKeys replaces the given keys in place and keeps the rest', () => {
    const text =
      '[profile p]\noutput = json\nREGION = old\ns3 =\n  addressing_style = path\n\n[profile q]\nregion = q\n'
    expect(
      upsertSections(text, [
        {
          header: 'profile p',
          entries: [
            ['region', 'new'],
            ['cli_pager', '']
          ],
          keepOtherKeys: true
        }
      ])
    ).toBe(
      '[profile p]\noutput = json\nregion = new\ns3 =\n  addressing_style = path\ncli_pager = \n\n[profile q]\nregion = q\n'
    )
  })

  it('matches headers like the AWS CLI: spaces inside the brackets do not count', () => {
    const text = '[ profile  x ]\nregion = old\n'
    expect(upsertSections(text, [{ header: 'profile x', entries: [['region', 'new']] }])).toBe(
      '[ profile  x ]\nregion = new\n'
    )
  })

  it('refuses values with line breaks without echoing them', () => {
    for (const value of ['a\nb', 'a\r\n[evil]', 'a\r']) {
      expect(() =>
        upsertSections('', [{ header: 'p', entries: [['aws_secret_access_key', value]] }])
      ).toThrow('The value for aws_secret_access_key in [p] contains a line break')
    }
    expect(() => upsertSections('', [{ header: 'a]\n[b', entries: [] }])).toThrow(
      /Invalid section header/
    )
    expect(() => upsertSections('', [{ header: 'p', entries: [['k = x\n', 'v']] }])).toThrow(
      /Invalid key/
    )
  })
})

describe('removeSections', () => {
  it('removes every occurrence, with the blank line that separated it', () => {
    const text = '[a]\nk = 1\n\n[b]\nk = 2\n\n[a]\nk = 3\n\n[c]\nk = 4\n'
    expect(removeSections(text, ['a'])).toEqual({
      text: '[b]\nk = 2\n\n[c]\nk = 4\n',
      removed: ['a']
    })
    expect(removeSections(text, ['c']).text).toBe('[a]\nk = 1\n\n[b]\nk = 2\n\n[a]\nk = 3\n')
    expect(removeSections(text, ['nope'])).toEqual({ text, removed: [] })
  })

  it('keeps an occurrence when keep() says so', () => {
    const text = '[p]\naws_access_key_id = MINE\n\n[q]\naws_access_key_id = THEIRS\n\n[r]\nk = v\n'
    const seen: string[] = []
    const result = removeSections(text, ['p', 'q'], (header, entries) => {
      seen.push(header)
      return entries.get('aws_access_key_id') !== 'MINE'
    })
    expect(seen).toEqual(['p', 'q'])
    expect(result).toEqual({
      text: '[q]\naws_access_key_id = THEIRS\n\n[r]\nk = v\n',
      removed: ['p']
    })
  })

  it('leaves comments and the separation between what stays, and keeps CRLF', () => {
    const text = '# mine\r\n[a]\r\nk = 1\r\n\r\n[b]\r\nk = 2'
    expect(removeSections(text, ['b']).text).toBe('# mine\r\n[a]\r\nk = 1')
    expect(removeSections(text, ['a']).text).toBe('# mine\r\n\r\n[b]\r\nk = 2')
  })
})

describe('validateIni', () => {
  it('accepts what the AWS CLI parses', () => {
    expect(validateIni(USER_FILE)).toBeUndefined()
    expect(validateIni('')).toBeUndefined()
    expect(validateIni('# only a comment\n')).toBeUndefined()
    expect(validateIni('[a]\r\nk = v\r\n')).toBeUndefined()
  })

  it('names the reason, never a value', () => {
    expect(validateIni('[a]\nk = 1\n[b]\n[a]\n')).toBe(
      'line 4: duplicate section [a] (first at line 1)'
    )
    expect(validateIni('aws_secret_access_key = SECRET\n[a]\n')).toBe(
      'line 1: a key or text outside any [section]'
    )
    expect(validateIni('[a]\nSECRET-WITHOUT-DELIMITER\n')).toBe(
      'line 2: malformed line (neither a [section] header nor key = value)'
    )
    expect(validateIni('[a]\n[unclosed\n')).toMatch(/^line 2: malformed line/)
    expect(validateIni('[a]\nk = 1\nK = SECRET\n')).toBe(
      "line 3: duplicate key 'k' in [a] (first at line 2)"
    )
    expect(validateIni('[a]\ns3 =\n  SECRET\n')).toBe(
      "line 3: nested value line without '=' under 's3'"
    )
    expect(validateIni('\ufeff[default]\nk = v\n')).toMatch(/byte order mark/)
    for (const text of [
      'aws_secret_access_key = SECRET\n',
      '[a]\nSECRET\n',
      '[a]\nk = SECRET\nk = x'
    ]) {
      expect(validateIni(text)).not.toMatch(/SECRET/)
    }
  })
})

describe('hasContent', () => {
  it('is false when only whitespace and comments are left', () => {
    expect(hasContent('')).toBe(false)
    expect(hasContent('\n \r\n\t\n# a\n  ; b\n')).toBe(false)
    expect(hasContent('# a\n[x]\n')).toBe(true)
  })
})

describe('isValidProfileName', () => {
  it('accepts IAM-style names', () => {
    for (const name of ['default', 'SAML-PROFILE', 'a', 'dev.team+ops=1,x@y_z', 'x'.repeat(64)]) {
      expect(isValidProfileName(name)).toBe(true)
    }
  })

  it('rejects anything that could change the shape of the file', () => {
    for (const name of [
      'a]\n[b',
      'profile x',
      '',
      'x'.repeat(65),
      'a b',
      'a\nb',
      '[a]',
      'a;b',
      'DEFAULT'
    ]) {
      expect(isValidProfileName(name)).toBe(false)
    }
  })
})
