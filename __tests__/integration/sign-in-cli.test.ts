/**
 * The CLI's sign-in (runCli in process) against the Keycloak fake and the strict STS emulator:
 * the password only from SAML_ASSUME_ROLE_IDP_PASSWORD or standard input, the TOTP seed only from
 * SAML_ASSUME_ROLE_IDP_OTP_SECRET, neither ever from argv; a failed sign-in exits 6 with no STS
 * request. (credential_process through the real AWS CLI: __tests__/e2e/simplesamlphp.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, runCli } from '../../src/cli/cli.js'
import { newOtpSecret, type FakeIdp } from '../support/idp-fakes/fake-server.js'
import { startKeycloak } from '../support/idp-fakes/keycloak.js'
import {
  DEMO_ROLE_PAIRS,
  DEMO_ROLES,
  startDemoWorld,
  type DemoWorld
} from '../support/sts-emulator.js'

const user = {
  username: 'alice@example.com',
  password: 'cli password with spaces',
  roles: DEMO_ROLE_PAIRS
}

let world: DemoWorld
let fake: FakeIdp | undefined
beforeAll(async () => {
  world = await startDemoWorld()
})
afterAll(() => world.close())
afterEach(async () => {
  await fake?.close()
  fake = undefined
  world.emulator.reset()
})

async function cli(
  args: string[],
  env: Record<string, string> = {},
  stdin = ''
): Promise<{ code: number; stdout: string; stderr: string; stdinRead: boolean }> {
  let stdout = ''
  let stderr = ''
  let stdinRead = false
  const code = await runCli(args, {
    stdout: text => (stdout += text),
    stderr: text => (stderr += text),
    readStdin: () => {
      stdinRead = true
      return stdin
    },
    env,
    version: 'test'
  })
  return { code, stdout, stderr, stdinRead }
}

const signInArgs = (startUrl: string): string[] => [
  '--idp-url',
  startUrl,
  '--idp-username',
  user.username,
  '--role-arn',
  DEMO_ROLES.deploy,
  '--sts-endpoint',
  world.emulator.url,
  '--region',
  'eu-west-1',
  '--output',
  'credential-process'
]

describe('saml-assume-role --idp-url', () => {
  it('takes the password from SAML_ASSUME_ROLE_IDP_PASSWORD and prints credentials', async () => {
    fake = await startKeycloak({ idp: world.idp, user })
    const run = await cli(signInArgs(fake.startUrl), {
      SAML_ASSUME_ROLE_IDP_PASSWORD: user.password
    })
    expect(run.stderr).toContain('Signing in at 127.0.0.1:')
    expect(run.code).toBe(EXIT.ok)
    expect(run.stdinRead).toBe(false)
    expect(JSON.parse(run.stdout)).toMatchObject({ Version: 1 })
    expect(fake.stats.passwordPosts).toBe(1)
    expect(world.emulator.requestCount('AssumeRoleWithSAML')).toBe(1)
    expect(run.stderr).not.toContain(user.password)
  })

  it('reads the password from the first line of standard input when the env variable is unset', async () => {
    fake = await startKeycloak({ idp: world.idp, user })
    const run = await cli(signInArgs(fake.startUrl), {}, `${user.password}\nignored\n`)
    expect(run.code).toBe(EXIT.ok)
    expect(run.stdinRead).toBe(true)
    expect(fake.stats.passwordPosts).toBe(1)
  })

  it('takes the TOTP seed from SAML_ASSUME_ROLE_IDP_OTP_SECRET', async () => {
    const withMfa = { ...user, otpSecret: newOtpSecret() }
    fake = await startKeycloak({ idp: world.idp, user: withMfa })
    const run = await cli(signInArgs(fake.startUrl), {
      SAML_ASSUME_ROLE_IDP_PASSWORD: withMfa.password,
      SAML_ASSUME_ROLE_IDP_OTP_SECRET: withMfa.otpSecret
    })
    expect(run.stderr).not.toContain('saml-assume-role:')
    expect(run.code).toBe(EXIT.ok)
    expect(fake.stats.otpPosts).toBe(1)
  })

  it.each([
    ['--idp-password', 'SAML_ASSUME_ROLE_IDP_PASSWORD or pipe the password on standard input'],
    ['--idp-otp-secret', 'SAML_ASSUME_ROLE_IDP_OTP_SECRET']
  ])('refuses %s on the command line, where ps shows it', async (option, where) => {
    fake = await startKeycloak({ idp: world.idp, user })
    const run = await cli([...signInArgs(fake.startUrl), option, 'JBSWY3DPEHPK3PXP'])
    expect(run.code).toBe(EXIT.usage)
    expect(run.stderr).toContain(`${option} is not accepted: the command line is visible`)
    expect(run.stderr).toContain(where)
    expect(run.stderr).not.toContain('JBSWY3DPEHPK3PXP')
    expect(fake.stats.requests).toEqual([])
  })

  it('exits 6 on a refused password, after one password request and no STS request', async () => {
    fake = await startKeycloak({ idp: world.idp, user })
    const run = await cli(signInArgs(fake.startUrl), {
      SAML_ASSUME_ROLE_IDP_PASSWORD: 'not the password'
    })
    expect(run.code).toBe(EXIT['sign-in'])
    expect(run.code).toBe(6)
    expect(run.stderr).toContain('saml-assume-role: The IdP refused the username or password')
    expect(run.stderr).toContain('"Invalid username or password."')
    expect(run.stderr).not.toContain('not the password')
    expect(run.stdout).toBe('')
    expect(fake.stats.passwordPosts).toBe(1)
    expect(world.emulator.requestCount()).toBe(0)
  })

  it('words input messages for the CLI: the env variable, not the input', async () => {
    fake = await startKeycloak({ idp: world.idp, user })
    const run = await cli(signInArgs(fake.startUrl), {
      SAML_ASSUME_ROLE_IDP_PASSWORD: user.password,
      SAML_ASSUME_ROLE_IDP_OTP_SECRET: 'not base32 1'
    })
    expect(run.code).toBe(EXIT.usage)
    expect(run.stderr).toContain(
      'the env variable SAML_ASSUME_ROLE_IDP_OTP_SECRET is not a base32 TOTP seed'
    )
  })
})
