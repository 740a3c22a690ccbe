/**
 * A fake Okta org with the AWS Account Federation app. The HTTP shapes follow Okta's public
 * Authentication API docs: `POST /api/v1/authn` answers SUCCESS with a one-time sessionToken, or
 * MFA_REQUIRED with a stateToken and the enrolled factors (a push factor and a
 * `token:software:totp` one, each with its verify link), or 401 E0000004 "Authentication
 * failed"; the factor's verify link takes the stateToken and passCode and answers SUCCESS or
 * 403 E0000068; the app's embed link (`/home/amazon_aws/<appid>/272`) redeems
 * `?sessionToken=` (or a `sid` cookie from `/login/sessionCookieRedirect`) and answers with the
 * `appForm` page (via a 302 to the app's SSO URL that sets the `sid` cookie) whose action and
 * SAMLResponse are written with hex entities, as Okta does; with no session it redirects to the
 * sign-in page. `/.well-known/okta-organization` tells the
 * pipeline: `v1` (Classic) or `idx` (Identity Engine, where this fake refuses the classic API).
 */
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import {
  html,
  issueFor,
  json,
  newStats,
  redirect,
  startFakeServer,
  token,
  totpAccepts,
  type FakeIdp,
  type FakeIdpOptions,
  type FakeRequest
} from './fake-server.js'

export interface OktaOptions extends FakeIdpOptions {
  /** 'idx': an Identity Engine org whose classic authn API is not available. */
  pipeline?: 'v1' | 'idx'
  /** Answer the first password POST with this 5xx (after counting it), as an overloaded org. */
  failFirstAuthn?: number
  /**
   * An account state the right password gets instead of SUCCESS: LOCKED_OUT (the org shows
   * lockout failures) or PASSWORD_EXPIRED (a new password is due, with a stateToken).
   */
  accountState?: 'LOCKED_OUT' | 'PASSWORD_EXPIRED'
  /** Enrolled factors (default both): a push-only account has nothing a code can answer. */
  factors?: ('push' | 'totp')[]
}

export const OKTA_APP_PATH = '/home/amazon_aws/0oa1kx5b2cTestApp0h8/272'
const OKTA_SSO_PATH = '/app/amazon_aws/exk1kx5b2cTestApp0h8/sso/saml'
const TOTP_FACTOR = 'uftd8xq2bOTestTotp0h7'
const PUSH_FACTOR = 'opfd8xq2aOTestPush0h7'
const USER_ID = '00ub0oNGTSWTBKOLGLNR'

/** Okta writes attribute values with every non-alphanumeric character as a hex entity. */
function hexEntities(value: string): string {
  return value.replace(/[^A-Za-z0-9]/g, c => `&#x${c.charCodeAt(0).toString(16)};`)
}

const oktaError = (code: string, summary: string, causes: string[] = []): unknown => ({
  errorCode: code,
  errorSummary: summary,
  errorLink: code,
  // A correlation id for support, not a secret.
  errorId: `oae${randomUUID().replace(/-/g, '').slice(0, 19)}`,
  errorCauses: causes.map(errorSummary => ({ errorSummary }))
})

