import { describe, expect, it } from 'vitest'
import { as, buildTestApp } from '../../../test/app.ts'
import { createUser } from '../auth/users.ts'

describe('run-time settings', () => {
  it('lets an admin require two-factor sign-in for admins, audited, effective at once', async () => {
    const t = await buildTestApp({ start: false })
    try {
      const admin = await as(t.ctx, 'admin')
      expect((await t.app.inject({ url: '/api/admin/settings', headers: admin })).json()).toEqual({
        requireTwoFactorForAdmins: false,
      })
      await createUser(
        t.ctx,
        { email: 'boss@example.com', name: 'Boss', role: 'admin', password: 'boss password 123' },
        { type: 'system', id: 'test' },
      )
      const signIn = await t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: 'boss@example.com', password: 'boss password 123' },
      })
      const cookie = ([] as string[])
        .concat(signIn.headers['set-cookie'] ?? [])
        .map((c) => c.split(';')[0])
        .join('; ')
      expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).json().role).toBe('admin')

      const changed = await t.app.inject({
        method: 'PUT',
        url: '/api/admin/settings',
        headers: admin,
        payload: { requireTwoFactorForAdmins: true },
      })
      expect(changed.json()).toEqual({ requireTwoFactorForAdmins: true })
      expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).json()).toMatchObject({
        role: 'viewer',
        restriction: expect.any(String),
      })
      const audit = await t.ctx.db
        .selectFrom('audit_logs')
        .selectAll()
        .where('action', '=', 'settings_change')
        .executeTakeFirstOrThrow()
      expect(audit).toMatchObject({
        old_values: { requireTwoFactorForAdmins: false },
        new_values: { requireTwoFactorForAdmins: true },
      })

      for (const payload of [{}, { requireTwoFactorForAdmins: 'yes' }, { unknown: true }]) {
        expect(
          (await t.app.inject({ method: 'PUT', url: '/api/admin/settings', headers: admin, payload }))
            .statusCode,
        ).toBe(400)
      }
      expect(
        (await t.app.inject({ url: '/api/admin/settings', headers: await as(t.ctx, 'manager') })).statusCode,
      ).toBe(403)
    } finally {
      await t.close()
    }
  })
})
