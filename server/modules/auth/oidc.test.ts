import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { freePort } from '../../../test/instance.ts'
import { Browser, IDP_CLIENT, startIdp } from '../../../test/oidc.ts'
import { createUser } from './users.ts'

describe('OpenID Connect sign-in against a local provider', () => {
  let t: TestApp
  let idp: Awaited<ReturnType<typeof startIdp>>
  let appUrl: string
  beforeAll(async () => {
    const port = await freePort()
    appUrl = `http://127.0.0.1:${port}`
    idp = await startIdp(`${appUrl}/api/auth/callback/oidc`)
    t = await buildTestApp({
      start: false,
      env: {
        PUBLIC_URL: appUrl,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: IDP_CLIENT.id,
        OIDC_CLIENT_SECRET: IDP_CLIENT.secret,
        OIDC_NAME: 'Company login',
      },
    })
    await t.app.listen({ host: '127.0.0.1', port })
  })
  afterAll(async () => {
    await t.close()
    await idp.close()
  })

  it('tells the sign-in page that single sign-on is available', async () => {
    const config = (await t.app.inject({ url: '/api/auth-config' })).json()
    expect(config).toEqual({
      password: true,
      oidc: { enabled: true, name: 'Company login', providerId: 'oidc' },
    })
  })

  it('signs a person in through the provider and records it', async () => {
    const browser = new Browser()
    const landed = await browser.signInWithOidc(appUrl, 'alice')
    expect(landed).toBe(`${appUrl}/`)
    const me = await fetch(`${appUrl}/api/me`, { headers: { cookie: browser.jar(appUrl).header() } })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ kind: 'user', role: 'viewer', label: 'alice@example.com' })
    const user = await t.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'alice@example.com')
      .executeTakeFirstOrThrow()
    const login = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'login')
      .where('actor_id', '=', user.id)
      .execute()
    expect(login).toHaveLength(1)
  })

  it('refuses a disabled account at the callback', async () => {
    await createUser(
      t.ctx,
      { email: 'dave@example.com', name: 'Dave', role: 'viewer', password: 'a long enough password' },
      { type: 'system', id: 'test' },
    )
    await t.ctx.db
      .updateTable('users')
      .set({ disabled: true })
      .where('email', '=', 'dave@example.com')
      .execute()
    const browser = new Browser()
    const landed = await browser.signInWithOidc(appUrl, 'dave')
    expect(landed).toContain('/sign-in-error')
    expect(landed).toContain('error=ACCOUNT_DISABLED')
    const events = await t.ctx.db
      .selectFrom('security_events')
      .select('subject')
      .where('kind', '=', 'login_failed')
      .execute()
    expect(events.map((e) => e.subject)).toContain('single sign-on')
  })

  it('reports single sign-on as off when it is not configured', async () => {
    const plain = await buildTestApp({ start: false })
    try {
      expect((await plain.app.inject({ url: '/api/auth-config' })).json()).toEqual({
        password: true,
        oidc: { enabled: false },
      })
    } finally {
      await plain.close()
    }
  })
})
