import { formBody, readPage, type FormField, type HtmlForm, type HtmlPage } from './html-form.js'
import { withoutQuery } from './idp-session.js'
import type { IdpResponse, SignInProvider, SignInSettings } from './provider.js'
import { signInError } from './sign-in-error.js'
import { quote } from '../util/log-safety.js'

/** Pages and form posts before the walker gives up (redirects within a request not counted). */
export const MAX_STEPS = 15
/** Shorter hidden values are flags and names, not tokens; masking them would hide common words. */
const MIN_TOKEN_LENGTH = 16

/**
 * Where IdPs post the SAMLResponse for AWS: the global, regional, GovCloud and China sign-in
 * endpoints, at /saml or /saml/acs/<id> (the per-provider ACS URLs).
 */
const AWS_SIGN_IN_HOST =
  /^(?:[a-z]{2}(?:-[a-z]+)+-\d+\.)?signin\.(?:aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)$/
const AWS_SIGN_IN_PATH = /^\/saml(?:\/acs\/[\w.-]+)?\/?$/

export function isAwsSignInEndpoint(url: URL): boolean {
  return (
    url.protocol === 'https:' &&
    AWS_SIGN_IN_HOST.test(url.hostname.toLowerCase()) &&
    AWS_SIGN_IN_PATH.test(url.pathname)
  )
}

const USERNAME_HINT =
  /user|login|e-?mail|account|ident|uid|principal|loginfmt|subject|j_username|name/i
const OTP_HINT = /otp|totp|one-?time|passcode|token|mfa|2fa|verification|authenticator|code/i
const SKIP_SUBMIT = /cancel|back|register|forgot|reset|abort|decline|other/i
const PREFER_SUBMIT = /proceed|login|log-in|sign|submit|continue|next|verify|ok/i
const TEXT_TYPES = new Set(['text', 'email', 'tel', 'number', ''])
/** Hidden fields a sign-in page's script sets when its button is pressed (PingFederate). */
const SCRIPT_PRESSED_OK = new Set(['pf.ok', '$ok'])

/** What the walker does with a page; pure, so it is tested on synthetic pages. */
export type Step =
  | { kind: 'done'; samlResponse: string }
  | {
      kind: 'submit'
      form: HtmlForm
      body: URLSearchParams
      sends: 'password' | 'otp' | 'username' | 'hidden'
    }
  | { kind: 'follow'; url: URL }

/** What has been sent so far: a page asking for it again means it was refused. */
export interface WalkState {
  username: number
  password: number
  otp: number
}

export function nextStep(
  page: HtmlPage,
  response: Pick<IdpResponse, 'url' | 'status'>,
  settings: Pick<SignInSettings, 'username' | 'password'>,
  state: WalkState,
  otp: () => string | undefined
): Step {
  for (const form of page.forms) {
    const saml = form.fields.find(f => f.name === 'SAMLResponse')
    if (saml && isAwsSignInEndpoint(form.action)) {
      if (saml.value.trim() === '') {
        throw signInError('idp-no-saml-response', 'the form for AWS holds an empty SAMLResponse')
      }
      return { kind: 'done', samlResponse: saml.value }
    }
  }

  // The session retries 5xx answers itself, except to a request that carried the password or a
  // code: such an answer is a server fault, not a page to read (nor a reason to send it again).
  if (response.status >= 500) {
    throw signInError(
      'idp-unreachable',
      `${pageName(page, response)} answered HTTP ${response.status} to the request with the password or code; it is not sent again (a retry could lock the account). Run the job again later`
    )
  }

  const otpForm = page.forms.find(form => otpField(form) && !passwordField(form))
  if (otpForm) {
    if (state.otp > 0) {
      throw signInError('idp-otp-refused', `${describeErrors(page)}the IdP asked for a code again`)
    }
    const code = otp()
    if (code === undefined) {
      throw signInError('idp-mfa-needs-seed', `the page ${pageName(page, response)} asks for one`)
    }
    const field = otpField(otpForm)!
    return {
      kind: 'submit',
      form: otpForm,
      body: formBody(otpForm, { [field.name]: code }, submitButton(otpForm)),
      sends: 'otp'
    }
  }

  const passwordForm = page.forms.find(form => passwordField(form) !== undefined)
  if (passwordForm) {
    if (state.password > 0) throw refused(page)
    const values: Record<string, string> = {
      [passwordField(passwordForm)!.name]: settings.password
    }
    const user = usernameField(passwordForm)
    if (user) values[user.name] = settings.username
    // PingFederate's form posts through a script that marks the OK button as pressed.
    for (const field of passwordForm.fields) {
      if (field.type === 'hidden' && SCRIPT_PRESSED_OK.has(field.name))
        values[field.name] = 'clicked'
    }
    // Some IdPs ask for the code on the same page as the password.
    const code = otpField(passwordForm)
    if (code) {
      const value = otp()
      if (value === undefined) {
        throw signInError('idp-mfa-needs-seed', `the page ${pageName(page, response)} asks for one`)
      }
      values[code.name] = value
      state.otp++
    }
    return {
      kind: 'submit',
      form: passwordForm,
      body: formBody(passwordForm, values, submitButton(passwordForm)),
      sends: 'password'
    }
  }

  // Identifier-first sign-in: the username alone, the password on the next page.
  const userForm = page.forms.find(
    form => usernameField(form) !== undefined && visible(form).length === 1
  )
  if (userForm && state.password === 0) {
    if (state.username > 0) throw refused(page)
    return {
      kind: 'submit',
      form: userForm,
      body: formBody(
        userForm,
        { [usernameField(userForm)!.name]: settings.username },
        submitButton(userForm)
      ),
      sends: 'username'
    }
  }

  // A form with nothing to fill is one a browser's script submits on load (SAML hops, the
  // Shibboleth local-storage page): submit it as it is.
  const autoPost = page.forms.find(form => visible(form).length === 0 && form.fields.length > 0)
  if (autoPost) {
    return {
      kind: 'submit',
      form: autoPost,
      body: formBody(autoPost, {}, submitButton(autoPost)),
      sends: 'hidden'
    }
  }

  if (page.refresh) return { kind: 'follow', url: page.refresh }

  if (state.password > 0 && page.forms.length === 0 && page.errors.length > 0) {
    // Signed in (or refused) but no way on: the IdP's own words are the best hint.
    throw signInError(
      'idp-no-saml-response',
      `${describeErrors(page)}at ${pageName(page, response)}`
    )
  }
  const fields = [...new Set(page.forms.flatMap(form => form.fields.map(f => f.name)))]
  throw signInError(
    'idp-page-not-understood',
    `${pageName(page, response)}, HTTP ${response.status}, ` +
      (fields.length > 0
        ? `form fields ${fields.map(name => quote(name)).join(', ')}`
        : 'no form') +
      (page.errors.length > 0 ? `; ${describeErrors(page).replace(/: $/, '')}` : '')
  )
}

