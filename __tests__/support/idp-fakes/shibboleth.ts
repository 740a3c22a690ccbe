/**
 * A fake Shibboleth IdP (v4/v5) with the unsolicited SSO endpoint for AWS. The HTTP shapes follow
 * its public views and docs: Spring Web Flow's post-redirect-get with `execution=e1sN` keys and a
 * JSESSIONID cookie set on the first 302, the client-storage read page (a script-submitted form
 * of `shib_idp_ls_*` fields and `_eventId_proceed`) before the login view, the login view's
 * `j_username` / `j_password` and its submit button named `_eventId_proceed` (without it the view
 * just renders again), the refused password in a `form-error` paragraph, the TOTP plugin's
 * `tokencode` field, the client-storage write page after sign-in, a `csrf_token` in every form
 * (v4 and later) that a POST must send back, and the SAML POST page whose action is written with
 * the encoder's hex entities.
 */
import type { ServerResponse } from 'node:http'
import {
  escapeHtml,
  html,
  issueFor,
  newStats,
  redirect,
  startFakeServer,
  token,
  totpAccepts,
  type FakeIdp,
  type FakeIdpOptions,
  type FakeRequest
} from './fake-server.js'

const SSO = '/idp/profile/SAML2/Unsolicited/SSO'
const RP = 'urn:amazon:webservices'

type View = 'storage-read' | 'login' | 'totp' | 'storage-write' | 'saml'
interface Flow {
  step: number
  view: View
  error?: string
  /** The CSRF token (IdP v4 and later) of the view last rendered; a POST must send it back. */
  csrf: string
}

/** The Velocity encoder's attribute form: everything but letters and digits as hex entities. */
function encodeForAttribute(value: string): string {
  return value.replace(/[^A-Za-z0-9]/g, c => `&#x${c.charCodeAt(0).toString(16)};`)
}

