import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, closeTestContext, createTestContext, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { bootstrapUsers } from './bootstrap.ts'
import { resignCookieHeader } from './secrets.ts'
import { createUser } from './users.ts'

const PASSWORD = 'correct horse battery staple'
const system = { type: 'system' as const, id: 'test' }

function cookieFrom(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []
  return list
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='))
    .join('; ')
}

describe('sign-in with email and password', () => {
  let t: TestApp
  const clock = new TestClock()
  const origin = 'http://127.0.0.1:3000'
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false, env: { SIGNIN_RATE_LIMIT_PER_MINUTE: '1000' } })
    await createUser(
      t.ctx,
      { email: 'Olive@Example.com', name: 'Olive', role: 'operator', password: PASSWORD },
      system,
    )
    await createUser(
      t.ctx,
      { email: 'ada@example.com', name: 'Ada', role: 'admin', password: PASSWORD },
      system,
    )
  })
  afterAll(() => t.close())

  const signIn = (email: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email, password },
      remoteAddress: '192.0.2.20',
    })

  it('signs in, and the session cookie carries the role', async () => {
    const res = await signIn('olive@example.com', PASSWORD)
    expect(res.statusCode).toBe(200)
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])
    expect(setCookie.join('\n')).toMatch(/session_token=.*HttpOnly.*SameSite=Lax/i)
    const cookie = cookieFrom(res.headers['set-cookie'])
    const me = await t.app.inject({ url: '/api/me', headers: { cookie } })
    expect(me.json()).toMatchObject({ kind: 'user', role: 'operator', label: 'olive@example.com' })
    expect((await t.app.inject({ url: '/api/metrics', headers: { cookie } })).statusCode).toBe(200)
    expect((await t.app.inject({ url: '/api/api-keys', headers: { cookie } })).statusCode).toBe(403)
    const audit = await t.ctx.db.selectFrom('audit_logs').selectAll().where('action', '=', 'login').execute()
    expect(audit.at(-1)).toMatchObject({ actor_type: 'user', ip: '192.0.2.20' })
  })

  it('answers an unknown email and a wrong password the same way', async () => {
    const unknown = await signIn('nobody@example.com', PASSWORD)
    const wrong = await signIn('ada@example.com', 'not the password at all')
    expect(unknown.statusCode).toBe(401)
    expect(wrong.statusCode).toBe(401)
    expect(unknown.json()).toEqual(wrong.json())
    expect(wrong.json().error.code).toBe('INVALID_EMAIL_OR_PASSWORD')
    const events = await t.ctx.db
      .selectFrom('security_events')
      .selectAll()
      .where('kind', '=', 'login_failed')
      .execute()
    expect(events.map((e) => e.subject)).toEqual(
      expect.arrayContaining(['nobody@example.com', 'ada@example.com']),
    )
  })

  it('locks an account after repeated failures, names the unlock time, and unlocks after it', async () => {
    for (let i = 0; i < 4; i++)
      expect((await signIn('ada@example.com', `wrong password ${i}`)).statusCode).toBe(401)
    // ada failed once in the previous test: this is the fifth failure within the window
    const locked = await signIn('ada@example.com', PASSWORD)
    expect(locked.statusCode).toBe(423)
    const until = new Date(clock.ms() + 15 * 60_000).toISOString()
    expect(locked.json().error).toEqual({
      code: 'ACCOUNT_LOCKED',
      message: `Too many failed sign-ins: this account is locked until ${until}.`,
    })
    clock.advance(15 * 60_000)
    expect((await signIn('ada@example.com', PASSWORD)).statusCode).toBe(200)
    const failures = await t.ctx.db
      .selectFrom('audit_logs')
      .select('new_values')
      .where('action', '=', 'login_failed')
      .execute()
    expect(failures.some((f) => (f.new_values as { lockedUntil?: string }).lockedUntil === until)).toBe(true)
  })

  it('refuses cookie-authenticated changes from another origin (CSRF) and allows them from the app', async () => {
    const cookie = cookieFrom((await signIn('ada@example.com', PASSWORD)).headers['set-cookie'])
    const put = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'PUT',
        url: '/api/admin/log-level',
        headers: { cookie, ...headers },
        payload: { level: 'info' },
      })
    expect((await put({})).statusCode).toBe(403)
    expect((await put({ origin: 'https://evil.example' })).statusCode).toBe(403)
    expect((await put({ origin })).statusCode).toBe(200)
  })

  it('signs out on the server: the old cookie stops working', async () => {
    const cookie = cookieFrom((await signIn('olive@example.com', PASSWORD)).headers['set-cookie'])
    const before = await t.ctx.db.selectFrom('sessions').select('id').execute()
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie, origin },
      payload: {},
    })
    expect(out.statusCode).toBe(200)
    const after = await t.ctx.db.selectFrom('sessions').select('id').execute()
    expect(after.length).toBe(before.length - 1)
    expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(401)
    const logout = await t.ctx.db
      .selectFrom('audit_logs')
      .select('action')
      .where('action', '=', 'logout')
      .execute()
    expect(logout).toHaveLength(1)
  })

  it('refuses a disabled account', async () => {
    await createUser(
      t.ctx,
      { email: 'gone@example.com', name: 'Gone', role: 'viewer', password: PASSWORD },
      system,
    )
    await t.ctx.db
      .updateTable('users')
      .set({ disabled: true })
      .where('email', '=', 'gone@example.com')
      .execute()
    const res = await signIn('gone@example.com', PASSWORD)
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('ACCOUNT_DISABLED')
  })

  it.each([
    ['not json', 'application/json'],
    [JSON.stringify({ email: 42, password: [] }), 'application/json'],
    [JSON.stringify({ email: 'x'.repeat(10_000), password: 'y' }), 'application/json'],
    [JSON.stringify({ email: '\u0000\u202e@example.com', password: '\ud800' }), 'application/json'],
  ])('answers bad sign-in input %# with a 4xx error, never 500', async (payload, type) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload,
      headers: { 'content-type': type },
    })
    expect(res.statusCode).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
    expect(res.json().error.code).toBeTruthy()
  })

  it('still accepts API keys alongside sessions', async () => {
    expect(
      (await t.app.inject({ url: '/api/me', headers: await as(t.ctx, 'manager') })).json(),
    ).toMatchObject({ kind: 'apikey', role: 'manager' })
  })
})

