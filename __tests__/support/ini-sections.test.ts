import { describe, expect, it } from 'vitest'
import { readSections } from './ini-sections.js'

describe('readSections, the INI reader of the tests', () => {
  it('maps headers to lower-cased keys and values, the last one winning', () => {
    const text =
      '; top\n[default]\nRegion = us-east-1\noutput: json\n\n[ profile x ]\na = 1\n\n[profile x]\na = 2\n'
    const sections = readSections(text)
    expect([...sections.keys()]).toEqual(['default', 'profile x'])
    expect(Object.fromEntries(sections.get('default')!)).toEqual({
      region: 'us-east-1',
      output: 'json'
    })
    expect(sections.get('profile x')?.get('a')).toBe('2')
  })

  it('joins indented continuation lines to the value above, CRLF or not', () => {
    const text =
      '[profile a]\r\ns3 =\r\n  max_concurrent_requests = 20\r\n  [x] = 1\r\nregion = y\r\n'
    expect(Object.fromEntries(readSections(text).get('profile a')!)).toEqual({
      s3: '\nmax_concurrent_requests = 20\n[x] = 1',
      region: 'y'
    })
  })
})