export const formProvider: SignInProvider = async (settings, session) => {
  const state: WalkState = { username: 0, password: 0, otp: 0 }
  let response = await session.request(settings.url)
  for (let step = 1; step <= MAX_STEPS; step++) {
    const page = readPage(response.body, response.url)
    const next = nextStep(page, response, settings, state, () => session.otp())
    if (next.kind === 'done') return next.samlResponse
    if (next.kind === 'follow') {
      response = await session.request(next.url)
      continue
    }
    // Hidden fields carry the IdP's state tokens (AuthState, execution, SAMLRequest, csrf): they
    // are never printed, and masked anyway should some later message quote one.
    for (const field of next.form.fields) {
      if (field.type === 'hidden' && field.value.length >= MIN_TOKEN_LENGTH)
        session.mask(field.value)
    }
    if (next.sends !== 'hidden') {
      state[next.sends]++
      session.info(`IdP: sending the ${next.sends} to ${withoutQuery(next.form.action)}.`)
    }
    const secret = next.sends === 'password' || next.sends === 'otp'
    response =
      next.form.method === 'POST'
        ? await session.request(next.form.action, {
            method: 'POST',
            body: next.body,
            carriesSecret: secret
          })
        : await session.request(withQuery(next.form.action, next.body), { carriesSecret: secret })
  }
  throw signInError(
    'idp-too-many-steps',
    `still not at AWS after ${MAX_STEPS} steps, last at ${withoutQuery(response.url)}`
  )
}

function refused(page: HtmlPage): Error {
  return signInError(
    'idp-credentials-refused',
    page.errors.length > 0
      ? `the IdP says ${page.errors.map(text => quote(text)).join(', ')}`
      : 'the IdP showed its sign-in form again'
  )
}

function describeErrors(page: HtmlPage): string {
  return page.errors.length > 0
    ? `the IdP says ${page.errors.map(text => quote(text)).join(', ')}: `
    : ''
}

function pageName(page: HtmlPage, response: Pick<IdpResponse, 'url'>): string {
  return `${quote(page.title || '(untitled)')} at ${quote(withoutQuery(response.url))}`
}

/** Fields a person would fill (not hidden, not buttons, not checkboxes). */
function visible(form: HtmlForm): FormField[] {
  return form.fields.filter(
    f =>
      !f.disabled &&
      (f.tag === 'textarea' ||
        f.tag === 'select' ||
        TEXT_TYPES.has(f.type) ||
        f.type === 'password')
  )
}

function hints(field: FormField): string {
  return `${field.name} ${field.id ?? ''} ${field.autocomplete ?? ''}`
}

function otpField(form: HtmlForm): FormField | undefined {
  return visible(form).find(
    f =>
      f.autocomplete === 'one-time-code' ||
      (OTP_HINT.test(`${f.name} ${f.id ?? ''}`) && !/pass(word)?$|^pw$/i.test(f.name))
  )
}

function passwordField(form: HtmlForm): FormField | undefined {
  return visible(form).find(f => f.type === 'password')
}

function usernameField(form: HtmlForm): FormField | undefined {
  const otp = otpField(form)
  const candidates = visible(form).filter(
    f => f.type !== 'password' && f.tag === 'input' && f !== otp
  )
  return (
    candidates.find(f => f.autocomplete === 'username' || f.autocomplete === 'email') ??
    candidates.find(f => USERNAME_HINT.test(hints(f))) ??
    (candidates.length === 1 ? candidates[0] : undefined)
  )
}

/** The button a person would press: a named one (some IdPs need it, e.g. _eventId_proceed). */
function submitButton(form: HtmlForm): string | undefined {
  const buttons = form.fields.filter(
    f => !f.disabled && (f.type === 'submit' || f.type === 'image') && !SKIP_SUBMIT.test(hints(f))
  )
  return (buttons.find(f => PREFER_SUBMIT.test(hints(f))) ?? buttons[0])?.name
}

function withQuery(action: URL, body: URLSearchParams): URL {
  const url = new URL(action)
  url.search = body.toString()
  return url
}