describe('sign-in rate limit', () => {
  it('allows SIGNIN_RATE_LIMIT_PER_MINUTE attempts per address, then answers 429', async () => {
    const t = await buildTestApp({ start: false, env: { SIGNIN_RATE_LIMIT_PER_MINUTE: '3' } })
    try {
      const attempt = (ip: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/sign-in/email',
          remoteAddress: ip,
          payload: { email: 'a@example.com', password: 'wrong password!' },
        })
      for (let i = 0; i < 3; i++) expect((await attempt('192.0.2.30')).statusCode).toBe(401)
      const limited = await attempt('192.0.2.30')
      expect(limited.statusCode).toBe(429)
      expect(limited.json().error.code).toBe('RATE_LIMITED')
      expect((await attempt('192.0.2.31')).statusCode).toBe(401)
    } finally {
      await t.close()
    }
  })
})

describe('session secret rotation', () => {
  it('re-signs cookies made with an older secret, and leaves unknown ones alone', () => {
    const sign = (raw: string, secret: string) =>
      encodeURIComponent(`${raw}.${createHmac('sha256', secret).update(raw).digest('base64')}`)
    const oldCookie = `better-auth.session_token=${sign('tok123', 'secret-A')}; theme=dark`
    const rotated = resignCookieHeader(oldCookie, ['secret-B', 'secret-A'])
    expect(rotated).toBe(`better-auth.session_token=${sign('tok123', 'secret-B')}; theme=dark`)
    expect(resignCookieHeader(oldCookie, ['secret-B'])).toBe(oldCookie)
    expect(resignCookieHeader(oldCookie, ['secret-B', 'secret-C'])).toBe(oldCookie)
  })
})

