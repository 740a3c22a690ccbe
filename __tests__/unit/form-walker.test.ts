/**
 * The form walker's decisions on synthetic pages (nextStep is pure), and the HTML form reader
 * under it. The walk over real HTTP is tested against SimpleSAMLphp (e2e) and the IdP fakes.
 */
import { describe, expect, it } from 'vitest'
import { SignInError } from '../../src/errors/run-errors.js'
import {
  isAwsSignInEndpoint,
  nextStep,
  type Step,
  type WalkState
} from '../../src/idp/form-provider.js'
import { formBody, readPage } from '../../src/idp/html-form.js'

const PAGE_URL = new URL('https://idp.example.com/login?session=tok3n')
const USER = { username: 'alice', password: 'hunter2-secret' }

function step(html: string, state: Partial<WalkState> = {}, otp?: string): Step {
  return nextStep(
    readPage(html, PAGE_URL),
    { url: PAGE_URL, status: 200 },
    USER,
    { username: 0, password: 0, otp: 0, ...state },
    () => otp
  )
}

function stepError(html: string, state: Partial<WalkState> = {}, otp?: string): SignInError {
  try {
    step(html, state, otp)
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError)
    return error as SignInError
  }
  throw new Error('expected a SignInError')
}

function submitted(result: Step): Record<string, string> {
  if (result.kind !== 'submit') throw new Error(`expected a submit, got ${result.kind}`)
  return Object.fromEntries(result.body)
}

const awsForm = (action: string, value = 'PHNhbWxwOlJlc3BvbnNlLz4=') =>
  `<html><body onload="document.forms[0].submit()"><form method="post" action="${action}">
   <input type="hidden" name="SAMLResponse" value="${value}"><input type="hidden" name="RelayState" value="">
   <noscript><input type="submit" value="Continue"></noscript></form></body></html>`

describe('where the walk ends', () => {
  it.each([
    'https://signin.aws.amazon.com/saml',
    'https://eu-central-1.signin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46',
    'https://us-gov-west-1.signin.amazonaws-us-gov.com/saml',
    'https://signin.amazonaws-us-gov.com/saml',
    'https://signin.amazonaws.cn/saml',
    'https://cn-north-1.signin.amazonaws.cn/saml/acs/abc'
  ])('stops at the form posting to %s and takes its SAMLResponse', action => {
    expect(isAwsSignInEndpoint(new URL(action))).toBe(true)
    expect(step(awsForm(action))).toEqual({
      kind: 'done',
      samlResponse: 'PHNhbWxwOlJlc3BvbnNlLz4='
    })
  })

  it.each([
    'http://signin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com.evil.example/saml',
    'https://evilsignin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com/console',
    'https://sp.example.org/saml'
  ])('does not take %s for AWS: a SAMLResponse there is a hop to submit', action => {
    expect(isAwsSignInEndpoint(new URL(action))).toBe(false)
    const result = step(awsForm(action))
    expect(result.kind).toBe('submit')
    expect(submitted(result)).toEqual({ SAMLResponse: 'PHNhbWxwOlJlc3BvbnNlLz4=', RelayState: '' })
  })

  it('an empty SAMLResponse for AWS is a clear failure', () => {
    expect(stepError(awsForm('https://signin.aws.amazon.com/saml', '')).code).toBe(
      'idp-no-saml-response'
    )
  })
})

describe('filling forms', () => {
  it('fills username and password (found by autocomplete), keeps hidden fields, presses the named button', () => {
    const result = step(`<form method="post" action="/auth?x=1">
      <input type="hidden" name="csrf" value="c1">
      <input type="text" name="f1" id="f1" autocomplete="username">
      <input type="password" name="f2">
      <input type="checkbox" name="remember" value="yes">
      <button type="submit" name="cancel" value="1">Cancel</button>
      <input type="submit" name="_eventId_proceed" value="Login"></form>`)
    expect(result.kind === 'submit' && result.sends).toBe('password')
    expect(result.kind === 'submit' && result.form.action.href).toBe(
      'https://idp.example.com/auth?x=1'
    )
    expect(submitted(result)).toEqual({
      csrf: 'c1',
      f1: 'alice',
      f2: 'hunter2-secret',
      _eventId_proceed: 'Login'
    })
  })

  it.each([
    [
      'ADFS',
      '<input name="UserName" type="email"><input name="Password" type="password"><input type="hidden" name="AuthMethod" value="FormsAuthentication">',
      'UserName'
    ],
    [
      'Shibboleth',
      '<input id="username" name="j_username" type="text"><input id="password" name="j_password" type="password">',
      'j_username'
    ],
    [
      'Keycloak',
      '<input id="username" name="username" type="text" autocomplete="username"><input id="password" name="password" type="password">',
      'username'
    ]
  ])('finds the username field of %s', (_, fields, name) => {
    const values = submitted(step(`<form method="post">${fields}</form>`))
    expect(values[name]).toBe('alice')
    expect(Object.values(values)).toContain('hunter2-secret')
  })

  it('PingFederate: fills pf.username and pf.pass, and marks pf.ok as its script would', () => {
    const values = submitted(
      step(`<form method="POST" action="/as/abc/resume/as/authorization.ping">
        <input type="hidden" name="pf.ok" value=""><input type="hidden" name="pf.cancel" value="">
        <input type="text" id="username" name="pf.username"><input type="password" id="password" name="pf.pass">
        <input type="hidden" name="pf.adapterId" value="HTMLFormAdapter"></form>`)
    )
    expect(values).toEqual({
      'pf.ok': 'clicked',
      'pf.cancel': '',
      'pf.username': 'alice',
      'pf.pass': 'hunter2-secret',
      'pf.adapterId': 'HTMLFormAdapter'
    })
  })

  it('identifier-first: the username alone, then the password on the next page', () => {
    const first = step(
      '<form method="post"><input type="email" name="identifier"><button>Next</button></form>'
    )
    expect(first.kind === 'submit' && first.sends).toBe('username')
    expect(submitted(first)).toEqual({ identifier: 'alice' })
  })

  it('submits auto-post forms (only hidden fields) as they are', () => {
    const result = step(`<form method="post" action="https://idp2.example.com/sso">
      <input type="hidden" name="SAMLRequest" value="abc"><input type="hidden" name="RelayState" value="r"></form>`)
    expect(result.kind === 'submit' && result.sends).toBe('hidden')
    expect(submitted(result)).toEqual({ SAMLRequest: 'abc', RelayState: 'r' })
  })

  it('follows a meta refresh', () => {
    expect(step(`<meta http-equiv="refresh" content="0; url='/next?a=b'">`)).toEqual({
      kind: 'follow',
      url: new URL('https://idp.example.com/next?a=b')
    })
  })
})

