import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'

const PASSWORD = 'a perfectly long password'
const origin = 'http://127.0.0.1:3000'

describe('managing users', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ start: false, env: { SIGNIN_RATE_LIMIT_PER_MINUTE: '1000' } })
  })
  afterAll(() => t.close())

  const admin = () => as(t.ctx, 'admin')
  const signIn = async (email: string, password = PASSWORD) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email, password },
    })
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ')
    return { status: res.statusCode, cookie }
  }
  const actions = async (id: string) =>
    (
      await t.ctx.db
        .selectFrom('audit_logs')
        .select('action')
        .where('target_id', '=', id)
        .orderBy('id')
        .execute()
    ).map((a) => a.action)

  it('creates, lists and changes people, auditing each step', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: await admin(),
      payload: { email: 'Mia@Example.com', name: 'Mia', role: 'viewer', password: PASSWORD },
    })
    expect(created.statusCode).toBe(201)
    const mia = created.json()
    expect(mia).toMatchObject({
      email: 'mia@example.com',
      role: 'viewer',
      disabled: false,
      lockedUntil: null,
    })

    const duplicate = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: await admin(),
      payload: { email: 'mia@example.com', name: 'Mia 2', role: 'viewer', password: PASSWORD },
    })
    expect(duplicate.statusCode).toBe(409)

    const raised = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${mia.id}`,
      headers: await admin(),
      payload: { role: 'manager' },
    })
    expect(raised.json().role).toBe('manager')
    const lowered = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${mia.id}`,
      headers: await admin(),
      payload: { role: 'operator' },
    })
    expect(lowered.json().role).toBe('operator')
    expect(await actions(mia.id)).toEqual([
      'user_create',
      'role_change',
      'privilege_escalation',
      'role_change',
    ])

    const list = (await t.app.inject({ url: '/api/users', headers: await admin() })).json()
    expect(list.items.map((u: { email: string }) => u.email)).toContain('mia@example.com')
    expect((await t.app.inject({ url: '/api/users', headers: await as(t.ctx, 'manager') })).statusCode).toBe(
      403,
    )
  })

  it('disabling ends the sessions at once', async () => {
    const user = (
      await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: await admin(),
        payload: { email: 'leo@example.com', name: 'Leo', role: 'viewer', password: PASSWORD },
      })
    ).json()
    const { cookie } = await signIn('leo@example.com')
    expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200)
    const disabled = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${user.id}`,
      headers: await admin(),
      payload: { disabled: true },
    })
    expect(disabled.json().disabled).toBe(true)
    expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(401)
    expect((await signIn('leo@example.com')).status).toBe(403)
    expect(await actions(user.id)).toContain('user_disable')
  })

  it('unlocks a locked account', async () => {
    const user = (
      await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: await admin(),
        payload: { email: 'ivy@example.com', name: 'Ivy', role: 'viewer', password: PASSWORD },
      })
    ).json()
    for (let i = 0; i < 5; i++) await signIn('ivy@example.com', `wrong password ${i}`)
    expect((await signIn('ivy@example.com')).status).toBe(423)
    const listed = (await t.app.inject({ url: '/api/users', headers: await admin() })).json()
    expect(listed.items.find((u: { id: string }) => u.id === user.id).lockedUntil).toBeTruthy()
    const unlocked = await t.app.inject({
      method: 'POST',
      url: `/api/users/${user.id}/unlock`,
      headers: await admin(),
    })
    expect(unlocked.json().lockedUntil).toBeNull()
    expect((await signIn('ivy@example.com')).status).toBe(200)
    expect(await actions(user.id)).toContain('user_unlock')
  })

  it('resets a password (ending sessions) and lets people change their own', async () => {
    const user = (
      await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: await admin(),
        payload: { email: 'sam@example.com', name: 'Sam', role: 'viewer', password: PASSWORD },
      })
    ).json()
    const first = await signIn('sam@example.com')
    const reset = await t.app.inject({
      method: 'POST',
      url: `/api/users/${user.id}/password`,
      headers: await admin(),
      payload: { password: 'the admin chose this one' },
    })
    expect(reset.statusCode).toBe(200)
    expect((await t.app.inject({ url: '/api/me', headers: { cookie: first.cookie } })).statusCode).toBe(401)
    expect((await signIn('sam@example.com')).status).toBe(401)
    const second = await signIn('sam@example.com', 'the admin chose this one')
    expect(second.status).toBe(200)

    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/change-password',
      headers: { cookie: second.cookie, origin },
      payload: { currentPassword: 'the admin chose this one', newPassword: 'my own secret phrase' },
    })
    expect(changed.statusCode).toBe(200)
    expect((await signIn('sam@example.com', 'my own secret phrase')).status).toBe(200)
    const passwordChanges = await t.ctx.db
      .selectFrom('audit_logs')
      .select(['actor_type', 'new_values'])
      .where('action', '=', 'password_change')
      .where('target_id', '=', user.id)
      .orderBy('id')
      .execute()
    expect(passwordChanges.map((p) => p.new_values)).toEqual([{ by: 'admin' }, { by: 'self' }])
    expect(passwordChanges[1]!.actor_type).toBe('user')
  })

  it.each([
    [{ email: 'not-an-email', name: 'x', role: 'viewer', password: PASSWORD }],
    [{ email: 'a@example.com', name: 'x', role: 'viewer', password: 'short' }],
    [{ email: 'a@example.com', name: 'x', role: 'owner', password: PASSWORD }],
    [{ email: 'a@example.com', name: '', role: 'viewer', password: PASSWORD }],
    [{ email: 'a@example.com', name: 'x', role: 'viewer', password: PASSWORD, admin: true }],
  ])('rejects bad input %j with 400', async (payload) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/users', headers: await admin(), payload })
    expect(res.statusCode).toBe(400)
  })

  it('answers 404 for an unknown user and 400 for an empty change', async () => {
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: '/api/users/nobody',
          headers: await admin(),
          payload: { role: 'admin' },
        })
      ).statusCode,
    ).toBe(404)
    expect(
      (await t.app.inject({ method: 'PATCH', url: '/api/users/nobody', headers: await admin(), payload: {} }))
        .statusCode,
    ).toBe(400)
  })
})

describe('auth.cleanup job', () => {
  it('deletes expired sessions only', async () => {
    const t = await buildTestApp({ start: false })
    try {
      await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: await as(t.ctx, 'admin'),
        payload: { email: 'old@example.com', name: 'Old', role: 'viewer', password: PASSWORD },
      })
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: 'old@example.com', password: PASSWORD },
      })
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: 'old@example.com', password: PASSWORD },
      })
      const [first] = await t.ctx.db.selectFrom('sessions').select('id').execute()
      await t.ctx.db
        .updateTable('sessions')
        .set({ expires_at: new Date(Date.now() - 60_000) })
        .where('id', '=', first!.id)
        .execute()
      const { authCleanupJob } = await import('./jobs.ts')
      await authCleanupJob.handler({}, t.ctx)
      const left = await t.ctx.db.selectFrom('sessions').select('id').execute()
      expect(left).toHaveLength(1)
      expect(left[0]!.id).not.toBe(first!.id)
    } finally {
      await t.close()
    }
  })
})