describe('start-up accounts', () => {
  it('creates the first admin from the environment and demo users on request', async () => {
    // The users only: started, the context would also load the demo year (demo.test.ts covers it).
    const ctx = await createTestContext({
      start: false,
      env: {
        SENTIA_ADMIN_EMAIL: 'boss@example.com',
        SENTIA_ADMIN_PASSWORD: 'a long admin password',
        DEMO_DATA: 'true',
      },
    })
    try {
      await bootstrapUsers(ctx)
      const users = await ctx.db
        .selectFrom('users')
        .select(['email', 'role', 'demo'])
        .orderBy('email')
        .execute()
      expect(users).toEqual(
        expect.arrayContaining([
          { email: 'boss@example.com', role: 'admin', demo: false },
          { email: 'viewer@demo.sentia.local', role: 'viewer', demo: true },
          { email: 'admin@demo.sentia.local', role: 'admin', demo: true },
        ]),
      )
      expect(users).toHaveLength(5)
    } finally {
      await closeTestContext(ctx)
    }
  })

  it('refuses to start in production without strong session secrets', async () => {
    await expect(createTestContext({ env: { APP_ENV: 'production' } })).rejects.toThrow(
      /SESSION_SECRETS: is required/,
    )
    await expect(
      createTestContext({ env: { APP_ENV: 'production', SESSION_SECRETS: 'short' } }),
    ).rejects.toThrow(/at least 32/)
  })
})

describe('session expiry', () => {
  it('ends a session after the idle timeout and after the absolute limit', async () => {
    const t = await buildTestApp({ start: false, env: { SESSION_MAX_HOURS: '1' } })
    try {
      await createUser(
        t.ctx,
        { email: 'eve@example.com', name: 'Eve', role: 'viewer', password: PASSWORD },
        system,
      )
      const signIn = async () =>
        cookieFrom(
          (
            await t.app.inject({
              method: 'POST',
              url: '/api/auth/sign-in/email',
              payload: { email: 'eve@example.com', password: PASSWORD },
            })
          ).headers['set-cookie'],
        )
      const idle = await signIn()
      expect((await t.app.inject({ url: '/api/me', headers: { cookie: idle } })).statusCode).toBe(200)
      // unused for longer than SESSION_IDLE_MINUTES: its expiry has passed
      await t.ctx.db
        .updateTable('sessions')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .execute()
      expect((await t.app.inject({ url: '/api/me', headers: { cookie: idle } })).statusCode).toBe(401)

      const old = await signIn()
      // signed in two hours ago (over SESSION_MAX_HOURS) and due for its sliding refresh
      await t.ctx.db
        .updateTable('sessions')
        .set({ created_at: new Date(Date.now() - 2 * 3_600_000), expires_at: new Date(Date.now() + 60_000) })
        .execute()
      expect((await t.app.inject({ url: '/api/me', headers: { cookie: old } })).statusCode).toBe(401)
    } finally {
      await t.close()
    }
  })
})

describe('session secret rotation end to end', () => {
  it('keeps sessions signed with the old secret while it is listed, and ends them once it is removed', async () => {
    const t = await buildTestApp({
      start: false,
      env: { SESSION_SECRETS: 'old-secret-0123456789abcdefghijklmn' },
    })
    const rotated = {
      ...t.ctx,
      config: {
        ...t.ctx.config,
        auth: {
          ...t.ctx.config.auth,
          sessionSecrets: ['new-secret-0123456789abcdefghijklmn', 'old-secret-0123456789abcdefghijklmn'],
        },
      },
    }
    const removed = {
      ...t.ctx,
      config: {
        ...t.ctx.config,
        auth: { ...t.ctx.config.auth, sessionSecrets: ['new-secret-0123456789abcdefghijklmn'] },
      },
    }
    const { buildApp } = await import('../../app.ts')
    const afterRotation = await buildApp(rotated)
    const afterRemoval = await buildApp(removed)
    try {
      await createUser(
        t.ctx,
        { email: 'rot@example.com', name: 'Rot', role: 'viewer', password: PASSWORD },
        system,
      )
      const cookie = cookieFrom(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/auth/sign-in/email',
            payload: { email: 'rot@example.com', password: PASSWORD },
          })
        ).headers['set-cookie'],
      )
      expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200)
      expect((await afterRotation.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200)
      expect((await afterRemoval.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(401)
    } finally {
      await afterRotation.close()
      await afterRemoval.close()
      await t.close()
    }
  })
})
