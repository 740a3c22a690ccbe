/**
 * A fake Keycloak realm with an IdP-initiated SAML client for AWS. The HTTP shapes follow
 * Keycloak's public login theme and docs: the client URL answers with a redirect into
 * login-actions that sets AUTH_SESSION_ID / KC_RESTART (so a client that drops cookies set on a
 * 302 is told "Cookie not found"), the `kc-form-login` form with `username` / `password`, and
 * the `kc-otp-login-form` page. Two releases: `current` has the `input-error` spans, an `otp`
 * field with autocomplete one-time-code and the themed `saml-post-binding` page; `legacy` has
 * the template's `alert-error` box, a `totp` field and the POST-binding page in upper case.
 */
import type { ServerResponse } from 'node:http'
import {
  escapeHtml,
  html,
  issueFor,
  newStats,
  opaque,
  redirect,
  startFakeServer,
  token,
  totpAccepts,
  type FakeIdp,
  type FakeIdpOptions,
  type FakeRequest
} from './fake-server.js'

export interface KeycloakOptions extends FakeIdpOptions {
  release?: 'current' | 'legacy'
  /** Answer the first password POST with this 5xx (after counting it), as an overloaded node. */
  failFirstPasswordPost?: number
}

const REALM = '/realms/demo'
const CLIENT_ID = 'urn:amazon:webservices'
const ACTIONS = `${REALM}/login-actions/authenticate`

type Stage = 'password' | 'otp' | 'done'
interface AuthSession {
  stage: Stage
  code: string
  execution: string
  tabId: string
}

