/**
 * A fake AD FS farm with the AWS relying party. The HTTP shapes follow AD FS's public docs and
 * its default web theme: `/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices`
 * shows the `loginForm` with `UserName`, `Password` and the hidden `AuthMethod` =
 * FormsAuthentication (its "Sign in" is a span with an onclick, not a submit button) next to the
 * `options` form of other sign-in methods (hidden fields only, submitted by a link), a refused
 * password comes back in `#errorText`, a good one sets MSISAuth cookies on a 302 back to the same
 * URL, an additional-authentication adapter asks for a `VerificationCode` with an opaque
 * `Context`, and the last page posts to `https://signin.aws.amazon.com:443/saml` (AD FS writes
 * the port).
 */
import type { ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
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

const SIGN_ON = '/adfs/ls/IdpInitiatedSignOn.aspx'
const RP = 'urn:amazon:webservices'
const MFA_METHOD = 'AzureMfaAuthentication'

export async function startAdfs(opts: FakeIdpOptions): Promise<FakeIdp> {
  const stats = newStats()
  /** MSISAuth cookie value → how far that browser got. */
  const sessions = new Map<string, { stage: 'mfa' | 'done'; context: string }>()
  let last: string | undefined

  const signOnUrl = `${SIGN_ON}?loginToRp=${RP}`

  const page = (inner: string): string =>
    `<!DOCTYPE html>\n<html lang="en-US"><head>` +
    `<meta http-equiv="X-UA-Compatible" content="IE=edge"/><meta http-equiv="content-type" content="text/html;charset=UTF-8" />` +
    `<title>Sign In</title><script type="text/javascript">var Login = { submitLoginRequest: function () { document.forms['loginForm'].submit(); return false; } };</script></head>\n` +
    `<body dir="ltr" class="body"><div id="fullPage"><div id="contentWrapper"><div id="content">\n` +
    `<div id="header"><img class="logoImage" src="/adfs/portal/logo/logo.png" alt="Example Corp"/></div>\n` +
    `<main><div id="workArea">${inner}</div></main></div></div></div></body></html>`

  function formsPage(res: ServerResponse, error?: string, username = ''): void {
    const action = `${signOnUrl}&client-request-id=${randomUUID()}`
    html(
      res,
      page(`
<div id="authArea" class="groupMargin">
  <div id="loginArea">
    <div id="loginMessage" class="groupMargin">Sign in with your organizational account</div>
    <form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" onKeyPress="if (event && event.keyCode == 13) Login.submitLoginRequest();" action="${escapeHtml(action)}" >
      <div id="error" class="fieldMargin error smallText"${error === undefined ? ' style="display:none"' : ''}>
        <span id="errorText" for="">${escapeHtml(error ?? '')}</span>
      </div>
      <div id="formsAuthenticationArea">
        <div id="userNameArea">
          <label id="userNameInputLabel" for="userNameInput" class="hidden">User Account</label>
          <input id="userNameInput" name="UserName" type="email" value="${escapeHtml(username)}" tabindex="1" class="text fullWidth" spellcheck="false" placeholder="someone@example.com" autocomplete="off"/>
        </div>
        <div id="passwordArea">
          <label id="passwordInputLabel" for="passwordInput" class="hidden">Password</label>
          <input id="passwordInput" name="Password" type="password" tabindex="2" class="text fullWidth" placeholder="Password" autocomplete="off"/>
        </div>
        <div id="kmsiArea" style="display:none">
          <input type="checkbox" name="Kmsi" id="kmsiInput" value="true" tabindex="3" />
          <label for="kmsiInput">Keep me signed in</label>
        </div>
        <div id="submissionArea" class="submitMargin">
          <span id="submitButton" class="submit" tabindex="4" role="button" onKeyPress="if (event && event.keyCode == 32) Login.submitLoginRequest();" onclick="return Login.submitLoginRequest();">Sign in</span>
        </div>
      </div>
      <input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
    </form>
  </div>
  <div id="authOptions">
    <form id="options" method="post" action="${escapeHtml(action)}">
      <script type="text/javascript">function SelectOption(option) { document.getElementById('optionSelection').value = option; document.forms['options'].submit(); return false; }</script>
      <input id="optionSelection" type="hidden" name="AuthMethod" />
      <div class="groupMargin"><a href="#" id="CertificateAuthentication" class="actionLink" onclick="return SelectOption('CertificateAuthentication');">Sign in using an X.509 certificate</a></div>
    </form>
  </div>
</div>`)
    )
  }

  function mfaPage(res: ServerResponse, context: string, error?: string, cookies?: string[]): void {
    const action = `${signOnUrl}&client-request-id=${randomUUID()}`
    html(
      res,
      page(`
<div id="authArea" class="groupMargin">
  <form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" action="${escapeHtml(action)}" >
    <div id="mfaGreetingDescription" class="groupMargin">For security reasons, we require additional information to verify your account</div>
    <div id="error" class="fieldMargin error smallText"${error === undefined ? ' style="display:none"' : ''}>
      <span id="errorText" for="">${escapeHtml(error ?? '')}</span>
    </div>
    <div class="fieldMargin">Enter the verification code from your authenticator app.</div>
    <input id="verificationCodeInput" name="VerificationCode" type="text" value="" class="text fullWidth" autocomplete="off" maxlength="6"/>
    <input id="authMethod" type="hidden" name="AuthMethod" value="${MFA_METHOD}"/>
    <input id="context" type="hidden" name="Context" value="${escapeHtml(context)}"/>
    <div id="submissionArea" class="submitMargin">
      <input id="submitButton" type="submit" name="SignIn" value="Sign in" class="submit"/>
    </div>
  </form>
</div>`),
      cookies ? { cookies } : {}
    )
  }

  function postForm(res: ServerResponse): void {
    last = issueFor(opts)
    html(
      res,
      `<html><head><title>Working...</title></head><body>` +
        `<form method="POST" name="hiddenform" action="https://signin.aws.amazon.com:443/saml">` +
        `<input type="hidden" name="SAMLResponse" value="${last}" />` +
        `<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>` +
        `</form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>`
    )
  }

  function handle(req: FakeRequest, res: ServerResponse): void {
    if (req.url.pathname !== SIGN_ON || req.url.searchParams.get('loginToRp') !== RP) {
      html(
        res,
        page('<p>An error occurred. Contact your administrator for more information.</p>'),
        {
          status: 404
        }
      )
      return
    }
    const session = sessions.get(req.cookies.get('MSISAuth') ?? '')
    if (req.method === 'GET') {
      if (session?.stage === 'done') return postForm(res)
      if (session?.stage === 'mfa') return mfaPage(res, session.context)
      return formsPage(res)
    }
    const method = req.form.get('AuthMethod')
    if (method === 'FormsAuthentication' && req.form.has('Password')) {
      stats.passwordPosts++
      const username = req.form.get('UserName') ?? ''
      if (username !== opts.user.username || req.form.get('Password') !== opts.user.password) {
        return formsPage(
          res,
          'Incorrect user ID or password. Type the correct user ID and password, and try again.',
          username
        )
      }
      const id = token(stats, 32)
      const cookies = [`MSISAuth=${id}; path=/adfs; HttpOnly`]
      if (opts.user.otpSecret !== undefined) {
        // The adapter's state travels in a hidden field: a token the walker masks like a cookie.
        const context = token(stats, 64)
        sessions.set(id, { stage: 'mfa', context })
        return mfaPage(res, context, undefined, cookies)
      }
      sessions.set(id, { stage: 'done', context: '' })
      // Back to the same URL with the session cookie; that GET answers with the post form.
      return redirect(res, signOnUrl, [
        ...cookies,
        `MSISAuthenticated=${token(stats, 16)}; path=/adfs; HttpOnly`
      ])
    }
    if (method === MFA_METHOD && session?.stage === 'mfa') {
      if (req.form.get('Context') !== session.context) return formsPage(res)
      const code = req.form.get('VerificationCode')
      if (code === null) return mfaPage(res, session.context)
      stats.otpPosts++
      if (!totpAccepts(opts.user.otpSecret ?? '', code)) {
        return mfaPage(res, session.context, 'The verification code is not valid. Try again.')
      }
      session.stage = 'done'
      return redirect(res, signOnUrl, [
        `MSISAuthenticated=${token(stats, 16)}; path=/adfs; HttpOnly`
      ])
    }
    formsPage(res)
  }

  const server = await startFakeServer(handle, stats)
  return {
    startUrl: `${server.origin}${signOnUrl}`,
    origin: server.origin,
    stats,
    lastSamlResponse: () => last,
    close: server.close
  }
}
