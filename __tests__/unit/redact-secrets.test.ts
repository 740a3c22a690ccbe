import { describe, expect, it } from 'vitest'
import { redactSecrets, REDACTED } from '../../src/idp/sign-in.js'
import { quote } from '../../src/util/log-safety.js'

describe('redactSecrets', () => {
  const secret = 'a "b" <c> & d%e'
  it.each([
    ['as it is', secret],
    ['JSON-escaped (quote())', JSON.stringify(secret).slice(1, -1)],
    ['XML-escaped', 'a &quot;b&quot; &lt;c&gt; &amp; d%e'],
    ['percent-encoded', encodeURIComponent(secret)],
    ['form-encoded', new URLSearchParams({ s: secret }).toString().slice(2)],
    ['with spaces put in at entities', 'a \\" b \\" < c > & d%e'],
    ['with its spaces collapsed', 'a"b"<c>&d%e']
  ])('cuts a secret %s', (_, shown) => {
    expect(redactSecrets(`before ${shown} after`, [secret])).toBe(`before ${REDACTED} after`)
  })

  it('cuts the longest secret first, and leaves text without secrets alone', () => {
    expect(redactSecrets('x hunter2hunter2 y', ['hunter2', 'hunter2hunter2'])).toBe(
      `x ${REDACTED} y`
    )
    expect(redactSecrets('nothing here', ['hunter2', ' ', ''])).toBe('nothing here')
  })

  it("cuts the start of a secret that quote()'s 300-character cut left before its ellipsis", () => {
    const password = 'correct-horse-battery'
    const echoed = quote(`${'x'.repeat(290)} ${password} was refused`)
    expect(echoed).toContain('correct-h…')
    const redacted = redactSecrets(`the IdP says ${echoed}`, [password])
    expect(redacted).not.toContain('corr')
    expect(redacted).toContain(`${'x'.repeat(290)} ${REDACTED}…`)
    // An ellipsis of the text's own, after something that is no secret's start, is kept.
    expect(redactSecrets('wait… xyz…', [password])).toBe('wait… xyz…')
  })

  it('treats regular-expression characters literally', () => {
    expect(redactSecrets('p.* and pxx', ['p.*'])).toBe(`${REDACTED} and pxx`)
  })

  it('cuts a secret as long as a SAMLResponse without throwing (a form IdP masks the hidden field)', () => {
    const samlResponse = 'PHNhbWxwOlJlc3BvbnNl'.repeat(2500)
    expect(
      redactSecrets(`got ${samlResponse} from alice-password`, [samlResponse, 'alice-password'])
    ).toBe(`got ${REDACTED} from ${REDACTED}`)
  })

  it("stays quick with a whole sign-in's worth of cookies and tokens (it runs on every progress line)", () => {
    const secrets = Array.from({ length: 200 }, (_, i) => `${i}-${'t'.repeat(250)}`.slice(0, 256))
    const started = performance.now()
    expect(redactSecrets(`token ${secrets[7]} seen`, secrets)).toBe(`token ${REDACTED} seen`)
    // A regular expression with \s* between characters took about 2 s here; the search 40 ms.
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('joins overlapping and adjacent secrets into one mark, and keeps the text around them', () => {
    expect(redactSecrets('a pass word b', ['password', 'wordb'])).toBe(`a ${REDACTED}`)
    expect(redactSecrets('x  hunter2  y', ['hunter2'])).toBe(`x  ${REDACTED}  y`)
  })
})