export async function startKeycloak(opts: KeycloakOptions): Promise<FakeIdp> {
  const stats = newStats()
  const sessions = new Map<string, AuthSession>()
  const legacy = opts.release === 'legacy'
  const otpField = legacy ? 'totp' : 'otp'
  let last: string | undefined

  const actionUrl = (s: AuthSession): string =>
    `${ACTIONS}?session_code=${s.code}&execution=${s.execution}` +
    `&client_id=${encodeURIComponent(CLIENT_ID)}&tab_id=${s.tabId}`

  /** The legacy template shows every message in one alert box above the form. */
  const alert = (error: string | undefined): string =>
    legacy && error !== undefined
      ? `<div class="alert alert-error"><span class="pficon pficon-error-circle-o"></span>` +
        `<span class="kc-feedback-text">${escapeHtml(error)}</span></div>\n`
      : ''
  /** The current theme puts it under the field. */
  const fieldError = (id: string, error: string | undefined): string =>
    !legacy && error !== undefined
      ? `<span id="${id}" class="pf-c-form__helper-text pf-m-error required kc-feedback-text" aria-live="polite">\n    ${escapeHtml(error)}\n</span>`
      : ''

  const page = (title: string, inner: string, error?: string): string =>
    `<!DOCTYPE html>\n<html class="login-pf"><head><meta charset="utf-8">` +
    `<title>${escapeHtml(title)}</title></head>\n<body class="">\n` +
    `<div class="login-pf-page"><div id="kc-header">demo</div>\n${alert(error)}${inner}\n</div></body></html>`

  function loginPage(res: ServerResponse, s: AuthSession, error?: string, username = ''): void {
    // Every rendered form carries a fresh session_code, as Keycloak's does; it needs the cookie.
    s.code = opaque(12)
    html(
      res,
      page(
        'Sign in to demo',
        `<h1 id="kc-page-title">Sign in to your account</h1>
<div id="kc-form"><div id="kc-form-wrapper">
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="${escapeHtml(actionUrl(s))}" method="post">
  <div class="form-group"><label for="username" class="pf-c-form__label">Username or email</label>
    <input tabindex="1" id="username" class="pf-c-form-control" name="username" value="${escapeHtml(username)}" type="text" autofocus autocomplete="off" aria-invalid="${error ? 'true' : ''}"/>
    ${fieldError('input-error', error)}
  </div>
  <div class="form-group"><label for="password" class="pf-c-form__label">Password</label>
    <input tabindex="2" id="password" class="pf-c-form-control" name="password" type="password" autocomplete="off" aria-invalid="${error ? 'true' : ''}"/>
  </div>
  <div id="kc-form-buttons" class="form-group">
    <input type="hidden" id="id-hidden-input" name="credentialId"/>
    <input tabindex="4" class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" id="kc-login" type="submit" value="Sign In"/>
  </div>
</form>
</div></div>`,
        error
      )
    )
  }

  function otpPage(res: ServerResponse, s: AuthSession, error?: string): void {
    s.code = opaque(12)
    html(
      res,
      page(
        'Sign in to demo',
        `<h1 id="kc-page-title">Sign in to your account</h1>
<form id="kc-otp-login-form" class="pf-c-form" action="${escapeHtml(actionUrl(s))}" method="post">
  <div class="pf-c-form__group">
    <label for="${otpField}" class="pf-c-form__label">One-time code</label>
    <input id="${otpField}" name="${otpField}" autocomplete="${legacy ? 'off' : 'one-time-code'}" type="text" class="pf-c-form-control" autofocus aria-invalid="${error ? 'true' : ''}"/>
    ${fieldError('input-error-otp-code', error)}
  </div>
  <div id="kc-form-buttons" class="pf-c-form__group">
    <input class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" id="kc-login" type="submit" value="Sign In"/>
  </div>
</form>`,
        error
      )
    )
  }

  function postBinding(res: ServerResponse, cookies: string[]): void {
    last = issueFor(opts)
    if (!legacy) {
      html(
        res,
        page(
          'Authentication Redirect',
          `<script>window.onload = function() {document.forms[0].submit()};</script>
<p>Redirecting, please wait.</p>
<form name="saml-post-binding" method="post" action="https://signin.aws.amazon.com/saml">
  <input type="hidden" name="SAMLResponse" value="${last}"/>
  <noscript><p>JavaScript is disabled. Click the button below to continue.</p><input type="submit" value="Continue"/></noscript>
</form>`
        ),
        { cookies }
      )
      return
    }
    html(
      res,
      `<HTML><HEAD><TITLE>Authentication Redirect</TITLE></HEAD>` +
        `<BODY Onload="document.forms[0].submit()">` +
        `<FORM METHOD="POST" ACTION="https://signin.aws.amazon.com/saml">` +
        `<INPUT TYPE="HIDDEN" NAME="SAMLResponse" VALUE="${last}"/>` +
        `<NOSCRIPT><P>JavaScript is disabled. Click the button below to continue.</P>` +
        `<INPUT TYPE="SUBMIT" VALUE="CONTINUE" /></NOSCRIPT></FORM></BODY></HTML>`,
      { cookies }
    )
  }

  const cookieNotFound = (res: ServerResponse): void =>
    html(
      res,
      page(
        'Sign in to demo',
        `<div id="kc-error-message"><p class="instruction">Cookie not found. Please make sure cookies are enabled in your browser.</p></div>`
      ),
      { status: 400 }
    )

  function handle(req: FakeRequest, res: ServerResponse): void {
    const path = req.url.pathname
    if (req.method === 'GET' && path === `${REALM}/protocol/saml/clients/amazon-aws`) {
      const id = token(stats)
      const s: AuthSession = {
        stage: 'password',
        code: '',
        execution: opaque(9),
        tabId: opaque(8)
      }
      sessions.set(id, s)
      const cookiePath = `Path=${REALM}/; HttpOnly`
      redirect(res, `${ACTIONS}?client_id=${encodeURIComponent(CLIENT_ID)}&tab_id=${s.tabId}`, [
        `AUTH_SESSION_ID=${id}; ${cookiePath}`,
        `KC_RESTART=${token(stats, 24)}; ${cookiePath}`
      ])
      return
    }
    if (path !== ACTIONS) {
      html(res, page('Page not found', '<p>Page not found</p>'), { status: 404 })
      return
    }
    const s = sessions.get(req.cookies.get('AUTH_SESSION_ID') ?? '')
    if (!s) return cookieNotFound(res)
    if (req.method === 'GET') {
      if (s.stage === 'otp') return otpPage(res, s)
      return loginPage(res, s)
    }
    // A stale or replayed form: Keycloak restarts the flow rather than accept it.
    if (req.url.searchParams.get('session_code') !== s.code) {
      return redirect(
        res,
        `${ACTIONS}?client_id=${encodeURIComponent(CLIENT_ID)}&tab_id=${s.tabId}`
      )
    }
    if (s.stage === 'password') {
      if (!req.form.has('password')) return loginPage(res, s)
      stats.passwordPosts++
      if (opts.failFirstPasswordPost !== undefined && stats.passwordPosts === 1) {
        return html(
          res,
          page('Error', '<p>Unexpected error when authenticating with identity provider</p>'),
          {
            status: opts.failFirstPasswordPost
          }
        )
      }
      const username = req.form.get('username') ?? ''
      if (username !== opts.user.username || req.form.get('password') !== opts.user.password) {
        return loginPage(res, s, 'Invalid username or password.', username)
      }
      if (opts.user.otpSecret !== undefined) {
        s.stage = 'otp'
        return otpPage(res, s)
      }
    } else if (s.stage === 'otp') {
      const code = req.form.get(otpField)
      if (code === null) return otpPage(res, s)
      stats.otpPosts++
      if (!totpAccepts(opts.user.otpSecret ?? '', code)) {
        return otpPage(res, s, 'Invalid authenticator code.')
      }
    }
    s.stage = 'done'
    postBinding(res, [
      `KEYCLOAK_IDENTITY=${token(stats, 48)}; Path=${REALM}/; HttpOnly`,
      `KEYCLOAK_SESSION=${token(stats, 24)}; Path=${REALM}/`
    ])
  }

  const server = await startFakeServer(handle, stats)
  return {
    startUrl: `${server.origin}${REALM}/protocol/saml/clients/amazon-aws`,
    origin: server.origin,
    stats,
    lastSamlResponse: () => last,
    close: server.close
  }
}