describe('one-time codes', () => {
  const otpPage = `<title>Authenticator</title><form method="post" action="/otp">
    <input id="otp" name="otp" autocomplete="off" type="text"><input type="submit" name="login" value="Sign In"></form>`

  it('fills the OTP field with the code computed now', () => {
    const result = step(otpPage, { password: 1 }, '123456')
    expect(result.kind === 'submit' && result.sends).toBe('otp')
    expect(submitted(result)).toEqual({ otp: '123456', login: 'Sign In' })
  })

  it('says MFA needs idp-otp-secret when there is no seed', () => {
    const error = stepError(otpPage, { password: 1 })
    expect(error.code).toBe('idp-mfa-needs-seed')
    expect(error.message).toContain('"Authenticator"')
  })

  it('a second OTP page means the code was refused, with the IdP’s words quoted', () => {
    const error = stepError(
      `<span id="input-error-otp-code" class="kc-feedback-text">Invalid authenticator code.</span>${otpPage}`,
      { password: 1, otp: 1 },
      '123456'
    )
    expect(error.code).toBe('idp-otp-refused')
    expect(error.message).toContain('"Invalid authenticator code."')
  })
})

describe('failures', () => {
  it('a password form after the password was sent is a refusal, never a second try', () => {
    const error = stepError(
      '<div class="alert alert-error"><span>Wrong password\n::set-env name=X::1</span></div><form method="post"><input name="username"><input type="password" name="password"></form>',
      { password: 1 }
    )
    expect(error.code).toBe('idp-credentials-refused')
    // Quoted as data: no raw line of page text.
    expect(error.message).toContain('"Wrong password ::set-env name=X::1"')
    expect(error.message.split('\n')).toHaveLength(1)
  })

  it('a page it does not understand: title, URL without query, field names, never values', () => {
    const error = stepError(`<title>Choose a method</title>
      <form method="post"><select name="method"><option value="push-secret-value">Push</option></select>
      <input type="radio" name="device" value="phone-4711"><input type="radio" name="device" value="key"></form>`)
    expect(error.code).toBe('idp-page-not-understood')
    expect(error.message).toContain('"Choose a method" at "https://idp.example.com/login"')
    expect(error.message).toContain('form fields "method", "device"')
    expect(error.message).not.toContain('tok3n')
    expect(error.message).not.toContain('push-secret-value')
    expect(error.message).not.toContain('phone-4711')
  })
})

describe('readPage and formBody', () => {
  it('resolves actions against <base href>, decodes entities, defaults to GET on the page URL', () => {
    const page = readPage(
      `<html><head><base href="https://other.example.com/app/"><title> A &amp; B </title></head>
       <form action="post?a=1&amp;b=2" method="POST"></form><form></form></html>`,
      PAGE_URL
    )
    expect(page.title).toBe('A & B')
    expect(page.forms[0]!.action.href).toBe('https://other.example.com/app/post?a=1&b=2')
    expect(page.forms[0]!.method).toBe('POST')
    expect(page.forms[1]!.action.href).toBe(PAGE_URL.href)
    expect(page.forms[1]!.method).toBe('GET')
  })

  it('sends what a browser sends: no disabled fields, unchecked boxes or unpressed buttons', () => {
    const [form] = readPage(
      `<form><input name="a" value="1"><input name="b" value="2" disabled>
       <input type="checkbox" name="c" value="on" checked><input type="checkbox" name="d" value="on">
       <select name="e"><option value="x">X</option><option value="y" selected>Y</option></select>
       <textarea name="f">text</textarea><input type="submit" name="go" value="Go"></form>`,
      PAGE_URL
    ).forms
    expect(formBody(form!).toString()).toBe('a=1&c=on&e=y&f=text')
    expect(formBody(form!, { a: '9', extra: 'x' }, 'go').toString()).toBe(
      'a=9&c=on&e=y&f=text&go=Go&extra=x'
    )
  })

  it('ignores text in scripts when collecting error messages', () => {
    const page = readPage(
      '<div class="error"><script>var secret = 1</script>Session expired</div>',
      PAGE_URL
    )
    expect(page.errors).toEqual(['Session expired'])
  })
})
