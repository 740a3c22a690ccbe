import { describe, expect, it } from 'vitest'
import { quote, summaryCell } from '../../src/util/log-safety.js'

/** No line of the text may be read by the runner as a workflow command. */
function startsNoCommand(text: string): boolean {
  return text.split(/\r\n|\r|\n/).every(line => !line.trimStart().startsWith('::'))
}

describe('quote', () => {
  it('JSON-quotes a value', () => {
    expect(quote('jane.doe@example.com')).toBe('"jane.doe@example.com"')
    expect(quote('')).toBe('""')
  })

  it('says (none) for a missing value', () => {
    expect(quote(undefined)).toBe('(none)')
  })

  it('escapes quotes and backslashes', () => {
    expect(quote('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"')
  })

  it.each([
    ['LF', 'x\n::set-env name=X::y', '"x\\n::set-env name=X::y"'],
    ['CRLF', 'x\r\n::add-mask::secret', '"x\\r\\n::add-mask::secret"'],
    ['CR', 'x\r::stop-commands::token', '"x\\r::stop-commands::token"'],
    ['a leading command', '::warning::pwned', '"::warning::pwned"'],
    ['a tab and NUL', 'a\tb\u0000c', '"a\\tb\\u0000c"']
  ])('keeps a workflow command off the start of a line (%s)', (_label, value, quoted) => {
    const result = quote(value)
    expect(result).toBe(quoted)
    expect(result).not.toMatch(/[\r\n]/)
    expect(startsNoCommand(`Subject: ${result}`)).toBe(true)
    expect(startsNoCommand(result)).toBe(true)
  })

  it('keeps 300 characters as they are', () => {
    const value = 'a'.repeat(300)
    expect(quote(value)).toBe(`"${value}"`)
  })

  it('cuts longer values to 300 characters and an ellipsis', () => {
    const value = `${'b'.repeat(300)}SECRET-TAIL`
    expect(quote(value)).toBe(`"${'b'.repeat(300)}…"`)
    expect(quote(value)).not.toContain('SECRET')
  })

  it('cuts before escaping, so escapes cannot push the result far past the limit', () => {
    const result = quote('\n'.repeat(1000))
    expect(result).toBe(`"${'\\n'.repeat(300)}…"`)
  })

  it('keeps non-ASCII text readable', () => {
    expect(quote('Jürgen Ø 名前')).toBe('"Jürgen Ø 名前"')
  })

  it('does not leave a broken surrogate pair unescaped after the cut', () => {
    const result = quote(`${'x'.repeat(299)}😀tail`)
    expect(() => JSON.parse(result) as unknown).not.toThrow()
    expect(result).toMatch(/\\ud83d…"$/)
  })
})

describe('summaryCell', () => {
  it('leaves plain text alone', () => {
    expect(summaryCell('arn:aws:iam::123456789012:role/Deploy')).toBe(
      'arn:aws:iam::123456789012:role/Deploy'
    )
  })

  it('escapes HTML', () => {
    expect(summaryCell('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;')
    expect(summaryCell('</td></tr></table><script>x</script>')).toBe(
      '&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;x&lt;/script&gt;'
    )
  })

  it('escapes & first, so entities are not double-escaped into tags', () => {
    expect(summaryCell('&lt;b&gt; & <b>')).toBe('&amp;lt;b&amp;gt; &amp; &lt;b&gt;')
  })

  it('escapes table pipes', () => {
    expect(summaryCell('a | b || c')).toBe('a &#124; b &#124;&#124; c')
  })

  it('turns runs of line breaks into one space', () => {
    expect(summaryCell('a\nb\r\nc\n\n\nd\re')).toBe('a b c d e')
    expect(startsNoCommand(summaryCell('x\n::set-env name=X::y'))).toBe(true)
  })

  it('keeps an empty value empty', () => {
    expect(summaryCell('')).toBe('')
  })
})
