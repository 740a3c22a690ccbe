/**
 * The `okta` provider: Okta's classic Authentication API, then the AWS app's embed link.
 * `POST /api/v1/authn` with the username and password; for MFA_REQUIRED the TOTP factor is
 * verified with a code computed at that moment; the one-time sessionToken then opens the embed
 * link (`idp-url`), whose page holds the form that posts the SAMLResponse to AWS. An org on
 * Identity Engine without the classic API is named as such. A refused password ends the
 * sign-in on the spot: it is sent exactly once.
 */
import { isAwsSignInEndpoint } from './form-provider.js'
import { readPage } from './html-form.js'
import { withoutQuery } from './idp-session.js'
import { readAuthnAnswer, readPipeline, TOTP_FACTOR_TYPE, type AuthnStep } from './okta-authn.js'
import type { IdpSession, SignInProvider, SignInSettings } from './provider.js'
import { signInError } from './sign-in-error.js'
import { quote } from '../util/log-safety.js'

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' }

export const oktaProvider: SignInProvider = async (settings, session) => {
  const org = new URL(settings.url.origin)
  const answer = await session.request(new URL('/api/v1/authn', org), {
    method: 'POST',
    headers: JSON_HEADERS,
    // Never sent twice once Okta has seen it: a retry can lock the account.
    carriesSecret: true,
    body: JSON.stringify({
      username: settings.username,
      password: settings.password,
      // Ask Okta not to stop at optional enrolment or password-expiry warnings.
      options: { multiOptionalFactorEnroll: false, warnBeforePasswordExpired: false }
    })
  })
  let step = readAuthnAnswer(answer.status, answer.body, org)
  maskTokens(step, session)
  if (step.kind === 'mfa') {
    step = await verifyTotp(step, settings, session, org)
    maskTokens(step, session)
  }
  if (step.kind !== 'success') return refuse(step, 'authn', session, org)
  session.info('Okta: signed in; opening the AWS app link.')
  return samlFromAppLink(settings.url, step.sessionToken, session, org)
}

async function verifyTotp(
  step: Extract<AuthnStep, { kind: 'mfa' }>,
  settings: SignInSettings,
  session: IdpSession,
  org: URL
): Promise<AuthnStep> {
  if (settings.otpSecret === undefined) {
    throw signInError(
      'idp-mfa-needs-seed',
      `Okta asks for a second factor (enrolled: ${step.factorTypes.map(t => quote(t)).join(', ')})`
    )
  }
  if (step.verify === undefined) {
    throw signInError(
      'idp-unsupported',
      `Okta asks for a second factor, but the account has no ${TOTP_FACTOR_TYPE} factor to answer with a code (enrolled: ${step.factorTypes.map(t => quote(t)).join(', ')}); enrol an authenticator app and store its seed in 'idp-otp-secret'`
    )
  }
  session.info('Okta: password accepted; verifying the TOTP factor.')
  const answer = await session.request(step.verify, {
    method: 'POST',
    headers: JSON_HEADERS,
    carriesSecret: true,
    // The code is computed now, not earlier: it is valid for one 30-second step.
    body: JSON.stringify({ stateToken: step.stateToken, passCode: session.otp() })
  })
  const verified = readAuthnAnswer(answer.status, answer.body, org)
  if (verified.kind === 'error' && verified.code === 'E0000068') {
    throw signInError('idp-otp-refused', `Okta answered ${quote(verified.summary)}`)
  }
  if (verified.kind !== 'success') return refuse(verified, 'factor verify', session, org)
  return verified
}

/** Opens the embed link with the session token and takes the SAMLResponse from its form. */
async function samlFromAppLink(
  appLink: URL,
  sessionToken: string,
  session: IdpSession,
  org: URL
): Promise<string> {
  const link = new URL(appLink)
  link.searchParams.set('sessionToken', sessionToken)
  const page = await session.request(link)
  const html = readPage(page.body, page.url)
  for (const form of html.forms) {
    const field = form.fields.find(f => f.name === 'SAMLResponse' && f.value !== '')
    // Only a Response meant for AWS: another app's would be refused by STS anyway.
    if (field && isAwsSignInEndpoint(form.action)) {
      session.mask(field.value)
      return field.value
    }
  }
  if ((await pipeline(session, org)) === 'idx') throw identityEngine()
  throw signInError(
    'idp-no-saml-response',
    `The app link ${withoutQuery(page.url)} answered HTTP ${page.status} with the page ${quote(html.title)}, which has no SAMLResponse form; check that 'idp-url' is the embed link of the AWS app (…/home/amazon_aws/<app id>/272) and that the user is assigned to it`
  )
}

/** Every answer that is neither SUCCESS nor a factor to verify ends the sign-in here. */
async function refuse(
  step: AuthnStep,
  call: string,
  session: IdpSession,
  org: URL
): Promise<never> {
  if (step.kind === 'error' && step.httpStatus === 401 && step.code === 'E0000004') {
    // Refused credentials: Okta's text is quoted as data; nothing is sent again.
    throw signInError('idp-credentials-refused', `Okta answered ${quote(step.summary)}`)
  }
  if (step.kind === 'state' && step.status === 'LOCKED_OUT') {
    throw signInError(
      'idp-credentials-refused',
      'Okta says the account is locked out (LOCKED_OUT); an administrator must unlock it'
    )
  }
  if (step.kind === 'state' && step.status === 'PASSWORD_EXPIRED') {
    throw signInError(
      'idp-credentials-refused',
      'Okta says the password has expired (PASSWORD_EXPIRED); set a new one at Okta and update the secret'
    )
  }
  if ((step.kind === 'error' || step.kind === 'not-okta') && step.httpStatus >= 500) {
    // The session does not repeat a request that carried the password or a code; nor do we.
    throw signInError(
      'idp-unreachable',
      `Okta answered HTTP ${step.httpStatus} to the ${call} call, which carried a secret, so it is not sent again (a retry could lock the account); run the job again later`
    )
  }
  // Anything else may be an Identity Engine org refusing the classic API: ask the org.
  if ((await pipeline(session, org)) === 'idx') throw identityEngine()
  const what =
    step.kind === 'error'
      ? `HTTP ${step.httpStatus} ${quote(step.code)} ${quote(step.summary)}`
      : step.kind === 'state'
        ? `the state ${quote(step.status)}, which needs a person at a browser`
        : step.kind === 'not-okta'
          ? `HTTP ${step.httpStatus} without an Okta API answer; check that 'idp-url' is an Okta app's embed link`
          : 'an unexpected answer'
  throw signInError('idp-page-not-understood', `Okta's ${call} call answered ${what}`)
}

/** The org's pipeline, or undefined when it does not say (older orgs, a proxy in the way). */
async function pipeline(session: IdpSession, org: URL): Promise<string | undefined> {
  try {
    const answer = await session.request(new URL('/.well-known/okta-organization', org), {
      headers: { accept: 'application/json' }
    })
    return readPipeline(answer.status, answer.body)
  } catch {
    return undefined
  }
}

function identityEngine(): Error {
  return signInError(
    'idp-unsupported',
    "The Okta org runs Identity Engine (pipeline \"idx\"), which does not offer the classic authn API (/api/v1/authn) that 'idp-provider: okta' uses; its sign-in widget needs a browser. Fetch the assertion another way and pass it as 'saml-assertion'"
  )
}

function maskTokens(step: AuthnStep, session: IdpSession): void {
  if (step.kind === 'success') session.mask(step.sessionToken)
  if ((step.kind === 'mfa' || step.kind === 'state') && step.stateToken) {
    session.mask(step.stateToken)
  }
}
