import { thrown as thrownBy } from '../support/thrown.js'
import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors/run-errors.js'
import { bypassed, checkProxyTransport, parseProxyUrl, proxyFor } from '../../src/sts/proxy.js'

const inputError = (fn: () => unknown): InputError => thrownBy(InputError, fn)

const STS = new URL('https://sts.us-east-1.amazonaws.com')
const LOCAL_HTTP = new URL('http://localhost:4566/')

const PROXY = 'http://proxy.corp:3128'
const PROXY_HREF = 'http://proxy.corp:3128/'

const INVALID_MESSAGE = (where: string): string =>
  `The proxy URL in ${where} is not a valid http(s) URL. Use the form http://host:port (credentials as http://user:password@host:port).`

/** The proxy chosen, as an href, or undefined. */
function chosen(
  target: URL,
  input: string | undefined,
  env: Record<string, string | undefined>
): string | undefined {
  return proxyFor(target, input, env)?.href
}

describe('proxyFor: which proxy', () => {
  it('uses no proxy when nothing is set', () => {
    expect(proxyFor(STS, undefined, {})).toBeUndefined()
    expect(proxyFor(LOCAL_HTTP, undefined, {})).toBeUndefined()
    expect(proxyFor(STS, '', {})).toBeUndefined()
    expect(proxyFor(STS, '   ', { https_proxy: '  ' })).toBeUndefined()
  })

  it('prefers the input over the env variables', () => {
    const env = { https_proxy: 'http://env-lower:1', HTTPS_PROXY: 'http://env-upper:2' }
    expect(chosen(STS, PROXY, env)).toBe(PROXY_HREF)
    expect(chosen(LOCAL_HTTP, PROXY, { http_proxy: 'http://env:1' })).toBe(PROXY_HREF)
  })

  it('trims the input, and falls back to the env when the input is blank', () => {
    expect(chosen(STS, `  ${PROXY}\n`, {})).toBe(PROXY_HREF)
    expect(chosen(STS, '  ', { https_proxy: 'http://env:1' })).toBe('http://env:1/')
  })

  it('uses https_proxy, then HTTPS_PROXY, for an https URL', () => {
    expect(chosen(STS, undefined, { https_proxy: 'http://lower:1' })).toBe('http://lower:1/')
    expect(chosen(STS, undefined, { HTTPS_PROXY: 'http://upper:2' })).toBe('http://upper:2/')
    expect(
      chosen(STS, undefined, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })
    ).toBe('http://lower:1/')
  })

  it('ignores the http variables for an https URL', () => {
    expect(
      proxyFor(STS, undefined, { http_proxy: 'http://h:1', HTTP_PROXY: 'http://h:2' })
    ).toBeUndefined()
  })

  it('uses http_proxy, then HTTP_PROXY, for an http URL', () => {
    expect(chosen(LOCAL_HTTP, undefined, { http_proxy: 'http://lower:1' })).toBe('http://lower:1/')
    expect(chosen(LOCAL_HTTP, undefined, { HTTP_PROXY: 'http://upper:2' })).toBe('http://upper:2/')
    expect(
      chosen(LOCAL_HTTP, undefined, { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2' })
    ).toBe('http://lower:1/')
  })

  it('ignores the https variables for an http URL', () => {
    expect(
      proxyFor(LOCAL_HTTP, undefined, { https_proxy: 'http://s:1', HTTPS_PROXY: 'http://s:2' })
    ).toBeUndefined()
  })

  it('assumes http:// for a value without a scheme', () => {
    expect(chosen(STS, 'proxy.corp:3128', {})).toBe(PROXY_HREF)
    expect(chosen(STS, undefined, { HTTPS_PROXY: 'proxy.corp:3128' })).toBe(PROXY_HREF)
    expect(chosen(STS, 'user:pw@proxy.corp:3128', {})).toBe('http://user:pw@proxy.corp:3128/')
  })

  it('keeps an https proxy and the credentials of the URL', () => {
    const url = proxyFor(STS, 'https://alice:s%40cret@secure-proxy:8443', {})
    expect(url?.protocol).toBe('https:')
    expect(url?.hostname).toBe('secure-proxy')
    expect(url?.port).toBe('8443')
    expect(url?.username).toBe('alice')
    expect(url?.password).toBe('s%40cret')
  })

  it('accepts an upper-case scheme', () => {
    expect(chosen(STS, 'HTTP://proxy.corp:3128', {})).toBe(PROXY_HREF)
  })
})

describe('proxyFor: NO_PROXY', () => {
  const env = (noProxy: string, name = 'NO_PROXY'): Record<string, string> => ({
    https_proxy: PROXY,
    http_proxy: PROXY,
    [name]: noProxy
  })

  it("bypasses everything with '*'", () => {
    expect(proxyFor(STS, undefined, env('*'))).toBeUndefined()
    expect(proxyFor(LOCAL_HTTP, undefined, env('*'))).toBeUndefined()
  })

  it('bypasses an exact host, and only that host', () => {
    expect(proxyFor(STS, undefined, env('sts.us-east-1.amazonaws.com'))).toBeUndefined()
    expect(chosen(STS, undefined, env('sts.eu-west-1.amazonaws.com'))).toBe(PROXY_HREF)
    expect(chosen(STS, undefined, env('localhost'))).toBe(PROXY_HREF)
  })

  it('does not bypass a parent domain for a more specific entry', () => {
    expect(chosen(new URL('https://example.com'), undefined, env('sts.example.com'))).toBe(
      PROXY_HREF
    )
  })

  it('matches host:port against the port of the URL', () => {
    const custom = new URL('https://sts.local:8443/')
    expect(proxyFor(custom, undefined, env('sts.local:8443'))).toBeUndefined()
    expect(chosen(custom, undefined, env('sts.local:443'))).toBe(PROXY_HREF)
    expect(proxyFor(LOCAL_HTTP, undefined, env('localhost:4566'))).toBeUndefined()
    expect(chosen(LOCAL_HTTP, undefined, env('localhost:4567'))).toBe(PROXY_HREF)
  })

  it('uses 443 and 80 as the port of a URL without one', () => {
    expect(proxyFor(STS, undefined, env('sts.us-east-1.amazonaws.com:443'))).toBeUndefined()
    expect(chosen(STS, undefined, env('sts.us-east-1.amazonaws.com:80'))).toBe(PROXY_HREF)
    const plainHttp = new URL('http://sts.local/')
    expect(proxyFor(plainHttp, undefined, env('sts.local:80'))).toBeUndefined()
    expect(chosen(plainHttp, undefined, env('sts.local:443'))).toBe(PROXY_HREF)
  })

  it.each(['amazonaws.com', '.amazonaws.com', '*.amazonaws.com', 'us-east-1.amazonaws.com'])(
    'bypasses subdomains of the suffix %s',
    suffix => {
      expect(proxyFor(STS, undefined, env(suffix))).toBeUndefined()
    }
  )

  it('bypasses the domain itself for a suffix entry with a leading dot', () => {
    expect(proxyFor(new URL('https://example.com'), undefined, env('.example.com'))).toBeUndefined()
  })

  it('matches suffixes only at a dot: notexample.com is not example.com', () => {
    const other = new URL('https://notexample.com/')
    expect(chosen(other, undefined, env('example.com'))).toBe(PROXY_HREF)
    expect(chosen(other, undefined, env('.example.com'))).toBe(PROXY_HREF)
    expect(chosen(STS, undefined, env('zonaws.com'))).toBe(PROXY_HREF)
  })

  it('bypasses an IPv6 host in brackets, with or without a port', () => {
    const v6 = new URL('http://[::1]:8080/')
    expect(proxyFor(v6, undefined, env('[::1]'))).toBeUndefined()
    expect(proxyFor(v6, undefined, env('[::1]:8080'))).toBeUndefined()
    expect(chosen(v6, undefined, env('[::1]:9090'))).toBe(PROXY_HREF)
    expect(chosen(v6, undefined, env('[::2]'))).toBe(PROXY_HREF)
  })

  it('bypasses an IPv4 host', () => {
    const v4 = new URL('http://127.0.0.1:4566/')
    expect(proxyFor(v4, undefined, env('127.0.0.1'))).toBeUndefined()
    expect(chosen(v4, undefined, env('127.0.0.2'))).toBe(PROXY_HREF)
  })

  it('reads comma- and space-separated lists, blanks included', () => {
    const list = ' localhost, .internal  example.org,,sts.us-east-1.amazonaws.com\t'
    expect(proxyFor(STS, undefined, env(list))).toBeUndefined()
    expect(proxyFor(LOCAL_HTTP, undefined, env(list))).toBeUndefined()
    expect(chosen(new URL('https://other.net'), undefined, env(list))).toBe(PROXY_HREF)
    expect(proxyFor(new URL('https://a.internal'), undefined, env(list))).toBeUndefined()
  })

  it('compares case-insensitively', () => {
    expect(proxyFor(STS, undefined, env('STS.US-East-1.AmazonAWS.com'))).toBeUndefined()
    expect(proxyFor(STS, undefined, env('.AMAZONAWS.COM'))).toBeUndefined()
    expect(proxyFor(new URL('https://API.Example.COM'), undefined, env('example.com'))).toBe(
      undefined
    )
  })

  it('reads no_proxy as well as NO_PROXY, the lower-case one first', () => {
    expect(proxyFor(STS, undefined, env('*', 'no_proxy'))).toBeUndefined()
    expect(
      chosen(STS, undefined, { https_proxy: PROXY, no_proxy: 'localhost', NO_PROXY: '*' })
    ).toBe(PROXY_HREF)
  })

  it("also bypasses the 'http-proxy' input", () => {
    expect(proxyFor(STS, PROXY, { NO_PROXY: 'amazonaws.com' })).toBeUndefined()
    expect(chosen(STS, PROXY, { NO_PROXY: 'example.com' })).toBe(PROXY_HREF)
  })

  it('an empty NO_PROXY bypasses nothing', () => {
    expect(chosen(STS, undefined, env(''))).toBe(PROXY_HREF)
    expect(chosen(STS, undefined, env(' , '))).toBe(PROXY_HREF)
  })
})

describe('bypassed', () => {
  it('ignores malformed entries instead of matching them', () => {
    expect(bypassed(STS, 'sts.us-east-1.amazonaws.com:')).toBe(false)
    expect(bypassed(STS, 'sts.us-east-1.amazonaws.com:https')).toBe(false)
    expect(bypassed(STS, '10.0.0.0/8')).toBe(false)
  })

  it('matches as proxyFor does', () => {
    expect(bypassed(STS, 'amazonaws.com')).toBe(true)
    expect(bypassed(STS, 'amazonaws.com:8443')).toBe(false)
    expect(bypassed(STS, '')).toBe(false)
  })
})

describe('parseProxyUrl', () => {
  it('returns the URL of an http or https proxy', () => {
    expect(parseProxyUrl(PROXY, 'x').href).toBe(PROXY_HREF)
    expect(parseProxyUrl('https://p.example:8443', 'x').href).toBe('https://p.example:8443/')
    expect(parseProxyUrl('10.0.0.1:3128', 'x').href).toBe('http://10.0.0.1:3128/')
  })

  it.each(['ftp://x', 'socks5://proxy:1080', 'file:///etc/passwd'])(
    'refuses the scheme of %s',
    value => {
      expect(inputError(() => parseProxyUrl(value, 'WHERE')).message).toBe(INVALID_MESSAGE('WHERE'))
    }
  )

  it.each(['http://', 'http://exa mple:80', 'http://host:99999', '://x'])(
    'refuses the garbage %j',
    value => {
      expect(inputError(() => parseProxyUrl(value, 'WHERE')).message).toBe(INVALID_MESSAGE('WHERE'))
    }
  )

  it('never repeats the value, which may hold a password', () => {
    const value = 'http://user:s3cret@[bad'
    const message = inputError(() => parseProxyUrl(value, "input 'http-proxy'")).message
    expect(message).toBe(INVALID_MESSAGE("input 'http-proxy'"))
    expect(message).not.toContain('s3cret')
    expect(message).not.toContain('user:s3cret')
    expect(message).not.toContain('[bad')
  })

  it('names the input or the env variable as the source through proxyFor', () => {
    expect(inputError(() => proxyFor(STS, 'ftp://x', {})).message).toBe(
      INVALID_MESSAGE("input 'http-proxy'")
    )
    const fromEnv = inputError(() => proxyFor(STS, undefined, { HTTPS_PROXY: 'ftp://x' }))
    expect(fromEnv.message).toBe(INVALID_MESSAGE('the proxy env variable'))
    const secret = inputError(() =>
      proxyFor(STS, undefined, { https_proxy: 'http://user:s3cret@[bad' })
    )
    expect(secret.message).not.toContain('s3cret')
  })

  it('does not parse a proxy that NO_PROXY bypasses', () => {
    expect(proxyFor(STS, 'ftp://x', { NO_PROXY: '*' })).toBeUndefined()
  })
})

describe('checkProxyTransport', () => {
  const http = new URL('http://127.0.0.1:4566/')
  it('lets a loopback http endpoint go through a loopback proxy, or no proxy', () => {
    expect(() => checkProxyTransport(http, new URL('http://127.0.0.1:3128'))).not.toThrow()
    expect(() => checkProxyTransport(http, new URL('http://localhost:3128'))).not.toThrow()
    expect(() => checkProxyTransport(http, undefined)).not.toThrow()
  })
  it('lets https go through any proxy', () => {
    expect(() =>
      checkProxyTransport(
        new URL('https://sts.eu-west-1.amazonaws.com'),
        new URL('http://proxy.corp:3128')
      )
    ).not.toThrow()
  })
  it('refuses plain http through a proxy on another host', () => {
    expect(
      inputError(() => checkProxyTransport(http, new URL('http://u:pw@proxy.corp:3128'))).message
    ).toBe(
      "The plain-http 'sts-endpoint' 127.0.0.1:4566 would be reached through the proxy proxy.corp:3128, so the assertion would cross the network unencrypted. Use an https endpoint, or exclude 127.0.0.1 with NO_PROXY."
    )
  })
})
