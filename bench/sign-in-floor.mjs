// The floor for the sign-in rows of `npm run bench`: the same HTTP requests the action makes to
// sign in at SimpleSAMLphp and redeem the assertion, made by a bare script. Form: GET the sign-on
// URL (and its redirect, keeping the cookie), POST the login form, take the SAMLResponse. ECP: one
// SOAP POST with HTTP Basic, the Response cut out of the envelope. Then one raw AssumeRoleWithSAML
// POST and one write to GITHUB_ENV. No validation, no retries, no masking, no HTML parser, no SDK.
/* global process, Buffer, console, URLSearchParams, URL */
import { appendFileSync } from 'node:fs'
import { request } from 'node:http'

const env = process.env
const cookies = new Map()

/**
 * @param {string | URL} url
 * @param {string} [method]
 * @param {string} [body]
 * @param {Record<string, string>} [headers]
 * @returns {Promise<{ status: number, location: string | undefined, body: string }>}
 */
function send(url, method = 'GET', body = undefined, headers = {}) {
  return new Promise((resolve, reject) => {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const req = request(
      url,
      {
        method,
        headers: {
          ...headers,
          ...(cookie ? { cookie } : {}),
          ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) })
        }
      },
      res => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const [pair] = line.split(';')
          const at = pair.indexOf('=')
          cookies.set(pair.slice(0, at), pair.slice(at + 1))
        }
        let text = ''
        res.setEncoding('utf8')
        res.on('data', chunk => (text += chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** @param {string} text */
const unescape = text =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#039;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

async function formSignIn() {
  let url = new URL(env['INPUT_IDP-URL'])
  let page = await send(url)
  while (page.location) {
    url = new URL(page.location, url)
    page = await send(url)
  }
  const authState = unescape(/name="AuthState" value="([^"]*)"/.exec(page.body)[1])
  const form = new URLSearchParams({
    username: env['INPUT_IDP-USERNAME'],
    password: env['INPUT_IDP-PASSWORD'],
    AuthState: authState
  }).toString()
  const answer = await send(url, 'POST', form, {
    'content-type': 'application/x-www-form-urlencoded'
  })
  return /name="SAMLResponse" value="([^"]*)"/.exec(answer.body)[1]
}

async function ecpSignIn() {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  const envelope =
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>' +
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"' +
    ` ID="_floor${Date.now()}" Version="2.0" IssueInstant="${now}" AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml"` +
    ' ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:PAOS"><saml:Issuer>urn:amazon:webservices</saml:Issuer>' +
    '</samlp:AuthnRequest></S:Body></S:Envelope>'
  const basic = Buffer.from(`${env['INPUT_IDP-USERNAME']}:${env['INPUT_IDP-PASSWORD']}`).toString(
    'base64'
  )
  const answer = await send(env['INPUT_IDP-URL'], 'POST', envelope, {
    'content-type': 'text/xml',
    authorization: `Basic ${basic}`
  })
  // The Response element, with the namespace declarations SimpleSAMLphp puts on it.
  const xml = /<samlp:Response[\s\S]*<\/samlp:Response>/.exec(answer.body)[0]
  return Buffer.from(xml, 'utf8').toString('base64')
}

try {
  const saml = env.BENCH_FLOW === 'ecp' ? await ecpSignIn() : await formSignIn()
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithSAML',
    Version: '2011-06-15',
    RoleArn: env['INPUT_ROLE-ARN'] ?? '',
    PrincipalArn: env.BENCH_PRINCIPAL_ARN ?? '',
    SAMLAssertion: saml,
    DurationSeconds: '3600'
  }).toString()
  const sts = await send(env['INPUT_STS-ENDPOINT'], 'POST', body, {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8'
  })
  /** @param {string} tag */
  const value = tag => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(sts.body)?.[1] ?? ''
  if (sts.status !== 200) throw new Error(`STS answered ${sts.status}`)
  appendFileSync(
    env.GITHUB_ENV ?? '',
    `AWS_ACCESS_KEY_ID=${value('AccessKeyId')}\n` +
      `AWS_SECRET_ACCESS_KEY=${value('SecretAccessKey')}\n` +
      `AWS_SESSION_TOKEN=${value('SessionToken')}\n`
  )
} catch (error) {
  console.error(error.message)
  process.exitCode = 1
}
