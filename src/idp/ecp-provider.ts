import { randomBytes } from 'node:crypto'
import { isAwsSignInEndpoint } from './form-provider.js'
import { withoutQuery } from './idp-session.js'
import type { SignInProvider } from './provider.js'
import { signInError } from './sign-in-error.js'
import { isSoapEnvelope } from '../saml/ecp-envelope.js'
import { quote } from '../util/log-safety.js'

/** AWS as the SAML service provider: its entity ID and where its assertions are consumed. */
export const AWS_SP_ENTITY_ID = 'urn:amazon:webservices'
export const AWS_ACS_URL = 'https://signin.aws.amazon.com/saml'

const PAOS_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:PAOS'

/**
 * The SAML 2.0 ECP profile: the AuthnRequest AWS would send, in a SOAP envelope, posted to the
 * IdP's ECP endpoint with HTTP Basic credentials. No HTML. The IdP answers with a SOAP envelope
 * around the Response; that envelope is returned (base64) as it came, and the assertion decoder
 * takes the Response's exact bytes out of it, so that concern lives in one place.
 */
export const ecpProvider: SignInProvider = async (settings, session) => {
  const response = await session.request(settings.url, {
    method: 'POST',
    headers: {
      'content-type': 'text/xml; charset=utf-8',
      accept: 'text/xml, application/vnd.paos+xml',
      soapaction: 'http://www.oasis-open.org/committees/security',
      paos: 'ver="urn:liberty:paos:2003-08";"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"'
    },
    body: authnRequestEnvelope(new Date()),
    basicAuth: { username: settings.username, password: settings.password },
    carriesSecret: true
  })
  const where = quote(withoutQuery(response.url))
  if (response.status === 401 || response.status === 403) {
    throw signInError('idp-credentials-refused', `${where} answered HTTP ${response.status}`)
  }
  const body = response.body.trim()
  if (!isSoapEnvelope(body)) {
    // SimpleSAMLphp answers a wrong ECP password with its HTML error page (WRONGUSERPASS).
    if (/WRONGUSERPASS|incorrect username or password|wrong username or password/i.test(body)) {
      throw signInError(
        'idp-credentials-refused',
        `${where} answered HTTP ${response.status} with its error page`
      )
    }
    if (response.status === 404 || response.status === 405) {
      throw signInError(
        'idp-unsupported',
        `${where} answered HTTP ${response.status}: it is no ECP endpoint`
      )
    }
    throw signInError(
      'idp-page-not-understood',
      `${where} answered HTTP ${response.status} (${quote(response.headers.get('content-type') ?? 'no content type')}), not a SOAP envelope; is 'idp-url' the ECP endpoint (for SimpleSAMLphp .../saml2/idp/SSOService.php, for Shibboleth .../profile/SAML2/SOAP/ECP)?`
    )
  }
  const fault = /<([\w.-]+:)?Fault[\s>]/.test(body)
  if (fault) {
    const text = /<faultstring[^>]*>([^<]*)</.exec(body)?.[1]?.trim() ?? ''
    throw signInError(
      /auth|password|credential|login/i.test(text)
        ? 'idp-credentials-refused'
        : 'idp-no-saml-response',
      `the IdP answered with a SOAP Fault${text ? ` ${quote(text)}` : ''}`
    )
  }
  // The Response's own status comes first; an assertion's nested status would come later.
  const status = /<([\w.-]+:)?StatusCode\b[^>]*\bValue="([^"]+)"/.exec(body)?.[2] ?? ''
  if (status !== '' && !status.endsWith(':Success')) {
    const message = /<([\w.-]+:)?StatusMessage>([^<]*)</.exec(body)?.[2]?.trim() ?? ''
    throw signInError(
      /WRONGUSERPASS|password|credential|AuthnFailed/i.test(`${status} ${message}`)
        ? 'idp-credentials-refused'
        : 'idp-no-saml-response',
      `the IdP answered with status ${quote(status.replace(/^.*:/, ''))}${message ? ` and ${quote(message)}` : ''}`
    )
  }
  // The ECP profile has the client check where the IdP means the Response to go.
  const acs = /<([\w.-]+:)?Response\b[^>]*\bAssertionConsumerServiceURL="([^"]+)"/.exec(body)?.[2]
  if (acs !== undefined && !isAwsSignInEndpoint(new URL(acs.replace(/&amp;/g, '&')))) {
    throw signInError(
      'idp-no-saml-response',
      `the IdP addressed its Response to ${quote(acs)}, not to AWS; check the AWS application's ACS URL at the IdP`
    )
  }
  if (!body.includes('urn:oasis:names:tc:SAML:2.0:protocol')) {
    throw signInError('idp-no-saml-response', 'the SOAP envelope holds no samlp:Response')
  }
  return Buffer.from(body, 'utf8').toString('base64')
}

/** An unsigned AuthnRequest from AWS's entity ID, asking for the PAOS binding. */
export function authnRequestEnvelope(now: Date): string {
  const id = `_${randomBytes(16).toString('hex')}`
  return (
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>' +
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' +
    ` ID="${id}" Version="2.0" IssueInstant="${now.toISOString().replace(/\.\d+Z$/, 'Z')}"` +
    ` AssertionConsumerServiceURL="${AWS_ACS_URL}" ProtocolBinding="${PAOS_BINDING}">` +
    `<saml:Issuer>${AWS_SP_ENTITY_ID}</saml:Issuer>` +
    '<samlp:NameIDPolicy AllowCreate="true"/>' +
    '</samlp:AuthnRequest></S:Body></S:Envelope>'
  )
}
