/**
 * Answers that are not STS (a captive portal, a misrouted proxy, another service) are never
 * retried: each retry would replay the assertion, a bearer token, to whatever answered.
 */
import { describe, expect, it } from 'vitest'
import type { StsEmulator } from '../support/sts-emulator.js'
import { useInProcessRunner } from '../support/in-process.js'

const { world, runWith } = useInProcessRunner()
const sts = (): StsEmulator => world().emulator

const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/'

describe('answers that are not STS', () => {
  it.each([
    [
      '200 with an HTML page',
      { status: 200, body: '<!doctype html><html><body>Sign in to the Wi-Fi</body></html>' }
    ],
    [
      '200 with an ErrorResponse',
      {
        status: 200,
        contentType: 'text/xml',
        body: `<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>`
      }
    ],
    [
      '200 without Credentials',
      {
        status: 200,
        contentType: 'text/xml',
        body: `<AssumeRoleWithSAMLResponse xmlns="${STS_XMLNS}"><AssumeRoleWithSAMLResult></AssumeRoleWithSAMLResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleWithSAMLResponse>`
      }
    ],
    [
      'a 302 redirect',
      {
        status: 302,
        body: '<html><body>Moved</body></html>',
        headers: { location: 'https://portal.example.test/login' }
      }
    ],
    [
      '200 with a plain-text body',
      { status: 200, contentType: 'text/plain', body: 'upstream connect error or disconnect' }
    ]
  ])('%s: one request, no retry, nothing exported', async (_, answer) => {
    sts().inject({ kind: 'answer', times: 6, ...answer })
    const run = await runWith({})
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(1)
    expect(run.info.filter(line => line.includes('retrying'))).toEqual([])
    expect(run.error).toMatch(/STS sent a response that could not be read/)
    expect(run.env).toEqual({})
  })

  it('a 502 from a proxy is a server error and still retried', async () => {
    sts().inject({ kind: 'answer', times: 1, status: 502, body: '<html>Bad Gateway</html>' })
    const run = await runWith({})
    expect(run.error).toBeUndefined()
    expect(sts().requestCount('AssumeRoleWithSAML')).toBe(2)
  })
})
