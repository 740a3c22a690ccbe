/**
 * An IdP whose error text echoes what was typed: the refused password (or username:password) in
 * its error box, in a SOAP Fault, in Okta's errorSummary. The sign-in cuts every registered secret
 * out of its errors in one place (src/idp/sign-in.ts), so neither the CLI's stderr (which masks
 * nothing) nor the action's failure message carries it, in any form a message quotes it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../src/cli/cli.js'
import {
  escapeHtml,
  html,
  newStats,
  startFakeServer,
  type FakeHandler
} from '../support/idp-fakes/fake-server.js'
import { useInProcessRunner } from '../support/in-process.js'
import { signInAt } from '../support/sign-in-harness.js'
import { DEMO_ROLES } from '../support/sts-emulator.js'

const USERNAME = 'alice@example.com'
/** Characters that JSON, XML and URL encodings all change. */
const PASSWORD = 'p4ss "quoted" <b> & 100%'

/** Every form in which a message could carry the password. */
const FORMS = [
  PASSWORD,
  JSON.stringify(PASSWORD).slice(1, -1),
  escapeHtml(PASSWORD),
  encodeURIComponent(PASSWORD),
  'p4ss \\"quoted\\"',
  'p4ss "quoted"'
]

function expectNoPassword(text: string): void {
  for (const form of FORMS) expect(text).not.toContain(form)
  // Nor a piece of it, with spaces put in or taken out (a page's text is read in pieces).
  expect(text).not.toContain('p4ss')
  expect(text.replace(/\s/g, '')).not.toContain('quoted\\"<b>&100%')
}

const { world, runWith } = useInProcessRunner()

let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
  close = undefined
})

/** A login form whose error box repeats the username and password it was sent. */
async function echoingFormIdp(): Promise<{ url: string; stats: ReturnType<typeof newStats> }> {
  const stats = newStats()
  const page = (error: string): string =>
    '<html><head><title>Sign in</title></head><body>' +
    (error ? `<div class="alert alert-error">${escapeHtml(error)}</div>` : '') +
    '<form method="post" action="/login">' +
    '<input name="username" type="text"><input name="password" type="password">' +
    '<button type="submit" name="login">Sign in</button></form></body></html>'
  const handler: FakeHandler = (req, res) => {
    if (req.method === 'POST') {
      stats.passwordPosts++
      const user = req.form.get('username') ?? ''
      const password = req.form.get('password') ?? ''
      html(res, page(`Invalid credentials ${user}:${password} (you typed "${password}")`))
      return
    }
    html(res, page(''))
  }
  const server = await startFakeServer(handler, stats)
  close = server.close
  return { url: `${server.origin}/login`, stats }
}

/** An ECP endpoint whose SOAP Fault repeats the Basic credentials, XML-escaped. */
async function echoingEcpIdp(): Promise<{ url: string; stats: ReturnType<typeof newStats> }> {
  const stats = newStats()
  const handler: FakeHandler = (req, res) => {
    stats.passwordPosts++
    const basic = Buffer.from(
      (req.headers.authorization ?? '').replace(/^Basic /, ''),
      'base64'
    ).toString('utf8')
    res.writeHead(500, { 'content-type': 'text/xml' })
    res.end(
      '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>' +
        `<faultcode>S:Client</faultcode><faultstring>Authentication failed for ${escapeHtml(basic)}</faultstring>` +
        '</S:Fault></S:Body></S:Envelope>'
    )
  }
  const server = await startFakeServer(handler, stats)
  close = server.close
  return { url: `${server.origin}/ecp`, stats }
}

describe('an IdP that echoes the password in its error text', () => {
  it('form: the refusal quotes the error box with the password cut out, sent once', async () => {
    const idp = await echoingFormIdp()
    const attempt = await signInAt(
      { startUrl: idp.url } as Parameters<typeof signInAt>[0],
      'form',
      { username: USERNAME, password: PASSWORD }
    )
    expect(attempt.error?.code).toBe('idp-credentials-refused')
    const message = attempt.error!.message
    expect(message).toContain(`Invalid credentials ${USERNAME}:***`)
    expectNoPassword(message)
    expectNoPassword(attempt.log.join('\n'))
    expect(idp.stats.passwordPosts).toBe(1)
  })

  it('ecp: a SOAP Fault repeating username:password (XML-escaped) is cut too', async () => {
    const idp = await echoingEcpIdp()
    const attempt = await signInAt({ startUrl: idp.url } as Parameters<typeof signInAt>[0], 'ecp', {
      username: USERNAME,
      password: PASSWORD
    })
    expect(attempt.error?.code).toBe('idp-credentials-refused')
    expect(attempt.error!.message).toContain(`Authentication failed for ${USERNAME}:***`)
    expectNoPassword(attempt.error!.message)
    expect(idp.stats.passwordPosts).toBe(1)
  })

  it('CLI: stderr never carries the password, though nothing masks it there', async () => {
    const idp = await echoingFormIdp()
    let stdout = ''
    let stderr = ''
    const code = await runCli(
      [
        '--idp-url',
        idp.url,
        '--idp-username',
        USERNAME,
        '--role-arn',
        DEMO_ROLES.deploy,
        '--sts-endpoint',
        world().emulator.url,
        '--region',
        'eu-west-1',
        '--output',
        'credential-process'
      ],
      {
        stdout: text => (stdout += text),
        stderr: text => (stderr += text),
        readStdin: () => '',
        env: { SAML_ASSUME_ROLE_IDP_PASSWORD: PASSWORD },
        version: 'test'
      }
    )
    expect(code).toBe(EXIT['sign-in'])
    expect(stderr).toContain('saml-assume-role: The IdP refused the username or password')
    expect(stderr).toContain('***')
    expectNoPassword(stderr)
    expect(stdout).toBe('')
    expect(idp.stats.passwordPosts).toBe(1)
    expect(world().emulator.requestCount()).toBe(0)
  })

  it('action: the failure message carries no password either (not only masked by the runner)', async () => {
    const idp = await echoingFormIdp()
    const result = await runWith({
      'saml-assertion': '',
      'idp-url': idp.url,
      'idp-username': USERNAME,
      'idp-password': PASSWORD,
      'role-arn': DEMO_ROLES.deploy
    })
    expect(result.error).toContain('The IdP refused the username or password')
    expectNoPassword(result.error!)
    const printed = result.stdout.filter(line => !line.startsWith('::add-mask::')).join('\n')
    expectNoPassword(printed)
    expect(idp.stats.passwordPosts).toBe(1)
    expect(world().emulator.requestCount()).toBe(0)
  })
})
