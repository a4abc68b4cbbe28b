import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { totpFromUri } from '../../../test/totp.ts'
import { createUser } from './users.ts'

const PASSWORD = 'two factor test password'
const origin = 'http://127.0.0.1:3000'

function cookies(setCookie: string | string[] | undefined): string {
  return ([] as string[])
    .concat(setCookie ?? [])
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='))
    .join('; ')
}

describe('two-factor sign-in (TOTP)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({
      start: false,
      env: { SIGNIN_RATE_LIMIT_PER_MINUTE: '1000', REQUIRE_2FA_FOR_ADMINS: 'true' },
    })
    await createUser(
      t.ctx,
      { email: 'root@example.com', name: 'Root', role: 'admin', password: PASSWORD },
      { type: 'system', id: 'test' },
    )
  })
  afterAll(() => t.close())

  const signIn = () =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: 'root@example.com', password: PASSWORD },
    })

  it('enrols, then asks for the code at sign-in, and an admin acts as admin only with it', async () => {
    const first = await signIn()
    const session = cookies(first.headers['set-cookie'])
    // required for admins: without 2FA this admin is a viewer
    const me = (await t.app.inject({ url: '/api/me', headers: { cookie: session } })).json()
    expect(me).toMatchObject({ role: 'viewer', restriction: expect.stringContaining('two-factor') })
    expect((await t.app.inject({ url: '/api/users', headers: { cookie: session } })).statusCode).toBe(403)

    const enable = await t.app.inject({
      method: 'POST',
      url: '/api/auth/two-factor/enable',
      headers: { cookie: session, origin },
      payload: { password: PASSWORD },
    })
    expect(enable.statusCode).toBe(200)
    const { totpURI, backupCodes } = enable.json()
    expect(totpURI).toMatch(/^otpauth:\/\/totp\/Sentia/)
    expect(backupCodes).toHaveLength(10)
    const confirm = await t.app.inject({
      method: 'POST',
      url: '/api/auth/two-factor/verify-totp',
      headers: { cookie: session, origin },
      payload: { code: totpFromUri(totpURI) },
    })
    expect(confirm.statusCode).toBe(200)

    const challenge = await signIn()
    expect(challenge.statusCode).toBe(200)
    expect(challenge.json()).toMatchObject({ twoFactorRedirect: true })
    const challengeCookie = cookies(challenge.headers['set-cookie'])
    expect(challengeCookie).toContain('two_factor')
    expect(challengeCookie).not.toContain('session_token')

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/two-factor/verify-totp',
      headers: { cookie: challengeCookie, origin },
      payload: { code: '000000' === totpFromUri(totpURI) ? '111111' : '000000' },
    })
    expect(wrong.statusCode).toBe(401)

    const verified = await t.app.inject({
      method: 'POST',
      url: '/api/auth/two-factor/verify-totp',
      headers: { cookie: challengeCookie, origin },
      payload: { code: totpFromUri(totpURI) },
    })
    expect(verified.statusCode).toBe(200)
    const full = cookies(verified.headers['set-cookie'])
    expect((await t.app.inject({ url: '/api/me', headers: { cookie: full } })).json()).toMatchObject({
      role: 'admin',
    })
    expect((await t.app.inject({ url: '/api/users', headers: { cookie: full } })).statusCode).toBe(200)

    const logins = await t.ctx.db
      .selectFrom('audit_logs')
      .select('new_values')
      .where('action', '=', 'login')
      .execute()
    expect(
      logins.some((l) => (l.new_values as { secondFactor?: string } | null)?.secondFactor === 'totp'),
    ).toBe(true)
    const failed = await t.ctx.db
      .selectFrom('security_events')
      .select('subject')
      .where('kind', '=', 'login_failed')
      .execute()
    expect(failed.map((f) => f.subject)).toContain('second factor')
  })
})