export async function startShibboleth(opts: FakeIdpOptions): Promise<FakeIdp> {
  const stats = newStats()
  const flows = new Map<string, Flow>()
  let last: string | undefined

  const execUrl = (f: Flow): string => `${SSO}?execution=e1s${f.step}`
  /** Spring Web Flow: every event moves to a new state key and redirects there. */
  const advance = (res: ServerResponse, f: Flow, view: View, error?: string): void => {
    f.step++
    f.view = view
    f.error = error
    redirect(res, execUrl(f))
  }

  /** Every rendered view carries a fresh token, as the IdP's CSRF protection does. */
  const csrfField = (f: Flow): string => {
    f.csrf = token(stats, 16)
    return `<input type="hidden" name="csrf_token" value="${f.csrf}"/>`
  }

  const page = (title: string, inner: string, onload = ''): string =>
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<link rel="stylesheet" type="text/css" href="/idp/css/main.css"></head>\n` +
    `<body${onload}><div class="wrapper"><div class="container"><header><img src="/idp/images/dummylogo.png" alt="Replace or remove this logo"></header>\n` +
    `<div class="content">${inner}</div></div></div></body></html>`

  function storagePage(res: ServerResponse, f: Flow, fields: Record<string, string>): void {
    const inputs = Object.entries(fields)
      .map(([n, v]) => `<input type="hidden" name="${n}" value="${escapeHtml(v)}"/>`)
      .join('\n')
    html(
      res,
      page(
        'Loading Session Information',
        `<noscript><p><strong>Note:</strong> Since your browser does not support JavaScript, you must press the Continue button once to proceed.</p></noscript>
<form name="form1" action="${execUrl(f)}" method="post">
${csrfField(f)}
${inputs}
<input type="hidden" name="_eventId_proceed" value=""/>
<noscript><input type="submit" value="Continue"/></noscript>
</form>`,
        ' onload="doLoad()"'
      )
    )
  }

  function loginView(res: ServerResponse, f: Flow): void {
    const error =
      f.error === undefined
        ? ''
        : `<section><p class="form-element form-error">${escapeHtml(f.error)}</p></section>`
    html(
      res,
      page(
        'Web Login Service',
        `<div class="column one">
<form action="${execUrl(f)}" method="post">
${csrfField(f)}
${error}
<div class="form-element-wrapper"><label for="username">Username</label>
<input class="form-element form-field" id="username" name="j_username" type="text" value=""></div>
<div class="form-element-wrapper"><label for="password">Password</label>
<input class="form-element form-field" id="password" name="j_password" type="password" value=""></div>
<div class="form-element-wrapper"><input type="checkbox" name="donotcache" value="1" id="donotcache"><label for="donotcache">Don't Remember Login</label></div>
<div class="form-element-wrapper"><input id="_shib_idp_revokeConsent" type="checkbox" name="_shib_idp_revokeConsent" value="true"><label for="_shib_idp_revokeConsent">Clear prior granting of permission for release of your information to this service.</label></div>
<div class="form-element-wrapper"><button class="form-element form-button" type="submit" name="_eventId_proceed" onClick="this.childNodes[0].nodeValue='Logging in, please wait...'">Login</button></div>
</form>
</div>`
      )
    )
  }

  function totpView(res: ServerResponse, f: Flow): void {
    const error =
      f.error === undefined ? '' : `<p class="form-element form-error">${escapeHtml(f.error)}</p>`
    html(
      res,
      page(
        'Web Login Service',
        `<form action="${execUrl(f)}" method="post">
${csrfField(f)}
${error}
<div class="form-element-wrapper"><label for="tokencode">Token Code</label>
<input class="form-element form-field" id="tokencode" name="tokencode" type="text" value="" autocomplete="one-time-code"></div>
<div class="form-element-wrapper"><button class="form-element form-button" type="submit" name="_eventId_proceed">Login</button></div>
</form>`
      )
    )
  }

  function samlPost(res: ServerResponse): void {
    last = issueFor(opts)
    html(
      res,
      `<!DOCTYPE html>\n<html><head><meta charset="utf-8" /></head>` +
        `<body onload="document.forms[0].submit()">` +
        `<noscript><p><strong>Note:</strong> Since your browser does not support JavaScript, you must press the Continue button once to proceed.</p></noscript>` +
        `<form action="${encodeForAttribute('https://signin.aws.amazon.com/saml')}" method="post"><div>` +
        `<input type="hidden" name="SAMLResponse" value="${last}"/></div>` +
        `<noscript><div><input type="submit" value="Continue"/></div></noscript></form></body></html>`
    )
  }

  function handle(req: FakeRequest, res: ServerResponse): void {
    if (req.url.pathname !== SSO) {
      html(res, page('Web Login Service - Error', '<p>The requested page was not found.</p>'), {
        status: 404
      })
      return
    }
    const execution = req.url.searchParams.get('execution')
    if (execution === null) {
      if (req.url.searchParams.get('providerId') !== RP) {
        html(res, page('Web Login Service - Unsupported Request', '<p>Unsupported Request</p>'), {
          status: 400
        })
        return
      }
      const id = token(stats, 24)
      const f: Flow = { step: 1, view: 'storage-read', csrf: '' }
      flows.set(id, f)
      redirect(res, execUrl(f), [`JSESSIONID=${id}; Path=/idp; HttpOnly`])
      return
    }
    const f = flows.get(req.cookies.get('JSESSIONID') ?? '')
    if (!f || execution !== `e1s${f.step}`) {
      html(
        res,
        page(
          'Web Login Service - Stale Request',
          '<p>You may be seeing this page because you used the Back button while browsing a secure web site or application.</p>'
        ),
        { status: 400 }
      )
      return
    }
    if (req.method === 'GET') {
      switch (f.view) {
        case 'storage-read':
          return storagePage(res, f, {
            'shib_idp_ls_exception.shib_idp_session_ss': '',
            'shib_idp_ls_success.shib_idp_session_ss': 'false',
            'shib_idp_ls_value.shib_idp_session_ss': '',
            'shib_idp_ls_exception.shib_idp_persistent_ss': '',
            'shib_idp_ls_success.shib_idp_persistent_ss': 'false',
            'shib_idp_ls_value.shib_idp_persistent_ss': '',
            shib_idp_ls_supported: ''
          })
        case 'login':
          return loginView(res, f)
        case 'totp':
          return totpView(res, f)
        case 'storage-write':
          return storagePage(res, f, {
            'shib_idp_ls_exception.shib_idp_session_ss': '',
            'shib_idp_ls_success.shib_idp_session_ss': 'false'
          })
        case 'saml':
          return samlPost(res)
      }
    }
    if (req.form.get('csrf_token') !== f.csrf) {
      html(
        res,
        page(
          'Web Login Service - Message Security Error',
          '<p>The request was rejected because it failed a CSRF check.</p>'
        ),
        { status: 400 }
      )
      return
    }
    const proceed = req.form.has('_eventId_proceed')
    switch (f.view) {
      case 'storage-read':
        return proceed ? advance(res, f, 'login') : storagePage(res, f, {})
      case 'login': {
        if (req.form.has('j_password')) stats.passwordPosts++
        if (!proceed) return loginView(res, f)
        const ok =
          req.form.get('j_username') === opts.user.username &&
          req.form.get('j_password') === opts.user.password
        if (!ok) return advance(res, f, 'login', 'The password you entered was incorrect.')
        return advance(res, f, opts.user.otpSecret === undefined ? 'storage-write' : 'totp')
      }
      case 'totp': {
        const code = req.form.get('tokencode')
        if (code !== null) stats.otpPosts++
        if (!proceed || code === null) return totpView(res, f)
        if (!totpAccepts(opts.user.otpSecret ?? '', code)) {
          return advance(res, f, 'totp', 'The token code you entered is incorrect.')
        }
        return advance(res, f, 'storage-write')
      }
      case 'storage-write':
        // The last state renders the SAML POST page directly, as the flow's end state does.
        f.view = 'saml'
        return samlPost(res)
      case 'saml':
        return samlPost(res)
    }
  }

  const server = await startFakeServer(handle, stats)
  return {
    startUrl: `${server.origin}${SSO}?providerId=${encodeURIComponent(RP)}`,
    origin: server.origin,
    stats,
    lastSamlResponse: () => last,
    close: server.close
  }
}
