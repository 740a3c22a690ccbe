/**
 * Interop with a second, independent STS implementation: moto's server. moto checks no signature
 * or expiry, so this proves wire compatibility, not strictness (the emulator covers that): the
 * built action redeems an assertion there and the credentials it exports answer GetCallerIdentity.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestIdp } from '../support/test-idp.js'
import { maskViolations, runAction } from '../support/harness.js'
import { motoAvailable, startMoto } from '../support/moto.js'

describe.skipIf(!motoAvailable)('dist/index.js against moto_server', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>
  let endpoint: string

  beforeAll(async () => {
    moto = await startMoto()
    endpoint = moto.url
  })
  afterAll(() => moto?.stop())

  it('redeems the assertion, and the exported credentials answer GetCallerIdentity', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/Deploy'
    const { base64 } = createTestIdp().issue({
      roles: [{ roleArn, principalArn: 'arn:aws:iam::123456789012:saml-provider/TestIdP' }]
    })
    const run = await runAction('dist/index.js', {
      'saml-assertion': base64,
      'sts-endpoint': endpoint,
      'aws-region': 'us-east-1'
    })
    expect(run.stdout).not.toContain('::error::')
    expect(run.code).toBe(0)
    expect(run.outputs['aws-account-id']).toBe('123456789012')
    expect(run.outputs['assumed-role-arn']).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/Deploy\//
    )
    expect(
      maskViolations(run.stdout, {
        assertion: base64,
        key: run.env.AWS_ACCESS_KEY_ID!,
        secret: run.env.AWS_SECRET_ACCESS_KEY!,
        token: run.env.AWS_SESSION_TOKEN!
      })
    ).toEqual([])

    const client = new STSClient({
      region: run.env.AWS_REGION!,
      endpoint,
      credentials: {
        accessKeyId: run.env.AWS_ACCESS_KEY_ID!,
        secretAccessKey: run.env.AWS_SECRET_ACCESS_KEY!,
        sessionToken: run.env.AWS_SESSION_TOKEN!
      }
    })
    const identity = await client.send(new GetCallerIdentityCommand({}))
    expect(identity.Account).toBe('123456789012')
    expect(identity.Arn).toBe(run.outputs['assumed-role-arn'])
  })
})
