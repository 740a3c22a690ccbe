import { InputError } from '../errors/run-errors.js'
import { named, namedInput, said, type InputName } from '../errors/named-inputs.js'

/**
 * The env as proxying should see it: the 'no-proxy' input, when set, stands in for NO_PROXY (as
 * configure-aws-credentials' no-proxy does).
 */
export function withNoProxy(
  env: Record<string, string | undefined>,
  noProxy: string | undefined
): Record<string, string | undefined> {
  return noProxy === undefined ? env : { ...env, no_proxy: noProxy, NO_PROXY: noProxy }
}

/**
 * The proxy for a request URL: the `http-proxy` input first, else the conventional env variables
 * (https_proxy/HTTPS_PROXY for https URLs, http_proxy/HTTP_PROXY for http), unless NO_PROXY
 * (or no_proxy) names the host. Pure; the agents are built in sts-client.ts.
 */
export function proxyFor(
  target: URL,
  input: string | undefined,
  env: Record<string, string | undefined>
): URL | undefined {
  const fromEnv =
    target.protocol === 'https:'
      ? (env.https_proxy ?? env.HTTPS_PROXY)
      : (env.http_proxy ?? env.HTTP_PROXY)
  const chosen = input?.trim() || fromEnv?.trim()
  if (!chosen) return undefined
  if (bypassed(target, env.no_proxy ?? env.NO_PROXY ?? '')) return undefined
  return parseProxyUrl(chosen, input?.trim() ? namedInput('http-proxy') : 'the proxy env variable')
}

export function parseProxyUrl(value: string, where: string | InputName): URL {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`)
    if (url.protocol === 'http:' || url.protocol === 'https:') return url
  } catch {
    // fall through to the error below
  }
  // The value may hold a password: say where it came from, not what it is.
  throw new InputError(
    said`The proxy URL in ${where} is not a valid http(s) URL. Use the form http://host:port (credentials as http://user:password@host:port).`
  )
}

/**
 * NO_PROXY entries: `*`, a host, `host:port`, a domain suffix (`.example.com` or `example.com`
 * matches sub.example.com), or an IP. Comma- or space-separated, case-insensitive.
 */
export function bypassed(target: URL, noProxy: string): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '')
  const port = target.port || (target.protocol === 'https:' ? '443' : '80')
  return noProxy
    .split(/[\s,]+/)
    .map(entry => entry.trim().toLowerCase())
    .filter(entry => entry !== '')
    .some(entry => {
      if (entry === '*') return true
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry)
      if (!match) return false
      const entryHost = (match[1] ?? '').replace(/^\[|\]$/g, '').replace(/^\*?\./, '')
      if (match[2] && match[2] !== port) return false
      return host === entryHost || host.endsWith(`.${entryHost}`)
    })
}

/**
 * A plain-http endpoint is allowed only on loopback (a local emulator): through a proxy on another
 * host the assertion would cross the network unencrypted after all.
 */
export function checkProxyTransport(target: URL, proxy: URL | undefined): void {
  if (!proxy || target.protocol !== 'http:' || isLoopback(proxy.hostname)) return
  throw new InputError(
    said`The plain-http ${named('sts-endpoint')} ${target.host} would be reached through the proxy ${proxy.host}, so the assertion would cross the network unencrypted. Use an https endpoint, or exclude ${target.hostname} with NO_PROXY.`
  )
}

export function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    hostname === '::1' ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname)
  )
}
