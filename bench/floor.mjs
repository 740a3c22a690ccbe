// The floor for `npm run bench`: the least any Node action must do for the same result. Bare Node
// start-up, one raw HTTP POST of the AssumeRoleWithSAML form body to the same endpoint, and one
// write of the keys to GITHUB_ENV. No validation, no retries, no masking, no SDK.
// It imports node:http as an ES module would; with BENCH_FLOOR_NO_FACADE=1 it takes the built-ins
// with process.getBuiltinModule instead, as the action's bundle does (a context row: importing
// node:http builds a facade that loads undici).
/* global process, Buffer, console, URLSearchParams */
const noFacade = process.env.BENCH_FLOOR_NO_FACADE === '1'
const { appendFileSync } = noFacade ? process.getBuiltinModule('node:fs') : await import('node:fs')
const { request } = noFacade ? process.getBuiltinModule('node:http') : await import('node:http')

const env = process.env
const body = new URLSearchParams({
  Action: 'AssumeRoleWithSAML',
  Version: '2011-06-15',
  RoleArn: env['INPUT_ROLE-ARN'] ?? '',
  PrincipalArn: env.BENCH_PRINCIPAL_ARN ?? '',
  SAMLAssertion: env['INPUT_SAML-ASSERTION'] ?? '',
  DurationSeconds: '3600'
}).toString()

const req = request(
  env['INPUT_STS-ENDPOINT'] ?? '',
  {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'content-length': Buffer.byteLength(body)
    }
  },
  res => {
    let xml = ''
    res.setEncoding('utf8')
    res.on('data', chunk => (xml += chunk))
    res.on('end', () => {
      /** @param {string} tag */
      const value = tag => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1] ?? ''
      if (res.statusCode !== 200) {
        console.error(`STS answered ${res.statusCode}`)
        process.exitCode = 1
        return
      }
      appendFileSync(
        env.GITHUB_ENV ?? '',
        `AWS_ACCESS_KEY_ID=${value('AccessKeyId')}\n` +
          `AWS_SECRET_ACCESS_KEY=${value('SecretAccessKey')}\n` +
          `AWS_SESSION_TOKEN=${value('SessionToken')}\n`
      )
    })
  }
)
req.on('error', error => {
  console.error(error.message)
  process.exitCode = 1
})
req.end(body)
