// The IdP fakes must be as strict as the IdPs they stand for, or a lax client would pass the
// sign-in tests against them. Driven with plain fetch (no cookie jar, redirects by hand).
import { afterEach, describe, expect, it } from 'vitest'
import { startAdfs } from './idp-fakes/adfs.js'
import { currentOtp, newOtpSecret, totpAccepts, type FakeIdp } from './idp-fakes/fake-server.js'
import { startKeycloak } from './idp-fakes/keycloak.js'
import { startOkta } from './idp-fakes/okta.js'
import { startShibboleth } from './idp-fakes/shibboleth.js'
import { createTestIdp } from './test-idp.js'

const idp = createTestIdp()
const user = { username: 'alice@example.com', password: 'pw-1' }

let fake: FakeIdp | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

const get = (url: string, cookie = ''): Promise<Response> =>
  fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} })
const post = (url: string, body: Record<string, string>, cookie = ''): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(body).toString()
  })
const cookieOf = (res: Response): string =>
  res.headers
    .getSetCookie()
    .map(c => c.split(';')[0])
    .join('; ')
const attr = (html: string, re: RegExp): string => re.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? ''

describe('TOTP in the fakes', () => {
  it('accepts the current code and one step of drift, and refuses another seed', () => {
    const seed = newOtpSecret()
    expect(totpAccepts(seed, currentOtp(seed))).toBe(true)
    expect(totpAccepts(seed, currentOtp(seed, Date.now() - 30_000))).toBe(true)
    expect(totpAccepts(seed, currentOtp(seed, Date.now() - 120_000))).toBe(false)
  })
})

describe('Keycloak fake', () => {
  it('sets its session cookie on the first 302 and says "Cookie not found" without it', async () => {
    fake = await startKeycloak({ idp, user })
    const first = await get(fake.startUrl)
    expect(first.status).toBe(302)
    expect(cookieOf(first)).toMatch(/AUTH_SESSION_ID=/)
    const next = new URL(first.headers.get('location')!, fake.origin).href
    const without = await get(next)
    expect(without.status).toBe(400)
    expect(await without.text()).toContain('Cookie not found')
    const withCookie = await get(next, cookieOf(first))
    expect(await withCookie.text()).toContain('id="kc-form-login"')
  })
})

describe('Shibboleth fake', () => {
  async function toLoginView(f: FakeIdp): Promise<{ cookie: string; html: string; url: string }> {
    const first = await get(f.startUrl)
    const cookie = cookieOf(first)
    let url = new URL(first.headers.get('location')!, f.origin).href
    const storage = await (await get(url, cookie)).text()
    const csrf = attr(storage, /name="csrf_token" value="([^"]*)"/)
    const proceeded = await post(url, { csrf_token: csrf, _eventId_proceed: '' }, cookie)
    url = new URL(proceeded.headers.get('location')!, f.origin).href
    return { cookie, html: await (await get(url, cookie)).text(), url }
  }

  it('ignores the password without the _eventId_proceed event', async () => {
    fake = await startShibboleth({ idp, user })
    const { cookie, html, url } = await toLoginView(fake)
    const csrf = attr(html, /name="csrf_token" value="([^"]*)"/)
    const res = await post(
      url,
      { csrf_token: csrf, j_username: user.username, j_password: user.password },
      cookie
    )
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('name="j_password"')
    expect(fake.lastSamlResponse()).toBeUndefined()
  })

  it('rejects a POST without the CSRF token of the view', async () => {
    fake = await startShibboleth({ idp, user })
    const { cookie, url } = await toLoginView(fake)
    const res = await post(
      url,
      { j_username: user.username, j_password: user.password, _eventId_proceed: '' },
      cookie
    )
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('CSRF')
  })
})

describe('AD FS fake', () => {
  it('needs AuthMethod=FormsAuthentication with the password', async () => {
    fake = await startAdfs({ idp, user })
    const res = await post(fake.startUrl, { UserName: user.username, Password: user.password })
    expect(res.status).toBe(200)
    expect(fake.stats.passwordPosts).toBe(0)
    expect(fake.lastSamlResponse()).toBeUndefined()
  })
})

describe('Okta fake', () => {
  const authn = (f: FakeIdp, password: string): Promise<Response> =>
    fetch(`${f.origin}/api/v1/authn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: user.username, password })
    })

  it('answers a wrong password with 401 E0000004', async () => {
    fake = await startOkta({ idp, user })
    const res = await authn(fake, 'wrong')
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({
      errorCode: 'E0000004',
      errorSummary: 'Authentication failed'
    })
  })

  it('redeems a session token once only', async () => {
    fake = await startOkta({ idp, user })
    const { sessionToken } = (await (await authn(fake, user.password)).json()) as {
      sessionToken: string
    }
    const link = `${fake.startUrl}?sessionToken=${sessionToken}`
    const first = await get(link)
    expect(first.status).toBe(302)
    expect(cookieOf(first)).toMatch(/^sid=/)
    const again = await get(link)
    expect(again.headers.get('location')).toMatch(/^\/login\/login\.htm/)
  })
})
