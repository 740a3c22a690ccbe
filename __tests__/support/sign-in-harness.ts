/**
 * Signs in at an IdP fake through the real sign-in engine (src/idp/sign-in.ts: the session, its
 * cookie jar and the provider), and checks what came back: the SAMLResponse through the
 * project's own decoder and parser, or the error's message against every secret in play.
 */
import { expect } from 'vitest'
import { SignInError } from '../../src/errors/run-errors.js'
import type { IdpProviderName } from '../../src/idp/provider.js'
import { signIn } from '../../src/idp/sign-in.js'
import { decodeAssertion } from '../../src/saml/assertion-decoder.js'
import { parseSamlResponse, type SamlResponseInfo } from '../../src/saml/saml-parser.js'
import { currentOtp, type FakeIdp, type FakeUser } from './idp-fakes/fake-server.js'
import { createTestIdp, type TestIdp } from './test-idp.js'

export const ALICE = { username: 'alice@example.com', password: 'correct horse battery staple' }

/** One TestIdp for the fakes of a test file (its certificate signs every Response). */
export const fakeSigner: TestIdp = createTestIdp()

export interface SignInAttempt {
  saml?: string
  info?: SamlResponseInfo
  error?: SignInError
  /** Every value the engine registered as a secret, in order. */
  masked: string[]
  log: string[]
}

export async function signInAt(
  fake: FakeIdp,
  provider: IdpProviderName,
  credentials: { username: string; password: string; otpSecret?: string },
  startUrl = fake.startUrl
): Promise<SignInAttempt> {
  const masked: string[] = []
  const log: string[] = []
  const attempt: SignInAttempt = { masked, log }
  try {
    attempt.saml = await signIn(
      { provider, url: new URL(startUrl), timeoutMs: 10_000, ...credentials },
      { mask: values => masked.push(...values), info: line => log.push(line), env: {} }
    )
    attempt.info = parseSamlResponse(decodeAssertion(attempt.saml).xml)
  } catch (error) {
    if (!(error instanceof SignInError)) throw error
    attempt.error = error
  }
  return attempt
}

/** The secrets of a sign-in: the password, the seed, every code of the last minute, the IdP's tokens. */
export function secretsOf(fake: FakeIdp, user: FakeUser, attemptSeed?: string): string[] {
  const secrets = [user.password, ...fake.stats.secrets]
  for (const seed of [user.otpSecret, attemptSeed]) {
    if (seed !== undefined) secrets.push(seed, ...otpWindow(seed))
  }
  return secrets
}

/** No secret shows up in the text (an error message, a log). */
export function expectNoSecretIn(text: string, secrets: string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret)
}

/** Every token and cookie the fake handed out was registered as a secret (within a masked value). */
export function expectAllMasked(fake: FakeIdp, masked: string[]): void {
  for (const secret of fake.stats.secrets) {
    expect(
      masked.some(value => value.includes(secret)),
      `unmasked ${secret}`
    ).toBe(true)
  }
}

/** The codes of the previous, current and next 30-second step. */
function otpWindow(seed: string): string[] {
  const codes: string[] = []
  for (const offset of [-30_000, 0, 30_000]) codes.push(currentOtp(seed, Date.now() + offset))
  return codes
}

/** The role ARNs of the Response, as the parser reads them. */
export function rolesOf(info: SamlResponseInfo | undefined): string[] {
  return (info?.roleValues ?? []).map(value => value.split(',')[0]!.trim())
}