export async function startOkta(opts: OktaOptions): Promise<FakeIdp> {
  const stats = newStats()
  const stateTokens = new Set<string>()
  const sessionTokens = new Set<string>()
  const sids = new Set<string>()
  let last: string | undefined
  let origin = ''

  const expiresAt = (): string => new Date(Date.now() + 5 * 60_000).toISOString()
  const user = {
    id: USER_ID,
    passwordChanged: '2026-01-12T10:15:00.000Z',
    profile: {
      login: opts.user.username,
      firstName: 'Alice',
      lastName: 'Example',
      locale: 'en',
      timeZone: 'Europe/Berlin'
    }
  }
  function success(res: ServerResponse): void {
    const sessionToken = `20111${token(stats, 24)}`
    sessionTokens.add(sessionToken)
    json(res, 200, {
      expiresAt: expiresAt(),
      status: 'SUCCESS',
      sessionToken,
      _embedded: { user }
    })
  }
  function mfaRequired(res: ServerResponse): void {
    const enrolled = opts.factors ?? ['push', 'totp']
    const stateToken = `00${token(stats, 30)}`
    stateTokens.add(stateToken)
    const factorLinks = (id: string) => ({
      verify: { href: `${origin}/api/v1/authn/factors/${id}/verify`, hints: { allow: ['POST'] } }
    })
    json(res, 200, {
      stateToken,
      expiresAt: expiresAt(),
      status: 'MFA_REQUIRED',
      _embedded: {
        user,
        factors: [
          {
            id: PUSH_FACTOR,
            factorType: 'push',
            provider: 'OKTA',
            vendorName: 'OKTA',
            profile: { credentialId: opts.user.username, deviceType: 'SmartPhone_IPhone' },
            _links: factorLinks(PUSH_FACTOR)
          },
          {
            id: TOTP_FACTOR,
            factorType: 'token:software:totp',
            provider: 'GOOGLE',
            vendorName: 'GOOGLE',
            profile: { credentialId: opts.user.username },
            _links: factorLinks(TOTP_FACTOR)
          }
        ].filter(f => enrolled.includes(f.id === PUSH_FACTOR ? 'push' : 'totp')),
        policy: { allowRememberDevice: false, rememberDeviceLifetimeInMinutes: 0 }
      },
      _links: {
        cancel: { href: `${origin}/api/v1/authn/cancel`, hints: { allow: ['POST'] } }
      }
    })
  }

  function appPage(res: ServerResponse): void {
    last = issueFor(opts)
    html(
      res,
      `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Example - Signing in...</title></head>` +
        `<body id="app" class="enduser-app"><div class="content">` +
        `<form id="appForm" action="${hexEntities('https://signin.aws.amazon.com/saml')}" method="POST">` +
        `<input name="SAMLResponse" type="hidden" value="${hexEntities(last)}"/>` +
        `<input name="RelayState" type="hidden" value=""/></form></div>` +
        `<script type="text/javascript">(function(){document.getElementById('appForm').submit();})();</script>` +
        `</body></html>`
    )
  }

  function handle(req: FakeRequest, res: ServerResponse): void {
    const path = req.url.pathname
    if (path === '/.well-known/okta-organization' && req.method === 'GET') {
      return json(res, 200, {
        id: '00o1kx5b2cTestOrg0h8',
        pipeline: opts.pipeline ?? 'v1',
        _links: { organization: { href: origin } }
      })
    }
    if (path === '/api/v1/authn' && req.method === 'POST') {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return json(res, 415, oktaError('E0000078', 'Unsupported media type'))
      }
      const body = JSON.parse(req.body || '{}') as { username?: string; password?: string }
      if (body.password !== undefined) stats.passwordPosts++
      if (opts.failFirstAuthn !== undefined && stats.passwordPosts === 1) {
        return json(res, opts.failFirstAuthn, oktaError('E0000009', 'Internal Server Error'))
      }
      if (opts.pipeline === 'idx') {
        return json(
          res,
          403,
          oktaError(
            'E0000015',
            'You do not have permission to access the feature you are requesting'
          )
        )
      }
      if (body.username !== opts.user.username || body.password !== opts.user.password) {
        return json(res, 401, oktaError('E0000004', 'Authentication failed'))
      }
      if (opts.accountState === 'LOCKED_OUT') {
        return json(res, 200, {
          status: 'LOCKED_OUT',
          _links: { next: { name: 'unlock', href: `${origin}/api/v1/authn/recovery/unlock` } }
        })
      }
      if (opts.accountState === 'PASSWORD_EXPIRED') {
        return json(res, 200, {
          stateToken: `00${token(stats, 30)}`,
          expiresAt: expiresAt(),
          status: 'PASSWORD_EXPIRED',
          _embedded: { user },
          _links: {
            next: {
              name: 'changePassword',
              href: `${origin}/api/v1/authn/credentials/change_password`
            }
          }
        })
      }
      return opts.user.otpSecret === undefined ? success(res) : mfaRequired(res)
    }
    const verify = /^\/api\/v1\/authn\/factors\/([^/]+)\/verify$/.exec(path)
    if (verify && req.method === 'POST') {
      const body = JSON.parse(req.body || '{}') as { stateToken?: string; passCode?: string }
      if (!stateTokens.has(body.stateToken ?? '')) {
        return json(res, 401, oktaError('E0000011', 'Invalid token provided'))
      }
      if (verify[1] === PUSH_FACTOR) {
        // A push waits for a phone; nothing here answers it.
        return json(res, 200, {
          stateToken: body.stateToken,
          status: 'MFA_CHALLENGE',
          factorResult: 'WAITING'
        })
      }
      if (verify[1] !== TOTP_FACTOR) {
        return json(
          res,
          404,
          oktaError('E0000007', `Not found: Resource not found: ${verify[1]} (UserFactor)`)
        )
      }
      if (body.passCode !== undefined) stats.otpPosts++
      if (!totpAccepts(opts.user.otpSecret ?? '', body.passCode ?? '')) {
        return json(
          res,
          403,
          oktaError('E0000068', 'Invalid Passcode/Answer', [
            "Your passcode doesn't match our records. Please try again."
          ])
        )
      }
      stateTokens.delete(body.stateToken ?? '')
      return success(res)
    }
    if (path === '/login/sessionCookieRedirect' && req.method === 'GET') {
      const t = req.url.searchParams.get('token') ?? ''
      const target = req.url.searchParams.get('redirectUrl') ?? '/'
      if (!sessionTokens.delete(t))
        return redirect(res, `/login/login.htm?fromURI=${encodeURIComponent(target)}`)
      const sid = token(stats, 24)
      sids.add(sid)
      return redirect(res, target, [`sid=${sid}; Path=/; HttpOnly`])
    }
    if (path === OKTA_APP_PATH && req.method === 'GET') {
      // The embed link redeems the one-time token for a session cookie (set on the 302) and
      // sends the browser on to the app's SSO URL, which needs that cookie.
      const t = req.url.searchParams.get('sessionToken')
      if (t !== null && sessionTokens.delete(t)) {
        const sid = token(stats, 24)
        sids.add(sid)
        return redirect(res, OKTA_SSO_PATH, [`sid=${sid}; Path=/; HttpOnly`])
      }
      if (sids.has(req.cookies.get('sid') ?? '')) return redirect(res, OKTA_SSO_PATH)
      return redirect(res, `/login/login.htm?fromURI=${encodeURIComponent(path)}`)
    }
    if (path === OKTA_SSO_PATH && req.method === 'GET') {
      if (sids.has(req.cookies.get('sid') ?? '')) return appPage(res)
      return redirect(res, `/login/login.htm?fromURI=${encodeURIComponent(path)}`)
    }
    if (path === '/login/login.htm') {
      return html(
        res,
        `<!DOCTYPE html>\n<html><head><title>Example - Sign In</title></head><body>` +
          `<div id="signin-container"></div><script>/* the sign-in widget renders here */</script></body></html>`
      )
    }
    json(res, 404, oktaError('E0000022', 'The endpoint does not support the provided HTTP method'))
  }

  const server = await startFakeServer(handle, stats)
  origin = server.origin
  return {
    startUrl: `${server.origin}${OKTA_APP_PATH}`,
    origin: server.origin,
    stats,
    lastSamlResponse: () => last,
    close: server.close
  }
}
